/**
 * Runs the bundled Action (dist/index.js) as a separate process, the way a GitHub runner does:
 * inputs as INPUT_* (the defaults action.yml declares for those the workflow leaves out, with
 * `${{ github.token }}` as the job's token), the event payload in a file at GITHUB_EVENT_PATH, the
 * API at GITHUB_API_URL, the run's id, and the outputs and job summary written to the files at
 * GITHUB_OUTPUT and GITHUB_STEP_SUMMARY.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll } from 'vitest';
import { parse as parseYaml } from 'yaml';

export const DIST = fileURLToPath(new URL('../../dist/index.js', import.meta.url));
export const ACTION_YML = fileURLToPath(new URL('../../action.yml', import.meta.url));

/** The inputs' defaults as action.yml declares them; the runner fills `${{ github.token }}` with the job's token. */
export function declaredDefaults(githubToken: string): Record<string, string> {
  const doc = parseYaml(readFileSync(ACTION_YML, 'utf8')) as { inputs?: Record<string, { default?: unknown }> };
  const out: Record<string, string> = {};
  for (const [name, spec] of Object.entries(doc.inputs ?? {})) {
    if (spec?.default === undefined || spec.default === null) continue;
    const value = String(spec.default);
    if (/\$\{\{\s*github\.token\s*\}\}/.test(value)) out[name] = githubToken;
    else if (!value.includes('${{')) out[name] = value;
  }
  return out;
}

export interface RunnerResult {
  code: number | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
  /** The workflow commands the run printed (`::error file=…::…`), in order. */
  commands: { command: string; properties: Record<string, string>; message: string }[];
  workspace: string;
}

export interface RunnerInput {
  event: string;
  payload: unknown;
  repository: string;
  apiUrl: string;
  graphqlUrl: string;
  inputs: Record<string, string>;
  /** The job's GITHUB_TOKEN, which `${{ github.token }}` defaults resolve to (empty when not given). */
  githubToken?: string;
  /** GITHUB_RUN_ID (default 1). */
  runId?: string;
  /** Extra environment (e.g. a clock). */
  env?: Record<string, string>;
}

/** GitHub's file-command format: `name<<delimiter\nvalue\ndelimiter`. */
export function parseOutputs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^([^<=]+)<<(.+)$/.exec(lines[i]!);
    if (!m) continue;
    const [, name, delimiter] = m;
    const value: string[] = [];
    for (i++; i < lines.length && lines[i] !== delimiter; i++) value.push(lines[i]!);
    out[name!] = value.join('\n');
  }
  return out;
}

function unescapeCommand(text: string): string {
  return text.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%3A/g, ':').replace(/%2C/g, ',').replace(/%25/g, '%');
}

export function parseCommands(stdout: string): RunnerResult['commands'] {
  const out: RunnerResult['commands'] = [];
  for (const line of stdout.split('\n')) {
    const m = /^::([a-z-]+)(?: ([^:]*))?::(.*)$/.exec(line);
    if (!m) continue;
    const properties: Record<string, string> = {};
    for (const pair of (m[2] ?? '').split(',').filter(Boolean)) {
      const eq = pair.indexOf('=');
      properties[pair.slice(0, eq)] = unescapeCommand(pair.slice(eq + 1));
    }
    out.push({ command: m[1]!, properties, message: unescapeCommand(m[3] ?? '') });
  }
  return out;
}

// Each run's workspace is read by the test after the run, and removed when the test file ends.
const workspaces: string[] = [];
afterAll(async () => {
  await Promise.all(workspaces.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

export async function runAction(input: RunnerInput): Promise<RunnerResult> {
  const dir = await mkdtemp(join(tmpdir(), 'access-ledger-runner-'));
  workspaces.push(dir);
  const eventPath = join(dir, 'event.json');
  const outputPath = join(dir, 'output.txt');
  const summaryPath = join(dir, 'summary.md');
  await writeFile(eventPath, JSON.stringify(input.payload));
  await writeFile(outputPath, '');
  await writeFile(summaryPath, '');
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: dir,
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_EVENT_NAME: input.event,
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_REPOSITORY: input.repository,
    GITHUB_API_URL: input.apiUrl,
    GITHUB_GRAPHQL_URL: input.graphqlUrl,
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_RUN_ID: input.runId ?? '1',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_OUTPUT: outputPath,
    GITHUB_STEP_SUMMARY: summaryPath,
    GITHUB_WORKSPACE: dir,
    RUNNER_TEMP: dir,
    ...input.env,
  };
  for (const [name, value] of Object.entries({ ...declaredDefaults(input.githubToken ?? ''), ...input.inputs }))
    env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value;
  // The runner starts the action from the workspace, not from the action's own checkout.
  const child = spawn(process.execPath, [DIST], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  return {
    code,
    stdout,
    stderr,
    outputs: parseOutputs(await readFile(outputPath, 'utf8')),
    summary: await readFile(summaryPath, 'utf8'),
    commands: parseCommands(stdout),
    workspace: dir,
  };
}
