/** Behaviour of the fake's REST API that later end-to-end tests rely on. */
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Octokit } from '@octokit/core';
import { paginateRest } from '@octokit/plugin-paginate-rest';
import { ProbotOctokit } from 'probot';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeGitHub, type FakeGitHub } from '../support/fake-github/index.ts';
import { appJwt, client, seedAcme } from './helpers.ts';

let gh: FakeGitHub;
let pr: number;
let installationId: number;
let token: string;
let call: ReturnType<typeof client>;
const R = '/repos/acme/access';

beforeEach(async () => {
  gh = await startFakeGitHub();
  ({ pr, installationId } = seedAcme(gh));
  token = gh.createInstallationToken(installationId);
  call = client(gh, token);
});
afterEach(async () => {
  expect(gh.errors).toEqual([]);
  await gh.close();
});

describe('pagination', () => {
  it('per_page/page with Link first/prev/next/last, at / and under /api/v3', async () => {
    for (let i = 1; i <= 7; i++) gh.state.createIssue('acme/access', { author: 'alice', title: `issue ${i}` });
    for (const base of [gh.url, gh.gheUrl]) {
      const get = client(gh, token, base);
      const p1 = await get('GET', `${R}/issues?state=all&per_page=3`);
      // 7 issues plus the open PR: PRs are listed as issues, as on GitHub.
      expect(p1.body.map((i: { number: number }) => i.number)).toEqual([8, 7, 6]);
      expect(p1.body.filter((i: { pull_request?: unknown }) => i.pull_request)).toEqual([]);
      expect(p1.headers.get('link')).toBe(
        `<${base}${R}/issues?state=all&per_page=3&page=2>; rel="next", <${base}${R}/issues?state=all&per_page=3&page=3>; rel="last"`,
      );
      const p3 = await get('GET', `${R}/issues?state=all&per_page=3&page=3`);
      expect(p3.body.map((i: { number: number }) => i.number)).toEqual([2, 1]);
      expect(p3.body[1].pull_request.url).toBe(`${base}${R}/pulls/1`);
      expect(p3.headers.get('link')).toBe(
        `<${base}${R}/issues?state=all&per_page=3&page=2>; rel="prev", <${base}${R}/issues?state=all&per_page=3&page=1>; rel="first"`,
      );
    }
  });

  it('octokit.paginate follows the links to the end', async () => {
    for (let i = 0; i < 45; i++) gh.state.createIssue('acme/access', { author: 'alice', title: `t${i}`, labels: i % 3 ? [] : ['stale'] });
    const octokit = new (Octokit.plugin(paginateRest))({ baseUrl: gh.url, auth: token });
    const all = await octokit.paginate('GET /repos/{owner}/{repo}/issues', { owner: 'acme', repo: 'access', state: 'all', per_page: 10 });
    expect(all).toHaveLength(46);
    const stale = await octokit.paginate('GET /repos/{owner}/{repo}/issues', { owner: 'acme', repo: 'access', labels: 'stale', per_page: 4 });
    expect(stale).toHaveLength(15);
    expect(gh.callCount('GET /repos/{owner}/{repo}/issues')).toBe(5 + 4);
  });
});

