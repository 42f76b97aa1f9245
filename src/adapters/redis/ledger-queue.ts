/**
 * One ledger append queue shared by the App's replicas through Redis (REDIS_URL; docs/ledger.md,
 * "Appends across replicas"). Without it each replica groups only its own appends, and replicas
 * race for the ledger branch by compare-and-swap; with it a burst spread over replicas still goes
 * into a few group commits, and the branch is moved by one writer at a time.
 *
 * - Hand-over. A replica puts each append (its drafts and attachments, a job) on the ledger's
 *   pending list in Redis and waits for the job's outcome.
 * - One writer. Whichever replica holds the ledger's lock (SET NX with a random token and an
 *   expiry, renewed by the holder every third of it) moves jobs from the pending list to the
 *   in-flight list, commits them all in one group commit with the ledger store, stores each job's
 *   outcome under a key of its own (with an expiry), publishes the job's id, and clears it from the
 *   in-flight list, in one script that first checks the lock is still its own. Each commit takes
 *   every pending job (up to the store's batch size), whichever replica it came from. The holder
 *   goes on while appends of its own are waiting and jobs are pending, then lets go of the lock:
 *   when nothing is pending, atomically (a job pushed meanwhile is never left without a writer);
 *   when only other replicas' jobs are, with a notice that wakes them to take it.
 * - Waiting. A replica learns its outcome from the published id, and also looks for it (and whether
 *   the lock is free) every `pollMs`, jittered: if the holder died, its lock expires and a waiting
 *   replica takes it over.
 * - Never lost, never twice. Jobs a holder took stay on the in-flight list until their outcome is
 *   stored; the next holder takes them again first. If the dead holder had already committed them,
 *   the records are at their paths (a record's path is a function of its event), so the new
 *   commit finds them and writes nothing again. A holder whose lock expired while it was still
 *   working cannot store outcomes (the script checks its token); its commit, if it landed, is the
 *   same records, found again by whoever commits next. The branch is still only ever moved by
 *   compare-and-swap.
 * - Redis is a carrier, not a source of evidence. Jobs and outcomes are signed with the App's
 *   ledger signing key (a context of their own: such a signature is never a record's), bound to
 *   the ledger and the job id; the queue's keys are named by the key's id. A holder refuses a job
 *   it cannot verify (whoever can write to Redis cannot have the App sign records), and a replica
 *   ignores an outcome it cannot verify. Replicas with different keys (during a key rotation) use
 *   separate queues and meet on the branch by compare-and-swap.
 *
 * State lives in an instance (the App makes one in deps.ts), never in module variables.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Redis, RedisOptions } from 'ioredis';
import { publicKeyOf, verifyQueueMessage, type LedgerPublicKey, type LedgerSigner, type RecordDraft, type SealedRecord } from '../../core/ledger/index.ts';
import {
  LedgerConflictError,
  LedgerStateError,
  SigningKeyMissingError,
  commitAppends,
  ledgerQueueKey,
  newLedgerStats,
  type AppendResult,
  type LedgerAttachment,
  type LedgerBase,
  type LedgerBranchQueue,
  type LedgerQueues,
  type LedgerStore,
  type PendingAppend,
} from '../github/ledger-store.ts';
import { GitHubApiError } from '../github/errors.ts';

export interface QueueLog {
  info?(message: string): void;
  warn(message: string): void;
}

export interface RedisLedgerQueuesOptions {
  /** `redis://[[user]:password@]host[:port][/db]` or `rediss://…` for TLS (REDIS_URL). */
  url: string;
  /** The App's ledger signing key: it signs what the replicas hand each other, and names the queues. */
  signer: LedgerSigner | null;
  /** Lock expiry in ms; the holder renews it every third of that (default 30 s). */
  lockTtlMs?: number;
  /** How often a waiting replica looks for its outcome and for a free lock, jittered ±50% (default 1 s). */
  pollMs?: number;
  /** How long a job's outcome is kept for its replica (default 15 minutes). */
  resultTtlMs?: number;
  /** How long an append waits for its outcome before it fails (default 10 minutes). */
  waitTimeoutMs?: number;
  /** Prefix of every key (default `access-ledger`). */
  prefix?: string;
  log?: QueueLog;
  /** [0, 1) source for the poll jitter; injectable for tests. */
  random?: () => number;
}

