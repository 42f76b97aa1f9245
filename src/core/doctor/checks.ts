/**
 * The doctor's checks: the facts of an access repository's settings in, one result per check out,
 * each problem with what is wrong, where, and what to do. Pure. A fact the token could not read
 * makes its check `unreadable`, which counts as failing: a check that cannot look does not pass.
 *
 * The check ids are a contract (the JSON output, the sweep's issue), like rule ids.
 */
import {
  DEFAULT_LEDGER_KEY_SECRETS,
  GITHUB_ACTIONS_APP_ID,
  LEDGER_APP_EVENTS,
  LEDGER_APP_PERMISSIONS,
  isUnreadable,
  type BranchProtection,
  type BranchRule,
  type BypassActor,
  type DoctorFacts,
  type DoctorOptions,
  type EnvironmentFacts,
  type Fact,
  type RequiredCheck,
  type Ruleset,
  type Unreadable,
} from './facts.ts';
import { CODEOWNERS_PATHS, parseCodeowners, ruleFor } from './codeowners.ts';
import { COMMIT_STATUS_MODES, DEFAULT_STATUS_CONTEXT, HEAD_ATTACHED_EVENTS, type CommitStatusMode } from '../commit-status.ts';
import { inlineCode } from '../text/escape.ts';
import {
  PR_CODE_EVENTS,
  PR_EVENTS,
  PRIVILEGED_PR_EVENTS,
  checkNameOf,
  isAppTokenStep,
  isCheckoutStep,
  isGateStep,
  parseWorkflows,
  type Job,
  type Step,
  type Workflow,
} from './workflows.ts';

export const CHECK_IDS = [
  'workflow-secrets',
  'workflow-head-checkout',
  'workflow-token',
  'gate-required',
  'ledger-branch',
  'codeowners',
  'issues-enabled',
  'app-installed',
] as const;
export type CheckId = (typeof CHECK_IDS)[number];

export interface CheckInfo {
  /** The safe state, as a sentence. */
  title: string;
  controls: string[];
}

export const CHECKS: Readonly<Record<CheckId, CheckInfo>> = {
  'workflow-secrets': {
    title: 'No branch or pull request can run a workflow that holds a key able to write',
    controls: ['SOC2:CC6.1', 'OWASP-NHI:NHI2:2025', 'OWASP-NHI:NHI5:2025', 'ISO27001:A.5.17'],
  },
  'workflow-head-checkout': {
    title: "No pull_request_target or workflow_run workflow checks out or runs the pull request's code",
    controls: ['SOC2:CC6.1', 'OWASP-NHI:NHI2:2025'],
  },
  'workflow-token': {
    title: 'Workflows get a read-only GITHUB_TOKEN unless they ask for more, and cannot approve pull requests',
    controls: ['SOC2:CC6.3', 'OWASP-NHI:NHI5:2025'],
  },
  'gate-required': {
    title:
      "What the gate reports on a pull request's head commit (its status access-ledger/gate) is required to merge into the default branch, from the gate App alone",
    controls: ['SOC2:CC8.1', 'SOC2:CC6.3', 'CIS-v8:6.1'],
  },
  'ledger-branch': {
    title: 'Only the App can write the ledger branch, and nobody can rewrite or delete it',
    controls: ['SOC2:CC6.1', 'SOC2:CC7.2'],
  },
  codeowners: {
    title: 'CODEOWNERS gives the config, systems/ and .github/workflows to owners whose review is required',
    controls: ['SOC2:CC8.1', 'SOC2:CC6.3'],
  },
  'issues-enabled': {
    title: 'Issues are on, so the App can open stale-grant, leaver and unapproved-merge issues',
    controls: ['SOC2:CC7.2'],
  },
  'app-installed': {
    title: 'The access-ledger App is installed on the repository and can act',
    controls: ['SOC2:CC7.2'],
  },
};

export interface DoctorProblem {
  /** What is wrong. */
  message: string;
  /** What to do about it. */
  fix: string;
  file?: string;
  line?: number;
  /** Set when the problem is that a fact could not be read: the permission that would read it. */
  permission?: string;
  /** Set when the problem weakens the setup without opening a way around the gate or the ledger: the check warns, and does not fail. */
  warning?: true;
}

/** `warn`: only warnings (the report stays ok); `unreadable`: a fact could not be read (counts as failing). */
export type CheckStatus = 'pass' | 'warn' | 'fail' | 'unreadable';

export interface CheckResult {
  id: CheckId;
  title: string;
  status: CheckStatus;
  problems: DoctorProblem[];
  /** On a pass: what was seen, e.g. which ruleset requires the check. */
  detail?: string;
  controls: string[];
}

export interface DoctorReport {
  repository: string;
  defaultBranch: string;
  ledgerBranch: string;
  /** True when every check passes (or only warns). */
  ok: boolean;
  checks: CheckResult[];
}

const DOCS = 'https://github.com/access-ledger/access-ledger/blob/main/docs';

function unreadableProblem(u: Unreadable, what: string): DoctorProblem {
  return { message: `cannot read ${what}: ${u.message}`, fix: `run the doctor with a token that has ${u.permission}`, permission: u.permission };
}

function result(id: CheckId, problems: DoctorProblem[], detail?: string): CheckResult {
  const failing = problems.filter((p) => !p.warning);
  const status: CheckStatus = problems.length === 0 ? 'pass' : failing.length === 0 ? 'warn' : failing.every((p) => p.permission) ? 'unreadable' : 'fail';
  return { id, title: CHECKS[id].title, status, problems, ...(status === 'pass' && detail ? { detail } : {}), controls: CHECKS[id].controls };
}

/** Values a user wrote (job ids, environment names, paths) are inert inline code: one escaper for every report. */
const code = inlineCode;

// ---- workflows ------------------------------------------------------------------------------------

const PRIVATE_KEY_NAME = /PRIVATE[_-]?KEY|(^|_)PEM($|_)|SSH[_-]?KEY|DEPLOY[_-]?KEY|SIGNING[_-]?KEY/i;
const PRIVATE_KEY_INPUT = /^private[-_]?key$/i;

function isLedgerKey(name: string, options: DoctorOptions): boolean {
  return (options.ledgerKeySecrets ?? DEFAULT_LEDGER_KEY_SECRETS).some((n) => n.toUpperCase() === name);
}

/** The secrets of a job that are keys: a private key by name or by the input it feeds, the ledger App's key, or every secret at once. */
function keysOf(job: Job, options: DoctorOptions): { name: string; line: number; ledger: boolean }[] {
  const seen = new Map<string, { name: string; line: number; ledger: boolean }>();
  for (const s of job.secrets) {
    const ledger = s.name !== '*' && isLedgerKey(s.name, options);
    const key = ledger || s.name === '*' || PRIVATE_KEY_NAME.test(s.name) || (s.input !== undefined && PRIVATE_KEY_INPUT.test(s.input));
    if (key && !seen.has(s.name)) seen.set(s.name, { name: s.name, line: s.line, ledger });
  }
  return [...seen.values()];
}

