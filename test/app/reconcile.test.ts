/**
 * Reconcile against GitHub (nock): a merged PR whose webhook never arrived is found by listing
 * closed PRs since the ledger's newest record and recorded exactly as the App would have; one
 * already recorded is left alone; the CLI reports it and exits 0, or 1 when a gap remains.
 */
import { Octokit } from '@octokit/core';
import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeGit } from '../ledger/fake-git.ts';
import { mergedDraft } from '../ledger/fixtures.ts';
import { LedgerStore } from '../../src/adapters/github/ledger-store.ts';
import type { OctokitLike } from '../../src/adapters/github/pull-facts.ts';
import { reconcile } from '../../src/app/ledger/reconcile.ts';
import { runReconcile } from '../../src/cli/commands/reconcile.ts';
import { main } from '../../src/cli/main.ts';
import { HEAD_PATH, verifyLedgerState, type SealedRecord } from '../../src/core/ledger/index.ts';
import {
  API,
  BASE_SHA,
  CONFIG,
  HEAD_SHA,
  MERGE_SHA,
  OWNER,
  REPO,
  REPO_PATH,
  SYSTEM,
  blobSha,
  grantFile,
  graphqlObjects,
  type LedgerTip,
  pullRequestClosed,
  testDeps,
  unmatchedRequests,
  type Revisions,
} from './support.ts';
import { TEST_SIGNING_KEY, testSigner } from '../support/ledger-keys.ts';

const BOB = grantFile('bob');
const octokit = new Octokit({ auth: 'ghs_test', request: { retries: 0 } }) as unknown as OctokitLike;

let git: FakeGit;
let unmatched: string[];

beforeEach(async () => {
  nock.disableNetConnect();
  git = new FakeGit(OWNER, REPO).start();
  // The ledger already holds PR #1, merged the day before.
  const store = new LedgerStore({ octokit, owner: OWNER, repo: REPO, clock: () => new Date('2026-11-19T09:00:05Z'), signer: testSigner(), trust: null });
  await store.append({ ...mergedDraft(1, '2026-11-19T09:00:00Z'), repository: `${OWNER}/${REPO}` });
  git.stop();
  git.log.length = 0;
  unmatched = unmatchedRequests();
});

afterEach(() => {
  git.stop();
  nock.cleanAll();
  nock.emitter.removeAllListeners('no match');
  expect(unmatched).toEqual([]);
});

function revisions(): Revisions {
  const tip = git.refs.get('refs/heads/access-ledger')!;
  return {
    [BASE_SHA]: { 'access-ledger.yaml': CONFIG, 'systems/prod-postgres.yaml': SYSTEM },
    [HEAD_SHA]: { 'grants/people/bob.yaml': BOB },
    [MERGE_SHA]: { 'grants/people/bob.yaml': BOB },
    'refs/heads/access-ledger': Object.fromEntries(git.files(tip)),
  };
}

const pr2 = pullRequestClosed().pull_request as Record<string, unknown>;

/** The ledger branch's tip as the merge handler's second query reads it. */
function ledgerTip(): LedgerTip | null {
  const tip = git.refs.get('refs/heads/access-ledger');
  return tip ? { commit: tip, tree: git.get(tip, 'commit').tree, files: git.files(tip) } : null;
}
/** A pulls-list item: the list has no merged_by. */
const listed = (pr: Record<string, unknown>) => {
  const { merged_by: _omit, ...item } = pr;
  return item;
};

function listing() {
  const pr1 = { ...listed(pr2), number: 1, html_url: `https://github.com/${OWNER}/${REPO}/pull/1`, merged_at: '2026-11-19T09:00:00Z', updated_at: '2026-11-19T09:00:01Z' };
  const closed = { ...listed(pr2), number: 3, merged: false, merged_at: null, updated_at: '2026-11-18T00:00:00Z' };
  const old = { ...listed(pr2), number: 4, merged_at: '2026-10-01T00:00:00Z', updated_at: '2026-10-01T00:00:00Z' };
  return [{ ...listed(pr2), updated_at: '2026-11-20T10:00:01Z' }, pr1, closed, old];
}

