/**
 * The App's webhook handlers, driven the way GitHub drives them (Probot receiving the fake's
 * payloads for what happened in it), against the stateful fake GitHub: each test asserts what
 * ends up on the ledger branch, in the pull request's comments and in the issues, not which
 * requests were sent in which order.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hashRecord, parseRecordMarkers, verifyLedgerState, type SealedRecord } from '../../src/core/ledger/index.ts';
import { COMMENT_MARKER } from '../../src/core/records/comment.ts';
import { refuseRealConnections } from '../support/no-network.ts';
import { APP_LOGIN } from '../support/ledger-keys.ts';
import { ACCESS, GRANT_PATH, LiveOctokit, appWorld, blobSha, grantFile, mergeBobsGrant, testDeps, type AppWorld } from './support.ts';

refuseRealConnections();

const BOB = grantFile('bob');
const RECORD_PATH = 'records/2026/11/20/pr-2-merged.json';
const COMMENTS = 'POST /repos/{owner}/{repo}/issues/{issue_number}/comments';
const ISSUES = 'POST /repos/{owner}/{repo}/issues';

let w: AppWorld;

beforeEach(async () => {
  w = await appWorld();
});

afterEach(async () => {
  expect(w.gh.errors).toEqual([]);
  await w.gh.close();
});

const records = (): SealedRecord[] => w.ledger().records.map((r) => JSON.parse(r.content) as SealedRecord);
const commentsOn = (number: number) => w.gh.state.pullOf(ACCESS, number).issue.comments;
const adminIssues = () => w.gh.state.listIssues(ACCESS, { labels: ['unapproved-merge'] });

async function receiveClosed(number: number, deps = testDeps(), Octokit?: Parameters<AppWorld['probot']>[1], id = 'delivery-1') {
  const probot = await w.probot(deps, Octokit);
  await probot.receive({ id, name: 'pull_request', payload: w.gh.payloads.pullRequest('closed', ACCESS, number) as never });
  expect(await deps.work.drain(60_000)).toBe(true);
  return probot;
}

/** The gate ran on pull_request_target: no check run on the head, its status access-ledger/gate failing there. */
function gateFailedOn(head: string): void {
  w.gh.state.createStatus(ACCESS, { sha: head, state: 'success', context: 'ci/lint', creator: 'github-actions[bot]' });
  w.gh.state.createStatus(ACCESS, {
    sha: head,
    state: 'failure',
    context: 'access-ledger/gate',
    description: 'needs 1 more approval from @acme/dba',
    creator: 'github-actions[bot]',
  });
}

