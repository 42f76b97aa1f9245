/**
 * Lists a GitHub organization's access live, for `access-ledger observe`: members and their
 * organization role, MFA where GitHub shows it, outside collaborators and their repository
 * permissions, teams and their members, installed GitHub Apps and fine-grained personal access
 * tokens approved for the organization. Every listing is read page by page (100 a page) to the
 * end, every request is counted, and a refusal fails with the permission that is missing, never
 * a silently shorter list. The result is the raw export the core turns into accounts
 * (src/core/observe/github-org.ts).
 *
 * Requests: ⌈members/100⌉ + ⌈admins/100⌉ + ⌈members without 2FA/100⌉ + ⌈outside collaborators/100⌉
 * (+ their 2FA listing, + ⌈repositories/100⌉ + one per repository, only when there are outside
 * collaborators) + ⌈teams/100⌉ + Σ⌈team members/100⌉ + ⌈installations/100⌉ + ⌈tokens/100⌉.
 */
import {
  GITHUB_EXPORT_FORMAT,
  type GithubInstallation,
  type GithubOrgExport,
  type GithubRepoCollaborator,
  type GithubTokenGrant,
  type GithubUser,
} from '../../core/observe/github-org.ts';
import { GitHubApiError, errorStatus, explainGitHubError } from './errors.ts';
import type { GitHubRequester } from './port.ts';

/** What the organization's listing uses of the GitHub port (src/adapters/github/port.ts). */
export type ObserveOctokit = GitHubRequester;

export interface ObserveOrgOptions {
  octokit: ObserveOctokit;
  organization: string;
  /** The API root, recorded in the export (e.g. https://api.github.com). */
  api: string;
  /** Do not list fine-grained personal access tokens; the export names the gap instead. */
  skipTokens?: boolean;
  /** Most pages of one listing before failing (default 2,000: 200,000 items). */
  maxPages?: number;
}

export interface ObserveOrgResult {
  export: GithubOrgExport;
  /** Every request made, by route. */
  calls: number;
  byRoute: Record<string, number>;
}

const ROUTES = {
  members: 'GET /orgs/{org}/members',
  outside: 'GET /orgs/{org}/outside_collaborators',
  repos: 'GET /orgs/{org}/repos',
  collaborators: 'GET /repos/{owner}/{repo}/collaborators',
  teams: 'GET /orgs/{org}/teams',
  teamMembers: 'GET /orgs/{org}/teams/{team_slug}/members',
  installations: 'GET /orgs/{org}/installations',
  tokens: 'GET /orgs/{org}/personal-access-tokens',
} as const;

/** A refusal a listing may answer with instead of its data: the caller decides whether it is a gap. */
class Refused extends Error {
  readonly status: number;
  readonly refusal: unknown;

  constructor(status: number, refusal: unknown) {
    super(`refused (${status})`);
    this.status = status;
    this.refusal = refusal;
  }
}

function user(u: Record<string, unknown>): GithubUser {
  const out: GithubUser = { login: String(u.login) };
  if (typeof u.id === 'number') out.id = u.id;
  if (typeof u.type === 'string') out.type = u.type;
  if (typeof u.site_admin === 'boolean') out.site_admin = u.site_admin;
  if (typeof u.name === 'string') out.name = u.name;
  if (typeof u.email === 'string') out.email = u.email;
  return out;
}

