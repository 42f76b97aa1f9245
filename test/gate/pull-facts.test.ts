/**
 * The GitHub adapter of the gate, against nock with responses shaped like GitHub's: what it reads,
 * how few calls it makes, and how it fails closed with a message that names the fix.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import nock from 'nock';
import { Octokit } from '@octokit/core';
import { gatherPullFacts, coAuthorLogins, type PullRef } from '../../src/adapters/github/pull-facts.ts';
import { objectsQuery } from '../../src/adapters/github/blobs.ts';
import { judgePull } from '../../src/core/pull/judge.ts';
import { loadBuiltinPacks } from '../../src/adapters/fs/packs.ts';
import { CONFIG, SYSTEMS, TODAY, grant } from './scenario.ts';

const API = 'https://api.github.com';
const HEAD = 'a'.repeat(40);
const BASE = 'b'.repeat(40);
const PULL: PullRef = { owner: 'acme', repo: 'access', number: 7, headSha: HEAD, baseSha: BASE, author: 'alice' };
const PR = '/repos/acme/access/pulls/7';

beforeAll(() => nock.disableNetConnect());
afterEach(() => {
  const pending = nock.pendingMocks();
  nock.cleanAll();
  expect(pending, 'every mocked call was made').toEqual([]);
});

function octokit(): Octokit {
  return new Octokit({ auth: 'ghs_test', request: { retries: 0 } });
}

const user = (login: string, type = 'User') => ({ login, id: login.length, type, site_admin: false });
const file = (filename: string, status = 'added', extra: Record<string, unknown> = {}) => ({ sha: 'f'.repeat(40), filename, status, additions: 1, deletions: 0, changes: 1, ...extra });
const review = (login: string, state: string, commit = HEAD, at = '2026-11-26T10:00:00Z') => ({ id: at.length, user: user(login), body: '', state, commit_id: commit, submitted_at: at, author_association: 'MEMBER' });
const commit = (author: string | null, committer: string | null = author, message = 'Grant access') => ({
  sha: 'c'.repeat(40),
  commit: { message, author: { name: author, email: `${author}@example.com` }, committer: { name: committer, email: `${committer}@example.com` } },
  author: author ? user(author) : null,
  committer: committer ? user(committer) : null,
});

const blob = (text: string) => ({ __typename: 'Blob', oid: 'd'.repeat(40), byteSize: Buffer.byteLength(text), isBinary: false, text });
const systemsTree = (files: Record<string, string>) => ({
  __typename: 'Tree',
  entries: Object.entries(files).map(([path, text]) => ({ name: path.split('/').pop(), path, type: 'blob', oid: 'e'.repeat(40), object: blob(text) })),
});

/**
 * Answers the batched blob query from a map of `<rev>:<path>` → object, as GitHub would. nock's
 * body matcher sees the parsed request; the reply is built from what it saw.
 */
function mockGraphql(scope: nock.Scope, objects: Record<string, unknown>, seen: { queries: string[]; variables: Record<string, unknown>[] } = { queries: [], variables: [] }): nock.Scope {
  let body: { query: string; variables: Record<string, unknown> } | undefined;
  return scope
    .post('/graphql', (b: { query: string; variables: Record<string, unknown> }) => {
      body = b;
      return true;
    })
    .reply(200, () => {
      seen.queries.push(body!.query);
      seen.variables.push(body!.variables);
      const repository: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(body!.variables)) if (/^e\d+$/.test(k)) repository[`f${k.slice(1)}`] = objects[v as string] ?? null;
      return { data: { repository } };
    });
}