describe('pull_request.closed, merged', () => {
  it('records one grant-change naming every approver with the commit approved, and comments its hash', async () => {
    const pr = mergeBobsGrant(w);
    expect(pr.number).toBe(2);
    w.gh.resetCalls();
    await receiveClosed(pr.number);

    // Two queries for the facts: the base's config and systems with the pull request's listings, then the head's grant.
    expect(w.gh.callCount('POST /graphql')).toBe(2);

    // The ledger: a genesis commit, then one commit with the record; the chain verifies.
    const { records: files, head } = w.ledger();
    expect(files.map((r) => r.path)).toEqual([RECORD_PATH]);
    expect(verifyLedgerState({ records: files, head }).problems).toEqual([]);
    expect(w.ledgerCommits()).toHaveLength(2);
    // The query saw no ledger branch: no REST read of the record's path; the branch is created.
    expect(w.gh.callCount('GET /repos/{owner}/{repo}/contents/{path}')).toBe(0);
    expect(w.gh.callCount('POST /repos/{owner}/{repo}/git/refs')).toBe(1);
    expect(w.gh.callCount('PATCH /repos/{owner}/{repo}/git/refs/{ref}')).toBe(0);

    const record = JSON.parse(files[0]!.content) as SealedRecord<'grant-change'>;
    expect(record.hash).toBe(hashRecord(record));
    expect(record).toMatchObject({
      kind: 'grant-change',
      key: 'pr-2-merged',
      seq: 1,
      prev_hash: null,
      occurred_at: '2026-11-20T10:00:00Z',
      recorded_at: '2026-11-20T10:00:07Z',
      repository: ACCESS,
    });
    expect(record.subject.pr).toEqual({
      number: 2,
      title: 'Grant bob read access to prod-postgres',
      url: `https://github.com/${ACCESS}/pull/2`,
      author: 'Codertocat',
      created_at: '2026-11-18T09:00:00Z',
      merged_at: '2026-11-20T10:00:00Z',
      merged_by: 'carol',
    });
    expect([record.subject.base_sha, record.subject.head_sha, record.subject.merge_sha]).toEqual([pr.base, pr.head, pr.merge]);
    expect(record.subject.changes).toEqual([
      {
        path: GRANT_PATH,
        identity: 'bob',
        kind: 'human',
        action: 'added',
        before_blob: null,
        after_blob: blobSha(BOB),
        entries: [{ system: 'prod-postgres', role: 'read', privileged: false, action: 'added', expires: '2027-01-31', widens: true }],
        // The gate's judgement, recorded beside the change: a new grant widens for every principal.
        widens: true,
        widening: ['prod-postgres read: new entry'],
        widening_fields: ['access[0]', 'identity.github', 'identity.id'],
      },
    ]);
    // Each review with the gate's judgement at merge: counted (null), or why not.
    expect(record.subject.reviews).toEqual([
      { reviewer: 'erin', state: 'COMMENTED', submitted_at: '2026-11-19T08:00:00Z', commit_id: pr.head, on_head: true, not_counted: 'commented' },
      { reviewer: 'dave', state: 'APPROVED', submitted_at: '2026-11-19T12:00:00Z', commit_id: pr.head, on_head: true, not_counted: null },
    ]);
    expect(record.subject.commit_authors).toEqual(['Codertocat']);
    expect(record.subject.verdict).toMatchObject({ result: 'pass', evaluated_at: '2026-11-20T10:00:07Z', policy_sha: pr.base });
    expect(record.subject.verdict.approvals).toEqual([{ system: 'prod-postgres', required: 1, approved_by: ['dave'], missing: 0 }]);
    expect(record.controls).toEqual(expect.arrayContaining(['SOC2:CC6.2', 'SOC2:CC6.3', 'NIST-CSF-2.0:PR.AA-05']));

    // The sticky comment, by the App's bot, anchors the record's seq and hash.
    const comments = commentsOn(pr.number);
    expect(comments.map((c) => c.user.login)).toEqual([APP_LOGIN]);
    const body = comments[0]!.body;
    expect(body.startsWith(COMMENT_MARKER)).toBe(true);
    expect(parseRecordMarkers(body)).toEqual([{ key: 'pr-2-merged', seq: 1, hash: record.hash }]);
    expect(body).toContain(`https://github.com/${ACCESS}/blob/access-ledger/${RECORD_PATH}`);
    expect(adminIssues()).toEqual([]);
  });

  it('a redelivery writes nothing new: the record is found at its path and the comment already says it', async () => {
    const pr = mergeBobsGrant(w);
    const probot = await receiveClosed(pr.number);
    const commitsBefore = w.ledgerCommits();
    const commentBefore = structuredClone(commentsOn(pr.number));
    w.gh.resetCalls();

    await probot.receive({ id: 'delivery-1', name: 'pull_request', payload: w.gh.payloads.pullRequest('closed', ACCESS, pr.number) as never });
    expect(w.ledgerCommits()).toEqual(commitsBefore);
    expect(commentsOn(pr.number)).toEqual(commentBefore);
    expect(w.writes()).toEqual([]);
    // The query found the record at its path; one read of who committed it (the App).
    expect(w.gh.callCount('GET /repos/{owner}/{repo}/commits')).toBe(1);
    expect(w.ledger().records).toHaveLength(1);
  });

  it('a merge the base policy refuses gets an unapproved-merge record beside the grant-change, and an issue for the admins', async () => {
    const pr = mergeBobsGrant(w, { approval: 'stale' });
    gateFailedOn(pr.head);
    await receiveClosed(pr.number);

    const { records: files, head } = w.ledger();
    expect(verifyLedgerState({ records: files, head }).problems).toEqual([]);
    // Both records in one commit: never one without the other.
    expect(w.ledgerCommits()).toHaveLength(2);
    const byKey = Object.fromEntries(records().map((r) => [r.key, r]));
    const gc = byKey['pr-2-merged'] as SealedRecord<'grant-change'>;
    const um = byKey['pr-2-unapproved'] as SealedRecord<'unapproved-merge'>;
    expect(gc.subject.verdict.result).toBe('fail');
    expect(gc.subject.verdict.approvals).toEqual([{ system: 'prod-postgres', required: 1, approved_by: [], missing: 1 }]);
    expect(gc.subject.reviews).toEqual([
      { reviewer: 'erin', state: 'COMMENTED', submitted_at: '2026-11-19T08:00:00Z', commit_id: pr.approvedCommit, on_head: false, not_counted: 'commented' },
      { reviewer: 'dave', state: 'APPROVED', submitted_at: '2026-11-19T12:00:00Z', commit_id: pr.approvedCommit, on_head: false, not_counted: 'older-commit' },
    ]);

    const issues = adminIssues();
    expect(issues).toHaveLength(1);
    const issue = issues[0]!;
    expect(um.subject).toMatchObject({
      grant_change_key: 'pr-2-merged',
      cause: 'admin-bypass',
      missing_approvals: [{ system: 'prod-postgres', required: 1, approved_by: [], missing: 1 }],
      issue: { number: issue.number, url: `https://github.com/${ACCESS}/issues/${issue.number}` },
    });
    expect(issue.number).toBe(3);
    expect(um.subject.findings.some((f) => f.rule === 'approvals' && f.severity === 'error')).toBe(true);
    expect(um.prev_hash).toBe(gc.hash);

    expect(issue.user.login).toBe(APP_LOGIN);
    expect(issue.labels).toEqual(['access-ledger', 'unapproved-merge']);
    expect(issue.title).toContain('#2');
    expect(issue.body).toContain('<!-- access-ledger:unapproved-merge pr=2 -->');
    expect(issue.body).toContain('@acme/security');
    expect(issue.body).toContain(`https://github.com/${ACCESS}/pull/2`);
    expect(issue.body).toContain('`prod-postgres`: 1 required, no eligible approval; 1 missing');
    expect(parseRecordMarkers(commentsOn(pr.number)[0]!.body).map((m) => m.key)).toEqual(['pr-2-merged', 'pr-2-unapproved']);
  });
});

