/**
 * A small stateful fake of the GitHub Git Data and contents routes the ledger store uses, served
 * through nock on https://api.github.com. Objects are content-addressed, refs move only by
 * fast-forward unless forced, so compare-and-swap behaves as on GitHub.
 */
import { createHash } from 'node:crypto';
import nock from 'nock';

export type GitObject =
  | { type: 'blob'; content: string }
  | { type: 'tree'; entries: Record<string, { mode: string; type: 'blob' | 'tree'; sha: string }> }
  | { type: 'commit'; tree: string; parents: string[]; message: string; author?: Person; committer?: Person; verified?: boolean };

/** A git identity; `login` is the GitHub account GitHub links it to. */
export interface Person {
  name: string;
  email: string;
  login: string | null;
}

/** How GitHub reports the commits an App makes without a custom author: its bot, committed and signed by GitHub. */
export const APP_AUTHOR: Person = { name: 'access-ledger[bot]', email: '4243+access-ledger[bot]@users.noreply.github.com', login: 'access-ledger[bot]' };
const WEB_FLOW: Person = { name: 'GitHub', email: 'noreply@github.com', login: 'web-flow' };

export interface RequestLog {
  method: string;
  path: string;
  body: unknown;
}

export type Hook = (req: RequestLog) => [number, unknown] | undefined;

export class FakeGit {
  readonly objects = new Map<string, GitObject>();
  readonly refs = new Map<string, string>();
  readonly log: RequestLog[] = [];
  /** Runs before each request; returning [status, body] answers it instead of the fake. */
  hook: Hook | null = null;
  /** Milliseconds each answer is delayed, so concurrent requests interleave. */
  delayMs = 0;
  readonly owner: string;
  readonly repo: string;
  private scope: nock.Scope | null = null;
  private counter = 0;

  constructor(owner = 'acme', repo = 'access') {
    this.owner = owner;
    this.repo = repo;
  }

  put(obj: GitObject): string {
    // Not git's hashing; any content address serves the fake. The counter keeps two identical
    // commits made at different moments distinct, as their timestamps would on GitHub.
    const salt = obj.type === 'commit' ? String(this.counter++) : '';
    const sha = createHash('sha1').update(salt + JSON.stringify(obj)).digest('hex');
    this.objects.set(sha, obj);
    return sha;
  }

  get<T extends GitObject['type']>(sha: string, type: T): Extract<GitObject, { type: T }> {
    const obj = this.objects.get(sha);
    if (!obj || obj.type !== type) throw new Error(`no ${type} ${sha}`);
    return obj as Extract<GitObject, { type: T }>;
  }

  /** Builds a tree from `base` plus files (path -> content). */
  writeTree(base: string | null, files: Record<string, string>): string {
    const root: Record<string, unknown> = base ? this.expand(base) : {};
    for (const [path, content] of Object.entries(files)) {
      const parts = path.split('/');
      let node = root;
      for (const dir of parts.slice(0, -1)) {
        if (typeof node[dir] !== 'object') node[dir] = {};
        node = node[dir] as Record<string, unknown>;
      }
      node[parts[parts.length - 1]!] = content;
    }
    return this.collapse(root);
  }

