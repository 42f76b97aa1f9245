/**
 * Workflow runs (the `provisioned` evidence reads them), check runs and commit statuses (the
 * gate's verdict), and the rate-limit overview.
 */
import { HttpError, notFound } from '../errors.ts';
import { actingApp, actingUser, bodyObject, intParam, json, list, paginate, repoOf, requireWrite, sortBy, type Ctx, type Route } from '../http.ts';
import type { Repo } from '../state.ts';
import { requireAdmin } from './protection.ts';
import * as shape from '../shapes.ts';

export const actionsRoutes: Route[] = [
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/actions/runs',
    operationId: 'actions/list-workflow-runs-for-repo',
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
    method: 'GET',
    path: '/repos/{owner}/{repo}/actions/runs/{run_id}',
    operationId: 'actions/get-workflow-run',
    handler: (ctx) => {
      const repo = repoOf(ctx);
      const run = repo.runs.find((r) => r.id === intParam(ctx, 'run_id'));
      if (!run) throw notFound();
      return json(200, shape.workflowRun(ctx.urls, ctx.state, repo, run));
    },
  },
  {
    // Settings → Actions → General → Workflow permissions: a repository admin, or an App with Administration: read.
    method: 'GET',
    path: '/repos/{owner}/{repo}/actions/permissions/workflow',
    operationId: 'actions/get-github-actions-default-workflow-permissions-repository',
    handler: (ctx) => {
      const repo = repoOf(ctx);
      requireAdmin(ctx, repo);
      const p = repo.workflowPermissions;
      return json(200, { default_workflow_permissions: p.defaultWorkflowPermissions, can_approve_pull_request_reviews: p.canApprovePullRequestReviews });
    },
  },
];

export const checkRoutes: Route[] = [
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/commits/{ref}/check-runs',
    operationId: 'checks/list-for-ref',
    handler: (ctx) => {
      const repo = repoOf(ctx);
      const sha = ctx.state.resolve(repo, ctx.params.ref ?? '');
      if (!sha) throw new HttpError(422, `No commit found for SHA: ${ctx.params.ref}`);
      const q = ctx.query;
      let runs = sortBy(repo.checkRuns, (c) => c.id, 'desc').filter(
        (c) =>
          c.headSha === sha &&
          (!q.get('check_name') || c.name === q.get('check_name')) &&
          (!q.get('status') || c.status === q.get('status')) &&
          (!q.get('app_id') || String(c.app.id) === q.get('app_id')),
      );
      // `filter=latest` (the default) keeps the most recent run of each name.
      if ((q.get('filter') ?? 'latest') === 'latest') runs = runs.filter((c, i) => runs.findIndex((x) => x.name === c.name && x.app === c.app) === i);
      const page = paginate(ctx, runs);
      return json(200, { total_count: runs.length, check_runs: page.items.map((c) => shape.checkRun(ctx.urls, ctx.state, repo, c)) }, page.headers);
    },
  },
];

/** The commit a `{ref}` names (a SHA, branch or tag), or GitHub's 422. */
function commitOfRef(ctx: Ctx, repo: Repo): string {
  const sha = ctx.state.resolve(repo, ctx.params.ref ?? '');
  if (!sha) throw new HttpError(422, `No commit found for SHA: ${ctx.params.ref}`);
  return sha;
}

function optionalString(body: Record<string, unknown>, key: string): string | null | undefined {
  const v = body[key];
  if (v === undefined || v === null) return v as null | undefined;
  if (typeof v !== 'string') throw new HttpError(422, `Invalid request.\n\nFor '${key}', ${JSON.stringify(v)} is not a string.`);
  return v;
}

export const statusRoutes: Route[] = [
  {
    method: 'POST',
    path: '/repos/{owner}/{repo}/statuses/{sha}',
    operationId: 'repos/create-commit-status',
    handler: (ctx) => {
      const repo = repoOf(ctx);
      requireWrite(ctx, repo, 'statuses');
      const body = bodyObject(ctx);
      if (typeof body.state !== 'string') throw new HttpError(422, 'Invalid request.\n\n"state" wasn\'t supplied.');
      const created = ctx.state.createStatus(repo.fullName, {
        sha: ctx.params.sha ?? '',
        state: body.state,
        context: optionalString(body, 'context'),
        description: optionalString(body, 'description'),
        targetUrl: optionalString(body, 'target_url'),
        creator: actingUser(ctx).login,
        app: actingApp(ctx),
      });
      return json(201, shape.status(ctx.urls, repo, created));
    },
  },
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/commits/{ref}/statuses',
    operationId: 'repos/list-commit-statuses-for-ref',
    handler: (ctx) => {
      const repo = repoOf(ctx);
      return list(ctx, ctx.state.statusesOf(repo, commitOfRef(ctx, repo)), (x) => shape.status(ctx.urls, repo, x));
    },
  },
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/commits/{ref}/status',
    operationId: 'repos/get-combined-status-for-ref',
    handler: (ctx) => {
      const repo = repoOf(ctx);
      const sha = commitOfRef(ctx, repo);
      const combined = ctx.state.combinedStatus(repo, sha);
      // Pages through the contexts (per_page up to 100); `state` and `total_count` are of them all.
      const page = paginate(ctx, combined.latest);
      return json(200, shape.combinedStatus(ctx.urls, ctx.state, repo, sha, combined.state, page.items, combined.latest.length), page.headers);
    },
  },
];

export const metaRoutes: Route[] = [
  {
    // Reading the overview does not count against the limit on GitHub; the server skips counting it.
    method: 'GET',
    path: '/rate_limit',
    operationId: 'rate-limit/get',
    auth: 'any',
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
