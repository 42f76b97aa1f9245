/**
 * The App's webhook handlers, driven the way GitHub drives them (Probot receiving real payload
 * shapes), against nock: every GitHub call is an explicit expectation, and the ledger branch is
 * the stateful fake of the Git Data API (refs move only by fast-forward).
 */
import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeGit } from '../ledger/fake-git.ts';
import { HEAD_PATH, hashRecord, parseRecordMarkers, verifyLedgerState, type SealedRecord } from '../../src/core/ledger/index.ts';
import { COMMENT_MARKER } from '../../src/core/records/comment.ts';
import {
  API,
  BASE_SHA,
  CONFIG,
  HEAD_SHA,
  LiveOctokit,
  MERGE_SHA,
  OWNER,
  REPO,
  REPO_PATH,
  SYSTEM,
  blobSha,
  grantFile,
  graphqlObjects,
  installationToken,
  type LedgerTip,
  type PullSpec,
  loadProbot,
  pullRequestClosed,
  testDeps,
  unmatchedRequests,
  workflowRunCompleted,
  type Revisions,
} from './support.ts';

const BOB = grantFile('bob');
const GRANT_PATH = 'grants/people/bob.yaml';
const RECORD_PATH = 'records/2026/11/pr-2-merged.json';

let git: FakeGit;
let unmatched: string[];

beforeEach(() => {
  nock.disableNetConnect();
  git = new FakeGit(OWNER, REPO);
  unmatched = unmatchedRequests();
});

afterEach(() => {
  git.stop();
  nock.cleanAll();
  nock.emitter.removeAllListeners('no match');
  expect(unmatched).toEqual([]);
});

/** The access repo at each commit, and the ledger branch as the fake holds it now. */
function revisions(): Revisions {
  const ledgerTip = git.refs.get('refs/heads/access-ledger');
  return {
    [BASE_SHA]: { 'access-ledger.yaml': CONFIG, 'systems/prod-postgres.yaml': SYSTEM },
    [HEAD_SHA]: { 'access-ledger.yaml': CONFIG, 'systems/prod-postgres.yaml': SYSTEM, [GRANT_PATH]: BOB },
    [MERGE_SHA]: { 'access-ledger.yaml': CONFIG, 'systems/prod-postgres.yaml': SYSTEM, [GRANT_PATH]: BOB },
    ...(ledgerTip ? { 'refs/heads/access-ledger': Object.fromEntries(git.files(ledgerTip)) } : {}),
  };
}

interface Review {
  login: string;
  state: string;
  commit: string;
  at: string;
}

/** The ledger branch's tip as the merge handler's second query reads it. */
function ledgerTip(): LedgerTip | null {
  const tip = git.refs.get('refs/heads/access-ledger');
  return tip ? { commit: tip, tree: git.get(tip, 'commit').tree, files: git.files(tip) } : null;
}

/**
 * The reads of the merge handler for PR #2 adding bob's grant: the folded query (files, reviews,
 * commits, comments, base config), then the files' contents with the ledger tip, then memberships.
 */
function factReads(reviews: Review[], asked: string[][], comments: PullSpec['comments'] = []) {
  return [
    graphqlObjects(revisions, asked, {
      times: 2,
      ledger: ledgerTip,
      pull: {
        files: [{ path: GRANT_PATH, changeType: 'ADDED' }],
        reviews: reviews.map((r) => ({ login: r.login, state: r.state, commit: r.commit, at: r.at })),
        commits: [{ author: 'Codertocat', committer: 'web-flow', message: 'Grant bob read on prod-postgres' }],
        comments,
      },
    }),
    // owner-in-org: the grant's owner and grantee must be members of the organization.
    nock(API).get('/orgs/acme/members/alice').reply(204),
    nock(API).get('/orgs/acme/members/bob').reply(204),
  ];
}

const APPROVED: Review[] = [
  { login: 'erin', state: 'COMMENTED', commit: HEAD_SHA, at: '2026-11-19T08:00:00Z' },
  { login: 'dave', state: 'APPROVED', commit: HEAD_SHA, at: '2026-11-19T12:00:00Z' },
];