/** Redis could not be reached or refused a command: the append was not handed over. */
export class LedgerQueueError extends Error {
  override name = 'LedgerQueueError';
}

/** What travels in Redis for one append (signed). */
interface JobPayload {
  v: 1;
  ledger: string;
  id: string;
  drafts: RecordDraft[];
  attachments: { path: string; content: string }[];
}

/** A job's outcome (signed by the replica that committed it). */
type OutcomePayload =
  | { v: 1; ledger: string; id: string; records: SealedRecord[]; anomalies: SealedRecord[] }
  | { v: 1; ledger: string; id: string; error: { name: string; message: string; status?: number | null; route?: string; attempts?: number } };

/** A signed message as stored: the payload's JSON text and the signature of its digest. */
interface Signed {
  payload: string;
  sig: string;
}

const DEFAULTS = { lockTtlMs: 30_000, pollMs: 1000, resultTtlMs: 15 * 60_000, waitTimeoutMs: 10 * 60_000, prefix: 'access-ledger' };

// ---- scripts (each runs atomically in Redis) --------------------------------------------------

/** KEYS lock · ARGV token, ttl. Extends the lock if it is still the caller's. */
const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`;

/**
 * KEYS lock, pending, inflight, jobs · ARGV token, max drafts. Nil unless the caller holds the
 * lock. Moves pending jobs to the in-flight list (at least one, then while they fit within `max`
 * drafts) and returns every in-flight entry with its payload: jobs a previous holder took but never
 * finished come first.
 */
const TAKE = `if redis.call('GET', KEYS[1]) ~= ARGV[1] then return false end
local max = tonumber(ARGV[2])
local function count(e) return tonumber(string.match(e, ':(%d+)$')) or 1 end
local entries = redis.call('LRANGE', KEYS[3], 0, -1)
local have = 0
for _, e in ipairs(entries) do have = have + count(e) end
while true do
  local e = redis.call('LINDEX', KEYS[2], 0)
  if not e then break end
  if have > 0 and have + count(e) > max then break end
  redis.call('LMOVE', KEYS[2], KEYS[3], 'LEFT', 'RIGHT')
  table.insert(entries, e)
  have = have + count(e)
end
local out = {}
for _, e in ipairs(entries) do
  table.insert(out, e)
  table.insert(out, redis.call('HGET', KEYS[4], string.match(e, '^(.*):%d+$') or e) or '')
