/**
 * A job of a workflow in an access repo on the fake GitHub, run as GitHub Actions would run it, for
 * the steps the scaffolded workflows use:
 *
 * - the workflow file is read from the default branch, and must start on the event;
 * - the job's `environment` must exist on the fake and admit the run's branch (its deployment
 *   branches), and gives the job the variables and secrets the docs said to put in it; a job
 *   without one gets none (the docs put no secret in the repository or the organization);
 * - `${{ vars.X }}`, `${{ secrets.X }}`, `${{ steps.ID.outputs.NAME }}`, `${{ github.token }}`
 *   and `${{ github.repository }}` are resolved; any other expression fails the run, so a workflow
 *   that grows one gets a runner that understands it before it is trusted;
 * - `actions/create-github-app-token` mints an installation token of the App whose Client ID and
 *   private key it is given, narrowed by its `permission-*` inputs; `actions/setup-node` checks it
 *   is asked for Node 24 (the runner's own); `actions/checkout` clones the default branch;
 *   `access-ledger/access-ledger` runs the bundled gate as a runner runs a node24 action;
 *   `github/codeql-action/upload-sarif` checks the file is SARIF code scanning accepts, under the
 *   category it is given; `run:` steps run in `bash -e -o pipefail` with the runner's environment.
 *
 * Runs happen in a workspace under the folder where the package is installed, so `npx --yes
 * access-ledger@<version>` finds the installed package (on GitHub it downloads that same release).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { FakeGitHub } from '../fake-github/index.ts';
import { cloneFromFake } from '../e2e/clone.ts';
import { githubIngestionProblems, sarifSchemaValidator } from '../sarif.ts';
import { runAction } from '../../action/runner.ts';
import { PINS } from '../../../src/cli/pins.ts';

export interface EnvironmentSettings {
  vars: Record<string, string>;
  secrets: Record<string, string>;
}

/** A registered App, as the docs had it registered: its Client ID and private key, and its installation on the repository. */
export interface RegisteredApp {
  name: string;
  clientId: string;
  privateKeyPem: string;
  installationId: number;
}

export interface RunnerSetup {
  gh: FakeGitHub;
  repo: string;
  /** The environments as the docs said to create them: name → variables and secrets. */
  environments: Record<string, EnvironmentSettings>;
  apps: RegisteredApp[];
  /** Where workspaces are made. */
  root: string;
  /** The runner's environment for `run:` steps (PATH, the npm cache, …). */
  baseEnv: NodeJS.ProcessEnv;
}

export interface StepRecord {
  uses?: string;
  run?: string;
  skipped: boolean;
  code: number | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
}

export interface JobRun {
  conclusion: 'success' | 'failure';
  workspace: string;
  steps: StepRecord[];
  /** `upload-sarif` steps: the file and category uploaded. */
  uploads: { file: string; category: string }[];
}

interface RawStep {
  id?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
  env?: Record<string, unknown>;
}

interface RawJob {
  if?: string;
  environment?: string | { name: string };
  permissions?: Record<string, string> | string;
  steps: RawStep[];
}

const PERMISSION_INPUT = /^permission-(.+)$/;
let runCounter = 0;

