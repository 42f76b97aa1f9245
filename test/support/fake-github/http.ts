/**
 * The plumbing every route shares: the route table's types, path-template matching, the caller's
 * identity, pagination with GitHub's `Link` header, and repository lookup with access checks.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { HttpError, notFound } from './errors.ts';
import type { Credentials } from './auth.ts';
import type { Urls } from './shapes.ts';
import type { AppInfo, Installation, Repo, State, User } from './state.ts';

/**
 * A workflow's GITHUB_TOKEN: it acts as github-actions[bot], for one repository, with the scopes
 * of the job's `permissions:` (e.g. `{ contents: 'read', statuses: 'write' }`).
 */
export interface WorkflowScope {
  /** `owner/name`, lower-cased. */
  repo: string;
  permissions: Record<string, string>;
}

/** Who is calling: the App itself (a JWT), an installation token, a user token (or a workflow's), or nobody. */
export type Actor =
  | { kind: 'app' }
  | {
      kind: 'installation';
      installation: Installation /** A token narrowed to these scopes when minted (else the installation's). */;
      permissions?: Record<string, string>;
    }
  | { kind: 'user'; user: User; workflow?: WorkflowScope }
  | { kind: 'anonymous' };

export interface Ctx {
  method: string;
  /** Path without the `/api/v3` prefix and without the query. */
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** Parsed JSON body (undefined when there was none). */
  body: unknown;
  actor: Actor;
  state: State;
  credentials: Credentials;
  /** The caller's core rate-limit bucket after counting this request. */
  quota: Quota;
  urls: Urls;
  /** The absolute URL of this request as the client sent it, for pagination links. */
  requestUrl: URL;
}

export interface Quota {
  limit: number;
  used: number;
  remaining: number;
  /** Epoch seconds when the window resets. */
  reset: number;
}

export interface Reply {
  status: number;
  body?: unknown;
  /** Sent as-is instead of JSON (raw media types, tarballs). */
  raw?: Buffer;
  headers?: Record<string, string>;
}

/** Which credential a route accepts: `jwt` (App endpoints), `token` (installation or user), `any`. */
export type AuthKind = 'jwt' | 'token' | 'any';

export interface Route {
  method: string;
  /** GitHub's path template, e.g. `/repos/{owner}/{repo}/git/refs/{ref}`. */
  path: string;
  /** The matching operation in @octokit/openapi (the contract test validates against its schema). */
  operationId: string;
  auth?: AuthKind;
  handler: (ctx: Ctx) => Reply | Promise<Reply>;
}

/** Parameters that may contain slashes (refs like `heads/feature/x`, file paths); `path` may be empty (repo root). */
const GREEDY = new Set(['ref', 'path']);

export interface CompiledRoute extends Route {
  regex: RegExp;
  names: string[];
}

export function compile(route: Route): CompiledRoute {
  const names: string[] = [];
  const pattern = route.path.replace(/\/\{(\w+)\}/g, (_m, name: string) => {
    names.push(name);
    if (name === 'path') return '(?:/(.*))?';
    if (GREEDY.has(name)) return '/(.+)';
    if (/_(id|number)$/.test(name)) return '/(\\d+)';
    return '/([^/]+)';
  });
  return { ...route, regex: new RegExp(`^${pattern}/?$`), names };
}

/** The route for a request; unknown paths and unsupported methods are both 404 on GitHub. */
export function match(routes: readonly CompiledRoute[], method: string, path: string): { route: CompiledRoute; params: Record<string, string> } | undefined {
  for (const route of routes) {
    const m = route.method === method ? route.regex.exec(path) : null;
    if (!m) continue;
    const params: Record<string, string> = {};
    route.names.forEach((n, i) => {
      params[n] = decodeURIComponent(m[i + 1] ?? '');
    });
    return { route, params };
  }
  return undefined;
}

export const json = (status: number, body: unknown, headers?: Record<string, string>): Reply => (headers ? { status, body, headers } : { status, body });
export const noContent = (): Reply => ({ status: 204 });