end
return out`;

/**
 * KEYS lock, inflight, jobs, result keys… · ARGV token, ttl, channel, then (entry, id, outcome)
 * per job. 0 unless the caller holds the lock; else stores each outcome, clears the job and
 * publishes its id.
 */
const COMPLETE = `if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
local n = (#ARGV - 3) / 3
for i = 1, n do
  local entry, id, outcome = ARGV[3 * i + 1], ARGV[3 * i + 2], ARGV[3 * i + 3]
  redis.call('SET', KEYS[3 + i], outcome, 'PX', ARGV[2])
  redis.call('LREM', KEYS[2], 1, entry)
  redis.call('HDEL', KEYS[3], id)
  redis.call('PUBLISH', ARGV[3], id)
end
return 1`;

/**
 * KEYS lock, pending, inflight · ARGV token, force, channel. -1 when the lock is not the caller's;
 * 0 (lock kept) while jobs are pending or in flight, unless forced; else deletes the lock and
 * publishes an empty message, so waiting replicas try for it at once.
 */
const RELEASE = `if redis.call('GET', KEYS[1]) ~= ARGV[1] then return -1 end
if ARGV[2] ~= '1' and (redis.call('LLEN', KEYS[2]) > 0 or redis.call('LLEN', KEYS[3]) > 0) then return 0 end
redis.call('DEL', KEYS[1])
redis.call('PUBLISH', ARGV[3], '')
return 1`;

/** KEYS pending, jobs · ARGV entry, id. Takes a job back while it is still pending: 1 if it was. */
const WITHDRAW = `local n = redis.call('LREM', KEYS[1], 1, ARGV[1])
if n > 0 then redis.call('HDEL', KEYS[2], ARGV[2]) end
return n`;

type Script = (...args: (string | number)[]) => Promise<unknown>;

function script(client: Redis, name: string): Script {
  return (client as unknown as Record<string, Script>)[name]!.bind(client);
}

function defineScripts(client: Redis): void {
  client.defineCommand('ledgerRenew', { numberOfKeys: 1, lua: RENEW });
  client.defineCommand('ledgerTake', { numberOfKeys: 4, lua: TAKE });
  client.defineCommand('ledgerComplete', { lua: COMPLETE });
  client.defineCommand('ledgerRelease', { numberOfKeys: 3, lua: RELEASE });
  client.defineCommand('ledgerWithdraw', { numberOfKeys: 2, lua: WITHDRAW });
}

/** The redis URL without its password, for messages. */
export function redactRedisUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(REDIS_URL is not a URL)';
  }
}

function digestOf(kind: 'job' | 'outcome', ledger: string, id: string, payload: string): string {
  return createHash('sha256').update(`${kind}\n${ledger}\n${id}\n`).update(payload).digest('hex');
}

function signMessage(signer: LedgerSigner, kind: 'job' | 'outcome', ledger: string, id: string, payload: object): string {
  const text = JSON.stringify(payload);
  return JSON.stringify({ payload: text, sig: signer.signQueueMessage(digestOf(kind, ledger, id, text)) } satisfies Signed);
}

/** The payload of a signed message, or why it cannot be trusted. */
function openMessage<T extends { ledger: string; id: string }>(
  raw: string,
  kind: 'job' | 'outcome',
  ledger: string,
  id: string,
  key: LedgerPublicKey,
): T | string {
  let signed: Signed;
  try {
    signed = JSON.parse(raw) as Signed;
  } catch {
    return 'it is not JSON';
  }
  if (!signed || typeof signed.payload !== 'string' || typeof signed.sig !== 'string') return 'it is not a signed message';
  if (!verifyQueueMessage(key, digestOf(kind, ledger, id, signed.payload), signed.sig))
    return `its signature does not verify with the App's ledger key ${key.id}`;
  const payload = JSON.parse(signed.payload) as T;
  if (payload.ledger !== ledger || payload.id !== id) return 'it names another ledger or job';
  return payload;
}

function errorOf(err: Error): Extract<OutcomePayload, { error: unknown }>['error'] {
  const out: Extract<OutcomePayload, { error: unknown }>['error'] = { name: err.name, message: err.message };
  if (err instanceof GitHubApiError) Object.assign(out, { status: err.status, route: err.route });
  if (err instanceof LedgerConflictError) out.attempts = err.attempts;
  return out;
}

/** The error a waiting replica rejects with: the same class and message as where the commit failed. */
function errorFrom(e: Extract<OutcomePayload, { error: unknown }>['error'], branch: string): Error {
  switch (e.name) {
    case 'GitHubApiError':
      return new GitHubApiError(e.message, e.status ?? null, e.route ?? '', undefined);
    case 'LedgerConflictError':
      return new LedgerConflictError(e.message, branch, e.attempts ?? 0);
    case 'LedgerStateError':
      return new LedgerStateError(e.message);
    case 'SigningKeyMissingError':
      return new SigningKeyMissingError();
    default: {
      const err = new Error(e.message);
      err.name = e.name;
      return err;
    }
  }
}

/** The Redis keys (and the channel) of one ledger's shared queue. */
export interface SharedQueueKeys {
  /** The lock: a random token per holder, with an expiry. */
  lock: string;
  /** Jobs waiting, as `<id>:<number of drafts>`, oldest first. */
  pending: string;
  /** Jobs the holder took and has not finished. */
  inflight: string;
  /** A hash of job id → the signed job. */
  jobs: string;
  /** Where job ids are published once their outcome is stored, and an empty message when the lock is let go. */
  channel: string;
  /** Where a job's signed outcome is kept for its replica. */
  result: (id: string) => string;
}

