/**
 * Reads what the doctor judges from the GitHub API: the repository, its config, its workflow
 * files (as text, through the contents API), the environments of jobs that hold keys, CODEOWNERS
 * and the errors GitHub finds in it, the rules, rulesets and classic protection of the default
 * and ledger branches, who can push, and the App's installation. The judging is the pure core's
 * (src/core/doctor/).
 *
 * A read GitHub refuses (403 on one endpoint, e.g. branch protection without Administration:
 * read) becomes an `Unreadable` fact naming the permission, so its check fails closed; a rate
 * limit, a server error or an unreachable GitHub stops the run with a message (exit 2).
 */
import { buildSnapshot, CONFIG_PATHS } from '../../core/model/snapshot.ts';
import { DEFAULT_LEDGER_BRANCH } from '../../core/ledger/record.ts';
import {
  CODEOWNERS_PATHS,
  environmentsToRead,
  parseWorkflows,
  rulesetsToRead,
  runChecks,
  type AppFacts,
  type AppInstallation,
  type BranchProtection,
  type BranchRule,
  type ClassicProtection,
  type CodeownersFacts,
  type DoctorFacts,
  type DoctorOptions,
  type DoctorReport,
  type EnvironmentFacts,
  type Fact,
  type RequiredCheck,
  type Ruleset,
  type Unreadable,
  type WorkflowFile,
  type WorkflowTokenFacts,
} from '../../core/doctor/index.ts';
import { GitHubApiError, errorStatus, githubMessage } from './errors.ts';
import { gitHubPort, type GitHubPort } from './port.ts';
import type { RepoRef, SweepOctokit } from './issues.ts';

export interface DoctorReadOptions extends DoctorOptions {
  /** The ledger App's slug, to find its installation with a person's token (default: from the config's `ledger.app_login`, else `access-ledger`). */
  appSlug?: string;
  /** The token is the ledger App's own installation token (the App's sweep): it is installed on what it can read. */
  asApp?: boolean;
}

export interface DoctorRun {
  facts: DoctorFacts;
  /** The options the checks ran with: the given ones, and the gate App's id from the config when none was given. */
  options: DoctorOptions;
  report: DoctorReport;
  /** The config's `admins` (the sweep's issue copies them). */
  admins: string[];
  /** The config's `stale.labels`. */
  labels: string[] | undefined;
}

type Got<T> = { ok: true; data: T } | { ok: false; missing: true } | { ok: false; missing: false; refused: string };

class Reader {
  private readonly port: GitHubPort;
  private readonly repo: RepoRef;

  constructor(octokit: SweepOctokit, repo: RepoRef) {
    this.port = gitHubPort(octokit);
    this.repo = repo;
  }

  get name(): string {
    return `${this.repo.owner}/${this.repo.repo}`;
  }

  /** One GET: the data, or that GitHub has none (404), or refused it (403 other than a rate limit). Anything else throws, bad credentials (401) included. */
  async get<T>(route: string, params: Record<string, unknown>, what: string, permission: string): Promise<Got<T>> {
    return this.answer(() => this.port.call<T>(route, params, { action: `reading ${what}`, permission, repo: this.repo }));
  }

  /**
   * Every page of a list (GitHub's `{ total_count, <key>: [...] }` answers are unwrapped by the
   * port's pagination); stops with a refusal or a 404 as `get` does, and fails closed past `maxPages`.
   */
  async list<T>(route: string, params: Record<string, unknown>, what: string, permission: string, maxPages = 20): Promise<Got<T[]>> {
    return this.answer(() =>
      this.port.paginate<T>(
        route,
        params,
        { action: `reading ${what}`, permission, repo: this.repo },
        { maxPages, narrow: `The doctor does not judge ${what} of ${this.name} from part of the list.` },
      ),
    );
  }

  /** A 404 is "none", a 403 that is not a rate limit is a refusal the checks report; any other failure stands. */
  private async answer<T>(read: () => Promise<T>): Promise<Got<T>> {
    try {
      return { ok: true, data: await read() };
    } catch (err) {
      const status = errorStatus(err);
      if (status === 404) return { ok: false, missing: true };
      const original = err instanceof GitHubApiError ? err.cause : err;
      if (status === 403 && !/rate limit/i.test(err instanceof Error ? err.message : ''))
        return { ok: false, missing: false, refused: githubMessage(original) };
      throw err;
    }
  }
}