/** The comment written (the lookup before it comes with the first query), then one more look. */
function commentWrites(captured: { body?: string }) {
  return [
    nock(API)
      .post(`${REPO_PATH}/issues/2/comments`, (body: { body: string }) => {
        captured.body = body.body;
        return true;
      })
      .reply(201, { id: 555, html_url: 'https://github.com/Codertocat/Hello-World/pull/2#issuecomment-555', user: { login: 'access-ledger[bot]', type: 'Bot' } }),
    // After creating, one look for a second writer's comment: ours is the only one.
    nock(API).get(`${REPO_PATH}/issues/2/comments`).query(true).reply(200, () => [botComment(555, captured.body)]),
  ];
}

/**
 * Registers interceptors ahead of the ledger fake (its catch-all for the repo would answer them
 * otherwise): the fake is stopped and started again around them, keeping its objects and refs.
 */
function before<T>(register: () => T): T {
  git.stop();
  const out = register();
  git.start();
  return out;
}

function ledgerRecords(): { records: { path: string; content: string }[]; head: string | null } {
  const tip = git.refs.get('refs/heads/access-ledger');
  if (!tip) return { records: [], head: null };
  const files = git.files(tip);
  return { records: [...files].filter(([p]) => p.startsWith('records/')).map(([path, content]) => ({ path, content })), head: files.get(HEAD_PATH) ?? null };
}

const SECONDARY = { message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.', documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits' };

/** The merge's PR comment as GitHub lists it once written by the App. */
const botComment = (id: number, body: string | undefined) => ({ id, body, user: { login: 'access-ledger[bot]', type: 'Bot' } });

async function recordApprovedMerge() {
  const asked: string[][] = [];
  const comment: { body?: string } = {};
  const scopes = [installationToken(), ...factReads(APPROVED, asked), ...commentWrites(comment)];
  git.start();
  const probot = await loadProbot(testDeps());
  await probot.receive({ id: 'delivery-1', name: 'pull_request', payload: pullRequestClosed() as never });
  return { asked, comment, scopes, probot };
}

