/**
 * The stale-grant issue lifecycle against GitHub: list the managed issues, then carry out a plan
 * from the core (src/core/stale/plan.ts). Writes are capped per run (`stale.max_writes_per_run`)
 * and paced by the Octokit they go through (at most one a second by when each is sent, under
 * GitHub's 80 content-creating requests a minute: src/adapters/github/pacing.ts). Nothing
 * is remembered between runs: the next run lists the issues again and plans only what is left.
 *
 * Two sweeps at once (two replicas firing their daily schedule together) are expected:
 * - before each write to an existing issue the issue is read again, and the write is skipped when
 *   the other sweep already did it (same hash, already closed, reminded recently);
 * - after creating issues the open managed issues are listed again, and where two open issues
 *   carry the same marker the newer one is closed as a duplicate of the older. Issue numbers grow
 *   with time, so whichever sweep created the later issue sees both and closes its own.
 */
import { daysBetween, utcDay } from '../../core/dates.ts';
import type { IsoDate } from '../../core/model/types.ts';
import { MANAGED_LABEL, keyOf, planIssues, toManagedIssue, writesOf, type DesiredIssue, type IssueAction, type ManagedIssue } from '../../core/stale/index.ts';
import { GitHubApiError, errorStatus, githubMessage } from './errors.ts';
import { gitHubPort, type GitHubRequester, type RepoRef } from './port.ts';
import { mdCode } from '../../core/text/escape.ts';

/** What the sweep uses of the GitHub port (src/adapters/github/port.ts): REST requests. */
export type SweepOctokit = GitHubRequester;
export type { RepoRef };

export interface Logger {
  info(message: string): void;
  warn(message: string): void;
}

export const silentLogger: Logger = { info() {}, warn() {} };

/** GitHub answers 410 Gone on issue routes of a repository whose Issues are turned off. */
export class IssuesDisabledError extends Error {
  override name = 'IssuesDisabledError';
}

interface IssueData {
  number: number;
  state: string;
  state_reason?: string | null;
  title: string;
  body?: string | null;
  updated_at: string;
  html_url?: string;
  pull_request?: unknown;
}

export async function call<T>(
  octokit: SweepOctokit,
  route: string,
  params: Record<string, unknown>,
  repo: RepoRef,
  action: string,
  permission = 'issues: write',
): Promise<T> {
  try {
    return await gitHubPort(octokit).call<T>(route, params, { action, permission, repo });
  } catch (err) {
    throw issuesDisabled(err, repo, action);
  }
}

/** GitHub's 410 on an issue route: Issues are off in the repository (any other error stands). */
function issuesDisabled(err: unknown, repo: RepoRef, action: string): unknown {
  const original = err instanceof GitHubApiError ? err.cause : err;
  if (errorStatus(original) === 410 && /issue/i.test(githubMessage(original))) {
    return new IssuesDisabledError(
      `Issues are disabled in ${repo.owner}/${repo.repo}: the sweep cannot ${action}. Turn Issues on in the repository's settings to get stale-grant issues.`,
    );
  }
  return err;
}

/** Every page of a list endpoint, through the GitHub port; fails closed (never a silently truncated list) past `maxPages`. */
export async function listAll<T>(
  octokit: SweepOctokit,
  route: string,
  params: Record<string, unknown>,
  repo: RepoRef,
  action: string,
  maxPages = 500,
  permission = 'issues: read',
): Promise<T[]> {
  try {
    return await gitHubPort(octokit).paginate<T>(
      route,
      params,
      { action, permission, repo },
      { maxPages, narrow: 'A truncated list could make the sweep open duplicate issues.' },
    );
  } catch (err) {
    throw issuesDisabled(err, repo, action);
  }
}

/** The open issues that carry a stale marker (reads: one per 100 open issues with the managed label). */
export async function listOpenManagedIssues(octokit: SweepOctokit, repo: RepoRef, since?: string): Promise<ManagedIssue[]> {
  const params = { state: 'open', labels: MANAGED_LABEL, sort: 'created', direction: 'asc', ...(since ? { since } : {}) };
  const issues = await listAll<IssueData>(octokit, 'GET /repos/{owner}/{repo}/issues', params, repo, 'listing the open stale-grant issues');
  return issues.map(toManagedIssue).filter((i): i is ManagedIssue => i !== undefined);
}

