/**
 * The evidence ledger's writer: appends records to the orphan ledger branch of the access repo
 * through the Git Data API (docs/ledger.md).
 *
 * - Group commit. Appends for one owner/repo/branch share a queue; whatever arrives while a
 *   commit is in flight goes into the next commit together, so a burst of merges costs a handful
 *   of requests, not three writes each (GitHub allows 80 content-creating requests a minute, and
 *   Probot paces writes to about one a second). The queue is in-process by default; with
 *   REDIS_URL the App's replicas share one (src/adapters/redis/ledger-queue.ts), and whichever
 *   replica holds the ledger's lock commits every replica's appends.
 * - Compare-and-swap. The branch ref is updated without force; when another writer (a second
 *   replica, another process) moved it first, GitHub answers 422 "not a fast forward" and the
 *   batch is re-read, re-planned and retried with jittered exponential backoff. The ledger never
 *   forks and never loses a record; after a bounded number of attempts the append fails loudly.
 * - Idempotence. A record's path is a function of its event, so a redelivered webhook finds the
 *   record already there and writes nothing, once `trust` confirms the App wrote it. A record at
 *   the path that the App did not write is never adopted: the event is recorded under the next
 *   free alternate key (`<key>-2`, …) with an `anomaly` record beside it, in the same commit.
 * - Signed. Every record is sealed with the App's ledger signing key; without one the store
 *   refuses to write (docs/ledger.md, "Signatures").
 */
import { createHash } from 'node:crypto';
import {
  DEFAULT_LEDGER_BRANCH,
  SNAPSHOT_PATH_RE,
  HEAD_PATH,
  README_PATH,
  RECORDS_DIR,
  alternateKey,
  appendCommitMessage,
  checkDraft,
  emptyHead,
  inspectRecord,
  parseHead,
  planAppend,
  recordPath,
  recordPathCandidates,
  serializeHead,
  serializeRecord,
  type Clock,
  type DraftOutcome,
  type LedgerHead,
  type LedgerSigner,
  type RecordDraft,
  type SealedRecord,
} from '../../core/ledger/index.ts';
import { buildAnomalyDraft } from '../../core/records/anomaly.ts';
import { GitHubApiError, errorStatus, githubMessage } from './errors.ts';
import type { RecordTrust } from './ledger-trust.ts';
import { gitHubPort, type GitHubPort, type GitHubRequester } from './port.ts';

/** What the store uses of the GitHub port (src/adapters/github/port.ts): REST requests. */
export type LedgerOctokit = GitHubRequester;

export interface LedgerStoreOptions {
  octokit: LedgerOctokit;
  owner: string;
  repo: string;
  /** The ledger branch (default `access-ledger`, or `ledger.branch` of access-ledger.yaml). */
  branch?: string;
  clock: Clock;
  /**
   * The App's ledger signing key: every record is signed with it. Null when the App has none, and
   * then every append is refused with a message naming ACCESS_LEDGER_SIGNING_KEY: unsigned
   * evidence is never written.
   */
  signer: LedgerSigner | null;
  /**
   * Decides whether a record found at a draft's path is the App's own (then it is returned as
   * already recorded) or someone else's (then it is not adopted: see the header). Null adopts any
   * record that passes its own checks, for tests of the store alone.
   */
  trust: RecordTrust | null;
  /** [0, 1) source for backoff jitter; injectable for tests. */
  random?: () => number;
  /** Attempts per commit before giving up on a branch that keeps moving (default 8). */
  maxAttempts?: number;
  sleep?: (ms: number) => Promise<void>;
  /**
   * Where appends wait for their commit: every store given the same queues and naming the same
   * owner/repo/branch shares one queue. The App passes its own (deps.ts: in-process, or shared
   * between replicas through Redis); a store made without has a queue of its own.
   */
  queues?: LedgerQueues;
}

/** Counters per owner/repo/branch queue, for benchmarks and logs. */
export interface LedgerStoreStats {
  /** Every API request made, by route. */
  requests: number;
  byRoute: Record<string, number>;
  /** Commits that became the branch tip (the genesis commit counted separately). */
  commits: number;
  genesis: number;
  /** Batches taken from the queue. */
  flushes: number;
  /** Ref updates refused as not a fast-forward (each one is retried). */
  conflicts: number;
  /** Records written / drafts found already recorded. */
  appended: number;
  deduplicated: number;
}

/** The branch kept moving: every attempt lost the compare-and-swap. Nothing was written. */
export class LedgerConflictError extends Error {
  override name = 'LedgerConflictError';
  readonly attempts: number;
  readonly branch: string;