describe('pull_request.closed, merged', () => {
  it('records one grant-change naming every approver with the commit approved, and comments its hash', async () => {
    const { asked, comment, scopes } = await recordApprovedMerge();
    for (const s of scopes) expect(s.pendingMocks()).toEqual([]);

    // Two queries for the facts: the base's config and systems with the pull request's listings, then the head's grant.
    expect(asked).toEqual([[`${BASE_SHA}:access-ledger.yaml`, `${BASE_SHA}:access-ledger.yml`, `${BASE_SHA}:systems`], [`${HEAD_SHA}:${GRANT_PATH}`]]);

    // The ledger: a genesis commit, then one commit with the record; the chain verifies.
    const { records, head } = ledgerRecords();
    expect(records.map((r) => r.path)).toEqual([RECORD_PATH]);
    const state = verifyLedgerState({ records, head });
    expect(state.problems).toEqual([]);
    expect(git.history('access-ledger')).toHaveLength(2);
    // The query saw no ledger branch: no REST read of the record's path; the branch is created.
    expect(git.log.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /git/ref/heads/access-ledger',
      'POST /git/trees',
      'POST /git/commits',
      'POST /git/trees',
      'POST /git/commits',
      'POST /git/refs',
    ]);

    const record = JSON.parse(records[0]!.content) as SealedRecord<'grant-change'>;
    expect(record.hash).toBe(hashRecord(record));
    expect(record).toMatchObject({ kind: 'grant-change', key: 'pr-2-merged', seq: 1, prev_hash: null, occurred_at: '2026-11-20T10:00:00Z', recorded_at: '2026-11-20T10:00:07Z', repository: `${OWNER}/${REPO}` });
    expect(record.subject.pr).toEqual({
      number: 2,
      title: 'Grant bob read access to prod-postgres',
      url: `https://github.com/${OWNER}/${REPO}/pull/2`,
      author: 'Codertocat',
      created_at: '2026-11-18T09:00:00Z',
      merged_at: '2026-11-20T10:00:00Z',
      merged_by: 'carol',
    });
    expect([record.subject.base_sha, record.subject.head_sha, record.subject.merge_sha]).toEqual([BASE_SHA, HEAD_SHA, MERGE_SHA]);
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
      { reviewer: 'erin', state: 'COMMENTED', submitted_at: '2026-11-19T08:00:00Z', commit_id: HEAD_SHA, on_head: true, not_counted: 'commented' },
      { reviewer: 'dave', state: 'APPROVED', submitted_at: '2026-11-19T12:00:00Z', commit_id: HEAD_SHA, on_head: true, not_counted: null },
    ]);
    expect(record.subject.commit_authors).toEqual(['Codertocat', 'web-flow']);
    expect(record.subject.verdict).toMatchObject({ result: 'pass', evaluated_at: '2026-11-20T10:00:07Z', policy_sha: BASE_SHA });
    expect(record.subject.verdict.approvals).toEqual([{ system: 'prod-postgres', required: 1, approved_by: ['dave'], missing: 0 }]);
    expect(record.controls).toEqual(expect.arrayContaining(['SOC2:CC6.2', 'SOC2:CC6.3', 'NIST-CSF-2.0:PR.AA-05']));

    // The sticky comment anchors the record's seq and hash.
    expect(comment.body?.startsWith(COMMENT_MARKER)).toBe(true);
    expect(parseRecordMarkers(comment.body!)).toEqual([{ key: 'pr-2-merged', seq: 1, hash: record.hash }]);
    expect(comment.body).toContain(`https://github.com/${OWNER}/${REPO}/blob/access-ledger/${RECORD_PATH}`);
  });

  it('a redelivery writes nothing new: the record is found at its path and the comment already says it', async () => {
    const first = await recordApprovedMerge();
    const commitsBefore = git.history('access-ledger');
    const logBefore = git.log.length;

    const asked: string[][] = [];
    const existing = [{ id: 555, body: first.comment.body!, login: 'access-ledger[bot]', type: 'Bot' }];
    const scopes = before(() => [...factReads(APPROVED, asked, existing)]);
    await first.probot.receive({ id: 'delivery-1', name: 'pull_request', payload: pullRequestClosed() as never });
    for (const s of scopes) expect(s.pendingMocks()).toEqual([]);
    expect(git.history('access-ledger')).toEqual(commitsBefore);
    // The query found the record at its path; one read of who committed it (the App), not one write.
    expect(git.log.slice(logBefore).map((r) => `${r.method} ${r.path}`)).toEqual(['GET /commits']);
    expect(ledgerRecords().records).toHaveLength(1);
  });

  it('a merge the base policy refuses gets an unapproved-merge record beside the grant-change, and an issue for the admins', async () => {
    const asked: string[][] = [];
    const comment: { body?: string } = {};
    let issue: { title: string; body: string; labels: string[] } | undefined;
    const noApproval: Review[] = [{ login: 'dave', state: 'APPROVED', commit: 'a'.repeat(40), at: '2026-11-19T12:00:00Z' }];
    const scopes = [
      installationToken(),
      ...factReads(noApproval, asked),
      // The gate ran on pull_request_target: no check run on the head, its status access-ledger/gate failing there.
      nock(API)
        .get(`${REPO_PATH}/commits/${HEAD_SHA}/check-runs`)
        .query({ check_name: 'gate', filter: 'latest', per_page: '100' })
        .reply(200, { total_count: 0, check_runs: [] }),
      nock(API)
        .get(`${REPO_PATH}/commits/${HEAD_SHA}/status`)
        .query({ per_page: '100', page: '1' })
        .reply(200, { state: 'failure', sha: HEAD_SHA, total_count: 2, statuses: [{ context: 'ci/lint', state: 'success' }, { context: 'access-ledger/gate', state: 'failure', description: 'needs 1 more approval from @acme/dba' }] }),
      nock(API)
        .get(`${REPO_PATH}/issues`)
        .query({ labels: 'unapproved-merge', state: 'all', since: '2026-11-20T10:00:00Z', sort: 'created', direction: 'desc', per_page: '100', page: '1' })
        .reply(200, []),
      nock(API)
        .post(`${REPO_PATH}/issues`, (body: typeof issue) => {
          issue = body;
          return true;
        })
        .reply(201, { number: 3, html_url: `https://github.com/${OWNER}/${REPO}/issues/3` }),
      ...commentWrites(comment),
    ];
    git.start();
    const probot = await loadProbot(testDeps());
    await probot.receive({ id: 'delivery-2', name: 'pull_request', payload: pullRequestClosed() as never });
    for (const s of scopes) expect(s.pendingMocks()).toEqual([]);

    const { records, head } = ledgerRecords();
    expect(verifyLedgerState({ records, head }).problems).toEqual([]);
    // Both records in one commit: never one without the other.
    expect(git.history('access-ledger')).toHaveLength(2);
    const byKey = Object.fromEntries(records.map((r) => [JSON.parse(r.content).key as string, JSON.parse(r.content) as SealedRecord]));
    const gc = byKey['pr-2-merged'] as SealedRecord<'grant-change'>;
    const um = byKey['pr-2-unapproved'] as SealedRecord<'unapproved-merge'>;
    expect(gc.subject.verdict.result).toBe('fail');
    expect(gc.subject.verdict.approvals).toEqual([{ system: 'prod-postgres', required: 1, approved_by: [], missing: 1 }]);
    expect(gc.subject.reviews).toEqual([{ reviewer: 'dave', state: 'APPROVED', submitted_at: '2026-11-19T12:00:00Z', commit_id: 'a'.repeat(40), on_head: false, not_counted: 'older-commit' }]);
    expect(um.subject).toMatchObject({
      grant_change_key: 'pr-2-merged',
      cause: 'admin-bypass',
      missing_approvals: [{ system: 'prod-postgres', required: 1, approved_by: [], missing: 1 }],
      issue: { number: 3, url: `https://github.com/${OWNER}/${REPO}/issues/3` },
    });
    expect(um.subject.findings.some((f) => f.rule === 'approvals' && f.severity === 'error')).toBe(true);
    expect(um.prev_hash).toBe(gc.hash);

    expect(issue?.labels).toEqual(['access-ledger', 'unapproved-merge']);
    expect(issue?.title).toContain('#2');
    expect(issue?.body).toContain('<!-- access-ledger:unapproved-merge pr=2 -->');
    expect(issue?.body).toContain('@acme/security');
    expect(issue?.body).toContain(`https://github.com/${OWNER}/${REPO}/pull/2`);
    expect(issue?.body).toContain('`prod-postgres`: 1 required, no eligible approval; 1 missing');
    expect(parseRecordMarkers(comment.body!).map((m) => m.key)).toEqual(['pr-2-merged', 'pr-2-unapproved']);
  });
});