describe('pull_request.closed, not merged', () => {
  it('records nothing and calls nothing', async () => {
    const number = w.gh.state.openPullRequest(ACCESS, { author: 'Codertocat', title: 'Grant bob', files: { [GRANT_PATH]: BOB } });
    w.gh.state.closePullRequest(ACCESS, number, 'Codertocat');
    w.gh.resetCalls();
    await receiveClosed(number);
    expect(w.gh.requests).toEqual([]);
    expect(w.gh.state.ledger(ACCESS)).toBeUndefined();
  });
});

describe('pull_request.closed, merged in a repo that is not an access repo', () => {
  it('records nothing when the base has no access-ledger.yaml, even if a path looks like one', async () => {
    w.gh.state.createRepo('acme/notes', { files: { 'README.md': '# notes\n' } });
    const number = w.gh.state.openPullRequest('acme/notes', { author: 'Codertocat', title: 'Notes', files: { 'systems/notes.yaml': 'id: notes\n' } });
    w.gh.state.mergePull('acme/notes', number, { by: 'carol' });
    const deps = testDeps();
    const probot = await w.probot(deps);
    await probot.receive({ id: 'delivery-7', name: 'pull_request', payload: w.gh.payloads.pullRequest('closed', 'acme/notes', number) as never });
    expect(await deps.work.drain(60_000)).toBe(true);
    expect(w.gh.state.ledger('acme/notes')).toBeUndefined();
    expect(w.writes()).toEqual([]);
    expect(w.gh.state.pullOf('acme/notes', number).issue.comments).toEqual([]);
  });
});

describe('pull_request.closed, failing', () => {
  it('throws when GitHub keeps failing, so the delivery can be redelivered, and writes nothing', async () => {
    const pr = mergeBobsGrant(w);
    w.gh.faults.add({ route: '/graphql', kind: '5xx', status: 502 });
    const probot = await w.probot(testDeps());
    await expect(
      probot.receive({ id: 'delivery-4', name: 'pull_request', payload: w.gh.payloads.pullRequest('closed', ACCESS, pr.number) as never }),
    ).rejects.toThrow(/changed files|502/);
    expect(w.gh.state.ledger(ACCESS)).toBeUndefined();
    expect(w.writes()).toEqual([]);
  });
});

