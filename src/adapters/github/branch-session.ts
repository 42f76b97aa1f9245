/**
 * The sweep's view of a branch, read and judged off the main thread. `openBranchSession` hands
 * the repository archive, as it downloads, to a worker thread (sweep-worker.ts) that inflates,
 * parses and evaluates it; the session's methods ask that worker about the parsed repo and get
 * plain data back. The App's event loop meanwhile only moves bytes and messages, so webhook
 * deliveries are answered while a repo of 100,000 grants is swept.
 *
 * Workers come from a small pool (piscina), shared by the process: a session holds one worker
 * until it is closed; the worker then collects the repo it read at once, and idle workers end
 * after a while. Always close a session (`finally`).
 */
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import type { Pack } from '../../core/engine/policy.ts';
import type { IsoDate } from '../../core/model/types.ts';
import type { LeaverProblem } from '../../core/stale/detect.ts';
import type { DesiredIssue, IssueAction, ManagedIssue, Problem, RenderContext } from '../../core/stale/index.ts';
import type { CampaignListing, DueSystem } from '../../core/reviews/index.ts';
import type { RecordedSnapshot } from '../../core/observe/record.ts';
import type { DriftProblem } from '../../core/stale/index.ts';
import type { DriftJudge, observedSystems } from './sweep-drift.ts';
import type { AffectedGrant } from '../../core/ledger/kinds.ts';
import type { ArchiveSource } from './sweep-archive.ts';
import type { BranchSummary, SessionOp, SessionReply, SessionRequest } from './branch-protocol.ts';
import type { SessionEnd, SessionTask } from './sweep-worker.ts';

export type { BranchSummary } from './branch-protocol.ts';

