/**
 * The product's three entry points run as separate processes, the way they run in production:
 * - the App's HTTP server (`node src/app/server.ts`, Probot's environment variables), pointed at
 *   the fake through Probot's GitHub Enterprise settings (GHE_HOST, GHE_PROTOCOL → `/api/v3`);
 * - the bundled gate Action (`node dist/index.js`) with the environment a runner gives it
 *   (INPUT_*, GITHUB_EVENT_PATH, GITHUB_API_URL, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, ...);
 * - the CLI (`bin/access-ledger.js`).
 * Every process is bounded by a timeout and killed when the harness stops.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { createWriteStream, existsSync, mkdtempSync, readFileSync, writeFileSync, type WriteStream } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import type { FakeGitHub } from '../fake-github/index.ts';
import { freshSigningKey } from '../ledger-keys.ts';
import type { LedgerSigner } from '../../../src/core/ledger/index.ts';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const CLI = join(ROOT, 'bin', 'access-ledger.js');
export const APP_SERVER = join(ROOT, 'src', 'app', 'server.ts');
export const ACTION_BUNDLE = join(ROOT, 'dist', 'index.js');

/** Children still running, killed by `killAll` (and on process exit) so nothing outlives a run. */
const children = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of children) c.kill('SIGKILL');
});

export function killAll(): void {
  for (const c of children) c.kill('SIGKILL');
  children.clear();
}

export interface ProcessResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs a process to completion (SIGKILL after `timeoutMs`), collecting its output. */
export function runProcess(
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number; input?: string } = {},
): Promise<ProcessResult> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd ?? ROOT, env: options.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    children.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.on('error', (err) => {
      clearTimeout(timer);
      children.delete(child);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      children.delete(child);
      resolve({ code, signal, stdout, stderr, ms: Date.now() - started });
    });
    child.stdin.end(options.input ?? '');
  });
}

/** A port nobody listens on right now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

let cachedKey: string | undefined;

/** A fresh RSA key in the PKCS#1 PEM GitHub hands out for an App (the fake accepts any JWT). */
export function appPrivateKey(): string {
  cachedKey ??= generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  }).privateKey;
  return cachedKey;
}

let cachedSigning: { pem: string; signer: LedgerSigner } | undefined;

/**
 * The App's ledger signing key for this run (generated once, as an operator does with
 * `access-ledger keygen`): the App and the CLI's writers get the PEM in ACCESS_LEDGER_SIGNING_KEY,
 * and the seeded access repo lists its public key (world.ts).
 */
export function appSigningKey(): { pem: string; signer: LedgerSigner } {
  cachedSigning ??= freshSigningKey();
  return cachedSigning;
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `access-ledger-${prefix}-`));
}

/**
 * Environment every child gets: no proxies (everything is on 127.0.0.1), no colours, no update
 * checks, and none of the product's own settings from the caller's environment (a REDIS_URL
 * included: only a test that starts its own Redis passes one).
 */
let clockEnv: NodeJS.ProcessEnv = {};

/** Every child started from now on reads this clock's time (clock.ts); `null` for the wall clock. */
export function useClock(clock: { env(): NodeJS.ProcessEnv } | null): void {
  clockEnv = clock ? clock.env() : {};
}

function baseEnv(extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(INPUT_|GITHUB_|RUNNER_|APP_ID$|PRIVATE_KEY|WEBHOOK_|GHE_|GH_TOKEN$|HTTPS?_PROXY$|https?_proxy$|ACCESS_LEDGER_|REDIS_URL$)/.test(k)) continue;
    env[k] = v;
  }
  return { ...env, ...clockEnv, NO_COLOR: '1', NO_PROXY: '127.0.0.1,localhost', no_proxy: '127.0.0.1,localhost', ...extra };
}

// ---- the App ---------------------------------------------------------------------------------

export interface AppProcess {
  /** Where webhooks go. */
  webhookUrl: string;
  origin: string;
  secret: string;
  pid: number;
  /** Everything the App logged (Probot's JSON lines), also in `logFile`. */
  readonly log: string;
  logFile: string;
  /** SIGTERM: the App finishes appends in flight, then exits. */
  stop(): Promise<number | null>;
  /** SIGKILL: the App dies mid-work, as a crashed or preempted replica would. */
  kill(): Promise<void>;
  readonly running: boolean;
}

export interface StartAppOptions {
  fake: FakeGitHub;
  secret?: string;
  /** Extra environment (e.g. LOG_LEVEL, ACCESS_LEDGER_* settings). */
  env?: NodeJS.ProcessEnv;
  /** Directory for the log file (default: a new temp dir). */
  dir?: string;
  timeoutMs?: number;
  /** Start it as `access-ledger serve` (the CLI's entry) instead of `node src/app/server.ts` (`npm start`). */
  serve?: boolean;
}