function pinOf(uses: string): { action: string; ref: string } {
  const at = uses.lastIndexOf('@');
  return { action: uses.slice(0, at), ref: uses.slice(at + 1).replace(/\s*#.*$/, '') };
}

/** The pinned commit of each action the scaffold uses: a workflow running anything else fails here. */
function checkPinned(uses: string): string {
  const { action, ref } = pinOf(uses);
  const pin = Object.values(PINS).find((p) => p.action === action);
  if (!pin) throw new Error(`the runner does not know the action ${action}`);
  if (ref !== pin.sha) throw new Error(`${action} is pinned to ${ref}, not the commit ${pin.sha} of ${pin.version}`);
  return action;
}

export async function runJob(
  setup: RunnerSetup,
  opts: { workflow: string; event: string; payload: Record<string, unknown>; job?: string; ref?: string },
): Promise<JobRun> {
  const { gh, repo } = setup;
  const defaultBranch = gh.state.repo(repo).defaultBranch;
  const text = gh.state.readFile(repo, defaultBranch, opts.workflow);
  if (text === undefined) throw new Error(`${opts.workflow} is not on ${defaultBranch}`);
  const doc = parseYaml(text) as { on: Record<string, unknown>; permissions?: unknown; jobs: Record<string, RawJob> };
  if (!(opts.event in doc.on)) throw new Error(`${opts.workflow} does not start on ${opts.event} (it starts on ${Object.keys(doc.on).join(', ')})`);
  const jobs = Object.entries(doc.jobs);
  const [jobId, job] = opts.job
    ? [opts.job, doc.jobs[opts.job]!]
    : jobs.length === 1
      ? jobs[0]!
      : (() => {
          throw new Error(`${opts.workflow} has ${jobs.length} jobs: name one`);
        })();
  // Scheduled, dispatched, pull_request_target and workflow_run runs run on the default branch.
  const ref = opts.ref ?? defaultBranch;

  const github = { event_name: opts.event, event: opts.payload, repository: repo };
  if (job.if !== undefined && !evaluateJobIf(job.if, github)) throw new Error(`the job ${jobId} does not run on ${opts.event}: if: ${job.if}`);

  let settings: EnvironmentSettings = { vars: {}, secrets: {} };
  const envName = typeof job.environment === 'string' ? job.environment : job.environment?.name;
  if (envName) {
    const env = gh.state.repo(repo).environments.get(envName.toLowerCase());
    if (!env) throw new Error(`the environment ${envName} does not exist: GitHub would create it with no branch limit, and with none of the docs' secrets`);
    const admitted = env.policy === null || (env.policy.customBranchPolicies && env.branchPolicies.some((p) => p.type === 'branch' && p.name === ref));
    if (!admitted) throw new Error(`the environment ${envName} does not admit the branch ${ref}`);
    const configured = setup.environments[envName];
    if (!configured) throw new Error(`the docs did not say what goes into the environment ${envName}`);
    settings = configured;
  }
  const permissions = (job.permissions ?? doc.permissions ?? {}) as Record<string, string>;
  const jobToken = gh.createWorkflowToken(repo, Object.fromEntries(Object.entries(permissions).map(([k, v]) => [k.replace(/-/g, '_'), v])));

  const workspace = join(setup.root, `run-${++runCounter}-${jobId}`);
  mkdirSync(workspace, { recursive: true });
  const steps: StepRecord[] = [];
  const outputs: Record<string, Record<string, string>> = {};
  const uploads: JobRun['uploads'] = [];
  let failed = false;

  const resolve = (value: unknown): string =>
    String(value ?? '').replace(/\$\{\{\s*([^}]+?)\s*\}\}/g, (_m, expr: string) => {
      let m: RegExpExecArray | null;
      if ((m = /^vars\.([A-Za-z0-9_]+)$/.exec(expr))) return required(settings.vars, m[1]!, 'variable', envName);
      if ((m = /^secrets\.([A-Za-z0-9_]+)$/.exec(expr))) return required(settings.secrets, m[1]!, 'secret', envName);
      if ((m = /^steps\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_-]+)$/.exec(expr))) {
        const v = outputs[m[1]!]?.[m[2]!];
        if (v === undefined) throw new Error(`no output ${m[2]} of the step ${m[1]}`);
        return v;
      }
      if (expr === 'github.token') return jobToken;
      if (expr === 'github.repository') return repo;
      throw new Error(`the runner does not evaluate \${{ ${expr} }}`);
    });

  for (const raw of job.steps) {
    const record: StepRecord = {
      skipped: false,
      code: 0,
      stdout: '',
      stderr: '',
      outputs: {},
      ...(raw.uses ? { uses: raw.uses } : {}),
      ...(raw.run ? { run: raw.run } : {}),
    };
    steps.push(record);
    const runs = raw.if === undefined ? !failed : evaluateStepIf(raw.if, workspace);
    if (!runs) {
      record.skipped = true;
      continue;
    }
    const inputs = Object.fromEntries(Object.entries(raw.with ?? {}).map(([k, v]) => [k, resolve(v)]));
    const stepEnv = Object.fromEntries(Object.entries(raw.env ?? {}).map(([k, v]) => [k, resolve(v)]));
    try {
      if (raw.uses) {
        const action = checkPinned(raw.uses);
        if (action === 'actions/create-github-app-token') {
          const app = setup.apps.find((a) => a.clientId === inputs['client-id']);
          if (!app) throw new Error(`no App has the Client ID ${JSON.stringify(inputs['client-id'])}`);
          if (inputs['private-key']?.trim() !== app.privateKeyPem.trim()) throw new Error(`the private key given is not ${app.name}'s`);
          const scopes = Object.entries(inputs)
            .filter(([k]) => PERMISSION_INPUT.test(k))
            .map(([k, v]) => [PERMISSION_INPUT.exec(k)![1]!.replace(/-/g, '_'), v] as const);
          record.outputs.token = gh.createInstallationToken(app.installationId, scopes.length ? Object.fromEntries(scopes) : undefined);
        } else if (action === 'actions/setup-node') {
          if (inputs['node-version'] !== '24') throw new Error(`setup-node asks for Node ${inputs['node-version']}, not 24`);
        } else if (action === 'actions/checkout') {
          if (inputs['persist-credentials'] !== 'false') throw new Error('checkout keeps the token in the clone (persist-credentials)');
          cloneFromFake(gh, repo, workspace);
        } else if (action === 'access-ledger/access-ledger') {
          const r = await runAction({
            event: opts.event,
            payload: opts.payload,
            repository: repo,
            apiUrl: gh.url,
            graphqlUrl: gh.graphqlUrl,
            githubToken: jobToken,
            inputs,
          });
          Object.assign(record, { code: r.code, stdout: r.stdout, stderr: r.stderr, outputs: r.outputs });
        } else if (action === 'github/codeql-action/upload-sarif') {
          uploads.push(checkSarifUpload(workspace, inputs));
        }
      } else if (raw.run) {
        const r = await bash(raw.run, workspace, { ...setup.baseEnv, ...runnerEnv(setup, workspace, opts.event, ref), ...stepEnv });
        Object.assign(record, r);
      }
    } catch (err) {
      record.code = 1;
      record.stderr += `${(err as Error).message}\n`;
    }
    if (raw.id) outputs[raw.id] = record.outputs;
    if (record.code !== 0) failed = true;
  }
  return { conclusion: failed ? 'failure' : 'success', workspace, steps, uploads };
}

