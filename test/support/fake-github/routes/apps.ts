/**
 * GitHub App endpoints: the App (JWT) lists installations and mints installation tokens; an
 * installation token lists the repositories it covers.
 */
import { HttpError, notFound } from '../errors.ts';
import { json, list, paginate, repoOf, type Ctx, type Route } from '../http.ts';
import type { User } from '../state.ts';
import * as shape from '../shapes.ts';
import { iso } from '../state.ts';

/** The user behind a person's token; installation tokens and the App are refused, as on GitHub. */
function userActor(ctx: Ctx): User {
  if (ctx.actor.kind === 'user') return ctx.actor.user;
  throw new HttpError(403, 'You must authenticate with an access token authorized to a GitHub App in order to list installations');
}

export const appRoutes: Route[] = [
  {
    method: 'GET',
    path: '/app',
    operationId: 'apps/get-authenticated',
    auth: 'jwt',
    handler: (ctx) => json(200, shape.integration(ctx.urls, ctx.state)),
  },
  {
    method: 'GET',
    path: '/app/installations',
    operationId: 'apps/list-installations',
    auth: 'jwt',
    handler: (ctx) => list(ctx, ctx.state.installationsOf(), (i) => shape.installation(ctx.urls, ctx.state, i)),
  },
  {
    method: 'GET',
    path: '/app/installations/{installation_id}',
    operationId: 'apps/get-installation',
    auth: 'jwt',
    handler: (ctx) => {
      const i = ctx.state.installations.get(Number(ctx.params.installation_id));
      if (!i || i.app !== ctx.state.app) throw notFound();
      return json(200, shape.installation(ctx.urls, ctx.state, i));
    },
  },
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/installation',
    operationId: 'apps/get-repo-installation',
    auth: 'jwt',
    handler: (ctx) => {
      const repo = repoOf(ctx);
      const i = ctx.state.installationsOf().find((x) => ctx.state.installationCovers(x, repo));
      if (!i) throw notFound();
      return json(200, shape.installation(ctx.urls, ctx.state, i));
    },
  },
  {
    // Only an installation token may ask (a user token is refused, a JWT is refused by the auth layer).
    // The body wraps the page in `{total_count, repository_selection, repositories}`; Link headers page it.
    method: 'GET',
    path: '/installation/repositories',
    operationId: 'apps/list-repos-accessible-to-installation',
    handler: (ctx) => {
      const actor = ctx.actor;
      if (actor.kind !== 'installation') {
        throw new HttpError(403, 'You must authenticate with an installation access token in order to list repositories for an installation.', {
          documentationUrl: 'https://docs.github.com/rest/apps/installations#list-repositories-accessible-to-the-app-installation',
        });
      }
      const all = ctx.state.installationRepos(actor.installation);
      const page = paginate(ctx, all);
      return json(
        200,
        {
          total_count: all.length,
          repository_selection: actor.installation.repositorySelection,
          repositories: page.items.map((r) => shape.repository(ctx.urls, ctx.state, r)),
        },
        page.headers,
      );
    },
  },
  {
    // A person's token: the installations on their own account and on organizations they belong to.
    method: 'GET',
    path: '/user/installations',
    operationId: 'apps/list-installations-for-authenticated-user',
    handler: (ctx) => {
      const me = userActor(ctx);
      const mine = [...ctx.state.installations.values()].filter((i) => i.account.id === me.id || ctx.state.isOrgMember(i.account.login, me.login));
      const page = paginate(ctx, mine);
      return json(200, { total_count: mine.length, installations: page.items.map((i) => shape.installation(ctx.urls, ctx.state, i)) }, page.headers);
    },
  },
  {
    method: 'GET',
    path: '/user/installations/{installation_id}/repositories',
    operationId: 'apps/list-installation-repos-for-authenticated-user',
    handler: (ctx) => {
      const me = userActor(ctx);
      const inst = ctx.state.installations.get(Number(ctx.params.installation_id));
      if (!inst || !(inst.account.id === me.id || ctx.state.isOrgMember(inst.account.login, me.login))) throw notFound();
      const repos = ctx.state.installationRepos(inst).filter((r) => ctx.state.roleOf(r, me.login) !== null);
      const page = paginate(ctx, repos);
      return json(
        200,
        {
          total_count: repos.length,
          repository_selection: inst.repositorySelection,
          repositories: page.items.map((r) => shape.repository(ctx.urls, ctx.state, r)),
        },
        page.headers,
      );
    },
  },
  {
    method: 'POST',
    path: '/app/installations/{installation_id}/access_tokens',
    operationId: 'apps/create-installation-access-token',
    auth: 'jwt',
    handler: (ctx) => {
      const id = Number(ctx.params.installation_id);
      if (ctx.state.installations.get(id)?.app !== ctx.state.app) throw new HttpError(404, 'Not Found');
      const { token, expiresAt } = ctx.credentials.issueInstallationToken(id);
      const inst = ctx.state.installations.get(id);
      return json(201, {
        token,
        expires_at: iso(expiresAt),
        permissions: inst?.permissions ?? shape.APP_PERMISSIONS,
        repository_selection: inst?.repositorySelection ?? 'all',
      });
    },
  },
];