describe('git data: the ledger write path', () => {
  it('appends to an orphan branch with blobs, nested trees, commits and compare-and-swap ref updates', async () => {
    const blob = await call('POST', `${R}/git/blobs`, { body: { content: Buffer.from('{"seq":1}\n').toString('base64'), encoding: 'base64' } });
    const tree1 = await call('POST', `${R}/git/trees`, {
      body: {
        tree: [
          { path: 'records/2026/11/pr-1-merged.json', mode: '100644', type: 'blob', sha: blob.body.sha },
          { path: 'head.json', mode: '100644', type: 'blob', content: '{"seq":1}\n' },
        ],
      },
    });
    expect(tree1.status).toBe(201);
    expect(tree1.body.tree.map((e: { path: string }) => e.path)).toEqual(['head.json', 'records']);
    const c1 = await call('POST', `${R}/git/commits`, { body: { message: 'ledger: seq 1', tree: tree1.body.sha, parents: [] } });
    expect(c1.body.author.name).toBe('access-ledger[bot]');
    expect((await call('POST', `${R}/git/refs`, { body: { ref: 'refs/heads/access-ledger', sha: c1.body.sha } })).status).toBe(201);

    const tree2 = await call('POST', `${R}/git/trees`, {
      body: {
        base_tree: tree1.body.sha,
        tree: [
          { path: 'records/2026/11/pr-2-merged.json', mode: '100644', type: 'blob', content: '{"seq":2}\n' },
          { path: 'head.json', mode: '100644', type: 'blob', content: '{"seq":2}\n' },
        ],
      },
    });
    const c2 = await call('POST', `${R}/git/commits`, { body: { message: 'ledger: seq 2', tree: tree2.body.sha, parents: [c1.body.sha] } });
    const ok = await call('PATCH', `${R}/git/refs/heads/access-ledger`, { body: { sha: c2.body.sha, force: false } });
    expect(ok.status).toBe(200);
    expect(ok.body.object.sha).toBe(c2.body.sha);

    expect(gh.state.ledger('acme/access')).toEqual({
      'head.json': '{"seq":2}\n',
      'records/2026/11/pr-1-merged.json': '{"seq":1}\n',
      'records/2026/11/pr-2-merged.json': '{"seq":2}\n',
    });
    const listing = await call('GET', `${R}/git/trees/access-ledger?recursive=1`);
    expect(listing.body.truncated).toBe(false);
    expect(listing.body.tree.map((e: { path: string; type: string }) => `${e.type} ${e.path}`)).toEqual([
      'blob head.json',
      'tree records',
      'tree records/2026',
      'tree records/2026/11',
      'blob records/2026/11/pr-1-merged.json',
      'blob records/2026/11/pr-2-merged.json',
    ]);
  });

  it('refuses a non-fast-forward update exactly like GitHub, and allows it with force', async () => {
    const main = gh.state.branchTip(gh.state.repo('acme/access'), 'main');
    const sibling = await call('POST', `${R}/git/commits`, {
      body: { message: 'sibling', tree: gh.state.repo('acme/access').git.commit(main)?.tree, parents: [] },
    });
    const refused = await call('PATCH', `${R}/git/refs/heads/main`, { body: { sha: sibling.body.sha, force: false } });
    expect(refused.status).toBe(422);
    expect(refused.body).toEqual({
      message: 'Update is not a fast forward',
      documentation_url: 'https://docs.github.com/rest/git/refs#update-a-reference',
      status: '422',
    });
    expect(gh.state.branchTip(gh.state.repo('acme/access'), 'main')).toBe(main);
    const forced = await call('PATCH', `${R}/git/refs/heads/main`, { body: { sha: sibling.body.sha, force: true } });
    expect(forced.status).toBe(200);
    const missing = await call('PATCH', `${R}/git/refs/heads/nope`, { body: { sha: main } });
    expect([missing.status, missing.body.message]).toEqual([422, 'Reference does not exist']);
  });

  it('ref names may contain slashes', async () => {
    const main = gh.state.branchTip(gh.state.repo('acme/access'), 'main');
    await call('POST', `${R}/git/refs`, { body: { ref: 'refs/heads/feature/deep/name', sha: main } });
    expect((await call('GET', `${R}/git/ref/heads/feature/deep/name`)).body.object.sha).toBe(main);
    expect((await call('GET', `${R}/git/matching-refs/heads/feature/`)).body).toHaveLength(1);
    expect((await call('DELETE', `${R}/git/refs/heads/feature/deep/name`)).status).toBe(204);
  });

  it('reports truncated listings past the entry limit', async () => {
    gh.state.treeEntryLimit = 2;
    expect((await call('GET', `${R}/git/trees/main?recursive=1`)).body.truncated).toBe(true);
  });
});

