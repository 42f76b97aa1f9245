// A stateful in-memory stand-in for the GitHub routes the sweep uses, counting every request:
// the repository and its archive, organization members, issues (list, get, create, edit,
// comment) and pull requests. No HTTP: the benchmark measures the sweep's own work and its
// request counts, not a server's.
import { gzipSync } from 'node:zlib';
import { tar } from '../test/support/fake-github/tarball.ts';

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
        return ok(this.page(this.members.map((login) => ({ login })), params));
      case 'GET /orgs/{org}/members/{username}':
        if (this.memberSet.has(String(params.username).toLowerCase())) return ok(undefined, 204);
        throw httpError(404, 'Not Found');
      case 'GET /repos/{owner}/{repo}/pulls':
        return ok([]);
      case 'GET /repos/{owner}/{repo}/issues': {
        const labels = String(params.labels ?? '').split(',').filter(Boolean);
        const list = [...this.issues.values()]
          .filter((i) => (params.state === 'all' || i.state === (params.state ?? 'open')) && labels.every((l) => i.labels.includes(l)) && (!params.since || i.updated_at >= params.since))
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
        const i = { number, title: params.title, body: params.body, labels: params.labels ?? [], assignees: params.assignees ?? [], state: 'open', state_reason: null, updated_at: this.now(), comments: 0 };
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
