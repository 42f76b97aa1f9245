/**
 * The GitHub adapter of the gate, against the stateful fake GitHub: what it reads of a pull request
 * that really exists there, how few calls it makes, that it reads every page whatever the page
 * size, and how it fails closed with a message that names the fix.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Octokit } from '@octokit/core';
import { gatherPullFacts, coAuthorLogins, type PullRef } from '../../src/adapters/github/pull-facts.ts';
import { judgePull } from '../../src/core/pull/judge.ts';
import { loadBuiltinPacks } from '../../src/adapters/fs/packs.ts';
import { startFakeGitHub, type FakeGitHub, type Files } from '../support/fake-github/index.ts';
import { refuseRealConnections } from '../support/no-network.ts';
import { CONFIG, SYSTEMS, TODAY, grant } from './scenario.ts';

refuseRealConnections();

const REPO = 'acme/access';
const FILES = 'GET /repos/{owner}/{repo}/pulls/{pull_number}/files';
const TEAM_MEMBERSHIP = 'GET /orgs/{org}/teams/{team_slug}/memberships/{username}';
const ORG_MEMBER = 'GET /orgs/{org}/members/{username}';

let gh: FakeGitHub;

beforeEach(async () => {
  gh = await startFakeGitHub({ now: () => new Date('2026-11-26T10:00:00Z') });
  gh.state.createOrg('acme', { members: ['alice', 'bob', 'carol', 'dave', 'erin'] });
  gh.state.createTeam('acme', 'dba', { members: ['erin'] });
  gh.state.createUser('ci-bot[bot]', { type: 'Bot' });
});

afterEach(async () => {
  expect(gh.errors).toEqual([]);
  await gh.close();
});

/** The access repo on its default branch: the config (at `configPath`), the two systems, and `files`. */
function accessRepo(files: Files = {}, opts: { config?: string; configPath?: string } = {}): void {
  gh.state.createRepo(REPO, { files: { [opts.configPath ?? 'access-ledger.yaml']: opts.config ?? CONFIG, ...SYSTEMS, ...files } });
}

/** alice's pull request making these changes, with these reviews; its ref as the gate is given it. */
function pull(files: Files, reviews: Array<[string, 'APPROVED' | 'COMMENTED']> = [], message = 'Grant access'): PullRef {
  const number = gh.state.openPullRequest(REPO, { author: 'alice', title: message.split('\n')[0]!, commits: [{ files, message }] });
  for (const [user, state] of reviews) gh.state.submitReview(REPO, number, { user, state });
  const { pull: p } = gh.state.pullOf(REPO, number);
  return { owner: 'acme', repo: 'access', number, headSha: p.headSha, baseSha: p.baseSha, author: 'alice' };
}

function octokit(): Octokit {
  return new Octokit({ baseUrl: gh.url, auth: gh.createInstallationToken(gh.state.installationFor('acme')!.id), request: { retries: 0 } });
}

/**
 * A client that pages the REST listings `perPage` at a time instead of the product's own size,
 * as if the adapter asked for another `per_page`: the fake serves any size, so the same pull
 * request must give the same facts.
 */
function pagingBy(perPage: number): Octokit {
  const client = octokit();
  client.hook.before('request', (options: Record<string, unknown>) => {
    if (options.per_page !== undefined) options.per_page = perPage;
    if (typeof options.url === 'string') options.url = options.url.replace(/([?&]per_page=)\d+/, `$1${perPage}`);
  });
  return client;
}

const blobOf = (text: string) => gh.state.repo(REPO).git.writeBlob(text);
/** Facts as data (a loaded file's `locate` is a function, new per read). */
const plain = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;

