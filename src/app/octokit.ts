/**
 * The App's Octokit: Probot's (retry, throttling, pagination, logging) with rate-limit handlers
 * that retry secondary rate limits too (see rate-limits.ts), and every write paced by when it is
 * sent, with the App's pacer (src/adapters/github/pacing.ts). GraphQL queries are reads: Octokit's throttling
 * would queue them with the writes (one a second), so they go around its write queue while keeping
 * its rate-limit retries (`readAwareRetryLimiter`). `npm start` (server.ts) builds its
 * Probot with it, so every `context.octokit` and every `app.auth()` client (the sweep's) has it.
 *
 * The handlers sit in a `defaults` function between Probot's own option layers: Probot puts its
 * log-only throttle options on top of whatever Octokit it is given, and this layer runs after
 * them on every construction (the App's client and each installation's), keeping the rest of
 * Probot's throttle options (REDIS_URL's shared connection, the installation id).
 */
import { ProbotOctokit } from 'probot';
import { rateLimitHandlers, readAwareRetryLimiter } from './rate-limits.ts';
import { entryWritePacer, isContentCreating, writePacing, type WritePacer } from '../adapters/github/pacing.ts';

export interface AppOctokitOptions {
  /** Rate-limit retries per request (default RATE_LIMIT_RETRIES). */
  maxRetries?: number;
  /**
   * More throttle options for @octokit/plugin-throttling, e.g. `retryAfterBaseValue` (milliseconds
   * per second of retry-after, default 1000): tests shorten the waits with it.
   */
  throttle?: Record<string, unknown>;
  /** More options for @octokit/plugin-retry (e.g. its `retryAfterBaseValue`). */
  retry?: Record<string, unknown>;
  /**
   * The pacer every content-creating request waits for right before it is sent: the App's
   * (`deps.writePacer`), shared by every instance of the class. Default: a pacer of this class's
   * own (tests pass a virtual one).
   */
  pacer?: WritePacer;
}

export function createAppOctokit(options: AppOctokitOptions = {}): typeof ProbotOctokit {
  const handlers = rateLimitHandlers(options.maxRetries !== undefined ? { maxRetries: options.maxRetries } : {});
  // Every write the App sends (ledger commits, comments, issues, the sweep's) is spaced by when it
  // goes out, after the throttling and retry plugins' queues (src/adapters/github/pacing.ts).
  return ProbotOctokit.plugin(writePacing(options.pacer ?? entryWritePacer())).defaults((instance: Record<string, unknown>) => ({
    ...instance,
    ...(options.retry ? { retry: { ...(instance.retry as object | undefined), ...options.retry } } : {}),
    // GraphQL queries are reads: they skip the throttling plugin's write queue (rate-limits.ts).
    throttle: {
      ...(instance.throttle as object | undefined),
      retryLimiter: readAwareRetryLimiter((o) => !isContentCreating(o.method, o.url, o.query)),
      ...options.throttle,
      ...handlers,
    },
  }));
}
