import type { Octokit } from '@octokit/core';
import { afterEach, describe, expect, it } from 'vitest';
import {
  InProcessLedgerQueues,
  LedgerConflictError,
  LedgerStateError,
  LedgerStore,
  SigningKeyMissingError,
  type LedgerOctokit,
  type LedgerStoreOptions,
} from '../../src/adapters/github/ledger-store.ts';
import { LedgerTrustChecker } from '../../src/adapters/github/ledger-trust.ts';
import {
  HEAD_PATH,
  README_PATH,
  emptyHead,
  headFor,
  parseHead,
  planAppend,
  publicKeyOf,
  recordPath,
  serializeHead,
  serializeRecord,
  verifyChain,
  verifyHistory,
  type HistoryCommit,
  type RecordDraft,
} from '../../src/core/ledger/index.ts';
import { ledgerRepo, type LedgerRepo } from './ledger-repo.ts';
import { fixedClock, mergedDraft } from './fixtures.ts';
import { testSigner } from '../support/ledger-keys.ts';
import { refuseRealConnections } from '../support/no-network.ts';

refuseRealConnections();

// Octokit's type must fit the structural interface the store asks for.
const typed = (octokit: Octokit): LedgerOctokit => octokit;

let fakes: LedgerRepo[] = [];
afterEach(async () => {
  for (const f of fakes) {
    expect(f.gh.errors).toEqual([]);
    await f.gh.close();
  }
  fakes = [];
});

/** Each test uses its own repository name, so each gets its own in-process queue; each its own fake GitHub. */
async function setup(repo: string, options: Partial<LedgerStoreOptions> = {}) {
  const fake = await ledgerRepo(repo);
  fakes.push(fake);
  const octokit = typed(fake.octokit);
  const delays: number[] = [];
  const queues = new InProcessLedgerQueues();
  const make = (extra: Partial<LedgerStoreOptions> = {}) =>
    new LedgerStore({
      octokit,
      queues,
      owner: 'acme',
      repo,
      clock: fixedClock(),
      signer: testSigner(),
      trust: null,
      random: () => 0.5,
      sleep: async (ms) => void delays.push(ms),
      ...options,
      ...extra,
    });
  return { fake, store: make(), make, delays, octokit };
}

const draftFor = (repo: string, pr: number, mergedAt?: string): RecordDraft => ({ ...mergedDraft(pr, mergedAt), repository: `acme/${repo}` });

/** The branch as verify would see it: the chain at the tip and the history replayed. */
function audit(fake: LedgerRepo, branch = 'access-ledger') {
  const shas = fake.history(branch);
  const tip = fake.files(shas[shas.length - 1]!);
  const records = [...tip].filter(([p]) => p.startsWith('records/')).map(([path, content]) => ({ path, content }));
  const commits: HistoryCommit[] = shas.map((sha, i) => {
    const before = i === 0 ? new Map<string, string>() : fake.files(shas[i - 1]!);
    const after = fake.files(sha);
    const commit = fake.commit(sha);
    return {
      sha,
      parents: commit.parents,
      added: [...after].filter(([p]) => !before.has(p)).map(([path, content]) => ({ path, content })),
      modified: [...after].filter(([p, c]) => before.has(p) && before.get(p) !== c).map(([path, content]) => ({ path, content })),
      deleted: [...before.keys()].filter((p) => !after.has(p)).map((path) => ({ path })),
    };
  });
  return { shas, tip, chain: verifyChain(records), history: verifyHistory(commits), head: parseHead(tip.get(HEAD_PATH)!) };
}