  constructor(message: string, branch: string, attempts: number) {
    super(message);
    this.branch = branch;
    this.attempts = attempts;
  }
}

/** The branch holds something the store refuses to build on (a missing or broken head.json, a tampered record). */
export class LedgerStateError extends Error {
  override name = 'LedgerStateError';
}

/** The App has no ledger signing key, so it writes nothing rather than unsigned evidence. */
export class SigningKeyMissingError extends Error {
  override name = 'SigningKeyMissingError';
  constructor() {
    super(
      "No ledger signing key: set ACCESS_LEDGER_SIGNING_KEY to the PEM of the App's Ed25519 signing key (make one with `access-ledger keygen`, " +
        'and list its public key under ledger.public_keys in access-ledger.yaml). Nothing was written: the ledger holds only signed records.',
    );
  }
}

/** What an append wrote: one record per draft (new or already there), and any anomaly records it added. */
export interface AppendResult {
  records: SealedRecord[];
  /** `anomaly` records written because a draft's path held a record the App did not write. */
  anomalies: SealedRecord[];
}

/** Alternate keys tried before an append gives up on a draft whose paths keep holding foreign records. */
const MAX_ALTERNATES = 10;

const ROUTES = {
  getRef: 'GET /repos/{owner}/{repo}/git/ref/{ref}',
  createRef: 'POST /repos/{owner}/{repo}/git/refs',
  updateRef: 'PATCH /repos/{owner}/{repo}/git/refs/{ref}',
  getCommit: 'GET /repos/{owner}/{repo}/git/commits/{commit_sha}',
  createCommit: 'POST /repos/{owner}/{repo}/git/commits',
  createTree: 'POST /repos/{owner}/{repo}/git/trees',
  createBlob: 'POST /repos/{owner}/{repo}/git/blobs',
  getContent: 'GET /repos/{owner}/{repo}/contents/{path}',
  getBlob: 'GET /repos/{owner}/{repo}/git/blobs/{file_sha}',
} as const;

/** The contents API lists at most 1,000 entries of a directory; a full page may be truncated. */
const CONTENTS_DIR_LIMIT = 1000;

/**
 * A file committed together with a record: the raw export of an `access-snapshot`, stored at
 * `snapshots/<sha256>.<ext>` (content-addressed, so writing it twice changes nothing).
 */
export interface LedgerAttachment {
  path: string;
  content: Uint8Array;
}

/**
 * What a caller already read of the ledger branch (the App reads it in the same GraphQL query as
 * the merge's files): the tip, and files at that tip (text, or null when absent). A commit built on
 * that very tip needs neither the ref nor those paths read again; when the branch moved meanwhile
 * the ref update is refused (not a fast-forward) and the commit is re-read and retried as usual.
 */
export interface LedgerSeen {
  commitSha: string;
  treeSha: string;
  files: ReadonlyMap<string, string | null>;
}

/** One caller's append waiting in a queue: its drafts (checked), the store it came through, and its promise. */
export interface PendingAppend {
  drafts: RecordDraft[];
  attachments?: LedgerAttachment[];
  seen?: LedgerSeen;
  store: LedgerStore;
  resolve: (result: AppendResult) => void;
  reject: (err: unknown) => void;
}

/** The queue of one ledger branch: appends wait here and go into group commits. */
export interface LedgerBranchQueue {
  /** Counters of the commits this process made for the branch. */
  readonly stats: LedgerStoreStats;
  /** The commit this process last published, so the next commit can skip re-reading it. */
  known: LedgerBase | null;
  enqueue(item: PendingAppend): void;
}

/** Hands out one queue per owner/repo/branch. */
export interface LedgerQueues {
  queueFor(owner: string, repo: string, branch: string): LedgerBranchQueue;
  /** Lets commits in flight finish and lets go of what the queues hold (connections, locks). */
  close?(): Promise<void>;
}

/** What a batch commit answers: one record or error per draft, and the anomalies per draft index. */
interface BatchResult {
  results: (SealedRecord | Error)[];
  anomalies: Map<number, SealedRecord[]>;
}

/** What a flush builds on: the branch tip as read (or the fresh genesis commit). */
export interface LedgerBase {
  commitSha: string;
  treeSha: string;
  head: LedgerHead;
  /** False when the branch does not exist yet: the commit is published by creating the ref. */
  refExists: boolean;
}

type Base = LedgerBase;

export function newLedgerStats(): LedgerStoreStats {
  return { requests: 0, byRoute: {}, commits: 0, genesis: 0, flushes: 0, conflicts: 0, appended: 0, deduplicated: 0 };
}