describe('pull_request.closed, not merged', () => {
  it('records nothing and calls nothing', async () => {
    git.start();
    const probot = await loadProbot(testDeps());
    await probot.receive({ id: 'delivery-3', name: 'pull_request', payload: pullRequestClosed({ merged: false }) as never });
    expect(git.log).toEqual([]);
  });
});

describe('pull_request.closed, merged in a repo that is not an access repo', () => {
  it('records nothing when the base has no access-ledger.yaml, even if a path looks like one', async () => {
    const asked: string[][] = [];
    const scopes = [
      installationToken(),
      graphqlObjects({ [HEAD_SHA]: { 'systems/notes.yaml': 'id: notes\n' } }, asked, {
        times: 2,
        pull: { files: [{ path: 'systems/notes.yaml', changeType: 'ADDED' }], commits: [{ author: 'Codertocat', committer: null, message: 'notes' }] },
      }),
    ];
    git.start();
    const probot = await loadProbot(testDeps());
    await probot.receive({ id: 'delivery-7', name: 'pull_request', payload: pullRequestClosed() as never });
    for (const s of scopes) expect(s.pendingMocks()).toEqual([]);
    expect(git.log).toEqual([]);
  });
});

describe('pull_request.closed, failing', () => {
  it('throws when GitHub keeps failing, so the delivery can be redelivered, and writes nothing', async () => {
    installationToken();
    nock(API).post('/graphql').reply(502, { message: 'Bad Gateway' });
    git.start();
    const probot = await loadProbot(testDeps());
    await expect(probot.receive({ id: 'delivery-4', name: 'pull_request', payload: pullRequestClosed() as never })).rejects.toThrow(/changed files|502/);
    expect(git.log).toEqual([]);
  });
});

