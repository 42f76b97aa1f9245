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
 *
 * A merge queue waits for the same status on each merge group's commit. On `merge_group`, and on
 * the `workflow_run` a merge group's run completes (the scaffold's way: the default branch's
 * workflow, which alone can reach the gate App's key), the gate asks the queue which pull requests
 * the group holds, judges each as a pull request, and sets the status on the group's commit: it
 * passes only when every one does, and fails closed (error) when the queue does not list the
 * commit. A `workflow_run` of any other event is no merge group: nothing is judged or set.
 */
import * as core from '@actions/core';
import { getOctokit } from '@actions/github';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { utcDay } from '../src/core/dates.ts';
import type { GateResult } from '../src/core/pull/judge.ts';
import { groupReportJson, groupSummaryMarkdown, reportJson, summaryMarkdown, type GroupReportContext, type ReportContext } from '../src/core/pull/report.ts';
import { plainLine } from '../src/core/text/escape.ts';
import { builtinRegistry } from '../src/core/validate.ts';
import { loadBuiltinPacks } from '../src/adapters/fs/packs.ts';
import type { PullRef } from '../src/adapters/github/pull-facts.ts';
import { gatePullRequest, pullRefFromEvent } from '../src/adapters/github/gate.ts';
import { gitHubPort, type GitHubPort } from '../src/adapters/github/port.ts';
import { readMergeQueue } from '../src/adapters/github/merge-queue.ts';
import { groupOf, groupVerdict, parseQueueRef, type GroupRef } from '../src/core/pull/merge-group.ts';
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
import { checkConfigPath } from '../src/core/model/snapshot.ts';
import { toSarif } from '../src/core/report/sarif.ts';
import { VERSION } from '../src/core/version.ts';

/** The events and actions the gate evaluates; anything else succeeds without evaluating. */
export const EVALUATED: Readonly<Record<string, readonly string[]>> = {
  pull_request: ['opened', 'synchronize', 'reopened', 'edited', 'ready_for_review'],
  pull_request_target: ['opened', 'synchronize', 'reopened', 'edited', 'ready_for_review'],
  pull_request_review: ['submitted', 'dismissed'],
  merge_group: ['checks_requested'],
  workflow_run: ['completed'],
};

/** Events whose subject is a merge group, not one pull request. */
const GROUP_EVENTS: ReadonlySet<string> = new Set(['merge_group', 'workflow_run']);

export function shouldEvaluate(
  eventName: string,
  action: string | undefined,
  payload: { workflow_run?: { event?: string } } = {},
): { evaluate: true } | { evaluate: false; message: string } {
  const actions = EVALUATED[eventName];
  if (!actions) {
    return {
      evaluate: false,
      message: `access-ledger gate: the ${eventName || 'unknown'} event is not one the gate evaluates (it runs on pull_request, pull_request_target, pull_request_review, merge_group, and workflow_run after a merge group); nothing to do`,
    };
  }
  if (!action || !actions.includes(action)) {
    return {
      evaluate: false,
      message: `access-ledger gate: ${eventName} ${action ?? '(no action)'} does not change what the gate judges (it evaluates ${actions.join(', ')}); nothing to do`,
    };
  }
  if (eventName === 'workflow_run' && payload.workflow_run?.event !== 'merge_group') {
    return {
      evaluate: false,
      message: `access-ledger gate: this workflow_run follows a run of the ${payload.workflow_run?.event || 'unknown'} event, not a merge group's, so there is nothing to judge and no status is set (a workflow_run runs the gate only after a merge queue's run)`,
    };
  }
  return { evaluate: true };
}

interface PullPayload {
  action?: string;
  merge_group?: { head_sha?: string; head_ref?: string; base_ref?: string };
  workflow_run?: {
    event?: string;
    head_sha?: string;
    head_branch?: string | null;
    head_repository?: { full_name?: string } | null;
    repository?: { full_name?: string };
  };
  pull_request?: {
    number: number;
    head: { sha: string };
    base: { sha: string; repo?: { name: string; owner: { login: string } } };
    user: { login: string; type?: string } | null;
  };
  repository?: { name: string; owner: { login: string }; full_name?: string };
}

const SHA = /^[0-9a-f]{40}$/;

