/**
 * The ledger append queue the App's replicas share through Redis (src/adapters/redis/ledger-queue.ts),
 * against a real redis-server started for this file on 127.0.0.1 (test/support/redis.ts). Each
 * "replica" is a RedisLedgerQueues of its own with its own connections, as each App process has;
 * the ledger branch is the stateful git fake (compare-and-swap as on GitHub).
 */
import { Octokit } from '@octokit/core';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LedgerStore, type LedgerOctokit } from '../../src/adapters/github/ledger-store.ts';
import { LedgerQueueError, RedisLedgerQueues, sharedQueueKeys, type RedisLedgerQueuesOptions } from '../../src/adapters/redis/ledger-queue.ts';
import { defaultDeps } from '../../src/app/deps.ts';
import { InProcessLedgerQueues } from '../../src/adapters/github/ledger-store.ts';
import { verifyChain, type RecordDraft, type SealedRecord } from '../../src/core/ledger/index.ts';
import { ledgerRepo, type LedgerRepo } from './ledger-repo.ts';
import { startFakeGitHub, type FakeGitHub } from '../support/fake-github/index.ts';
import { refuseRealConnections } from '../support/no-network.ts';
import { fixedClock, mergedDraft } from './fixtures.ts';
import { keyFromSeed, testSigner } from '../support/ledger-keys.ts';
import { requireRedisServer, startRedis, type RedisServer } from '../support/redis.ts';

refuseRealConnections();

/** One fake GitHub for the file; each test writes the ledger of a repository of its own. */
let gh: FakeGitHub;
/** The App's installation client on acme, as each replica's own Octokit would be. */
let plain: LedgerOctokit;

let redis: RedisServer;
let admin: Redis;
beforeAll(async () => {
  gh = await startFakeGitHub();
  gh.state.createOrg('acme');
  plain = new Octokit({ baseUrl: gh.url, auth: gh.createInstallationToken(gh.state.installationFor('acme')!.id), request: { retries: 0 } });
  redis = await startRedis();
  admin = new Redis(redis.url);
});
afterAll(async () => {
  admin?.disconnect();
  await redis?.stop();
  expect(gh.errors).toEqual([]);
  await gh.close();
});

let replicas: RedisLedgerQueues[] = [];
const warnings: string[] = [];
afterEach(async () => {
  await Promise.all(replicas.map((q) => q.close()));
  replicas = [];
  gh.faults.clear();
  gh.faults.delayMs = 0;
  warnings.length = 0;
});

/** One App replica: queues of its own, on the shared Redis; short lock and poll times for the tests. */
function replica(name: string, options: Partial<RedisLedgerQueuesOptions> = {}): RedisLedgerQueues {
  const q = new RedisLedgerQueues({
    url: redis.url,
    signer: testSigner(),
    lockTtlMs: 900,
    pollMs: 100,
    log: { warn: (m) => void warnings.push(`${name}: ${m}`) },
    ...options,
  });
  replicas.push(q);
  return q;
}

function ledger(repo: string): Promise<LedgerRepo> {
  return ledgerRepo(repo, { gh });
}

function storeOn(queues: RedisLedgerQueues | InProcessLedgerQueues, repo: string, octokit: LedgerOctokit = plain): LedgerStore {
  return new LedgerStore({
    octokit,
    owner: 'acme',
    repo,
    clock: fixedClock(),
    signer: testSigner(),
    trust: null,
    random: () => 0.5,
    sleep: async () => {},
    queues,
  });
}

const draftFor = (repo: string, pr: number): RecordDraft => ({ ...mergedDraft(pr), repository: `acme/${repo}` });

function records(fake: LedgerRepo): { keys: string[]; chainOk: boolean } {
  const shas = fake.history('access-ledger');
  const tip = fake.files(shas[shas.length - 1]!);
  const recs = [...tip].filter(([p]) => p.startsWith('records/')).map(([path, content]) => ({ path, content }));
  return { keys: recs.map((r) => (JSON.parse(r.content) as SealedRecord).key).sort(), chainOk: verifyChain(recs).ok };
}