// In this repository the worker is TypeScript run directly; in the published package, compiled.
const WORKER = new URL(`./sweep-worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url).href;

/**
 * Heap of a sweep worker. The parsed repo of 100,000 grants holds about 250 MB of it; a repo past
 * it ends its sweep with an error naming the limit, and the App goes on.
 */
export const WORKER_HEAP_MB = 1024;
/**
 * Young generation of a sweep worker: parsing makes short-lived objects by the million, and a
 * larger nursery than this adds to the process's peak memory without saving time.
 */
const WORKER_YOUNG_MB = 32;

let pool: Piscina | undefined;

function workers(): Piscina {
  pool ??= new Piscina({
    filename: WORKER,
    minThreads: 0,
    // A sweep and a leaver's webhook can run at once; more would only share the same cores.
    maxThreads: Math.max(2, Math.min(4, availableParallelism())),
    // An idle worker stays a while for the next session (a leaver's webhook); it collects the repo
    // it read as soon as its session ends (sweep-worker.ts), so its memory is not held meanwhile.
    idleTimeout: 30_000,
    atomics: 'disabled',
    resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB, maxYoungGenerationSizeMb: WORKER_YOUNG_MB },
  });
  return pool;
}

export interface BranchSessionOptions {
  /** Called as the worker reads the archive, every `progressEvery` files. */
  onProgress?: (files: number) => void;
  progressEvery?: number;
}

export interface Evaluation {
  problems: Problem[];
  desired: DesiredIssue[];
  /** `default_cadence_days` of the policy's `review-overdue` rule. */
  defaultCadenceDays: number;
}

/** Why a worker failed, in words: running out of its heap names the limit. */
function workerFailure(err: unknown): Error {
  if ((err as { code?: unknown } | null)?.code === 'ERR_WORKER_OUT_OF_MEMORY') {
    return new Error(
      `the repository needs more memory than a sweep worker may use (${WORKER_HEAP_MB} MB of heap): split its grants across more than one access repository`,
    );
  }
  return err instanceof Error ? err : new Error(String(err));
}

type Pending = { resolve: (value: unknown) => void; reject: (err: Error) => void };

/** A parsed branch held by a worker thread; ask it questions, then close it. */
export class BranchSession implements DriftJudge {
  readonly summary: BranchSummary;
  private readonly port: MessagePort;
  private readonly pending = new Map<number, Pending>();
  private readonly ended: Promise<SessionEnd>;
  private next = 1;
  private closed = false;
  private failure: Error | null = null;

  private constructor(summary: BranchSummary, port: MessagePort, ended: Promise<SessionEnd>) {
    this.summary = summary;
    this.port = port;
    this.ended = ended;
    port.on('message', (m: SessionReply) => {
      if (!('id' in m)) return;
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.ok) p.resolve(m.value);
      else p.reject(new Error(m.error));
    });
    // The worker died (out of memory, a crash): every question still open fails with why.
    ended.catch((err: unknown) => {
      this.failure = new Error(`the sweep's worker stopped: ${workerFailure(err).message}`);
      for (const p of this.pending.values()) p.reject(this.failure);
      this.pending.clear();
    });
  }

  /** Starts a worker on `archive` and resolves once it has read and parsed every file. */
  static open(archive: ArchiveSource, options: BranchSessionOptions = {}): Promise<BranchSession> {
    const { port1, port2 } = new MessageChannel();
    const transfer: unknown[] = [port2];
    // A stream is handed over (its chunks then flow to the worker as they arrive); bytes are copied.
    if (!(archive instanceof Uint8Array) && typeof (archive as { getReader?: unknown }).getReader === 'function') transfer.push(archive);
    const task: SessionTask = {
      port: port2,
      archive: archive instanceof Uint8Array ? new Uint8Array(archive) : archive,
      progressEvery: options.onProgress ? (options.progressEvery ?? 1000) : 0,
    };
    const ended = workers().run(task, { transferList: transfer as never }) as Promise<SessionEnd>;
    return new Promise<BranchSession>((resolve, reject) => {
      const onMessage = (m: SessionReply) => {
        if ('progress' in m) options.onProgress?.(m.progress);
        else if ('loaded' in m) {
          port1.off('message', onMessage);
          resolve(new BranchSession(m.loaded, port1, ended));
        }
      };
      port1.on('message', onMessage);
      ended.then(
        () => reject(new Error('the sweep worker ended before reading the branch')),
        (err: unknown) => {
          port1.close();
          reject(workerFailure(err));
        },
      );
    });
  }

  private ask<T>(op: SessionOp, args: unknown): Promise<T> {
    if (this.closed) return Promise.reject(new Error(`the branch session is closed (asked to ${op})`));
    if (this.failure) return Promise.reject(this.failure);
    const id = this.next++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.port.postMessage({ id, op, args } satisfies SessionRequest);
    });
  }

  /** The sweep's rules on `today`, the problems they find and the issues those should have. */
  evaluate(args: { packs: ReadonlyMap<string, Pack>; today: IsoDate; membership?: Record<string, boolean>; render: RenderContext }): Promise<Evaluation> {
    return this.ask('evaluate', args);
  }

  /** Adds problems found outside the rules (drift) to the evaluation; returns it whole again. */
  addProblems(args: { problems: Problem[]; render: RenderContext }): Promise<Evaluation> {
    return this.ask('addProblems', args);
  }

  /** The plan against the issues that exist (after `evaluate`). */
  plan(args: { existing: ManagedIssue[]; today: IsoDate; reminderDays: number; branch: string; observedSystems?: string[] }): Promise<IssueAction[]> {
    return this.ask('plan', args);
  }

  /** Systems whose listings the sweep reads (sweep-drift.ts). */
  observedSystems(): Promise<ReturnType<typeof observedSystems>> {
    return this.ask('observedSystems', {});
  }

  /** The grants against these listings, as drift problems of the compared systems. */
  judgeDrift(args: { listings: Map<string, RecordedSnapshot>; systems: string[]; packs: ReadonlyMap<string, Pack>; today: IsoDate }): Promise<DriftProblem[]> {
    return this.ask('judgeDrift', args);
  }

  /** Each listed system's listing as its review shows it, beside the grants. */
  campaignListings(args: { listed: RecordedSnapshot[] }): Promise<Map<string, CampaignListing>> {
    return this.ask('campaignListings', args);
  }

  /** The systems due for an access review, and the texts of the grant files those reviews edit. */
  due(args: {
    today: IsoDate;
    leadDays: number;
    defaultCadenceDays: number;
    openCampaigns: string[];
    lastCampaign?: ReadonlyMap<string, IsoDate>;
  }): Promise<{ due: DueSystem[]; files: Map<string, string> }> {
    return this.ask('due', args);
  }

  /** The grants naming each login (as owner, grantee or shared holder). */
  naming(logins: string[]): Promise<Record<string, AffectedGrant[]>> {
    return this.ask('naming', { logins });
  }

  /** What a departure of `login` touches: the grants naming it, and its problem under the repo's policy. */
  leaver(login: string, packs: ReadonlyMap<string, Pack>): Promise<{ affected: AffectedGrant[]; problem: LeaverProblem | null }> {
    return this.ask('leaver', { login, packs });
  }

  /** Lets the worker drop the repo and take other work; resolves with what it read. */
  async close(): Promise<SessionEnd | null> {
    if (this.closed) return null;
    this.closed = true;
    if (!this.failure) this.port.postMessage({ op: 'close' } satisfies SessionRequest);
    try {
      return await this.ended;
    } catch {
      return null;
    } finally {
      this.port.close();
    }
  }
}