/**
 * Managed issues closed within the last `days`: the candidates to reopen when a problem comes back.
 * Read only when some problem has no open issue, so a quiet day costs nothing here.
 */
export async function listRecentlyClosedManagedIssues(octokit: SweepOctokit, repo: RepoRef, today: IsoDate, days: number): Promise<ManagedIssue[]> {
  const since = `${utcDay(new Date(Date.parse(`${today}T00:00:00Z`) - days * 86_400_000))}T00:00:00Z`;
  const issues = await listAll<IssueData>(
    octokit,
    'GET /repos/{owner}/{repo}/issues',
    { state: 'closed', labels: MANAGED_LABEL, since, sort: 'updated', direction: 'desc' },
    repo,
    'listing recently closed stale-grant issues',
  );
  return issues.map(toManagedIssue).filter((i): i is ManagedIssue => i !== undefined);
}

/**
 * A run's write budget (`stale.max_writes_per_run`): counts the writes of a run and refuses past
 * the cap. Spacing writes in time is not its job: the Octokit the writes go through paces every
 * write of the process by when it is sent (src/adapters/github/pacing.ts).
 */
export class WriteBudget {
  readonly maxWrites: number;
  writes = 0;

  constructor(o: { maxWrites: number }) {
    this.maxWrites = o.maxWrites;
  }

  get remaining(): number {
    return Math.max(0, this.maxWrites - this.writes);
  }

  /** Runs one write against the budget. Throws when the cap is spent (callers check `remaining` first). */
  async write<T>(fn: () => Promise<T>): Promise<T> {
    if (this.writes >= this.maxWrites) throw new Error('the write budget of this run is spent');
    this.writes++;
    return fn();
  }
}

export type ActionOutcome = 'done' | 'skipped' | 'deferred';

export interface ExecutionReport {
  /** Per action of the plan (no-ops excluded), in order. */
  results: { action: IssueAction; outcome: ActionOutcome; number?: number; note?: string }[];
  created: number[];
  duplicatesClosed: number[];
  /** Issues are turned off in the repository: nothing was written. */
  disabled: boolean;
}

export interface ExecuteOptions {
  octokit: SweepOctokit;
  repo: RepoRef;
  budget: WriteBudget;
  today: IsoDate;
  reminderDays: number;
  branch: string;
  log?: Logger;
  /** Runs right before an issue is opened (e.g. to record the evidence the issue is about first). */
  beforeCreate?: (desired: DesiredIssue) => Promise<void>;
  /**
   * When this run listed the issues. The check for duplicates then lists only issues updated
   * since shortly before (a duplicate was opened after that listing, or this run would have seen
   * it): one page on a normal day instead of every open issue again.
   */
  listedAt?: Date;
}

/** Slack for clocks: the App's and GitHub's may disagree by a few minutes. */
const LISTING_SLACK_MS = 10 * 60_000;

/**
 * Which actions a budget of `writes` leaves for the next run, spending it as executeIssuePlan
 * does (creates keep a reserve for a duplicate, released when the reserve blocks the next action;
 * assumes no duplicate turns up). Used by the dry run to say what would wait.
 */
export function deferredWithin(actions: readonly IssueAction[], writes: number): { deferred: IssueAction[]; left: number } {
  let remaining = writes;
  let reserved = 0;
  const deferred: IssueAction[] = [];
  for (const a of actions) {
    const own = writesOf(a);
    const cost = own + (a.type === 'create' ? DUPLICATE_RESERVE : 0);
    if (cost === 0) continue;
    if (remaining - reserved < cost && reserved > 0) reserved = 0;
    if (remaining - reserved < cost) {
      deferred.push(a);
      continue;
    }
    remaining -= own;
    if (a.type === 'create') reserved += DUPLICATE_RESERVE;
  }
  return { deferred, left: remaining };
}

/** Writes to close one duplicate: a comment and the close. */
const DUPLICATE_RESERVE = 2;

