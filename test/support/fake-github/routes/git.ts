/**
 * The Git Data API: refs (with GitHub's compare-and-swap semantics on update), blobs, trees and
 * commits. This is what the evidence ledger writes through, so refusal messages match GitHub's.
 */
import { GitInputError, VALID_MODES, type Person, type TreeChange } from '../git.ts';
import { HttpError, notFound } from '../errors.ts';
import { actingUser, bodyObject, json, list, noContent, repoOf, type Ctx, type Route } from '../http.ts';
import * as shape from '../shapes.ts';
import { iso, type Repo } from '../state.ts';
import { base64Wrapped } from './repos.ts';

const BAD_OBJECT = 'GitRPC::BadObjectState';

function refsWithPrefix(repo: Repo, prefix: string): Array<[string, string]> {
  return [...repo.refs.entries()].filter(([name]) => name.startsWith(prefix)).sort(([a], [b]) => (a < b ? -1 : 1));
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function person(ctx: Ctx, raw: unknown, fallback: Person): Person {
  if (raw === undefined || raw === null) return fallback;
  const o = raw as Record<string, unknown>;
  const name = str(o.name);
  const email = str(o.email);
  if (!name || !email) throw new HttpError(422, 'Invalid request.\n\n"name" and "email" are required for author and committer.');
  const date = str(o.date);
  if (date !== undefined && Number.isNaN(Date.parse(date))) throw new HttpError(422, 'Invalid date');
  return { name, email, date: date ? iso(new Date(date)) : ctx.state.timestamp() };
}

function treeResponse(ctx: Ctx, repo: Repo, sha: string, recursive: boolean): Record<string, unknown> {
  const api = `${ctx.urls.api}/repos/${repo.fullName}/git`;
  const all = repo.git.listTree(sha, recursive);
  const truncated = all.length > ctx.state.treeEntryLimit;
  const entries = all.slice(0, ctx.state.treeEntryLimit).map((e) => ({
    path: e.path,
    mode: e.mode,
    type: e.type,
    sha: e.sha,
    ...(e.size !== undefined ? { size: e.size } : {}),
    url: `${api}/${e.type === 'tree' ? 'trees' : 'blobs'}/${e.sha}`,
  }));
  return { sha, url: `${api}/trees/${sha}`, tree: entries, truncated };
}

export const gitRoutes: Route[] = [
  // The unfiltered listing predates `matching-refs` and shares its response schema.
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/git/refs',
    operationId: 'git/list-matching-refs',
    handler: (ctx) => {
      const repo = repoOf(ctx);
      return list(ctx, refsWithPrefix(repo, 'refs/'), ([ref, sha]) => shape.gitRef(ctx.urls, repo, ref, sha));
    },
  },
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/git/matching-refs/{ref}',
    operationId: 'git/list-matching-refs',
    handler: (ctx) => {
      const repo = repoOf(ctx);
      return json(
        200,
        refsWithPrefix(repo, `refs/${ctx.params.ref}`).map(([ref, sha]) => shape.gitRef(ctx.urls, repo, ref, sha)),
      );
    },
  },
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/git/ref/{ref}',
    operationId: 'git/get-ref',
    handler: (ctx) => {
      const repo = repoOf(ctx);
      const ref = `refs/${ctx.params.ref}`;
      const sha = repo.refs.get(ref);
      if (!sha) throw notFound();
      return json(200, shape.gitRef(ctx.urls, repo, ref, sha));
    },
  },
  {
    method: 'POST',
    path: '/repos/{owner}/{repo}/git/refs',
    operationId: 'git/create-ref',
    handler: (ctx) => {
      const repo = repoOf(ctx);
      const b = bodyObject(ctx);
      const ref = str(b.ref);
      const sha = str(b.sha);
      if (!ref || !/^refs\/[^/]+\/.+/.test(ref)) throw new HttpError(422, "Reference name must start with 'refs/' and have at least two slashes.");
      if (!sha) throw new HttpError(422, 'Invalid request.\n\n"sha" wasn\'t supplied.');
      ctx.state.setRef(repo, ref, sha, { create: true });
      return json(201, shape.gitRef(ctx.urls, repo, ref, sha), { location: `${ctx.urls.api}/repos/${repo.fullName}/git/${ref}` });
    },
  },
  {
    method: 'PATCH',
    path: '/repos/{owner}/{repo}/git/refs/{ref}',
    operationId: 'git/update-ref',
    handler: (ctx) => {
      const repo = repoOf(ctx);
      const b = bodyObject(ctx);
      const sha = str(b.sha);
      if (!sha) throw new HttpError(422, 'Invalid request.\n\n"sha" wasn\'t supplied.');
      const ref = `refs/${ctx.params.ref}`;
      ctx.state.setRef(repo, ref, sha, { force: b.force === true });
      return json(200, shape.gitRef(ctx.urls, repo, ref, sha));
    },
  },
  {
    method: 'DELETE',
    path: '/repos/{owner}/{repo}/git/refs/{ref}',
    operationId: 'git/delete-ref',
    handler: (ctx) => {
      ctx.state.setRef(repoOf(ctx), `refs/${ctx.params.ref}`, null);
      return noContent();
    },
  },
  {
    method: 'POST',
    path: '/repos/{owner}/{repo}/git/blobs',
    operationId: 'git/create-blob',
    handler: (ctx) => {
      const repo = repoOf(ctx);
      const b = bodyObject(ctx);
      const content = str(b.content);
      if (content === undefined) throw new HttpError(422, 'Invalid request.\n\n"content" wasn\'t supplied.');
      const encoding = str(b.encoding) ?? 'utf-8';
      if (encoding !== 'utf-8' && encoding !== 'utf8' && encoding !== 'base64') throw new HttpError(422, `encoding must be utf-8 or base64`);
      const sha = repo.git.writeBlob(Buffer.from(content, encoding === 'base64' ? 'base64' : 'utf8'));
      const url = `${ctx.urls.api}/repos/${repo.fullName}/git/blobs/${sha}`;
      return json(201, { sha, url }, { location: url });
    },
  },
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/git/blobs/{file_sha}',
    operationId: 'git/get-blob',
    handler: (ctx) => {
      const repo = repoOf(ctx);
      const sha = (ctx.params.file_sha ?? '').toLowerCase();
      const blob = repo.git.blob(sha);
      if (!blob) throw notFound();
      if (/application\/vnd\.github(\.v3)?\.raw/.test(String(ctx.headers.accept ?? ''))) {
        return { status: 200, raw: blob.content, headers: { 'content-type': 'text/plain; charset=utf-8' } };
      }
      return json(200, {
        sha,
        node_id: Buffer.from(`0:Blob${sha}`).toString('base64'),
        size: blob.content.length,
        url: `${ctx.urls.api}/repos/${repo.fullName}/git/blobs/${sha}`,
        content: base64Wrapped(blob.content),
        encoding: 'base64',
      });
    },
  },
  {
    method: 'POST',
    path: '/repos/{owner}/{repo}/git/trees',
    operationId: 'git/create-tree',
    handler: (ctx) => {
      const repo = repoOf(ctx);
      const b = bodyObject(ctx);
      if (!Array.isArray(b.tree)) throw new HttpError(422, 'Invalid request.\n\n"tree" wasn\'t supplied.');
      const baseTree = str(b.base_tree);
      if (baseTree !== undefined && !repo.git.tree(baseTree)) throw new HttpError(422, 'Invalid tree info');
      const changes: TreeChange[] = (b.tree as unknown[]).map((raw) => {
        const e = raw as Record<string, unknown>;
        const path = str(e.path);
        const mode = str(e.mode);
        const type = str(e.type);
        if (!path || !mode || !VALID_MODES.has(mode)) throw new HttpError(422, 'Invalid tree info');
        if (type !== 'blob' && type !== 'tree' && type !== 'commit') throw new HttpError(422, 'Invalid tree info');
        if (e.content !== undefined && e.sha !== undefined) throw new HttpError(422, 'Invalid tree info');
        if (e.content !== undefined) {
          if (type !== 'blob' || typeof e.content !== 'string') throw new HttpError(422, 'Invalid tree info');
          return { path, mode, type, sha: repo.git.writeBlob(e.content) };
        }
        if (e.sha === null) return { path, mode, type, sha: null };
        const sha = str(e.sha);
        if (!sha) throw new HttpError(422, 'Invalid tree info');
        const obj = repo.git.get(sha);
        if (type !== 'commit' && obj?.type !== type) throw new HttpError(422, BAD_OBJECT);
        return { path, mode, type, sha };
      });
      try {
        const sha = repo.git.updateTree(baseTree, changes);
        return json(201, treeResponse(ctx, repo, sha, false), { location: `${ctx.urls.api}/repos/${repo.fullName}/git/trees/${sha}` });
      } catch (err) {
        if (err instanceof GitInputError) throw new HttpError(422, err.message);
        throw err;
      }
    },
  },
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/git/trees/{tree_sha}',
    operationId: 'git/get-tree',
    handler: (ctx) => {
      const repo = repoOf(ctx);
      const id = ctx.params.tree_sha ?? '';
      // Like GitHub, accept a tree SHA, a commit SHA or a ref name.
      let sha = repo.git.tree(id.toLowerCase()) ? id.toLowerCase() : undefined;
      if (!sha) {
        const commit = ctx.state.resolve(repo, id);
        sha = commit ? repo.git.commit(commit)?.tree : undefined;
      }
      if (!sha) throw notFound();
      return json(200, treeResponse(ctx, repo, sha, ctx.query.has('recursive')));
    },
  },
  {
    method: 'POST',
    path: '/repos/{owner}/{repo}/git/commits',
    operationId: 'git/create-commit',
    handler: (ctx) => {
      const repo = repoOf(ctx);
      const b = bodyObject(ctx);
      const message = str(b.message);
      const tree = str(b.tree);
      if (message === undefined) throw new HttpError(422, 'Invalid request.\n\n"message" wasn\'t supplied.');
      if (!tree || !repo.git.tree(tree)) throw new HttpError(422, 'Tree SHA does not exist');
      const parents = b.parents === undefined ? [] : b.parents;
      if (!Array.isArray(parents) || parents.some((p) => typeof p !== 'string' || !repo.git.commit(p))) {
        throw new HttpError(422, 'Parent SHA does not exist or is not a commit object');
      }
      // Without a custom author or committer GitHub commits as the caller (an App's bot for an
      // installation token), with itself (web-flow) as committer, and signs the commit: it is
      // reported verified. Naming an author or committer makes an unsigned commit, as given.
      let sha: string;
      if ((b.author === undefined || b.author === null) && (b.committer === undefined || b.committer === null) && b.signature === undefined) {
        sha = ctx.state.writeGitHubCommit(repo, { tree, parents: parents as string[], author: ctx.state.person(actingUser(ctx).login), message });
      } else {
        const author = person(ctx, b.author, ctx.state.person(actingUser(ctx).login));
        const committer = person(ctx, b.committer, author);
        sha = repo.git.writeCommit({
          tree,
          parents: parents as string[],
          author,
          committer,
          message,
          ...(typeof b.signature === 'string' ? { gpgsig: b.signature } : {}),
        });
      }
      return json(201, shape.gitCommit(ctx.urls, repo, sha), { location: `${ctx.urls.api}/repos/${repo.fullName}/git/commits/${sha}` });
    },
  },
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/git/commits/{commit_sha}',
    operationId: 'git/get-commit',
    handler: (ctx) => {
      const repo = repoOf(ctx);
      const sha = (ctx.params.commit_sha ?? '').toLowerCase();
      if (!repo.git.commit(sha)) throw notFound();
      return json(200, shape.gitCommit(ctx.urls, repo, sha));
    },
  },
];