/** The merge group a `merge_group` event, or the `workflow_run` a merge group's run completed, names. */
function groupRefOf(eventName: string, payload: PullPayload, repository: string | undefined): GroupRef {
  const [envOwner, envRepo] = (repository ?? '').split('/');
  const owner = payload.repository?.owner.login ?? envOwner;
  const repo = payload.repository?.name ?? envRepo;
  if (!owner || !repo) throw new Error('cannot tell which repository this merge group belongs to: GITHUB_REPOSITORY is not set');
  if (eventName === 'merge_group') {
    const g = payload.merge_group;
    const baseBranch = g?.base_ref?.replace(/^refs\/heads\//, '');
    if (!g?.head_sha || !SHA.test(g.head_sha) || !g.head_ref || !baseBranch)
      throw new Error('the merge_group event names no group commit (head_sha), branch (head_ref) or base_ref: the gate cannot tell what to judge');
    return { owner, repo, headSha: g.head_sha, headRef: g.head_ref.replace(/^refs\/heads\//, ''), baseBranch };
  }
  const run = payload.workflow_run;
  const own = payload.repository?.full_name ?? `${owner}/${repo}`;
  // A merge group's run is the repository's own: GitHub builds the group on a branch of it.
  if (run?.head_repository?.full_name && run.head_repository.full_name.toLowerCase() !== own.toLowerCase()) {
    throw new Error(`the workflow run came from ${run.head_repository.full_name}, not ${own}: a merge group is built in the repository itself`);
  }
  const queue = run?.head_branch ? parseQueueRef(run.head_branch) : undefined;
  if (!run?.head_sha || !SHA.test(run.head_sha) || !queue) {
    throw new Error(
      `the merge group's run names no group commit or its branch is not a merge queue's (gh-readonly-queue/<branch>/pr-<n>-<sha>, not ${JSON.stringify(run?.head_branch ?? null)}): the gate cannot tell what to judge`,
    );
  }
  return { owner, repo, headSha: run.head_sha, headRef: run.head_branch!, baseBranch: queue.baseBranch };
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
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub Actions expression for the user to paste
  if (!token) throw new Error('the `token` input is empty: pass `token: ${{ github.token }}`, or an App installation token for team approvers');
  const failOn = core.getInput('fail-on') || 'error';
  if (failOn !== 'error' && failOn !== 'warning') throw new Error(`the \`fail-on\` input must be error or warning, not ${failOn}`);
  // The one rule the App applies to ACCESS_LEDGER_CONFIG too (src/core/model/snapshot.ts).
  const checked = checkConfigPath(core.getInput('config'), 'the `config` input');
  if (!checked.ok) throw new Error(checked.problem);
  const config = checked.path;
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

function statusReporter(input: Inputs, eventName: string, target: StatusTarget): StatusReporter | undefined {
  if (!postsCommitStatus(input.commitStatus, eventName)) return undefined;
  if (!input.statusToken) {
    throw new Error(
      `the \`status-token\` input is empty, so the gate cannot set its commit status ${input.statusContext} on the ${GROUP_EVENTS.has(eventName) ? "merge group's commit" : "pull request's head commit"}: ` +
        // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub Actions expression for the user to paste
        "pass the gate App's token, `status-token: ${{ steps.token.outputs.token }}`, with `permission-statuses: write` on its token step",
    );
  }
  // The scaffold sets the status with the token it reads with, the gate App's: the one source of
  // the status no branch's workflow can borrow.
  const writer = getOctokit(input.statusToken);
  return {
    writer: { request: (route, parameters) => writer.request(route, parameters) },
    target,
    context: input.statusContext,
    targetUrl: runUrl({ serverUrl: process.env.GITHUB_SERVER_URL, repository: process.env.GITHUB_REPOSITORY, runId: process.env.GITHUB_RUN_ID }),
  };
}

async function setStatus(reporter: StatusReporter, status: CommitStatus): Promise<void> {
  await setCommitStatus(reporter.writer, reporter.target, status);
  core.info(`access-ledger gate: set the commit status ${status.context} to ${status.state} on ${reporter.target.sha}`);
}

/** Octokit for the workflow's API; GraphQL goes to GITHUB_GRAPHQL_URL when the runner names it. */
function client(token: string): GitHubPort {
  const graphqlUrl = process.env.GITHUB_GRAPHQL_URL;
  return gitHubPort(getOctokit(token), graphqlUrl ? { graphqlUrl } : {});
}

export async function run(): Promise<void> {
  let reporter: StatusReporter | undefined;
  try {
    const eventName = process.env.GITHUB_EVENT_NAME ?? '';
    const path = process.env.GITHUB_EVENT_PATH;
    const payload: PullPayload = path ? JSON.parse(await readFile(path, 'utf8')) : {};
    const decision = shouldEvaluate(eventName, payload.action, payload);
    if (!decision.evaluate) {
      core.info(oneLine(decision.message));
      return;
    }
    const input = inputs();
    if (GROUP_EVENTS.has(eventName)) {
      const group = groupRefOf(eventName, payload, process.env.GITHUB_REPOSITORY);
      reporter = statusReporter(input, eventName, { owner: group.owner, repo: group.repo, sha: group.headSha });
      await judgeGroup(input, group, `${eventName}/${payload.action}`, reporter);
      return;
    }
    const pull = pullRefFromEvent(payload, process.env.GITHUB_REPOSITORY);
    reporter = statusReporter(input, eventName, { owner: pull.owner, repo: pull.repo, sha: pull.headSha });
    // Pending first: a required status must not stay green from an earlier run while this one judges.
    if (reporter) await setStatus(reporter, pendingStatus(reporter.context, reporter.targetUrl));
    const { result } = await gatePullRequest(client(input.token), pull, {
      configPath: input.config,
      packs: loadBuiltinPacks(),
      today: utcDay(new Date()),
      failOn: input.failOn,
    });
    await report(
      result,
      { owner: pull.owner, repo: pull.repo, number: pull.number, headSha: pull.headSha, baseSha: pull.baseSha, event: `${eventName}/${payload.action}` },
      input.sarifFile,
    );
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

/**
 * A merge group: every pull request the queue built into the group's commit, each judged as on
 * its own with the policy of the commit the queue built on; the status on the group's commit
 * passes only when every one does.
 */
async function judgeGroup(input: Inputs, group: GroupRef, event: string, reporter: StatusReporter | undefined): Promise<void> {
  if (reporter) await setStatus(reporter, pendingStatus(reporter.context, reporter.targetUrl, 'judging the merge group at this commit'));
  const api = client(input.token);
  const queue = await readMergeQueue(api, { owner: group.owner, repo: group.repo }, group.baseBranch);
  const found = groupOf(queue, group.headSha, group.baseBranch);
  if (!found.ok) throw new Error(found.reason);
  const packs = loadBuiltinPacks();
  const today = utcDay(new Date());
  const members: GroupReportContext['members'] = [];
  for (const entry of found.entries) {
    const pull: PullRef = {
      owner: group.owner,
      repo: group.repo,
      number: entry.number,
      headSha: entry.headRefOid,
      baseSha: found.baseSha,
      author: entry.author ?? 'ghost',
    };
    if (entry.authorIsBot) pull.authorIsBot = true;
    const { result } = await gatePullRequest(api, pull, { configPath: input.config, packs, today, failOn: input.failOn });
    members.push({ result, ctx: { owner: pull.owner, repo: pull.repo, number: pull.number, headSha: pull.headSha, baseSha: pull.baseSha, event } });
  }
  const verdict = groupVerdict(members.map((m) => ({ number: m.ctx.number, verdict: m.result.verdict, nextStep: m.result.nextStep })));
  const ctx: GroupReportContext = {
    owner: group.owner,
    repo: group.repo,
    headSha: group.headSha,
    headRef: group.headRef,
    baseBranch: group.baseBranch,
    baseSha: found.baseSha,
    event,
    members,
  };
  await reportGroup(verdict, ctx, input.sarifFile);
  if (reporter) await setStatus(reporter, verdictStatus(verdict, reporter.context, reporter.targetUrl));
  if (verdict.verdict === 'fail') core.setFailed(`access-ledger gate: ${oneLine(verdict.nextStep)}`);
  else core.info(`access-ledger gate: pass: ${oneLine(verdict.nextStep)}`);
}

async function reportGroup(verdict: { verdict: 'pass' | 'fail'; nextStep: string }, ctx: GroupReportContext, sarifFile: string): Promise<void> {
  for (const m of ctx.members) annotate(m.result, `#${m.ctx.number}`);
  const findings = ctx.members.flatMap((m) => m.result.findings);
  const reportPath = join(process.env.RUNNER_TEMP || tmpdir(), `access-ledger-gate-${ctx.headSha.slice(0, 12)}.json`);
  await writeFile(reportPath, JSON.stringify(groupReportJson(verdict, ctx), null, 2) + '\n');
  if (sarifFile) await writeSarif(sarifFile, findings);
  if (process.env.GITHUB_STEP_SUMMARY) await core.summary.addRaw(groupSummaryMarkdown(verdict, ctx)).write();
  core.setOutput('verdict', verdict.verdict);
  core.setOutput('findings', String(findings.length));
  core.setOutput('report-json', reportPath);
}

function annotate(result: GateResult, pull?: string): void {
  for (const f of result.findings) {
    const props: core.AnnotationProperties = { title: `access-ledger: ${oneLine(f.rule)}${pull ? ` (${pull})` : ''}` };
    if (f.file) {
      props.file = oneLine(f.file);
      if (f.line) props.startLine = f.line;
      if (f.column) props.startColumn = f.column;
    }
    if (f.severity === 'error') core.error(oneLine(f.message), props);
    else core.warning(oneLine(f.message), props);
  }
}

async function writeSarif(sarifFile: string, findings: GateResult['findings']): Promise<void> {
  const target = resolve(process.env.GITHUB_WORKSPACE || process.cwd(), sarifFile);
  await mkdir(dirname(target), { recursive: true });
  await writeFile(target, JSON.stringify(toSarif(findings, builtinRegistry().rules.values(), VERSION, { category: 'access-ledger/gate/' }), null, 2) + '\n');
}

/** Annotations, the JSON report, SARIF, the job summary and the outputs; the caller fails the step. */
async function report(result: GateResult, ctx: ReportContext, sarifFile: string): Promise<void> {
  annotate(result);

  const reportPath = join(process.env.RUNNER_TEMP || tmpdir(), `access-ledger-gate-${ctx.number}.json`);
  await writeFile(reportPath, JSON.stringify(reportJson(result, ctx), null, 2) + '\n');
  if (sarifFile) await writeSarif(sarifFile, result.findings);
  if (process.env.GITHUB_STEP_SUMMARY) await core.summary.addRaw(summaryMarkdown(result, ctx)).write();

  core.setOutput('verdict', result.verdict);
  core.setOutput('findings', String(result.findings.length));
  core.setOutput('report-json', reportPath);
}