describe('LedgerStore.append', () => {
  it('creates the orphan branch on the first append: a README and head.json seq 0, then the record', async () => {
    const { fake, store } = await setup('first');
    const [record] = await store.append(draftFor('first', 45));
    expect(record).toMatchObject({ seq: 1, prev_hash: null, key: 'pr-45-merged', recorded_at: '2026-11-20T10:00:03Z' });

    const { shas, tip, chain, history, head } = audit(fake);
    expect(shas).toHaveLength(2);
    const genesis = fake.commit(shas[0]!);
    expect(genesis.parents).toEqual([]);
    expect([...fake.files(shas[0]!).keys()].sort()).toEqual([README_PATH, HEAD_PATH]);
    expect(parseHead(fake.files(shas[0]!).get(HEAD_PATH)!)).toEqual(emptyHead());
    expect(fake.files(shas[0]!).get(README_PATH)).toMatch(/git fetch origin access-ledger:access-ledger/);
    expect(tip.get('records/2026/11/20/pr-45-merged.json')).toBe(serializeRecord(record!));
    expect(head).toEqual(headFor(record!));
    expect(chain.ok).toBe(true);
    expect(history.problems).toEqual([]);
    expect(fake.commit(shas[1]!).message).toMatch(/^Record seq 1: pr-45-merged\n/);

    // GET ref (404), genesis tree + commit, record tree + commit, create the ref.
    expect(fake.log().map((r) => `${r.method} ${r.path.replace(/[0-9a-f]{40}/g, 'SHA')}`)).toEqual([
      'GET /git/ref/heads/access-ledger',
      'POST /git/trees',
      'POST /git/commits',
      'POST /git/trees',
      'POST /git/commits',
      'POST /git/refs',
    ]);
    expect(store.stats()).toMatchObject({ requests: 6, commits: 1, genesis: 1, appended: 1, conflicts: 0 });
  });

  it('appends with a handful of calls: 7 cold, 5 when this process wrote the tip', async () => {
    const { fake, store, make } = await setup('steady');
    await store.append(draftFor('steady', 1));

    // A second store instance shares the queue (and so the knowledge of the tip).
    fake.clearLog();
    const [second] = await make().append(draftFor('steady', 2));
    expect(second).toMatchObject({ seq: 2 });
    expect(fake.log().map((r) => `${r.method} ${r.path.replace(/[0-9a-f]{40}/g, 'SHA')}`)).toEqual([
      'GET /git/ref/heads/access-ledger',
      'GET /contents/records/2026/11/20/pr-2-merged.json',
      'POST /git/trees',
      'POST /git/commits',
      'PATCH /git/refs/heads/access-ledger',
    ]);
    const patch = fake.log().find((r) => r.method === 'PATCH')!.body as { force: boolean };
    expect(patch.force).toBe(false);
    const tree = fake.log().find((r) => r.method === 'POST' && r.path === '/git/trees')!.body as { base_tree: string; tree: { path: string }[] };
    expect(tree.base_tree).toMatch(/^[0-9a-f]{40}$/);
    expect(tree.tree.map((e) => e.path)).toEqual(['records/2026/11/20/pr-2-merged.json', HEAD_PATH]);

    // Someone else moved the branch: the store reads the tip commit and head.json first.
    const foreign = planAppend(headFor(second!), [draftFor('steady', 3)], fixedClock()).records[0]!;
    fake.foreignCommit('access-ledger', { [recordPath(foreign)]: serializeRecord(foreign), [HEAD_PATH]: serializeHead(headFor(foreign)) });
    fake.clearLog();
    const [fourth] = await store.append(draftFor('steady', 4));
    expect(fourth).toMatchObject({ seq: 4, prev_hash: foreign.hash });
    expect(fake.log().map((r) => `${r.method} ${r.path.replace(/[0-9a-f]{40}/g, 'SHA')}`)).toEqual([
      'GET /git/ref/heads/access-ledger',
      'GET /git/commits/SHA',
      'GET /contents/head.json',
      'GET /contents/records/2026/11/20/pr-4-merged.json',
      'POST /git/trees',
      'POST /git/commits',
      'PATCH /git/refs/heads/access-ledger',
    ]);
    expect(audit(fake).chain.ok).toBe(true);
  });

  describe('building on what the caller read of the branch (`seen`)', () => {
    /** The tip as a caller's GraphQL query would have read it: commit, tree, head.json and paths. */
    function seenAt(fake: LedgerRepo, paths: string[]) {
      const tip = fake.tip()!;
      const files = fake.files(tip);
      return { commitSha: tip, treeSha: fake.commit(tip).tree, files: new Map([HEAD_PATH, ...paths].map((p) => [p, files.get(p) ?? null] as const)) };
    }
    const log = (fake: LedgerRepo) => fake.log().map((r) => `${r.method} ${r.path.replace(/[0-9a-f]{40}/g, 'SHA')}`);

    it('on the tip the caller saw, a process that has written nothing yet appends with its three writes alone', async () => {
      const { fake, store, make } = await setup('seen-cold');
      await store.append(draftFor('seen-cold', 1));
      // Another process's store (queues of its own): it knows no tip, the caller's read is all it has.
      const cold = make({ queues: new InProcessLedgerQueues() });
      fake.clearLog();
      const draft = draftFor('seen-cold', 2);
      const { records } = await cold.appendDetailed(draft, { seen: seenAt(fake, [recordPath(draft)]) });
      expect(records[0]).toMatchObject({ seq: 2 });
      expect(log(fake)).toEqual(['POST /git/trees', 'POST /git/commits', 'PATCH /git/refs/heads/access-ledger']);
      expect(audit(fake).chain.ok).toBe(true);
    });

    it('a redelivery the caller already found at the path writes nothing and reads nothing', async () => {
      const { fake, store } = await setup('seen-redelivery');
      const [first] = await store.append(draftFor('seen-redelivery', 1));
      fake.clearLog();
      const draft = draftFor('seen-redelivery', 1);
      const { records } = await store.appendDetailed(draft, { seen: seenAt(fake, [recordPath(draft)]) });
      expect(records[0]!.hash).toBe(first!.hash);
      expect(fake.log()).toEqual([]);
    });

    it('a tip the caller saw that another writer moved since: the ref update is refused, and the retry reads the branch and chains after it', async () => {
      const { fake, store } = await setup('seen-stale');
      const [first] = await store.append(draftFor('seen-stale', 1));
      const draft = draftFor('seen-stale', 2);
      const seen = seenAt(fake, [recordPath(draft)]);
      const foreign = planAppend(headFor(first!), [draftFor('seen-stale', 3)], fixedClock()).records[0]!;
      fake.foreignCommit('access-ledger', { [recordPath(foreign)]: serializeRecord(foreign), [HEAD_PATH]: serializeHead(headFor(foreign)) });
      fake.clearLog();
      const { records } = await store.appendDetailed(draft, { seen });
      expect(records[0]).toMatchObject({ seq: 3, prev_hash: foreign.hash });
      expect(store.stats().conflicts).toBe(1);
      expect(log(fake).slice(0, 4)).toEqual([
        'POST /git/trees',
        'POST /git/commits',
        'PATCH /git/refs/heads/access-ledger',
        'GET /git/ref/heads/access-ledger',
      ]);
      expect(audit(fake).chain).toMatchObject({ ok: true, count: 3 });
    });

    it('a stale read of a record path is never taken for the path at another commit: the record the process wrote since is found', async () => {
      const { fake, store } = await setup('seen-since');
      await store.append(draftFor('seen-since', 1));
      const draft = draftFor('seen-since', 2);
      // Read before this process recorded the same event (a redelivery racing the first delivery).
      const seen = seenAt(fake, [recordPath(draft)]);
      const [recorded] = await store.append(draft);
      const { records } = await store.appendDetailed(draft, { seen });
      expect(records[0]!.hash).toBe(recorded!.hash);
      expect(audit(fake).chain).toMatchObject({ ok: true, count: 2 });
    });
  });

  it('groups 50 concurrent appends into few commits with a contiguous chain', async () => {
    const { fake, store } = await setup('burst');
    await store.append(draftFor('burst', 1)); // the branch exists, as in steady operation
    fake.clearLog();
    const before = store.stats();

    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => store.append(draftFor('burst', 100 + i))));
    results.forEach(([r], i) => {
      expect(r).toMatchObject({ key: `pr-${100 + i}-merged` });
    });
    const seqs = results.map(([r]) => r!.seq).sort((a, b) => a - b);
    expect(seqs).toEqual(Array.from({ length: 50 }, (_, i) => i + 2));

    const after = store.stats();
    const commits = after.commits - before.commits;
    const requests = after.requests - before.requests;
    expect(commits).toBeLessThanOrEqual(2);
    // One directory listing replaces 50 existence checks; 3 writes for the whole burst.
    expect(requests).toBeLessThanOrEqual(10);
    expect(fake.count('POST') + fake.count('PATCH')).toBe(3 * commits);

    const { chain, history, head } = audit(fake);
    expect(chain).toMatchObject({ ok: true, count: 51 });
    expect(history.problems).toEqual([]);
    expect(head.seq).toBe(51);
  });

  it('appends arriving while a commit is in flight wait and go into the next commit together', async () => {
    const { fake, store } = await setup('inflight');
    await store.append(draftFor('inflight', 1));
    fake.gh.faults.delayMs = 5;
    const before = store.stats();
    const first = store.append(draftFor('inflight', 2));
    await new Promise((r) => setTimeout(r, 12)); // the first flush is now mid-way
    const rest = Array.from({ length: 20 }, (_, i) => store.append(draftFor('inflight', 10 + i)));
    const all = await Promise.all([first, ...rest]);
    expect(store.stats().commits - before.commits).toBe(2);
    expect(all.map(([r]) => r!.seq)).toEqual(Array.from({ length: 21 }, (_, i) => i + 2));
    expect(audit(fake).chain.ok).toBe(true);
  });

  it('retries after a non-fast-forward and chains after the other writer', async () => {
    const { fake, store, delays } = await setup('retry');
    await store.append(draftFor('retry', 1));
    let foreignHash = '';
    fake.gh.faults.intercept((req) => {
      if (req.method !== 'PATCH' || foreignHash) return;
      // Another replica appends first; our PATCH is then not a fast-forward.
      const files = fake.files(fake.tip()!);
      const r = planAppend(parseHead(files.get(HEAD_PATH)!), [draftFor('retry', 77)], fixedClock()).records[0]!;
      fake.foreignCommit('access-ledger', { [recordPath(r)]: serializeRecord(r), [HEAD_PATH]: serializeHead(headFor(r)) });
      foreignHash = r.hash;
    });
    const [mine] = await store.append(draftFor('retry', 2));
    expect(mine).toMatchObject({ seq: 3, prev_hash: foreignHash });
    expect(store.stats().conflicts).toBe(1);
    expect(delays).toEqual([188]); // 250 ms ceiling, jitter 0.5 -> 125 + 62.5
    const { chain, history, shas } = audit(fake);
    expect(chain).toMatchObject({ ok: true, count: 3 });
    expect(history.problems).toEqual([]);
    expect(shas).toHaveLength(4);
  });

  it('ends a conflict storm with a clear error, never forcing and never forking', async () => {
    const { fake, store, delays } = await setup('storm', { maxAttempts: 4 });
    await store.append(draftFor('storm', 1));
    let foreign = 0;
    const storm = fake.gh.faults.intercept((req) => {
      if (req.method !== 'PATCH') return;
      fake.foreignCommit('access-ledger', { [`records/2026/11/other-${foreign++}.json`]: '{}\n' });
    });
    const err = await store.append(draftFor('storm', 2)).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(LedgerConflictError);
    expect((err as LedgerConflictError).message).toMatch(/acme\/storm branch access-ledger after 4 attempts/);
    expect((err as LedgerConflictError).attempts).toBe(4);
    expect(delays).toHaveLength(3);
    expect(delays[2]).toBeGreaterThan(delays[0]!);
    expect(
      fake
        .log()
        .filter((r) => r.method === 'PATCH')
        .every((r) => (r.body as { force: boolean }).force === false),
    ).toBe(true);
    // Linear history; our record never landed.
    const shas = fake.history('access-ledger');
    expect(shas.every((s) => fake.commit(s).parents.length <= 1)).toBe(true);
    expect(fake.files(shas[shas.length - 1]!).has('records/2026/11/20/pr-2-merged.json')).toBe(false);
    // The queue is free again.
    storm.remove();
    await expect(store.append(draftFor('storm', 3))).resolves.toHaveLength(1);
  });

  it('a redelivered event writes nothing and returns the stored record', async () => {
    const { fake, store, make } = await setup('redeliver');
    const [original] = await store.append(draftFor('redeliver', 45));
    fake.clearLog();
    const later = make({ clock: fixedClock('2026-11-21T00:00:00Z') });
    const [again] = await later.append(draftFor('redeliver', 45));
    expect(again).toEqual(original);
    expect(fake.count('POST') + fake.count('PATCH')).toBe(0);
    expect(fake.log().map((r) => r.method)).toEqual(['GET', 'GET']);
    expect(later.stats().deduplicated).toBe(1);
  });

  it('the same event queued twice in one burst is recorded once', async () => {
    const { fake, store } = await setup('twice');
    const [[a], [b]] = await Promise.all([store.append(draftFor('twice', 45)), store.append(draftFor('twice', 45))]);
    expect(a).toEqual(b);
    expect(audit(fake).chain.count).toBe(1);
  });

  it('a redelivery in a burst does not block the others', async () => {
    const { fake, store } = await setup('mixed');
    await store.append(draftFor('mixed', 1));
    fake.clearLog();
    const results = await Promise.all([1, 2, 3].map((n) => store.append(draftFor('mixed', n))));
    expect(results.map(([r]) => r!.seq)).toEqual([1, 2, 3]);
  });

  it('refuses to build on a tampered record at a draft path, failing only that caller', async () => {
    const { fake, store } = await setup('tampered');
    await store.append(draftFor('tampered', 1));
    const tip = fake.files(fake.tip()!);
    fake.foreignCommit('access-ledger', { 'records/2026/11/20/pr-1-merged.json': tip.get('records/2026/11/20/pr-1-merged.json')!.replace('dave', 'mallory') });
    const [bad, good] = await Promise.allSettled([store.append(draftFor('tampered', 1)), store.append(draftFor('tampered', 2))]);
    expect(bad.status).toBe('rejected');
    expect((bad as PromiseRejectedResult).reason).toBeInstanceOf(LedgerStateError);
    expect(String((bad as PromiseRejectedResult).reason)).toMatch(/hash mismatch/);
    expect(good).toMatchObject({ status: 'fulfilled', value: [{ seq: 2 }] });
  });

  it('refuses to write at all without a signing key, naming the variable', async () => {
    const { fake, make } = await setup('unsigned');
    await expect(make({ signer: null }).append(draftFor('unsigned', 1))).rejects.toThrow(SigningKeyMissingError);
    await expect(make({ signer: null }).append(draftFor('unsigned', 1))).rejects.toThrow(/ACCESS_LEDGER_SIGNING_KEY/);
    expect(fake.log()).toEqual([]);
  });

  describe("a record at a draft's path that the App did not write", () => {
    const trusting = (fake: LedgerRepo) =>
      new LedgerTrustChecker({
        octokit: typed(fake.octokit),
        owner: 'acme',
        repo: fake.repo,
        appLogin: 'access-ledger[bot]',
        keys: [publicKeyOf(testSigner())],
      });
    const mallory = { name: 'Mallory', email: 'mallory@acme.example', login: 'mallory' };

    it('is not adopted: the event goes to the next key, with an anomaly record in the same commit; a redelivery finds both', async () => {
      const repo = 'foreign';
      const { fake, make } = await setup(repo);
      const store = make({ trust: trusting(fake) });
      await store.append(draftFor(repo, 1));
      // Someone pushes a correctly chained, unsigned record for PR 2 before the App records it.
      const head = parseHead(fake.files(fake.tip()!).get(HEAD_PATH)!);
      const forged = planAppend(head, [draftFor(repo, 2)], fixedClock()).records[0]!;
      const sha = fake.foreignCommit(
        'access-ledger',
        { [recordPath(forged)]: serializeRecord(forged), [HEAD_PATH]: serializeHead(headFor(forged)) },
        'Record seq 2: pr-2-merged',
        mallory,
      );

      const result = await store.appendDetailed(draftFor(repo, 2));
      expect(result.records.map((r) => [r.key, r.seq])).toEqual([['pr-2-merged-2', 3]]);
      expect(result.anomalies).toHaveLength(1);
      const anomaly = result.anomalies[0]!;
      expect(anomaly).toMatchObject({ kind: 'anomaly', key: `foreign-${sha.slice(0, 12)}-pr-2-merged`, seq: 4, occurred_at: forged.occurred_at });
      expect(anomaly.subject).toMatchObject({
        type: 'foreign-record',
        found: { path: recordPath(forged), key: 'pr-2-merged', kind: 'grant-change', seq: 2, hash: forged.hash, signed_by: null },
        commit: { sha, author: { name: 'Mallory', login: 'mallory' }, verified: false },
        recorded_as: 'pr-2-merged-2',
        pr: { number: 2 },
      });
      expect((anomaly.subject as { reason: string }).reason).toMatch(/is authored by Mallory <mallory@acme.example> .* not by the App/);

      fake.clearLog();
      const again = await make({ trust: trusting(fake), clock: fixedClock('2026-11-22T00:00:00Z') }).appendDetailed(draftFor(repo, 2));
      expect(again.records.map((r) => r.key)).toEqual(['pr-2-merged-2']);
      expect(again.anomalies.map((r) => r.seq)).toEqual([4]);
      expect(fake.count('POST') + fake.count('PATCH')).toBe(0);
    });

    it("an unsigned record the App wrote before signing, in a commit GitHub verified, is the App's: a redelivery writes nothing", async () => {
      const repo = 'legacy';
      const { fake, make } = await setup(repo);
      await make({ signer: testSigner() }).append(draftFor(repo, 1));
      const head = parseHead(fake.files(fake.tip()!).get(HEAD_PATH)!);
      const old = planAppend(head, [draftFor(repo, 2)], fixedClock()).records[0]!;
      // A replica of the App wrote it (the App's bot, GitHub's signature), unsigned as records were then.
      fake.foreignCommit('access-ledger', { [recordPath(old)]: serializeRecord(old), [HEAD_PATH]: serializeHead(headFor(old)) });
      const result = await make({ trust: trusting(fake) }).appendDetailed(draftFor(repo, 2));
      expect(result).toEqual({ records: [old], anomalies: [] });
    });
  });

  it('rejects a draft for another repository or with a bad key at once', async () => {
    const { fake, store } = await setup('guard');
    await expect(store.append({ ...mergedDraft(1), repository: 'acme/other' })).rejects.toThrow(/about acme\/other but this ledger belongs to acme\/guard/);
    await expect(store.append({ ...draftFor('guard', 1), key: '../../x' })).rejects.toThrow(/invalid record key/);
    expect(fake.log()).toEqual([]);
  });

  it('says which permission is missing when GitHub refuses the write', async () => {
    const { fake, store } = await setup('denied');
    await store.append(draftFor('denied', 1));
    fake.gh.faults.intercept((req) =>
      req.route === 'POST /repos/{owner}/{repo}/git/trees' ? { status: 403, body: { message: 'Resource not accessible by integration' } } : undefined,
    );
    await expect(store.append(draftFor('denied', 2))).rejects.toThrow(
      /403.*"contents: write" permission on this repository.*Resource not accessible by integration/,
    );
  });

  it('explains an empty repository', async () => {
    const { fake, store } = await setup('empty');
    // The fake models no repository without a commit: GitHub's answer to writes into one is scripted.
    fake.gh.faults.intercept((req) => (req.method === 'POST' ? { status: 409, body: { message: 'Git Repository is empty.' } } : undefined));
    await expect(store.append(draftFor('empty', 1))).rejects.toThrow(/acme\/empty is empty: .*Push a first commit/);
  });

  it('refuses a branch that is not a ledger', async () => {
    const { fake, store } = await setup('notledger');
    fake.plantBranch('access-ledger', { 'index.html': '<html>' });
    await expect(store.append(draftFor('notledger', 1))).rejects.toThrow(/has no head.json: it was not created by access-ledger/);
  });

  it('writes to the configured branch and reads the head back', async () => {
    const { fake, store } = await setup('branch', { branch: 'evidence/ledger' });
    expect(await store.readHead()).toEqual(emptyHead());
    const [r] = await store.append(draftFor('branch', 5));
    expect(fake.tip('evidence/ledger')).toBeDefined();
    expect(await store.readHead()).toEqual(headFor(r!));
    expect(await store.readRecord(recordPath(r!))).toEqual(r);
    expect(await store.readRecord('records/2026/11/20/pr-6-merged.json')).toBeNull();
  });
});

