/**
 * The HTTP front: routes requests (at `/` and under GitHub Enterprise's `/api/v3`) to handlers,
 * authenticates, keeps GitHub's rate-limit headers and per-route call counts, injects faults, and
 * turns thrown `HttpError`s into GitHub's error bodies.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Credentials, bucketOf } from './auth.ts';
import { HttpError } from './errors.ts';
import type { Faults, FaultKind } from './faults.ts';
import { match, type Actor, type Ctx, type Quota, type Reply } from './http.ts';
import { handleGraphql } from './routes/graphql.ts';
import { compiledRoutes } from './routes/index.ts';
import { codeload, rawFile } from './routes/repos.ts';
import type { State } from './state.ts';

export interface ServerOptions {
  /** Refuse unauthenticated requests with 401, as GitHub does for private repos (default true). */
  requireAuth?: boolean;
  /** Core requests per hour per credential (default 5000); exhausting it yields GitHub's primary-limit 403. */
  rateLimit?: number;
  /** Host for `html_url` links (default https://github.com). */
  webUrl?: string;
}

export interface RequestLog {
  method: string;
  path: string;
  /** `METHOD template`, or `METHOD (unmatched)`. */
  route: string;
  status: number;
  fault?: FaultKind;
  /** When the request arrived (ms since the epoch). */
  at: number;
  /**
   * Whether it creates or changes content, as GitHub's secondary limits count: every method but
   * GET and HEAD, except a GraphQL query (a mutation counts).
   */
  contentCreating: boolean;
  /** The query string as sent (without `?`). */
  query: string;
  /** The parsed JSON body, when the request had one. */
  body?: unknown;
}

const GRAPHQL_PATHS = new Set(['/graphql', '/api/graphql']);
const GHE_PREFIX = '/api/v3';

export class FakeServer {
  readonly state: State;
  readonly faults: Faults;
  readonly credentials: Credentials;
  readonly calls = new Map<string, number>();
  readonly requests: RequestLog[] = [];
  /** Unexpected exceptions from handlers (answered as 500): a test can assert there were none. */
  readonly errors: Error[] = [];
  private readonly options: ServerOptions;
  private readonly quotas = new Map<string, { used: number; reset: number }>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private server: Server | undefined;
  origin = '';

  constructor(state: State, faults: Faults, options: ServerOptions = {}) {
    this.state = state;
    this.faults = faults;
    this.credentials = new Credentials(state);
    this.options = options;
  }