/** Environments the doctor must read: those of jobs that hold a key (the adapter reads these). */
export function environmentsToRead(workflows: readonly Workflow[], options: DoctorOptions = {}): string[] {
  const out = new Set<string>();
  for (const wf of workflows)
    for (const job of wf.jobs) if (job.environment && !job.environment.includes('${{') && keysOf(job, options).length > 0) out.add(job.environment);
  return [...out].sort();
}

function branchOnly(env: EnvironmentFacts, defaultBranch: string): { ok: true } | { ok: false; why: string } {
  if (!env.exists) return { ok: false, why: 'does not exist: GitHub creates it on the first run, with no branch limit' };
  if (!env.policy) return { ok: false, why: 'lets every branch and tag use its secrets (Deployment branches and tags: No restriction)' };
  if (env.policy.protectedBranches) return { ok: false, why: 'lets every protected branch use its secrets, not only the default branch' };
  if (env.branchPolicies.length === 0) return { ok: false, why: 'has custom deployment branches but names none' };
  const others = env.branchPolicies.filter((p) => (p.type ?? 'branch') !== 'branch' || p.name !== defaultBranch);
  if (others.length > 0) return { ok: false, why: `also lets ${others.map((p) => `${p.type ?? 'branch'} ${code(p.name)}`).join(', ')} use its secrets` };
  return { ok: true };
}

function workflowSecrets(workflows: readonly Workflow[], facts: DoctorFacts, options: DoctorOptions): DoctorProblem[] {
  const problems: DoctorProblem[] = [];
  for (const wf of workflows) {
    const prCode = wf.triggers.filter((t) => PR_CODE_EVENTS.has(t));
    const prAny = wf.triggers.filter((t) => PR_EVENTS.has(t));
    for (const job of wf.jobs) {
      const where = { file: wf.path };
      for (const key of keysOf(job, options)) {
        const secret = key.name === '*' ? 'every secret of the repository' : `secrets.${key.name}`;
        const at = { ...where, line: key.line };
        if (key.ledger && prAny.length > 0) {
          problems.push({
            ...at,
            message: `the job ${code(job.id)} holds ${secret}, the ledger App's key, in a workflow that pull requests start (${prAny.join(', ')}): whoever controls that run can write ledger records, edit the App's comments and open or close its issues as the App`,
            fix: `give the gate its own App (gate-app.yml: it reads, and sets only commit statuses) and its key as ACCESS_LEDGER_GATE_PRIVATE_KEY in an environment limited to ${facts.defaultBranch}; delete the ledger App's key from the repository's secrets (${DOCS}/gate.md#tokens)`,
          });
          continue;
        }
        if (prCode.length > 0) {
          problems.push({
            ...at,
            message: `the job ${code(job.id)} reads ${secret} in a workflow ${prCode.join(', ')} starts: a pull request from a branch of this repository runs its own copy of the workflow with the repository's secrets, so anyone who can push a branch can print the key`,
            fix: `run the job on pull_request_target (the default branch's copy of the workflow) with the key in an environment limited to ${facts.defaultBranch}, and never check out the pull request there; or drop the key (${DOCS}/gate.md#threat-model)`,
          });
          continue;
        }
        if (key.name === '*') continue;
        if (!job.environment) {
          problems.push({
            ...at,
            message: `the job ${code(job.id)} reads ${secret} without an environment, so it is a repository (or organization) secret: any workflow pushed to any branch can read it, whatever this file says`,
            fix: `store the key as a secret of an environment whose deployment branches are only ${facts.defaultBranch}, add ${code(`environment: <name>`)} to the job, and delete the repository secret (${DOCS}/gate.md#the-gate-apps-key)`,
          });
          continue;
        }
        if (job.environment.includes('${{')) {
          problems.push({
            ...at,
            line: job.environmentLine ?? key.line,
            message: `the job ${code(job.id)} holds ${secret} in an environment whose name is computed (${code(job.environment)}): the doctor cannot tell which environment's limits apply`,
            fix: 'name the environment literally',
          });
          continue;
        }
        const env = facts.environments[job.environment];
        if (env === undefined) continue;
        if (isUnreadable(env)) {
          problems.push({ ...unreadableProblem(env, `the environment ${code(job.environment)}`), ...where, line: job.environmentLine ?? key.line });
          continue;
        }
        const only = branchOnly(env, facts.defaultBranch);
        if (!only.ok) {
          problems.push({
            ...where,
            line: job.environmentLine ?? key.line,
            message: `the job ${code(job.id)} holds ${secret} in the environment ${code(job.environment)}, which ${only.why}: a workflow pushed to another branch can read the key`,
            fix: `in Settings → Environments → ${job.environment}, set Deployment branches and tags to Selected branches with only ${code(facts.defaultBranch)}`,
          });
        }
      }
      if (job.steps.some(isGateStep)) problems.push(...gateCredential(wf, job));
    }
  }
  return problems;
}

/**
 * The gate reads, and writes one thing: its commit status, with the gate App's token (the only
 * source of that status no branch can borrow). A gate job whose tokens can write more hands that
 * to anyone who subverts it.
 */
function gateCredential(wf: Workflow, job: Job): DoctorProblem[] {
  const problems: DoctorProblem[] = [];
  for (const step of job.steps.filter(isAppTokenStep)) {
    const writes = Object.entries(step.with).filter(
      ([k, v]) => /^permission-/.test(k) && /^(write|admin)$/i.test(v.trim()) && !(k === 'permission-statuses' && /^write$/i.test(v.trim())),
    );
    if (writes.length > 0) {
      problems.push({
        file: wf.path,
        line: step.line,
        message: `the gate's token in ${code(job.id)} asks for ${writes.map(([k, v]) => `${k}: ${v}`).join(', ')}: the gate only reads, and writes nothing but its commit status`,
        fix: 'ask for permission-contents: read, permission-pull-requests: read, permission-members: read and permission-statuses: write only',
      });
    }
  }
  const perms = job.permissions;
  // The job's own token needs no write: the gate sets its status with the gate App's token.
  const writable =
    typeof perms === 'string'
      ? /write-all/.test(perms)
        ? ['write-all']
        : []
      : Object.entries(perms ?? {})
          .filter(([, v]) => v === 'write')
          .map(([k]) => `${k}: write`);
  if (perms === undefined && wf.triggers.includes('pull_request_target')) writable.push('(no permissions: key, so the repository default, which may be write)');
  if (writable.length > 0) {
    problems.push({
      file: wf.path,
      line: job.line,
      message: `the gate job ${code(job.id)} gives its GITHUB_TOKEN ${writable.join(', ')}: the gate only reads, and sets its commit status with the gate App's token, so the job's own token needs no write`,
      fix: "set `permissions: { contents: read, pull-requests: read }` on the job, and pass the gate App's token as `status-token`",
    });
  }
  return problems;
}

