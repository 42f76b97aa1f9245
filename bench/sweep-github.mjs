// A stateful in-memory stand-in for the GitHub routes the sweep uses, counting every request:
// the repository and its archive, organization members, issues (list, get, create, edit,
// comment) and pull requests. `node bench/sweep-github.mjs serve N` serves a synthetic access repo
// of N grants (1% stale) over HTTP on 127.0.0.1, in a process of its own, so the process the
// benchmark measures holds the sweep and nothing else; it prints {"port":…} when it listens.
import { createServer } from 'node:http';
import { gzipSync } from 'node:zlib';
import { tar } from '../test/support/fake-github/tarball.ts';
import { addDays } from '../src/core/dates.ts';
import { BENCH_TODAY, grantYaml, systemYaml } from './synthetic-repo.ts';

function httpError(status, message) {
  return Object.assign(new Error(message), { status, response: { status, headers: {}, data: { message } } });
}

export class StubGitHub {
  constructor({ owner, repo, files, members }) {
    this.owner = owner;
    this.repo = repo;
    this.members = [...members].sort();
    this.memberSet = new Set(this.members.map((m) => m.toLowerCase()));
    this.issues = new Map();
    this.nextNumber = 1;
    this.clock = 0;
    this.day = '2026-11-26';
    this.reset();
    this.setFiles(files);
  }

  reset() {
    this.reads = 0;
    this.writes = 0;
    this.byRoute = {};
  }

  setFiles(files) {
    this.files = files;
    this.sha = (Math.random().toString(16).slice(2) + '0'.repeat(40)).slice(0, 40);
    const root = `${this.owner}-${this.repo}-${this.sha.slice(0, 7)}`;
    const entries = [{ path: root, type: 'dir', mode: '040000', content: Buffer.alloc(0) }];
    for (const [path, content] of files) entries.push({ path: `${root}/${path}`, type: 'file', mode: '100644', content: Buffer.from(content) });
    this.archive = gzipSync(tar(entries, 1_800_000_000), { level: 1 });
  }

  /** GitHub's clock: the sweep's day, a second further at every write. */
  now() {
    return new Date(Date.parse(`${this.day}T06:00:00Z`) + 1000 * this.clock++).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }

  page(items, params) {
    const per = Number(params.per_page ?? 30);
    const page = Number(params.page ?? 1);
    return items.slice((page - 1) * per, page * per);
  }

