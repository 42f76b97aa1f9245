/**
 * What to do when GitHub says "slow down": the handlers of Octokit's throttling plugin, shared by
 * the App (src/app/octokit.ts) and the CLI (src/cli/commands/reconcile.ts).
 *
 * Probot's own defaults retry a primary rate limit but only log a secondary one (403 or 429 "You
 * have exceeded a secondary rate limit", with retry-after): the request then fails, and with it
 * the whole webhook handler. Secondary limits are routine when a burst of merges comments and
 * writes at once, and the request was refused, not carried out, so sending it again after the
 * wait GitHub asks for is safe, even for a create. Both kinds are retried here, a bounded number
 * of times per request; the plugin waits `retry-after` seconds (secondary) or until
 * `x-ratelimit-reset` (primary) before each retry.
 */

/** Retries per request after a rate limit, primary or secondary. */
export const RATE_LIMIT_RETRIES = 3;

/** The parts of a request the throttling plugin hands its handlers. */
interface LimitedRequest {
  method?: string;
  url?: string;
  /** Octokit's request options; the plugin counts its retries here as `retryCount`. */
  request?: unknown;
}

/**
 * The plugin's handler signature (@octokit/plugin-throttling 11): the wait in seconds, the
 * request, the Octokit, and how many times this request was already retried. True: retry it.
 */
export type RateLimitHandler = (retryAfter: number, options: LimitedRequest, octokit: unknown, retryCount?: number) => boolean;

export interface RateLimitHandlers {
  onRateLimit: RateLimitHandler;
  onSecondaryRateLimit: RateLimitHandler;
}

export interface RateLimitOptions {
  /** Retries per request (default RATE_LIMIT_RETRIES). */
  maxRetries?: number;
  /** Where a warning goes (default: the Octokit's own `log.warn`, as Probot's Octokit has). */
  warn?: (message: string) => void;
}

function octokitWarn(octokit: unknown): ((message: string) => void) | undefined {
  const log = (octokit as { log?: { warn?: (message: string) => void } } | null)?.log;
  return typeof log?.warn === 'function' ? (m) => log.warn!(m) : undefined;
}

/** Handlers that retry primary and secondary rate limits up to `maxRetries` times per request, and warn each time. */
export function rateLimitHandlers(options: RateLimitOptions = {}): RateLimitHandlers {
  const max = options.maxRetries ?? RATE_LIMIT_RETRIES;
  const handler =
    (kind: string): RateLimitHandler =>
    (retryAfter, request, octokit, retryCount) => {
      const counted = (request.request as { retryCount?: unknown } | undefined)?.retryCount;
      const done = typeof retryCount === 'number' ? retryCount : typeof counted === 'number' ? counted : 0;
      const warn = options.warn ?? octokitWarn(octokit) ?? (() => undefined);
      const what = `${request.method ?? ''} ${request.url ?? ''}`.trim();
      if (done >= max) {
        warn(`${kind} on ${what}: still limited after ${max} retries; giving up on this request`);
        return false;
      }
      warn(`${kind} on ${what}; retrying in ${retryAfter}s (retry ${done + 1} of ${max})`);
      return true;
    };
  return { onRateLimit: handler('rate limit reached'), onSecondaryRateLimit: handler('secondary rate limit') };
}

/** The parts of the throttling plugin's per-client state a query's turn swaps (see `readAwareRetryLimiter`). */
interface ThrottleState {
  write?: unknown;
  [key: string]: unknown;
}

/** A job of the throttling plugin: `doRequest(state, request, options)`. */
type ThrottleJob = (state: ThrottleState, request: unknown, options: { method?: string; url?: string; query?: unknown }) => Promise<unknown>;

type FailedListener = (error: unknown, info: { args: unknown[]; retryCount: number }) => unknown;

/** A write group that lets a request through at once: what a GraphQL query gets in place of the write queue. */
const NO_WAIT_GROUP = { key: () => ({ schedule: (_options: unknown, fn: () => Promise<unknown>) => fn() }) };

const sleepMs = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The throttling plugin's `retryLimiter`, for one client: it runs every request (the plugin
 * schedules each one through it, and retries it when a rate-limit handler says so), so it is where
 * a GraphQL *query* is told apart from a write. The plugin puts every `POST /graphql` in its write
 * group (one request a second, process-wide), which makes a burst of merges queue their reads
 * behind each other; GitHub's content-creation limits concern mutations and content-creating REST
 * requests only. A query runs with a write group that does not wait, and everything else the plugin
 * does stays: its global concurrency, its GraphQL `RATE_LIMITED` check, and its retries of primary
 * and secondary rate limits (403/429 with retry-after, waited out through `onSecondaryRateLimit`).
 * Mutations and REST writes keep the write (and notification) queues.
 */
export function readAwareRetryLimiter(isRead: (options: { method?: string; url?: string; query?: unknown }) => boolean) {
  const failed: FailedListener[] = [];
  return {
    on(event: string, listener: FailedListener): void {
      if (event === 'failed') failed.push(listener);
    },
    async schedule(job: ThrottleJob, state: ThrottleState, request: unknown, options: { method?: string; url?: string; query?: unknown }): Promise<unknown> {
      const runState = isRead(options) ? { ...state, write: NO_WAIT_GROUP } : state;
      const args = [runState, request, options];
      for (let retryCount = 0; ; retryCount++) {
        try {
          return await job(runState, request, options);
        } catch (error) {
          let wait: number | undefined;
          for (const listener of failed) {
            const answer = await listener(error, { args, retryCount });
            if (typeof answer === 'number') wait = answer;
          }
          if (wait === undefined) throw error;
          await sleepMs(wait);
        }
      }
    },
  };
}
