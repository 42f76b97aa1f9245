/**
 * GitHub Actions workflow files as the doctor reads them: which events start them, and per job the
 * environment it runs in, the secrets it can read, its GITHUB_TOKEN permissions and its steps,
 * each with the line it is on. Pure: the text in, a model out; nothing is executed or resolved
 * beyond what the file says.
 */
import type { Pos } from '../model/yaml-file.ts';
import { parseYamlFile } from '../model/yaml-file.ts';

export interface WorkflowFile {
  /** Repo-relative path, e.g. `.github/workflows/access-ledger.yml`. */
  path: string;
  text: string;
}

export interface SecretRef {
  /** Upper-cased secret name (GitHub's secret names are case-insensitive), or `*` for every secret (`toJSON(secrets)`, `secrets: inherit` to a workflow elsewhere). */
  name: string;
  line: number;
  /** The `with:` input the secret is passed to, when it is one (e.g. `private-key`). */
  input?: string;
}

export interface Step {
  line: number;
  id?: string;
  name?: string;
  uses?: string;
  with: Record<string, string>;
  run?: string;
  /** The step's own `env:`, as text. */
  env: Record<string, string>;
}

export interface Job {
  id: string;
  /** `name:` as written (may hold an expression). */
  name?: string;
  line: number;
  /** The environment's name as written; undefined when the job names none. */
  environment?: string;
  environmentLine?: number;
  secrets: SecretRef[];
  /** `permissions:` of the job, else of the workflow: `read-all`, `write-all`, `{}` or scope → access. */
  permissions?: string | Record<string, string>;
  steps: Step[];
  /** A reusable workflow the job calls. */
  uses?: string;
  /** The job's own `env:` and the workflow's, as text. */
  env: Record<string, string>;
}

export interface Workflow {
  path: string;
  name?: string;
  /** Event names under `on:`. */
  triggers: string[];
  jobs: Job[];
  /** Set when the file is not a readable workflow (then `triggers` and `jobs` are empty). */
  error?: { line: number; message: string };
}

/** Events whose runs use the pull request's own copy of the workflow, with the repository's secrets for a branch of the same repository. */
export const PR_CODE_EVENTS: ReadonlySet<string> = new Set(['pull_request', 'pull_request_review', 'pull_request_review_comment']);
/** Events whose runs use the default branch's workflow with secrets and a token that can write, while a pull request supplies the data. */
export const PRIVILEGED_PR_EVENTS: ReadonlySet<string> = new Set(['pull_request_target', 'workflow_run']);
/** Every event a pull request (or its review) starts. */
export const PR_EVENTS: ReadonlySet<string> = new Set([...PR_CODE_EVENTS, 'pull_request_target']);

const SECRET_DOT = /\bsecrets\s*\.\s*([A-Za-z_][A-Za-z0-9_]*)/g;
const SECRET_INDEX = /\bsecrets\s*\[\s*['"]([^'"]+)['"]\s*\]/g;
const SECRET_ALL = /\bsecrets\b(?!\s*(?:\.|\[))/;
const EXPRESSION = /\$\{\{([\s\S]*?)\}\}/g;

/** Secret names an expression-bearing string reads; `*` when it reads them all. */
export function secretsIn(text: string): string[] {
  const out = new Set<string>();
  for (const m of text.matchAll(EXPRESSION)) {
    const expr = m[1] ?? '';
    for (const s of expr.matchAll(SECRET_DOT)) out.add(s[1]!.toUpperCase());
    for (const s of expr.matchAll(SECRET_INDEX)) out.add(s[1]!.toUpperCase());
    if (SECRET_ALL.test(expr.replace(SECRET_DOT, '').replace(SECRET_INDEX, ''))) out.add('*');
  }
  return [...out];
}

type Path = (string | number)[];

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function text(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

function stringMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isRecord(v)) return out;
  for (const [k, x] of Object.entries(v)) {
    const t = text(x);
    if (t !== undefined) out[k] = t;
    else if (x !== null && x !== undefined) out[k] = JSON.stringify(x);
  }
  return out;
}

/** Every string scalar under `value`, with its path. */
function strings(value: unknown, path: Path, out: { path: Path; text: string }[] = []): { path: Path; text: string }[] {
  if (typeof value === 'string') out.push({ path, text: value });
  else if (Array.isArray(value)) for (const [i, v] of value.entries()) strings(v, [...path, i], out);
  else if (isRecord(value)) for (const [k, v] of Object.entries(value)) strings(v, [...path, k], out);
  return out;
}

function triggersOf(on: unknown): string[] {
  if (typeof on === 'string') return [on];
  if (Array.isArray(on)) return on.filter((x): x is string => typeof x === 'string');
  if (isRecord(on)) return Object.keys(on);
  return [];
}

function permissionsOf(v: unknown): Job['permissions'] {
  if (typeof v === 'string') return v;
  if (isRecord(v)) return stringMap(v);
  return undefined;
}