// ---- checking out the head -------------------------------------------------------------------------

const HEAD_EXPRESSION =
  /github\.event\.pull_request\.head\.(sha|ref|repo)|github\.head_ref|github\.event\.workflow_run\.head_(sha|branch|repository|commit)|github\.event\.pull_request\.merge_commit_sha|github\.event\.(number|pull_request\.number)|refs\/pull\//;
const GIT_FETCH = /\b(git\s+(-\S+\s+)*(fetch|checkout|switch|pull|clone|worktree|reset)\b|gh\s+pr\s+checkout\b)/;

function headVars(env: Record<string, string>): string[] {
  return Object.entries(env)
    .filter(([, v]) => HEAD_EXPRESSION.test(v))
    .map(([k]) => k);
}

function checksOutHead(step: Step, jobEnv: Record<string, string>): string | undefined {
  if (isCheckoutStep(step)) {
    for (const input of ['ref', 'repository']) {
      const v = step.with[input];
      if (v !== undefined && HEAD_EXPRESSION.test(v)) return `actions/checkout with ${input}: ${v.trim()}`;
    }
    return undefined;
  }
  if (step.run === undefined) return undefined;
  const vars = [...headVars(jobEnv), ...headVars(step.env)];
  for (const line of step.run.split('\n')) {
    if (/\bgh\s+pr\s+checkout\b/.test(line)) return line.trim();
    if (!GIT_FETCH.test(line)) continue;
    if (HEAD_EXPRESSION.test(line) || /\bpull\/[^\s/]+\/(head|merge)\b/.test(line) || vars.some((v) => new RegExp(`\\$\\{?${v}\\b`).test(line)))
      return line.trim();
  }
  return undefined;
}

function headCheckout(workflows: readonly Workflow[]): DoctorProblem[] {
  const problems: DoctorProblem[] = [];
  for (const wf of workflows) {
    const privileged = wf.triggers.filter((t) => PRIVILEGED_PR_EVENTS.has(t));
    if (privileged.length === 0) continue;
    for (const job of wf.jobs) {
      for (const step of job.steps) {
        const how = checksOutHead(step, job.env);
        if (!how) continue;
        problems.push({
          file: wf.path,
          line: step.line,
          message: `the job ${code(job.id)} of a ${privileged.join('/')} workflow checks out the pull request's code (${how}); it runs with the repository's secrets and a token that can write, so the pull request's code can take them`,
          fix: 'never check out or run the head in a pull_request_target or workflow_run workflow: read its files through the API as data (the gate does), or build it in a pull_request workflow that holds no secret',
        });
      }
    }
  }
  return problems;
}

// ---- branch protection ------------------------------------------------------------------------------

function rulesOf(p: BranchProtection, type: string): BranchRule[] {
  return isUnreadable(p.rules) ? [] : p.rules.filter((r) => r.type === type);
}

function rulesetName(facts: DoctorFacts, id: number): string {
  const r = facts.rulesets[id];
  return r && !isUnreadable(r) ? `ruleset "${r.name}"` : `ruleset ${id}`;
}

/** One place that requires a check: a ruleset or classic branch protection, and the source it accepts. */
interface Requirement {
  /** `ruleset "main"` or `branch protection`. */
  where: string;
  classic: boolean;
  /** The App the check must come from; null: any source. */
  appId: number | null;
}

/** Every required check of a branch, with each place that requires it and the source that place accepts. */
function requirements(p: BranchProtection, facts: DoctorFacts): Map<string, Requirement[]> {
  const out = new Map<string, Requirement[]>();
  const add = (context: string, r: Requirement) => out.set(context, [...(out.get(context) ?? []), r]);
  // -1 is how the API spells "any source" when one is set; a missing or null id accepts any source too.
  const source = (id: unknown): number | null => (typeof id === 'number' && Number.isInteger(id) && id > 0 ? id : null);
  for (const rule of rulesOf(p, 'required_status_checks')) {
    const checks = (rule.parameters?.required_status_checks as { context?: unknown; integration_id?: unknown }[] | undefined) ?? [];
    for (const c of checks)
      if (typeof c.context === 'string') add(c.context, { where: rulesetName(facts, rule.rulesetId), classic: false, appId: source(c.integration_id) });
  }
  if (!isUnreadable(p.classic) && p.classic) {
    for (const c of p.classic.requiredChecks) {
      const check: RequiredCheck = typeof c === 'string' ? { context: c, appId: null } : c;
      add(check.context, { where: 'branch protection', classic: true, appId: source(check.appId) });
    }
  }
  return out;
}

function requiredContexts(p: BranchProtection, facts: DoctorFacts): Map<string, string> {
  return new Map([...requirements(p, facts)].map(([context, reqs]) => [context, reqs[0]!.where]));
}

/** How one gate job reports its verdict, as its workflow and the gate step's inputs say. */
interface GateReport {
  wf: Workflow;
  job: Job;
  step: Step;
  /** The job's check name, on the head commit only for pull_request and pull_request_review runs. */
  checkName: string;
  /** Events whose runs GitHub attaches to the base branch's tip (pull_request_target). */
  baseEvents: string[];
  /** Events whose runs (and the job's check) land on the head commit. */
  headEvents: string[];
  mode: CommitStatusMode | undefined;
  /** The status context the step sets on the head, when it sets one. */
  context: string | undefined;
  /**
   * The token the step sets its status with (`status-token`): the job's own GITHUB_TOKEN (the
   * input's default), the token of an `actions/create-github-app-token` step of the job, or
   * something else the doctor cannot trace.
   */
  statusToken: { via: 'job' } | { via: 'app'; step: Step } | { via: 'other'; text: string };
}

const JOB_TOKEN = /^\$\{\{\s*(github\.token|secrets\.GITHUB_TOKEN)\s*\}\}$/i;
const STEP_TOKEN = /^\$\{\{\s*steps\.([A-Za-z0-9_-]+)\.outputs\.token\s*\}\}$/;

function statusTokenOf(job: Job, step: Step): GateReport['statusToken'] {
  const text = (step.with['status-token'] ?? '').trim();
  if (!text || JOB_TOKEN.test(text)) return { via: 'job' };
  const id = STEP_TOKEN.exec(text)?.[1];
  const from = id === undefined ? undefined : job.steps.find((st) => st.id === id && isAppTokenStep(st));
  return from ? { via: 'app', step: from } : { via: 'other', text };
}