/** Ref updates GitHub refused as not a fast-forward: every PATCH of the ref but those that moved it (the first commit creates the ref). */
const refused = (fake: LedgerRepo) =>
  fake.log().filter((r) => r.method === 'PATCH' && /\/git\/refs\//.test(r.path)).length - (fake.history('access-ledger').length - 2);
/** The request that publishes a commit: the ref's creation (first commit) or its update. */
const movesRef = (route: string) => route === 'POST /repos/{owner}/{repo}/git/refs' || route.startsWith('PATCH /repos/{owner}/{repo}/git/refs/');
const keysOf = (repo: string) => sharedQueueKeys('access-ledger', testSigner().keyId, `acme/${repo}#access-ledger`);

/** An Octokit that holds one request at a chosen point: before it is sent, or after GitHub carried it out. */
function holding(match: (route: string, n: number) => boolean, when: 'before' | 'after') {
  let reachedResolve!: () => void;
  const reached = new Promise<void>((r) => (reachedResolve = r));
  let n = 0;
  const octokit: LedgerOctokit = {
    async request(route, params) {
      if (!match(route, ++n)) return plain.request(route, params);
      if (when === 'after') await plain.request(route, params);
      reachedResolve();
      return new Promise(() => undefined); // the process died here
    },
  };
  return { octokit, reached };
}

/** A replica dies: its connection drops, it renews nothing and finishes nothing (its commit stays stuck on GitHub). */
/**
 * Whether the ledger's lock is released within a few seconds: the holder answers its callers
 * first and deletes the lock right after, so on a busy machine the callers can see their records
 * a moment before the lock is gone. A lock still held after that is a lock never released.
 */
async function lockReleased(lock: string): Promise<boolean> {
  const deadline = Date.now() + 5000;
  while ((await admin.exists(lock)) !== 0) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}

async function crash(q: RedisLedgerQueues): Promise<void> {
  (await q.client()).disconnect();
}

const settle = <T>(p: Promise<T>) =>
  p.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );

describe('replicas sharing one append queue through Redis', () => {
  it("three replicas' appends go into a few group commits, each record once, the chain contiguous, no ref update refused", async () => {
    const fake = await ledger('shared-burst');
    gh.faults.delayMs = 5;
    const stores = ['a', 'b', 'c'].map((n) => storeOn(replica(n), 'shared-burst'));
    const results = await Promise.all(Array.from({ length: 60 }, (_, i) => stores[i % 3]!.append(draftFor('shared-burst', i + 1))));
    expect(results.map((r) => r[0]!.key)).toEqual(Array.from({ length: 60 }, (_, i) => `pr-${i + 1}-merged`));
    const { keys, chainOk } = records(fake);
    expect(keys).toHaveLength(60);
    expect(new Set(keys).size).toBe(60);
    expect(chainOk).toBe(true);
    expect(refused(fake)).toBe(0);
    // Group commits across replicas: far fewer commits than appends.
    expect(fake.history('access-ledger').length - 1).toBeLessThanOrEqual(10);
    expect(new Set(results.map((r) => r[0]!.seq)).size).toBe(60);
    expect(warnings).toEqual([]);
    // Nothing is left behind in Redis but outcomes nobody needed (there are none: each replica took its own).
    const k = keysOf('shared-burst');
    expect(await admin.llen(k.pending)).toBe(0);
    expect(await admin.llen(k.inflight)).toBe(0);
    expect(await admin.hlen(k.jobs)).toBe(0);
    expect(await lockReleased(k.lock)).toBe(true);
  });

  it('a replica that does not hold the lock hands its drafts to the holder and learns its records from it', async () => {
    const fake = await ledger('shared-handover');
    let open!: () => void;
    const opened = new Promise<void>((r) => (open = r));
    const a = storeOn(replica('a'), 'shared-handover', {
      async request(route, params) {
        // The holder's commits wait until the other replica has queued its append.
        if (movesRef(route)) await opened;
        return plain.request(route, params);
      },
    });
    const b = storeOn(replica('b'), 'shared-handover', {
      request() {
        throw new Error('this replica never holds the lock in this test, so it never calls GitHub');
      },
    });
    const first = a.append(draftFor('shared-handover', 1));
    await new Promise((r) => setTimeout(r, 150));
    const second = b.append(draftFor('shared-handover', 2));
    await new Promise((r) => setTimeout(r, 100));
    // The holder has another append of its own waiting, so it goes on holding the lock after its first commit.
    const third = a.append(draftFor('shared-handover', 3));
    await new Promise((r) => setTimeout(r, 100));
    open();
    const [ra, rb, rc] = await Promise.all([first, second, third]);
    expect(ra[0]!.key).toBe('pr-1-merged');
    expect(rb[0]).toMatchObject({ key: 'pr-2-merged', seq: 2 });
    expect(rc[0]).toMatchObject({ key: 'pr-3-merged', seq: 3 });
    expect(records(fake).keys).toEqual(['pr-1-merged', 'pr-2-merged', 'pr-3-merged']);
    // Two commits: the first append alone, then both waiting ones together.
    expect(fake.history('access-ledger')).toHaveLength(3);
  });

  it('a holder with nothing of its own left waiting hands the lock to a replica still waiting', async () => {
    const fake = await ledger('shared-pass-on');
    let open!: () => void;
    const opened = new Promise<void>((r) => (open = r));
    const calls = { a: 0, b: 0 };
    const counting = (who: 'a' | 'b', wait: boolean): LedgerOctokit => ({
      async request(route, params) {
        calls[who]++;
        if (wait && movesRef(route)) await opened;
        return plain.request(route, params);
      },
    });
    const first = storeOn(replica('a'), 'shared-pass-on', counting('a', true)).append(draftFor('shared-pass-on', 1));
    await new Promise((r) => setTimeout(r, 150));
    const second = storeOn(replica('b'), 'shared-pass-on', counting('b', false)).append(draftFor('shared-pass-on', 2));
    await new Promise((r) => setTimeout(r, 100));
    open();
    const [ra, rb] = await Promise.all([first, second]);
    expect([ra[0]!.seq, rb[0]!.seq]).toEqual([1, 2]);
    expect(records(fake)).toEqual({ keys: ['pr-1-merged', 'pr-2-merged'], chainOk: true });
    // b committed its own append once a had none left.
    expect(calls.b).toBeGreaterThan(0);
    expect(await lockReleased(keysOf('shared-pass-on').lock)).toBe(true);
  });

  it('a holder that dies before its commit lands: the next holder takes its drafts again and writes each once', async () => {
    const fake = await ledger('shared-died-before');
    const dying = holding((route) => route === 'POST /repos/{owner}/{repo}/git/commits', 'before');
    const a = replica('a');
    void settle(storeOn(a, 'shared-died-before', dying.octokit).append(draftFor('shared-died-before', 1)));
    await dying.reached;
    // While the holder is stuck, another replica queues its own append and waits.
    const c = storeOn(replica('c'), 'shared-died-before');
    const waiting = c.append(draftFor('shared-died-before', 2));
    await crash(a);
    const got = await waiting;
    expect(got[0]!.key).toBe('pr-2-merged');
    expect(records(fake)).toEqual({ keys: ['pr-1-merged', 'pr-2-merged'], chainOk: true });
    // The dead holder's job was finished by the next holder: its outcome is stored for it.
    const k = keysOf('shared-died-before');
    expect(await admin.llen(k.inflight)).toBe(0);
    expect(await admin.hlen(k.jobs)).toBe(0);
  });

  it('a holder that dies after its commit landed: the next holder finds the records already there and writes nothing twice', async () => {
    const fake = await ledger('shared-died-after');
    let open!: () => void;
    const opened = new Promise<void>((r) => (open = r));
    let commits = 0;
    let reachedResolve!: () => void;
    const reached = new Promise<void>((r) => (reachedResolve = r));
    const a = replica('a');
    const aStore = storeOn(a, 'shared-died-after', {
      async request(route, params) {
        if (!movesRef(route)) return plain.request(route, params);
        commits++;
        if (commits === 1) {
          await opened; // the first commit waits until replica b (and a again) have queued
          return plain.request(route, params);
        }
        await plain.request(route, params); // the second commit lands on GitHub...
        reachedResolve();
        return new Promise(() => undefined); // ...and the holder dies before it says so
      },
    });
    const first = aStore.append(draftFor('shared-died-after', 1));
    await new Promise((r) => setTimeout(r, 150));
    const b = storeOn(replica('b'), 'shared-died-after');
    const second = b.append(draftFor('shared-died-after', 2));
    await new Promise((r) => setTimeout(r, 100));
    void settle(aStore.append(draftFor('shared-died-after', 3)));
    await new Promise((r) => setTimeout(r, 100));
    open();
    expect((await first)[0]!.seq).toBe(1);
    await reached; // the holder took b's draft and its own, committed them, and died
    expect(records(fake).keys).toEqual(['pr-1-merged', 'pr-2-merged', 'pr-3-merged']);
    await crash(a);
    const got = await second;
    expect(got[0]).toMatchObject({ key: 'pr-2-merged', seq: 2 });
    expect(records(fake)).toEqual({ keys: ['pr-1-merged', 'pr-2-merged', 'pr-3-merged'], chainOk: true });
    expect(fake.history('access-ledger')).toHaveLength(3);
  });

  it('a holder whose lock expired while it worked cannot hand out outcomes; its drafts are taken again, written once', async () => {
    const fake = await ledger('shared-zombie');
    const k = keysOf('shared-zombie');
    let open!: () => void;
    const opened = new Promise<void>((r) => (open = r));
    let reachedResolve!: () => void;
    const reached = new Promise<void>((r) => (reachedResolve = r));
    let held = false;
    const a = storeOn(replica('a'), 'shared-zombie', {
      async request(route, params) {
        if (movesRef(route) && !held) {
          held = true;
          reachedResolve();
          await opened;
        }
        return plain.request(route, params);
      },
    });
    const pending = a.append(draftFor('shared-zombie', 1));
    await reached;
    // The lock is lost meanwhile (it expired and someone else holds it now).
    await admin.set(k.lock, 'someone-else', 'PX', 600);
    open();
    // The commit lands, but its outcome cannot be stored by a holder that lost the lock: the job stays in flight.
    await new Promise((r) => setTimeout(r, 300));
    expect(await admin.llen(k.inflight)).toBe(1);
    // Once the other holder's lock is gone, a waiting replica (here the same one) takes the job again.
    const got = await pending;
    expect(got[0]).toMatchObject({ key: 'pr-1-merged', seq: 1 });
    expect(records(fake)).toEqual({ keys: ['pr-1-merged'], chainOk: true });
    expect(await admin.llen(k.inflight)).toBe(0);
  });

  it('Redis loses its data (restarted without persistence): waiting appends are handed over again and recorded once', async () => {
    const fake = await ledger('shared-flushed');
    const k = keysOf('shared-flushed');
    await admin.set(k.lock, 'a-holder-that-never-finishes', 'PX', 60_000);
    const a = storeOn(replica('a'), 'shared-flushed').append(draftFor('shared-flushed', 1));
    const b = storeOn(replica('b'), 'shared-flushed').append(draftFor('shared-flushed', 2));
    await new Promise((r) => setTimeout(r, 200));
    expect(await admin.llen(k.pending)).toBe(2);
    await admin.flushall();
    const [ra, rb] = await Promise.all([a, b]);
    expect([ra[0]!.key, rb[0]!.key]).toEqual(['pr-1-merged', 'pr-2-merged']);
    expect(records(fake)).toEqual({ keys: ['pr-1-merged', 'pr-2-merged'], chainOk: true });
    expect(warnings.join('\n')).toMatch(/no longer in Redis: handing them over again/);
  });

  it('a replica closing lets go of the lock, and a waiting append fails only after its deadline, taken back, nothing written', async () => {
    const fake = await ledger('shared-deadline');
    const k = keysOf('shared-deadline');
    await admin.set(k.lock, 'a-holder-that-never-finishes', 'PX', 60_000);
    const store = storeOn(replica('a', { waitTimeoutMs: 600 }), 'shared-deadline');
    const outcome = await settle(store.append(draftFor('shared-deadline', 1)));
    expect((outcome as { error: Error }).error).toBeInstanceOf(LedgerQueueError);
    expect(String((outcome as { error: Error }).error.message)).toMatch(/taken back and nothing was written/);
    expect(await admin.llen(k.pending)).toBe(0);
    expect(await admin.hlen(k.jobs)).toBe(0);
    expect(fake.log()).toEqual([]);
    await admin.del(k.lock);

    const b = replica('b');
    await storeOn(b, 'shared-deadline').append(draftFor('shared-deadline', 2));
    await b.close();
    expect(await lockReleased(k.lock)).toBe(true);
  });
});