describe('workflow_run.completed', () => {
  it('appends a provisioned record linked to the grant-change of the merge it ran on', async () => {
    const first = await recordApprovedMerge();
    const gc = JSON.parse(ledgerRecords().records[0]!.content) as SealedRecord;
    git.log.length = 0;

    let updated: string | undefined;
    const scopes = before(() => [
      nock(API)
        .get(`${REPO_PATH}/contents/access-ledger.yaml`)
        .query({ ref: MERGE_SHA })
        .reply(200, { type: 'file', path: 'access-ledger.yaml', sha: blobSha(CONFIG), encoding: 'base64', content: Buffer.from(CONFIG).toString('base64') }),
      nock(API)
        .get(`${REPO_PATH}/commits/${MERGE_SHA}/pulls`)
        .query({ per_page: '100' })
        .reply(200, [{ ...(pullRequestClosed().pull_request as object) }]),
      nock(API).get(`${REPO_PATH}/issues/2/comments`).query({ per_page: '100', page: '1' }).reply(200, [{ id: 555, body: first.comment.body, user: { login: 'access-ledger[bot]', type: 'Bot' } }]),
      nock(API)
        .patch(`${REPO_PATH}/issues/comments/555`, (body: { body: string }) => {
          updated = body.body;
          return true;
        })
        .reply(200, { id: 555 }),
    ]);
    await first.probot.receive({ id: 'delivery-5', name: 'workflow_run', payload: workflowRunCompleted() as never });
    for (const s of scopes) expect(s.pendingMocks()).toEqual([]);
    expect(git.log.map((r) => `${r.method} ${r.path}`)).toEqual([
      `GET /contents/${RECORD_PATH}`,
      // Linked only once GitHub says the App committed the grant-change record.
      'GET /commits',
      'GET /git/ref/heads/access-ledger',
      'GET /contents/records/2026/11/pr-2-provisioned-9001.json',
      'POST /git/trees',
      'POST /git/commits',
      'PATCH /git/refs/heads/access-ledger',
    ]);

    const { records, head } = ledgerRecords();
    expect(verifyLedgerState({ records, head }).problems).toEqual([]);
    const prov = records.map((r) => JSON.parse(r.content) as SealedRecord).find((r) => r.kind === 'provisioned')!;
    expect(prov).toMatchObject({ key: 'pr-2-provisioned-9001', seq: 2, prev_hash: gc.hash, occurred_at: '2026-11-20T10:07:00Z' });
    expect(prov.subject).toEqual({
      pr: { number: 2, url: `https://github.com/${OWNER}/${REPO}/pull/2` },
      grant_change_key: 'pr-2-merged',
      workflow: '.github/workflows/provision.yml',
      run_id: 9001,
      run_attempt: 1,
      run_url: `https://github.com/${OWNER}/${REPO}/actions/runs/9001`,
      head_sha: MERGE_SHA,
      conclusion: 'success',
      completed_at: '2026-11-20T10:07:00Z',
    });
    // The comment is updated in place: the grant-change's anchor kept, the run's added.
    expect(parseRecordMarkers(updated!)).toEqual([
      { key: 'pr-2-merged', seq: 1, hash: gc.hash },
      { key: 'pr-2-provisioned-9001', seq: 2, hash: prov.hash },
    ]);
  });

  it('ignores a workflow that is not the configured provisioning workflow (one read, no write)', async () => {
    const scopes = [
      installationToken(),
      nock(API)
        .get(`${REPO_PATH}/contents/access-ledger.yaml`)
        .query({ ref: MERGE_SHA })
        .reply(200, { type: 'file', path: 'access-ledger.yaml', sha: blobSha(CONFIG), encoding: 'base64', content: Buffer.from(CONFIG).toString('base64') }),
    ];
    git.start();
    const probot = await loadProbot(testDeps());
    await probot.receive({ id: 'delivery-6', name: 'workflow_run', payload: workflowRunCompleted({ path: '.github/workflows/test.yml' }) as never });
    for (const s of scopes) expect(s.pendingMocks()).toEqual([]);
    expect(git.log).toEqual([]);
  });
});