function unreadable(permission: string, message: string): Unreadable {
  return { unreadable: true, permission, message };
}

function refusedAs(got: { refused: string }, permission: string, what: string): Unreadable {
  return unreadable(permission, `GitHub refused to show ${what} (${got.refused})`);
}

interface ContentFile {
  type: string;
  path: string;
  name: string;
  content?: string;
  encoding?: string;
}

function decode(file: ContentFile): string {
  return Buffer.from(file.content ?? '', file.encoding === 'base64' ? 'base64' : 'utf8').toString('utf8');
}

async function readWorkflows(r: Reader, ref: string): Promise<Fact<WorkflowFile[]>> {
  const dir = await r.get<ContentFile[] | ContentFile>(
    'GET /repos/{owner}/{repo}/contents/{path}',
    { path: '.github/workflows', ref },
    'the workflow folder',
    'Contents: read',
  );
  if (!dir.ok) return dir.missing ? [] : refusedAs(dir, 'Contents: read', 'the workflow files');
  if (!Array.isArray(dir.data)) return [];
  const files: WorkflowFile[] = [];
  for (const entry of dir.data.filter((e) => e.type === 'file' && /\.ya?ml$/.test(e.name)).sort((a, b) => a.path.localeCompare(b.path))) {
    const got = await r.get<ContentFile>('GET /repos/{owner}/{repo}/contents/{path}', { path: entry.path, ref }, entry.path, 'Contents: read');
    if (!got.ok)
      return got.missing ? unreadable('Contents: read', `${entry.path} was listed but could not be read`) : refusedAs(got, 'Contents: read', entry.path);
    files.push({ path: entry.path, text: decode(got.data) });
  }
  return files;
}

interface EnvironmentData {
  deployment_branch_policy: { protected_branches: boolean; custom_branch_policies: boolean } | null;
}

async function readEnvironment(r: Reader, name: string): Promise<Fact<EnvironmentFacts>> {
  const what = `the environment ${name}`;
  const got = await r.get<EnvironmentData>('GET /repos/{owner}/{repo}/environments/{environment_name}', { environment_name: name }, what, 'Environments: read');
  if (!got.ok) return got.missing ? { exists: false, policy: null, branchPolicies: [] } : refusedAs(got, 'Environments: read', what);
  const p = got.data.deployment_branch_policy;
  const env: EnvironmentFacts = {
    exists: true,
    policy: p ? { protectedBranches: p.protected_branches, customBranchPolicies: p.custom_branch_policies } : null,
    branchPolicies: [],
  };
  if (p?.custom_branch_policies) {
    const policies = await r.list<{ name: string; type?: string }>(
      'GET /repos/{owner}/{repo}/environments/{environment_name}/deployment-branch-policies',
      { environment_name: name },
      `the deployment branches of ${name}`,
      'Environments: read',
    );
    if (!policies.ok) return policies.missing ? env : refusedAs(policies, 'Environments: read', `the deployment branches of ${name}`);
    env.branchPolicies = policies.data.map((x) => ({ name: x.name, type: x.type ?? 'branch' }));
  }
  return env;
}

async function readCodeowners(r: Reader, ref: string): Promise<Fact<CodeownersFacts | null>> {
  for (const path of CODEOWNERS_PATHS) {
    const got = await r.get<ContentFile>('GET /repos/{owner}/{repo}/contents/{path}', { path, ref }, path, 'Contents: read');
    if (!got.ok) {
      if (got.missing) continue;
      return refusedAs(got, 'Contents: read', path);
    }
    if (Array.isArray(got.data) || got.data.type !== 'file') continue;
    const errors = await r.get<{ errors: { line: number; message: string; kind?: string }[] }>(
      'GET /repos/{owner}/{repo}/codeowners/errors',
      { ref },
      `the errors in ${path}`,
      'Contents: read',
    );
    const facts: CodeownersFacts = {
      path,
      text: decode(got.data),
      errors: errors.ok
        ? errors.data.errors.map((e) => ({ line: e.line, message: (e.message.split('\n')[0] || e.kind || 'error').replace(/^(.*?) on line \d+: /, '$1: ') }))
        : errors.missing
          ? []
          : refusedAs(errors, 'Contents: read', `the errors in ${path}`),
    };
    return facts;
  }
  return null;
}