/** Everything reconcile reads before recording, and the recording of PR #2 itself. */
function expectations(asked: string[][], commentBody: { body?: string }) {
  return [
    nock(API).get(REPO_PATH).reply(200, { default_branch: 'master', html_url: `https://github.com/${OWNER}/${REPO}` }),
    nock(API)
      .get(`${REPO_PATH}/contents/access-ledger.yaml`)
      .query({ ref: 'master' })
      .reply(200, { type: 'file', sha: blobSha(CONFIG), encoding: 'base64', content: Buffer.from(CONFIG).toString('base64') }),
    graphqlObjects(revisions, asked), // head.json
    graphqlObjects(revisions, asked), // the newest record
    nock(API).get(`${REPO_PATH}/pulls`).query({ state: 'closed', sort: 'updated', direction: 'desc', per_page: '100', page: '1' }).reply(200, listing()),
    graphqlObjects(revisions, asked), // which merges are recorded
    // Recording PR #2, as the webhook would have.
    graphqlObjects(revisions, asked, {
      times: 2,
      pull: {
        files: [{ path: 'grants/people/bob.yaml', changeType: 'ADDED' }],
        reviews: [{ login: 'dave', state: 'APPROVED', commit: HEAD_SHA, at: '2026-11-19T12:00:00Z' }],
        commits: [{ author: 'Codertocat', committer: 'Codertocat', message: 'Grant bob' }],
      },
      ledger: ledgerTip,
    }),
    nock(API).get('/orgs/acme/members/alice').reply(204),
    nock(API).get('/orgs/acme/members/bob').reply(204),
    nock(API).get(`${REPO_PATH}/pulls/2`).reply(200, pr2),
    nock(API)
      .post(`${REPO_PATH}/issues/2/comments`, (b: { body: string }) => {
        commentBody.body = b.body;
        return true;
      })
      .reply(201, { id: 9 }),
    nock(API).get(`${REPO_PATH}/issues/2/comments`).query(true).reply(200, []),
  ];
}

function ledger(): SealedRecord[] {
  const files = git.files(git.refs.get('refs/heads/access-ledger')!);
  return [...files].filter(([p]) => p.startsWith('records/')).map(([, c]) => JSON.parse(c) as SealedRecord);
}

describe('reconcile', () => {
  it('backfills a merged PR that has no record, after the newest record, and leaves the recorded one alone', async () => {
    const asked: string[][] = [];
    const comment: { body?: string } = {};
    const scopes = expectations(asked, comment);
    git.start();
    const report = await reconcile({ octokit, repo: { owner: OWNER, repo: REPO }, deps: testDeps('2026-11-21T06:00:00Z') });
    for (const s of scopes) expect(s.pendingMocks()).toEqual([]);

    expect(report).toMatchObject({ branch: 'access-ledger', listed: 4, merged: 2, missing: [2], failures: [], truncated: false });
    expect(report.window).toEqual({ since: '2026-11-16T09:00:00Z', capped: false });
    // Each PR's day folder, and its month folder where a ledger from before day folders would hold it.
    expect(asked[2]).toEqual([
      'refs/heads/access-ledger:records/2026/11/20/pr-2-merged.json',
      'refs/heads/access-ledger:records/2026/11/pr-2-merged.json',
      'refs/heads/access-ledger:records/2026/11/19/pr-1-merged.json',
      'refs/heads/access-ledger:records/2026/11/pr-1-merged.json',
    ]);
    expect(report.outcomes.map((o) => o.status)).toEqual(['recorded']);

    const records = ledger().sort((a, b) => a.seq - b.seq);
    expect(records.map((r) => [r.seq, r.key])).toEqual([[1, 'pr-1-merged'], [2, 'pr-2-merged']]);
    const backfilled = records[1] as SealedRecord<'grant-change'>;
    expect(backfilled.subject.pr.merged_by).toBe('carol'); // from the full PR, not the listing
    expect(backfilled.subject.verdict).toMatchObject({ result: 'pass', evaluated_at: '2026-11-21T06:00:00Z' });
    expect(backfilled.recorded_at).toBe('2026-11-21T06:00:00Z');
    const files = git.files(git.refs.get('refs/heads/access-ledger')!);
    const entries = [...files].filter(([p]) => p.startsWith('records/')).map(([path, content]) => ({ path, content }));
    expect(verifyLedgerState({ records: entries, head: files.get(HEAD_PATH) ?? null }).problems).toEqual([]);
    expect(comment.body).toContain(backfilled.hash);
  });

  it('the CLI reports the backfill and exits 0', async () => {
    const out: string[] = [];
    const scopes = expectations([], {});
    git.start();
    // As a scheduled workflow runs it: the ledger key from a secret, the App's account named.
    const io = { stdout: (t: string) => void out.push(t), stderr: (t: string) => void out.push(t), color: false, interactive: false, now: () => new Date('2026-11-21T06:00:00Z'), env: { ACCESS_LEDGER_SIGNING_KEY: TEST_SIGNING_KEY } };
    const code = await runReconcile({ repo: `${OWNER}/${REPO}`, octokit, appLogin: 'access-ledger[bot]', deps: { store: { sleep: async () => undefined } } }, io);
    for (const s of scopes) expect(s.pendingMocks()).toEqual([]);
    expect(code).toBe(0);
    expect(out.join('')).toContain('#2 recorded: seq 2 pr-2-merged');
  });

  it('a dry run reports the gap, records nothing and exits 1', async () => {
    const out: string[] = [];
    const asked: string[][] = [];
    const scopes = expectations(asked, {}).slice(0, 6);
    git.start();
    const io = { stdout: (t: string) => void out.push(t), stderr: (t: string) => void out.push(t), color: false, interactive: false, now: () => new Date('2026-11-21T06:00:00Z'), env: {} };
    const code = await runReconcile({ repo: `${OWNER}/${REPO}`, octokit, dryRun: true }, io);
    for (const s of scopes) expect(s.pendingMocks()).toEqual([]);
    expect(code).toBe(1);
    expect(out.join('')).toContain('missing a record: #2 (dry run: nothing recorded)');
    expect(ledger().map((r) => r.key)).toEqual(['pr-1-merged']);
    expect(git.log.filter((r) => r.method !== 'GET')).toEqual([]);
  });
});