/** Parses one workflow file. Never throws: a file that is not a workflow comes back with `error`. */
export function parseWorkflow(file: WorkflowFile): Workflow {
  const parsed = parseYamlFile(file.path, file.text);
  const broken = parsed.problems.find((p) => p.severity === 'error');
  const empty = (line: number, message: string): Workflow => ({ path: file.path, triggers: [], jobs: [], error: { line, message } });
  if (broken || parsed.value === undefined) return empty(broken?.line ?? 1, broken?.message ?? 'the file could not be read as YAML');
  const doc = parsed.value;
  if (!isRecord(doc)) return empty(1, 'the file is not a mapping of `on:` and `jobs:`');
  const line = (path: Path, key = false): number => (parsed.locate(path, key) as Pos).line;
  const triggers = triggersOf(doc.on);
  const workflowEnv = stringMap(doc.env);
  const workflowSecrets = strings(doc.env, ['env']).flatMap((s) => secretsIn(s.text).map((name) => ({ name, line: line(s.path) })));
  const workflowPermissions = permissionsOf(doc.permissions);
  const jobs: Job[] = [];
  if (isRecord(doc.jobs)) {
    for (const [id, raw] of Object.entries(doc.jobs)) {
      if (!isRecord(raw)) continue;
      const base: Path = ['jobs', id];
      const secrets: SecretRef[] = [...workflowSecrets];
      for (const s of strings(raw, base)) {
        const input = s.path.length >= 2 && s.path[s.path.length - 2] === 'with' ? String(s.path[s.path.length - 1]) : undefined;
        for (const name of secretsIn(s.text)) secrets.push({ name, line: line(s.path), ...(input ? { input } : {}) });
      }
      if (raw.secrets === 'inherit') secrets.push({ name: '*', line: line([...base, 'secrets']) });
      const steps: Step[] = [];
      if (Array.isArray(raw.steps)) {
        raw.steps.forEach((st, i) => {
          if (!isRecord(st)) return;
          const step: Step = { line: line([...base, 'steps', i]), with: stringMap(st.with), env: stringMap(st.env) };
          const sid = text(st.id);
          const name = text(st.name);
          const uses = text(st.uses);
          const run = text(st.run);
          if (sid !== undefined) step.id = sid;
          if (name !== undefined) step.name = name;
          if (uses !== undefined) step.uses = uses.trim();
          if (run !== undefined) step.run = run;
          steps.push(step);
        });
      }
      const job: Job = { id, line: line(base, true), secrets, steps, env: { ...workflowEnv, ...stringMap(raw.env) } };
      const name = text(raw.name);
      if (name !== undefined) job.name = name;
      const env = isRecord(raw.environment) ? text(raw.environment.name) : text(raw.environment);
      if (env !== undefined) {
        job.environment = env;
        job.environmentLine = line([...base, 'environment']);
      }
      const permissions = raw.permissions !== undefined ? permissionsOf(raw.permissions) : workflowPermissions;
      if (permissions !== undefined) job.permissions = permissions;
      const uses = text(raw.uses);
      if (uses !== undefined) job.uses = uses.trim();
      jobs.push(job);
    }
  }
  const wf: Workflow = { path: file.path, triggers, jobs };
  const name = text(doc.name);
  if (name !== undefined) wf.name = name;
  return wf;
}

/**
 * Parses every file and follows `secrets: inherit` into reusable workflows of the same repository
 * (`uses: ./.github/workflows/x.yml`): the caller's job then reads the secrets the called workflow
 * names. A reusable workflow elsewhere keeps the caller's `*` (every secret).
 */
export function parseWorkflows(files: readonly WorkflowFile[]): Workflow[] {
  const parsed = files.map(parseWorkflow);
  const byPath = new Map(parsed.map((w) => [w.path, w]));
  for (const wf of parsed) {
    for (const job of wf.jobs) {
      if (!job.uses?.startsWith('./')) continue;
      const called = byPath.get(job.uses.slice(2).split('@')[0]!);
      if (!called) continue;
      const inherit = job.secrets.findIndex((s) => s.name === '*');
      if (inherit < 0) continue;
      const at = job.secrets[inherit]!.line;
      const names = new Set(called.jobs.flatMap((j) => j.secrets.map((s) => s.name)));
      job.secrets.splice(inherit, 1, ...[...names].map((name) => ({ name, line: at })));
    }
  }
  return parsed;
}

/** `owner/name@ref` → `owner/name` (lower-cased), for comparing actions; sub-paths kept. */
export function actionName(uses: string): string {
  return uses.split('@')[0]!.toLowerCase();
}

const GATE_ACTION = /^[a-z0-9][a-z0-9-]*\/access-ledger(\/.*)?$/;

/** A step running the access-ledger gate (the action of any owner named access-ledger, e.g. a fork). */
export function isGateStep(step: Step): boolean {
  return step.uses !== undefined && !step.uses.startsWith('./') && !step.uses.startsWith('docker://') && GATE_ACTION.test(actionName(step.uses));
}

export function isAppTokenStep(step: Step): boolean {
  return step.uses !== undefined && actionName(step.uses) === 'actions/create-github-app-token';
}

export function isCheckoutStep(step: Step): boolean {
  return step.uses !== undefined && actionName(step.uses) === 'actions/checkout';
}

/** The check name GitHub gives a job: its `name:`, else its id. */
export function checkNameOf(job: Job): string {
  return job.name ?? job.id;
}
