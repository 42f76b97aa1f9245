/**
 * Reconcile against the stateful fake GitHub: a merged PR whose webhook never arrived is found by
 * listing closed PRs since the ledger's newest record and recorded exactly as the App would have;
 * one already recorded is left alone; the CLI reports it and exits 0, or 1 when a gap remains.
 */
import { Octokit } from '@octokit/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mergedDraft } from '../ledger/fixtures.ts';
import { LedgerStore } from '../../src/adapters/github/ledger-store.ts';
import type { OctokitLike } from '../../src/adapters/github/pull-facts.ts';
import { reconcile } from '../../src/app/ledger/reconcile.ts';
import { runReconcile } from '../../src/cli/commands/reconcile.ts';
import { main } from '../../src/cli/main.ts';
import { verifyLedgerState, type SealedRecord } from '../../src/core/ledger/index.ts';
import { refuseRealConnections } from '../support/no-network.ts';
import { ACCESS, GRANT_PATH, appWorld, grantFile, testDeps, type AppWorld } from './support.ts';
import { TEST_SIGNING_KEY, testSigner } from '../support/ledger-keys.ts';

refuseRealConnections();

const [OWNER, REPO] = ACCESS.split('/') as [string, string];

let w: AppWorld;
let octokit: OctokitLike;

/**
 * Four closed pull requests: #1 merged 2026-11-19 09:00 and already in the ledger, #2 (bob's
 * grant, approved by dave) merged 2026-11-20 10:00 whose webhook never arrived, #3 closed without
 * a merge, #4 merged long before the window.
 */
beforeEach(async () => {
  w = await appWorld('2026-09-30T00:00:00Z', { takeFirstNumber: false });
  const s = w.gh.state;
  // Installation tokens last an hour of the fake's clock: one is minted whenever the clock has moved on.
  const client = () =>
    new Octokit({ baseUrl: w.gh.url, auth: w.gh.createInstallationToken(s.installationFor('acme')!.id), request: { retries: 0 } }) as unknown as OctokitLike;
  const one = s.openPullRequest(ACCESS, { author: 'alice', title: 'Note the on-call rota', files: { 'notes/one.txt': 'one\n' } });
  const two = s.openPullRequest(ACCESS, { author: 'Codertocat', title: 'Grant bob read access to prod-postgres', files: { [GRANT_PATH]: grantFile('bob') } });
  const three = s.openPullRequest(ACCESS, { author: 'alice', title: 'Abandoned', files: { 'notes/three.txt': 'three\n' } });
  const four = s.openPullRequest(ACCESS, { author: 'alice', title: 'Old', files: { 'notes/four.txt': 'four\n' } });
  expect([one, two, three, four]).toEqual([1, 2, 3, 4]);
  w.at('2026-10-01T00:00:00Z');
  s.mergePull(ACCESS, four, { by: 'carol' });
  w.at('2026-11-18T00:00:00Z');
  s.closePullRequest(ACCESS, three, 'alice');
  w.at('2026-11-19T09:00:00Z');
  s.mergePull(ACCESS, one, { by: 'carol' });
  // The ledger already holds PR #1, recorded as it merged.
  const store = new LedgerStore({
    octokit: client() as never,
    owner: OWNER,
    repo: REPO,
    clock: () => new Date('2026-11-19T09:00:05Z'),
    signer: testSigner(),
    trust: null,
  });
  await store.append({ ...mergedDraft(1, '2026-11-19T09:00:00Z'), repository: ACCESS });
  w.at('2026-11-19T12:00:00Z');
  s.submitReview(ACCESS, two, { user: 'dave', state: 'APPROVED' });
  w.at('2026-11-20T10:00:00Z');
  s.mergePull(ACCESS, two, { by: 'carol' });
  octokit = client();
  w.gh.resetCalls();
});

afterEach(async () => {
  expect(w.gh.errors).toEqual([]);
  await w.gh.close();
});

const ledger = (): SealedRecord[] => w.ledger().records.map((r) => JSON.parse(r.content) as SealedRecord);
const commentsOn = (number: number) => w.gh.state.pullOf(ACCESS, number).issue.comments;