function gateReport(wf: Workflow, job: Job, step: Step): GateReport {
  const headEvents = wf.triggers.filter((t) => HEAD_ATTACHED_EVENTS.has(t));
  // Of the events the gate judges, pull_request_target is the one whose run sits on the base branch's tip.
  const baseEvents = wf.triggers.filter((t) => t === 'pull_request_target');
  // A computed value (an expression) is read as the default: the doctor cannot evaluate it.
  const written = (step.with['commit-status'] ?? '').trim();
  const raw = !written || written.includes('${{') ? 'auto' : written;
  const mode = (COMMIT_STATUS_MODES as readonly string[]).includes(raw) ? (raw as CommitStatusMode) : undefined;
  const posts = mode === 'always' || (mode === 'auto' && baseEvents.length > 0);
  const context = posts ? (step.with['status-context'] ?? '').trim() || DEFAULT_STATUS_CONTEXT : undefined;
  return { wf, job, step, checkName: checkNameOf(job), baseEvents, headEvents, mode, context, statusToken: statusTokenOf(job, step) };
}

function gateRequired(workflows: readonly Workflow[] | undefined, facts: DoctorFacts, options: DoctorOptions): DoctorProblem[] {
  const branch = facts.defaultBranch;
  const p = facts.defaultBranchProtection;
  const required = requiredContexts(p, facts);
  const problems: DoctorProblem[] = [];
  /** What may be required: the status context a gate sets on the head, or the check of a job that runs on the head. */
  const accepted: string[] = [];
  /** Checks of jobs that run on pull_request_target: never on the head, so requiring one blocks every pull request. */
  const baseOnly = new Map<string, GateReport>();
  const statuses = new Set<string>();
  let reports: GateReport[] = [];
  if (workflows) {
    reports = workflows.flatMap((wf) =>
      wf.triggers.some((t) => PR_EVENTS.has(t)) ? wf.jobs.flatMap((j) => j.steps.filter(isGateStep).map((st) => gateReport(wf, j, st))) : [],
    );
    // With the check's name given (ACCESS_LEDGER_GATE_CHECK, --gate-check) the gate may run elsewhere.
    if (reports.length === 0 && !options.gateCheck) {
      return [
        {
          message: `no workflow on ${branch} runs the gate (access-ledger/access-ledger) on pull requests`,
          fix: `add the workflow \`access-ledger init\` writes (.github/workflows/access-ledger.yml) (${DOCS}/gate.md#the-workflow)`,
        },
      ];
    }
    for (const r of reports) {
      if (r.context) {
        accepted.push(r.context);
        statuses.add(r.context);
      }
      if (r.headEvents.length > 0) accepted.push(r.checkName);
      if (r.baseEvents.length > 0 && !baseOnly.has(r.checkName)) baseOnly.set(r.checkName, r);
      if (r.mode === undefined) {
        problems.push({
          file: r.wf.path,
          line: r.step.line,
          message: `the gate step in ${code(r.job.id)} sets \`commit-status: ${r.step.with['commit-status']}\`, which the gate refuses: it fails every run`,
          fix: 'use `commit-status: auto` (the default), `always` or `never`',
        });
      } else if (r.baseEvents.length > 0 && !r.context) {
        problems.push({
          file: r.wf.path,
          line: r.step.line,
          message: `the gate runs on ${r.baseEvents.join(', ')} with \`commit-status: never\`: GitHub attaches that run and the check ${code(r.checkName)} to the tip of ${branch}, not to the pull request's head commit, so no verdict of the gate ever reaches the commit where branch protection looks`,
          fix: `drop \`commit-status: never\` so the gate sets the status ${code(DEFAULT_STATUS_CONTEXT)} on the head commit, give the job \`permissions: statuses: write\`, and require that status (${DOCS}/gate.md#making-the-check-required)`,
        });
      }
    }
  } else if (!options.gateCheck) {
    return [];
  }
  if (options.gateCheck) accepted.push(options.gateCheck);
  const contexts = [...new Set(accepted)];
  let misrequired = false;
  // A required check that can never report on the head commit: every pull request waits for it forever.
  for (const [name, r] of baseOnly) {
    if (!required.has(name) || contexts.includes(name)) continue;
    const instead = contexts.find((c) => c !== name) ?? DEFAULT_STATUS_CONTEXT;
    problems.push({
      file: r.wf.path,
      line: r.job.line,
      message: `${required.get(name)} requires ${code(name)}, the check of the gate job, which runs on ${r.baseEvents.join(', ')}: GitHub attaches it to the tip of ${branch}, never to a pull request's head commit, so no pull request can satisfy it (every one waits, or is merged by bypassing the rules)`,
      fix: `in ${required.get(name)}, require the status ${code(instead)} instead of ${code(name)}: the gate sets it on the head commit (${DOCS}/gate.md#making-the-check-required)`,
    });
    misrequired = true;
  }
  if (contexts.some((n) => required.has(n)) || misrequired) return [...problems, ...statusSources(reports, requirements(p, facts), facts, options)];
  // The status is required, but no gate sets it (a gate on pull_request reports its job's check instead).
  if (workflows && required.has(DEFAULT_STATUS_CONTEXT) && !statuses.has(DEFAULT_STATUS_CONTEXT) && contexts.length > 0) {
    problems.push({
      message: `${required.get(DEFAULT_STATUS_CONTEXT)} requires the status ${code(DEFAULT_STATUS_CONTEXT)}, but no gate workflow on ${branch} sets it (the gate reports ${contexts.map(code).join(' or ')}): no pull request can satisfy it`,
      fix: `run the gate as \`access-ledger init\` writes it (pull_request_target, which sets the status), or require ${code(contexts[0]!)} instead (${DOCS}/gate.md#making-the-check-required)`,
    });
    return problems;
  }
  if (isUnreadable(p.rules)) problems.push(unreadableProblem(p.rules, `the rules of ${branch}`));
  if (isUnreadable(p.classic)) problems.push(unreadableProblem(p.classic, `the branch protection of ${branch}`));
  if (problems.some((x) => x.permission)) return problems;
  if (contexts.length === 0) return problems;
  const name = contexts[0]!;
  const what = statuses.has(name) ? 'status' : 'check';
  problems.push({
    message: `the gate's ${what} ${contexts.map(code).join(' or ')} is not required on ${branch}: a pull request can merge while the gate fails, and the App records it only afterwards as an unapproved merge`,
    fix: `Settings → Rules → Rulesets → a branch ruleset on ${branch} with Require status checks to pass: add ${code(name)} (${DOCS}/gate.md#making-the-check-required)`,
  });
  return problems;
}