describe('gatherPullFacts', () => {
  it('reads config and systems at the base and the changed grant at the head in one GraphQL query, and looks up only the memberships it needs', async () => {
    accessRepo({ 'README.md': '# access\n' });
    const bob = grant('bob');
    const ref = pull(
      { 'grants/people/bob.yaml': bob, 'README.md': '# access repo\n' },
      [
        ['erin', 'APPROVED'],
        ['dave', 'COMMENTED'],
        ['ci-bot[bot]', 'APPROVED'],
      ],
      'Grant bob\n\nCo-authored-by: Carl <4242+carl@users.noreply.github.com>',
    );
    gh.resetCalls();
    const facts = await gatherPullFacts(octokit(), ref);
    expect(gh.callCount('POST /graphql')).toBe(1);
    expect(facts.files).toEqual(
      expect.arrayContaining([
        { path: 'grants/people/bob.yaml', status: 'added' },
        { path: 'README.md', status: 'modified' },
      ]),
    );
    expect(facts.files).toHaveLength(2);
    expect(facts.base.config?.data?.organization).toBe('acme');
    expect(facts.base.systems.map((s) => s.data?.id)).toEqual(['db', 'wiki']);
    expect(facts.head.grants.map((g) => [g.path, g.data?.identity.id, g.blobSha])).toEqual([['grants/people/bob.yaml', 'bob', blobOf(bob)]]);
    expect(facts.reviews.map((r) => [r.reviewer, r.state, r.reviewerIsBot])).toEqual([
      ['erin', 'APPROVED', false],
      ['dave', 'COMMENTED', false],
      ['ci-bot[bot]', 'APPROVED', true],
    ]);
    expect(facts.commitAuthors).toEqual(['alice', 'carl']);
    expect(facts.teamMembership).toEqual({ '@acme/dba': { erin: true } });
    expect(facts.orgMembership).toEqual({ carol: true, bob: true });
    // Only the memberships the rules need: erin's in @acme/dba, the grant's owner and grantee in acme.
    expect(gh.callCount(TEAM_MEMBERSHIP)).toBe(1);
    expect(gh.callCount(ORG_MEMBER)).toBe(2);
    const result = judgePull(facts, { packs: loadBuiltinPacks(), today: TODAY });
    expect(result).toMatchObject({ verdict: 'pass', nextStep: 'approved by erin' });
  });

  it('skips the lookups of rules the base policy turns off', async () => {
    accessRepo({}, { config: CONFIG + 'rules:\n  owner-in-org: "off"\n  approvals: "off"\n' });
    const ref = pull({ 'grants/people/bob.yaml': grant('bob') }, [['erin', 'APPROVED']]);
    gh.resetCalls();
    const facts = await gatherPullFacts(octokit(), ref, { packs: loadBuiltinPacks() });
    expect(facts.teamMembership).toEqual({});
    expect(facts.orgMembership).toEqual({});
    expect(Object.keys(gh.calls()).filter((k) => k.includes('/orgs/'))).toEqual([]);
    expect(judgePull(facts, { packs: loadBuiltinPacks(), today: TODAY }).verdict).toBe('pass');
  });

  it('stops after the file listing when nothing under grants/, systems/ or the config changed', async () => {
    accessRepo({ 'README.md': '# access\n' });
    const ref = pull({ 'README.md': '# access repo\n', 'docs/access.md': 'how to ask\n' });
    gh.resetCalls();
    const facts = await gatherPullFacts(octokit(), ref);
    expect(judgePull(facts, { packs: loadBuiltinPacks(), today: TODAY })).toMatchObject({ verdict: 'pass', nothingToCheck: true });
    expect(Object.keys(gh.calls())).toEqual([FILES]);
  });

  it.each([100, 30])('reads every page of changed files, reviews and commits, whatever the page size (%i a page)', async (perPage) => {
    accessRepo();
    const files: Files = {};
    for (let i = 0; i < 200; i++) files[`docs/${i}.md`] = `page ${i}\n`;
    files['grants/people/bob.yaml'] = grant('bob');
    const number = gh.state.openPullRequest(REPO, {
      author: 'alice',
      title: 'Grant bob, with docs',
      commits: [
        { files },
        ...Array.from({ length: 40 }, (_, i) => ({ files: { [`notes/${i}.txt`]: `${i}\n` }, author: i % 2 ? 'alice' : 'dave', message: `note ${i}` })),
      ],
    });
    for (let i = 0; i < 35; i++) gh.state.submitReview(REPO, number, { user: i === 34 ? 'erin' : 'dave', state: i === 34 ? 'APPROVED' : 'COMMENTED' });
    const { pull: p } = gh.state.pullOf(REPO, number);
    const ref: PullRef = { owner: 'acme', repo: 'access', number, headSha: p.headSha, baseSha: p.baseSha, author: 'alice' };

    const asShipped = plain(await gatherPullFacts(octokit(), ref));
    gh.resetCalls();
    const facts = await gatherPullFacts(pagingBy(perPage), ref);
    const paged = plain(facts);
    expect(paged).toEqual(asShipped);
    expect(paged.files).toHaveLength(241);
    expect(paged.reviews).toHaveLength(35);
    expect(paged.commitAuthors.sort()).toEqual(['alice', 'dave']);
    expect(judgePull(facts, { packs: loadBuiltinPacks(), today: TODAY })).toMatchObject({ verdict: 'pass', nextStep: 'approved by erin' });
    // The listings went by the page size asked, and as many pages as that takes.
    const sizes = new Set(gh.requests.filter((r) => r.route === FILES).map((r) => new URLSearchParams(r.query).get('per_page')));
    expect(sizes).toEqual(new Set([String(perPage)]));
    expect(gh.callCount(FILES)).toBe(Math.ceil(241 / perPage));
  });

  it('maps renames and deletions, and reads the before-state of a renamed grant at its old path', async () => {
    accessRepo({ 'grants/bob.yaml': grant('bob'), 'grants/people/old.yaml': grant('old') }, { config: CONFIG.replace('organization: acme\n', '') });
    const ref = pull({ 'grants/bob.yaml': null, 'grants/people/bob.yaml': grant('bob'), 'grants/people/old.yaml': null });
    const facts = await gatherPullFacts(octokit(), ref);
    expect(facts.files).toEqual(
      expect.arrayContaining([
        { path: 'grants/people/bob.yaml', status: 'renamed', previousPath: 'grants/bob.yaml' },
        { path: 'grants/people/old.yaml', status: 'removed' },
      ]),
    );
    expect(facts.files).toHaveLength(2);
    expect(facts.base.grants.map((g) => g.path).sort()).toEqual(['grants/bob.yaml', 'grants/people/old.yaml']);
    expect(facts.head.grants.map((g) => g.path)).toEqual(['grants/people/bob.yaml']);
  });

  it('takes a file GitHub lists as copied for an added one, read at the head', async () => {
    accessRepo({ 'grants/people/bob.yaml': grant('bob') }, { config: CONFIG.replace('organization: acme\n', '') });
    const ref = pull({ 'grants/people/copy.yaml': grant('copy') });
    // The fake's diff does not detect copies (GitHub rarely reports them): its listing is scripted.
    gh.faults.intercept((req) =>
      req.route === FILES
        ? {
            status: 200,
            body: [
              {
                sha: blobOf(grant('copy')),
                filename: 'grants/people/copy.yaml',
                status: 'copied',
                previous_filename: 'grants/people/bob.yaml',
                additions: 7,
                deletions: 0,
                changes: 7,
                blob_url: '',
                raw_url: '',
                contents_url: '',
              },
            ],
          }
        : undefined,
    );
    const facts = await gatherPullFacts(octokit(), ref);
    expect(facts.files).toEqual([{ path: 'grants/people/copy.yaml', status: 'added' }]);
    expect(facts.head.grants.map((g) => [g.path, g.data?.identity.id])).toEqual([['grants/people/copy.yaml', 'copy']]);
    expect(facts.base.grants).toEqual([]);
  });

  it('turns a binary or oversized grant file into a schema finding instead of reading it', async () => {
    accessRepo();
    const ref = pull({
      'grants/people/bin.yaml': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52]),
      'grants/people/huge.yaml': 'x'.repeat(5_000_000),
    });
    const facts = await gatherPullFacts(octokit(), ref);
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
    accessRepo({}, { configPath: 'access/ledger.yaml' });
    const ref = pull({ 'access/ledger.yaml': CONFIG + 'stale: { expiring_within_days: 30 }\n' });
    const facts = await gatherPullFacts(octokit(), ref, { configPath: 'access/ledger.yaml' });
    expect(facts.base.config?.path).toBe('access/ledger.yaml');
    expect(facts.base.config?.data?.stale).toBeUndefined();
    expect(facts.head.config?.data?.stale?.expiring_within_days).toBe(30);
    expect(judgePull(facts, { packs: loadBuiltinPacks(), today: TODAY }).nextStep).toBe('needs 1 more approval from @acme/security (the admins)');
  });
});