  async listen(): Promise<string> {
    const server = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        this.errors.push(err as Error);
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ message: String((err as Error)?.message ?? err) }));
      });
    });
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return this.origin;
  }

  async close(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private quota(bucket: string, count: boolean): Quota {
    const limit = this.options.rateLimit ?? 5000;
    // Wall-clock time, not the state's clock: clients compare x-ratelimit-reset with their own clock.
    const now = Math.floor(Date.now() / 1000);
    let q = this.quotas.get(bucket);
    if (!q || q.reset <= now) {
      q = { used: 0, reset: now + 3600 };
      this.quotas.set(bucket, q);
    }
    if (count) q.used++;
    return { limit, used: q.used, remaining: Math.max(0, limit - q.used), reset: q.reset };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const at = Date.now();
    const url = new URL(req.url ?? '/', this.origin);
    const method = (req.method ?? 'GET').toUpperCase();
    const raw = await readBody(req);
    const ghe = url.pathname === GHE_PREFIX || url.pathname.startsWith(`${GHE_PREFIX}/`);
    const path = ghe ? url.pathname.slice(GHE_PREFIX.length) || '/' : url.pathname;
    const graphqlCall = method === 'POST' && (GRAPHQL_PATHS.has(url.pathname) || (ghe && path === '/graphql'));
    const urls = { api: this.origin + (ghe ? GHE_PREFIX : ''), web: this.options.webUrl ?? 'https://github.com' };

    const found = graphqlCall ? undefined : match(compiledRoutes, method, path);
    const template = graphqlCall ? '/graphql' : found?.route.path;
    const routeKey = template ? `${method} ${template}` : `${method} (unmatched)`;
    const log: RequestLog = {
      method,
      path,
      route: routeKey,
      status: 0,
      at,
      contentCreating: method !== 'GET' && method !== 'HEAD' && !(graphqlCall && isGraphqlQuery(raw)),
      query: url.search.replace(/^\?/, ''),
    };
    let body: unknown;
    let unparsable = false;
    if (raw.length) {
      try {
        body = JSON.parse(raw.toString('utf8'));
        log.body = body;
      } catch {
        unparsable = true;
      }
    }
    this.requests.push(log);
    this.calls.set(routeKey, (this.calls.get(routeKey) ?? 0) + 1);

    let actor: Actor = { kind: 'anonymous' };
    let quota: Quota | undefined;
    const send = (reply: Reply): void => {
      log.status = reply.status;
      const headers: Record<string, string> = {
        'x-github-request-id': randomUUID().toUpperCase(),
        'x-github-media-type': 'github.v3; format=json',
        'x-github-api-version-selected': '2022-11-28',
      };
      if (quota) {
        Object.assign(headers, {
          'x-ratelimit-limit': String(quota.limit),
          'x-ratelimit-remaining': String(quota.remaining),
          'x-ratelimit-used': String(quota.used),
          'x-ratelimit-reset': String(quota.reset),
          'x-ratelimit-resource': graphqlCall ? 'graphql' : 'core',
        });
      }
      Object.assign(headers, reply.headers);
      let payload: Buffer | undefined = reply.raw;
      if (!payload && reply.body !== undefined && reply.status !== 204 && reply.status !== 304) {
        payload = Buffer.from(JSON.stringify(reply.body));
        headers['content-type'] ??= 'application/json; charset=utf-8';
      }
      if (payload) headers['content-length'] = String(payload.length);
      res.writeHead(reply.status, headers);
      res.end(method === 'HEAD' ? undefined : payload);
    };

    try {
      // Archive and raw downloads stand in for codeload and raw.githubusercontent.com: no auth, no quota.
      const download = /^\/_(codeload|raw)\/([^/]+\/[^/]+)\/(.+)$/.exec(path);
      if (method === 'GET' && download) {
        const ctx = { state: this.state, urls } as Ctx;
        const rest = download[3] as string;
        send(
          download[1] === 'codeload' ? codeload(ctx, download[2] as string, rest.replace(/^legacy\.tar\.gz\//, '')) : rawFile(ctx, download[2] as string, rest),
        );
        return;
      }
      if (!graphqlCall && !found) throw new HttpError(404, 'Not Found');

      actor = this.credentials.resolve(req.headers.authorization);
      const auth = found?.route.auth ?? 'token';
      if (auth === 'jwt' && actor.kind !== 'app') {
        throw new HttpError(401, 'A JSON web token could not be decoded');
      }
      if (auth === 'token' && actor.kind === 'app') throw new HttpError(403, 'Resource not accessible by integration');
      if (actor.kind === 'anonymous' && (this.options.requireAuth ?? true) && auth !== 'any') {
        throw new HttpError(401, graphqlCall ? 'This endpoint requires you to be authenticated.' : 'Requires authentication');
      }

      const countsAgainstLimit = template !== '/rate_limit';
      quota = this.quota(`${bucketOf(actor)}:${graphqlCall ? 'graphql' : 'core'}`, countsAgainstLimit);
      if (countsAgainstLimit && quota.used > quota.limit) {
        throw new HttpError(403, `API rate limit exceeded for ${bucketOf(actor).replace(':', ' ID ')}.`, {
          documentationUrl: 'https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api#about-the-primary-rate-limit',
        });
      }

      const now = new Date(); // wall clock, as for the quota: retry-after and reset are compared with the client's clock
      const before = this.faults.pick('before', method, path, template, now);
      if (before) {
        log.fault = before.rule.kind;
        if ('timeoutMs' in before) return this.hold(req, res, before.timeoutMs);
        send(before.reply);
        return;
      }

      if (unparsable) throw new HttpError(400, 'Problems parsing JSON');
      if (this.faults.delayMs > 0) await new Promise((r) => setTimeout(r, this.faults.delayMs));
      const scripted = await this.faults.intercepted({ method, path: safeDecode(path), route: routeKey, query: url.searchParams, body });
      if (scripted) {
        send(scripted);
        return;
      }
      const ctx: Ctx = {
        method,
        path,
        params: found?.params ?? {},
        query: url.searchParams,
        headers: req.headers,
        body,
        actor,
        state: this.state,
        credentials: this.credentials,
        quota,
        urls,
        requestUrl: url,
      };
      const reply = graphqlCall ? await handleGraphql(ctx) : await (found as NonNullable<typeof found>).route.handler(ctx);

      const after = this.faults.pick('after', method, path, template, now);
      if (after) {
        log.fault = after.rule.kind;
        if ('timeoutMs' in after) return this.hold(req, res, after.timeoutMs);
        send(after.reply);
        return;
      }
      send(reply);
    } catch (err) {
      if (err instanceof HttpError) {
        send({ status: err.status, body: err.body(), headers: err.headers });
        return;
      }
      throw err;
    }
  }

  /** A request that never answers: hold the socket, then cut it, as a dead proxy would. */
  private hold(req: IncomingMessage, res: ServerResponse, ms: number): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      req.socket.destroy();
      res.destroy();
    }, ms);
    this.timers.add(t);
  }
}

/** A GraphQL document that reads: `query …` or an anonymous `{ … }` (anything else counts as a write). */
function isGraphqlQuery(raw: Buffer): boolean {
  let doc: unknown;
  try {
    doc = (JSON.parse(raw.toString('utf8')) as { query?: unknown }).query;
  } catch {
    return false;
  }
  if (typeof doc !== 'string') return false;
  const start = doc.replace(/^(?:\s+|#[^\n]*(?:\n|$))*/, '');
  return /^query\b/.test(start) || start.startsWith('{');
}

function safeDecode(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}