  private expand(treeSha: string): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [name, e] of Object.entries(this.get(treeSha, 'tree').entries)) {
      out[name] = e.type === 'tree' ? this.expand(e.sha) : this.get(e.sha, 'blob').content;
    }
    return out;
  }

  private collapse(node: Record<string, unknown>): string {
    const entries: Record<string, { mode: string; type: 'blob' | 'tree'; sha: string }> = {};
    for (const name of Object.keys(node).sort()) {
      const v = node[name];
      entries[name] = typeof v === 'string' ? { mode: '100644', type: 'blob', sha: this.put({ type: 'blob', content: v }) } : { mode: '040000', type: 'tree', sha: this.collapse(v as Record<string, unknown>) };
    }
    return this.put({ type: 'tree', entries });
  }

  /** All files of a commit's tree, path -> content. */
  files(commitSha: string): Map<string, string> {
    const out = new Map<string, string>();
    const walk = (tree: string, prefix: string) => {
      for (const [name, e] of Object.entries(this.get(tree, 'tree').entries)) {
        if (e.type === 'tree') walk(e.sha, `${prefix}${name}/`);
        else out.set(`${prefix}${name}`, this.get(e.sha, 'blob').content);
      }
    };
    walk(this.get(commitSha, 'commit').tree, '');
    return out;
  }

  /** First-parent history of a branch, oldest first. */
  history(branch: string): string[] {
    const out: string[] = [];
    let sha = this.refs.get(`refs/heads/${branch}`);
    while (sha) {
      out.unshift(sha);
      sha = this.get(sha, 'commit').parents[0];
    }
    return out;
  }

  isAncestor(ancestor: string, of: string): boolean {
    const seen = new Set<string>();
    const stack = [of];
    while (stack.length) {
      const s = stack.pop()!;
      if (s === ancestor) return true;
      if (seen.has(s)) continue;
      seen.add(s);
      stack.push(...this.get(s, 'commit').parents);
    }
    return false;
  }

  /**
   * Another writer's commit on top of the branch: a second App replica by default (its bot,
   * signed by GitHub), or a push `by` someone else (unsigned, as they wrote it).
   */
  foreignCommit(branch: string, files: Record<string, string>, message = 'foreign', by?: Person): string {
    const tip = this.refs.get(`refs/heads/${branch}`)!;
    const tree = this.writeTree(this.get(tip, 'commit').tree, files);
    const sha = this.put(by ? { type: 'commit', tree, parents: [tip], message, author: by, committer: by, verified: false } : { type: 'commit', tree, parents: [tip], message });
    this.refs.set(`refs/heads/${branch}`, sha);
    return sha;
  }

  /** The blob sha at `path` in a commit's tree, or null. */
  private blobAt(commitSha: string, path: string): string | null {
    let node: { type: 'blob' | 'tree'; sha: string } = { type: 'tree', sha: this.get(commitSha, 'commit').tree };
    for (const part of path.split('/')) {
      const e = node.type === 'tree' ? this.get(node.sha, 'tree').entries[part] : undefined;
      if (!e) return null;
      node = e;
    }
    return node.type === 'blob' ? node.sha : null;
  }

  /** `GET /commits?sha&path` as GitHub answers it: newest first, the accounts and signature verdict included. */
  private commitsTouching(tip: string, path: string | null): unknown[] {
    const out: unknown[] = [];
    for (let sha: string | undefined = tip; sha; sha = this.get(sha, 'commit').parents[0]) {
      const c = this.get(sha, 'commit');
      if (path !== null && this.blobAt(sha, path) === (c.parents[0] ? this.blobAt(c.parents[0], path) : null)) continue;
      const author = c.author ?? APP_AUTHOR;
      const committer = c.committer ?? WEB_FLOW;
      const verified = c.verified ?? true;
      const date = '2026-11-20T10:00:05Z';
      out.push({
        sha,
        author: author.login ? { login: author.login } : null,
        committer: committer.login ? { login: committer.login } : null,
        commit: {
          author: { name: author.name, email: author.email, date },
          committer: { name: committer.name, email: committer.email, date },
          message: c.message,
          verification: { verified, reason: verified ? 'valid' : 'unsigned', signature: null, payload: null, verified_at: verified ? date : null },
        },
        parents: c.parents.map((p) => ({ sha: p })),
      });
    }
    return out;
  }

  count(method: string, pattern?: RegExp): number {
    return this.log.filter((r) => r.method === method && (!pattern || pattern.test(r.path))).length;
  }

  start(): this {
    nock.disableNetConnect();
    const prefix = `/repos/${this.owner}/${this.repo}/`;
    // nock 15 hands the reply function the fetch Request; one parameter keeps it from being
    // treated as a callback-style function.
    const handle = (method: string) => async (req: Request) => {
      const url = new URL(req.url);
      const text = method === 'GET' ? '' : await req.text();
      return this.answer(method, decodeURIComponent(url.pathname.slice(prefix.length - 1)), url.searchParams, text);
    };
    this.scope = nock('https://api.github.com')
      .persist()
      .get((p) => p.startsWith(prefix))
      .reply(handle('GET') as never)
      .post((p) => p.startsWith(prefix))
      .reply(handle('POST') as never)
      .patch((p) => p.startsWith(prefix))
      .reply(handle('PATCH') as never);
    return this;
  }

  stop(): void {
    this.scope?.persist(false);
    nock.cleanAll();
  }

  private async answer(method: string, path: string, query: URLSearchParams, rawBody: unknown): Promise<[number, unknown]> {
    const body = typeof rawBody === 'string' && rawBody.length > 0 ? (JSON.parse(rawBody) as unknown) : rawBody;
    const req = { method, path, body };
    this.log.push(req);
    if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs));
    const hooked = this.hook?.(req);
    if (hooked) return hooked;
    try {
      return this.route(method, path, query, body as Record<string, unknown>);
    } catch (e) {
      return [500, { message: (e as Error).message }];
    }
  }

  private route(method: string, path: string, query: URLSearchParams, body: Record<string, unknown>): [number, unknown] {
    let m: RegExpExecArray | null;
    if (method === 'GET' && (m = /^\/git\/ref\/(.+)$/.exec(path))) {
      const sha = this.refs.get(`refs/${m[1]}`);
      return sha ? [200, { ref: `refs/${m[1]}`, object: { sha, type: 'commit' } }] : [404, { message: 'Not Found' }];
    }
    if (method === 'POST' && path === '/git/refs') {
      const ref = body.ref as string;
      if (this.refs.has(ref)) return [422, { message: 'Reference already exists' }];
      this.get(body.sha as string, 'commit');
      this.refs.set(ref, body.sha as string);
      return [201, { ref, object: { sha: body.sha } }];
    }
    if (method === 'PATCH' && (m = /^\/git\/refs\/(.+)$/.exec(path))) {
      const ref = `refs/${m[1]}`;
      const current = this.refs.get(ref);
      if (!current) return [422, { message: 'Reference does not exist' }];
      const next = body.sha as string;
      this.get(next, 'commit');
      if (!body.force && !this.isAncestor(current, next)) return [422, { message: 'Update is not a fast forward' }];
      this.refs.set(ref, next);
      return [200, { ref, object: { sha: next } }];
    }
    if (method === 'GET' && path === '/commits') {
      const rev = query.get('sha')!;
      const tip = this.objects.has(rev) ? rev : this.refs.get(`refs/heads/${rev}`);
      if (!tip) return [404, { message: 'Not Found' }];
      return [200, this.commitsTouching(tip, query.get('path'))];
    }
    if (method === 'GET' && (m = /^\/git\/commits\/([0-9a-f]+)$/.exec(path))) {
      const c = this.get(m[1]!, 'commit');
      return [200, { sha: m[1], tree: { sha: c.tree }, parents: c.parents.map((sha) => ({ sha })), message: c.message }];
    }
    if (method === 'POST' && path === '/git/commits') {
      const parents = body.parents as string[];
      for (const p of parents) this.get(p, 'commit');
      this.get(body.tree as string, 'tree');
      // No custom author: GitHub commits as the App's bot, with itself as committer, signed.
      const sha = this.put({ type: 'commit', tree: body.tree as string, parents, message: body.message as string });
      return [201, { sha, tree: { sha: body.tree } }];
    }
    if (method === 'POST' && path === '/git/trees') {
      const files: Record<string, string> = {};
      for (const e of body.tree as { path: string; content: string }[]) files[e.path] = e.content;
      return [201, { sha: this.writeTree((body.base_tree as string | undefined) ?? null, files) }];
    }
    if (method === 'GET' && (m = /^\/git\/blobs\/([0-9a-f]+)$/.exec(path))) {
      const b = this.get(m[1]!, 'blob');
      return [200, { sha: m[1], encoding: 'base64', content: Buffer.from(b.content).toString('base64') }];
    }
    if (method === 'GET' && (m = /^\/contents\/(.+)$/.exec(path))) {
      const ref = query.get('ref')!;
      const commit = this.objects.has(ref) ? ref : this.refs.get(`refs/heads/${ref}`);
      if (!commit) return [404, { message: 'No commit found for the ref' }];
      let node: { type: 'blob' | 'tree'; sha: string } = { type: 'tree', sha: this.get(commit, 'commit').tree };
      for (const part of m[1]!.split('/')) {
        const e = node.type === 'tree' ? this.get(node.sha, 'tree').entries[part] : undefined;
        if (!e) return [404, { message: 'Not Found' }];
        node = e;
      }
      if (node.type === 'tree') {
        return [200, Object.entries(this.get(node.sha, 'tree').entries).map(([name, e]) => ({ name, path: `${m![1]}/${name}`, sha: e.sha, type: e.type === 'tree' ? 'dir' : 'file' }))];
      }
      const content = this.get(node.sha, 'blob').content;
      return [200, { type: 'file', path: m[1], sha: node.sha, size: Buffer.byteLength(content), encoding: 'base64', content: Buffer.from(content).toString('base64') }];
    }
    return [404, { message: `fake has no route ${method} ${path}` }];
  }
}
