/**
 * Organization and team membership. Private membership is visible only to the org's own
 * installation and to its members; anyone else is redirected to the public-membership check (302),
 * which is how GitHub answers a token that cannot see private members.
 */
import { HttpError, notFound } from '../errors.ts';
import { json, list, noContent, paginate, type Ctx, type Route } from '../http.ts';
import * as shape from '../shapes.ts';
import type { Org, TokenGrant } from '../state.ts';

function orgOf(ctx: Ctx): Org {
  const org = ctx.state.org(ctx.params.org ?? '');
  if (!org) throw notFound();
  return org;
}

function seesPrivateMembers(ctx: Ctx, org: Org): boolean {
  const a = ctx.actor;
  if (a.kind === 'installation') return a.installation.account.id === org.account.id;
  if (a.kind === 'user') return ctx.state.isOrgMember(org.account.login, a.user.login);
  return false;
}

function activeMembers(org: Org, onlyPublic: boolean, role: string | null, withoutTwoFactor = false): string[] {
  return [...org.members.entries()]
    .filter(
      ([, m]) =>
        m.state === 'active' && (!onlyPublic || m.public) && (!role || role === 'all' || m.role === role) && (!withoutTwoFactor || m.twoFactor === false),
    )
    .map(([login]) => login)
    .sort();
}

/** An organization owner's token, or an installation with the organization administration permission. */
function administers(ctx: Ctx, org: Org): boolean {
  const a = ctx.actor;
  if (a.kind === 'installation')
    return a.installation.account.id === org.account.id && ['read', 'write'].includes(a.installation.permissions.organization_administration ?? '');
  if (a.kind === 'user') return org.members.get(a.user.login.toLowerCase())?.role === 'admin' && ctx.state.isOrgMember(org.account.login, a.user.login);
  return false;
}

/** GitHub shows who lacks two-factor authentication to organization owners only. */
function twoFactorFilter(ctx: Ctx, org: Org): boolean {
  const filter = ctx.query.get('filter') ?? 'all';
  if (filter === 'all') return false;
  if (filter !== '2fa_disabled') throw new HttpError(422, `Invalid filter: ${filter}`);
  if (!administers(ctx, org))
    throw new HttpError(422, 'Only owners can use this filter.', { documentationUrl: 'https://docs.github.com/rest/orgs/members#list-organization-members' });
  return true;
}

function tokenGrant(ctx: Ctx, org: Org, t: TokenGrant): Record<string, unknown> {
  return {
    id: t.id,
    owner: shape.user(ctx.urls, t.owner),
    repository_selection: t.repositorySelection,
    repositories_url: `${ctx.urls.api}/organizations/${org.account.id}/personal-access-tokens/${t.id}/repositories`,
    permissions: t.permissions,
    access_granted_at: t.accessGrantedAt,
    token_id: t.tokenId,
    token_name: t.name,
    token_expired: t.expired,
    token_expires_at: t.expiresAt,
    token_last_used_at: t.lastUsedAt,
  };
}