describe('LedgerStore against the fake GitHub, request by request', () => {
  it('sends exactly the documented requests for an append to an existing branch', async () => {
    const { fake, make } = await setup('scripted');
    // A ledger branch another process created: README and head.json at seq 0, nothing known of it here.
    const tip = fake.plantBranch('access-ledger', { [README_PATH]: '# ledger\n', [HEAD_PATH]: serializeHead(emptyHead()) });
    const tree = fake.commit(tip).tree;
    fake.clearLog();
    const store = make({ queues: new InProcessLedgerQueues() });
    const [r] = await store.append(draftFor('scripted', 45));
    expect(r).toMatchObject({ seq: 1, key: 'pr-45-merged' });
    const sent = fake.log();
    expect(sent.map((q) => `${q.method} ${q.path}`)).toEqual([
      'GET /git/ref/heads/access-ledger',
      `GET /git/commits/${tip}`,
      'GET /contents/head.json',
      'GET /contents/records/2026/11/20/pr-45-merged.json',
      'POST /git/trees',
      'POST /git/commits',
      'PATCH /git/refs/heads/access-ledger',
    ]);
    const trees = sent[4]!.body as { base_tree: string; tree: { path: string; content: string; mode: string; type: string }[] };
    expect(trees.base_tree).toBe(tree);
    expect(trees.tree).toHaveLength(2);
    expect(trees.tree.every((e) => e.mode === '100644' && e.type === 'blob' && e.content.endsWith('\n'))).toBe(true);
    const commit = sent[5]!.body as { message: string; tree: string; parents: string[] };
    expect(commit.message).toMatch(/^Record seq 1: pr-45-merged/);
    expect(commit.parents).toEqual([tip]);
    const newTip = fake.tip()!;
    expect(fake.commit(newTip).tree).toBe(commit.tree);
    expect(sent[6]!.body).toEqual({ sha: newTip, force: false });
    expect(fake.files(newTip).get('records/2026/11/20/pr-45-merged.json')).toBe(serializeRecord(r!));
    expect(store.stats()).toMatchObject({ requests: 7, commits: 1 });
  });
});