describe('workflow_run.completed', () => {
  it('appends a provisioned record linked to the grant-change of the merge it ran on', async () => {
    const pr = mergeBobsGrant(w);
    const probot = await receiveClosed(pr.number);
    const gc = records()[0]!;
    const [comment] = commentsOn(pr.number);

    w.at('2026-11-20T10:07:00Z');
    const run = w.gh.state.addWorkflowRun(ACCESS, { headSha: pr.merge, name: 'Provision', path: '.github/workflows/provision.yml', conclusion: 'success' });
    await probot.receive({ id: 'delivery-5', name: 'workflow_run', payload: w.gh.payloads.workflowRunCompleted(ACCESS, run.id) as never });

    const { records: files, head } = w.ledger();
    expect(verifyLedgerState({ records: files, head }).problems).toEqual([]);
    const key = `pr-2-provisioned-${run.id}`;
    expect(files.map((f) => f.path).sort()).toEqual([RECORD_PATH, `records/2026/11/20/${key}.json`]);
    const prov = records().find((r) => r.kind === 'provisioned')!;
    expect(prov).toMatchObject({ key, seq: 2, prev_hash: gc.hash, occurred_at: '2026-11-20T10:07:00Z' });
    expect(prov.subject).toEqual({
      pr: { number: 2, url: `https://github.com/${ACCESS}/pull/2` },
      grant_change_key: 'pr-2-merged',
      workflow: '.github/workflows/provision.yml',
      run_id: run.id,
      run_attempt: 1,
      run_url: `https://github.com/${ACCESS}/actions/runs/${run.id}`,
      head_sha: pr.merge,
      conclusion: 'success',
      completed_at: '2026-11-20T10:07:00Z',
    });
    // The comment is updated in place: the grant-change's anchor kept, the run's added.
    const after = commentsOn(pr.number);
    expect(after.map((c) => c.id)).toEqual([comment!.id]);
    expect(parseRecordMarkers(after[0]!.body)).toEqual([
      { key: 'pr-2-merged', seq: 1, hash: gc.hash },
      { key, seq: 2, hash: prov.hash },
    ]);
  });

  it('ignores a workflow that is not the configured provisioning workflow (one read, no write)', async () => {
    const pr = mergeBobsGrant(w);
    const run = w.gh.state.addWorkflowRun(ACCESS, { headSha: pr.merge, name: 'Test', path: '.github/workflows/test.yml' });
    const probot = await w.probot(testDeps());
    w.gh.resetCalls();
    await probot.receive({ id: 'delivery-6', name: 'workflow_run', payload: w.gh.payloads.workflowRunCompleted(ACCESS, run.id) as never });
    expect(w.gh.requests.map((r) => r.route).filter((r) => !r.includes('/access_tokens'))).toEqual(['GET /repos/{owner}/{repo}/contents/{path}']);
    expect(w.gh.state.ledger(ACCESS)).toBeUndefined();
  });
});

describe("pull_request.closed under GitHub's transient failures (the production Octokit: retries and throttling on)", () => {
  it('a secondary rate limit (403, retry-after) on the comment is waited out and retried: the handler completes', async () => {
    const pr = mergeBobsGrant(w);
    w.gh.faults.add({ route: COMMENTS, kind: 'secondary-rate-limit', count: 1 });
    await receiveClosed(pr.number, testDeps(), LiveOctokit, 'delivery-8');
    expect(w.gh.callCount(COMMENTS)).toBe(2);
    const record = records()[0]!;
    const comments = commentsOn(pr.number);
    expect(comments).toHaveLength(1);
    expect(parseRecordMarkers(comments[0]!.body)).toEqual([{ key: 'pr-2-merged', seq: 1, hash: record.hash }]);
  });

  it('a comment POST answered 502 after it landed is found again by its marker, not posted twice', async () => {
    const pr = mergeBobsGrant(w);
    // GitHub wrote the comment, then the answer was lost on the way back.
    w.gh.faults.add({ route: COMMENTS, kind: '5xx', status: 502, phase: 'after', count: 1 });
    await receiveClosed(pr.number, testDeps(), LiveOctokit, 'delivery-9');
    // One POST: the retry plugin did not send it again, and the comment found says it all (no edit).
    expect(w.gh.callCount(COMMENTS)).toBe(1);
    expect(w.gh.callCount('PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}')).toBe(0);
    const record = records()[0]!;
    const comments = commentsOn(pr.number);
    expect(comments).toHaveLength(1);
    expect(parseRecordMarkers(comments[0]!.body)).toEqual([{ key: 'pr-2-merged', seq: 1, hash: record.hash }]);
  });

  it('a comment POST answered 502 that did not land is posted again, once', async () => {
    const pr = mergeBobsGrant(w);
    w.gh.faults.add({ route: COMMENTS, kind: '5xx', status: 502, count: 1 });
    await receiveClosed(pr.number, testDeps(), LiveOctokit, 'delivery-10');
    const comments = commentsOn(pr.number);
    expect(comments).toHaveLength(1);
    expect(parseRecordMarkers(comments[0]!.body).map((m) => m.key)).toEqual(['pr-2-merged']);
  });

  it("the admins' issue whose POST answered 502 after it landed is found again by its marker, not opened twice", async () => {
    const pr = mergeBobsGrant(w, { approval: 'stale' });
    w.gh.state.addCheckRun(ACCESS, { headSha: pr.head, name: 'gate', conclusion: 'failure' });
    w.gh.faults.add({ route: ISSUES, kind: '5xx', status: 502, phase: 'after', count: 1 });
    await receiveClosed(pr.number, testDeps(), LiveOctokit, 'delivery-11');
    expect(w.gh.callCount(ISSUES)).toBe(1);
    const issues = adminIssues();
    expect(issues).toHaveLength(1);
    const um = records().find((r) => r.kind === 'unapproved-merge') as SealedRecord<'unapproved-merge'>;
    expect(um.subject.issue).toEqual({ number: issues[0]!.number, url: `https://github.com/${ACCESS}/issues/${issues[0]!.number}` });
    expect(um.subject.cause).toBe('admin-bypass');
  });
});