/**
 * The keys of a ledger's queue: `<prefix>:{<key id>:<owner>/<repo>#<branch>}:…`. The hash tag
 * puts every key of a ledger in one slot of a Redis Cluster; the key id keeps Apps (or keys) that
 * share a Redis apart.
 */
export function sharedQueueKeys(prefix: string, keyId: string, ledger: string): SharedQueueKeys {
  const ns = `${prefix}:{${keyId}:${ledger}}`;
  return {
    lock: `${ns}:lock`,
    pending: `${ns}:pending`,
    inflight: `${ns}:inflight`,
    jobs: `${ns}:jobs`,
    channel: `${ns}:done`,
    result: (id) => `${ns}:outcome:${id}`,
  };
}

interface Waiter {
  id: string;
  entry: string;
  /** The signed job, to hand over again should Redis lose it. */
  message: string;
  store: LedgerStore;
  deadline: number;
  resolve: (r: AppendResult) => void;
  reject: (err: unknown) => void;
}

/** Queues shared between the App's replicas through one Redis. */
export class RedisLedgerQueues implements LedgerQueues {
  readonly url: string;
  log: QueueLog;
  readonly settings: Required<Pick<RedisLedgerQueuesOptions, 'lockTtlMs' | 'pollMs' | 'resultTtlMs' | 'waitTimeoutMs' | 'prefix'>>;
  readonly signer: LedgerSigner | null;
  readonly random: () => number;
  private readonly key: LedgerPublicKey | null;
  private readonly queues = new Map<string, SharedBranchQueue>();
  private commandClient: Promise<Redis> | null = null;
  private subscriberClient: Promise<Redis> | null = null;
  private readonly channels = new Map<string, Promise<void>>();
  private readonly byChannel = new Map<string, SharedBranchQueue>();
  private closing = false;
  /** Why REDIS_URL cannot be used, or null. */
  readonly problem: string | null;

  constructor(options: RedisLedgerQueuesOptions) {
    this.url = options.url;
    this.signer = options.signer;
    this.key = options.signer ? publicKeyOf(options.signer) : null;
    this.log = options.log ?? { warn: (m) => process.stderr.write(`access-ledger ledger queue: ${m}\n`) };
    this.random = options.random ?? Math.random;
    this.settings = {
      lockTtlMs: options.lockTtlMs ?? DEFAULTS.lockTtlMs,
      pollMs: options.pollMs ?? DEFAULTS.pollMs,
      resultTtlMs: options.resultTtlMs ?? DEFAULTS.resultTtlMs,
      waitTimeoutMs: options.waitTimeoutMs ?? DEFAULTS.waitTimeoutMs,
      prefix: options.prefix ?? DEFAULTS.prefix,
    };
    this.problem =
      /^rediss?:\/\/[^/]/.test(this.url) && URL.canParse(this.url)
        ? null
        : `REDIS_URL must be a redis:// or rediss:// URL, not ${JSON.stringify(redactRedisUrl(this.url))}: it is where the App's replicas share the ledger's append queue (docs/app.md, "Environment")`;
  }

  queueFor(owner: string, repo: string, branch: string): LedgerBranchQueue {
    const ledger = ledgerQueueKey(owner, repo, branch);
    let q = this.queues.get(ledger);
    if (!q) {
      q = new SharedBranchQueue(this, ledger, branch);
      this.queues.set(ledger, q);
    }
    return q;
  }

  get isClosing(): boolean {
    return this.closing;
  }

  /** The public half of the App's key (the queues' messages are checked against it). */
  get publicKey(): LedgerPublicKey | null {
    return this.key;
  }

  /** The connection for commands, opened on first use. */
  client(): Promise<Redis> {
    this.commandClient ??= this.connect('commands');
    return this.commandClient;
  }

  /** Subscribes to a ledger's channel (once), dispatching its messages to the ledger's queue. */
  subscribe(channel: string, queue: SharedBranchQueue): Promise<void> {
    let done = this.channels.get(channel);
    if (!done) {
      this.subscriberClient ??= this.connect('notifications').then((sub) => {
        sub.on('message', (ch: string, message: string) => this.byChannel.get(ch)?.onMessage(message));
        return sub;
      });
      this.byChannel.set(channel, queue);
      done = this.subscriberClient.then((sub) => sub.subscribe(channel)).then(() => undefined);
      done.catch(() => this.channels.delete(channel));
      this.channels.set(channel, done);
    }
    return done;
  }

