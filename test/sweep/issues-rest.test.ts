/**
 * The issue lifecycle against the stateful fake GitHub: each action leaves the issue as it should
 * be (body, state, labels, assignees, the comment that explains), costs no request when there is
 * nothing to do, and a repository with Issues turned off is logged, not fatal.
 */
import { Octokit } from '@octokit/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WriteBudget, executeIssuePlan, listOpenManagedIssues, type SweepOctokit } from '../../src/adapters/github/issues.ts';
import { MANAGED_LABEL, formatStaleMarker, type DesiredIssue, type IssueAction, type ManagedIssue } from '../../src/core/stale/index.ts';
import { startFakeGitHub, type FakeGitHub, type Issue } from '../support/fake-github/index.ts';
import { refuseRealConnections } from '../support/no-network.ts';

refuseRealConnections();

const REPO = 'acme/access';
const HASH_OLD = '0'.repeat(16);
const HASH_NEW = '1'.repeat(16);

const desired: DesiredIssue = {
  key: 'expired:bob',
  kind: 'expired',
  id: 'bob',
  title: 'Access expired: bob',
  body: `${formatStaleMarker({ id: 'bob', kind: 'expired', hash: HASH_NEW })}\nnew text\n`,
  hash: HASH_NEW,
  labels: [MANAGED_LABEL, 'access-ledger'],
  assignees: ['alice'],
  summary: 'access of `bob` to prod-postgres is past its expiry',
  urgent: false,
  priority: 1,
  path: 'grants/bob.yaml',
};
const managed = (issue: Issue, o: Partial<ManagedIssue> = {}): ManagedIssue => ({
  number: issue.number,
  state: issue.state,
  kind: 'expired',
  id: 'bob',
  hash: HASH_OLD,
  updatedAt: issue.updatedAt,
  title: issue.title,
  ...o,
});

let gh: FakeGitHub;
let now: Date;
let octokit: SweepOctokit;
const warnings: string[] = [];

beforeEach(async () => {
  now = new Date('2026-11-25T10:00:00Z');
  gh = await startFakeGitHub({ now: () => now });
  gh.state.createOrg('acme', { members: ['alice', 'carol'] });
  gh.state.createRepo(REPO);
  warnings.length = 0;
});

afterEach(async () => {
  expect(gh.errors).toEqual([]);
  await gh.close();
});

/** An installation token as of the fake's clock now (they last an hour). */
function mintToken(): void {
  octokit = new Octokit({ baseUrl: gh.url, auth: gh.createInstallationToken(gh.state.installationFor('acme')!.id) }) as unknown as SweepOctokit;
}

function run(actions: IssueAction[], maxWrites = 100) {
  now = new Date('2026-11-26T06:00:00Z');
  mintToken();
  gh.resetCalls();
  const budget = new WriteBudget({ maxWrites });
  return executeIssuePlan(actions, {
    octokit,
    repo: { owner: 'acme', repo: 'access' },
    budget,
    today: '2026-11-26',
    reminderDays: 7,
    branch: 'main',
    log: { info() {}, warn: (m) => warnings.push(m) },
  });
}

/** An issue the sweep opened earlier about bob's expired access, with the hash of what it said then. */
function staleIssue(o: { hash?: string; at?: string; closed?: boolean; body?: string; id?: string } = {}): Issue {
  if (o.at) now = new Date(o.at);
  const issue = gh.state.createIssue(REPO, {
    author: 'access-ledger[bot]',
    title: 'Access expired: bob',
    body: o.body ?? `${formatStaleMarker({ id: o.id ?? 'bob', kind: 'expired', hash: o.hash ?? HASH_OLD })}\nold text\n`,
    labels: [MANAGED_LABEL],
  });
  if (o.closed) gh.state.closeIssue(issue, gh.state.user('carol'));
  return issue;
}

const comments = (issue: Issue) => issue.comments.map((c) => c.body);
const writes = () => gh.requests.filter((r) => r.contentCreating && !r.route.includes('/access_tokens')).map((r) => r.route);