/**
 * The required status the gate sets must come from the gate App, and the gate must set it with the
 * gate App's token. Any other source is one a branch can borrow: a workflow's GITHUB_TOKEN sets a
 * status as GitHub Actions on any branch, and a person's token sets one with no App at all.
 */
function statusSources(reports: readonly GateReport[], reqs: Map<string, Requirement[]>, facts: DoctorFacts, options: DoctorOptions): DoctorProblem[] {
  const problems: DoctorProblem[] = [];
  const gateApp = options.gateAppId;
  const idText = gateApp === undefined ? "<the gate App's App ID>" : String(gateApp);
  const idNote =
    gateApp === undefined
      ? "; the gate App's settings page shows its App ID: set it as `gate: { app_id: ... }` in the config so the doctor can check the source"
      : '';
  for (const context of new Set(reports.flatMap((r) => (r.context ? [r.context] : [])))) {
    const found = reqs.get(context);
    if (!found) continue;
    const pinned = gateApp !== undefined && found.some((q) => q.appId === gateApp);
    const requireFix = `require ${code(context)} from the gate App (${DOCS}/gate.md#making-the-check-required)`;
    // How the gate sets it.
    for (const r of reports.filter((x) => x.context === context)) {
      const t = r.statusToken;
      const at = { file: r.wf.path, line: r.step.line };
      const fix = `pass the gate App's token as \`status-token\` (as the \`token\` input, e.g. \`\${{ steps.token.outputs.token }}\`), add \`permission-statuses: write\` to its token step, and ${requireFix}`;
      const counted = pinned
        ? `the rule requires it from the gate App, so the gate's own verdict never counts and every pull request waits`
        : "no rule can tell the gate's verdict from a status a branch sets";
      if (t.via === 'job') {
        problems.push({
          ...at,
          message: `the gate step in ${code(r.job.id)} sets the status ${code(context)} with the job's own GITHUB_TOKEN (\`status-token\`'s default): GitHub records that as coming from GitHub Actions, as it does a status any branch's workflow sets, so ${counted}`,
          fix,
        });
      } else if (t.via === 'other') {
        problems.push({
          ...at,
          message: `the gate step in ${code(r.job.id)} sets the status ${code(context)} with ${code(t.text)}, which the doctor cannot trace to the gate App: only a status from the gate App is one no branch can set`,
          fix,
        });
      } else {
        const scopes = Object.entries(t.step.with).filter(([k]) => /^permission-/.test(k));
        if (scopes.length > 0 && (t.step.with['permission-statuses'] ?? '').trim().toLowerCase() !== 'write') {
          problems.push({
            file: r.wf.path,
            line: t.step.line,
            message: `the gate App's token step in ${code(r.job.id)} asks for ${scopes.map(([k, v]) => `${k}: ${v}`).join(', ')} but not permission-statuses: write, and the gate sets ${code(context)} with that token: GitHub refuses the status, so every run ends in an error`,
            fix: "add `permission-statuses: write` to the token step, and accept the gate App's Commit statuses: write permission on its installation (gate-app.yml)",
          });
        }
      }
    }
    // Which source the rules accept.
    if (pinned) continue;
    for (const q of found) {
      const where = q.classic
        ? `Settings → Branches → the branch protection rule of ${facts.defaultBranch} → Require status checks to pass → ${code(context)}: choose the gate App as its source, not "Any source" (API: \`required_status_checks.checks[].app_id: ${idText}\`)`
        : `Settings → Rules → Rulesets → ${q.where.replace(/^ruleset /, '')} → Require status checks to pass → ${code(context)}: choose the gate App as its source (API: \`required_status_checks[].integration_id: ${idText}\`)`;
      const fix = `${where}${idNote} (${DOCS}/gate.md#making-the-check-required)`;
      if (q.appId === null) {
        problems.push({
          message: `${q.where} requires ${code(context)} from any source: anyone who can push a branch can set ${code(`${context}: success`)} on their own pull request's head commit, from a workflow whose GITHUB_TOKEN has statuses: write or with their own token, and the rule counts it`,
          fix,
        });
      } else if (q.appId === GITHUB_ACTIONS_APP_ID) {
        problems.push({
          message: `${q.where} requires ${code(context)} from GitHub Actions: every workflow's GITHUB_TOKEN is GitHub Actions, on any branch, so a workflow pushed with a pull request can set ${code(`${context}: success`)} on its head commit and the rule counts it`,
          fix,
        });
      } else if (gateApp !== undefined) {
        problems.push({
          message: `${q.where} requires ${code(context)} from the App ${q.appId}, not the gate App (${gateApp}): the gate's own status does not count there, and whoever holds a token of App ${q.appId} can set it`,
          fix,
        });
      } else {
        problems.push({
          message: `${q.where} requires ${code(context)} from the App ${q.appId}, and the doctor does not know the gate App's id to tell whether that is it`,
          fix: `if App ${q.appId} is the gate App (its settings page shows its App ID), set \`gate: { app_id: ${q.appId} }\` in ${facts.configPath} (or pass --gate-app-id ${q.appId}); if not, ${where} (${DOCS}/gate.md#making-the-check-required)`,
        });
      }
    }
  }
  return problems;
}

/** How the required gate is pinned, for a passing check's detail. */
function gateDetail(name: string, facts: DoctorFacts, options: DoctorOptions): string {
  const reqs = requirements(facts.defaultBranchProtection, facts).get(name) ?? [];
  const pinned = options.gateAppId === undefined ? undefined : reqs.find((q) => q.appId === options.gateAppId);
  return pinned
    ? `${code(name)} is required by ${pinned.where}, from the gate App ${options.gateAppId}`
    : `${code(name)} is required by ${reqs[0]?.where ?? 'a rule'}`;
}

// ---- the default workflow token -----------------------------------------------------------------------

function workflowToken(facts: DoctorFacts): DoctorProblem[] {
  const t = facts.workflowToken;
  if (isUnreadable(t)) return [unreadableProblem(t, "the default permissions of the workflows' GITHUB_TOKEN")];
  const problems: DoctorProblem[] = [];
  if (t.defaultPermissions !== 'read') {
    problems.push({
      warning: true,
      message: `every workflow in ${facts.repository} that names no \`permissions:\` gets a GITHUB_TOKEN that can write (Workflow permissions: Read and write): a workflow any branch pushes can write contents, issues, pull requests and commit statuses as github-actions[bot]`,
      fix: `Settings → Actions → General → Workflow permissions: Read repository contents and packages permissions (API: \`PUT /repos/${facts.repository}/actions/permissions/workflow\` with \`default_workflow_permissions: read\`); give a job that needs more its own \`permissions:\``,
    });
  }
  if (t.canApprovePullRequests) {
    problems.push({
      warning: true,
      message: `workflows in ${facts.repository} may approve pull requests (Allow GitHub Actions to create and approve pull requests): a workflow any branch pushes can approve a pull request as github-actions[bot], which counts toward GitHub's required approvals (the gate never counts a bot)`,
      fix: 'Settings → Actions → General → Workflow permissions: untick Allow GitHub Actions to create and approve pull requests (API: `can_approve_pull_request_reviews: false`)',
    });
  }
  return problems;
}

