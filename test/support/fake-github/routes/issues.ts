/** Issues (pull requests included, as on GitHub), comments, labels and assignability. */
import { HttpError, notFound, validationFailed } from '../errors.ts';
import { actingUser, bodyObject, intParam, json, list, noContent, repoOf, sortBy, type Ctx, type Route } from '../http.ts';
import * as shape from '../shapes.ts';
import type { Issue, Repo } from '../state.ts';

const DISABLED = 'Issues are disabled for this repo';

function issueOf(ctx: Ctx): { repo: Repo; issue: Issue } {
  const repo = repoOf(ctx);
  const issue = repo.issues.get(intParam(ctx, 'issue_number'));
  if (!issue) throw notFound();
  if (!issue.pull && !repo.hasIssues) throw new HttpError(410, DISABLED);
  return { repo, issue };
}

/** Label names from `["a"]` or `[{name: "a"}]`, the two forms GitHub accepts. */
function labelNames(raw: unknown): string[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) throw validationFailed({ resource: 'Issue', field: 'labels', code: 'invalid' });
  return raw.map((l) => {
    const name = typeof l === 'string' ? l : (l as { name?: unknown })?.name;
    if (typeof name !== 'string' || !name) throw validationFailed({ resource: 'Label', field: 'name', code: 'invalid' });
    return name;
  });
}

function assigneeLogins(b: Record<string, unknown>): string[] | undefined {
  if (Array.isArray(b.assignees)) return b.assignees.map(String);
  if (typeof b.assignee === 'string') return [b.assignee];
  if (b.assignee === null) return [];
  return undefined;
}

