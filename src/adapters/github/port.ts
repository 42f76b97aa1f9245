/**
 * The one way the product talks to GitHub: the GitHub port. The Action (action/main.ts), the App
 * (src/app/) and the CLI (src/cli/) each build it once over their Octokit (`gitHubPort`), and
 * every adapter takes it, or the narrow part of it it needs (`GitHubRequester`, `GitHubGraphql`,
 * `GitHubApi`: `Pick`s of `GitHubPort`). Whatever Octokit sits behind it (@actions/github's,
 * Probot's `context.octokit`, the CLI's @octokit/core, a test double) is an implementation detail
 * of this module.
 *
 * Errors go through one translation: `call` (and `callOrNull`, `paginate`, `readFile`) turn a
 * failed request into a GitHubApiError whose message says what was being done and what to fix
 * (src/adapters/github/errors.ts). Listings are read with Octokit's `paginate.iterator` (the
 * `link` header GitHub sends) and FAIL CLOSED past `maxPages`: never a silently shorter list.
 *
 * To add a call: name its route and what it is doing (`action`, the `permission` it needs) and go
 * through `call`, `callOrNull` or `paginate`; a new route the fake GitHub answers gets its
 * response checked against @octokit/openapi (test/fake-github/openapi-contract.test.ts).
 */
import { composePaginateRest } from '@octokit/plugin-paginate-rest';
import { GitHubApiError, errorStatus, explainGitHubError, type ErrorContext } from './errors.ts';

/** GitHub's answer to one REST request. */
export interface GitHubResponse {
  status: number;
  data: unknown;
  headers?: Record<string, unknown>;
}

export interface RepoRef {
  owner: string;
  repo: string;
}

/**
 * What a call is doing, for its error: the action, the permission it needs and the rest of
 * ErrorContext. `repo` fills in the route's owner and name; a call about no one repository (an
 * installation's listing) leaves it out and names what it is about in `subject`.
 */
export type CallContext = Omit<ErrorContext, 'route' | 'owner' | 'repo'> & ({ repo: RepoRef } | { repo?: undefined; subject: string });

/** The owner and name a call's route is filled in with: none for a call about no one repository. */
function repoParams(what: CallContext): Record<string, string> {
  return what.repo ? { owner: what.repo.owner, repo: what.repo.repo } : {};
}

export interface PaginateOptions {
  /** Fail closed past this many pages, with a message naming the fix (default 10). */
  maxPages?: number;
  /** Items a page (default 100, GitHub's most). */
  perPage?: number;
  /** Stop early once a page satisfies this (e.g. the listing reached items older than needed). */
  stop?: (page: unknown[]) => boolean;
  /** What to narrow when the cap is hit (default: the listing is longer than is read in one go). */
  narrow?: string;
}

export interface GitHubPort {
  /** One REST request, as Octokit's `request` (errors untranslated: use `call` to translate them). */
  request(route: string, parameters?: Record<string, unknown>): Promise<GitHubResponse>;
  /** One GraphQL document. */
  graphql<T>(query: string, variables?: Record<string, unknown>): Promise<T>;
  /** One request with the repository's owner and name filled in; a failure becomes a GitHubApiError saying what to fix. */
  call<T>(route: string, params: Record<string, unknown>, what: CallContext): Promise<T>;
  /** Like `call`, but a 404 is an answer (null), not an error. */
  callOrNull<T>(route: string, params: Record<string, unknown>, what: CallContext): Promise<T | null>;
  /** Every page of a list endpoint; past `maxPages` it throws, never returning a truncated list. */
  paginate<T>(route: string, params: Record<string, unknown>, what: CallContext, options?: PaginateOptions): Promise<T[]>;
  /** A file's text at `ref`, or null when there is no file at the path. */
  readFile(repo: RepoRef, ref: string, path: string, what?: Partial<Omit<CallContext, 'repo'>>): Promise<string | null>;
}

/** The part most adapters need: Octokit's `request`. */
export type GitHubRequester = Pick<GitHubPort, 'request'>;
/** The part the batched GraphQL reads need. */
export type GitHubGraphql = Pick<GitHubPort, 'graphql'>;
/** REST and GraphQL: what the gate's and the merge recorder's readers need. */
export type GitHubApi = Pick<GitHubPort, 'request' | 'graphql'>;

/** The paginate plugin's iterator reads these off a client: Octokit's `request` with its `endpoint`. */
interface EndpointClient {
  request: ((route: string, parameters?: Record<string, unknown>) => Promise<GitHubResponse>) & { endpoint?: unknown };
}

const PORT = Symbol('GitHub port');

/**
 * The port over an Octokit. The client is taken as any object: Octokit's own typings of
 * `request` differ between versions and plugins, and this is the one place that says what the
 * product relies on (REST `request`, and `graphql` where the client has it).
 */
export interface PortOptions {
  /** Where GraphQL goes when it is not beside the REST API (Actions' GITHUB_GRAPHQL_URL). */
  graphqlUrl?: string;
}