const PEOPLE_ACTORS: Readonly<Record<string, string>> = {
  OrganizationAdmin: 'organization admins',
  RepositoryRole: 'a repository role',
  Team: 'a team',
  User: 'a user',
  DeployKey: 'deploy keys',
  EnterpriseOwner: 'enterprise owners',
  EnterpriseRole: 'an enterprise role',
};

const ROLE_NAMES: Readonly<Record<number, string>> = { 1: 'read', 2: 'triage', 3: 'write', 4: 'maintain', 5: 'admin' };

function actorName(a: BypassActor): string {
  if (a.type === 'Integration') return `the App ${a.id ?? '?'}`;
  if (a.type === 'RepositoryRole' && a.id !== null && ROLE_NAMES[a.id]) return `the ${ROLE_NAMES[a.id]} role`;
  return `${PEOPLE_ACTORS[a.type] ?? a.type}${a.id !== null && a.type !== 'RepositoryRole' && a.type !== 'OrganizationAdmin' ? ` (id ${a.id})` : ''}`;
}

function who(pushers: Fact<string[]>): string {
  if (isUnreadable(pushers)) return 'anyone with write access to the repository';
  if (pushers.length === 0) return 'anyone with write access to the repository';
  const shown = pushers.slice(0, 8);
  return `anyone with write access (${shown.join(', ')}${pushers.length > shown.length ? ` and ${pushers.length - shown.length} more` : ''})`;
}

interface Route {
  ok: boolean;
  problems: DoctorProblem[];
  detail?: string;
}

/** Writes restricted by rulesets whose bypass lists hold only Apps. */
function rulesetWrites(facts: DoctorFacts): Route {
  const p = facts.ledgerBranchProtection;
  const branch = facts.ledgerBranch;
  const problems: DoctorProblem[] = [];
  const byType = (type: string) => new Set(rulesOf(p, type).map((r) => r.rulesetId));
  const update = byType('update');
  const creation = byType('creation');
  if (update.size === 0) return { ok: false, problems };
  let clean: number | undefined;
  for (const id of update) {
    const rs = facts.rulesets[id];
    if (!rs || isUnreadable(rs)) {
      problems.push(unreadableProblem(rs ?? { unreadable: true, permission: 'Metadata: read', message: 'not read' }, `ruleset ${id}`));
      continue;
    }
    if (isUnreadable(rs.bypass)) {
      problems.push(unreadableProblem(rs.bypass, `who may bypass ${rulesetName(facts, id)}`));
      continue;
    }
    const people = rs.bypass.filter((a) => a.type !== 'Integration');
    if (people.length > 0) {
      problems.push({
        message: `${rulesetName(facts, id)} restricts updates of ${code(branch)} but lets ${people.map(actorName).join(', ')} bypass it: people can push records to the ledger`,
        fix: `leave only the access-ledger App in its bypass list (${DOCS}/ledger.md#branch-protection)`,
      });
      continue;
    }
    clean ??= id;
  }
  if (clean === undefined) return { ok: false, problems };
  const appsOnly = (id: number) => {
    const rs = facts.rulesets[id];
    return rs !== undefined && !isUnreadable(rs) && !isUnreadable(rs.bypass) && rs.bypass.every((a) => a.type === 'Integration');
  };
  if (![...creation].some(appsOnly)) {
    problems.push({
      message:
        creation.size === 0
          ? `no ruleset restricts creating ${code(branch)}: if the branch is missing, anyone with write access can create it with records of their own before the App writes its first`
          : `creating ${code(branch)} is restricted only by rulesets that people may bypass (or whose bypass list cannot be read): they could create it with records of their own`,
      fix: `add Restrict creations to ${rulesetName(facts, clean)} (${DOCS}/ledger.md#branch-protection)`,
    });
    return { ok: false, problems };
  }
  return {
    ok: true,
    problems: [],
    detail: `${rulesetName(facts, clean)} lets only ${(facts.rulesets[clean] as Ruleset & { bypass: BypassActor[] }).bypass.map(actorName).join(', ') || 'nobody'} update it`,
  };
}

/** Writes restricted by classic branch protection to Apps only, admins included. */
function classicWrites(facts: DoctorFacts): Route {
  const c = facts.ledgerBranchProtection.classic;
  const branch = facts.ledgerBranch;
  if (isUnreadable(c)) return { ok: false, problems: [unreadableProblem(c, `the branch protection of ${branch}`)] };
  if (!c) return { ok: false, problems: [] };
  const problems: DoctorProblem[] = [];
  if (!c.restrictions) {
    problems.push({
      message: `branch protection of ${code(branch)} does not restrict who can push: ${who(facts.pushers)} can push records to it`,
      fix: `enable Restrict who can push with only the access-ledger App (${DOCS}/ledger.md#branch-protection)`,
    });
  } else if (c.restrictions.users.length > 0 || c.restrictions.teams.length > 0) {
    const names = [...c.restrictions.users, ...c.restrictions.teams.map((t) => `team ${t}`)];
    problems.push({
      message: `branch protection of ${code(branch)} lets ${names.join(', ')} push to it`,
      fix: 'leave only the access-ledger App in Restrict who can push',
    });
  }
  if (!c.enforceAdmins)
    problems.push({
      message: `branch protection of ${code(branch)} does not apply to administrators: they can push to it`,
      fix: 'turn on Do not allow bypassing the above settings',
    });
  return problems.length
    ? { ok: false, problems }
    : { ok: true, problems: [], detail: `branch protection lets only ${c.restrictions!.apps.join(', ') || 'no one'} push` };
}

