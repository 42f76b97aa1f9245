/** Pull requests: listing, files, commits, reviews (with dismissal) and merging. */
import { HttpError, notFound, validationFailed } from '../errors.ts';
import { actingUser, bodyObject, intParam, json, list, noContent, repoOf, sortBy, type Ctx, type Route } from '../http.ts';
import * as shape from '../shapes.ts';
import type { Issue, Pull, Repo, ReviewState } from '../state.ts';

function pullOf(ctx: Ctx): { repo: Repo; issue: Issue; pull: Pull } {
  const repo = repoOf(ctx);
  const issue = repo.issues.get(intParam(ctx, 'pull_number'));
  if (!issue?.pull) throw notFound();
  return { repo, issue, pull: issue.pull };
}

const EVENTS: Record<string, Exclude<ReviewState, 'DISMISSED'>> = {
  APPROVE: 'APPROVED',
  REQUEST_CHANGES: 'CHANGES_REQUESTED',
  COMMENT: 'COMMENTED',
};

export const pullRoutes: Route[] = [
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/pulls',
    operationId: 'pulls/list',
    handler: (ctx) => {
      const repo = repoOf(ctx);
      const state = ctx.query.get('state') ?? 'open';
      const head = ctx.query.get('head');
      const base = ctx.query.get('base');
      const sort = ctx.query.get('sort') ?? 'created';
      // GitHub: descending by default for `created`, ascending for the other sorts.
      const direction = (ctx.query.get('direction') ?? (sort === 'created' ? 'desc' : 'asc')) as 'asc' | 'desc';
      const pulls = [...repo.issues.values()].filter(
        (i) =>
          i.pull &&
          (state === 'all' || i.state === state) &&
          (!base || i.pull.baseRef === base) &&
          (!head || `${repo.owner.login}:${i.pull.headRef}`.toLowerCase() === head.toLowerCase()),
      );
      const key = (i: Issue): string | number => (sort === 'updated' ? i.updatedAt : sort === 'popularity' ? i.comments.length : i.createdAt);
      // Ties on the second-precision timestamps fall back to the number, so order is stable.
      const ordered = sortBy(
        sortBy(pulls, (i) => i.number, direction),
        key,
        direction,
      );
      return list(ctx, ordered, (i) => shape.pull(ctx.urls, ctx.state, repo, i, false));
    },
  },
  {
    method: 'POST',
    path: '/repos/{owner}/{repo}/pulls',
    operationId: 'pulls/create',
    handler: (ctx) => {
      const repo = repoOf(ctx);
      const b = bodyObject(ctx);
      if (typeof b.title !== 'string' || !b.title) throw validationFailed({ resource: 'PullRequest', field: 'title', code: 'missing_field' });
      if (typeof b.head !== 'string' || typeof b.base !== 'string')
        throw validationFailed({ resource: 'PullRequest', field: typeof b.head !== 'string' ? 'head' : 'base', code: 'missing_field' });
      const issue = ctx.state.createPull(repo, {
        head: b.head,
        base: b.base,
        title: b.title,
        body: typeof b.body === 'string' ? b.body : null,
        user: actingUser(ctx),
        draft: b.draft === true,
      });
      return json(201, shape.pull(ctx.urls, ctx.state, repo, issue, true), { location: `${ctx.urls.api}/repos/${repo.fullName}/pulls/${issue.number}` });
    },
  },
  {
    // The pull requests a commit belongs to: merged as it (its merge commit), or whose head it is.
    method: 'GET',
    path: '/repos/{owner}/{repo}/commits/{commit_sha}/pulls',
    operationId: 'repos/list-pull-requests-associated-with-commit',
    handler: (ctx) => {
      const repo = repoOf(ctx);
      const sha = ctx.state.resolve(repo, ctx.params.commit_sha ?? '');
      if (!sha) throw new HttpError(422, `No commit found for SHA: ${ctx.params.commit_sha}`);
      const pulls = [...repo.issues.values()].filter((i) => i.pull && (i.pull.mergeCommitSha === sha || i.pull.headSha === sha));
      return list(
        ctx,
        sortBy(pulls, (i) => i.number, 'desc'),
        (i) => shape.pull(ctx.urls, ctx.state, repo, i, false),
      );
    },
  },
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/pulls/{pull_number}',
    operationId: 'pulls/get',
    handler: (ctx) => {
      const { repo, issue } = pullOf(ctx);
      return json(200, shape.pull(ctx.urls, ctx.state, repo, issue, true));
    },
  },
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/pulls/{pull_number}/files',
    operationId: 'pulls/list-files',
    handler: (ctx) => {
      const { repo, issue, pull } = pullOf(ctx);
      // GitHub lists at most 3000 files for a pull request.
      const files = ctx.state.pullFiles(repo, issue).slice(0, 3000);
      const api = `${ctx.urls.api}/repos/${repo.fullName}`;
      return list(ctx, files, (f) => ({
        sha: f.sha,
        filename: f.filename,
        status: f.status,
        additions: f.additions,
        deletions: f.deletions,
        changes: f.additions + f.deletions,
        blob_url: `${ctx.urls.web}/${repo.fullName}/blob/${pull.headSha}/${f.filename}`,
        raw_url: `${ctx.urls.web}/${repo.fullName}/raw/${pull.headSha}/${f.filename}`,
        contents_url: `${api}/contents/${f.filename}?ref=${pull.headSha}`,
        ...(f.previous_filename ? { previous_filename: f.previous_filename } : {}),
      }));
    },
  },
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/pulls/{pull_number}/commits',
    operationId: 'pulls/list-commits',
    handler: (ctx) => {
      const { repo, issue } = pullOf(ctx);
      // GitHub lists at most 250 commits for a pull request.
      return list(ctx, ctx.state.pullCommits(repo, issue).slice(0, 250), (sha) => shape.commit(ctx.urls, ctx.state, repo, sha));
    },
  },
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/pulls/{pull_number}/reviews',
    operationId: 'pulls/list-reviews',
    handler: (ctx) => {
      const { repo, issue, pull } = pullOf(ctx);
      const viewer = ctx.actor.kind === 'user' ? ctx.actor.user.id : ctx.actor.kind === 'installation' ? ctx.actor.installation.app.bot.id : -1;
      // A pending review is visible only to its author.
      const reviews = pull.reviews.filter((r) => r.state !== 'PENDING' || r.user.id === viewer);
      return list(ctx, reviews, (r) => shape.review(ctx.urls, ctx.state, repo, issue.number, r));
    },
  },
  {
    method: 'POST',
    path: '/repos/{owner}/{repo}/pulls/{pull_number}/reviews',
    operationId: 'pulls/create-review',
    handler: (ctx) => {
      const { repo, issue } = pullOf(ctx);
      const b = bodyObject(ctx);
      const event = typeof b.event === 'string' ? b.event : undefined;
      const state = event === undefined ? 'PENDING' : EVENTS[event];
      if (!state) throw validationFailed({ resource: 'PullRequestReview', field: 'event', code: 'invalid' });
      const review = ctx.state.submitReview(repo.fullName, issue.number, {
        user: actingUser(ctx).login,
        state,
        ...(typeof b.body === 'string' ? { body: b.body } : {}),
        ...(typeof b.commit_id === 'string' ? { commitId: b.commit_id } : {}),
      });
      return json(200, shape.review(ctx.urls, ctx.state, repo, issue.number, review));
    },
  },
  {
    method: 'PUT',
    path: '/repos/{owner}/{repo}/pulls/{pull_number}/reviews/{review_id}/dismissals',
    operationId: 'pulls/dismiss-review',
    handler: (ctx) => {
      const { repo, issue } = pullOf(ctx);
      const b = bodyObject(ctx);
      if (typeof b.message !== 'string') throw validationFailed({ resource: 'PullRequestReview', field: 'message', code: 'missing_field' });
      const review = ctx.state.dismissReview(repo.fullName, issue.number, intParam(ctx, 'review_id'), b.message);
      return json(200, shape.review(ctx.urls, ctx.state, repo, issue.number, review));
    },
  },
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/pulls/{pull_number}/merge',
    operationId: 'pulls/check-if-merged',
    handler: (ctx) => {
      if (!pullOf(ctx).pull.merged) throw notFound();
      return noContent();
    },
  },
  {
    method: 'PUT',
    path: '/repos/{owner}/{repo}/pulls/{pull_number}/merge',
    operationId: 'pulls/merge',
    handler: (ctx) => {
      const { repo, issue } = pullOf(ctx);
      const b = bodyObject(ctx);
      const method = b.merge_method ?? 'merge';
      if (method !== 'merge' && method !== 'squash' && method !== 'rebase')
        throw validationFailed({ resource: 'PullRequest', field: 'merge_method', code: 'invalid' });
      const { sha } = ctx.state.mergePull(repo.fullName, issue.number, {
        by: actingUser(ctx).login,
        method,
        ...(typeof b.sha === 'string' ? { sha: b.sha } : {}),
        ...(typeof b.commit_title === 'string' ? { commitTitle: b.commit_title } : {}),
        ...(typeof b.commit_message === 'string' ? { commitMessage: b.commit_message } : {}),
      });
      return json(200, { sha, merged: true, message: 'Pull Request successfully merged' });
    },
  },
];