describe('pull_request.closed under GitHub\'s transient failures (the production Octokit: retries and throttling on)', () => {
  it('a secondary rate limit (403, retry-after) on the comment is waited out and retried: the handler completes', async () => {
    const asked: string[][] = [];
    let body: string | undefined;
    let posts = 0;
    const scopes = [
      installationToken(),
      ...factReads(APPROVED, asked),
      nock(API)
        .post(`${REPO_PATH}/issues/2/comments`)
        .reply(() => (posts++, [403, SECONDARY, { 'retry-after': '1' }])),
      nock(API)
        .post(`${REPO_PATH}/issues/2/comments`, (b: { body: string }) => {
          body = b.body;
          return true;
        })
        .reply(() => (posts++, [201, { id: 555, user: { login: 'access-ledger[bot]', type: 'Bot' } }])),
      nock(API).get(`${REPO_PATH}/issues/2/comments`).query(true).reply(200, () => [botComment(555, body)]),
    ];
    git.start();
    const probot = await loadProbot(testDeps(), 'test-secret', LiveOctokit);
    await probot.receive({ id: 'delivery-8', name: 'pull_request', payload: pullRequestClosed() as never });
    for (const s of scopes) expect(s.pendingMocks()).toEqual([]);
    expect(posts).toBe(2);
    const record = JSON.parse(ledgerRecords().records[0]!.content) as SealedRecord;
    expect(parseRecordMarkers(body!)).toEqual([{ key: 'pr-2-merged', seq: 1, hash: record.hash }]);
  });

  it('a comment POST answered 502 after it landed is found again by its marker, not posted twice', async () => {
    const asked: string[][] = [];
    let landed: string | undefined;
    let posts = 0;
    const scopes = [
      installationToken(),
      ...factReads(APPROVED, asked),
      // GitHub wrote the comment, then the answer was lost on the way back.
      nock(API)
        .post(`${REPO_PATH}/issues/2/comments`, (b: { body: string }) => {
          landed = b.body;
          return true;
        })
        .reply(() => (posts++, [502, { message: 'Bad Gateway' }])),
      nock(API)
        .get(`${REPO_PATH}/issues/2/comments`)
        .query({ per_page: '100', page: '1' })
        .reply(200, () => [botComment(555, landed)]),
    ];
    git.start();
    const probot = await loadProbot(testDeps(), 'test-secret', LiveOctokit);
    await probot.receive({ id: 'delivery-9', name: 'pull_request', payload: pullRequestClosed() as never });
    for (const s of scopes) expect(s.pendingMocks()).toEqual([]);
    // One POST: the retry plugin did not send it again, and the comment found says it all (no PATCH).
    expect(posts).toBe(1);
    const record = JSON.parse(ledgerRecords().records[0]!.content) as SealedRecord;
    expect(parseRecordMarkers(landed!)).toEqual([{ key: 'pr-2-merged', seq: 1, hash: record.hash }]);
  });

  it('a comment POST answered 502 that did not land is posted again, once', async () => {
    const asked: string[][] = [];
    let body: string | undefined;
    const scopes = [
      installationToken(),
      ...factReads(APPROVED, asked),
      nock(API).post(`${REPO_PATH}/issues/2/comments`).reply(502, { message: 'Bad Gateway' }),
      nock(API).get(`${REPO_PATH}/issues/2/comments`).query({ per_page: '100', page: '1' }).reply(200, []),
      nock(API)
        .post(`${REPO_PATH}/issues/2/comments`, (b: { body: string }) => {
          body = b.body;
          return true;
        })
        .reply(201, { id: 556, user: { login: 'access-ledger[bot]', type: 'Bot' } }),
      nock(API).get(`${REPO_PATH}/issues/2/comments`).query(true).reply(200, () => [botComment(556, body)]),
    ];
    git.start();
    const probot = await loadProbot(testDeps(), 'test-secret', LiveOctokit);
    await probot.receive({ id: 'delivery-10', name: 'pull_request', payload: pullRequestClosed() as never });
    for (const s of scopes) expect(s.pendingMocks()).toEqual([]);
    expect(parseRecordMarkers(body!).map((m) => m.key)).toEqual(['pr-2-merged']);
  });

  it('the admins\' issue whose POST answered 502 after it landed is found again by its marker, not opened twice', async () => {
    const asked: string[][] = [];
    const comment: { body?: string } = {};
    let opened: { title: string; body: string; labels: string[] } | undefined;
    let posts = 0;
    const noApproval: Review[] = [{ login: 'dave', state: 'APPROVED', commit: 'a'.repeat(40), at: '2026-11-19T12:00:00Z' }];
    const listIssues = () => nock(API).get(`${REPO_PATH}/issues`).query({ labels: 'unapproved-merge', state: 'all', since: '2026-11-20T10:00:00Z', sort: 'created', direction: 'desc', per_page: '100', page: '1' });
    const scopes = [
      installationToken(),
      ...factReads(noApproval, asked),
      nock(API)
        .get(`${REPO_PATH}/commits/${HEAD_SHA}/check-runs`)
        .query({ check_name: 'gate', filter: 'latest', per_page: '100' })
        .reply(200, { total_count: 1, check_runs: [{ id: 1, name: 'gate', status: 'completed', conclusion: 'failure', started_at: '2026-11-19T12:00:00Z', completed_at: '2026-11-19T12:01:00Z' }] }),
      nock(API).get(`${REPO_PATH}/commits/${HEAD_SHA}/status`).query({ per_page: '100', page: '1' }).reply(200, { state: 'pending', sha: HEAD_SHA, total_count: 0, statuses: [] }),
      listIssues().reply(200, []),
      nock(API)
        .post(`${REPO_PATH}/issues`, (b: typeof opened) => {
          opened = b;
          return true;
        })
        .reply(() => (posts++, [502, { message: 'Bad Gateway' }])),
      listIssues().reply(200, () => [{ number: 3, html_url: `https://github.com/${OWNER}/${REPO}/issues/3`, body: opened!.body, labels: opened!.labels.map((name) => ({ name })) }]),
      ...commentWrites(comment),
    ];
    git.start();
    const probot = await loadProbot(testDeps(), 'test-secret', LiveOctokit);
    await probot.receive({ id: 'delivery-11', name: 'pull_request', payload: pullRequestClosed() as never });
    for (const s of scopes) expect(s.pendingMocks()).toEqual([]);
    expect(posts).toBe(1);
    const um = ledgerRecords().records.map((r) => JSON.parse(r.content) as SealedRecord).find((r) => r.kind === 'unapproved-merge') as SealedRecord<'unapproved-merge'>;
    expect(um.subject.issue).toEqual({ number: 3, url: `https://github.com/${OWNER}/${REPO}/issues/3` });
    expect(um.subject.cause).toBe('admin-bypass');
  });
});
