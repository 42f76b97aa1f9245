/**
 * Organization and team membership. Private membership is visible only to the org's own
 * installation and to its members; anyone else is redirected to the public-membership check (302),
 * which is how GitHub answers a token that cannot see private members.
 */
import { HttpError, notFound } from '../errors.ts';
import { json, list, noContent, type Ctx, type Route } from '../http.ts';
import * as shape from '../shapes.ts';
import type { Org } from '../state.ts';

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

function activeMembers(org: Org, onlyPublic: boolean, role: string | null): string[] {
  return [...org.members.entries()]
    .filter(([, m]) => m.state === 'active' && (!onlyPublic || m.public) && (!role || role === 'all' || m.role === role))
    .map(([login]) => login)
    .sort();
}

export const orgRoutes: Route[] = [
  {
    method: 'GET', path: '/orgs/{org}/members', operationId: 'orgs/list-members',
    handler: (ctx) => {
      const org = orgOf(ctx);
      const logins = activeMembers(org, !seesPrivateMembers(ctx, org), ctx.query.get('role'));
      return list(ctx, logins, (l) => shape.user(ctx.urls, ctx.state.user(l)));
    },
  },
  {
    method: 'GET', path: '/orgs/{org}/members/{username}', operationId: 'orgs/check-membership-for-user',
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
    method: 'GET', path: '/orgs/{org}/public_members/{username}', operationId: 'orgs/check-public-membership-for-user',
    handler: (ctx) => {
      const m = orgOf(ctx).members.get((ctx.params.username ?? '').toLowerCase());
      if (!m || m.state !== 'active' || !m.public) throw notFound();
      return noContent();
    },
  },
  {
    method: 'GET', path: '/orgs/{org}/memberships/{username}', operationId: 'orgs/get-membership-for-user',
    handler: (ctx) => {
      const org = orgOf(ctx);
      const login = ctx.params.username ?? '';
      const m = org.members.get(login.toLowerCase());
      if (!m || !seesPrivateMembers(ctx, org) && !m.public) throw notFound();
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
    method: 'GET', path: '/orgs/{org}/teams/{team_slug}', operationId: 'teams/get-by-name',
    handler: (ctx) => {
      const org = orgOf(ctx);
      const team = org.teams.get((ctx.params.team_slug ?? '').toLowerCase());
      if (!team || !seesPrivateMembers(ctx, org)) throw new HttpError(404, 'Not Found', { documentationUrl: 'https://docs.github.com/rest/teams/teams#get-a-team-by-name' });
      return json(200, shape.teamFull(ctx.urls, ctx.state, org, team));
    },
  },
  {
    method: 'GET', path: '/orgs/{org}/teams/{team_slug}/memberships/{username}', operationId: 'teams/get-membership-for-user-in-org',
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
    method: 'GET', path: '/orgs/{org}/teams/{team_slug}/members', operationId: 'teams/list-members-in-org',
    handler: (ctx) => {
      const org = orgOf(ctx);
      const team = org.teams.get((ctx.params.team_slug ?? '').toLowerCase());
      if (!team) throw notFound();
      const role = ctx.query.get('role') ?? 'all';
      const logins = [...team.members.entries()].filter(([, r]) => role === 'all' || r === role).map(([l]) => l).sort();
      return list(ctx, logins, (l) => shape.user(ctx.urls, ctx.state.user(l)));
    },
  },
  {
    method: 'GET', path: '/orgs/{org}/teams', operationId: 'teams/list',
    handler: (ctx) => {
      const org = orgOf(ctx);
      return list(ctx, [...org.teams.values()], (t) => shape.team(ctx.urls, org, t));
    },
  },
];