/** One per owner/repo/branch: serialises this process's commits and groups waiting appends. */
class InProcessBranchQueue implements LedgerBranchQueue {
  readonly stats = newLedgerStats();
  known: Base | null = null;
  private pending: PendingAppend[] = [];
  private running = false;

  enqueue(item: PendingAppend): void {
    this.pending.push(item);
    if (this.running) return;
    this.running = true;
    // Start on the next macrotask so appends made in the same tick (a burst of handlers) share
    // the first commit instead of the first one going alone.
    setImmediate(() => void this.drain());
  }

  private async drain(): Promise<void> {
    try {
      while (this.pending.length > 0) {
        const batch = this.takeBatch();
        const done = await commitAppends(batch[0]!.store, batch);
        batch.forEach((p, i) => {
          const r = done[i]!;
          if (r instanceof Error) p.reject(r);
          else p.resolve(r);
        });
      }
    } finally {
      this.running = false;
    }
  }

  private takeBatch(): PendingAppend[] {
    const limit = this.pending[0]!.store.maxBatch;
    const batch: PendingAppend[] = [];
    let count = 0;
    while (this.pending.length > 0) {
      const next = this.pending[0]!;
      if (batch.length > 0 && count + next.drafts.length > limit) break;
      batch.push(this.pending.shift()!);
      count += next.drafts.length;
    }
    return batch;
  }
}

/** The key of a ledger branch's queue. Owner and repository names are case-insensitive on GitHub; branch names are not. */
export function ledgerQueueKey(owner: string, repo: string, branch: string): string {
  return `${owner.toLowerCase()}/${repo.toLowerCase()}#${branch}`;
}

/** Queues in this process only: appends of one process share commits; other processes race by compare-and-swap. */
export class InProcessLedgerQueues implements LedgerQueues {
  private readonly queues = new Map<string, InProcessBranchQueue>();

  queueFor(owner: string, repo: string, branch: string): LedgerBranchQueue {
    const key = ledgerQueueKey(owner, repo, branch);
    let q = this.queues.get(key);
    if (!q) {
      q = new InProcessBranchQueue();
      this.queues.set(key, q);
    }
    return q;
  }

  async close(): Promise<void> {}
}

/**
 * One group commit for several callers' appends, through `store` (all target its branch): one
 * outcome per item, in order: what it appended, or the error that concerns it (a failure of the
 * whole commit is every item's error). Never throws.
 */
