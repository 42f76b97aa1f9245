/** Repository metadata, the contents API and tarballs. */
import { gzipSync } from 'node:zlib';
import { HttpError, notFound } from '../errors.ts';
import { json, list, repoOf, type Ctx, type Reply, type Route } from '../http.ts';
import * as shape from '../shapes.ts';
import type { Repo } from '../state.ts';
import { tar } from '../tarball.ts';

/** The contents API stops inlining file content above 1 MB (content "" with encoding "none"). */
const CONTENT_LIMIT = 1024 * 1024;

/** GitHub's base64 is wrapped every 60 characters. */
export function base64Wrapped(buf: Buffer): string {
  return (buf.toString('base64').match(/.{1,60}/g) ?? []).map((l) => `${l}\n`).join('');
}

function wantsRaw(ctx: Ctx): boolean {
  return /application\/vnd\.github(\.v3)?\.raw/.test(String(ctx.headers.accept ?? ''));
}

/** The commit a `ref` query names (default branch when absent), or GitHub's 404. */
function commitFor(ctx: Ctx, repo: Repo): string {
  const ref = ctx.query.get('ref') ?? repo.defaultBranch;
  const sha = ctx.state.resolve(repo, ref);
  if (!sha) throw new HttpError(404, `No commit found for the ref ${ref}`);
  return sha;
}

function contentEntry(ctx: Ctx, repo: Repo, ref: string, path: string, e: { type: string; sha: string; size?: number }): Record<string, unknown> {
  const api = `${ctx.urls.api}/repos/${repo.fullName}`;
  const self = `${api}/contents/${path}?ref=${encodeURIComponent(ref)}`;
  const kind = e.type === 'tree' ? 'dir' : e.type === 'commit' ? 'submodule' : 'file';
  const git = `${api}/git/${e.type === 'tree' ? 'trees' : 'blobs'}/${e.sha}`;
  const html = `${ctx.urls.web}/${repo.fullName}/${kind === 'dir' ? 'tree' : 'blob'}/${ref}/${path}`;
  return {
    type: kind,
    size: e.size ?? 0,
    name: path.split('/').pop() ?? path,
    path,
    sha: e.sha,
    url: self,
    git_url: git,
    html_url: html,
    download_url: kind === 'file' ? `${ctx.urls.api}/_raw/${repo.fullName}/${ref}/${path}` : null,
    _links: { self, git, html },
  };
}

function getContent(ctx: Ctx): Reply {
  const repo = repoOf(ctx);
  const commit = commitFor(ctx, repo);
  const ref = ctx.query.get('ref') ?? repo.defaultBranch;
  const path = (ctx.params.path ?? '').replace(/^\/+|\/+$/g, '');
  const tree = repo.git.commit(commit)?.tree as string;
  const entry = repo.git.entryAt(tree, path);
  if (!entry) throw notFound();
  if (entry.type === 'tree') {
    const items = repo.git.listTree(entry.sha, false, path ? `${path}/` : '');
    return json(
      200,
      items.map((e) => contentEntry(ctx, repo, ref, e.path, e)),
    );
  }
  if (entry.type !== 'blob') throw notFound();
  const content = repo.git.blob(entry.sha)?.content ?? Buffer.alloc(0);
  if (wantsRaw(ctx)) return { status: 200, raw: content, headers: { 'content-type': 'text/plain; charset=utf-8' } };
  const body = contentEntry(ctx, repo, ref, path, { ...entry, size: content.length });
  const inline = content.length <= CONTENT_LIMIT;
  return json(200, { ...body, content: inline ? base64Wrapped(content) : '', encoding: inline ? 'base64' : 'none' });
}

/** Whether `sha` changed `path` against its first parent (added, modified or removed it). */
function touches(repo: Repo, sha: string, path: string): boolean {
  const c = repo.git.commit(sha);
  if (!c) return false;
  const at = (tree: string | undefined) => (tree ? repo.git.entryAt(tree, path) : undefined);
  const parent = c.parents[0] ? repo.git.commit(c.parents[0])?.tree : undefined;
  const before = at(parent);
  const after = at(c.tree);
  return (before?.sha ?? null) !== (after?.sha ?? null) || (before?.mode ?? null) !== (after?.mode ?? null);
}