  async request(route, params = {}) {
    const [method] = route.split(' ');
    if (method === 'GET') this.reads++;
    else this.writes++;
    this.byRoute[route] = (this.byRoute[route] ?? 0) + 1;
    const ok = (data, status = 200) => ({ status, data, headers: {} });
    switch (route) {
      case 'GET /repos/{owner}/{repo}':
        return ok({ default_branch: 'main', has_issues: true, html_url: `https://github.com/${this.owner}/${this.repo}` });
      case 'GET /repos/{owner}/{repo}/git/ref/{ref}':
        return ok({ object: { sha: this.sha } });
      case 'GET /repos/{owner}/{repo}/tarball/{ref}':
        return ok(this.archive.buffer.slice(this.archive.byteOffset, this.archive.byteOffset + this.archive.byteLength));
      case 'GET /orgs/{org}/members':
        return ok(
          this.page(
            this.members.map((login) => ({ login })),
            params,
          ),
        );
      case 'GET /orgs/{org}/members/{username}':
        if (this.memberSet.has(String(params.username).toLowerCase())) return ok(undefined, 204);
        throw httpError(404, 'Not Found');
      case 'GET /repos/{owner}/{repo}/pulls':
        return ok([]);
      case 'GET /repos/{owner}/{repo}/issues': {
        const labels = String(params.labels ?? '')
          .split(',')
          .filter(Boolean);
        const list = [...this.issues.values()]
          .filter(
            (i) =>
              (params.state === 'all' || i.state === (params.state ?? 'open')) &&
              labels.every((l) => i.labels.includes(l)) &&
              (!params.since || i.updated_at >= params.since),
          )
          .sort((a, b) => a.number - b.number);
        return ok(this.page(list, params));
      }
      case 'GET /repos/{owner}/{repo}/issues/{issue_number}': {
        const i = this.issues.get(Number(params.issue_number));
        if (!i) throw httpError(404, 'Not Found');
        return ok(i);
      }
      case 'POST /repos/{owner}/{repo}/issues': {
        const number = this.nextNumber++;
        const i = {
          number,
          title: params.title,
          body: params.body,
          labels: params.labels ?? [],
          assignees: params.assignees ?? [],
          state: 'open',
          state_reason: null,
          updated_at: this.now(),
          comments: 0,
        };
        this.issues.set(number, i);
        return ok(i, 201);
      }
      case 'PATCH /repos/{owner}/{repo}/issues/{issue_number}': {
        const i = this.issues.get(Number(params.issue_number));
        if (params.body !== undefined) i.body = params.body;
        if (params.state) i.state = params.state;
        if (params.state_reason !== undefined) i.state_reason = params.state_reason;
        i.updated_at = this.now();
        return ok(i);
      }
      case 'POST /repos/{owner}/{repo}/issues/{issue_number}/comments': {
        const i = this.issues.get(Number(params.issue_number));
        i.comments++;
        i.updated_at = this.now();
        return ok({ id: this.clock }, 201);
      }
      default:
        throw httpError(404, `the benchmark's stand-in does not serve ${route}`);
    }
  }
}

// ---- the synthetic repo ---------------------------------------------------------------------------

export const STALE_EVERY = 100; // 1%
const expired = addDays(BENCH_TODAY, -10);
const grantPath = (i) => `grants/team-${Math.floor(i / 1000)}/id-${i}.yaml`;

function grant(i, stale) {
  const text = grantYaml(i);
  return stale ? text.replace(/expires: \d{4}-\d{2}-\d{2}/g, `expires: ${expired}`) : text;
}

/** The repo's files (every STALE_EVERY-th grant expired 10 days ago) and the organization's members. */
export function syntheticRepo(n) {
  const files = new Map();
  files.set('access-ledger.yaml', 'version: 1\norganization: acme\nextends: soc2-baseline\nadmins: ["@acme/security"]\nstale: { max_writes_per_run: 10000 }\n');
  for (let i = 0; i < 20; i++) files.set(`systems/sys-${i}.yaml`, systemYaml(i));
  const members = new Set(['security-lead']);
  for (let i = 0; i < n; i++) {
    files.set(grantPath(i), grant(i, i % STALE_EVERY === 0));
    members.add(`owner${i % 500}`);
    if (i % 7 === 0) members.add(`user${i}`); // humans' grantees
    if (i % 7 === 5) members.add(`user${i}`), members.add(`user${i + 1}`); // shared-account holders
  }
  return { files, members };
}

/** 10 stale grants fixed (renewed) and 10 others expired. */
export function churned(files, n) {
  const next = new Map(files);
  let fixed = 0;
  let broken = 0;
  for (let i = 0; i < n && (fixed < 10 || broken < 10); i++) {
    if (i % STALE_EVERY === 0 && fixed < 10) next.set(grantPath(i), grant(i, false)), fixed++;
    else if (i % STALE_EVERY === 1 && broken < 10) next.set(grantPath(i), grant(i, true)), broken++;
  }
  return next;
}

// ---- over HTTP --------------------------------------------------------------------------------------