describe('gatherPullFacts', () => {
  it('reads config and systems at the base and the changed grant at the head in one GraphQL query, and looks up only the memberships it needs', async () => {
    const seen = { queries: [] as string[], variables: [] as Record<string, unknown>[] };
    const bob = grant('bob');
    const scope = nock(API)
      .get(`${PR}/files`).query({ per_page: 100, page: 1 }).reply(200, [file('grants/people/bob.yaml'), file('README.md', 'modified')])
      .get(`${PR}/reviews`).query({ per_page: 100, page: 1 }).reply(200, [review('erin', 'APPROVED'), review('dave', 'COMMENTED'), review('ci-bot[bot]', 'APPROVED')].map((r, i) => (i === 2 ? { ...r, user: user('ci-bot[bot]', 'Bot') } : r)))
      .get(`${PR}/commits`).query({ per_page: 100, page: 1 }).reply(200, [commit('alice', 'web-flow', 'Grant bob\n\nCo-authored-by: Carl <4242+carl@users.noreply.github.com>')]);
    mockGraphql(scope, { [`${BASE}:access-ledger.yaml`]: blob(CONFIG), [`${BASE}:systems`]: systemsTree(SYSTEMS), [`${HEAD}:grants/people/bob.yaml`]: blob(bob) }, seen)
      .get('/orgs/acme/teams/dba/memberships/erin').reply(200, { state: 'active', role: 'member', url: `${API}/organizations/1/team/2/memberships/erin` })
      .get('/orgs/acme/members/carol').reply(204)
      .get('/orgs/acme/members/bob').reply(204);
    const facts = await gatherPullFacts(octokit(), PULL);
    expect(scope.isDone()).toBe(true);
    expect(seen.queries).toHaveLength(1);
    expect(seen.queries[0]).toBe(objectsQuery(4));
    expect(seen.queries[0]).toContain('f0: object(expression: $e0) { __typename ... on Blob { oid byteSize isBinary text } ... on Tree { entries { name path type oid object { ... on Blob { oid byteSize isBinary text } } } } }');
    expect(seen.variables[0]).toEqual({ owner: 'acme', name: 'access', e0: `${BASE}:access-ledger.yaml`, e1: `${BASE}:access-ledger.yml`, e2: `${BASE}:systems`, e3: `${HEAD}:grants/people/bob.yaml` });
    expect(facts.files).toEqual([{ path: 'grants/people/bob.yaml', status: 'added' }, { path: 'README.md', status: 'modified' }]);
    expect(facts.base.config?.data?.organization).toBe('acme');
    expect(facts.base.systems.map((s) => s.data?.id)).toEqual(['db', 'wiki']);
    expect(facts.head.grants.map((g) => [g.path, g.data?.identity.id, g.blobSha])).toEqual([['grants/people/bob.yaml', 'bob', 'd'.repeat(40)]]);
    expect(facts.reviews.map((r) => [r.reviewer, r.state, r.reviewerIsBot])).toEqual([['erin', 'APPROVED', false], ['dave', 'COMMENTED', false], ['ci-bot[bot]', 'APPROVED', true]]);
    expect(facts.commitAuthors).toEqual(['alice', 'web-flow', 'carl']);
    expect(facts.teamMembership).toEqual({ '@acme/dba': { erin: true } });
    expect(facts.orgMembership).toEqual({ carol: true, bob: true });
    const result = judgePull(facts, { packs: loadBuiltinPacks(), today: TODAY });
    expect(result).toMatchObject({ verdict: 'pass', nextStep: 'approved by erin' });
  });

  it('skips the lookups of rules the base policy turns off', async () => {
    const scope = nock(API)
      .get(`${PR}/files`).query(true).reply(200, [file('grants/people/bob.yaml')])
      .get(`${PR}/reviews`).query(true).reply(200, [review('erin', 'APPROVED')])
      .get(`${PR}/commits`).query(true).reply(200, [commit('alice')]);
    mockGraphql(scope, {
      [`${BASE}:access-ledger.yaml`]: blob(CONFIG + 'rules:\n  owner-in-org: "off"\n  approvals: "off"\n'),
      [`${BASE}:systems`]: systemsTree(SYSTEMS),
      [`${HEAD}:grants/people/bob.yaml`]: blob(grant('bob')),
    });
    const facts = await gatherPullFacts(octokit(), PULL, { packs: loadBuiltinPacks() });
    expect(facts.teamMembership).toEqual({});
    expect(facts.orgMembership).toEqual({});
    expect(judgePull(facts, { packs: loadBuiltinPacks(), today: TODAY }).verdict).toBe('pass');
  });

  it('stops after the file listing when nothing under grants/, systems/ or the config changed', async () => {
    nock(API).get(`${PR}/files`).query(true).reply(200, [file('README.md', 'modified'), file('docs/access.md')]);
    const facts = await gatherPullFacts(octokit(), PULL);
    expect(judgePull(facts, { packs: loadBuiltinPacks(), today: TODAY })).toMatchObject({ verdict: 'pass', nothingToCheck: true });
  });

  it('follows the Link header through every page of changed files', async () => {
    const page1 = Array.from({ length: 100 }, (_, i) => file(`docs/${i}.md`));
    const link = (n: number) => ({ link: `<${API}${PR}/files?per_page=100&page=${n}>; rel="next", <${API}${PR}/files?per_page=100&page=3>; rel="last"` });
    nock(API)
      .get(`${PR}/files`).query({ per_page: 100, page: 1 }).reply(200, page1, link(2))
      .get(`${PR}/files`).query({ per_page: 100, page: 2 }).reply(200, page1.map((f) => ({ ...f, filename: f.filename.replace('docs', 'more') })), link(3))
      .get(`${PR}/files`).query({ per_page: 100, page: 3 }).reply(200, [file('notes.txt')]);
    const facts = await gatherPullFacts(octokit(), PULL);
    expect(facts.files).toHaveLength(201);
  });

  it('maps renames, copies and deletions, and reads the before-state of a renamed grant at its old path', async () => {
    const seen = { queries: [] as string[], variables: [] as Record<string, unknown>[] };
    const scope = nock(API)
      .get(`${PR}/files`).query(true).reply(200, [
        file('grants/people/bob.yaml', 'renamed', { previous_filename: 'grants/bob.yaml' }),
        file('grants/people/old.yaml', 'removed'),
        file('grants/people/copy.yaml', 'copied'),
      ])
      .get(`${PR}/reviews`).query(true).reply(200, [])
      .get(`${PR}/commits`).query(true).reply(200, [commit('alice')]);
    mockGraphql(scope, {
        [`${BASE}:access-ledger.yaml`]: blob(CONFIG.replace('organization: acme\n', '')),
        [`${BASE}:systems`]: systemsTree(SYSTEMS),
        [`${BASE}:grants/bob.yaml`]: blob(grant('bob')),
        [`${BASE}:grants/people/old.yaml`]: blob(grant('old')),
        [`${HEAD}:grants/people/bob.yaml`]: blob(grant('bob')),
        [`${HEAD}:grants/people/copy.yaml`]: blob(grant('copy')),
      }, seen);
    const facts = await gatherPullFacts(octokit(), PULL);
    expect(facts.files).toEqual([
      { path: 'grants/people/bob.yaml', status: 'renamed', previousPath: 'grants/bob.yaml' },
      { path: 'grants/people/old.yaml', status: 'removed' },
      { path: 'grants/people/copy.yaml', status: 'added' },
    ]);
    expect(facts.base.grants.map((g) => g.path)).toEqual(['grants/bob.yaml', 'grants/people/old.yaml']);
    expect(facts.head.grants.map((g) => g.path)).toEqual(['grants/people/bob.yaml', 'grants/people/copy.yaml']);
  });

  it('turns a binary or oversized grant file into a schema finding instead of reading it', async () => {
    const scope = nock(API)
      .get(`${PR}/files`).query(true).reply(200, [file('grants/people/bin.yaml'), file('grants/people/huge.yaml')])
      .get(`${PR}/reviews`).query(true).reply(200, [])
      .get(`${PR}/commits`).query(true).reply(200, [commit('alice')]);
    mockGraphql(scope, {
        [`${BASE}:access-ledger.yaml`]: blob(CONFIG),
        [`${BASE}:systems`]: systemsTree(SYSTEMS),
        [`${HEAD}:grants/people/bin.yaml`]: { __typename: 'Blob', oid: '1'.repeat(40), byteSize: 12, isBinary: true, text: null },
        [`${HEAD}:grants/people/huge.yaml`]: { __typename: 'Blob', oid: '2'.repeat(40), byteSize: 5_000_000, isBinary: false, text: 'x' },
      });
    const facts = await gatherPullFacts(octokit(), PULL);
    const result = judgePull(facts, { packs: loadBuiltinPacks(), today: TODAY });
    // Nothing an unreadable file confers can be known: it is judged as widening, for the admins.
    expect(result.findings.map((f) => `${f.rule} ${f.file}:${f.line} ${f.message}`)).toEqual([
      'approvals grants/people/bin.yaml:1 this pull request changes `grants/people/bin.yaml`, which cannot be read as a grant; it needs 1 more approval from @acme/security (the admins)',
      'schema grants/people/bin.yaml:1 the file is binary, not YAML text: save it as UTF-8 text',
      'approvals grants/people/huge.yaml:1 this pull request changes `grants/people/huge.yaml`, which cannot be read as a grant; it needs 1 more approval from @acme/security (the admins)',
      'schema grants/people/huge.yaml:1 the file is 5000000 bytes, over the 1 MiB limit: split it, one identity per file',
    ]);
  });

  it('reads the config from a custom path at the base', async () => {
    const seen = { queries: [] as string[], variables: [] as Record<string, unknown>[] };
    const scope = nock(API)
      .get(`${PR}/files`).query(true).reply(200, [file('access/ledger.yaml', 'modified')])
      .get(`${PR}/reviews`).query(true).reply(200, [])
      .get(`${PR}/commits`).query(true).reply(200, [commit('alice')]);
    mockGraphql(scope, { [`${BASE}:access/ledger.yaml`]: blob(CONFIG), [`${HEAD}:access/ledger.yaml`]: blob(CONFIG + 'stale: { expiring_within_days: 30 }\n'), [`${BASE}:systems`]: systemsTree(SYSTEMS) }, seen);
    const facts = await gatherPullFacts(octokit(), PULL, { configPath: 'access/ledger.yaml' });
    expect(Object.values(seen.variables[0]!).filter((v) => String(v).includes(':'))).toEqual([`${BASE}:access/ledger.yaml`, `${BASE}:systems`, `${HEAD}:access/ledger.yaml`]);
    expect(facts.base.config?.path).toBe('access/ledger.yaml');
    expect(facts.head.config?.data?.stale?.expiring_within_days).toBe(30);
    expect(judgePull(facts, { packs: loadBuiltinPacks(), today: TODAY }).nextStep).toBe('needs 1 more approval from @acme/security (the admins)');
  });
});

