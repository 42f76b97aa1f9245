/**
 * The gate's entry, as a runner drives it: read the event, gather the pull request's facts
 * through the API, judge them with the pure core, report (annotations, job summary, outputs,
 * optional SARIF, and a commit status on the head commit). Nothing from the pull request's tree
 * is checked out or executed, so it is safe on `pull_request_target` too. Any failure fails the
 * check, with one line saying what to fix.
 *
 * A `pull_request_target` run's check belongs to the base branch's tip, where branch protection
 * never looks; so on that event (`commit-status: auto`) the gate also sets the status
 * `access-ledger/gate` on the pull request's head commit: pending while it judges, then success or
 * failure, or error when it cannot decide.
 */
import * as core from '@actions/core';
import { getOctokit } from '@actions/github';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { utcDay } from '../src/core/dates.ts';
import { judgePull, type GateResult } from '../src/core/pull/judge.ts';
import { reportJson, summaryMarkdown, type ReportContext } from '../src/core/pull/report.ts';
import { plainLine } from '../src/core/text/escape.ts';
import { builtinRegistry } from '../src/core/validate.ts';
import { loadBuiltinPacks } from '../src/adapters/fs/packs.ts';
import { gatherPullFacts, type OctokitLike, type PullRef } from '../src/adapters/github/pull-facts.ts';
import { CommitStatusError, setCommitStatus, type StatusTarget, type StatusWriter } from '../src/adapters/github/commit-status.ts';
import {
  errorStatusOf,
  parseCommitStatusMode,
  parseStatusContext,
  pendingStatus,
  postsCommitStatus,
  runUrl,
  verdictStatus,
  type CommitStatus,
  type CommitStatusMode,
} from '../src/core/commit-status.ts';
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

/** One line of the log or of an annotation: secrets masked, no control character or line break. */
function oneLine(text: string): string {
  return plainLine(text);
}

interface Inputs {
  token: string;
  config: string;
  failOn: 'error' | 'warning';
  sarifFile: string;
  commitStatus: CommitStatusMode;
  statusContext: string;
  statusToken: string;
}

function inputs(): Inputs {
  const token = core.getInput('token');
  if (!token) throw new Error('the `token` input is empty: pass `token: ${{ github.token }}`, or an App installation token for team approvers');
  const failOn = core.getInput('fail-on') || 'error';
  if (failOn !== 'error' && failOn !== 'warning') throw new Error(`the \`fail-on\` input must be error or warning, not ${failOn}`);
  const config = (core.getInput('config') || 'access-ledger.yaml').replace(/^\.\//, '');
  if (isAbsolute(config) || config.split('/').includes('..')) throw new Error(`the \`config\` input must be a path inside the repository, not ${config}`);
  return {
    token,
    config,
    failOn,
    sarifFile: core.getInput('sarif-file'),
    commitStatus: parseCommitStatusMode(core.getInput('commit-status')),
    statusContext: parseStatusContext(core.getInput('status-context')),
    statusToken: core.getInput('status-token'),
  };
}

/** Where and with what the run sets its commit status; undefined when it sets none. */
interface StatusReporter {
  writer: StatusWriter;
  target: StatusTarget;
  context: string;
  targetUrl: string | null;
}

function statusReporter(input: Inputs, eventName: string, pull: PullRef): StatusReporter | undefined {
  if (!postsCommitStatus(input.commitStatus, eventName)) return undefined;
  if (!input.statusToken) {
    throw new Error(
      `the \`status-token\` input is empty, so the gate cannot set its commit status ${input.statusContext} on the pull request's head commit: ` +
        'pass `status-token: ${{ github.token }}` and give the gate job `permissions: statuses: write`',
    );
  }
  const writer = getOctokit(input.statusToken);
  return {
    writer: { request: (route, parameters) => writer.request(route, parameters) },
    target: { owner: pull.owner, repo: pull.repo, sha: pull.headSha },
    context: input.statusContext,
    targetUrl: runUrl({ serverUrl: process.env.GITHUB_SERVER_URL, repository: process.env.GITHUB_REPOSITORY, runId: process.env.GITHUB_RUN_ID }),
  };
}

async function setStatus(reporter: StatusReporter, status: CommitStatus): Promise<void> {
  await setCommitStatus(reporter.writer, reporter.target, status);
  core.info(`access-ledger gate: set the commit status ${status.context} to ${status.state} on ${reporter.target.sha}`);
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
  let reporter: StatusReporter | undefined;
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
    reporter = statusReporter(input, eventName, pull);
    // Pending first: a required status must not stay green from an earlier run while this one judges.
    if (reporter) await setStatus(reporter, pendingStatus(reporter.context, reporter.targetUrl));
    const packs = loadBuiltinPacks();
    const facts = await gatherPullFacts(client(input.token), pull, { configPath: input.config, packs });
    const result = judgePull(facts, { packs, today: utcDay(new Date()), failOn: input.failOn });
    await report(result, { owner: pull.owner, repo: pull.repo, number: pull.number, headSha: pull.headSha, baseSha: pull.baseSha, event: `${eventName}/${payload.action}` }, input.sarifFile);
    if (reporter) await setStatus(reporter, verdictStatus(result, reporter.context, reporter.targetUrl));
    if (result.verdict === 'fail') core.setFailed(`access-ledger gate: ${oneLine(result.nextStep)}`);
    else core.info(`access-ledger gate: pass: ${oneLine(result.nextStep)}`);
  } catch (err) {
    let message = oneLine(err instanceof Error ? err.message : String(err));
    // The gate could not decide: say so on the head commit too (error, never success), unless
    // setting the status is what failed.
    if (reporter && !(err instanceof CommitStatusError)) {
      try {
        await setStatus(reporter, errorStatusOf(message, reporter.context, reporter.targetUrl));
      } catch (statusErr) {
        message += `; and ${oneLine(statusErr instanceof Error ? statusErr.message : String(statusErr))}`;
      }
    }
    core.setOutput('verdict', 'fail');
    core.setFailed(`access-ledger gate: ${message}`);
  }
}

/** Annotations, the JSON report, SARIF, the job summary and the outputs; the caller fails the step. */
async function report(result: GateResult, ctx: ReportContext, sarifFile: string): Promise<void> {
  for (const f of result.findings) {
    const props: core.AnnotationProperties = { title: `access-ledger: ${oneLine(f.rule)}` };
    if (f.file) {
      props.file = oneLine(f.file);
      if (f.line) props.startLine = f.line;
      if (f.column) props.startColumn = f.column;
    }
    if (f.severity === 'error') core.error(oneLine(f.message), props);
    else core.warning(oneLine(f.message), props);
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
}