  private async connect(role: string): Promise<Redis> {
    if (this.problem) throw new LedgerQueueError(this.problem);
    const { Redis } = await import('ioredis');
    const options: RedisOptions = {
      lazyConnect: true,
      // Fail a command after one reconnection attempt rather than hold a webhook for minutes:
      // the append is refused loudly and GitHub shows the delivery as failed.
      maxRetriesPerRequest: 1,
      connectTimeout: 5000,
      connectionName: `access-ledger-${role}`,
    };
    const client = new Redis(this.url, options);
    let reported = false;
    client.on('error', (err: Error) => {
      if (reported) return;
      reported = true;
      this.log.warn(`Redis at ${redactRedisUrl(this.url)} (${role}): ${err.message}`);
    });
    client.on('ready', () => (reported = false));
    defineScripts(client);
    try {
      await client.connect();
    } catch (err) {
      client.disconnect();
      if (role === 'commands') this.commandClient = null;
      else this.subscriberClient = null;
      throw unreachable(this.url, err);
    }
    return client;
  }

  /** Lets every holder finish the commit in flight and give up its lock, fails appends still waiting, closes the connections. */
  async close(): Promise<void> {
    this.closing = true;
    await Promise.allSettled([...this.queues.values()].map((q) => q.close(this.settings.lockTtlMs)));
    const clients = [this.commandClient, this.subscriberClient];
    this.commandClient = null;
    this.subscriberClient = null;
    await Promise.allSettled(
      clients.map(async (c) => {
        const client = await c;
        await client?.quit();
      }),
    );
  }
}

function unreachable(url: string, err: unknown): LedgerQueueError {
  return new LedgerQueueError(
    `Could not use Redis at ${redactRedisUrl(url)} (REDIS_URL), where the App's replicas share the ledger's append queue: ${(err as Error)?.message ?? String(err)}. ` +
      'Nothing was written to the ledger; the delivery fails and can be redelivered, and reconcile records what stays missing. Check that Redis is up and REDIS_URL is right, or unset it to run one replica.',
  );
}

/** One ledger's queue in this replica: its waiting appends, and the holder's loop while it holds the lock. */
class SharedBranchQueue implements LedgerBranchQueue {
  readonly stats = newLedgerStats();
  known: LedgerBase | null = null;
  private readonly waiting = new Map<string, Waiter>();
  private leading: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private readonly keys: SharedQueueKeys;

  private readonly owner: RedisLedgerQueues;
  readonly ledger: string;
  private readonly branch: string;

  constructor(owner: RedisLedgerQueues, ledger: string, branch: string) {
    this.owner = owner;
    this.ledger = ledger;
    this.branch = branch;
    this.keys = sharedQueueKeys(owner.settings.prefix, owner.signer?.keyId ?? 'unsigned', ledger);
  }

  enqueue(item: PendingAppend): void {
    void this.handOver(item).catch((err: unknown) => item.reject(err));
  }

  private async handOver(item: PendingAppend): Promise<void> {
    const signer = this.owner.signer;
    if (!signer) throw new SigningKeyMissingError();
    if (this.owner.isClosing)
      throw new LedgerQueueError('The App is stopping: the ledger append was not handed over. Nothing was written; the delivery can be redelivered.');
    const id = randomUUID();
    const entry = `${id}:${item.drafts.length}`;
    const payload: JobPayload = {
      v: 1,
      ledger: this.ledger,
      id,
      drafts: item.drafts,
      attachments: (item.attachments ?? []).map((a) => ({ path: a.path, content: Buffer.from(a.content).toString('base64') })),
    };
    const message = signMessage(signer, 'job', this.ledger, id, payload);
    let redis: Redis;
    try {
      redis = await this.owner.client();
      // Listening before the job is visible, so its outcome's notice cannot be missed.
      await this.owner.subscribe(this.keys.channel, this);
      this.waiting.set(id, {
        id,
        entry,
        message,
        store: item.store,
        deadline: Date.now() + this.owner.settings.waitTimeoutMs,
        resolve: item.resolve,
        reject: item.reject,
      });
      await redis.multi().hset(this.keys.jobs, id, message).rpush(this.keys.pending, entry).exec();
    } catch (err) {
      this.waiting.delete(id);
      throw err instanceof LedgerQueueError ? err : unreachable(this.owner.url, err);
    }
    this.schedulePoll();
    this.tryLead(item.store);
  }