/** Deletion and force-push blocked for everyone, the App included. */
function history(facts: DoctorFacts): Route {
  const p = facts.ledgerBranchProtection;
  const branch = facts.ledgerBranch;
  const problems: DoctorProblem[] = [];
  const open: string[] = [];
  for (const [type, what] of [
    ['deletion', 'deletion'],
    ['non_fast_forward', 'force pushes'],
  ] as const) {
    const found: DoctorProblem[] = [];
    let blocked = false;
    for (const id of new Set(rulesOf(p, type).map((r) => r.rulesetId))) {
      const rs = facts.rulesets[id];
      const bypass: Fact<BypassActor[]> = !rs
        ? { unreadable: true, permission: 'Metadata: read', message: 'it was not read' }
        : isUnreadable(rs)
          ? rs
          : rs.bypass;
      if (isUnreadable(bypass)) found.push(unreadableProblem(bypass, `who may bypass ${rulesetName(facts, id)}`));
      else if (bypass.length === 0) blocked = true;
      else {
        found.push({
          message: `${rulesetName(facts, id)} blocks ${what} of ${code(branch)} but lets ${bypass.map(actorName).join(', ')} bypass it: the history could be rewritten by whoever holds that`,
          fix: `keep ${type === 'deletion' ? 'Restrict deletions' : 'Block force pushes'} in a ruleset with an empty bypass list, apart from the one that lets the App write (${DOCS}/ledger.md#branch-protection)`,
        });
      }
    }
    if (blocked) continue;
    // Classic protection blocks it for everyone when administrators are included.
    const c = p.classic;
    if (!isUnreadable(c) && c && c.enforceAdmins && !(type === 'deletion' ? c.allowDeletions : c.allowForcePushes)) continue;
    open.push(what);
    problems.push(...found);
  }
  if (open.length === 0) return { ok: true, problems: [] };
  if (isUnreadable(p.classic)) problems.push(unreadableProblem(p.classic, `the branch protection of ${branch}`));
  if (problems.length === 0) {
    problems.push({
      message: `nothing stops ${open.join(' or ')} of ${code(branch)}: the ledger's history could be rewritten or removed`,
      fix: `a ruleset on ${code(branch)} with Restrict deletions and Block force pushes and an empty bypass list (${DOCS}/ledger.md#branch-protection)`,
    });
  }
  return { ok: false, problems };
}

function ledgerBranch(facts: DoctorFacts): { problems: DoctorProblem[]; detail?: string } {
  const branch = facts.ledgerBranch;
  const rs = rulesetWrites(facts);
  const cl = classicWrites(facts);
  const problems: DoctorProblem[] = [];
  let detail: string | undefined;
  let unprotected = false;
  if (rs.ok) detail = rs.detail;
  else if (cl.ok) detail = cl.detail;
  else {
    const known = [...rs.problems, ...cl.problems];
    const rulesUnreadable = isUnreadable(facts.ledgerBranchProtection.rules)
      ? [unreadableProblem(facts.ledgerBranchProtection.rules, `the rules of ${branch}`)]
      : [];
    if (known.length === 0 && rulesUnreadable.length === 0) {
      unprotected = true;
      problems.push({
        message: `the ledger branch ${code(branch)} is not protected: ${who(facts.pushers)} can push records to it, rewrite or delete it`,
        fix: `protect it with the two rulesets in ${DOCS}/ledger.md#branch-protection: only the App updates and creates it, and nobody deletes or force-pushes it`,
      });
    } else problems.push(...rulesUnreadable, ...known);
  }
  const h = history(facts);
  if (!h.ok && !unprotected) {
    for (const p of h.problems) if (!problems.some((x) => x.message === p.message)) problems.push(p);
  }
  return detail !== undefined ? { problems, detail } : { problems };
}

// ---- CODEOWNERS --------------------------------------------------------------------------------

