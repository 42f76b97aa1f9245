/**
 * The little the App's features need from an Octokit, structurally: Probot's context.octokit,
 * an @octokit/core instance (the CLI) and a test double all fit, whatever their versions.
 */
import { explainGitHubError, errorStatus } from '../adapters/github/errors.ts';

export interface Requester {
  request(route: string, parameters?: Record<string, unknown>): Promise<{ status: number; data: unknown; headers?: Record<string, unknown> }>;
}

export interface RepoRef {
  owner: string;
  repo: string;
}

/** One request; a failure becomes a GitHubApiError saying what was being done and which permission it needs. */
export async function call<T>(octokit: Requester, route: string, params: Record<string, unknown>, what: { action: string; permission: string; repo: RepoRef }): Promise<T> {
  try {
    const res = await octokit.request(route, { owner: what.repo.owner, repo: what.repo.repo, ...params });
    return res.data as T;
  } catch (err) {
    throw explainGitHubError(err, { action: what.action, route, owner: what.repo.owner, repo: what.repo.repo, permission: what.permission });
  }
}

/** Like `call`, but a 404 is an answer (null), not an error. */
export async function callOrNull<T>(octokit: Requester, route: string, params: Record<string, unknown>, what: { action: string; permission: string; repo: RepoRef }): Promise<T | null> {
  try {
    const res = await octokit.request(route, { owner: what.repo.owner, repo: what.repo.repo, ...params });
    return res.data as T;
  } catch (err) {
    if (errorStatus(err) === 404) return null;
    throw explainGitHubError(err, { action: what.action, route, owner: what.repo.owner, repo: what.repo.repo, permission: what.permission });
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
 * Pages through a list endpoint with `page`/`per_page` (GitHub's REST pagination). A listing that
 * would go past `maxPages` throws instead of silently returning a truncated list.
 */
export async function listPages<T>(octokit: Requester, route: string, params: Record<string, unknown>, what: { action: string; permission: string; repo: RepoRef }, opts: ListOptions<T> = {}): Promise<T[]> {
  const perPage = opts.perPage ?? 100;
  const maxPages = opts.maxPages ?? 10;
  const out: T[] = [];
  for (let page = 1; ; page++) {
    const items = await call<T[]>(octokit, route, { ...params, per_page: perPage, page }, what);
    if (!Array.isArray(items)) throw new Error(`GitHub answered ${route} with something other than a list while ${what.action}`);
    out.push(...items);
    if (items.length < perPage || opts.stop?.(items)) return out;
    if (page >= maxPages) {
      throw new Error(
        `Stopped ${what.action} for ${what.repo.owner}/${what.repo.repo} after ${maxPages} pages of ${perPage}: ` +
          'the listing is longer than the App reads in one go, and a truncated list could hide evidence. Narrow it (e.g. a shorter reconcile window).',
      );
    }
  }
}