interface RuleData {
  type: string;
  parameters?: Record<string, unknown>;
  ruleset_id?: number;
  ruleset_source_type?: string;
}

interface ProtectionData {
  required_status_checks?: { contexts?: string[]; checks?: { context: string; app_id?: number | null }[] };
  required_pull_request_reviews?: { require_code_owner_reviews?: boolean };
  restrictions?: { users?: { login: string }[]; teams?: { slug: string }[]; apps?: { slug: string }[] } | null;
  enforce_admins?: { enabled?: boolean };
  allow_force_pushes?: { enabled?: boolean };
  allow_deletions?: { enabled?: boolean };
}

const ADMIN_READ = "Administration: read (an App), or a repository admin's token";

/** Classic protection's required checks with their sources (`checks[].app_id`); a context listed only in `contexts` accepts any source. */
function requiredChecksOf(r: ProtectionData['required_status_checks']): RequiredCheck[] {
  const out: RequiredCheck[] = (r?.checks ?? []).map((x) => ({ context: x.context, appId: typeof x.app_id === 'number' ? x.app_id : null }));
  for (const context of r?.contexts ?? []) if (!out.some((x) => x.context === context)) out.push({ context, appId: null });
  return out;
}

async function readWorkflowToken(r: Reader): Promise<Fact<WorkflowTokenFacts>> {
  const what = "the default permissions of the workflows' GITHUB_TOKEN";
  const got = await r.get<{ default_workflow_permissions: string; can_approve_pull_request_reviews: boolean }>(
    'GET /repos/{owner}/{repo}/actions/permissions/workflow',
    {},
    what,
    ADMIN_READ,
  );
  if (!got.ok) return got.missing ? unreadable(ADMIN_READ, `GitHub did not show ${what} (404)`) : refusedAs(got, ADMIN_READ, what);
  return { defaultPermissions: got.data.default_workflow_permissions, canApprovePullRequests: got.data.can_approve_pull_request_reviews === true };
}

async function readProtection(r: Reader, branch: string): Promise<BranchProtection> {
  const [rules, classic] = await Promise.all([
    r.list<RuleData>('GET /repos/{owner}/{repo}/rules/branches/{branch}', { branch }, `the rules of ${branch}`, 'Metadata: read'),
    r.get<ProtectionData>('GET /repos/{owner}/{repo}/branches/{branch}/protection', { branch }, `the branch protection of ${branch}`, 'Administration: read'),
  ]);
  const out: BranchProtection = {
    rules: rules.ok
      ? rules.data.map(
          (x): BranchRule => ({
            type: x.type,
            rulesetId: x.ruleset_id ?? 0,
            ...(x.parameters ? { parameters: x.parameters } : {}),
            ...(x.ruleset_source_type ? { source: x.ruleset_source_type } : {}),
          }),
        )
      : rules.missing
        ? []
        : refusedAs(rules, 'Metadata: read', `the rules of ${branch}`),
    classic: null,
  };
  if (classic.ok) {
    const p = classic.data;
    const c: ClassicProtection = {
      requiredChecks: requiredChecksOf(p.required_status_checks),
      requireCodeOwnerReviews: p.required_pull_request_reviews?.require_code_owner_reviews === true,
      restrictions: p.restrictions
        ? {
            users: (p.restrictions.users ?? []).map((u) => u.login),
            teams: (p.restrictions.teams ?? []).map((t) => t.slug),
            apps: (p.restrictions.apps ?? []).map((a) => a.slug),
          }
        : null,
      enforceAdmins: p.enforce_admins?.enabled === true,
      allowForcePushes: p.allow_force_pushes?.enabled === true,
      allowDeletions: p.allow_deletions?.enabled === true,
    };
    out.classic = c;
  } else if (!classic.missing) out.classic = refusedAs(classic, ADMIN_READ, `the branch protection of ${branch}`);
  return out;
}

interface RulesetData {
  id: number;
  name: string;
  bypass_actors?: { actor_id: number | null; actor_type: string; bypass_mode?: string }[];
}