describe('pull requests', () => {
  it('files, commits and reviews as GitHub reports them', async () => {
    gh.state.pushToPullRequest(
      'acme/access',
      pr,
      { 'systems/prod-postgres.yaml': null, 'systems/postgres.yaml': 'id: prod-postgres\nowner: carol\n' },
      { author: 'bob' },
    );
    const files = await call('GET', `${R}/pulls/${pr}/files`);
    expect(files.body.map((f: Record<string, unknown>) => [f.filename, f.status, f.previous_filename, f.additions, f.deletions, f.changes])).toEqual([
      ['grants/humans/alice.yaml', 'added', undefined, 2, 0, 2],
      ['grants/humans/bob.yaml', 'modified', undefined, 1, 0, 1],
      ['systems/postgres.yaml', 'renamed', 'systems/prod-postgres.yaml', 0, 0, 0],
    ]);
    const repo = gh.state.repo('acme/access');
    const head = gh.state.pullOf('acme/access', pr).pull.headSha;
    const blobAtHead = repo.git.entryAt(repo.git.commit(head)?.tree as string, 'grants/humans/alice.yaml')?.sha;
    expect(files.body[0].sha).toBe(blobAtHead);

    const commits = await call('GET', `${R}/pulls/${pr}/commits`);
    expect(commits.body.map((c: { author: { login: string }; commit: { author: { email: string } } }) => c.author.login)).toEqual(['alice', 'bob']);
    expect(commits.body[1].sha).toBe(head);

    const self = await call('POST', `${R}/pulls/${pr}/reviews`, { token: gh.createToken('alice'), body: { event: 'APPROVE' } });
    expect(self.status).toBe(422);
    expect(self.body.errors).toEqual(['Can not approve your own pull request']);
    const stale = gh.state.submitReview('acme/access', pr, { user: 'dave', state: 'APPROVED', commitId: repo.git.commit(head)?.parents[0] as string });
    const fresh = await call('POST', `${R}/pulls/${pr}/reviews`, { token: gh.createToken('carol'), body: { event: 'REQUEST_CHANGES', body: 'needs expiry' } });
    await call('PUT', `${R}/pulls/${pr}/reviews/${fresh.body.id}/dismissals`, { body: { message: 'addressed' } });
    const reviews = await call('GET', `${R}/pulls/${pr}/reviews`);
    expect(reviews.body.map((r: Record<string, any>) => [r.user.login, r.state, r.commit_id === head])).toEqual([
      ['dave', 'APPROVED', false],
      ['carol', 'DISMISSED', true],
    ]);
    expect(stale.id).toBe(reviews.body[0].id);
  });

  it('merging writes a real merge commit whose first parent is the base head', async () => {
    const repo = gh.state.repo('acme/access');
    // Move main after the PR branched, so the merge is a true three-way merge.
    const baseHead = gh.state.commitFiles('acme/access', 'main', { 'systems/ci.yaml': 'id: ci\n' }, { author: 'carol' });
    const head = gh.state.pullOf('acme/access', pr).pull.headSha;
    // The base moving on does not put its changes into the PR's three-dot diff.
    const files = async (): Promise<string[]> => (await call('GET', `${R}/pulls/${pr}/files`)).body.map((f: { filename: string }) => f.filename);
    expect(await files()).toEqual(['grants/humans/alice.yaml', 'grants/humans/bob.yaml']);
    const merged = await call('PUT', `${R}/pulls/${pr}/merge`, { token: gh.createToken('dave'), body: { sha: head, merge_method: 'merge' } });
    expect(merged.body).toMatchObject({ merged: true, message: 'Pull Request successfully merged' });
    const commit = await call('GET', `${R}/git/commits/${merged.body.sha}`);
    expect(commit.body.parents.map((p: { sha: string }) => p.sha)).toEqual([baseHead, head]);
    expect(commit.body.message).toBe('Merge pull request #1 from acme/grant-alice\n\nGrant alice read on prod-postgres');
    expect(gh.state.branchTip(repo, 'main')).toBe(merged.body.sha);
    expect(gh.state.readFile('acme/access', 'main', 'grants/humans/alice.yaml')).toBe('identity:\n  id: alice\n');
    expect(gh.state.readFile('acme/access', 'main', 'systems/ci.yaml')).toBe('id: ci\n');
    const after = await call('GET', `${R}/pulls/${pr}`);
    expect(after.body).toMatchObject({ state: 'closed', merged: true, merge_commit_sha: merged.body.sha, merged_by: { login: 'dave' } });
    expect(after.body.base.sha).toBe(baseHead);
    expect(after.body.head.sha).toBe(head);
    expect(await files()).toEqual(['grants/humans/alice.yaml', 'grants/humans/bob.yaml']);
  });

  it('squash merges leave one parent; a stale head SHA or a conflict refuses', async () => {
    const stale = await call('PUT', `${R}/pulls/${pr}/merge`, { body: { sha: '0'.repeat(40) } });
    expect([stale.status, stale.body.message]).toEqual([409, 'Head branch was modified. Review and try the merge again.']);
    gh.state.commitFiles('acme/access', 'main', { 'grants/humans/bob.yaml': 'identity:\n  id: bob\n  kind: agent\n' });
    const conflict = await call('PUT', `${R}/pulls/${pr}/merge`, {});
    expect([conflict.status, conflict.body.message]).toEqual([405, 'Pull Request is not mergeable']);
    expect((await call('GET', `${R}/pulls/${pr}`)).body).toMatchObject({ mergeable: false, mergeable_state: 'dirty' });

    const n = gh.state.openPullRequest('acme/access', { author: 'bob', title: 'Remove bob', files: { 'grants/humans/bob.yaml': null } });
    const base = gh.state.branchTip(gh.state.repo('acme/access'), 'main');
    const squash = await call('PUT', `${R}/pulls/${n}/merge`, { body: { merge_method: 'squash' } });
    expect((await call('GET', `${R}/git/commits/${squash.body.sha}`)).body.parents.map((p: { sha: string }) => p.sha)).toEqual([base]);
    expect(gh.state.readFile('acme/access', 'main', 'grants/humans/bob.yaml')).toBeUndefined();
  });

  it('lists with state, base and sort filters', async () => {
    const n2 = gh.state.openPullRequest('acme/access', { author: 'bob', title: 'two', files: { 'a.txt': 'a' } });
    gh.state.mergePull('acme/access', n2, { by: 'dave' });
    const numbers = async (q: string): Promise<number[]> => (await call('GET', `${R}/pulls${q}`)).body.map((p: { number: number }) => p.number);
    expect(await numbers('')).toEqual([pr]);
    expect(await numbers('?state=closed')).toEqual([n2]);
    expect(await numbers('?state=all')).toEqual([n2, pr]);
    expect(await numbers('?state=all&direction=asc')).toEqual([pr, n2]);
    expect(await numbers('?state=all&base=other')).toEqual([]);
    expect(await numbers('?state=all&head=acme:grant-alice')).toEqual([pr]);
  });
});