describe('the issue lifecycle against the REST API', () => {
  it('create: opens the issue with labels and the owner assigned, then checks for a duplicate', async () => {
    const report = await run([{ type: 'create', desired }]);
    const [issue] = gh.state.listIssues(REPO);
    expect(report.created).toEqual([issue!.number]);
    expect(report.duplicatesClosed).toEqual([]);
    expect(issue).toMatchObject({ title: desired.title, body: desired.body, state: 'open', labels: desired.labels, assignees: ['alice'] });
    expect(issue!.user.login).toBe('access-ledger[bot]');
  });

  it('no-op: an unchanged issue costs no request at all', async () => {
    const issue = staleIssue({ hash: HASH_NEW });
    const report = await run([{ type: 'no-op', issue: managed(issue, { hash: HASH_NEW }), desired }]);
    expect(report.results).toEqual([]);
    expect(gh.requests).toEqual([]);
  });

  it('update: re-reads the issue, edits the body, then says what changed in a comment', async () => {
    const issue = staleIssue();
    await run([{ type: 'update', issue: managed(issue), desired }]);
    expect(issue).toMatchObject({ body: desired.body, state: 'open' });
    expect(comments(issue)).toEqual([expect.stringMatching(/^The problem changed on `main`: access of `bob`/)]);
    // The comment follows the edit, so it describes the body the issue has.
    expect(writes()).toEqual(['PATCH /repos/{owner}/{repo}/issues/{issue_number}', 'POST /repos/{owner}/{repo}/issues/{issue_number}/comments']);
  });

  it('update: skipped when another sweep already brought the issue up to date', async () => {
    const issue = staleIssue({ hash: HASH_NEW });
    const before = issue.body;
    const report = await run([{ type: 'update', issue: managed(issue), desired }]);
    expect(report.results[0]!.outcome).toBe('skipped');
    expect(issue.body).toBe(before);
    expect(writes()).toEqual([]);
  });

  it('close: explains in a comment, then closes as completed', async () => {
    const issue = staleIssue();
    await run([{ type: 'close', issue: managed(issue), comment: 'fixed. Closing.' }]);
    expect(issue).toMatchObject({ state: 'closed', stateReason: 'completed' });
    expect(comments(issue)).toEqual(['fixed. Closing.']);
    expect(writes()).toEqual(['POST /repos/{owner}/{repo}/issues/{issue_number}/comments', 'PATCH /repos/{owner}/{repo}/issues/{issue_number}']);
  });

  it('reopen: reopens with the new body, then says why', async () => {
    const issue = staleIssue({ closed: true });
    await run([{ type: 'reopen', issue: managed(issue, { state: 'closed' }), desired }]);
    expect(issue).toMatchObject({ state: 'open', body: desired.body });
    expect(comments(issue)).toEqual([expect.stringMatching(/^Reopening: the problem is present on `main` again/)]);
  });

  it('remind: comments only when the issue has been quiet for reminder_days', async () => {
    const quiet = staleIssue({ hash: HASH_NEW, at: '2026-11-19T08:00:00Z' });
    const recent = staleIssue({ hash: HASH_NEW, at: '2026-11-24T08:00:00Z' });
    const report = await run([
      { type: 'remind', issue: managed(quiet, { hash: HASH_NEW }), desired },
      // The plan saw it quiet; GitHub says someone spoke since: no reminder.
      { type: 'remind', issue: managed(recent, { hash: HASH_NEW, updatedAt: '2026-11-01T08:00:00Z' }), desired },
    ]);
    expect(report.results.map((r) => r.outcome)).toEqual(['done', 'skipped']);
    expect(comments(quiet)).toEqual([expect.stringMatching(/^Reminder: /)]);
    expect(comments(recent)).toEqual([]);
  });

  it('issues disabled (410): logs what to do and carries on without throwing', async () => {
    gh.state.repo(REPO).hasIssues = false;
    const report = await run([
      { type: 'create', desired },
      { type: 'create', desired: { ...desired, key: 'expired:eve', id: 'eve' } },
    ]);
    expect(report.disabled).toBe(true);
    expect(warnings).toEqual([expect.stringMatching(/Issues are disabled in acme\/access.*Turn Issues on/)]);
    expect(gh.callCount('POST /repos/{owner}/{repo}/issues')).toBe(1);
  });

  it('an owner who cannot be assigned does not block the issue: it is opened unassigned', async () => {
    gh.state.removeOrgMember('acme', 'alice');
    const report = await run([{ type: 'create', desired }]);
    const [issue] = gh.state.listIssues(REPO);
    expect(report.created).toEqual([issue!.number]);
    expect(issue).toMatchObject({ title: desired.title, assignees: [], labels: desired.labels });
  });

  it('a full budget defers the rest, never half an action', async () => {
    const issue = staleIssue();
    const report = await run([{ type: 'close', issue: managed(issue), comment: 'x' }], 1);
    expect(report.results.map((r) => r.outcome)).toEqual(['deferred']);
    expect(issue.state).toBe('open');
    expect(comments(issue)).toEqual([]);
  });

  it('lists open managed issues across pages, skipping pull requests, closed issues and issues without a marker', async () => {
    const pr = gh.state.openPullRequest(REPO, { author: 'carol', title: 'Looks like one', files: { 'x.txt': 'x\n' } });
    gh.state.pullOf(REPO, pr).issue.labels = [MANAGED_LABEL];
    staleIssue({ body: 'no marker' });
    staleIssue({ closed: true });
    for (let i = 0; i < 98; i++) staleIssue({ id: `u${i}` });
    const last = staleIssue();
    mintToken();
    gh.resetCalls();
    const issues = await listOpenManagedIssues(octokit, { owner: 'acme', repo: 'access' });
    expect(issues).toHaveLength(99);
    expect(issues.at(-1)).toMatchObject({ number: last.number, kind: 'expired', id: 'bob', hash: HASH_OLD, state: 'open' });
    expect(gh.callCount('GET /repos/{owner}/{repo}/issues')).toBe(2);
  });
});