async function readRuleset(r: Reader, id: number): Promise<Fact<Ruleset>> {
  const got = await r.get<RulesetData>(
    'GET /repos/{owner}/{repo}/rulesets/{ruleset_id}',
    { ruleset_id: id, includes_parents: true },
    `ruleset ${id}`,
    'Metadata: read',
  );
  if (!got.ok)
    return got.missing
      ? unreadable('Metadata: read', `ruleset ${id} was listed among the branch's rules but GitHub could not find it`)
      : refusedAs(got, 'Metadata: read', `ruleset ${id}`);
  const d = got.data;
  return {
    id: d.id,
    name: d.name,
    bypass: d.bypass_actors
      ? d.bypass_actors.map((a) => ({ type: a.actor_type, id: a.actor_id ?? null, ...(a.bypass_mode ? { mode: a.bypass_mode } : {}) }))
      : unreadable(ADMIN_READ, "GitHub shows a ruleset's bypass list only to callers who can edit it"),
  };
}

interface InstallationData {
  id: number;
  app_id: number;
  app_slug: string;
  repository_selection: 'all' | 'selected';
  permissions: Record<string, string>;
  events: string[];
  suspended_at: string | null;
  account?: { login: string };
}

async function readApp(r: Reader, slug: string): Promise<AppFacts> {
  // Only an installation token may list the installation's repositories. It read the repository
  // above, so the installation behind it covers the repository.
  const self = await r.get<{ total_count: number }>('GET /installation/repositories', { per_page: 1 }, "the token's installation", 'Metadata: read');
  if (self.ok) return { via: 'installation-token', coversRepo: true };
  const fix = "the App's installation token, or a person's token that can list their App installations (`gh auth token`, or a classic token)";
  const mine = await r.list<InstallationData>('GET /user/installations', {}, 'the App installations this token can see', fix);
  if (!mine.ok) return mine.missing ? unreadable(fix, 'GitHub has no installations to show this token') : refusedAs(mine, fix, "the App's installations");
  const repoName = r.name.toLowerCase();
  const owner = repoName.split('/')[0];
  const seen: AppInstallation[] = [];
  for (const i of mine.data.filter((x) => x.app_slug === slug)) {
    const inst: AppInstallation = {
      id: i.id,
      slug: i.app_slug,
      appId: i.app_id,
      suspended: i.suspended_at !== null,
      repositorySelection: i.repository_selection,
      coversRepo: undefined,
      permissions: i.permissions ?? {},
      events: i.events ?? [],
    };
    if (i.repository_selection === 'all' && i.account?.login.toLowerCase() === owner) inst.coversRepo = true;
    else {
      const repos = await r.list<{ full_name: string }>(
        'GET /user/installations/{installation_id}/repositories',
        { installation_id: i.id },
        `the repositories of installation ${i.id}`,
        fix,
      );
      if (repos.ok) inst.coversRepo = repos.data.some((x) => x.full_name.toLowerCase() === repoName);
    }
    if (inst.coversRepo === true) return { via: 'user-token', slug, installation: inst };
    seen.push(inst);
  }
  // None covers the repository: report the one that cannot be told apart, else the first seen.
  return { via: 'user-token', slug, installation: seen.find((i) => i.coversRepo === undefined) ?? seen[0] ?? null };
}