function required(map: Record<string, string>, name: string, kind: string, env: string | undefined): string {
  const v = map[name];
  if (v === undefined) throw new Error(`the ${kind} ${name} is not set${env ? ` in the environment ${env}` : ' (the job has no environment)'}`);
  return v;
}

/** The gate job's condition, the only job-level `if` the scaffold writes. */
function evaluateJobIf(expr: string, github: { event_name: string; event: Record<string, unknown> }): boolean {
  if (expr === "github.event_name != 'workflow_run' || github.event.workflow_run.event == 'merge_group'") {
    return github.event_name !== 'workflow_run' || (github.event.workflow_run as { event?: string } | undefined)?.event === 'merge_group';
  }
  throw new Error(`the runner does not evaluate the job condition ${expr}`);
}

/** The upload step's condition: after any step but a cancelled run, when the file is there. */
function evaluateStepIf(expr: string, workspace: string): boolean {
  const m = /^\$\{\{\s*!cancelled\(\) && hashFiles\('([^']+)'\) != ''\s*\}\}$/.exec(expr.trim());
  if (m) return existsSync(join(workspace, m[1]!));
  throw new Error(`the runner does not evaluate the step condition ${expr}`);
}

function checkSarifUpload(workspace: string, inputs: Record<string, string>): { file: string; category: string } {
  const file = join(workspace, inputs.sarif_file ?? '');
  if (!inputs.sarif_file || !existsSync(file)) throw new Error(`upload-sarif: no file ${inputs.sarif_file}`);
  const text = readFileSync(file, 'utf8');
  const sarif = JSON.parse(text) as { runs: { automationDetails?: { id?: string } }[] };
  const validate = sarifSchemaValidator();
  if (!validate(sarif)) throw new Error(`upload-sarif: not SARIF 2.1.0: ${JSON.stringify(validate.errors?.slice(0, 3))}`);
  const problems = githubIngestionProblems(text);
  if (problems.length) throw new Error(`upload-sarif: code scanning would refuse it: ${problems.join('; ')}`);
  const category = inputs.category ?? '';
  for (const run of sarif.runs) {
    if (run.automationDetails?.id !== category) throw new Error(`upload-sarif: the category ${category} is not the file's own (${run.automationDetails?.id})`);
  }
  return { file: inputs.sarif_file, category };
}

/** What a runner sets for every step. */
function runnerEnv(setup: RunnerSetup, workspace: string, event: string, ref: string): NodeJS.ProcessEnv {
  return {
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_EVENT_NAME: event,
    GITHUB_REPOSITORY: setup.repo,
    GITHUB_REPOSITORY_OWNER: setup.repo.split('/')[0],
    GITHUB_REF: `refs/heads/${ref}`,
    GITHUB_API_URL: setup.gh.url,
    GITHUB_GRAPHQL_URL: setup.gh.graphqlUrl,
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_WORKSPACE: workspace,
    RUNNER_TEMP: workspace,
    RUNNER_OS: 'Linux',
  };
}

function bash(script: string, cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-e', '-o', 'pipefail', '-c', script], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 180_000);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