export const orgRoutes: Route[] = [
  {
    method: 'GET',
    path: '/orgs/{org}/members',
    operationId: 'orgs/list-members',
    handler: (ctx) => {
      const org = orgOf(ctx);
      const logins = activeMembers(org, !seesPrivateMembers(ctx, org), ctx.query.get('role'), twoFactorFilter(ctx, org));
      return list(ctx, logins, (l) => shape.user(ctx.urls, ctx.state.user(l)));
    },
  },
  {
    method: 'GET',
    path: '/orgs/{org}/outside_collaborators',
    operationId: 'orgs/list-outside-collaborators',
    handler: (ctx) => {
      const org = orgOf(ctx);
      if (!seesPrivateMembers(ctx, org)) throw new HttpError(403, 'You must be a member of the organization to list its outside collaborators.');
      const withoutTwoFactor = twoFactorFilter(ctx, org);
      const logins = ctx.state.outsideCollaborators(org.account.login).filter((l) => !withoutTwoFactor || org.outsideWithoutTwoFactor.has(l));
      return list(ctx, logins, (l) => shape.user(ctx.urls, ctx.state.user(l)));
    },
  },
  {
    // The repositories the caller can see: an installation's own selection; a member's token, all of them.
    method: 'GET',
    path: '/orgs/{org}/repos',
    operationId: 'repos/list-for-org',
    handler: (ctx) => {
      const org = orgOf(ctx);
      const a = ctx.actor;
      const repos = [...ctx.state.repos.values()]
        .filter((r) => r.owner.id === org.account.id)
        .filter((r) =>
          a.kind === 'installation'
            ? ctx.state.installationCovers(a.installation, r)
            : a.kind === 'user' && ctx.state.isOrgMember(org.account.login, a.user.login)
              ? true
              : !r.private,
        )
        .sort((x, y) => x.id - y.id);
      return list(ctx, repos, (r) => shape.repository(ctx.urls, ctx.state, r));
    },
  },
  {
    method: 'GET',
    path: '/orgs/{org}/installations',
    operationId: 'orgs/list-app-installations',
    handler: (ctx) => {
      const org = orgOf(ctx);
      if (!administers(ctx, org)) {
        throw new HttpError(
          403,
          ctx.actor.kind === 'installation' ? 'Resource not accessible by integration' : 'You must be an organization owner to list its installations.',
          { documentationUrl: 'https://docs.github.com/rest/orgs/orgs#list-app-installations-for-an-organization' },
        );
      }
      const own = [...ctx.state.installations.values()].filter((i) => i.account.id === org.account.id);
      const all = [...own, ...org.vendorApps];
      const page = paginate(ctx, all);
      return json(200, { total_count: all.length, installations: page.items.map((i) => shape.installation(ctx.urls, ctx.state, i)) }, page.headers);
    },
  },
  {
    // Only a GitHub App may list them, with organization_personal_access_tokens: read.
    method: 'GET',
    path: '/orgs/{org}/personal-access-tokens',
    operationId: 'orgs/list-pat-grants',
    handler: (ctx) => {
      const org = orgOf(ctx);
      const a = ctx.actor;
      if (a.kind !== 'installation')
        throw new HttpError(403, 'Resource not accessible by personal access token', {
          documentationUrl:
            'https://docs.github.com/rest/orgs/personal-access-tokens#list-fine-grained-personal-access-tokens-with-access-to-organization-resources',
        });
      if (a.installation.account.id !== org.account.id || !['read', 'write'].includes(a.installation.permissions.organization_personal_access_tokens ?? '')) {
        throw new HttpError(403, 'Resource not accessible by integration', {
          documentationUrl:
            'https://docs.github.com/rest/orgs/personal-access-tokens#list-fine-grained-personal-access-tokens-with-access-to-organization-resources',
        });
      }
      return list(ctx, org.tokens, (t) => tokenGrant(ctx, org, t));
    },
  },
  {
    method: 'GET',
    path: '/orgs/{org}/members/{username}',
    operationId: 'orgs/check-membership-for-user',
    handler: (ctx) => {
      const org = orgOf(ctx);
      const username = ctx.params.username ?? '';
      if (!seesPrivateMembers(ctx, org)) {
        return { status: 302, headers: { location: `${ctx.urls.api}/orgs/${org.account.login}/public_members/${username}` } };
      }
      if (!ctx.state.isOrgMember(org.account.login, username)) throw notFound();
      return noContent();
    },
  },
  {
    method: 'GET',
    path: '/orgs/{org}/public_members/{username}',
    operationId: 'orgs/check-public-membership-for-user',
    handler: (ctx) => {
      const m = orgOf(ctx).members.get((ctx.params.username ?? '').toLowerCase());
      if (m?.state !== 'active' || !m.public) throw notFound();
      return noContent();
    },
  },
  {
    method: 'GET',
    path: '/orgs/{org}/memberships/{username}',
    operationId: 'orgs/get-membership-for-user',
    handler: (ctx) => {
      const org = orgOf(ctx);
      const login = ctx.params.username ?? '';
      const m = org.members.get(login.toLowerCase());
      if (!m || (!seesPrivateMembers(ctx, org) && !m.public)) throw notFound();
      const orgApi = `${ctx.urls.api}/orgs/${org.account.login}`;
      return json(200, {
        url: `${orgApi}/memberships/${login}`,
        state: m.state,
        role: m.role,
        organization_url: orgApi,
        organization: shape.orgSimple(ctx.urls, org),
        user: shape.user(ctx.urls, ctx.state.user(login)),
      });
    },
  },
  {
    // What the gate reads to tell "not in the team" from "no such team" after a membership 404.
    // Teams are visible to the org's installation and members; anyone else gets the same 404.
    method: 'GET',
    path: '/orgs/{org}/teams/{team_slug}',
    operationId: 'teams/get-by-name',
    handler: (ctx) => {
      const org = orgOf(ctx);
      const team = org.teams.get((ctx.params.team_slug ?? '').toLowerCase());
      if (!team || !seesPrivateMembers(ctx, org))
        throw new HttpError(404, 'Not Found', { documentationUrl: 'https://docs.github.com/rest/teams/teams#get-a-team-by-name' });
      return json(200, shape.teamFull(ctx.urls, ctx.state, org, team));
    },
  },
  {
    method: 'GET',
    path: '/orgs/{org}/teams/{team_slug}/memberships/{username}',
    operationId: 'teams/get-membership-for-user-in-org',
    handler: (ctx) => {
      const org = orgOf(ctx);
      const team = org.teams.get((ctx.params.team_slug ?? '').toLowerCase());
      const login = ctx.params.username ?? '';
      const role = team?.members.get(login.toLowerCase());
      if (!team || !role) throw notFound();
      return json(200, {
        url: `${ctx.urls.api}/organizations/${org.account.id}/team/${team.id}/memberships/${login}`,
        role,
        state: 'active',
      });
    },
  },
  {
    method: 'GET',
    path: '/orgs/{org}/teams/{team_slug}/members',
    operationId: 'teams/list-members-in-org',
    handler: (ctx) => {
      const org = orgOf(ctx);
      const team = org.teams.get((ctx.params.team_slug ?? '').toLowerCase());
      if (!team) throw notFound();
      const role = ctx.query.get('role') ?? 'all';
      const logins = [...team.members.entries()]
        .filter(([, r]) => role === 'all' || r === role)
        .map(([l]) => l)
        .sort();
      return list(ctx, logins, (l) => shape.user(ctx.urls, ctx.state.user(l)));
    },
  },
  {
    method: 'GET',
    path: '/orgs/{org}/teams',
    operationId: 'teams/list',
    handler: (ctx) => {
      const org = orgOf(ctx);
      return list(ctx, [...org.teams.values()], (t) => shape.team(ctx.urls, org, t));
    },
  },
];