describe('attacks on the shared queue (Redis is a carrier, not a source of evidence)', () => {
  /** Parks appends: a lock held by nobody that commits, until `free()`. */
  async function park(repo: string) {
    const k = keysOf(repo);
    await admin.set(k.lock, 'parked', 'PX', 60_000);
    return { k, free: async () => void (await admin.multi().del(k.lock).publish(k.channel, '').exec()) };
  }

  it("a job pushed into Redis without the App's key is refused: nothing is signed or written for it, the real appends go on", async () => {
    const repo = 'attack-forged-job';
    const fake = await ledger(repo);
    const { k, free } = await park(repo);
    const forged = draftFor(repo, 666);
    // Unsigned, then signed with another Ed25519 key (another App sharing the Redis, or an intruder's).
    const other = testSigner(keyFromSeed('an intruder'));
    const payload = (id: string) => JSON.stringify({ v: 1, ledger: `acme/${repo}#access-ledger`, id, drafts: [forged], attachments: [] });
    await admin.hset(k.jobs, 'forged-1', JSON.stringify({ payload: payload('forged-1'), sig: '' }));
    await admin.hset(k.jobs, 'forged-2', JSON.stringify({ payload: payload('forged-2'), sig: other.signQueueMessage('f'.repeat(64)) }));
    await admin.rpush(k.pending, 'forged-1:1', 'forged-2:1', 'no-such-job:1');
    const real = storeOn(replica('a'), repo).append(draftFor(repo, 1));
    await new Promise((r) => setTimeout(r, 100));
    await free();
    expect((await real)[0]!.key).toBe('pr-1-merged');
    expect(records(fake)).toEqual({ keys: ['pr-1-merged'], chainOk: true });
    expect(warnings.filter((w) => /refused ledger append/.test(w))).toHaveLength(3);
    expect(warnings.join('\n')).toMatch(/forged-1 .*not a signed message|forged-1 .*does not verify/);
    expect(warnings.join('\n')).toMatch(/forged-2 .*does not verify with the App's ledger key/);
    expect(warnings.join('\n')).toMatch(/no-such-job .*content is missing/);
    expect(await admin.llen(k.pending)).toBe(0);
    expect(await admin.llen(k.inflight)).toBe(0);
  });

  it('a job the App signed for another ledger, replayed into this one, is refused', async () => {
    const from = 'attack-replay-from';
    const to = 'attack-replay-to';
    const fake = await ledger(to);
    await ledger(from);
    const src = await park(from);
    const dst = await park(to);
    const original = settle(storeOn(replica('a', { waitTimeoutMs: 5000 }), from).append(draftFor(from, 7)));
    await new Promise((r) => setTimeout(r, 200));
    const [id] = await admin.hkeys(src.k.jobs);
    const signed = await admin.hget(src.k.jobs, id!);
    // The replayed job keeps its id and signature; only the queue it sits in differs.
    await admin.hset(dst.k.jobs, id!, signed!);
    await admin.rpush(dst.k.pending, `${id}:1`);
    const real = storeOn(replica('b'), to).append(draftFor(to, 1));
    await dst.free();
    expect((await real)[0]!.key).toBe('pr-1-merged');
    expect(records(fake).keys).toEqual(['pr-1-merged']);
    expect(warnings.join('\n')).toMatch(new RegExp(`refused ledger append ${id} .*signature does not verify`));
    await src.free();
    expect(((await original) as { value: SealedRecord[] }).value[0]!.key).toBe('pr-7-merged');
  });

  it('a forged outcome does not settle an append: the replica waits for the real commit', async () => {
    const repo = 'attack-forged-outcome';
    const fake = await ledger(repo);
    const { k, free } = await park(repo);
    const append = storeOn(replica('a'), repo).append(draftFor(repo, 1));
    await new Promise((r) => setTimeout(r, 150));
    const [id] = await admin.hkeys(k.jobs);
    const lie = { v: 1, ledger: `acme/${repo}#access-ledger`, id, records: [{ key: 'pr-1-merged', seq: 99, hash: '0'.repeat(64) }], anomalies: [] };
    await admin.set(
      k.result(id!),
      JSON.stringify({ payload: JSON.stringify(lie), sig: testSigner(keyFromSeed('an intruder')).signQueueMessage('0'.repeat(64)) }),
    );
    await admin.publish(k.channel, id!);
    await new Promise((r) => setTimeout(r, 300));
    expect(fake.log()).toEqual([]);
    expect(await admin.llen(k.pending)).toBe(1);
    await free();
    const got = await append;
    expect(got[0]).toMatchObject({ key: 'pr-1-merged', seq: 1 });
    expect(got[0]!.hash).not.toBe('0'.repeat(64));
    expect(records(fake)).toEqual({ keys: ['pr-1-merged'], chainOk: true });
    expect(warnings.join('\n')).toMatch(/ignored an outcome for ledger append .* does not verify/);
  });
});

describe('setting up the shared queue', () => {
  it('Redis out of reach: the append fails at once, naming REDIS_URL, and nothing is written', async () => {
    const fake = await ledger('shared-down');
    const q = new RedisLedgerQueues({ url: 'redis://:secret@127.0.0.1:1', signer: testSigner(), log: { warn: () => undefined } });
    replicas.push(q);
    const outcome = await settle(storeOn(q, 'shared-down').append(draftFor('shared-down', 1)));
    const error = (outcome as { error: Error }).error;
    expect(error).toBeInstanceOf(LedgerQueueError);
    expect(error.message).toMatch(/Could not use Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:1 \(REDIS_URL\)/);
    expect(error.message).not.toMatch(/secret/);
    expect(error.message).toMatch(/Nothing was written/);
    expect(fake.log()).toEqual([]);
  });

  it.each([
    ['http://127.0.0.1:6379', /must be a redis:\/\/ or rediss:\/\/ URL/],
    ['redis://', /must be a redis:\/\/ or rediss:\/\/ URL/],
  ])('a REDIS_URL of %s is refused before the App starts', (url, message) => {
    expect(new RedisLedgerQueues({ url, signer: testSigner() }).problem).toMatch(message);
  });

  it('REDIS_URL gives the App shared queues; without it, or for the CLI, each process keeps its own', () => {
    const key = { ACCESS_LEDGER_SIGNING_KEY: keyFromSeed('deps') };
    expect(defaultDeps({ ...key, REDIS_URL: redis.url }, { app: true }).ledgerQueues).toBeInstanceOf(RedisLedgerQueues);
    expect(defaultDeps({ ...key }, { app: true }).ledgerQueues).toBeInstanceOf(InProcessLedgerQueues);
    expect(defaultDeps({ ...key, REDIS_URL: redis.url }).ledgerQueues).toBeInstanceOf(InProcessLedgerQueues);
  });

  it('names the install command when redis-server is missing', () => {
    expect(() => requireRedisServer('redis-server-not-installed-here')).toThrow(/apt-get install -y redis-server/);
  });
});