describe('issues', () => {
  it('filters, labels, state_reason, and disabled issues', async () => {
    const a = await call('POST', `${R}/issues`, { body: { title: 'Expired: bob', labels: ['access-ledger', 'expired'], assignees: ['carol'] } });
    expect(a.body.user.login).toBe('access-ledger[bot]');
    gh.state.createIssue('acme/access', { author: 'alice', title: 'Question', labels: ['question'] });
    const titles = async (q: string): Promise<string[]> => (await call('GET', `${R}/issues${q}`)).body.map((i: { title: string }) => i.title);
    expect(await titles('?labels=access-ledger,expired')).toEqual(['Expired: bob']);
    expect(await titles('?creator=alice')).toEqual(['Question', 'Grant alice read on prod-postgres']);
    expect(await titles('?assignee=carol')).toEqual(['Expired: bob']);
    const closed = await call('PATCH', `${R}/issues/${a.body.number}`, { body: { state: 'closed', state_reason: 'not_planned' } });
    expect(closed.body).toMatchObject({ state: 'closed', state_reason: 'not_planned', closed_by: { login: 'access-ledger[bot]' } });
    expect(await titles('?labels=expired')).toEqual([]);
    expect(await titles('?labels=expired&state=closed')).toEqual(['Expired: bob']);
    expect(gh.state.listIssues('acme/access', { state: 'closed' }).map((i) => i.stateReason)).toEqual(['not_planned']);

    gh.state.createRepo('acme/no-issues', { hasIssues: false });
    const gone = await call('POST', '/repos/acme/no-issues/issues', { body: { title: 'x' } });
    expect([gone.status, gone.body.message]).toEqual([410, 'Issues are disabled for this repo']);
  });

  it('timestamps come from the configured clock, at whole seconds like GitHub', async () => {
    const fixed = await startFakeGitHub({ now: () => new Date('2026-11-26T10:00:00.123Z') });
    try {
      fixed.state.createRepo('solo/repo');
      const created = await client(fixed, fixed.createToken('solo'))('POST', '/repos/solo/repo/issues', { body: { title: 'x' } });
      expect(created.body.created_at).toBe('2026-11-26T10:00:00Z');
    } finally {
      await fixed.close();
    }
  });

  it('comments can be edited in place (the sticky comment)', async () => {
    const c = await call('POST', `${R}/issues/${pr}/comments`, { body: { body: 'Recorded: hash abc' } });
    await call('PATCH', `${R}/issues/comments/${c.body.id}`, { body: { body: 'Recorded: hash def' } });
    expect(gh.state.issue('acme/access', pr).comments.map((x) => [x.user.login, x.body])).toEqual([['access-ledger[bot]', 'Recorded: hash def']]);
  });
});

