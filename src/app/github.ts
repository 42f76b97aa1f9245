/**
 * The little the App's features need from an Octokit, structurally: Probot's context.octokit,
 * an @octokit/core instance (the CLI) and a test double all fit, whatever their versions.
 */
import { errorStatus } from '../adapters/github/errors.ts';
import { gitHubPort, type GitHubRequester, type RepoRef } from '../adapters/github/port.ts';

export type { RepoRef } from '../adapters/github/port.ts';
export type Requester = GitHubRequester;

/** One request through the GitHub port; a failure becomes a GitHubApiError saying what was being done and which permission it needs. */
export function call<T>(
  octokit: Requester,
  route: string,
  params: Record<string, unknown>,
  what: { action: string; permission: string; repo: RepoRef },
): Promise<T> {
  return gitHubPort(octokit).call<T>(route, params, what);
}

/** Like `call`, but a 404 is an answer (null), not an error. */
export function callOrNull<T>(
  octokit: Requester,
  route: string,
  params: Record<string, unknown>,
  what: { action: string; permission: string; repo: RepoRef },
): Promise<T | null> {
  return gitHubPort(octokit).callOrNull<T>(route, params, what);
}

/**
 * Request options for a create that must not be sent twice blindly: Octokit's retry plugin would
 * repeat the POST after a 5xx even when the first one was carried out and only its answer was
 * lost. Rate limits are still retried by the throttling plugin: GitHub refused those requests.
 */
export const NO_AUTO_RETRY = { retries: 0 } as const;

/**
 * A failure after which a write may have been carried out all the same: GitHub failed (5xx, the
 * answer lost on the way back) or no answer came (a network error or timeout).
 */
export function mayHaveLanded(err: unknown): boolean {
  const status = errorStatus(err);
  return status === null || status >= 500;
}

export interface CreateOnceOptions {
  /** Creates tried in all (default 4: the first and three more, as Octokit's retry plugin does). */
  attempts?: number;
  /** Waits before looking again (tests pass a no-op); default real time, 1 s, 4 s, 9 s. */
  sleep?: (ms: number) => Promise<void>;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Create-or-find for something people would see twice (the sticky comment, the admins' issue):
 * `create` sends the POST once (with `request: NO_AUTO_RETRY`); when it fails in a way that may
 * have landed, `find` looks for the object by its hidden marker, and only when it is not there is
 * the POST sent again. `found` tells that the object came from `find`, not from the POST's answer.
 */
export async function createOnce<T>(
  ops: { create: () => Promise<T>; find: () => Promise<T | null> },
  options: CreateOnceOptions = {},
): Promise<{ value: T; found: boolean }> {
  const attempts = Math.max(1, options.attempts ?? 4);
  const sleep = options.sleep ?? realSleep;
  for (let attempt = 1; ; attempt++) {
    try {
      return { value: await ops.create(), found: false };
    } catch (err) {
      if (!mayHaveLanded(err)) throw err;
      await sleep(attempt * attempt * 1000);
      const found = await ops.find();
      if (found !== null) return { value: found, found: true };
      if (attempt >= attempts) throw err;
    }
  }
}

export interface ListOptions<T> {
  /** Stop early once a page satisfies this (e.g. the listing reached items older than needed). */
  stop?: (page: T[]) => boolean;
  /** Fail closed past this many pages, with a message naming the fix (default 10). */
  maxPages?: number;
  perPage?: number;
}

/**
 * Every page of a list endpoint, through the GitHub port's pagination. A listing that would go
 * past `maxPages` throws instead of silently returning a truncated list.
 */
export function listPages<T>(
  octokit: Requester,
  route: string,
  params: Record<string, unknown>,
  what: { action: string; permission: string; repo: RepoRef },
  opts: ListOptions<T> = {},
): Promise<T[]> {
  return gitHubPort(octokit).paginate<T>(route, params, what, {
    ...(opts.maxPages !== undefined ? { maxPages: opts.maxPages } : {}),
    ...(opts.perPage !== undefined ? { perPage: opts.perPage } : {}),
    ...(opts.stop ? { stop: (page) => opts.stop!(page as T[]) } : {}),
    narrow: 'Narrow it (e.g. a shorter reconcile window).',
  });
}
