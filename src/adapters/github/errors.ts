/**
 * Turning Octokit request errors into messages that say what to do. GitHub answers a missing
 * permission with 403 or, for private repositories, 404; without a hint both read like bugs.
 */

/** The parts of @octokit/request-error's RequestError this module reads (structural, any version). */
interface RequestErrorLike {
  status?: unknown;
  message?: unknown;
  response?: { headers?: Record<string, unknown>; data?: unknown };
}

export function errorStatus(err: unknown): number | null {
  const status = (err as RequestErrorLike | null)?.status;
  return typeof status === 'number' ? status : null;
}

/** GitHub's own message (response body `message`), else the error's message. */
export function githubMessage(err: unknown): string {
  const e = err as RequestErrorLike | null;
  const data = e?.response?.data;
  if (data && typeof data === 'object' && typeof (data as { message?: unknown }).message === 'string') {
    return (data as { message: string }).message;
  }
  return typeof e?.message === 'string' ? e.message : String(err);
}

function header(err: unknown, name: string): string | null {
  const value = (err as RequestErrorLike | null)?.response?.headers?.[name];
  return value === undefined || value === null ? null : String(value);
}

/** An API call failed; `message` says what was being done and what to fix. */
export class GitHubApiError extends Error {
  override name = 'GitHubApiError';
  readonly status: number | null;
  readonly route: string;

  constructor(message: string, status: number | null, route: string, cause: unknown) {
    super(message, { cause });
    this.status = status;
    this.route = route;
  }
}

export interface ErrorContext {
  /** What was being done, e.g. "creating the ledger commit". */
  action: string;
  route: string;
  owner: string;
  repo: string;
  /** The permission the call needs, in app.yml terms, e.g. "contents: write". */
  permission: string;
  branch?: string;
  /** What to do about a 403 when the default advice (the App's permissions in app.yml) does not fit, e.g. in the Action. */
  forbidden?: string;
  /** What the call is about when it is not one repository (e.g. "installation 42"). */
  subject?: string;
  /** What a 404 means when it is not a missing or hidden repository. */
  notFound?: string;
}

export function explainGitHubError(err: unknown, ctx: ErrorContext): GitHubApiError {
  if (err instanceof GitHubApiError) return err;
  const status = errorStatus(err);
  const detail = githubMessage(err);
  const where = ctx.subject ?? `${ctx.owner}/${ctx.repo}`;
  const doing = `while ${ctx.action} (${ctx.route})`;
  let message: string;
  if (status === null) {
    message = `Could not reach GitHub ${doing} for ${where}: ${detail}`;
  } else if (status === 401) {
    message = `GitHub rejected the credentials (401) ${doing} for ${where}: the token is invalid or expired. ${detail}`;
  } else if ((status === 403 || status === 429) && (header(err, 'x-ratelimit-remaining') === '0' || /rate limit/i.test(detail))) {
    const reset = header(err, 'x-ratelimit-reset');
    const when = reset ? ` (resets at ${new Date(Number(reset) * 1000).toISOString()})` : '';
    message = `GitHub rate limit reached ${doing} for ${where}${when}; retry later. ${detail}`;
  } else if (status === 403 && ctx.forbidden) {
    message = `GitHub refused access (403) ${doing} for ${where}: ${ctx.forbidden}. ${detail}`;
  } else if (status === 403) {
    message = `GitHub refused access (403) ${doing} for ${where}: the App or token needs the "${ctx.permission}" permission on this repository (check app.yml and that the installation includes the repository). ${detail}`;
  } else if (status === 404 && ctx.notFound) {
    message = `GitHub answered 404 ${doing} for ${where}: ${ctx.notFound}. ${detail}`;
  } else if (status === 404) {
    message = `GitHub answered 404 ${doing} for ${where}: the repository does not exist or the token cannot see it (a token without "${ctx.permission}" gets 404 for private repositories). ${detail}`;
  } else if (status === 409 && /empty/i.test(detail)) {
    message = `${where} is empty: the Git Data API cannot write to a repository without commits. Push a first commit to the default branch, then retry. ${detail}`;
  } else if (status === 422 && /rule|protect/i.test(detail)) {
    message = `A ruleset or branch protection refused the update of ${ctx.branch ? `branch ${ctx.branch}` : 'the branch'} in ${where} ${doing}: let the App push to it (docs/ledger.md, "Branch protection"). ${detail}`;
  } else if (status >= 500) {
    message = `GitHub failed (${status}) ${doing} for ${where}; retry later. ${detail}`;
  } else {
    message = `GitHub answered ${status} ${doing} for ${where}: ${detail}`;
  }
  return new GitHubApiError(message, status, ctx.route, err);
}