const footer = (reminderDays: number) => `\n\n<sub>access-ledger sweep · reminders at most every ${reminderDays} days (\`stale.reminder_days\`)</sub>`;

function commentFor(action: IssueAction, o: ExecuteOptions): string {
  const on = `on ${mdCode(o.branch, 100)}`;
  switch (action.type) {
    case 'update':
      return `The problem changed ${on}: ${action.desired.summary}. The description above now says what to do.${footer(o.reminderDays)}`;
    case 'reopen':
      return `Reopening: the problem is present ${on} again: ${action.desired.summary}. The description above says what to do.${footer(o.reminderDays)}`;
    case 'remind':
      return `Reminder: ${action.desired.summary}, still ${on}. The description above says what to do; this issue closes itself once the grant is fixed.${footer(o.reminderDays)}`;
    case 'close':
    case 'close-duplicate':
      return action.comment;
    default:
      return '';
  }
}

/**
 * Carries out the plan's actions in order while the budget lasts, then removes duplicates a
 * concurrent sweep may have created. Issues being disabled is logged, not thrown: the rest of the
 * sweep (reviews, the ledger) goes on.
 */
export async function executeIssuePlan(actions: readonly IssueAction[], o: ExecuteOptions): Promise<ExecutionReport> {
  const log = o.log ?? silentLogger;
  const report: ExecutionReport = { results: [], created: [], duplicatesClosed: [], disabled: false };
  const createdKeys = new Set<string>();
  // Each create keeps two writes in reserve to close a duplicate a concurrent sweep may have
  // opened for the same problem, so the run never ends holding a duplicate it could not close.
  // When the reserve blocks further work, the duplicates are settled and the reserve released.
  let reserved = 0;
  const settle = async () => {
    if (createdKeys.size > 0) report.duplicatesClosed.push(...(await closeDuplicates(o, createdKeys)));
    createdKeys.clear();
    reserved = 0;
  };
  try {
    for (const action of actions) {
      const cost = writesOf(action) + (action.type === 'create' ? DUPLICATE_RESERVE : 0);
      if (cost === 0) continue;
      if (o.budget.remaining - reserved < cost && reserved > 0) await settle();
      if (o.budget.remaining - reserved < cost) {
        report.results.push({ action, outcome: 'deferred' });
        continue;
      }
      if (action.type === 'create') reserved += DUPLICATE_RESERVE;
      const result = await executeOne(action, o);
      report.results.push({ action, ...result });
      if (action.type === 'create' && result.number !== undefined) {
        report.created.push(result.number);
        createdKeys.add(action.desired.key);
      }
    }
    await settle();
  } catch (err) {
    if (!(err instanceof IssuesDisabledError)) throw err;
    log.warn(err.message);
    report.disabled = true;
  }
  return report;
}

async function fresh(o: ExecuteOptions, number: number): Promise<ManagedIssue | undefined> {
  const data = await call<IssueData>(
    o.octokit,
    'GET /repos/{owner}/{repo}/issues/{issue_number}',
    { issue_number: number },
    o.repo,
    `reading issue #${number}`,
    'issues: read',
  );
  return toManagedIssue(data);
}

async function comment(o: ExecuteOptions, number: number, body: string): Promise<void> {
  await o.budget.write(() =>
    call(o.octokit, 'POST /repos/{owner}/{repo}/issues/{issue_number}/comments', { issue_number: number, body }, o.repo, `commenting on issue #${number}`),
  );
}

async function patch(o: ExecuteOptions, number: number, fields: Record<string, unknown>, what: string): Promise<void> {
  await o.budget.write(() =>
    call(o.octokit, 'PATCH /repos/{owner}/{repo}/issues/{issue_number}', { issue_number: number, ...fields }, o.repo, `${what} issue #${number}`),
  );
}

