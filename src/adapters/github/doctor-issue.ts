/**
 * The one doctor issue against GitHub: list the issues carrying the doctor's label, plan with the
 * core (src/core/doctor/issue.ts), and carry the plan out within the sweep's write budget, as the
 * stale-grant issues are (src/adapters/github/issues.ts): each write to an existing issue reads
 * it again first and is skipped when another sweep already made it; after opening the issue the
 * open ones are listed again and a newer duplicate is closed.
 */
import {
  DOCTOR_LABEL,
  desiredDoctorIssue,
  doctorIssueWrites,
  planDoctorIssue,
  toDoctorIssue,
  type DesiredDoctorIssue,
  type DoctorIssue,
  type DoctorIssueAction,
  type DoctorReport,
} from '../../core/doctor/index.ts';
import { IssuesDisabledError, call, listAll, silentLogger, type Logger, type WriteBudget, type RepoRef, type SweepOctokit } from './issues.ts';

export interface DoctorIssueOptions {
  octokit: SweepOctokit;
  repo: RepoRef;
  budget: WriteBudget;
  report: DoctorReport;
  /** The config's `admins`, copied on the issue. */
  admins?: readonly string[];
  /** Labels besides the doctor's (the config's `stale.labels`). */
  labels?: readonly string[];
  /** Plan only. */
  dryRun?: boolean;
  log?: Logger;
}

export interface DoctorIssueResult {
  report: DoctorReport;
  plan: DoctorIssueAction[];
  /** What was written, per action (no-ops excluded). */
  done: { action: DoctorIssueAction; number: number; outcome: 'done' | 'skipped' | 'deferred' }[];
  /** Issues are turned off: no issue can be kept (the report is still there). */
  issuesDisabled: boolean;
}

interface IssueData {
  number: number;
  state: string;
  body?: string | null;
  state_reason?: string | null;
  pull_request?: unknown;
}

async function listDoctorIssues(octokit: SweepOctokit, repo: RepoRef, state: 'all' | 'open'): Promise<DoctorIssue[]> {
  const issues = await listAll<IssueData>(
    octokit,
    'GET /repos/{owner}/{repo}/issues',
    { state, labels: DOCTOR_LABEL, sort: 'created', direction: 'asc' },
    repo,
    'listing the doctor issues',
  );
  return issues.map(toDoctorIssue).filter((i): i is DoctorIssue => i !== undefined);
}

async function fresh(o: DoctorIssueOptions, number: number): Promise<DoctorIssue | undefined> {
  return toDoctorIssue(
    await call<IssueData>(
      o.octokit,
      'GET /repos/{owner}/{repo}/issues/{issue_number}',
      { issue_number: number },
      o.repo,
      `reading issue #${number}`,
      'issues: read',
    ),
  );
}

async function comment(o: DoctorIssueOptions, number: number, body: string): Promise<void> {
  await o.budget.write(() =>
    call(o.octokit, 'POST /repos/{owner}/{repo}/issues/{issue_number}/comments', { issue_number: number, body }, o.repo, `commenting on issue #${number}`),
  );
}

async function patch(o: DoctorIssueOptions, number: number, fields: Record<string, unknown>, what: string): Promise<void> {
  await o.budget.write(() =>
    call(o.octokit, 'PATCH /repos/{owner}/{repo}/issues/{issue_number}', { issue_number: number, ...fields }, o.repo, `${what} issue #${number}`),
  );
}

async function create(o: DoctorIssueOptions, d: DesiredDoctorIssue): Promise<number> {
  const issue = await o.budget.write(() =>
    call<IssueData>(o.octokit, 'POST /repos/{owner}/{repo}/issues', { title: d.title, body: d.body, labels: d.labels }, o.repo, 'opening the doctor issue'),
  );
  return issue.number;
}

async function execute(o: DoctorIssueOptions, a: DoctorIssueAction): Promise<{ number: number; outcome: 'done' | 'skipped' }> {
  switch (a.type) {
    case 'create':
      return { number: await create(o, a.desired), outcome: 'done' };
    case 'update': {
      const now = await fresh(o, a.issue.number);
      if (now?.state !== 'open' || now.hash === a.desired.hash) return { number: a.issue.number, outcome: 'skipped' };
      await patch(o, a.issue.number, { title: a.desired.title, body: a.desired.body }, 'updating');
      await comment(o, a.issue.number, a.comment);
      return { number: a.issue.number, outcome: 'done' };
    }
    case 'reopen': {
      const now = await fresh(o, a.issue.number);
      if (!now || now.state === 'open') return { number: a.issue.number, outcome: 'skipped' };
      await patch(o, a.issue.number, { state: 'open', title: a.desired.title, body: a.desired.body }, 'reopening');
      await comment(o, a.issue.number, a.comment);
      return { number: a.issue.number, outcome: 'done' };
    }
    case 'close':
    case 'close-duplicate': {
      const now = await fresh(o, a.issue.number);
      if (now?.state !== 'open') return { number: a.issue.number, outcome: 'skipped' };
      await comment(o, a.issue.number, a.comment);
      await patch(o, a.issue.number, { state: 'closed', state_reason: a.type === 'close' ? 'completed' : 'not_planned' }, 'closing');
      return { number: a.issue.number, outcome: 'done' };
    }
    case 'no-op':
      return { number: a.issue.number, outcome: 'skipped' };
  }
}

/** Keeps the one doctor issue in step with the report. */
export async function keepDoctorIssue(o: DoctorIssueOptions): Promise<DoctorIssueResult> {
  const log = o.log ?? silentLogger;
  const result: DoctorIssueResult = { report: o.report, plan: [], done: [], issuesDisabled: false };
  const desired = desiredDoctorIssue(o.report, o.labels ?? [], o.admins ?? []);
  try {
    result.plan = planDoctorIssue(desired, await listDoctorIssues(o.octokit, o.repo, 'all'));
    if (o.dryRun) return result;
    let created = false;
    for (const action of result.plan) {
      if (action.type === 'no-op') continue;
      // An opened issue keeps two writes in reserve, to close a duplicate a concurrent sweep opened.
      const cost = doctorIssueWrites(action) + (action.type === 'create' ? 2 : 0);
      if (o.budget.remaining < cost) {
        result.done.push({ action, number: 'issue' in action ? action.issue.number : 0, outcome: 'deferred' });
        continue;
      }
      const r = await execute(o, action);
      result.done.push({ action, ...r });
      if (action.type === 'create') created = true;
    }
    if (created) {
      const open = (await listDoctorIssues(o.octokit, o.repo, 'open')).sort((a, b) => a.number - b.number);
      for (const dup of open.slice(1)) {
        if (o.budget.remaining < 2) break;
        const action: DoctorIssueAction = {
          type: 'close-duplicate',
          issue: dup,
          of: open[0]!.number,
          comment: `Duplicate of #${open[0]!.number}, which tracks the same setup (two sweeps ran at once). Closing this one.`,
        };
        result.done.push({ action, ...(await execute(o, action)) });
      }
    }
  } catch (err) {
    if (!(err instanceof IssuesDisabledError)) throw err;
    log.warn(err.message);
    result.issuesDisabled = true;
  }
  return result;
}