export async function observeOrganization(options: ObserveOrgOptions): Promise<ObserveOrgResult> {
  const { octokit, organization: org } = options;
  const maxPages = options.maxPages ?? 2000;
  const byRoute: Record<string, number> = {};
  let calls = 0;
  const subject = `organization ${org}`;

  interface ListingOptions {
    /** The permission the listing needs, in app.yml terms. */
    permission: string;
    /** Picks the list out of a wrapped answer (`{ total_count, installations }`). */
    unwrap?: (data: unknown) => unknown;
    /** Statuses that are an answer, not a failure: thrown as Refused for the caller to judge. */
    refusals?: readonly number[];
    /** What to do about a 403, when the default advice does not fit. */
    forbidden?: string;
  }

  async function page(route: string, params: Record<string, unknown>, action: string, o: ListingOptions): Promise<unknown> {
    const { permission, refusals = [] } = o;
    calls++;
    byRoute[route] = (byRoute[route] ?? 0) + 1;
    try {
      return (await octokit.request(route, params)).data;
    } catch (err) {
      const status = errorStatus(err);
      if (status !== null && refusals.includes(status)) throw new Refused(status, err);
      throw explainGitHubError(err, {
        action,
        route,
        owner: org,
        repo: '',
        permission,
        subject,
        forbidden:
          o.forbidden ??
          `the token needs "${permission}" for ${subject} (a GitHub App installation token with that permission, or an organization owner's token)`,
        notFound: `the organization does not exist or the token cannot see it: check the name and that the token belongs to the organization`,
      });
    }
  }

  /** Every page of a listing; `unwrap` picks the list out of a wrapped answer. */
  async function all<T>(route: string, params: Record<string, unknown>, action: string, o: ListingOptions): Promise<T[]> {
    const out: T[] = [];
    for (let p = 1; ; p++) {
      const data = await page(route, { ...params, per_page: 100, page: p }, action, o);
      const items = o.unwrap ? o.unwrap(data) : data;
      if (!Array.isArray(items))
        throw new GitHubApiError(`GitHub answered ${route} with something other than a list while ${action} for ${subject}`, null, route, null);
      out.push(...(items as T[]));
      if (items.length < 100) return out;
      if (p >= maxPages)
        throw new GitHubApiError(`Stopped ${action} for ${subject} after ${maxPages} pages: a listing cut short would hide accounts`, null, route, null);
    }
  }

  const gaps: string[] = [];
  const members = (await all<Record<string, unknown>>(ROUTES.members, { org, role: 'all' }, 'listing the members', { permission: 'members: read' })).map(user);
  const admins = (await all<Record<string, unknown>>(ROUTES.members, { org, role: 'admin' }, 'listing the owners', { permission: 'members: read' })).map((u) =>
    String(u.login),
  );

  // Who lacks two-factor authentication: GitHub shows it to organization owners (and Apps with
  // the organization administration permission) only. Without it MFA is not reported, and named as a gap.
  const withoutTwoFactor = async (route: string, who: string): Promise<string[] | null> => {
    try {
      return (
        await all<Record<string, unknown>>(route, { org, filter: '2fa_disabled' }, `listing ${who} without two-factor authentication`, {
          permission: 'members: read',
          refusals: [403, 422],
        })
      ).map((u) => String(u.login));
    } catch (err) {
      if (!(err instanceof Refused)) throw err;
      gaps.push(`MFA of ${who} not listed: GitHub refused the two-factor filter (${err.status}); only organization owners may see it`);
      return null;
    }
  };
  const membersWithout2fa = await withoutTwoFactor(ROUTES.members, 'members');

  const outside = (await all<Record<string, unknown>>(ROUTES.outside, { org }, 'listing the outside collaborators', { permission: 'members: read' })).map(user);
  const outsideWithout2fa = outside.length > 0 ? await withoutTwoFactor(ROUTES.outside, 'outside collaborators') : [];
  const repositories: GithubOrgExport['repositories'] = [];
  if (outside.length > 0) {
    const repos = await all<Record<string, unknown>>(ROUTES.repos, { org, type: 'all' }, 'listing the repositories', { permission: 'metadata: read' });
    for (const r of repos) {
      const name = String(r.name);
      const collaborators = await all<Record<string, unknown>>(
        ROUTES.collaborators,
        { owner: org, repo: name, affiliation: 'outside' },
        `listing the outside collaborators of ${org}/${name}`,
        {
          permission: 'metadata: read',
          forbidden: `listing a repository's collaborators needs "metadata: read" (a GitHub App installation token) or push access to every repository (a person's token)`,
        },
      );
      if (collaborators.length > 0) {
        repositories.push({
          name,
          outside_collaborators: collaborators.map((c) => {
            const out: GithubRepoCollaborator = user(c);
            if (typeof c.role_name === 'string') out.role_name = c.role_name;
            if (c.permissions && typeof c.permissions === 'object') out.permissions = { ...(c.permissions as Record<string, boolean>) };
            return out;
          }),
        });
      }
    }
  }

  const teams: GithubOrgExport['teams'] = [];
  for (const t of await all<Record<string, unknown>>(ROUTES.teams, { org }, 'listing the teams', { permission: 'members: read' })) {
    const slug = String(t.slug);
    const teamMembers = await all<Record<string, unknown>>(ROUTES.teamMembers, { org, team_slug: slug, role: 'all' }, `listing the members of team ${slug}`, {
      permission: 'members: read',
    });
    teams.push({ slug, name: String(t.name ?? slug), members: teamMembers.map((m) => String(m.login)) });
  }

  const installations = (
    await all<Record<string, unknown>>(ROUTES.installations, { org }, 'listing the installed GitHub Apps', {
      permission: 'organization_administration: read',
      unwrap: (d) => (d as { installations?: unknown })?.installations,
    })
  ).map((i): GithubInstallation => {
    const out: GithubInstallation = { id: Number(i.id), app_slug: String(i.app_slug), permissions: { ...((i.permissions ?? {}) as Record<string, string>) } };
    if (typeof i.app_id === 'number') out.app_id = i.app_id;
    if (typeof i.target_type === 'string') out.target_type = i.target_type;
    if (typeof i.repository_selection === 'string') out.repository_selection = i.repository_selection;
    if (Array.isArray(i.events)) out.events = i.events.map(String);
    if (typeof i.created_at === 'string') out.created_at = i.created_at;
    if (typeof i.updated_at === 'string') out.updated_at = i.updated_at;
    out.suspended_at = typeof i.suspended_at === 'string' ? i.suspended_at : null;
    return out;
  });

  let tokens: GithubTokenGrant[] | null = null;
  if (options.skipTokens) {
    gaps.push('fine-grained personal access tokens not listed (--skip-tokens): tokens with access to the organization are not compared');
  } else {
    try {
      tokens = (
        await all<Record<string, unknown>>(ROUTES.tokens, { org }, 'listing the fine-grained personal access tokens', {
          permission: 'organization_personal_access_tokens: read',
          refusals: [403, 404, 422],
        })
      ).map((t) => {
        const owner = (t.owner ?? {}) as Record<string, unknown>;
        return {
          id: Number(t.id),
          owner: user(owner),
          token_id: Number(t.token_id),
          token_name: String(t.token_name ?? ''),
          token_expired: t.token_expired === true,
          token_expires_at: typeof t.token_expires_at === 'string' ? t.token_expires_at : null,
          token_last_used_at: typeof t.token_last_used_at === 'string' ? t.token_last_used_at : null,
          access_granted_at: String(t.access_granted_at ?? ''),
          repository_selection: String(t.repository_selection ?? ''),
          permissions: (t.permissions ?? {}) as GithubTokenGrant['permissions'],
        };
      });
    } catch (err) {
      if (!(err instanceof Refused)) throw err;
      throw new GitHubApiError(
        `GitHub refused to list the fine-grained personal access tokens of ${subject} (${err.status}): only a GitHub App installation token with the "organization_personal_access_tokens: read" permission may list them. ` +
          'Observe with such a token, or pass --skip-tokens to record the tokens as a gap in the snapshot.',
        err.status,
        ROUTES.tokens,
        err.refusal,
      );
    }
  }

  return {
    export: {
      format: GITHUB_EXPORT_FORMAT,
      organization: org,
      api: options.api,
      members,
      admins,
      members_without_2fa: membersWithout2fa,
      outside_collaborators: outside,
      outside_collaborators_without_2fa: outsideWithout2fa,
      repositories,
      teams,
      installations,
      personal_access_tokens: tokens,
      gaps,
    },
    calls,
    byRoute,
  };
}
