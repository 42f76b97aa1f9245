/**
 * The gate's entry, as a runner drives it: read the event, gather the pull request's facts
 * through the API, judge them with the pure core, report (annotations, job summary, outputs,
 * optional SARIF). Nothing from the pull request's tree is checked out or executed, so it is
 * safe on `pull_request_target` too. Any failure fails the check, with one line saying what to fix.
 */
import * as core from '@actions/core';
import { getOctokit } from '@actions/github';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { utcDay } from '../src/core/dates.ts';
import { judgePull, type GateResult } from '../src/core/pull/judge.ts';
import { reportJson, summaryMarkdown, type ReportContext } from '../src/core/pull/report.ts';
import { builtinRegistry } from '../src/core/validate.ts';
import { loadBuiltinPacks } from '../src/adapters/fs/packs.ts';
import { gatherPullFacts, type OctokitLike, type PullRef } from '../src/adapters/github/pull-facts.ts';
import { toSarif } from '../src/cli/format/sarif.ts';
import { VERSION } from '../src/cli/version.ts';

/** The events and actions the gate evaluates; anything else succeeds without evaluating. */
export const EVALUATED: Readonly<Record<string, readonly string[]>> = {
  pull_request: ['opened', 'synchronize', 'reopened', 'edited', 'ready_for_review'],
  pull_request_target: ['opened', 'synchronize', 'reopened', 'edited', 'ready_for_review'],
  pull_request_review: ['submitted', 'dismissed'],
};

export function shouldEvaluate(eventName: string, action: string | undefined): { evaluate: true } | { evaluate: false; message: string } {
  const actions = EVALUATED[eventName];
  if (!actions) {
    return {
      evaluate: false,
      message: `access-ledger gate: the ${eventName || 'unknown'} event is not one the gate evaluates (it runs on pull_request, pull_request_target and pull_request_review); nothing to do`,
    };
  }
  if (!action || !actions.includes(action)) {
    return { evaluate: false, message: `access-ledger gate: ${eventName} ${action ?? '(no action)'} does not change what the gate judges (it evaluates ${actions.join(', ')}); nothing to do` };
  }
  return { evaluate: true };
}

interface PullPayload {
  action?: string;
  pull_request?: {
    number: number;
    head: { sha: string };
    base: { sha: string; repo?: { name: string; owner: { login: string } } };
    user: { login: string; type?: string } | null;
  };
  repository?: { name: string; owner: { login: string } };
}

function pullRefOf(payload: PullPayload, repository: string | undefined): PullRef {
  const pr = payload.pull_request;
  if (!pr?.head?.sha || !pr.base?.sha || typeof pr.number !== 'number') {
    throw new Error('the event payload has no pull_request with head and base SHAs: run the gate on pull_request, pull_request_target or pull_request_review');
  }
  // The base repository is where the policy lives (on pull_request_target from a fork too).
  const [envOwner, envRepo] = (repository ?? '').split('/');
  const owner = payload.repository?.owner.login ?? pr.base.repo?.owner.login ?? envOwner;
  const repo = payload.repository?.name ?? pr.base.repo?.name ?? envRepo;
  if (!owner || !repo) throw new Error('cannot tell which repository this pull request belongs to: GITHUB_REPOSITORY is not set');
  const ref: PullRef = { owner, repo, number: pr.number, headSha: pr.head.sha, baseSha: pr.base.sha, author: pr.user?.login ?? 'ghost' };
  if (pr.user?.type === 'Bot') ref.authorIsBot = true;
  return ref;
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

function inputs(): { token: string; config: string; failOn: 'error' | 'warning'; sarifFile: string } {
  const token = core.getInput('token');
  if (!token) throw new Error('the `token` input is empty: pass `token: ${{ github.token }}`, or an App installation token for team approvers');
  const failOn = core.getInput('fail-on') || 'error';
  if (failOn !== 'error' && failOn !== 'warning') throw new Error(`the \`fail-on\` input must be error or warning, not ${failOn}`);
  const config = (core.getInput('config') || 'access-ledger.yaml').replace(/^\.\//, '');
  if (isAbsolute(config) || config.split('/').includes('..')) throw new Error(`the \`config\` input must be a path inside the repository, not ${config}`);
  return { token, config, failOn, sarifFile: core.getInput('sarif-file') };
}

/** Octokit for the workflow's API; GraphQL goes to GITHUB_GRAPHQL_URL when the runner names it. */
function client(token: string): OctokitLike {
  const octokit = getOctokit(token);
  const graphqlUrl = process.env.GITHUB_GRAPHQL_URL;
  return {
    request: (route, parameters) => octokit.request(route, parameters) as ReturnType<OctokitLike['request']>,
    // The options form takes `url` beside the variables (the string form refuses it as a variable name).
    graphql: <T>(query: string, variables?: Record<string, unknown>) => octokit.graphql<T>({ query, ...variables, ...(graphqlUrl ? { url: graphqlUrl } : {}) }),
  };
}

export async function run(): Promise<void> {
  try {
    const eventName = process.env.GITHUB_EVENT_NAME ?? '';
    const path = process.env.GITHUB_EVENT_PATH;
    const payload: PullPayload = path ? JSON.parse(await readFile(path, 'utf8')) : {};
    const decision = shouldEvaluate(eventName, payload.action);
    if (!decision.evaluate) {
      core.info(oneLine(decision.message));
      return;
    }
    const input = inputs();
    const pull = pullRefOf(payload, process.env.GITHUB_REPOSITORY);
    const packs = loadBuiltinPacks();
    const facts = await gatherPullFacts(client(input.token), pull, { configPath: input.config, packs });
    const result = judgePull(facts, { packs, today: utcDay(new Date()), failOn: input.failOn });
    await report(result, { owner: pull.owner, repo: pull.repo, number: pull.number, headSha: pull.headSha, baseSha: pull.baseSha, event: `${eventName}/${payload.action}` }, input.sarifFile);
  } catch (err) {
    core.setOutput('verdict', 'fail');
    core.setFailed(`access-ledger gate: ${oneLine(err instanceof Error ? err.message : String(err))}`);
  }
}

async function report(result: GateResult, ctx: ReportContext, sarifFile: string): Promise<void> {
  for (const f of result.findings) {
    const props: core.AnnotationProperties = { title: `access-ledger: ${f.rule}` };
    if (f.file) {
      props.file = f.file;
      if (f.line) props.startLine = f.line;
      if (f.column) props.startColumn = f.column;
    }
    if (f.severity === 'error') core.error(f.message, props);
    else core.warning(f.message, props);
  }

  const reportPath = join(process.env.RUNNER_TEMP || tmpdir(), `access-ledger-gate-${ctx.number}.json`);
  await writeFile(reportPath, JSON.stringify(reportJson(result, ctx), null, 2) + '\n');
  if (sarifFile) {
    const target = resolve(process.env.GITHUB_WORKSPACE || process.cwd(), sarifFile);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, JSON.stringify(toSarif(result.findings, builtinRegistry().rules.values(), VERSION, { category: 'access-ledger/gate/' }), null, 2) + '\n');
  }
  if (process.env.GITHUB_STEP_SUMMARY) await core.summary.addRaw(summaryMarkdown(result, ctx)).write();

  core.setOutput('verdict', result.verdict);
  core.setOutput('findings', String(result.findings.length));
  core.setOutput('report-json', reportPath);
  if (result.verdict === 'fail') core.setFailed(`access-ledger gate: ${result.nextStep}`);
  else core.info(`access-ledger gate: pass: ${oneLine(result.nextStep)}`);
}