/**
 * `GET /repos/{owner}/{repo}/commits`: the commits reachable from `sha` (default branch when
 * absent), newest first, only those that changed `path` when it is given (for a file that is a
 * commit whose first parent had different content there, as GitHub's history simplification
 * reports for a linear history).
 */
function listCommits(ctx: Ctx): Reply {
  const repo = repoOf(ctx);
  const rev = ctx.query.get('sha') ?? repo.defaultBranch;
  const tip = ctx.state.resolve(repo, rev);
  if (!tip) throw new HttpError(404, 'Not Found');
  const path = ctx.query.get('path')?.replace(/^\/+|\/+$/g, '');
  const all = repo.git.commitsBetween(undefined, tip).reverse();
  const picked = path ? all.filter((sha) => touches(repo, sha, path)) : all;
  return list(ctx, picked, (sha) => shape.commit(ctx.urls, ctx.state, repo, sha));
}

export const repoRoutes: Route[] = [
  { method: 'GET', path: '/repos/{owner}/{repo}/commits', operationId: 'repos/list-commits', handler: listCommits },
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}',
    operationId: 'repos/get',
    handler: (ctx) => json(200, shape.repository(ctx.urls, ctx.state, repoOf(ctx), true)),
  },
  { method: 'GET', path: '/repos/{owner}/{repo}/contents/{path}', operationId: 'repos/get-content', handler: getContent },
  {
    // GitHub answers with a redirect to codeload; the fake serves the archive itself behind the redirect.
    method: 'GET',
    path: '/repos/{owner}/{repo}/tarball/{ref}',
    operationId: 'repos/download-tarball-archive',
    handler: (ctx) => {
      const repo = repoOf(ctx);
      const sha = ctx.state.resolve(repo, ctx.params.ref ?? '');
      if (!sha) throw notFound();
      return { status: 302, headers: { location: `${ctx.urls.api}/_codeload/${repo.fullName}/legacy.tar.gz/${sha}` } };
    },
  },
];

/** Archive downloads behind the tarball redirect; not part of the REST description, so not in the route table. */
export function codeload(ctx: Ctx, fullName: string, sha: string): Reply {
  const repo = ctx.state.repos.get(fullName.toLowerCase());
  const commit = repo?.git.commit(sha);
  if (!repo || !commit) throw notFound();
  const root = `${repo.owner.login}-${repo.name}-${sha.slice(0, 7)}`;
  const files = repo.git.listTree(commit.tree, true).map((e) => ({
    path: `${root}/${e.path}`,
    type: e.type === 'tree' ? ('dir' as const) : ('file' as const),
    mode: e.mode,
    content: e.type === 'blob' ? (repo.git.blob(e.sha)?.content ?? Buffer.alloc(0)) : Buffer.alloc(0),
  }));
  const archive = gzipSync(
    tar([{ path: root, type: 'dir', mode: '040000', content: Buffer.alloc(0) }, ...files], Math.floor(Date.parse(commit.committer.date) / 1000)),
  );
  return { status: 200, raw: archive, headers: { 'content-type': 'application/x-gzip', 'content-disposition': `attachment; filename=${root}.tar.gz` } };
}

/** Plain file bytes at a ref, for the `download_url` the contents API hands out. */
export function rawFile(ctx: Ctx, fullName: string, rest: string): Reply {
  const repo = ctx.state.repos.get(fullName.toLowerCase());
  if (!repo) throw notFound();
  // The ref may itself contain slashes: try the longest ref prefix that resolves.
  const parts = rest.split('/');
  for (let i = parts.length - 1; i >= 1; i--) {
    const sha = ctx.state.resolve(repo, parts.slice(0, i).join('/'));
    const tree = sha ? repo.git.commit(sha)?.tree : undefined;
    const e = tree ? repo.git.entryAt(tree, parts.slice(i).join('/')) : undefined;
    if (e?.type === 'blob')
      return { status: 200, raw: repo.git.blob(e.sha)?.content ?? Buffer.alloc(0), headers: { 'content-type': 'text/plain; charset=utf-8' } };
  }
  throw notFound();
}