describe('reconcile', () => {
  it('backfills a merged PR that has no record, after the newest record, and leaves the recorded one alone', async () => {
    const report = await reconcile({ octokit, repo: { owner: OWNER, repo: REPO }, deps: testDeps('2026-11-21T06:00:00Z') });

    expect(report).toMatchObject({ branch: 'access-ledger', listed: 4, merged: 2, missing: [2], failures: [], truncated: false });
    expect(report.window).toEqual({ since: '2026-11-16T09:00:00Z', capped: false });
    expect(report.outcomes.map((o) => o.status)).toEqual(['recorded']);

    const records = ledger().sort((a, b) => a.seq - b.seq);
    expect(records.map((r) => [r.seq, r.key])).toEqual([
      [1, 'pr-1-merged'],
      [2, 'pr-2-merged'],
    ]);
    const backfilled = records[1] as SealedRecord<'grant-change'>;
    expect(backfilled.subject.pr.merged_by).toBe('carol'); // from the full PR, not the listing
    expect(backfilled.subject.verdict).toMatchObject({ result: 'pass', evaluated_at: '2026-11-21T06:00:00Z' });
    expect(backfilled.recorded_at).toBe('2026-11-21T06:00:00Z');
    const { records: entries, head } = w.ledger();
    expect(verifyLedgerState({ records: entries, head }).problems).toEqual([]);
    // PR #2 gets the App's comment anchoring the record; the recorded PR #1 is not touched.
    expect(
      commentsOn(2)
        .map((c) => c.body)
        .join('\n'),
    ).toContain(backfilled.hash);
    expect(commentsOn(1)).toEqual([]);
  });

  it('the CLI reports the backfill and exits 0', async () => {
    const out: string[] = [];
    // As a scheduled workflow runs it: the ledger key from a secret, the App's account named.
    const io = {
      stdout: (t: string) => void out.push(t),
      stderr: (t: string) => void out.push(t),
      color: false,
      interactive: false,
      now: () => new Date('2026-11-21T06:00:00Z'),
      env: { ACCESS_LEDGER_SIGNING_KEY: TEST_SIGNING_KEY },
    };
    const code = await runReconcile({ repo: ACCESS, octokit, appLogin: 'access-ledger[bot]', deps: { store: { sleep: async () => undefined } } }, io);
    expect(code).toBe(0);
    expect(out.join('')).toContain('#2 recorded: seq 2 pr-2-merged');
    expect(
      ledger()
        .map((r) => r.key)
        .sort(),
    ).toEqual(['pr-1-merged', 'pr-2-merged']);
  });

  it('a dry run reports the gap, records nothing and exits 1', async () => {
    const out: string[] = [];
    const io = {
      stdout: (t: string) => void out.push(t),
      stderr: (t: string) => void out.push(t),
      color: false,
      interactive: false,
      now: () => new Date('2026-11-21T06:00:00Z'),
      env: {},
    };
    const code = await runReconcile({ repo: ACCESS, octokit, dryRun: true }, io);
    expect(code).toBe(1);
    expect(out.join('')).toContain('missing a record: #2 (dry run: nothing recorded)');
    expect(ledger().map((r) => r.key)).toEqual(['pr-1-merged']);
    expect(w.writes()).toEqual([]);
    expect(commentsOn(2)).toEqual([]);
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
  const login = (i: number) => `eng-${i}`;
  const mergedAt = (i: number) => `2026-11-20T10:${String(i).padStart(2, '0')}:00Z`;
  let numbers: number[];

  /** N more grants after #2, each approved by dave and merged a minute after the one before; none recorded. */
  beforeEach(() => {
    const s = w.gh.state;
    w.at('2026-11-19T10:00:00Z');
    numbers = Array.from({ length: N }, (_, i) => {
      s.addOrgMember('acme', login(i));
      return s.openPullRequest(ACCESS, {
        author: login(i),
        title: `Grant ${login(i)} read access to prod-postgres`,
        files: { [`grants/people/${login(i)}.yaml`]: grantFile(login(i)) },
      });
    });
    w.at('2026-11-19T12:00:00Z');
    for (const n of numbers) s.submitReview(ACCESS, n, { user: 'dave', state: 'APPROVED' });
    numbers.forEach((n, i) => {
      w.at(mergedAt(i + 1));
      s.mergePull(ACCESS, n, { by: 'carol' });
    });
    // GitHub takes a moment to answer: appends queue while a commit is in flight.
    w.gh.faults.delayMs = 5;
  });

  /** The oldest merge's (#2's) reads are the slowest (the PRs are read side by side): its record must still come first. */
  function slowOldest(): void {
    w.gh.faults.intercept(async (req) => {
      const number = (req.body as { variables?: { number?: unknown } } | undefined)?.variables?.number;
      if (req.route === 'POST /graphql' && number === 2) await new Promise((r) => setTimeout(r, 40));
    });
  }

  it(`records ${N + 1} missing PRs a few at once: ${N + 1} records, oldest merge first, in fewer commits than PRs`, async () => {
    slowOldest();
    const commitsBefore = w.ledgerCommits().length;
    const report = await reconcile({ octokit, repo: { owner: OWNER, repo: REPO }, deps: testDeps('2026-11-21T06:00:00Z') });

    expect(report.missing).toEqual([2, ...numbers]);
    expect(report.failures).toEqual([]);
    expect(report.outcomes.map((o) => [o.pr, o.status])).toEqual([2, ...numbers].map((n) => [n, 'recorded']));
    const records = ledger().sort((a, b) => a.seq - b.seq);
    // The backfilled records' seq follows the order of the merges.
    expect(records.map((r) => r.key)).toEqual(['pr-1-merged', 'pr-2-merged', ...numbers.map((n) => `pr-${n}-merged`)]);
    expect(records.map((r) => r.seq)).toEqual(Array.from({ length: N + 2 }, (_, i) => i + 1));
    const commits = w.ledgerCommits().length - commitsBefore;
    expect(commits).toBeGreaterThan(0);
    expect(commits).toBeLessThan(N + 1);
    const { records: entries, head } = w.ledger();
    expect(verifyLedgerState({ records: entries, head }).problems).toEqual([]);
    // Each PR's own comment anchors its own record.
    for (const r of records.slice(1)) {
      const pr = (r.subject as { pr: { number: number } }).pr.number;
      expect(
        commentsOn(pr)
          .map((c) => c.body)
          .join('\n'),
      ).toContain(r.hash);
    }
  });

  it('with a concurrency of 1 each PR is its own commit (what the group commit saves)', async () => {
    const commitsBefore = w.ledgerCommits().length;
    const report = await reconcile({ octokit, repo: { owner: OWNER, repo: REPO }, deps: testDeps('2026-11-21T06:00:00Z'), concurrency: 1 });
    expect(report.outcomes).toHaveLength(N + 1);
    expect(w.ledgerCommits().length - commitsBefore).toBe(N + 1);
    expect(
      ledger()
        .sort((a, b) => a.seq - b.seq)
        .map((r) => r.key),
    ).toEqual(['pr-1-merged', 'pr-2-merged', ...numbers.map((n) => `pr-${n}-merged`)]);
  });
});