/**
 * Starts the App's real HTTP server on 127.0.0.1 with Probot's standard environment, pointed at
 * the fake's GitHub Enterprise layout (`http://127.0.0.1:<port>/api/v3`), and waits until it
 * answers `GET /healthz`.
 */
export async function startApp(options: StartAppOptions): Promise<AppProcess> {
  const secret = options.secret ?? 'e2e-webhook-secret';
  const port = await freePort();
  const api = new URL(options.fake.url);
  const dir = options.dir ?? tempDir('app');
  const logFile = join(dir, `app-${port}.log`);
  const logStream: WriteStream = createWriteStream(logFile);
  const env = baseEnv({
    APP_ID: String(options.fake.state.app.id),
    PRIVATE_KEY: appPrivateKey(),
    WEBHOOK_SECRET: secret,
    PORT: String(port),
    HOST: '127.0.0.1',
    GHE_HOST: api.host,
    GHE_PROTOCOL: api.protocol.replace(':', ''),
    LOG_LEVEL: 'info',
    LOG_FORMAT: 'json',
    NODE_ENV: 'production',
    ACCESS_LEDGER_SIGNING_KEY: appSigningKey().pem,
    // The harness decides when sweeps run (the CLI, or the cron endpoint), not a timer.
    ACCESS_LEDGER_SCHEDULE: 'off',
    ...options.env,
  });
  const child = spawn(process.execPath, options.serve ? [CLI, 'serve'] : [APP_SERVER], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let log = '';
  const onData = (d: Buffer) => {
    log += d.toString('utf8');
    logStream.write(d);
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  let exited = false;
  const exit = new Promise<number | null>((resolve) => {
    child.on('close', (code) => {
      exited = true;
      children.delete(child);
      logStream.end();
      resolve(code);
    });
  });
  const origin = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  for (;;) {
    if (exited) throw new Error(`the App exited before it was ready:\n${log.slice(-4000)}`);
    try {
      const res = await fetch(`${origin}/healthz`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the App did not answer /healthz within ${options.timeoutMs ?? 30_000} ms:\n${log.slice(-4000)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    webhookUrl: `${origin}/api/github/webhooks`,
    origin,
    secret,
    pid: child.pid as number,
    logFile,
    get log() {
      return log;
    },
    get running() {
      return !exited;
    },
    async stop() {
      if (exited) return exit;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 40_000);
      const code = await exit;
      clearTimeout(timer);
      return code;
    },
    async kill() {
      if (!exited) child.kill('SIGKILL');
      await exit;
    },
  };
}

// ---- the gate (the bundled Action) -----------------------------------------------------------

export interface GateRun extends ProcessResult {
  outputs: Record<string, string>;
  summary: string;
  /** `::error file=…,line=…::message` and `::warning …` lines. */
  annotations: Array<{ level: string; props: Record<string, string>; message: string }>;
  /** The one line that says what to do next (the last `::error` without a file, else the first annotation). */
  nextStep: string | null;
}

/** Parses the GITHUB_OUTPUT file: `name=value` lines and `name<<DELIM` blocks. */
export function parseOutputFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const [, name, delim] = heredoc as unknown as [string, string, string];
      const body: string[] = [];
      while (++i < lines.length && lines[i] !== delim) body.push(lines[i] as string);
      out[name] = body.join('\n');
      continue;
    }
    const eq = line.indexOf('=');
    if (eq > 0) out[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return out;
}

function unescapeCommand(s: string): string {
  return s.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%3A/g, ':').replace(/%2C/g, ',').replace(/%25/g, '%');
}

export function parseAnnotations(stdout: string): GateRun['annotations'] {
  const out: GateRun['annotations'] = [];
  for (const line of stdout.split('\n')) {
    const m = /^::(error|warning|notice)(?: ([^:]*))?::(.*)$/.exec(line);
    if (!m) continue;
    const props: Record<string, string> = {};
    for (const kv of (m[2] ?? '').split(',').filter(Boolean)) {
      const eq = kv.indexOf('=');
      props[kv.slice(0, eq).trim()] = unescapeCommand(kv.slice(eq + 1));
    }
    out.push({ level: m[1] as string, props, message: unescapeCommand(m[3] as string) });
  }
  return out;
}

/** Inputs the Action declares with their defaults, as the runner sets them (INPUT_<NAME>). */
function declaredInputs(): Record<string, string> {
  const file = join(ROOT, 'action.yml');
  if (!existsSync(file)) return {};
  const doc = parseYaml(readFileSync(file, 'utf8')) as { inputs?: Record<string, { default?: unknown }> };
  const out: Record<string, string> = {};
  for (const [name, spec] of Object.entries(doc.inputs ?? {})) {
    // Expressions (`${{ github.token }}`) are the workflow's to fill; the harness passes those itself.
    if (spec?.default !== undefined && typeof spec.default !== 'object' && !String(spec.default).includes('${{')) out[name] = String(spec.default);
  }
  return out;
}

export interface GateOptions {
  fake: FakeGitHub;
  repo: string;
  /** `pull_request` (default) or `pull_request_review`. */
  event: 'pull_request' | 'pull_request_review' | 'pull_request_target';
  /** The event payload (from `fake.payloads`). */
  payload: Record<string, unknown>;
  /** The workflow's token (e.g. an installation token, for team approvers). */
  token: string;
  inputs?: Record<string, string>;
  dir?: string;
  timeoutMs?: number;
}

/** Runs `node dist/index.js` as a runner does for a `node24` action. */
export async function runGate(o: GateOptions): Promise<GateRun> {
  if (!existsSync(ACTION_BUNDLE)) throw new Error(`${ACTION_BUNDLE} is missing: build it with \`npm run bundle\``);
  const dir = o.dir ?? tempDir('gate');
  const n = Math.random().toString(36).slice(2, 8);
  const eventPath = join(dir, `event-${n}.json`);
  const outputPath = join(dir, `output-${n}`);
  const summaryPath = join(dir, `summary-${n}.md`);
  writeFileSync(eventPath, JSON.stringify(o.payload));
  writeFileSync(outputPath, '');
  writeFileSync(summaryPath, '');
  const pr = (o.payload.pull_request ?? {}) as { head?: { sha?: string; ref?: string }; number?: number };
  const inputs = { ...declaredInputs(), token: o.token, ...o.inputs };
  const env = baseEnv({
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_EVENT_NAME: o.event,
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_REPOSITORY: o.repo,
    GITHUB_REPOSITORY_OWNER: o.repo.split('/')[0],
    GITHUB_API_URL: o.fake.url,
    GITHUB_GRAPHQL_URL: o.fake.graphqlUrl,
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_OUTPUT: outputPath,
    GITHUB_STEP_SUMMARY: summaryPath,
    GITHUB_WORKSPACE: dir,
    GITHUB_SHA: pr.head?.sha ?? '',
    GITHUB_REF: `refs/pull/${pr.number ?? 0}/merge`,
    GITHUB_HEAD_REF: pr.head?.ref ?? '',
    GITHUB_WORKFLOW: 'access',
    GITHUB_JOB: 'access-ledger',
    GITHUB_RUN_ID: '1',
    GITHUB_RUN_NUMBER: '1',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_ACTOR: 'github-actions',
    RUNNER_TEMP: dir,
    RUNNER_OS: 'Linux',
    ...Object.fromEntries(Object.entries(inputs).map(([k, v]) => [`INPUT_${k.replace(/ /g, '_').toUpperCase()}`, v])),
  });
  const r = await runProcess(process.execPath, [ACTION_BUNDLE], { env, cwd: dir, timeoutMs: o.timeoutMs ?? 60_000 });
  const annotations = parseAnnotations(r.stdout);
  const general = annotations.filter((a) => a.level === 'error' && !a.props.file);
  return {
    ...r,
    outputs: parseOutputFile(readFileSync(outputPath, 'utf8')),
    summary: readFileSync(summaryPath, 'utf8'),
    annotations,
    nextStep: (general[general.length - 1] ?? annotations[0])?.message ?? null,
  };
}

// ---- the CLI ---------------------------------------------------------------------------------

export interface CliOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  timeoutMs?: number;
}

/**
 * `access-ledger <args>` as a person or a scheduled workflow runs it (CI=true: no progress bars),
 * with the ledger signing key a scheduled reconcile or sweep has as a secret (pass
 * `ACCESS_LEDGER_SIGNING_KEY: ''` to run without it).
 */
export function runCli(args: string[], options: CliOptions = {}): Promise<ProcessResult> {
  const env = baseEnv({ CI: 'true', ACCESS_LEDGER_SIGNING_KEY: appSigningKey().pem, ...options.env });
  if (!env.ACCESS_LEDGER_SIGNING_KEY) delete env.ACCESS_LEDGER_SIGNING_KEY;
  return runProcess(process.execPath, [CLI, ...args], { env, cwd: options.cwd ?? ROOT, timeoutMs: options.timeoutMs ?? 120_000 });
}