/** Reads every fact the doctor's checks need. Throws on a runtime error (the repository cannot be read, GitHub is down). */
export async function readDoctorFacts(
  octokit: SweepOctokit,
  repo: RepoRef,
  options: DoctorReadOptions = {},
): Promise<{ facts: DoctorFacts; admins: string[]; labels: string[] | undefined; gateAppId: number | undefined }> {
  const r = new Reader(octokit, repo);
  const info = await r.get<{ default_branch: string; has_issues: boolean }>('GET /repos/{owner}/{repo}', {}, 'the repository', 'Metadata: read');
  if (!info.ok) {
    throw new Error(
      info.missing
        ? `${r.name} does not exist or the token cannot see it: check --repo, and that the token (or the App's installation) covers the repository`
        : `GitHub refused to show ${r.name} (${info.refused}): use a token that can read the repository`,
    );
  }
  const branch = info.data.default_branch;
  let configPath: string | undefined;
  let config: ReturnType<typeof buildSnapshot>['config'];
  for (const path of CONFIG_PATHS) {
    const got = await r.get<ContentFile>('GET /repos/{owner}/{repo}/contents/{path}', { path, ref: branch }, path, 'Contents: read');
    if (!got.ok) {
      if (got.missing) continue;
      throw new Error(`GitHub refused to show ${path} of ${r.name} (${got.refused}): the doctor needs Contents: read`);
    }
    configPath = path;
    config = buildSnapshot([{ path, content: decode(got.data) }]).config;
    break;
  }
  if (!configPath)
    throw new Error(`${r.name} has no access-ledger.yaml on ${branch}: the doctor checks an access repo (create one with \`access-ledger init\`)`);
  const ledgerBranch = config?.data?.ledger?.branch ?? DEFAULT_LEDGER_BRANCH;

  const [workflows, codeowners, defaultBranchProtection, ledgerBranchProtection, pushers, app, workflowToken] = await Promise.all([
    readWorkflows(r, branch),
    readCodeowners(r, branch),
    readProtection(r, branch),
    readProtection(r, ledgerBranch),
    r.list<{ login: string }>('GET /repos/{owner}/{repo}/collaborators', { permission: 'push', affiliation: 'all' }, 'who can push', 'Metadata: read'),
    options.asApp
      ? Promise.resolve<AppFacts>({ via: 'installation-token', coversRepo: true })
      : readApp(r, options.appSlug ?? appSlugOf(config?.data?.ledger?.app_login) ?? 'access-ledger'),
    readWorkflowToken(r),
  ]);

  const environments: Record<string, Fact<EnvironmentFacts>> = {};
  if (Array.isArray(workflows)) {
    for (const name of environmentsToRead(parseWorkflows(workflows), options)) environments[name] = await readEnvironment(r, name);
  }
  const rulesets: Record<number, Fact<Ruleset>> = {};
  const ids = new Set(rulesetsToRead({ ledgerBranchProtection }));
  if (Array.isArray(defaultBranchProtection.rules)) for (const rule of defaultBranchProtection.rules) ids.add(rule.rulesetId);
  for (const id of [...ids].filter((x) => x > 0).sort((a, b) => a - b)) rulesets[id] = await readRuleset(r, id);

  const facts: DoctorFacts = {
    repository: r.name,
    defaultBranch: branch,
    hasIssues: info.data.has_issues,
    configPath,
    ledgerBranch,
    workflows,
    environments,
    codeowners,
    defaultBranchProtection,
    ledgerBranchProtection,
    rulesets,
    pushers: pushers.ok ? pushers.data.map((p) => p.login) : pushers.missing ? [] : refusedAs(pushers, 'Metadata: read', 'who can push'),
    app,
    workflowToken,
  };
  return { facts, admins: config?.data?.admins ?? [], labels: config?.data?.stale?.labels, gateAppId: gateAppIdOf(config?.data?.gate) };
}

/** The ledger App's slug from the config's `ledger.app_login` (`<slug>[bot]`), when it is one. */
function appSlugOf(login: unknown): string | undefined {
  const m = typeof login === 'string' ? /^([a-z0-9][a-z0-9-]*)\[bot\]$/.exec(login) : null;
  return m?.[1];
}

/** The config's `gate.app_id` when it is an App ID (a config with another value fails \`validate\`, and the doctor then knows no gate App). */
function gateAppIdOf(gate: unknown): number | undefined {
  const id = typeof gate === 'object' && gate !== null ? (gate as { app_id?: unknown }).app_id : undefined;
  return typeof id === 'number' && Number.isInteger(id) && id > 0 ? id : undefined;
}

/** Reads the facts and runs the checks; the gate App's id is the option's, else the config's `gate.app_id`. */
export async function runDoctor(octokit: SweepOctokit, repo: RepoRef, options: DoctorReadOptions = {}): Promise<DoctorRun> {
  const { facts, admins, labels, gateAppId } = await readDoctorFacts(octokit, repo, options);
  const checks: DoctorOptions = { ...options, ...(options.gateAppId === undefined && gateAppId !== undefined ? { gateAppId } : {}) };
  return { facts, options: checks, report: runChecks(facts, checks), admins, labels };
}
