/**
 * Checking many ledger records at once, on every core. Each record's check (JSON, fields, its
 * hash recomputed from the RFC 8785 form, its path, and its Ed25519 signature) is independent of
 * the others, and at 100,000 records it is most of `verify`'s work: about a tenth of a millisecond
 * of CPU per signature alone (docs/performance.md). Records are handed over in batches, as bytes
 * in one buffer moved (not copied) to a worker thread, and come back as summaries; below
 * `PARALLEL_FROM` records the same batches are checked on the calling thread, where starting
 * workers would cost more than it saves.
 */
import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import { inspectRecord, type LedgerProblem, type LedgerPublicKey, type RecordSummary } from '../../core/ledger/index.ts';

/** Records per batch: enough to make a message's cost small, few enough to keep every worker busy. */
const BATCH = 256;
/** Batches sent and not yet answered, per worker: the next ones are ready when one finishes. */
const AHEAD_PER_WORKER = 3;
/**
 * From this many records, workers are used. A worker costs about a tenth of a second of CPU to
 * start (it loads the ledger modules); 2,000 records cost about half a second to check.
 */
export const PARALLEL_FROM = 2_000;

/** One batch: the records' paths and their bytes back to back, `ends[i]` where record i ends. */
export interface InspectTask {
  keys?: readonly LedgerPublicKey[];
  paths: string[];
  ends: number[];
  bytes: Uint8Array;
}

export interface InspectedRecord {
  summary: RecordSummary | null;
  problem: LedgerProblem | null;
  /** The text, only when it could not be summarised (the history check reads it again). */
  content?: string;
}

/** Checks a batch: what the worker runs, and what runs in place below `PARALLEL_FROM`. */
export function inspectBatch(task: InspectTask): InspectedRecord[] {
  const bytes = Buffer.from(task.bytes.buffer, task.bytes.byteOffset, task.bytes.byteLength);
  const out: InspectedRecord[] = [];
  let start = 0;
  for (let i = 0; i < task.paths.length; i++) {
    const end = task.ends[i]!;
    const text = bytes.toString('utf8', start, end);
    start = end;
    const { summary, problem } = inspectRecord(task.paths[i]!, text, task.keys);
    out.push(summary ? { summary, problem } : { summary, problem, content: text });
  }
  return out;
}

/** Young generation of a worker, in megabytes. */
const WORKER_YOUNG_MB = 8;

// In this repository the worker is TypeScript run directly; in the published package, compiled.
const WORKER = new URL(`./record-worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url).href;

export interface RecordInspectorOptions {
  /** Worker threads: 0 checks on the calling thread. Default: one per core from `PARALLEL_FROM` records, else 0. */
  threads?: number;
  /** How many records are expected (chooses the default `threads`). */
  expected?: number;
}

/**
 * Collects records into batches and checks them, in workers or in place. `add` answers with a
 * promise of the record's outcome; `flush` sends the partial batch; `close` ends the workers.
 */
export class RecordInspector {
  private readonly keys: readonly LedgerPublicKey[] | undefined;
  private readonly pool: Piscina | null;
  private readonly ahead: number;
  private paths: string[] = [];
  private parts: Buffer[] = [];
  private ends: number[] = [];
  private size = 0;
  private waiting: ((r: InspectedRecord) => void)[] = [];
  private failing: ((e: unknown) => void)[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  /** Records added, and records sent in a batch, so far. */
  added = 0;
  sent = 0;

  constructor(keys: readonly LedgerPublicKey[] | undefined, options: RecordInspectorOptions = {}) {
    this.keys = keys;
    const threads = options.threads ?? ((options.expected ?? 0) >= PARALLEL_FROM ? Math.max(1, Math.min(4, availableParallelism())) : 0);
    this.pool =
      threads > 0
        ? new Piscina({
            filename: WORKER,
            minThreads: threads,
            maxThreads: threads,
            idleTimeout: 1_000,
            atomics: 'disabled',
            // A batch's objects die young: a small nursery keeps each worker's memory to a few
            // tens of megabytes (an export verifies while it builds the binder, within its 1 GB).
            resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_MB },
          })
        : null;
    this.ahead = Math.max(1, threads) * AHEAD_PER_WORKER;
  }

  /** Queues a record; the promise settles once its batch has been checked. */
  add(path: string, bytes: Buffer): Promise<InspectedRecord> {
    const result = new Promise<InspectedRecord>((resolve, reject) => {
      this.waiting.push(resolve);
      this.failing.push(reject);
    });
    this.added++;
    this.paths.push(path);
    this.parts.push(bytes);
    this.size += bytes.length;
    this.ends.push(this.size);
    if (this.paths.length >= BATCH) this.flush();
    return result;
  }

  /** True when enough batches are being checked that waiting for one costs the workers nothing. */
  get busy(): boolean {
    return this.inFlight.size >= this.ahead;
  }

  /** Sends the records queued so far as a batch. */
  flush(): void {
    if (this.paths.length === 0) return;
    this.sent = this.added;
    // A buffer of its own (never a slice of Node's shared pool), so it can be moved to a worker.
    const bytes = new Uint8Array(this.size);
    let at = 0;
    for (const part of this.parts) {
      bytes.set(part, at);
      at += part.length;
    }
    const task: InspectTask = { paths: this.paths, ends: this.ends, bytes };
    if (this.keys) task.keys = this.keys;
    const waiting = this.waiting;
    const failing = this.failing;
    this.paths = [];
    this.parts = [];
    this.ends = [];
    this.size = 0;
    this.waiting = [];
    this.failing = [];
    const settle = (results: InspectedRecord[]): void => {
      if (results.length !== waiting.length) throw new Error(`a record check answered ${results.length} records of ${waiting.length}`);
      for (let i = 0; i < results.length; i++) waiting[i]!(results[i]!);
    };
    if (!this.pool) {
      try {
        settle(inspectBatch(task));
      } catch (err) {
        for (const f of failing) f(err);
      }
      return;
    }
    // The bytes are moved to the worker (this thread no longer needs them), not copied.
    const done: Promise<void> = this.pool
      .run(task, { transferList: [bytes.buffer] })
      .then((results: InspectedRecord[]) => settle(results))
      .catch((err: unknown) => {
        for (const f of failing) f(err);
      })
      .finally(() => this.inFlight.delete(done));
    this.inFlight.add(done);
  }

  /** Waits until some batch in flight has been answered. */
  async oneDone(): Promise<void> {
    if (this.inFlight.size > 0) await Promise.race(this.inFlight);
  }

  async close(): Promise<void> {
    await this.pool?.destroy();
  }
}