describe('access-ledger reconcile usage', () => {
  it.each([
    [['reconcile', '--repo', 'not-a-repo', '--token', 't'], /--repo must be owner\/name/],
    [['reconcile', '--repo', 'a/b'], /needs a GitHub token/],
    [['reconcile', '--repo', 'a/b', '--token', 't', '--since', 'yesterday'], /--since must be a date/],
    [['reconcile', '--repo', 'a/b', '--token', 't', '--max-days', '0'], /--max-days must be a positive whole number/],
  ])('%j exits 2 with one line', async (argv, message) => {
    const err: string[] = [];
    const io = { stdout: () => undefined, stderr: (t: string) => void err.push(t), color: false, interactive: false, now: () => new Date(), env: {} };
    expect(await main(argv, io)).toBe(2);
    expect(err.join('')).toMatch(message);
    expect(err.join('').trim().split('\n')).toHaveLength(1);
  });
});

describe('reconcile of several missing PRs', () => {
  const N = 6;
  const numbers = Array.from({ length: N }, (_, i) => 10 + i);
  const login = (n: number) => `eng-${n}`;
  const mergedAt = (n: number) => `2026-11-20T10:${String(n).padStart(2, '0')}:00Z`;

  function manyRevisions(): Revisions {
    const tip = git.refs.get('refs/heads/access-ledger')!;
    const grants = Object.fromEntries(numbers.map((n) => [`grants/people/${login(n)}.yaml`, grantFile(login(n))]));
    return {
      [BASE_SHA]: { 'access-ledger.yaml': CONFIG, 'systems/prod-postgres.yaml': SYSTEM },
      [HEAD_SHA]: grants,
      [MERGE_SHA]: grants,
      'refs/heads/access-ledger': Object.fromEntries(git.files(tip)),
    };
  }

  const pull = (n: number) => ({ ...pr2, number: n, title: `Grant ${login(n)} read access to prod-postgres`, html_url: `https://github.com/${OWNER}/${REPO}/pull/${n}`, merged_at: mergedAt(n), updated_at: mergedAt(n) });

  function manyExpectations(asked: string[][], comments: Map<number, string>) {
    // Each merge's two folded queries, answered by the number asked (the PRs are read side by side).
    const reads = () => graphqlObjects(manyRevisions, asked, {
      times: 2 * numbers.length,
      pull: (n) => ({
        files: [{ path: `grants/people/${login(n)}.yaml`, changeType: 'ADDED' }],
        reviews: [{ login: 'dave', state: 'APPROVED', commit: HEAD_SHA, at: '2026-11-19T12:00:00Z' }],
        commits: [{ author: login(n), committer: login(n), message: 'Grant' }],
      }),
      // The oldest merge's reads are the slowest: its record must still come first.
      delay: (n) => (n === numbers[0] ? 40 : 0),
      ledger: ledgerTip,
    });
    const perPr = numbers.flatMap((n) => [
      nock(API).get('/orgs/acme/members/alice').reply(204),
      nock(API).get(`/orgs/acme/members/${login(n)}`).reply(204),
      nock(API).get(`${REPO_PATH}/pulls/${n}`).reply(200, pull(n)),
      nock(API)
        .post(`${REPO_PATH}/issues/${n}/comments`, (b: { body: string }) => {
          comments.set(n, b.body);
          return true;
        })
        .reply(201, { id: n }),
      nock(API).get(`${REPO_PATH}/issues/${n}/comments`).query(true).reply(200, []),
    ]);
    return [
      nock(API).get(REPO_PATH).reply(200, { default_branch: 'master', html_url: `https://github.com/${OWNER}/${REPO}` }),
      nock(API)
        .get(`${REPO_PATH}/contents/access-ledger.yaml`)
        .query({ ref: 'master' })
        .reply(200, { type: 'file', sha: blobSha(CONFIG), encoding: 'base64', content: Buffer.from(CONFIG).toString('base64') }),
      graphqlObjects(manyRevisions, asked), // head.json
      graphqlObjects(manyRevisions, asked), // the newest record
      // Newest update first, as GitHub lists them.
      nock(API)
        .get(`${REPO_PATH}/pulls`)
        .query({ state: 'closed', sort: 'updated', direction: 'desc', per_page: '100', page: '1' })
        .reply(200, numbers.map((n) => listed(pull(n))).reverse()),
      graphqlObjects(manyRevisions, asked), // which merges are recorded
      reads(),
      ...perPr,
    ];
  }

  it(`records ${N} missing PRs a few at once: ${N} records, oldest merge first, in fewer commits than PRs`, async () => {
    const comments = new Map<number, string>();
    const scopes = manyExpectations([], comments);
    git.start();
    // GitHub takes a moment to answer: appends queue while a commit is in flight.
    git.delayMs = 5;
    const commitsBefore = git.history('access-ledger').length;
    const report = await reconcile({ octokit, repo: { owner: OWNER, repo: REPO }, deps: testDeps('2026-11-21T06:00:00Z') });
    for (const s of scopes) expect(s.pendingMocks()).toEqual([]);

    expect(report.missing).toEqual(numbers);
    expect(report.failures).toEqual([]);
    expect(report.outcomes.map((o) => [o.pr, o.status])).toEqual(numbers.map((n) => [n, 'recorded']));
    const records = ledger().sort((a, b) => a.seq - b.seq);
    // The backfilled records' seq follows the order of the merges.
    expect(records.map((r) => r.key)).toEqual(['pr-1-merged', ...numbers.map((n) => `pr-${n}-merged`)]);
    expect(records.map((r) => r.seq)).toEqual(Array.from({ length: N + 1 }, (_, i) => i + 1));
    const commits = git.history('access-ledger').length - commitsBefore;
    expect(commits).toBeGreaterThan(0);
    expect(commits).toBeLessThan(N);
    const files = git.files(git.refs.get('refs/heads/access-ledger')!);
    const entries = [...files].filter(([p]) => p.startsWith('records/')).map(([path, content]) => ({ path, content }));
    expect(verifyLedgerState({ records: entries, head: files.get(HEAD_PATH) ?? null }).problems).toEqual([]);
    // Each PR's own comment anchors its own record.
    for (const r of records.slice(1)) expect(comments.get((r.subject as { pr: { number: number } }).pr.number)).toContain(r.hash);
  });

  it('with a concurrency of 1 each PR is its own commit (what the group commit saves)', async () => {
    const scopes = manyExpectations([], new Map());
    git.start();
    git.delayMs = 5;
    const commitsBefore = git.history('access-ledger').length;
    const report = await reconcile({ octokit, repo: { owner: OWNER, repo: REPO }, deps: testDeps('2026-11-21T06:00:00Z'), concurrency: 1 });
    for (const s of scopes) expect(s.pendingMocks()).toEqual([]);
    expect(report.outcomes).toHaveLength(N);
    expect(git.history('access-ledger').length - commitsBefore).toBe(N);
    expect(ledger().sort((a, b) => a.seq - b.seq).map((r) => r.key)).toEqual(['pr-1-merged', ...numbers.map((n) => `pr-${n}-merged`)]);
  });
});