describe('gatherPullFacts fails closed', () => {
  const relevant = () =>
    nock(API)
      .get(`${PR}/files`).query(true).reply(200, [file('grants/people/bob.yaml')])
      .get(`${PR}/reviews`).query(true).reply(200, [review('erin', 'APPROVED')]);
  const blobs = (scope: nock.Scope) =>
    mockGraphql(scope, { [`${BASE}:access-ledger.yaml`]: blob(CONFIG), [`${BASE}:systems`]: systemsTree(SYSTEMS), [`${HEAD}:grants/people/bob.yaml`]: blob(grant('bob')) });

  it('at GitHub\'s 3,000-file listing limit', async () => {
    const page = Array.from({ length: 100 }, (_, i) => file(`grants/g${i}.yaml`));
    const scope = nock(API);
    for (let p = 1; p <= 30; p++) scope.get(`${PR}/files`).query({ per_page: 100, page: p }).reply(200, page, p < 30 ? { link: `<${API}${PR}/files?page=${p + 1}>; rel="next"` } : {});
    await expect(gatherPullFacts(octokit(), PULL)).rejects.toThrow('pull request #7 changes 3000 or more files, and GitHub lists no more than 3000: the gate cannot see every change, so it fails closed. Split the pull request');
  });

  it('at GitHub\'s 250-commit listing limit', async () => {
    const scope = relevant();
    const page = Array.from({ length: 100 }, () => commit('alice'));
    scope.get(`${PR}/commits`).query({ per_page: 100, page: 1 }).reply(200, page, { link: `<${API}${PR}/commits?page=2>; rel="next"` });
    scope.get(`${PR}/commits`).query({ per_page: 100, page: 2 }).reply(200, page, { link: `<${API}${PR}/commits?page=3>; rel="next"` });
    scope.get(`${PR}/commits`).query({ per_page: 100, page: 3 }).reply(200, page.slice(0, 50));
    blobs(scope);
    await expect(gatherPullFacts(octokit(), PULL)).rejects.toThrow('has 250 or more commits, and GitHub lists no more than 250: the gate cannot tell who authored them all, so it fails closed');
  });

  it('on the primary rate limit, with when it resets', async () => {
    nock(API).get(`${PR}/files`).query(true).reply(403, { message: 'API rate limit exceeded for installation ID 1.', documentation_url: 'https://docs.github.com/rest/overview/resources-in-the-rest-api#rate-limiting' }, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '1795000000' });
    await expect(gatherPullFacts(octokit(), PULL)).rejects.toThrow(/^GitHub rate limit reached while listing the pull request's changed files .* \(resets at 2026-11-18T11:06:40.000Z\); retry later/);
  });

  it('when the token may not read pull requests', async () => {
    nock(API).get(`${PR}/files`).query(true).reply(403, { message: 'Resource not accessible by integration' });
    await expect(gatherPullFacts(octokit(), PULL)).rejects.toThrow('the token needs pull-requests: read (in the workflow, grant it under `permissions:`)');
  });

  it('on a server error', async () => {
    const scope = relevant();
    scope.get(`${PR}/commits`).query(true).reply(502, { message: 'Server Error' });
    blobs(scope);
    await expect(gatherPullFacts(octokit(), PULL)).rejects.toThrow('GitHub failed (502) while listing the pull request\'s commits');
  });

  it('on GraphQL errors', async () => {
    const scope = relevant();
    scope.get(`${PR}/commits`).query(true).reply(200, [commit('alice')]);
    scope.post('/graphql').reply(200, { data: null, errors: [{ type: 'RATE_LIMITED', message: 'API rate limit exceeded for installation ID 1.' }] });
    await expect(gatherPullFacts(octokit(), PULL)).rejects.toThrow("GitHub's GraphQL rate limit is exhausted while reading files of acme/access: re-run after it resets");
  });

  it('when the token cannot read team membership, saying which token to use', async () => {
    const scope = relevant();
    scope.get(`${PR}/commits`).query(true).reply(200, [commit('alice')]);
    blobs(scope);
    scope.get('/orgs/acme/teams/dba/memberships/erin').reply(403, { message: 'Resource not accessible by integration' });
    scope.get('/orgs/acme/members/carol').optionally().reply(204);
    scope.get('/orgs/acme/members/bob').optionally().reply(204);
    await expect(gatherPullFacts(octokit(), PULL)).rejects.toThrow(
      "GitHub refused access (403) while reading whether erin is a member of @acme/dba (GET /orgs/{org}/teams/{team_slug}/memberships/{username}) for acme/access: the token cannot read the organization's teams or members: use an App installation token with the organization permission Members: read (e.g. from actions/create-github-app-token) as the `token` input",
    );
  });

  it('when a listed team does not exist or is invisible to the token', async () => {
    const scope = relevant();
    scope.get(`${PR}/commits`).query(true).reply(200, [commit('alice')]);
    blobs(scope);
    scope.get('/orgs/acme/teams/dba/memberships/erin').reply(404, { message: 'Not Found' });
    scope.get('/orgs/acme/teams/dba').reply(404, { message: 'Not Found' });
    scope.get('/orgs/acme/members/carol').optionally().reply(204);
    scope.get('/orgs/acme/members/bob').optionally().reply(204);
    await expect(gatherPullFacts(octokit(), PULL)).rejects.toThrow('team @acme/dba, listed as approvers on the base branch, does not exist or the token cannot see it');
  });

  it('treats a 404 as "not a member" once the team is known to be visible', async () => {
    const scope = relevant();
    scope.get(`${PR}/commits`).query(true).reply(200, [commit('alice')]);
    blobs(scope);
    scope.get('/orgs/acme/teams/dba/memberships/erin').reply(404, { message: 'Not Found' });
    scope.get('/orgs/acme/teams/dba').reply(200, { id: 2, slug: 'dba', name: 'dba' });
    scope.get('/orgs/acme/members/carol').reply(204);
    scope.get('/orgs/acme/members/bob').reply(404, { message: 'Not Found' });
    const facts = await gatherPullFacts(octokit(), PULL);
    expect(facts.teamMembership).toEqual({ '@acme/dba': { erin: false } });
    expect(facts.orgMembership).toEqual({ carol: true, bob: false });
  });

  it('when the token cannot see private org members (GitHub redirects to the public check)', async () => {
    const scope = relevant();
    scope.get(`${PR}/commits`).query(true).reply(200, [commit('alice')]);
    blobs(scope);
    scope.get('/orgs/acme/teams/dba/memberships/erin').optionally().reply(200, { state: 'active' });
    scope.get('/orgs/acme/members/carol').reply(302, '', { location: `${API}/orgs/acme/public_members/carol` });
    scope.get('/orgs/acme/members/bob').optionally().reply(302, '', { location: `${API}/orgs/acme/public_members/bob` });
    await expect(gatherPullFacts(octokit(), PULL)).rejects.toThrow('the token cannot see private members of the acme organization, so the gate cannot tell whether @');
  });
});

describe('co-authors', () => {
  it('takes logins from GitHub no-reply addresses in Co-authored-by trailers', () => {
    expect(coAuthorLogins('Fix\n\nCo-authored-by: Dave <12+dave@users.noreply.github.com>\nco-authored-by: e <erin@users.noreply.github.com>\nCo-authored-by: X <x@example.com>')).toEqual(['dave', 'erin']);
  });
});