describe('gatherPullFacts fails closed', () => {
  /** bob's grant, approved by erin. */
  const relevant = (): PullRef => {
    accessRepo();
    return pull({ 'grants/people/bob.yaml': grant('bob') }, [['erin', 'APPROVED']]);
  };

  it("at GitHub's 3,000-file listing limit", async () => {
    accessRepo();
    const files: Files = {};
    for (let i = 0; i < 3000; i++) files[`grants/g${i}.yaml`] = `identity: { id: g${i} }\n`;
    const ref = pull(files);
    await expect(gatherPullFacts(octokit(), ref)).rejects.toThrow(
      `pull request #${ref.number} changes 3000 or more files, and GitHub lists no more than 3000: the gate cannot see every change, so it fails closed. Split the pull request`,
    );
  });

  it("at GitHub's 250-commit listing limit", async () => {
    accessRepo();
    const commits = Array.from({ length: 250 }, (_, i) => ({
      files: i === 0 ? { 'grants/people/bob.yaml': grant('bob') } : { [`notes/${i}.txt`]: `${i}\n` },
      message: `step ${i}`,
    }));
    const number = gh.state.openPullRequest(REPO, { author: 'alice', title: 'Many steps', commits });
    const { pull: p } = gh.state.pullOf(REPO, number);
    await expect(
      gatherPullFacts(octokit(), { owner: 'acme', repo: 'access', number, headSha: p.headSha, baseSha: p.baseSha, author: 'alice' }),
    ).rejects.toThrow('has 250 or more commits, and GitHub lists no more than 250: the gate cannot tell who authored them all, so it fails closed');
  });

  it('on the primary rate limit, with when it resets', async () => {
    const ref = relevant();
    gh.faults.add({ route: FILES, kind: 'primary-rate-limit' });
    await expect(gatherPullFacts(octokit(), ref)).rejects.toThrow(
      /^GitHub rate limit reached while listing the pull request's changed files .* \(resets at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z\); retry later/,
    );
  });

  it('when the token may not read pull requests', async () => {
    const ref = relevant();
    // The fake does not enforce read scopes: GitHub's refusal of a token without pull-requests: read is scripted.
    gh.faults.intercept((req) =>
      req.route === FILES
        ? {
            status: 403,
            body: { message: 'Resource not accessible by integration', documentation_url: 'https://docs.github.com/rest/pulls/pulls#list-pull-requests-files' },
          }
        : undefined,
    );
    await expect(gatherPullFacts(octokit(), ref)).rejects.toThrow('the token needs pull-requests: read (in the workflow, grant it under `permissions:`)');
  });

  it('on a server error', async () => {
    const ref = relevant();
    gh.faults.add({ route: 'GET /repos/{owner}/{repo}/pulls/{pull_number}/commits', kind: '5xx', status: 502 });
    await expect(gatherPullFacts(octokit(), ref)).rejects.toThrow("GitHub failed (502) while listing the pull request's commits");
  });

  it('on GraphQL errors', async () => {
    const ref = relevant();
    // GitHub's GraphQL rate limit answers 200 with an error list, which no fault kind models.
    gh.faults.intercept((req) =>
      req.route === 'POST /graphql'
        ? { status: 200, body: { data: null, errors: [{ type: 'RATE_LIMITED', message: 'API rate limit exceeded for installation ID 1.' }] } }
        : undefined,
    );
    await expect(gatherPullFacts(octokit(), ref)).rejects.toThrow(
      "GitHub's GraphQL rate limit is exhausted while reading files of acme/access: re-run after it resets",
    );
  });

  it('when the token cannot read team membership, saying which token to use', async () => {
    const ref = relevant();
    // A token without members: read; the fake does not enforce read scopes, so GitHub's refusal is scripted.
    gh.faults.intercept((req) => (req.route === TEAM_MEMBERSHIP ? { status: 403, body: { message: 'Resource not accessible by integration' } } : undefined));
    await expect(gatherPullFacts(octokit(), ref)).rejects.toThrow(
      "GitHub refused access (403) while reading whether erin is a member of @acme/dba (GET /orgs/{org}/teams/{team_slug}/memberships/{username}) for acme/access: the token cannot read the organization's teams or members: use an App installation token with the organization permission Members: read (e.g. from actions/create-github-app-token) as the `token` input",
    );
  });

  it('when a listed team does not exist or is invisible to the token', async () => {
    gh.state.org('acme')!.teams.delete('dba');
    const ref = relevant();
    await expect(gatherPullFacts(octokit(), ref)).rejects.toThrow(
      'team @acme/dba, listed as approvers on the base branch, does not exist or the token cannot see it',
    );
  });

  it('treats a 404 as "not a member" once the team is known to be visible', async () => {
    gh.state.removeTeamMember('acme', 'dba', 'erin');
    gh.state.removeOrgMember('acme', 'bob');
    const ref = relevant();
    const facts = await gatherPullFacts(octokit(), ref);
    expect(facts.teamMembership).toEqual({ '@acme/dba': { erin: false } });
    expect(facts.orgMembership).toEqual({ carol: true, bob: false });
  });

  it('when the token cannot see private org members (GitHub redirects to the public check)', async () => {
    const ref = relevant();
    // A person's token from outside the organization: GitHub answers the members check with a redirect.
    const outsider = new Octokit({ baseUrl: gh.url, auth: gh.createToken('mallory'), request: { retries: 0 } });
    gh.state.addCollaborator(REPO, 'mallory', 'read');
    gh.faults.intercept((req) => (req.route === TEAM_MEMBERSHIP ? { status: 200, body: { state: 'active', role: 'member', url: '' } } : undefined));
    await expect(gatherPullFacts(outsider, ref)).rejects.toThrow(
      'the token cannot see private members of the acme organization, so the gate cannot tell whether @',
    );
  });
});

describe('co-authors', () => {
  it('takes logins from GitHub no-reply addresses in Co-authored-by trailers', () => {
    expect(
      coAuthorLogins(
        'Fix\n\nCo-authored-by: Dave <12+dave@users.noreply.github.com>\nco-authored-by: e <erin@users.noreply.github.com>\nCo-authored-by: X <x@example.com>',
      ),
    ).toEqual(['dave', 'erin']);
  });
});