  /** A notice on the ledger's channel: a job's id (its outcome is stored), or empty (the lock was let go). */
  onMessage(message: string): void {
    if (message === '') {
      const w = this.anyWaiter();
      if (w) this.tryLead(w.store);
      return;
    }
    if (this.waiting.has(message)) void this.collect([message]).catch(() => undefined);
  }

  private anyWaiter(): Waiter | undefined {
    for (const w of this.waiting.values()) return w;
    return undefined;
  }

  /** Reads (and deletes) the stored outcomes of these jobs and settles their appends. */
  private async collect(ids: string[]): Promise<void> {
    const redis = await this.owner.client();
    const pipeline = redis.pipeline();
    for (const id of ids) pipeline.getdel(this.keys.result(id));
    const replies = (await pipeline.exec()) ?? [];
    ids.forEach((id, i) => {
      const [err, raw] = replies[i] ?? [null, null];
      if (err || typeof raw !== 'string') return;
      this.settle(id, raw);
    });
  }

  private settle(id: string, raw: string): void {
    const w = this.waiting.get(id);
    const key = this.owner.publicKey;
    if (!w || !key) return;
    const outcome = openMessage<OutcomePayload>(raw, 'outcome', this.ledger, id, key);
    if (typeof outcome === 'string') {
      this.owner.log.warn(`ignored an outcome for ledger append ${id} on ${this.ledger} found in Redis: ${outcome}. Still waiting for the real one.`);
      return;
    }
    this.finish(w, outcome);
  }

  private finish(w: Waiter, outcome: OutcomePayload): void {
    if (!this.waiting.delete(w.id)) return;
    if ('error' in outcome) w.reject(errorFrom(outcome.error, this.branch));
    else w.resolve({ records: outcome.records, anomalies: outcome.anomalies });
    if (this.waiting.size === 0) this.stopPoll();
  }

  private schedulePoll(): void {
    if (this.timer || this.waiting.size === 0) return;
    const { pollMs } = this.owner.settings;
    this.timer = setTimeout(
      () => {
        this.timer = null;
        void this.poll().finally(() => this.schedulePoll());
      },
      Math.round(pollMs / 2 + pollMs * this.owner.random()),
    );
    // The App's server keeps the process alive; a waiting append alone need not.
    this.timer.unref();
  }