export async function commitAppends(
  store: LedgerStore,
  items: readonly Pick<PendingAppend, 'drafts' | 'attachments' | 'seen'>[],
): Promise<(AppendResult | Error)[]> {
  const drafts = items.flatMap((p) => p.drafts);
  // Each draft's attachments, by the draft's place in the batch.
  const attachments = new Map<number, LedgerAttachment[]>();
  let at = 0;
  for (const p of items) {
    if (p.attachments?.length) for (let i = 0; i < p.drafts.length; i++) attachments.set(at + i, p.attachments);
    at += p.drafts.length;
  }
  store.countFlush();
  let done: BatchResult;
  try {
    done = await store.commitBatch(
      drafts,
      attachments,
      items.flatMap((p) => (p.seen ? [p.seen] : [])),
    );
  } catch (err) {
    const error = err instanceof Error ? err : new Error(String(err));
    return items.map(() => error);
  }
  let offset = 0;
  return items.map((p) => {
    const mine = done.results.slice(offset, offset + p.drafts.length);
    const anomalies = p.drafts.flatMap((_, i) => done.anomalies.get(offset + i) ?? []);
    offset += p.drafts.length;
    const failed = mine.find((r) => r instanceof Error);
    return failed ? (failed as Error) : { records: mine as SealedRecord[], anomalies };
  });
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** First retry delay in ms; doubles per attempt, with jitter. */
const BASE_DELAY_MS = 250;
/** Ceiling of one retry delay in ms. */
const MAX_DELAY_MS = 8000;
/** Most records in one commit; the rest go into the next. */
const MAX_BATCH = 200;

export class LedgerStore {
  readonly owner: string;
  readonly repo: string;
  readonly branch: string;
  readonly maxBatch = MAX_BATCH;
  private readonly port: GitHubPort;
  private readonly clock: Clock;
  private readonly signer: LedgerSigner | null;
  private readonly trust: RecordTrust | null;
  private readonly random: () => number;
  private readonly maxAttempts: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly queue: LedgerBranchQueue;

  constructor(options: LedgerStoreOptions) {
    this.port = gitHubPort(options.octokit);
    this.owner = options.owner;
    this.repo = options.repo;
    this.branch = options.branch ?? DEFAULT_LEDGER_BRANCH;
    this.clock = options.clock;
    this.signer = options.signer;
    this.trust = options.trust;
    this.random = options.random ?? Math.random;
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 8);
    this.sleep = options.sleep ?? defaultSleep;
    if (!/^[A-Za-z0-9._/-]+$/.test(this.branch) || this.branch.includes('..') || this.branch.startsWith('/') || this.branch.endsWith('/')) {
      throw new Error(`invalid ledger branch name ${JSON.stringify(this.branch)}`);
    }
    // A store made without `queues` has a queue of its own: appends through it share commits only
    // with each other. The App's stores share the App's queues (src/app/deps.ts).
    this.queue = (options.queues ?? new InProcessLedgerQueues()).queueFor(this.owner, this.repo, this.branch);
  }

  /**
   * Appends records and resolves, once the commit holding them is the branch tip, with one
   * sealed record per draft in the same order: the new record, or the one already stored at
   * the draft's path (a redelivery writes nothing). Rejects with a GitHubApiError,
   * LedgerConflictError or LedgerStateError; a draft breaking the format rejects at once.
   */
  async append(drafts: RecordDraft | readonly RecordDraft[], options: { attachments?: readonly LedgerAttachment[] } = {}): Promise<SealedRecord[]> {
    return (await this.appendDetailed(drafts, options)).records;
  }

  /** Like `append`, and also says which `anomaly` records the append added (see the header). */
  appendDetailed(
    drafts: RecordDraft | readonly RecordDraft[],
    options: { attachments?: readonly LedgerAttachment[]; seen?: LedgerSeen } = {},
  ): Promise<AppendResult> {
    const list = Array.isArray(drafts) ? [...(drafts as readonly RecordDraft[])] : [drafts as RecordDraft];
    const attachments = [...(options.attachments ?? [])];
    try {
      this.checkAppend(list, attachments);
    } catch (err) {
      return Promise.reject(err);
    }
    if (list.length === 0) return Promise.resolve({ records: [], anomalies: [] });
    const seen = options.seen;
    return new Promise((resolve, reject) =>
      this.queue.enqueue({ drafts: list, ...(attachments.length ? { attachments } : {}), ...(seen ? { seen } : {}), store: this, resolve, reject }),
    );
  }

  /**
   * @internal Throws unless the drafts and attachments may be appended to this ledger: the store
   * signs, every draft is well-formed and about this repository, and every attachment is a raw
   * export named by the SHA-256 of its bytes. Checked before an append joins a queue, so a bad
   * draft cannot fail the batch it would have joined, and again by a replica committing appends
   * another replica handed over.
   */
  checkAppend(drafts: readonly RecordDraft[], attachments: readonly LedgerAttachment[]): void {
    if (!this.signer) throw new SigningKeyMissingError();
    // Only raw exports named by the SHA-256 of their bytes may ride along: the branch holds nothing else.
    for (const a of attachments) {
      const m = SNAPSHOT_PATH_RE.exec(a.path);
      if (!m) throw new Error(`cannot store ${JSON.stringify(a.path)} on the ledger branch: attachments are snapshots/<sha256>.csv or .json`);
      const digest = createHash('sha256').update(a.content).digest('hex');
      if (digest !== m[1]) throw new Error(`cannot store ${a.path}: its content's SHA-256 is ${digest}`);
    }
    for (const d of drafts) {
      checkDraft(d);
      // Evidence about one repository must never land in another's ledger.
      if (d.repository.toLowerCase() !== `${this.owner}/${this.repo}`.toLowerCase()) {
        throw new Error(`record ${d.key} is about ${d.repository} but this ledger belongs to ${this.owner}/${this.repo}`);
      }
    }
  }

  /** @internal Counts one batch taken from the queue. */
  countFlush(): void {
    this.queue.stats.flushes++;
  }

  /** A snapshot of this branch's counters (shared by every store of the same owner/repo/branch). */
  stats(): LedgerStoreStats {
    return { ...this.queue.stats, byRoute: { ...this.queue.stats.byRoute } };
  }

  /** The current head.json (seq 0 when the branch does not exist yet). */
  async readHead(): Promise<LedgerHead> {
    const sha = await this.readRefSha();
    if (sha === null) return emptyHead();
    return this.readHeadAt(sha);
  }

  /** The record stored at `path` on the branch tip, or null. */
  async readRecord(path: string): Promise<SealedRecord | null> {
    const sha = await this.readRefSha();
    if (sha === null) return null;
    const content = await this.readFile(path, sha, 'reading a ledger record');
    return content === null ? null : this.parseExisting(path, content);
  }

  /**
   * @internal One commit for a batch, with retries; called by the queue only. One result per
   * draft: its record, or the error that concerns that draft alone.
   */
  async commitBatch(
    drafts: RecordDraft[],
    attachments: ReadonlyMap<number, readonly LedgerAttachment[]> = new Map(),
    seen: readonly LedgerSeen[] = [],
  ): Promise<BatchResult> {
    const queue = this.queue;
    /** Blob SHAs of attachments already uploaded (a retry does not upload them again). */
    const uploaded = new Map<string, string>();
    for (let attempt = 1; ; attempt++) {
      // The first attempt builds on what the callers saw when that is the tip as far as this
      // process knows; a retry (the branch moved) reads everything again.
      const base = (attempt === 1 ? this.baseFromSeen(queue, seen) : null) ?? (await this.readBase(queue));
      const known = new Map<string, string | null>();
      for (const s of seen) if (s.commitSha === base.commitSha) for (const [path, text] of s.files) known.set(path, text);
      const existing = await this.existingRecords(base, drafts, known);
      const claimed = await this.claimPaths(base, drafts, existing);
      const all = [...claimed.drafts, ...claimed.anomalies.map((a) => a.draft)];
      const plan = planAppend(base.head, all, this.clock, (p) => existing.has(p), this.signer);
      const outcomes = plan.outcomes.map((o) => this.resolveOutcome(o, plan.outcomes, existing));
      const results = drafts.map((_, i) => claimed.errors.get(i) ?? outcomes[i]!);
      const anomalies = new Map<number, SealedRecord[]>();
      claimed.anomalies.forEach((a, j) => {
        const r = outcomes[drafts.length + j]!;
        if (!(r instanceof Error)) anomalies.set(a.of, [...(anomalies.get(a.of) ?? []), r]);
      });
      const deduplicated = plan.outcomes.filter((o) => o.status !== 'new').length;
      if (plan.records.length === 0) {
        queue.stats.deduplicated += deduplicated;
        return { results, anomalies };
      }

      // The attachments of drafts that become new records, uploaded as blobs (bytes, not text: an export need not be UTF-8).
      const files = new Map<string, LedgerAttachment>();
      plan.outcomes.forEach((o, i) => {
        if (o.status === 'new') for (const a of attachments.get(i) ?? []) files.set(a.path, a);
      });
      for (const a of files.values()) {
        if (uploaded.has(a.path)) continue;
        const blob = await this.call<{ sha: string }>(
          ROUTES.createBlob,
          { content: Buffer.from(a.content).toString('base64'), encoding: 'base64' },
          'storing a raw export on the ledger branch',
        );
        uploaded.set(a.path, blob.sha);
      }
      const tree = await this.call<{ sha: string }>(
        ROUTES.createTree,
        {
          base_tree: base.treeSha,
          tree: [
            ...plan.records.map((r) => ({ path: recordPath(r), mode: '100644', type: 'blob', content: serializeRecord(r) })),
            ...[...files.keys()].map((path) => ({ path, mode: '100644', type: 'blob', sha: uploaded.get(path)! })),
            { path: HEAD_PATH, mode: '100644', type: 'blob', content: serializeHead(plan.head) },
          ],
        },
        'creating the ledger tree',
      );
      const commit = await this.call<{ sha: string }>(
        ROUTES.createCommit,
        {
          message: appendCommitMessage(plan.records),
          tree: tree.sha,
          parents: [base.commitSha],
        },
        'creating the ledger commit',
      );

      const published = await this.publish(base, commit.sha);
      if (published) {
        queue.known = { commitSha: commit.sha, treeSha: tree.sha, head: plan.head, refExists: true };
        queue.stats.commits++;
        queue.stats.appended += plan.records.length;
        queue.stats.deduplicated += deduplicated;
        return { results, anomalies };
      }
      queue.stats.conflicts++;
      queue.known = null;
      if (attempt >= this.maxAttempts) {
        throw new LedgerConflictError(
          `Could not append to ${this.owner}/${this.repo} branch ${this.branch} after ${attempt} attempts: ` +
            'each time another writer moved the branch first (the ref update was not a fast-forward). ' +
            'Nothing was written; the branch was never forced, so the ledger did not fork. Retry later.',
          this.branch,
          attempt,
        );
      }
      await this.sleep(this.backoff(attempt));
    }
  }

  /**
   * Drafts whose path holds a record the App did not write move to the next free alternate key
   * (`<key>-2`, `<key>-3`, …, or one holding the App's own record: a redelivery), and each foreign
   * record met on the way becomes an `anomaly` draft. Reads the alternate paths into `existing`.
   */
  private async claimPaths(
    base: Base,
    drafts: readonly RecordDraft[],
    existing: Map<string, string>,
  ): Promise<{ drafts: RecordDraft[]; anomalies: { of: number; draft: RecordDraft }[]; errors: Map<number, Error> }> {
    const out = [...drafts];
    const anomalies: { of: number; draft: RecordDraft }[] = [];
    const errors = new Map<number, Error>();
    if (!this.trust) return { drafts: out, anomalies, errors };
    const repository = `${this.owner}/${this.repo}`;
    for (let i = 0; i < drafts.length; i++) {
      const original = drafts[i]!;
      let draft = original;
      const foreign: RecordDraft[] = [];
      for (let n = 1; ; ) {
        const path = recordPathCandidates(base.head, draft).find((p) => existing.has(p));
        if (path === undefined) break;
        const content = existing.get(path)!;
        const origin = await this.trust.check(path, content, base.commitSha);
        if (origin.own) break;
        const pr = prOf(original);
        foreign.push(buildAnomalyDraft({ repository, foreign: origin, occurredAt: original.occurred_at, recordedAs: null, pr }));
        if (++n > MAX_ALTERNATES) {
          errors.set(
            i,
            new LedgerStateError(
              `${MAX_ALTERNATES} paths for ${original.key} on ${repository} branch ${this.branch} hold records the App did not write; refusing to go on. Run \`access-ledger verify\`.`,
            ),
          );
          break;
        }
        draft = { ...original, key: alternateKey(original.key, n) };
        await this.readStored(base, draft, existing);
      }
      out[i] = draft;
      for (const a of foreign) {
        const anomaly = { ...a, subject: { ...(a as RecordDraft<'anomaly'>).subject, recorded_as: errors.has(i) ? null : draft.key } } as RecordDraft;
        await this.readStored(base, anomaly, existing);
        anomalies.push({ of: i, draft: anomaly });
      }
    }
    return { drafts: out, anomalies, errors };
  }

  /** Reads into `existing` the first of the draft's paths (day folder, then month folder) that holds a record. */
  private async readStored(base: Base, draft: RecordDraft, existing: Map<string, string>): Promise<void> {
    for (const path of recordPathCandidates(base.head, draft)) {
      if (existing.has(path)) return;
      const text = await this.readFile(path, base.commitSha, 'checking whether a record exists');
      if (text !== null) {
        existing.set(path, text);
        return;
      }
    }
  }

  private resolveOutcome(o: DraftOutcome, all: DraftOutcome[], existing: Map<string, string>): SealedRecord | Error {
    if (o.status === 'new') return o.record;
    if (o.status === 'duplicate') return this.resolveOutcome(all[o.of]!, all, existing);
    try {
      return this.parseExisting(o.path, existing.get(o.path)!);
    } catch (err) {
      return err as Error;
    }
  }

  /** A record found at a draft's path: returned as is, unless it fails its own checks. */
  private parseExisting(path: string, content: string): SealedRecord {
    const { problem } = inspectRecord(path, content);
    if (problem) {
      throw new LedgerStateError(
        `The record already stored at ${path} on ${this.owner}/${this.repo} branch ${this.branch} fails verification (${problem.problem}); ` +
          'refusing to build on it. Run `access-ledger verify` on a clone.',
      );
    }
    return JSON.parse(content) as SealedRecord;
  }

  /** Full jitter between half and all of the doubled delay, so competing replicas spread out. */
  private backoff(attempt: number): number {
    const ceiling = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** (attempt - 1));
    return Math.round(ceiling / 2 + (ceiling / 2) * this.random());
  }

  /**
   * The base a caller's read of the branch gives without a request: the commit this process
   * published last when a caller saw exactly that tip, else (nothing published since start, or
   * since a lost race) the tip every caller saw, when they agree and it has a readable head.json.
   */
  private baseFromSeen(queue: LedgerBranchQueue, seen: readonly LedgerSeen[]): Base | null {
    if (seen.length === 0) return null;
    if (queue.known) return seen.some((s) => s.commitSha === queue.known!.commitSha) ? queue.known : null;
    const first = seen[0]!;
    if (!seen.every((s) => s.commitSha === first.commitSha)) return null;
    const text = first.files.get(HEAD_PATH);
    if (typeof text !== 'string') return null;
    try {
      return { commitSha: first.commitSha, treeSha: first.treeSha, head: parseHead(text), refExists: true };
    } catch {
      return null; // read it the usual way, which says what is wrong with it
    }
  }

  private async readBase(queue: LedgerBranchQueue): Promise<Base> {
    const sha = await this.readRefSha();
    if (sha === null) return this.createGenesis(queue);
    // The tip is the commit this process published last: its tree and head are known.
    if (queue.known && queue.known.commitSha === sha) return queue.known;
    const commit = await this.call<{ tree: { sha: string } }>(ROUTES.getCommit, { commit_sha: sha }, 'reading the ledger tip commit');
    const head = await this.readHeadAt(sha);
    return { commitSha: sha, treeSha: commit.tree.sha, head, refExists: true };
  }

  private async readRefSha(): Promise<string | null> {
    try {
      const data = await this.call<{ object: { sha: string } }>(ROUTES.getRef, { ref: `heads/${this.branch}` }, 'reading the ledger branch', {
        notFound: true,
      });
      return data.object.sha;
    } catch (err) {
      if (err instanceof NotFound) return null;
      throw err;
    }
  }

  private async readHeadAt(sha: string): Promise<LedgerHead> {
    const content = await this.readFile(HEAD_PATH, sha, 'reading head.json');
    if (content === null) {
      throw new LedgerStateError(
        `Branch ${this.branch} of ${this.owner}/${this.repo} has no head.json: it was not created by access-ledger. ` +
          'Choose another ledger branch (ledger.branch in access-ledger.yaml) or delete this one.',
      );
    }
    try {
      return parseHead(content);
    } catch (err) {
      throw new LedgerStateError(`head.json on ${this.owner}/${this.repo} branch ${this.branch} is not valid: ${(err as Error).message}`);
    }
  }

  /**
   * The orphan branch's first commit: a README and head.json at seq 0, no parents. The ref is
   * not created here but together with the first append (POST refs fails if another writer
   * created the branch meanwhile, which is the same compare-and-swap as an update).
   */
  private async createGenesis(queue: LedgerBranchQueue): Promise<Base> {
    const head = emptyHead();
    const tree = await this.call<{ sha: string }>(
      ROUTES.createTree,
      {
        tree: [
          { path: README_PATH, mode: '100644', type: 'blob', content: ledgerReadme(`${this.owner}/${this.repo}`, this.branch) },
          { path: HEAD_PATH, mode: '100644', type: 'blob', content: serializeHead(head) },
        ],
      },
      'creating the ledger branch',
    );
    const commit = await this.call<{ sha: string }>(
      ROUTES.createCommit,
      {
        message: `Start the access-ledger evidence branch\n\nRecords are appended by the access-ledger App; see README.md.\n`,
        tree: tree.sha,
        parents: [],
      },
      'creating the ledger branch',
    );
    queue.stats.genesis++;
    return { commitSha: commit.sha, treeSha: tree.sha, head, refExists: false };
  }

  /** Moves (or creates) the branch to `sha` without force. False when another writer won. */
  private async publish(base: Base, sha: string): Promise<boolean> {
    try {
      if (base.refExists) {
        await this.call(ROUTES.updateRef, { ref: `heads/${this.branch}`, sha, force: false }, 'moving the ledger branch', { conflict: true });
      } else {
        await this.call(ROUTES.createRef, { ref: `refs/heads/${this.branch}`, sha }, 'creating the ledger branch', { conflict: true });
      }
      return true;
    } catch (err) {
      if (err instanceof Conflict) return false;
      throw err;
    }
  }

  /**
   * Which drafts' paths already hold a record, with their content. One directory listing per
   * month with several drafts (a burst), one file read otherwise.
   */
  private async existingRecords(base: Base, drafts: RecordDraft[], known: ReadonlyMap<string, string | null> = new Map()): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    if (!base.refExists) return found; // a branch being created holds no records
    const byDir = new Map<string, Set<string>>();
    for (const d of drafts) {
      // A day folder's path, and a month folder's for an event from before day folders.
      for (const path of recordPathCandidates(base.head, d)) {
        // Read at this very commit by the caller already.
        if (known.has(path)) {
          const text = known.get(path);
          if (typeof text === 'string') found.set(path, text);
          continue;
        }
        const dir = path.slice(0, path.lastIndexOf('/'));
        let set = byDir.get(dir);
        if (!set) byDir.set(dir, (set = new Set()));
        set.add(path);
      }
    }
    for (const [dir, paths] of byDir) {
      let candidates: string[] = [...paths];
      if (paths.size > 1) {
        const listing = await this.listDir(dir, base.commitSha);
        if (listing !== 'truncated') candidates = candidates.filter((p) => listing.has(p));
      }
      for (const path of candidates) {
        const content = await this.readFile(path, base.commitSha, 'checking whether a record exists');
        if (content !== null) found.set(path, content);
      }
    }
    return found;
  }

  private async listDir(dir: string, ref: string): Promise<Set<string> | 'truncated'> {
    let data: unknown;
    try {
      data = await this.call<unknown>(ROUTES.getContent, { path: dir, ref }, 'listing ledger records', { notFound: true });
    } catch (err) {
      if (err instanceof NotFound) return new Set();
      throw err;
    }
    if (!Array.isArray(data)) throw new LedgerStateError(`${dir} on branch ${this.branch} is not a directory`);
    if (data.length >= CONTENTS_DIR_LIMIT) return 'truncated';
    return new Set((data as { path: string }[]).map((e) => e.path));
  }

  /** A file's text at `ref`, or null when absent. */
  private async readFile(path: string, ref: string, action: string): Promise<string | null> {
    let data: { type?: string; encoding?: string; content?: string; sha?: string; size?: number };
    try {
      data = await this.call<typeof data>(ROUTES.getContent, { path, ref }, action, { notFound: true });
    } catch (err) {
      if (err instanceof NotFound) return null;
      throw err;
    }
    if (Array.isArray(data) || data.type !== 'file') throw new LedgerStateError(`${path} on branch ${this.branch} is not a file`);
    if (data.encoding === 'base64' && typeof data.content === 'string' && (data.content.length > 0 || data.size === 0)) {
      return Buffer.from(data.content, 'base64').toString('utf8');
    }
    // Files over 1 MB come without content from the contents API; read the blob instead.
    const blob = await this.call<{ content: string; encoding: string }>(ROUTES.getBlob, { file_sha: data.sha }, action);
    return Buffer.from(blob.content, blob.encoding === 'base64' ? 'base64' : 'utf8').toString('utf8');
  }

  /**
   * One API request, counted. `notFoundIsAnswer` turns 404 into NotFound for reads where absence
   * is an answer; `conflictIsAnswer` turns a lost compare-and-swap into Conflict.
   */
  private async call<T>(route: string, params: Record<string, unknown>, action: string, answers: { notFound?: boolean; conflict?: boolean } = {}): Promise<T> {
    const stats = this.queue.stats;
    stats.requests++;
    stats.byRoute[route] = (stats.byRoute[route] ?? 0) + 1;
    const permission = route.startsWith('GET') ? 'contents: read' : 'contents: write';
    try {
      return await this.port.call<T>(route, params, { action, permission, branch: this.branch, repo: { owner: this.owner, repo: this.repo } });
    } catch (err) {
      // GitHub's own answer, beneath the port's translation: a 404 or a lost compare-and-swap is an answer here.
      const answer = err instanceof GitHubApiError ? err.cause : err;
      const status = errorStatus(answer);
      if (answers.notFound && status === 404) throw new NotFound();
      if (answers.conflict && status === 422 && /fast.?forward|already exists/i.test(githubMessage(answer))) throw new Conflict();
      throw err;
    }
  }
}

