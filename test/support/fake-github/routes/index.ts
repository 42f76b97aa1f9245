/**
 * The route table: every REST route the fake serves, with GitHub's path template and the
 * operationId of the matching operation in @octokit/openapi. The contract test walks this table,
 * so a route added here without a contract check fails the suite.
 */
import { compile, type CompiledRoute, type Route } from '../http.ts';
import { actionsRoutes, checkRoutes, metaRoutes, statusRoutes } from './actions.ts';
import { appRoutes } from './apps.ts';
import { gitRoutes } from './git.ts';
import { issueRoutes } from './issues.ts';
import { orgRoutes } from './orgs.ts';
import { protectionRoutes } from './protection.ts';
import { pullRoutes } from './pulls.ts';
import { repoRoutes } from './repos.ts';

export const routes: readonly Route[] = [
  ...appRoutes,
  ...repoRoutes,
  ...protectionRoutes,
  ...gitRoutes,
  ...pullRoutes,
  ...issueRoutes,
  ...orgRoutes,
  ...actionsRoutes,
  ...checkRoutes,
  ...statusRoutes,
  ...metaRoutes,
];

export const compiledRoutes: readonly CompiledRoute[] = routes.map(compile);

/** The table without handlers, for tests and reports. */
export function routeTable(): Array<{ method: string; path: string; operationId: string }> {
  return routes.map(({ method, path, operationId }) => ({ method, path, operationId }));
}
