/** Workflow runs (the `provisioned` evidence reads them) and the rate-limit overview. */
import { notFound } from '../errors.ts';
import { intParam, json, paginate, repoOf, sortBy, type Route } from '../http.ts';
import * as shape from '../shapes.ts';

export const actionsRoutes: Route[] = [
  {
    method: 'GET', path: '/repos/{owner}/{repo}/actions/runs', operationId: 'actions/list-workflow-runs-for-repo',
    handler: (ctx) => {
      const repo = repoOf(ctx);
      const q = ctx.query;
      const runs = sortBy(repo.runs, (r) => r.id, 'desc').filter(
        (r) =>
          (!q.get('head_sha') || r.headSha === q.get('head_sha')) &&
          (!q.get('branch') || r.headBranch === q.get('branch')) &&
          (!q.get('event') || r.event === q.get('event')) &&
          (!q.get('actor') || r.actor.login.toLowerCase() === q.get('actor')?.toLowerCase()) &&
          (!q.get('status') || r.status === q.get('status') || r.conclusion === q.get('status')),
      );
      const page = paginate(ctx, runs);
      return json(200, { total_count: runs.length, workflow_runs: page.items.map((r) => shape.workflowRun(ctx.urls, ctx.state, repo, r)) }, page.headers);
    },
  },
  {
    method: 'GET', path: '/repos/{owner}/{repo}/actions/runs/{run_id}', operationId: 'actions/get-workflow-run',
    handler: (ctx) => {
      const repo = repoOf(ctx);
      const run = repo.runs.find((r) => r.id === intParam(ctx, 'run_id'));
      if (!run) throw notFound();
      return json(200, shape.workflowRun(ctx.urls, ctx.state, repo, run));
    },
  },
];

export const metaRoutes: Route[] = [
  {
    // Reading the overview does not count against the limit on GitHub; the server skips counting it.
    method: 'GET', path: '/rate_limit', operationId: 'rate-limit/get', auth: 'any',
    handler: (ctx) => {
      const core = { limit: ctx.quota.limit, used: ctx.quota.used, remaining: ctx.quota.remaining, reset: ctx.quota.reset };
      const other = (limit: number) => ({ limit, used: 0, remaining: limit, reset: ctx.quota.reset });
      return json(200, {
        resources: {
          core,
          graphql: other(5000),
          search: other(30),
          code_search: other(10),
          integration_manifest: other(5000),
          source_import: other(100),
        },
        rate: core,
      });
    },
  },
];
