/**
 * What every feature of the App is given: the clock, the policy packs, settings from the
 * environment, and a tracker of work still running (so a shutdown lets appends finish).
 * Tests pass their own; production uses `defaultDeps()`.
 */
import type { Pack } from '../core/engine/policy.ts';
import type { Clock } from '../core/ledger/index.ts';
import type { LedgerStoreOptions } from '../adapters/github/ledger-store.ts';
import { loadBuiltinPacks } from '../adapters/fs/packs.ts';
import { DEFAULT_STATUS_CONTEXT } from '../core/commit-status.ts';

/** Store tuning passed to every LedgerStore the App creates (tests shorten the backoff). */
export type StoreTuning = Partial<Pick<LedgerStoreOptions, 'random' | 'maxAttempts' | 'baseDelayMs' | 'maxDelayMs' | 'maxBatch' | 'sleep'>>;

export interface AppDeps {
  clock: Clock;
  packs: () => ReadonlyMap<string, Pack>;
  /**
   * The name of the gate's check run (the job name in the gate workflow): read at merge time to
   * tell an admin bypass from a gate that never ran. `ACCESS_LEDGER_GATE_CHECK`, default `gate` (docs/gate.md).
   */
  gateCheckName: string;
  /**
   * The context of the commit status the gate sets on the head commit, read at merge time with
   * the check. `ACCESS_LEDGER_GATE_STATUS`, default `access-ledger/gate` (docs/gate.md).
   */
  gateStatusContext: string;
  store: StoreTuning;
  /** Handlers register their work here; `drain()` waits for it on shutdown. */
  work: WorkTracker;
  /**
   * Waits before looking again for a comment or issue whose create failed (it may have landed);
   * default real time. Tests pass a no-op.
   */
  sleep?: (ms: number) => Promise<void>;
}

/** The create-or-find options of a feature's comments and issues (src/app/github.ts, createOnce). */
export function createWaits(deps: Pick<AppDeps, 'sleep'>): { sleep?: (ms: number) => Promise<void> } {
  return deps.sleep ? { sleep: deps.sleep } : {};
}

export class WorkTracker {
  private readonly running = new Set<Promise<unknown>>();

  track<T>(promise: Promise<T>): Promise<T> {
    this.running.add(promise);
    const done = () => this.running.delete(promise);
    promise.then(done, done);
    return promise;
  }

  get size(): number {
    return this.running.size;
  }

  /** Waits for the work in flight (at most `timeoutMs`); true when everything finished. */
  async drain(timeoutMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    const all = Promise.allSettled([...this.running]).then(() => true as const);
    const finished = await Promise.race([all, timeout]);
    clearTimeout(timer);
    return finished;
  }
}

export function defaultDeps(env: NodeJS.ProcessEnv = process.env): AppDeps {
  return {
    clock: () => new Date(),
    packs: loadBuiltinPacks,
    gateCheckName: env.ACCESS_LEDGER_GATE_CHECK?.trim() || 'gate',
    gateStatusContext: env.ACCESS_LEDGER_GATE_STATUS?.trim() || DEFAULT_STATUS_CONTEXT,
    store: {},
    work: new WorkTracker(),
  };
}