  private stopPoll(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /**
   * Looks for outcomes whose notice was missed, hands over again a job Redis lost (restarted
   * without persistence, a failover), gives up on appends past their deadline, and takes over a
   * lock nobody holds.
   */
  private async poll(): Promise<void> {
    if (this.waiting.size === 0) return;
    try {
      const ids = [...this.waiting.keys()];
      const redis = await this.owner.client();
      // Whether each job is still queued, then its outcome: a job that is neither was lost, since
      // a holder stores the outcome and clears the job in one step.
      const pipeline = redis.pipeline();
      for (const id of ids) pipeline.hexists(this.keys.jobs, id);
      for (const id of ids) pipeline.getdel(this.keys.result(id));
      const replies = (await pipeline.exec()) ?? [];
      const lost: Waiter[] = [];
      ids.forEach((id, i) => {
        const [queuedErr, queued] = replies[i] ?? [null, null];
        const [outcomeErr, outcome] = replies[ids.length + i] ?? [null, null];
        if (!outcomeErr && typeof outcome === 'string') this.settle(id, outcome);
        else if (!queuedErr && !outcomeErr && Number(queued) === 0 && this.waiting.has(id)) lost.push(this.waiting.get(id)!);
      });
      if (lost.length > 0) {
        // Safe even if it had been committed: its records are found at their paths and not written again.
        this.owner.log.warn(`${lost.length} ledger append(s) on ${this.ledger} were no longer in Redis: handing them over again`);
        const again = redis.multi();
        for (const w of lost) again.hset(this.keys.jobs, w.id, w.message).rpush(this.keys.pending, w.entry);
        await again.exec();
      }
      const now = Date.now();
      for (const w of [...this.waiting.values()]) if (now > w.deadline) await this.giveUp(w);
    } catch (err) {
      this.owner.log.warn(`waiting for ledger appends on ${this.ledger}: ${(err as Error).message}`);
      const now = Date.now();
      for (const w of [...this.waiting.values()]) if (now > w.deadline) await this.giveUp(w);
    }
    const w = this.anyWaiter();
    if (w) this.tryLead(w.store);
  }

  private async giveUp(w: Waiter): Promise<void> {
    let withdrawn = 0;
    try {
      const redis = await this.owner.client();
      withdrawn = Number(await script(redis, 'ledgerWithdraw')(this.keys.pending, this.keys.jobs, w.entry, w.id));
    } catch {
      // Redis is out of reach: whether the job was taken is unknown, and said so below.
    }
    if (!this.waiting.delete(w.id)) return;
    const waited = Math.round(this.owner.settings.waitTimeoutMs / 1000);
    w.reject(
      new LedgerQueueError(
        withdrawn > 0
          ? `No replica committed the ledger append within ${waited} s (its lock on ${this.ledger} stayed taken): it was taken back and nothing was written. The delivery can be redelivered.`
          : `A replica took the ledger append but its outcome did not arrive within ${waited} s: it may be on the branch. A redelivery finds the record if it was written and writes it otherwise.`,
      ),
    );
    if (this.waiting.size === 0) this.stopPoll();
  }

  private tryLead(store: LedgerStore): void {
    if (this.leading || this.owner.isClosing) return;
    this.leading = this.lead(store)
      .catch((err: unknown) =>
        this.owner.log.warn(
          `committing the shared ledger queue of ${this.ledger}: ${(err as Error).message}; another replica takes over once the lock expires`,
        ),
      )
      .finally(() => {
        this.leading = null;
      });
  }

  /** Takes the lock if it is free; while it holds it, commits every pending job, everyone's, in group commits. */
  private async lead(store: LedgerStore): Promise<void> {
    const redis = await this.owner.client();
    const { lockTtlMs, resultTtlMs } = this.owner.settings;
    const token = randomUUID();
    if ((await redis.set(this.keys.lock, token, 'PX', lockTtlMs, 'NX')) !== 'OK') return;
    let held = true;
    const renew = setInterval(
      () => {
        script(redis, 'ledgerRenew')(this.keys.lock, token, lockTtlMs).then(
          (n) => {
            if (Number(n) !== 1) held = false;
          },
          () => undefined,
        );
      },
      Math.max(50, Math.floor(lockTtlMs / 3)),
    );
    renew.unref();
    let released = false;
    try {
      while (held && !this.owner.isClosing) {
        const taken = (await script(redis, 'ledgerTake')(this.keys.lock, this.keys.pending, this.keys.inflight, this.keys.jobs, token, store.maxBatch)) as
          | string[]
          | null;
        if (taken === null) break; // the lock expired and someone else holds it now
        if (taken.length === 0) {
          const r = Number(await script(redis, 'ledgerRelease')(this.keys.lock, this.keys.pending, this.keys.inflight, token, '0', this.keys.channel));
          if (r === 0) continue; // a job arrived meanwhile
          released = true;
          return;
        }
        const jobs: { entry: string; id: string; raw: string }[] = [];
        for (let i = 0; i < taken.length; i += 2) jobs.push({ entry: taken[i]!, id: taken[i]!.replace(/:\d+$/, ''), raw: taken[i + 1]! });
        const outcomes = await this.commitJobs(store, jobs);
        const signer = this.owner.signer!;
        const args: string[] = [];
        for (const [i, job] of jobs.entries()) args.push(job.entry, job.id, signMessage(signer, 'outcome', this.ledger, job.id, outcomes[i]!));
        const ok = Number(
          await script(redis, 'ledgerComplete')(
            3 + jobs.length,
            this.keys.lock,
            this.keys.inflight,
            this.keys.jobs,
            ...jobs.map((j) => this.keys.result(j.id)),
            token,
            resultTtlMs,
            this.keys.channel,
            ...args,
          ),
        );
        if (ok !== 1) break; // lost the lock mid-commit: the next holder takes these jobs again
        // This replica's own appends are settled here; the others learn theirs from the notice.
        const mine = jobs.map((j, i) => [this.waiting.get(j.id), outcomes[i]!, j.id] as const).filter(([w]) => w !== undefined);
        for (const [w, outcome] of mine) this.finish(w!, outcome);
        if (mine.length > 0) void redis.del(...mine.map(([, , id]) => this.keys.result(id))).catch(() => undefined);
        // With no append of its own left, the lock goes to a replica still waiting (the empty
        // notice wakes them): a replica that is done (a function about to be frozen, a process
        // about to stop) never sits on the lock.
        if (this.waiting.size === 0) {
          await script(redis, 'ledgerRelease')(this.keys.lock, this.keys.pending, this.keys.inflight, token, '1', this.keys.channel);
          released = true;
          return;
        }
      }
    } finally {
      clearInterval(renew);
      if (!released)
        await script(redis, 'ledgerRelease')(this.keys.lock, this.keys.pending, this.keys.inflight, token, '1', this.keys.channel).catch(() => undefined);
    }
  }

  /** One group commit for the jobs that verify; an outcome for every job, in order. */
  private async commitJobs(store: LedgerStore, jobs: { id: string; raw: string }[]): Promise<OutcomePayload[]> {
    const outcomes: (OutcomePayload | null)[] = jobs.map(() => null);
    const valid: { at: number; drafts: RecordDraft[]; attachments: LedgerAttachment[] }[] = [];
    const key = this.owner.publicKey!;
    jobs.forEach((job, at) => {
      const refuse = (why: string) => {
        this.owner.log.warn(`refused ledger append ${job.id} from the shared queue of ${this.ledger}: ${why}`);
        outcomes[at] = {
          v: 1,
          ledger: this.ledger,
          id: job.id,
          error: { name: 'LedgerQueueError', message: `The shared ledger queue refused this append: ${why}. Nothing was written for it.` },
        };
      };
      if (job.raw === '') {
        refuse('its content is missing from Redis');
        return;
      }
      const payload = openMessage<JobPayload>(job.raw, 'job', this.ledger, job.id, key);
      if (typeof payload === 'string') {
        refuse(`${payload} (it was not handed over by a replica of this App)`);
        return;
      }
      try {
        const attachments = (payload.attachments ?? []).map((a) => ({ path: a.path, content: new Uint8Array(Buffer.from(a.content, 'base64')) }));
        store.checkAppend(payload.drafts, attachments);
        valid.push({ at, drafts: payload.drafts, attachments });
      } catch (err) {
        refuse((err as Error).message);
      }
    });
    if (valid.length > 0) {
      const done = await commitAppends(
        store,
        valid.map((v) => ({ drafts: v.drafts, ...(v.attachments.length ? { attachments: v.attachments } : {}) })),
      );
      valid.forEach((v, i) => {
        const r = done[i]!;
        const id = jobs[v.at]!.id;
        outcomes[v.at] =
          r instanceof Error
            ? { v: 1, ledger: this.ledger, id, error: errorOf(r) }
            : { v: 1, ledger: this.ledger, id, records: r.records, anomalies: r.anomalies };
      });
    }
    return outcomes as OutcomePayload[];
  }

  async close(timeoutMs: number): Promise<void> {
    this.stopPoll();
    // A commit stuck on GitHub does not hold the shutdown: its lock expires and its jobs are taken again.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.leading, new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
    clearTimeout(timer);
    for (const w of [...this.waiting.values()]) {
      this.waiting.delete(w.id);
      w.reject(
        new LedgerQueueError(
          `The App stopped before the ledger append's outcome arrived: it stays queued for the other replicas and may be on the branch. A redelivery finds the record if it was written and writes it otherwise.`,
        ),
      );
    }
  }
}