describe('orgs and teams', () => {
  it('membership answers depend on who asks', async () => {
    gh.state.addOrgMember('acme', 'pending-pete', { state: 'pending' });
    expect((await call('GET', '/orgs/acme/members/alice')).status).toBe(204);
    expect((await call('GET', '/orgs/acme/members/pending-pete')).status).toBe(404);
    expect((await call('GET', '/orgs/acme/memberships/pending-pete')).body.state).toBe('pending');
    const outsider = await call('GET', '/orgs/acme/members/alice', { token: gh.createToken('mallory') });
    expect(outsider.status).toBe(302);
    expect(outsider.headers.get('location')).toBe(`${gh.url}/orgs/acme/public_members/alice`);
    expect((await call('GET', '/orgs/acme/teams/dba/memberships/dave')).body).toMatchObject({ role: 'member', state: 'active' });
    gh.state.removeOrgMember('acme', 'dave');
    expect((await call('GET', '/orgs/acme/teams/dba/memberships/dave')).status).toBe(404);
    expect((await call('GET', '/orgs/acme/members')).body.map((u: { login: string }) => u.login)).toEqual(['alice', 'bob', 'carol']);
  });

  it('a team by slug: counts and dates for the org and its members, the same 404 for a missing team and an outsider', async () => {
    const dba = await call('GET', '/orgs/acme/teams/DBA');
    expect(dba.status).toBe(200);
    expect(dba.body).toMatchObject({ slug: 'dba', members_count: 1, organization: { login: 'acme', type: 'Organization' } });
    const before = dba.body.updated_at as string;
    gh.state.now = () => new Date(Date.parse(before) + 60_000);
    gh.state.addTeamMember('acme', 'dba', 'bob');
    const after = (await call('GET', '/orgs/acme/teams/dba')).body;
    expect([after.members_count, after.updated_at > before, after.created_at]).toEqual([2, true, dba.body.created_at]);
    expect((await call('GET', '/orgs/acme/teams/dba', { token: gh.createToken('alice') })).status).toBe(200);
    const missing = await call('GET', '/orgs/acme/teams/no-such-team');
    expect([missing.status, missing.body.message]).toEqual([404, 'Not Found']);
    expect(missing.body.documentation_url).toMatch(/^https:\/\/docs\.github\.com\/rest\/teams\//);
    const hidden = await call('GET', '/orgs/acme/teams/dba', { token: gh.createToken('mallory') });
    expect([hidden.status, hidden.body]).toEqual([missing.status, missing.body]);
  });
});

describe('installation repositories', () => {
  it('lists what the installation covers, wrapped with total_count and repository_selection, paged by Link', async () => {
    for (const name of ['web', 'api', 'infra']) gh.state.createRepo(`acme/${name}`);
    gh.state.createRepo('someone-else/private');
    const first = await call('GET', '/installation/repositories?per_page=3');
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ total_count: 4, repository_selection: 'all' });
    expect(first.body.repositories.map((r: { full_name: string }) => r.full_name)).toEqual(['acme/access', 'acme/web', 'acme/api']);
    expect(first.headers.get('link')).toBe(
      `<${gh.url}/installation/repositories?per_page=3&page=2>; rel="next", <${gh.url}/installation/repositories?per_page=3&page=2>; rel="last"`,
    );
    const second = await call('GET', '/installation/repositories?per_page=3&page=2');
    expect([second.body.total_count, second.body.repositories.map((r: { full_name: string }) => r.full_name)]).toEqual([4, ['acme/infra']]);

    // A client reads it the usual way: octokit.paginate unwraps `repositories` across the pages.
    const octokit = new (Octokit.plugin(paginateRest))({ baseUrl: gh.gheUrl, auth: token });
    const all = await octokit.paginate('GET /installation/repositories', { per_page: 2 });
    expect(all.map((r) => r.full_name)).toEqual(['acme/access', 'acme/web', 'acme/api', 'acme/infra']);
    expect(gh.callCount('GET /installation/repositories')).toBe(2 + 2);
  });

  it('a selected installation lists only its selection; user tokens and the App JWT are refused', async () => {
    gh.state.createOrg('globex', { members: ['gina'], install: false });
    for (const name of ['access', 'billing', 'wiki']) gh.state.createRepo(`globex/${name}`);
    const selected = gh.state.install('globex', { repositories: ['access', 'wiki'] });
    const res = await call('GET', '/installation/repositories', { token: gh.createInstallationToken(selected.id) });
    expect(res.body).toMatchObject({ total_count: 2, repository_selection: 'selected' });
    expect(res.body.repositories.map((r: { full_name: string }) => r.full_name)).toEqual(['globex/access', 'globex/wiki']);
    const user = await call('GET', '/installation/repositories', { token: gh.createToken('gina') });
    expect([user.status, user.body.message]).toEqual([
      403,
      'You must authenticate with an installation access token in order to list repositories for an installation.',
    ]);
    expect((await call('GET', '/installation/repositories', { token: appJwt() })).status).toBe(403);
  });
});