export function gitHubPort(octokit: object, options: PortOptions = {}): GitHubPort {
  if ((octokit as Partial<Record<typeof PORT, true>>)[PORT]) return octokit as GitHubPort;
  const client = octokit as GitHubRequester & { graphql?: (query: string | Record<string, unknown>, variables?: Record<string, unknown>) => Promise<unknown> };
  const request = (route: string, parameters?: Record<string, unknown>) => client.request(route, parameters);
  const call = async <T>(route: string, params: Record<string, unknown>, what: CallContext): Promise<T> => {
    try {
      return (await request(route, { ...repoParams(what), ...params })).data as T;
    } catch (err) {
      throw translate(err, route, what);
    }
  };
  // The port keeps whatever else the client offers (a pacer, a test double's log), beneath it.
  const port = Object.create(octokit) as GitHubPort & Record<typeof PORT, true>;
  Object.assign(port, {
    [PORT]: true,
    request,
    graphql: <T>(query: string, variables?: Record<string, unknown>): Promise<T> => {
      if (typeof client.graphql !== 'function') throw new Error('this GitHub client cannot send GraphQL queries');
      // The options form takes `url` beside the variables (the string form refuses it as a variable name).
      if (options.graphqlUrl) return client.graphql({ query, ...variables, url: options.graphqlUrl }) as Promise<T>;
      return client.graphql(query, variables) as Promise<T>;
    },
    call,
    async callOrNull<T>(route: string, params: Record<string, unknown>, what: CallContext): Promise<T | null> {
      try {
        return await call<T>(route, params, what);
      } catch (err) {
        if (errorStatus(err) === 404) return null;
        throw err;
      }
    },
    paginate: <T>(route: string, params: Record<string, unknown>, what: CallContext, options: PaginateOptions = {}) =>
      paginate<T>(client, route, params, what, options),
    async readFile(repo: RepoRef, ref: string, path: string, what: Partial<Omit<CallContext, 'repo'>> = {}): Promise<string | null> {
      const data = await port.callOrNull<{ type?: string; content?: string; encoding?: string }>(
        'GET /repos/{owner}/{repo}/contents/{path}',
        { path, ref },
        { action: `reading ${path} at ${ref}`, permission: 'contents: read', ...what, repo },
      );
      if (data === null) return null;
      if (Array.isArray(data) || data.type !== 'file' || typeof data.content !== 'string') {
        throw new GitHubApiError(
          `${path} at ${ref} in ${repo.owner}/${repo.repo} is not a file: cannot read it as one`,
          null,
          'GET /repos/{owner}/{repo}/contents/{path}',
          null,
        );
      }
      return Buffer.from(data.content, data.encoding === 'base64' ? 'base64' : 'utf8').toString('utf8');
    },
  });
  return port;
}

/**
 * The client beneath a port (the object itself when it is not one), for a wrapper that must see
 * every request the port makes, its own `call`s included: wrap the client, then build a port over it.
 */
export function portClient(octokit: object): object {
  return (octokit as Partial<Record<typeof PORT, true>>)[PORT] ? (Object.getPrototypeOf(octokit) as object) : octokit;
}

function translate(err: unknown, route: string, what: CallContext): GitHubApiError {
  const { repo, ...ctx } = what;
  return explainGitHubError(err, { ...ctx, route, owner: repo?.owner ?? '', repo: repo?.repo ?? '' });
}

/** Thrown when a listing is longer than `maxPages`: a shorter list could hide evidence. */
function truncated(route: string, what: CallContext, pages: number, perPage: number, narrow: string | undefined): GitHubApiError {
  return new GitHubApiError(
    `Stopped ${what.action} for ${what.subject ?? `${what.repo?.owner}/${what.repo?.repo}`} after ${pages} pages of ${perPage}: ` +
      `the listing is longer than is read in one go, and a truncated list could hide evidence. ${narrow ?? 'Narrow it (e.g. a shorter window) or raise the limit.'}`,
    null,
    route,
    null,
  );
}

/**
 * The list in one page: GitHub wraps some listings (`{ total_count, installations: [...] }`);
 * Octokit's pagination unwraps them, and so does the page-by-number path, so both read the same.
 */
function listOf(data: unknown): unknown {
  if (Array.isArray(data) || data === null || typeof data !== 'object' || !('total_count' in data) || 'url' in data) return data;
  const lists = Object.values(data).filter(Array.isArray);
  return lists.length === 1 ? lists[0] : data;
}

async function paginate<T>(client: GitHubRequester, route: string, params: Record<string, unknown>, what: CallContext, options: PaginateOptions): Promise<T[]> {
  const perPage = options.perPage ?? 100;
  const maxPages = options.maxPages ?? 10;
  const parameters = { ...repoParams(what), ...params, per_page: perPage };
  const out: T[] = [];
  let pages = 0;
  const take = (answer: unknown): boolean => {
    const data = listOf(answer);
    if (!Array.isArray(data)) throw new GitHubApiError(`GitHub answered ${route} with something other than a list while ${what.action}`, null, route, null);
    out.push(...(data as T[]));
    pages++;
    return options.stop?.(data) ?? false;
  };
  try {
    if (typeof (client as EndpointClient).request.endpoint === 'function') {
      // Octokit's own pagination: the next page is the one GitHub's `link` header names.
      const iterator = composePaginateRest.iterator(client as never, route as never, parameters as never) as AsyncIterable<{
        data: unknown;
        headers?: Record<string, unknown>;
      }>;
      for await (const page of iterator) {
        if (take(page.data)) break;
        // At the cap with more to come: fail before asking for the page past it.
        if (pages >= maxPages && /rel="next"/.test(String(page.headers?.link ?? ''))) throw truncated(route, what, maxPages, perPage, options.narrow);
      }
      return out;
    }
    // A client without Octokit's endpoint parser (a bare test double): pages by number until a short one.
    for (let page = 1; ; page++) {
      const { data } = await client.request(route, { ...parameters, page });
      const list = listOf(data);
      const length = Array.isArray(list) ? list.length : 0;
      if (take(data) || length < perPage) return out;
      if (page >= maxPages) throw truncated(route, what, maxPages, perPage, options.narrow);
    }
  } catch (err) {
    throw translate(err, route, what);
  }
}