async function create(o: ExecuteOptions, d: DesiredIssue): Promise<number> {
  const params = { title: d.title, body: d.body, labels: d.labels, ...(d.assignees.length ? { assignees: d.assignees } : {}) };
  try {
    const issue = await o.budget.write(() =>
      call<IssueData>(o.octokit, 'POST /repos/{owner}/{repo}/issues', params, o.repo, `opening the ${d.kind} issue for ${d.id}`),
    );
    return issue.number;
  } catch (err) {
    // An owner who cannot be assigned (no access to the repo) must not block the issue: the body
    // names them, so open it unassigned. That costs one more write, if the budget has one.
    if (err instanceof GitHubApiError && err.status === 422 && d.assignees.length > 0 && o.budget.remaining > 0) {
      const { assignees: _dropped, ...rest } = params as typeof params & { assignees?: string[] };
      const issue = await o.budget.write(() =>
        call<IssueData>(o.octokit, 'POST /repos/{owner}/{repo}/issues', rest, o.repo, `opening the ${d.kind} issue for ${d.id}`),
      );
      return issue.number;
    }
    throw err;
  }
}

async function executeOne(action: IssueAction, o: ExecuteOptions): Promise<{ outcome: ActionOutcome; number?: number; note?: string }> {
  switch (action.type) {
    case 'create': {
      await o.beforeCreate?.(action.desired);
      const number = await create(o, action.desired);
      return { outcome: 'done', number };
    }
    case 'update': {
      const now = await fresh(o, action.issue.number);
      if (now?.state !== 'open' || now.hash === action.desired.hash) return { outcome: 'skipped', number: action.issue.number, note: 'already current' };
      await patch(o, action.issue.number, { body: action.desired.body }, 'updating');
      await comment(o, action.issue.number, commentFor(action, o));
      return { outcome: 'done', number: action.issue.number };
    }
    case 'reopen': {
      const now = await fresh(o, action.issue.number);
      if (!now || now.state === 'open') return { outcome: 'skipped', number: action.issue.number, note: 'already open' };
      await patch(o, action.issue.number, { state: 'open', ...(now.hash !== action.desired.hash ? { body: action.desired.body } : {}) }, 'reopening');
      await comment(o, action.issue.number, commentFor(action, o));
      return { outcome: 'done', number: action.issue.number };
    }
    case 'remind': {
      const now = await fresh(o, action.issue.number);
      if (now?.state !== 'open' || daysBetween(utcDay(new Date(now.updatedAt)), o.today) < o.reminderDays) {
        return { outcome: 'skipped', number: action.issue.number, note: 'recent activity' };
      }
      await comment(o, action.issue.number, commentFor(action, o));
      return { outcome: 'done', number: action.issue.number };
    }
    case 'close':
    case 'close-duplicate': {
      const now = await fresh(o, action.issue.number);
      if (now?.state !== 'open') return { outcome: 'skipped', number: action.issue.number, note: 'already closed' };
      await comment(o, action.issue.number, commentFor(action, o));
      await patch(o, action.issue.number, { state: 'closed', state_reason: action.type === 'close' ? 'completed' : 'not_planned' }, 'closing');
      return { outcome: 'done', number: action.issue.number };
    }
    case 'no-op':
      return { outcome: 'skipped' };
  }
}

/** Lists the open managed issues again and closes the newer of any pair carrying one of `keys`. */
async function closeDuplicates(o: ExecuteOptions, keys: ReadonlySet<string>): Promise<number[]> {
  const since = o.listedAt ? new Date(o.listedAt.getTime() - LISTING_SLACK_MS).toISOString().replace(/\.\d{3}Z$/, 'Z') : undefined;
  const open = (await listOpenManagedIssues(o.octokit, o.repo, since)).filter((i) => keys.has(keyOf(i)));
  const dupes = planIssues({ desired: [], existing: open, today: o.today, reminderDays: o.reminderDays, grantIds: new Set(), branch: o.branch }).filter(
    (a): a is Extract<IssueAction, { type: 'close-duplicate' }> => a.type === 'close-duplicate',
  );
  const closed: number[] = [];
  for (const d of dupes) {
    if (o.budget.remaining < writesOf(d)) break; // the next run closes it first thing
    const now = await fresh(o, d.issue.number);
    if (now?.state !== 'open') continue; // the other sweep closed it already
    await comment(o, d.issue.number, d.comment);
    await patch(o, d.issue.number, { state: 'closed', state_reason: 'not_planned' }, 'closing duplicate');
    closed.push(d.issue.number);
  }
  return closed;
}