describe('contents', () => {
  it('base64 with GitHub line wrapping, raw media type, and the 1 MB inline limit', async () => {
    const big = 'x'.repeat(1024 * 1024 + 1);
    const text = 'line\n'.repeat(30);
    gh.state.commitFiles('acme/access', 'main', { 'big.txt': big, 'text.txt': text });
    const file = await call('GET', `${R}/contents/text.txt`);
    expect(file.body.content.split('\n')[0]).toHaveLength(60);
    expect(Buffer.from(file.body.content, 'base64').toString()).toBe(text);
    expect((await call('GET', `${R}/contents/text.txt`, { accept: 'application/vnd.github.raw+json' })).body).toBe(text);
    expect((await call('GET', `${R}/contents/big.txt`)).body).toMatchObject({ encoding: 'none', content: '', size: big.length });
    const missingRef = await call('GET', `${R}/contents/text.txt?ref=nope`);
    expect([missingRef.status, missingRef.body.message]).toEqual([404, 'No commit found for the ref nope']);
  });

  it('tarball redirects to an archive git-compatible tools can read', async () => {
    const redirect = await call('GET', `${R}/tarball/main`);
    expect(redirect.status).toBe(302);
    const archive = Buffer.from(await (await fetch(redirect.headers.get('location') as string)).arrayBuffer());
    const dir = mkdtempSync(join(tmpdir(), 'fake-tar-'));
    try {
      writeFileSync(join(dir, 'a.tgz'), archive);
      const listing = execFileSync('tar', ['-tzf', join(dir, 'a.tgz')])
        .toString()
        .trim()
        .split('\n');
      expect(
        listing
          .filter((l) => !l.endsWith('/'))
          .map((l) => l.replace(/^[^/]+\//, ''))
          .sort(),
      ).toEqual(['access-ledger.yaml', 'grants/humans/bob.yaml', 'systems/prod-postgres.yaml']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('authentication and rate limits', () => {
  it('an App authenticates with a JWT, mints an installation token, and reads its repos only', async () => {
    const { privateKey } = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    const octokit = new ProbotOctokit({ baseUrl: gh.url, auth: { appId: gh.state.app.id, privateKey, installationId } });
    const { data } = await octokit.request('GET /repos/{owner}/{repo}/pulls/{pull_number}', { owner: 'acme', repo: 'access', pull_number: pr });
    expect(data.number).toBe(pr);
    expect(gh.callCount('POST /app/installations/{installation_id}/access_tokens')).toBe(1);

    gh.state.createRepo('someone-else/private');
    expect((await call('GET', '/repos/someone-else/private')).status).toBe(404);
    expect((await call('GET', R, { token: appJwt() })).status).toBe(403);
    expect((await call('GET', '/app', { token: token })).status).toBe(401);
    expect((await client(gh)('GET', R)).status).toBe(401);
    expect((await call('GET', R, { token: 'ghs_forged' })).body.message).toBe('Bad credentials');
    gh.expireTokens();
    expect((await call('GET', R)).status).toBe(401);
  });

  it('counts the quota in x-ratelimit-* headers and refuses when it is spent', async () => {
    const limited = await startFakeGitHub({ rateLimit: 2 });
    try {
      limited.state.createRepo('solo/repo');
      const get = client(limited, limited.createToken('solo'));
      const first = await get('GET', '/repos/solo/repo');
      expect(first.headers.get('x-ratelimit-remaining')).toBe('1');
      expect(first.headers.get('x-ratelimit-used')).toBe('1');
      await get('GET', '/repos/solo/repo');
      const refused = await get('GET', '/repos/solo/repo');
      expect(refused.status).toBe(403);
      expect(refused.headers.get('x-ratelimit-remaining')).toBe('0');
      expect(refused.body.message).toMatch(/^API rate limit exceeded/);
      expect((await get('GET', '/rate_limit')).body.resources.core).toMatchObject({ limit: 2, remaining: 0 });
    } finally {
      await limited.close();
    }
  });
});

describe('GraphQL blob reads', () => {
  const query = `query($owner: String!, $name: String!) { repository(owner: $owner, name: $name) {
    f0: object(expression: "main:grants/humans/bob.yaml") { __typename ... on Blob { oid byteSize isBinary text } ... on Tree { entries { name path type oid object { ... on Blob { oid byteSize isBinary text } } } } }
    f1: object(expression: "SHA:grants") { __typename ... on Blob { oid byteSize isBinary text } ... on Tree { entries { name path type oid object { ... on Blob { oid byteSize isBinary text } } } } }
    f2: object(expression: "main:nope.yaml") { __typename }
  } }`;

  it('resolves blobs and trees by branch or commit SHA, null when absent, at /graphql and /api/graphql', async () => {
    const head = gh.state.pullOf('acme/access', pr).pull.headSha;
    for (const url of [gh.graphqlUrl, `${gh.url}/api/graphql`]) {
      const res = await fetch(url, {
        method: 'POST',
        headers: { authorization: `token ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ query: query.replace('SHA', head), variables: { owner: 'acme', name: 'access' } }),
      });
      const { data, errors } = (await res.json()) as { data: any; errors?: unknown };
      expect(errors).toBeUndefined();
      const repo = gh.state.repo('acme/access');
      expect(data.repository.f0).toEqual({
        __typename: 'Blob',
        oid: repo.git.writeBlob('identity:\n  id: bob\n'),
        byteSize: 20,
        isBinary: false,
        text: 'identity:\n  id: bob\n',
      });
      expect(data.repository.f1.__typename).toBe('Tree');
      expect(data.repository.f1.entries.map((e: { path: string; type: string }) => `${e.type} ${e.path}`)).toEqual(['tree grants/humans']);
      expect(data.repository.f2).toBeNull();
    }
    expect(gh.callCount('POST /graphql')).toBe(2);
  });

  it('answers octokit.graphql, with either base URL layout', async () => {
    for (const baseUrl of [gh.url, gh.gheUrl]) {
      const octokit = new Octokit({ baseUrl, auth: token });
      const res = await octokit.graphql<{ repository: { f0: { text: string } } }>(
        'query($owner: String!, $name: String!) { repository(owner: $owner, name: $name) { f0: object(expression: "main:access-ledger.yaml") { ... on Blob { text } } } }',
        { owner: 'acme', name: 'access' },
      );
      expect(res.repository.f0.text).toBe('version: 1\norganization: acme\n');
    }
  });

  it('reports an unknown repository the way GitHub does', async () => {
    const res = await fetch(gh.graphqlUrl, {
      method: 'POST',
      headers: { authorization: `token ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ repository(owner: "acme", name: "nope") { id } }' }),
    });
    const body = (await res.json()) as { data: unknown; errors: Array<Record<string, unknown>> };
    expect(body.data).toEqual({ repository: null });
    expect(body.errors[0]).toMatchObject({ type: 'NOT_FOUND', path: ['repository'], message: "Could not resolve to a Repository with the name 'acme/nope'." });
  });
});
