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
