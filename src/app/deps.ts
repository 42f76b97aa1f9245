/**
 * What every feature of the App is given: the clock, the policy packs, settings from the
 * environment, a tracker of work still running (so a shutdown lets appends finish), and all the
 * App's concurrency: the ledger's append queues (one writer per repository and ledger branch),
 * the write pacer and the PR comments' turns. Nothing that orders or spaces work lives in a
 * module: two Apps in one process share none of it. Tests pass their own; production uses
 * `defaultDeps()`, and the CLI builds its own in each command.
 */
import { readFileSync } from 'node:fs';
import type { Pack } from '../core/engine/policy.ts';
import { createLedgerSigner, type Clock, type LedgerSigner } from '../core/ledger/index.ts';
import { InProcessLedgerQueues, type LedgerQueues, type LedgerStoreOptions } from '../adapters/github/ledger-store.ts';
import { SEND_MARGIN_MS, WritePacer } from '../adapters/github/pacing.ts';
import { CommentTurns } from './ledger/comment.ts';
import { RedisLedgerQueues } from '../adapters/redis/ledger-queue.ts';
import { loadBuiltinPacks } from '../adapters/fs/packs.ts';
import { DEFAULT_STATUS_CONTEXT } from '../core/commit-status.ts';
import { checkConfigPath } from '../core/model/snapshot.ts';

/** Store tuning passed to every LedgerStore the App creates (tests shorten the backoff). */
export type StoreTuning = Partial<Pick<LedgerStoreOptions, 'random' | 'sleep'>>;

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
  /**
   * Where the ledger stores' appends wait for their group commit. In-process by default; with
   * REDIS_URL (the App only) one queue per ledger shared by every replica through Redis, so
   * whichever replica holds the ledger's lock commits them all (docs/ledger.md, "Appends across
   * replicas"). Every store the App makes takes its branch's queue from here.
   */
  ledgerQueues: LedgerQueues;
  /**
   * The pacer every write of the App waits for (src/adapters/github/pacing.ts): the App's Octokit
   * is built with it (src/app/server.ts), and a client that does not pace its own writes is
   * wrapped with it.
   */
  writePacer: WritePacer;
  /** The turns writers of one PR's sticky comment take, and its write counts (src/app/ledger/comment.ts). */
  commentTurns: CommentTurns;
  /**
   * The ledger signing key (ACCESS_LEDGER_SIGNING_KEY or ACCESS_LEDGER_SIGNING_KEY_PATH). Null
   * when the environment has none or it cannot be used (`signingKeyProblem` says why): the App
   * then refuses to start, and every ledger append is refused, rather than write unsigned evidence.
   */
  signer: LedgerSigner | null;
  signingKeyProblem?: string;
  /**
   * The App's bot account (`<slug>[bot]`): the only author whose ledger commits and PR comments
   * the App treats as its own. The App asks GitHub (`GET /app`) once; the CLI's reconcile and
   * sweep take `--app-login` or `ledger.app_login` of access-ledger.yaml instead.
   */
  appLogin?: () => Promise<string>;
  /**
   * The repo config's path when it is set (ACCESS_LEDGER_CONFIG), checked by the rule the gate
   * Action applies to its `config` input (`checkConfigPath`): the App judges merges by the same
   * config the gate does. A path the rule refuses is `configProblem`, and the App does not start.
   */
  configPath?: string;
  configProblem?: string;
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

export const SIGNING_KEY_VARIABLE = 'ACCESS_LEDGER_SIGNING_KEY';

/**
 * The ledger signing key from the environment: ACCESS_LEDGER_SIGNING_KEY (the PEM, or one line
 * with `\n` escapes) or ACCESS_LEDGER_SIGNING_KEY_PATH (a file holding it). Never throws: a
 * missing or unusable key is a `problem` that names the variable and the fix.
 */
export function signerFromEnv(env: NodeJS.ProcessEnv): { signer: LedgerSigner | null; problem?: string } {
  let pem = env[SIGNING_KEY_VARIABLE]?.trim();
  let source = SIGNING_KEY_VARIABLE;
  const path = env[`${SIGNING_KEY_VARIABLE}_PATH`]?.trim();
  if (!pem && path) {
    source = `${SIGNING_KEY_VARIABLE}_PATH (${path})`;
    try {
      pem = readFileSync(path, 'utf8');
    } catch (err) {
      return { signer: null, problem: `${source} cannot be read: ${(err as Error).message}` };
    }
  }
  if (!pem) {
    return {
      signer: null,
      problem:
        `${SIGNING_KEY_VARIABLE} is not set: the App signs every ledger record and writes none without its key. ` +
        'Make a key with `access-ledger keygen --out ledger-signing-key.pem`, set ACCESS_LEDGER_SIGNING_KEY to the PEM ' +
        '(or ACCESS_LEDGER_SIGNING_KEY_PATH to the file), and list the public key under ledger.public_keys in access-ledger.yaml (docs/app.md, "Environment")',
    };
  }
  try {
    return { signer: createLedgerSigner(pem, source) };
  } catch (err) {
    return { signer: null, problem: (err as Error).message };
  }
}

/**
 * The App's ledger queues: shared between replicas through Redis when REDIS_URL is set, else this
 * process's own. A bad REDIS_URL is reported by `problem` (the App refuses to start).
 */
export function ledgerQueuesFromEnv(env: NodeJS.ProcessEnv, signer: LedgerSigner | null): LedgerQueues {
  const url = env.REDIS_URL?.trim();
  return url ? new RedisLedgerQueues({ url, signer }) : new InProcessLedgerQueues();
}

/** The App's concurrency, fresh: queues of this process only, a pacer, comment turns. */
export function newConcurrency(): Pick<AppDeps, 'ledgerQueues' | 'writePacer' | 'commentTurns'> {
  return { ledgerQueues: new InProcessLedgerQueues(), writePacer: new WritePacer({ marginMs: SEND_MARGIN_MS }), commentTurns: new CommentTurns() };
}

/** A comment write's options for a feature: the create-or-find waits and the App's comment turns. */
export function commentWrite(deps: Pick<AppDeps, 'sleep' | 'commentTurns'>): { sleep?: (ms: number) => Promise<void>; turns: CommentTurns } {
  return { ...createWaits(deps), turns: deps.commentTurns };
}

/**
 * Everything from the environment. `app` is for the App itself: only it joins the replicas'
 * shared ledger queue (REDIS_URL); the CLI's writers keep a queue of their own.
 */
export function defaultDeps(env: NodeJS.ProcessEnv = process.env, options: { app?: boolean } = {}): AppDeps {
  const signing = signerFromEnv(env);
  const config = env.ACCESS_LEDGER_CONFIG?.trim() ? checkConfigPath(env.ACCESS_LEDGER_CONFIG, 'ACCESS_LEDGER_CONFIG') : null;
  return {
    ...(config?.ok ? { configPath: config.path } : {}),
    ...(config && !config.ok ? { configProblem: config.problem } : {}),
    clock: () => new Date(),
    packs: loadBuiltinPacks,
    gateCheckName: env.ACCESS_LEDGER_GATE_CHECK?.trim() || 'gate',
    gateStatusContext: env.ACCESS_LEDGER_GATE_STATUS?.trim() || DEFAULT_STATUS_CONTEXT,
    store: {},
    ...newConcurrency(),
    ...(options.app ? { ledgerQueues: ledgerQueuesFromEnv(env, signing.signer) } : {}),
    signer: signing.signer,
    ...(signing.problem ? { signingKeyProblem: signing.problem } : {}),
    work: new WorkTracker(),
  };
}