/** GitHub's page/per_page pagination (per_page defaults to 30, capped at 100) with `Link` first/prev/next/last. */
export function paginate<T>(ctx: Ctx, items: T[]): { items: T[]; headers: Record<string, string> } {
  const perPage = Math.min(100, Math.max(1, Number(ctx.query.get('per_page') ?? 30) || 30));
  const page = Math.max(1, Number(ctx.query.get('page') ?? 1) || 1);
  const last = Math.max(1, Math.ceil(items.length / perPage));
  const link = (p: number): string => {
    const url = new URL(ctx.requestUrl);
    url.searchParams.set('per_page', String(perPage));
    url.searchParams.set('page', String(p));
    return url.toString();
  };
  const rels: string[] = [];
  if (page > 1) rels.push(`<${link(Math.min(page - 1, last))}>; rel="prev"`);
  if (page < last) rels.push(`<${link(page + 1)}>; rel="next"`, `<${link(last)}>; rel="last"`);
  if (page > 1) rels.push(`<${link(1)}>; rel="first"`);
  return { items: items.slice((page - 1) * perPage, page * perPage), headers: rels.length ? { link: rels.join(', ') } : {} };
}

export function list<T>(ctx: Ctx, items: T[], shape: (x: T) => unknown): Reply {
  const page = paginate(ctx, items);
  return json(200, page.items.map(shape), page.headers);
}

/** The repo named by `{owner}/{repo}`, hidden (404) from an installation that does not cover it, as on GitHub. */
export function repoOf(ctx: Ctx): Repo {
  const repo = ctx.state.repos.get(`${ctx.params.owner}/${ctx.params.repo}`.toLowerCase());
  if (!repo) throw notFound();
  if (ctx.actor.kind === 'installation' && !ctx.state.installationCovers(ctx.actor.installation, repo)) throw notFound();
  if (ctx.actor.kind === 'user' && ctx.actor.workflow && ctx.actor.workflow.repo !== repo.fullName.toLowerCase()) throw notFound();
  return repo;
}

/**
 * Refuses a write the caller's token was not given: an installation or a workflow token needs the
 * scope at `write` (GitHub: 403 "Resource not accessible by integration"); a person needs push
 * access (GitHub hides the repository from a write it cannot make: 404).
 */
export function requireWrite(ctx: Ctx, repo: Repo, scope: string): void {
  const actor = ctx.actor;
  const scoped =
    actor.kind === 'installation' ? (actor.permissions ?? actor.installation.permissions) : actor.kind === 'user' ? actor.workflow?.permissions : undefined;
  if (scoped) {
    if (scoped[scope] !== 'write') throw new HttpError(403, 'Resource not accessible by integration');
    return;
  }
  if (actor.kind !== 'user') throw new HttpError(401, 'Requires authentication');
  const role = ctx.state.roleOf(repo, actor.user.login);
  if (role !== 'write' && role !== 'maintain' && role !== 'admin') throw notFound();
}

/** The account a write is attributed to: the installation's App's bot, or the token's user. */
export function actingUser(ctx: Ctx): User {
  if (ctx.actor.kind === 'user') return ctx.actor.user;
  if (ctx.actor.kind === 'installation') return ctx.actor.installation.app.bot;
  throw new HttpError(401, 'Requires authentication');
}

/** The App a write comes from: the installation's App, GitHub Actions for a workflow's GITHUB_TOKEN, none for a person. */
export function actingApp(ctx: Ctx): AppInfo | null {
  if (ctx.actor.kind === 'installation') return ctx.actor.installation.app;
  if (ctx.actor.kind === 'user' && ctx.actor.workflow) return ctx.state.actionsApp;
  return null;
}

export function bodyObject(ctx: Ctx): Record<string, unknown> {
  const b = ctx.body;
  if (b === undefined) return {};
  if (typeof b !== 'object' || b === null || Array.isArray(b)) throw new HttpError(400, 'Problems parsing JSON');
  return b as Record<string, unknown>;
}

export function intParam(ctx: Ctx, name: string): number {
  return Number(ctx.params[name]);
}

/** Sort helper: `direction` asc|desc over a key. */
export function sortBy<T>(items: T[], key: (x: T) => string | number, direction: 'asc' | 'desc'): T[] {
  const sign = direction === 'asc' ? 1 : -1;
  return [...items].sort((a, b) => {
    const x = key(a);
    const y = key(b);
    return x < y ? -sign : x > y ? sign : 0;
  });
}