class NotFound extends Error {}
class Conflict extends Error {}

/** The pull request a draft is about, for the anomaly record (subject.pr with a number and url). */
function prOf(draft: RecordDraft): { number: number; url: string } | null {
  const pr = (draft.subject as { pr?: { number?: unknown; url?: unknown } }).pr;
  return pr && typeof pr.number === 'number' && typeof pr.url === 'string' ? { number: pr.number, url: pr.url } : null;
}

/** README.md of the ledger branch: tells whoever finds the branch what it is and how to check it. */
export function ledgerReadme(repository: string, branch: string): string {
  return `# Access evidence ledger

This branch is written by the access-ledger App. It holds tamper-evident evidence of access
changes in ${repository}: every merged grant change with its approvals, unapproved merges,
provisioning runs, access reviews, people leaving the organization and snapshots of what the
systems themselves list.

- \`${RECORDS_DIR}/<YYYY>/<MM>/<DD>/<key>.json\`: one record per event, in the day it happened. Each record carries \`seq\`,
  \`prev_hash\` (the previous record's hash) and \`hash\` (SHA-256 of the RFC 8785 canonical JSON
  of the record without \`hash\`), so the records form a hash chain.
- \`${HEAD_PATH}\`: the last record's seq, hash and path.
- \`snapshots/<sha256>.csv|json\`: the raw export each access-snapshot record names (what a
  system itself listed of who has access), named by the SHA-256 of its bytes.

Commits only ever add records (and the exports they name) and update head.json. Nothing on this branch is edited or
deleted; do not push to it. To check it:

    git fetch origin ${branch}:${branch}
    npx access-ledger verify --repo . --branch ${branch}

The record format is documented in docs/ledger.md of access-ledger.
`;
}