export const issueRoutes: Route[] = [
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/issues',
    operationId: 'issues/list-for-repo',
    handler: (ctx) => {
      const repo = repoOf(ctx);
      const q = ctx.query;
      const state = q.get('state') ?? 'open';
      const labels = (q.get('labels') ?? '')
        .split(',')
        .map((l) => l.trim().toLowerCase())
        .filter(Boolean);
      const creator = q.get('creator')?.toLowerCase();
      const assignee = q.get('assignee');
      const since = q.get('since');
      const sort = q.get('sort') ?? 'created';
      const direction = (q.get('direction') ?? 'desc') as 'asc' | 'desc';
      const issues = [...repo.issues.values()].filter(
        (i) =>
          (state === 'all' || i.state === state) &&
          labels.every((l) => i.labels.some((x) => x.toLowerCase() === l)) &&
          (!creator || i.user.login.toLowerCase() === creator) &&
          (!assignee ||
            (assignee === 'none'
              ? i.assignees.length === 0
              : assignee === '*'
                ? i.assignees.length > 0
                : i.assignees.some((a) => a.toLowerCase() === assignee.toLowerCase()))) &&
          (!since || i.updatedAt >= since),
      );
      const key = (i: Issue): string | number => (sort === 'updated' ? i.updatedAt : sort === 'comments' ? i.comments.length : i.createdAt);
      const ordered = sortBy(
        sortBy(issues, (i) => i.number, direction),
        key,
        direction,
      );
      return list(ctx, ordered, (i) => shape.issue(ctx.urls, ctx.state, repo, i));
    },
  },
  {
    method: 'POST',
    path: '/repos/{owner}/{repo}/issues',
    operationId: 'issues/create',
    handler: (ctx) => {
      const repo = repoOf(ctx);
      if (!repo.hasIssues) throw new HttpError(410, DISABLED);
      const b = bodyObject(ctx);
      const title = typeof b.title === 'string' || typeof b.title === 'number' ? String(b.title) : '';
      const issue = ctx.state.createIssue(repo.fullName, {
        author: actingUser(ctx).login,
        title,
        body: typeof b.body === 'string' ? b.body : null,
        labels: labelNames(b.labels),
        assignees: assigneeLogins(b) ?? [],
      });
      return json(201, shape.issue(ctx.urls, ctx.state, repo, issue), { location: `${ctx.urls.api}/repos/${repo.fullName}/issues/${issue.number}` });
    },
  },
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/issues/{issue_number}',
    operationId: 'issues/get',
    handler: (ctx) => {
      const { repo, issue } = issueOf(ctx);
      return json(200, shape.issue(ctx.urls, ctx.state, repo, issue));
    },
  },
  {
    method: 'PATCH',
    path: '/repos/{owner}/{repo}/issues/{issue_number}',
    operationId: 'issues/update',
    handler: (ctx) => {
      const { repo, issue } = issueOf(ctx);
      const b = bodyObject(ctx);
      const s = ctx.state;
      if (typeof b.title === 'string') issue.title = b.title;
      if (typeof b.body === 'string' || b.body === null) issue.body = b.body as string | null;
      if (b.labels !== undefined) issue.labels = labelNames(b.labels).map((l) => s.ensureLabel(repo, l).name);
      const assignees = assigneeLogins(b);
      if (assignees) {
        // GitHub drops assignees who cannot be assigned rather than failing the update.
        issue.assignees = assignees.filter((a) => s.isAssignable(repo, a)).map((a) => s.user(a).login);
      }
      const reason = b.state_reason;
      if (reason !== undefined && reason !== null && reason !== 'completed' && reason !== 'not_planned' && reason !== 'reopened') {
        throw validationFailed({ resource: 'Issue', field: 'state_reason', code: 'invalid' });
      }
      if (b.state === 'closed' && issue.state === 'open') {
        s.closeIssue(issue, actingUser(ctx), (reason as Issue['stateReason']) ?? 'completed');
      } else if (b.state === 'open' && issue.state === 'closed') {
        if (issue.pull?.merged)
          throw validationFailed({ resource: 'PullRequest', code: 'custom', message: 'state cannot be changed. The pull request cannot be reopened.' });
        issue.state = 'open';
        issue.stateReason = issue.pull ? null : 'reopened';
        issue.closedAt = null;
        issue.closedBy = null;
      } else if (b.state !== undefined && b.state !== 'open' && b.state !== 'closed') {
        throw validationFailed({ resource: 'Issue', field: 'state', code: 'invalid' });
      } else if (issue.state === 'closed' && typeof reason === 'string' && !issue.pull) {
        issue.stateReason = reason as Issue['stateReason'];
      }
      issue.updatedAt = s.timestamp();
      return json(200, shape.issue(ctx.urls, s, repo, issue));
    },
  },
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/issues/{issue_number}/comments',
    operationId: 'issues/list-comments',
    handler: (ctx) => {
      const { repo, issue } = issueOf(ctx);
      const since = ctx.query.get('since');
      return list(
        ctx,
        issue.comments.filter((c) => !since || c.updatedAt >= since),
        (c) => shape.comment(ctx.urls, ctx.state, repo, c),
      );
    },
  },
  {
    method: 'POST',
    path: '/repos/{owner}/{repo}/issues/{issue_number}/comments',
    operationId: 'issues/create-comment',
    handler: (ctx) => {
      const { repo, issue } = issueOf(ctx);
      const b = bodyObject(ctx);
      if (typeof b.body !== 'string' || !b.body) throw validationFailed({ resource: 'IssueComment', field: 'body', code: 'missing_field' });
      const c = ctx.state.addComment(repo.fullName, issue.number, { user: actingUser(ctx).login, body: b.body });
      return json(201, shape.comment(ctx.urls, ctx.state, repo, c), { location: `${ctx.urls.api}/repos/${repo.fullName}/issues/comments/${c.id}` });
    },
  },
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/issues/comments/{comment_id}',
    operationId: 'issues/get-comment',
    handler: (ctx) => {
      const repo = repoOf(ctx);
      const c = ctx.state.findComment(repo, intParam(ctx, 'comment_id'));
      if (!c) throw notFound();
      return json(200, shape.comment(ctx.urls, ctx.state, repo, c));
    },
  },
  {
    method: 'DELETE',
    path: '/repos/{owner}/{repo}/issues/comments/{comment_id}',
    operationId: 'issues/delete-comment',
    handler: (ctx) => {
      if (!ctx.state.deleteComment(repoOf(ctx), intParam(ctx, 'comment_id'))) throw notFound();
      return noContent();
    },
  },
  {
    method: 'PATCH',
    path: '/repos/{owner}/{repo}/issues/comments/{comment_id}',
    operationId: 'issues/update-comment',
    handler: (ctx) => {
      const repo = repoOf(ctx);
      const c = ctx.state.findComment(repo, intParam(ctx, 'comment_id'));
      if (!c) throw notFound();
      const b = bodyObject(ctx);
      if (typeof b.body !== 'string' || !b.body) throw validationFailed({ resource: 'IssueComment', field: 'body', code: 'missing_field' });
      c.body = b.body;
      c.updatedAt = ctx.state.timestamp();
      return json(200, shape.comment(ctx.urls, ctx.state, repo, c));
    },
  },
  {
    method: 'POST',
    path: '/repos/{owner}/{repo}/issues/{issue_number}/labels',
    operationId: 'issues/add-labels',
    handler: (ctx) => {
      const { repo, issue } = issueOf(ctx);
      const raw = Array.isArray(ctx.body) ? ctx.body : bodyObject(ctx).labels;
      for (const name of labelNames(raw)) {
        const l = ctx.state.ensureLabel(repo, name);
        if (!issue.labels.some((x) => x.toLowerCase() === l.name.toLowerCase())) issue.labels.push(l.name);
      }
      issue.updatedAt = ctx.state.timestamp();
      return json(
        200,
        issue.labels.map((n) => shape.label(ctx.urls, repo, ctx.state.ensureLabel(repo, n))),
      );
    },
  },
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/labels',
    operationId: 'issues/list-labels-for-repo',
    handler: (ctx) => {
      const repo = repoOf(ctx);
      return list(ctx, [...repo.labels.values()], (l) => shape.label(ctx.urls, repo, l));
    },
  },
  {
    method: 'POST',
    path: '/repos/{owner}/{repo}/labels',
    operationId: 'issues/create-label',
    handler: (ctx) => {
      const repo = repoOf(ctx);
      const b = bodyObject(ctx);
      if (typeof b.name !== 'string' || !b.name) throw validationFailed({ resource: 'Label', field: 'name', code: 'missing_field' });
      const color = typeof b.color === 'string' ? b.color.replace(/^#/, '') : undefined;
      if (color !== undefined && !/^[0-9a-fA-F]{6}$/.test(color)) throw validationFailed({ resource: 'Label', field: 'color', code: 'invalid' });
      const l = ctx.state.createLabel(repo.fullName, b.name, {
        ...(color ? { color } : {}),
        ...(typeof b.description === 'string' ? { description: b.description } : {}),
      });
      return json(201, shape.label(ctx.urls, repo, l));
    },
  },
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/assignees/{assignee}',
    operationId: 'issues/check-user-can-be-assigned',
    handler: (ctx) => {
      if (!ctx.state.isAssignable(repoOf(ctx), ctx.params.assignee ?? '')) throw notFound();
      return noContent();
    },
  },
];