function codeowners(workflows: readonly Workflow[] | undefined, facts: DoctorFacts): DoctorProblem[] {
  const c = facts.codeowners;
  const branch = facts.defaultBranch;
  if (isUnreadable(c)) return [unreadableProblem(c, 'the CODEOWNERS file')];
  const problems: DoctorProblem[] = [];
  if (!c) {
    problems.push({
      message: `there is no CODEOWNERS file on ${branch} (${CODEOWNERS_PATHS.join(', ')}): a pull request can change the policy, the systems' approver lists or the gate's workflow with any reviewer`,
      fix: `add .github/CODEOWNERS giving ${facts.configPath}, /systems/ and /.github/ to your admins team (\`access-ledger init\` writes one), and require code owner review (${DOCS}/gate.md#making-the-check-required)`,
    });
  } else {
    const rules = parseCodeowners(c.text);
    const probes: { path: string; what: string }[] = [
      { path: facts.configPath, what: facts.configPath },
      { path: 'systems/any-new-system.yaml', what: 'systems/' },
      { path: '.github/workflows/any-new-workflow.yml', what: '.github/workflows/' },
      ...(workflows ?? []).map((w) => ({ path: w.path, what: w.path })),
      { path: c.path, what: `${c.path} itself` },
    ];
    const seen = new Set<string>();
    for (const probe of probes) {
      if (seen.has(probe.path)) continue;
      seen.add(probe.path);
      const rule = ruleFor(rules, probe.path);
      if (rule && rule.owners.length > 0) continue;
      problems.push({
        file: c.path,
        ...(rule ? { line: rule.line } : {}),
        message: rule
          ? `${c.path} line ${rule.line} (${code(rule.pattern)}) leaves ${probe.what} without an owner`
          : `${c.path} gives ${probe.what} no owner: changes to it need no admin's review`,
        fix: `add a line such as ${code(`/${probe.what.replace(/ itself$/, '').replace(/^\//, '')} @your-org/security`)} after any broader pattern`,
      });
    }
    if (isUnreadable(c.errors)) problems.push({ ...unreadableProblem(c.errors, `the errors GitHub found in ${c.path}`), file: c.path });
    else
      for (const e of c.errors)
        problems.push({
          file: c.path,
          line: e.line,
          message: `GitHub ignores line ${e.line} of ${c.path}: ${e.message}`,
          fix: 'fix the line: an owner GitHub cannot resolve (a team without write access, a user without access) owns nothing',
        });
  }
  // Owners only matter when their review is required.
  const p = facts.defaultBranchProtection;
  const byRules = rulesOf(p, 'pull_request').some((r) => r.parameters?.require_code_owner_review === true);
  const byClassic = !isUnreadable(p.classic) && p.classic?.requireCodeOwnerReviews === true;
  if (!byRules && !byClassic) {
    const unread = [
      ...(isUnreadable(p.rules) ? [unreadableProblem(p.rules, `the rules of ${branch}`)] : []),
      ...(isUnreadable(p.classic) ? [unreadableProblem(p.classic, `the branch protection of ${branch}`)] : []),
    ];
    if (unread.length > 0) problems.push(...unread);
    else {
      problems.push({
        message: `code owner review is not required on ${branch}: CODEOWNERS only asks the owners to review, and a pull request can merge without them`,
        fix: `turn on Require review from Code Owners in the ruleset (or branch protection) of ${branch}`,
      });
    }
  }
  return problems;
}

// ---- the App ------------------------------------------------------------------------------------

function appInstalled(facts: DoctorFacts): { problems: DoctorProblem[]; detail?: string } {
  const a = facts.app;
  if (isUnreadable(a)) return { problems: [unreadableProblem(a, "the App's installations")] };
  if (a.via === 'installation-token') {
    if (a.coversRepo) return { problems: [], detail: 'read with an installation token that covers the repository' };
    return {
      problems: [
        {
          message: `the installation behind this token does not cover ${facts.repository}`,
          fix: "add the repository to the App's installation (organization settings → GitHub Apps → access-ledger → Configure)",
        },
      ],
    };
  }
  const inst = a.installation;
  const fixInstall = `install the ${a.slug} App on ${facts.repository} (docs/app.md)`;
  if (!inst)
    return {
      problems: [
        { message: `the ${a.slug} App is not installed where this token can see it: merges are not recorded and no issue is opened`, fix: fixInstall },
      ],
    };
  const problems: DoctorProblem[] = [];
  if (inst.suspended)
    problems.push({
      message: `the ${a.slug} App's installation ${inst.id} is suspended: it receives no events and cannot act`,
      fix: 'unsuspend it in the organization settings → GitHub Apps',
    });
  if (inst.coversRepo === false)
    problems.push({ message: `the ${a.slug} App is installed on selected repositories that do not include ${facts.repository}`, fix: fixInstall });
  if (inst.coversRepo === undefined)
    problems.push({
      message: `cannot tell whether the ${a.slug} App's installation covers ${facts.repository}`,
      fix: "run the doctor with a token of someone who can see the installation's repositories",
      permission: "a token that can list the installation's repositories",
    });
  const order = { read: 1, write: 2, admin: 3 } as Record<string, number>;
  const missing = Object.entries(LEDGER_APP_PERMISSIONS).filter(([k, v]) => (order[inst.permissions[k] ?? ''] ?? 0) < order[v]!);
  if (missing.length > 0) {
    problems.push({
      message: `the ${a.slug} App's installation lacks ${missing.map(([k, v]) => `${k}: ${v}`).join(', ')}, which app.yml asks for: the App cannot do all its work`,
      fix: "accept the App's new permissions (organization settings → GitHub Apps → access-ledger → Review request), or add them in the App's settings first",
    });
  }
  const events = LEDGER_APP_EVENTS.filter((e) => !inst.events.includes(e));
  if (events.length > 0)
    problems.push({
      message: `the ${a.slug} App does not receive ${events.join(', ')} events: merges or leavers go unrecorded until the next sweep`,
      fix: "subscribe the App to the events in app.yml (the App's settings → Permissions & events)",
    });
  return problems.length
    ? { problems }
    : { problems, detail: `installation ${inst.id} (${inst.repositorySelection === 'all' ? 'all repositories' : 'selected repositories'})` };
}

// ---- all together ----------------------------------------------------------------------------------

/** The names a gate reports under on the head commit: its status contexts, and the checks of jobs on pull_request or pull_request_review. */
function gateNames(workflows: readonly Workflow[]): string[] {
  return workflows.flatMap((wf) =>
    wf.triggers.some((t) => PR_EVENTS.has(t))
      ? wf.jobs.flatMap((j) =>
          j.steps.filter(isGateStep).flatMap((st) => {
            const r = gateReport(wf, j, st);
            return [...(r.context ? [r.context] : []), ...(r.headEvents.length > 0 ? [r.checkName] : [])];
          }),
        )
      : [],
  );
}

/** Runs every check on the facts. */
export function runChecks(facts: DoctorFacts, options: DoctorOptions = {}): DoctorReport {
  const workflows = isUnreadable(facts.workflows) ? undefined : parseWorkflows(facts.workflows);
  const unreadWorkflows = isUnreadable(facts.workflows) ? [unreadableProblem(facts.workflows, 'the workflow files')] : [];
  const broken: DoctorProblem[] = (workflows ?? []).flatMap((w) =>
    w.error
      ? [
          {
            file: w.path,
            line: w.error.line,
            message: `${w.path} is not a workflow the doctor can read (${w.error.message}): its jobs are not checked`,
            fix: 'fix the file (GitHub refuses it too), or delete it',
          },
        ]
      : [],
  );
  const checks: CheckResult[] = [];
  checks.push(result('workflow-secrets', workflows ? [...broken, ...workflowSecrets(workflows, facts, options)] : unreadWorkflows));
  checks.push(result('workflow-head-checkout', workflows ? headCheckout(workflows) : unreadWorkflows));
  checks.push(
    result(
      'workflow-token',
      workflowToken(facts),
      isUnreadable(facts.workflowToken) ? undefined : 'read-only by default; workflows cannot approve pull requests',
    ),
  );
  const gate = workflows || options.gateCheck ? gateRequired(workflows, facts, options) : unreadWorkflows;
  const required = requiredContexts(facts.defaultBranchProtection, facts);
  const gateName = [...required.keys()].find((n) => n === options.gateCheck || gateNames(workflows ?? []).includes(n));
  checks.push(result('gate-required', gate, gateName ? gateDetail(gateName, facts, options) : undefined));
  const ledger = ledgerBranch(facts);
  checks.push(result('ledger-branch', ledger.problems, ledger.detail));
  checks.push(result('codeowners', codeowners(workflows, facts), !isUnreadable(facts.codeowners) && facts.codeowners ? `${facts.codeowners.path}` : undefined));
  checks.push(
    result(
      'issues-enabled',
      facts.hasIssues
        ? []
        : [
            {
              message: `Issues are turned off in ${facts.repository}: the App cannot open stale-grant, leaver or unapproved-merge issues, so problems go unseen`,
              fix: 'Settings → General → Features → Issues',
            },
          ],
    ),
  );
  const app = appInstalled(facts);
  checks.push(result('app-installed', app.problems, app.detail));
  return {
    repository: facts.repository,
    defaultBranch: facts.defaultBranch,
    ledgerBranch: facts.ledgerBranch,
    ok: checks.every((c) => c.status === 'pass' || c.status === 'warn'),
    checks,
  };
}

/** The ids of rulesets whose bypass lists the checks need (the adapter reads these). */
export function rulesetsToRead(facts: Pick<DoctorFacts, 'ledgerBranchProtection'>): number[] {
  const rules = facts.ledgerBranchProtection.rules;
  if (isUnreadable(rules)) return [];
  return [...new Set(rules.filter((r) => ['update', 'creation', 'deletion', 'non_fast_forward'].includes(r.type)).map((r) => r.rulesetId))].sort(
    (a, b) => a - b,
  );
}
