/**
 * One pacer for every write a process sends to GitHub: issue and comment writes, ledger commits,
 * review branches, whichever feature makes them. GitHub asks for at least a second between
 * content-creating requests (POST, PATCH, PUT, DELETE and GraphQL mutations) and answers bursts
 * with secondary rate limits; reads are not content-creating and are not paced here.
 *
 * The gap is measured from when a write is *sent*, not from when a feature hands it to Octokit:
 * behind Octokit's throttling and retry plugins a request can wait in a queue, and two writes
 * handed over a second apart can leave together. So the wait happens at the last step, the
 * `fetch` of the request: a hook on Octokit's request lifecycle (`octokit.hook.before('request')`)
 * gives each content-creating request a `fetch` that first takes its turn with the pacer. A retry
 * goes through that `fetch` again, and takes another turn.
 */
import type { GitHubRequester } from './port.ts';

/** The clock the pacer reads and how it waits (tests pass a virtual one). */
export interface PacingClock {
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export interface WritePacerOptions extends PacingClock {
  /** Least time between two writes arriving at GitHub (default 1000 ms). */
  minIntervalMs?: number;
  /**
   * Added to the interval between two sends (default 0): a request's way to GitHub takes more or
   * less time each time, so two writes sent exactly a second apart can arrive closer than that.
   * The process's pacer allows SEND_MARGIN_MS.
   */
  marginMs?: number;
}

export const MIN_WRITE_INTERVAL_MS = 1000;

/** What the process's pacer adds to each interval so that GitHub sees at least MIN_WRITE_INTERVAL_MS. */
export const SEND_MARGIN_MS = 100;

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Spaces writes at least `minIntervalMs` (plus `marginMs`) apart by the time each is sent. Turns
 * are taken in the order asked for; a turn waits for the one before it, then for the interval.
 */
export class WritePacer {
  readonly minIntervalMs: number;
  readonly marginMs: number;
  /** Writes let through so far. */
  sent = 0;
  private last = -Infinity;
  private queue: Promise<void> = Promise.resolve();
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(o: WritePacerOptions = {}) {
    this.minIntervalMs = o.minIntervalMs ?? MIN_WRITE_INTERVAL_MS;
    this.marginMs = o.marginMs ?? 0;
    this.now = o.now ?? Date.now;
    this.sleep = o.sleep ?? realSleep;
  }

  /** Resolves when a write may be sent now; the caller sends it at once. */
  turn(): Promise<void> {
    const mine = this.queue.then(async () => {
      const wait = this.last + this.minIntervalMs + this.marginMs - this.now();
      if (wait > 0) await this.sleep(wait);
      this.last = this.now();
      this.sent++;
    });
    // A failed sleep must not stall every later write.
    this.queue = mine.catch(() => undefined);
    return mine;
  }
}

/**
 * A pacer for an entry point's writes (the App's, one CLI command's): made once where the entry
 * builds its dependencies and passed to whatever writes, never kept in a module.
 */
export function entryWritePacer(): WritePacer {
  return new WritePacer({ marginMs: SEND_MARGIN_MS });
}

/** The parts of Octokit's request options the pacer reads. */
interface RequestOptions {
  method?: string;
  url?: string;
  query?: unknown;
  request?: { fetch?: typeof fetch; [key: string]: unknown };
  [key: string]: unknown;
}

/**
 * Whether a request creates or changes content on GitHub: every method but GET and HEAD, except a
 * GraphQL query (a POST that only reads). A GraphQL document that is not plainly a query counts
 * as a write: pacing a read costs a second, not pacing a write can cost a secondary rate limit.
 */
export function isContentCreating(method: string | undefined, url: string | undefined, graphqlDocument?: unknown): boolean {
  const m = (method ?? 'GET').toUpperCase();
  if (m === 'GET' || m === 'HEAD') return false;
  const path = (url ?? '').replace(/^[a-z]+:\/\/[^/]+/i, '').split('?')[0]!;
  if (m !== 'POST' || !/(^|\/)graphql$/.test(path)) return true;
  if (typeof graphqlDocument !== 'string') return true;
  // Leading white space and comments, then `query …` or an anonymous `{ … }`: a read.
  const start = graphqlDocument.replace(/^(?:\s+|#[^\n]*(?:\n|$))*/, '');
  return !(/^query\b/.test(start) || start.startsWith('{'));
}

const PACED = Symbol('paced fetch');

/** A `fetch` that takes a turn with the pacer before sending (once, however often it is wrapped). */
export function pacedFetch(pacer: WritePacer, inner: typeof fetch = globalThis.fetch): typeof fetch {
  if ((inner as unknown as Record<symbol, unknown>)[PACED]) return inner;
  const paced = (async (input: Parameters<typeof fetch>[0], init?: Parameters<typeof fetch>[1]) => {
    await pacer.turn();
    return inner(input, init);
  }) as typeof fetch;
  return Object.assign(paced, { [PACED]: true });
}

/** What the pacing plugin adds to an Octokit: the pacer its writes wait for. */
export interface PacedOctokit {
  writePacer: WritePacer;
}

interface HookableOctokit {
  hook: { before(name: 'request', fn: (options: RequestOptions) => void | Promise<void>): void };
}

/**
 * An Octokit plugin: content-creating requests wait for `pacer` right before they are sent.
 * `Octokit.plugin(writePacing(pacer))`: every instance of that class shares the pacer.
 */
export function writePacing(pacer: WritePacer): (octokit: unknown) => PacedOctokit {
  return (octokit) => {
    const p = pacer;
    (octokit as HookableOctokit).hook.before('request', (options) => {
      if (!isContentCreating(options.method, options.url, options.query)) return;
      const inner = options.request?.fetch ?? globalThis.fetch;
      options.request = { ...options.request, fetch: pacedFetch(p, inner) };
    });
    return { writePacer: p };
  };
}

/** The least a paced client needs: the GitHub port's `request` (src/adapters/github/port.ts). */
export type Requesting = GitHubRequester;

/** Whether the client paces its own writes at send time (it was built with `writePacing`). */
export function pacesWrites(octokit: unknown): boolean {
  return (octokit as Partial<PacedOctokit> | null)?.writePacer instanceof WritePacer;
}

/**
 * A client whose writes are paced: `octokit` itself when it paces its own writes at send time,
 * else a wrapper that takes a turn with `pacer` before handing each write over (for clients with
 * no queue of their own between the call and the network: a plain @octokit/core, a test double).
 * The wrapper inherits whatever else the client offers; its `graphql`, when it has one, takes a
 * turn for a mutation.
 */
export function withWritePacing<T extends Requesting>(octokit: T, pacer: WritePacer): T {
  if (pacesWrites(octokit)) return octokit;
  const wrapped = Object.create(octokit) as T & PacedOctokit & { graphql?: (query: string, variables?: Record<string, unknown>) => Promise<unknown> };
  wrapped.writePacer = pacer;
  wrapped.request = async (route, parameters) => {
    const [method = 'GET', url = ''] = route.split(' ');
    if (isContentCreating(method, url, parameters?.query)) await pacer.turn();
    return octokit.request(route, parameters);
  };
  const graphql = (octokit as { graphql?: (query: string, variables?: Record<string, unknown>) => Promise<unknown> }).graphql;
  if (typeof graphql === 'function') {
    wrapped.graphql = async (query, variables) => {
      if (isContentCreating('POST', '/graphql', query)) await pacer.turn();
      return graphql(query, variables);
    };
  }
  return wrapped;
}