const ROUTES = [
  ['GET', /^\/repos\/([^/]+)\/([^/]+)$/, 'GET /repos/{owner}/{repo}', []],
  ['GET', /^\/repos\/([^/]+)\/([^/]+)\/git\/ref\/(.+)$/, 'GET /repos/{owner}/{repo}/git/ref/{ref}', ['ref']],
  ['GET', /^\/repos\/([^/]+)\/([^/]+)\/tarball\/(.+)$/, 'GET /repos/{owner}/{repo}/tarball/{ref}', ['ref']],
  ['GET', /^\/repos\/([^/]+)\/([^/]+)\/pulls$/, 'GET /repos/{owner}/{repo}/pulls', []],
  ['GET', /^\/repos\/([^/]+)\/([^/]+)\/issues$/, 'GET /repos/{owner}/{repo}/issues', []],
  ['POST', /^\/repos\/([^/]+)\/([^/]+)\/issues$/, 'POST /repos/{owner}/{repo}/issues', []],
  ['GET', /^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)$/, 'GET /repos/{owner}/{repo}/issues/{issue_number}', ['issue_number']],
  ['PATCH', /^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)$/, 'PATCH /repos/{owner}/{repo}/issues/{issue_number}', ['issue_number']],
  ['POST', /^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)\/comments$/, 'POST /repos/{owner}/{repo}/issues/{issue_number}/comments', ['issue_number']],
  ['GET', /^\/orgs\/([^/]+)\/members$/, 'GET /orgs/{org}/members', [], true],
  ['GET', /^\/orgs\/([^/]+)\/members\/([^/]+)$/, 'GET /orgs/{org}/members/{username}', ['username'], true],
];

async function body(req) {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  return chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {};
}

/** Serves `gh` over HTTP; `/_bench/…` lets the benchmark set the day, apply churn and read the counts. */
export function serve(gh, n) {
  return createServer(async (req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    const send = (status, data, headers = {}) => {
      if (data instanceof ArrayBuffer) res.writeHead(status, { 'content-type': 'application/x-gzip', ...headers }).end(Buffer.from(data));
      else if (data === undefined) res.writeHead(status, headers).end();
      else res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers }).end(JSON.stringify(data));
    };
    try {
      if (url.pathname.startsWith('/_bench/')) {
        // The benchmark blocks on each measured process for longer than a kept-alive socket lives.
        const close = { connection: 'close' };
        const what = url.pathname.slice('/_bench/'.length);
        if (what === 'counts')
          return send(
            200,
            {
              reads: gh.reads,
              writes: gh.writes,
              byRoute: gh.byRoute,
              openIssues: [...gh.issues.values()].filter((i) => i.state === 'open').length,
              members: gh.members.length,
            },
            close,
          );
        const b = await body(req);
        if (what === 'day') (gh.day = b.day), (gh.clock = 0), gh.reset();
        else if (what === 'churn') gh.setFiles(churned(gh.files, n));
        return send(200, { ok: true }, close);
      }
      const params = Object.fromEntries(url.searchParams);
      for (const [method, re, route, names, org] of ROUTES) {
        if (req.method !== method) continue;
        const m = re.exec(url.pathname);
        if (!m) continue;
        const captured = m.slice(org ? 2 : 3).map(decodeURIComponent);
        names.forEach((name, i) => {
          params[name] = captured[i];
        });
        if (req.method !== 'GET') Object.assign(params, await body(req));
        const r = await gh.request(route, params);
        return send(r.status, r.data);
      }
      send(404, { message: `the benchmark's stand-in does not serve ${req.method} ${url.pathname}` });
    } catch (err) {
      send(err.status ?? 500, { message: err.message });
    }
  });
}

if (process.argv[2] === 'serve') {
  const n = Number(process.argv[3]);
  const { files, members } = syntheticRepo(n);
  const gh = new StubGitHub({ owner: 'acme', repo: 'access', files, members });
  const server = serve(gh, n);
  server.listen(0, '127.0.0.1', () => process.stdout.write(JSON.stringify({ port: server.address().port, members: members.size }) + '\n'));
  process.stdin.resume();
  process.stdin.on('end', () => process.exit(0));
}
