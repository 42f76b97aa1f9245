import { Octokit } from '@octokit/core';
import { describe, expect, it } from 'vitest';
import { gitHubPort } from '../../src/adapters/github/port.ts';
import { GitHubApiError } from '../../src/adapters/github/errors.ts';
import { pullRefFromEvent } from '../../src/adapters/github/gate.ts';
import { checkConfigPath } from '../../src/core/model/snapshot.ts';
import { defaultDeps } from '../../src/app/deps.ts';

const API = 'http://127.0.0.1:9/api';
const repo = { owner: 'acme', repo: 'access' };
const what = { action: 'listing the issues', permission: 'issues: read', repo };

/** An @octokit/core whose fetch serves `pages` pages of `perPage` items with GitHub's link headers, logging each URL. */
function paged(pages: number, perPage = 2, status = 200) {
  const asked: string[] = [];
  const fetch = async (url: string | URL | Request) => {
    const u = new URL(String(url));
    asked.push(u.pathname + u.search);
    if (status !== 200)
      return new Response(JSON.stringify({ message: 'Resource not accessible by integration' }), { status, headers: { 'content-type': 'application/json' } });
    const page = Number(u.searchParams.get('page') ?? '1');
    const items = Array.from({ length: perPage }, (_, i) => ({ id: (page - 1) * perPage + i }));
    const next = new URL(u);
    next.searchParams.set('page', String(page + 1));
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (page < pages) headers.link = `<${next.href}>; rel="next"`;
    return new Response(JSON.stringify(items), { status: 200, headers });
  };
  return { octokit: new Octokit({ baseUrl: API, request: { fetch } }), asked };
}

describe('the GitHub port', () => {
  it("reads every page GitHub links to, through Octokit's pagination", async () => {
    const { octokit, asked } = paged(3);
    const items = await gitHubPort(octokit).paginate<{ id: number }>('GET /repos/{owner}/{repo}/issues', {}, what, { perPage: 2 });
    expect(items.map((i) => i.id)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(asked).toHaveLength(3);
  });

  it('fails closed at its cap, naming what to narrow, without asking for the page past it (never a truncated list)', async () => {
    const { octokit, asked } = paged(5);
    const listing = gitHubPort(octokit).paginate('GET /repos/{owner}/{repo}/issues', {}, what, { perPage: 2, maxPages: 2, narrow: 'Use a shorter window.' });
    await expect(listing).rejects.toThrow(GitHubApiError);
    await expect(
      gitHubPort(paged(5).octokit).paginate('GET /repos/{owner}/{repo}/issues', {}, what, { perPage: 2, maxPages: 2, narrow: 'Use a shorter window.' }),
    ).rejects.toThrow(/Stopped listing the issues for acme\/access after 2 pages of 2: .*truncated list could hide evidence\. Use a shorter window\./);
    expect(asked).toHaveLength(2);
  });

  it('a listing exactly at the cap is whole, and passes', async () => {
    const { octokit } = paged(2);
    await expect(gitHubPort(octokit).paginate('GET /repos/{owner}/{repo}/issues', {}, what, { perPage: 2, maxPages: 2 })).resolves.toHaveLength(4);
  });

  it("a client without Octokit's endpoint parser pages by number, and fails closed at the cap too", async () => {
    const asked: unknown[] = [];
    const double = { request: async (_route: string, params: Record<string, unknown> = {}) => (asked.push(params.page), { status: 200, data: [1, 2] }) };
    await expect(gitHubPort(double).paginate('GET /repos/{owner}/{repo}/issues', {}, what, { perPage: 2, maxPages: 3 })).rejects.toThrow(/after 3 pages of 2/);
    expect(asked).toEqual([1, 2, 3]);
  });

  it("unwraps GitHub's wrapped listings the same on both paging paths", async () => {
    const wrapped = (page: number) => ({ total_count: 3, repository_selection: 'all', repositories: page === 1 ? [{ id: 1 }, { id: 2 }] : [{ id: 3 }] });
    const double = { request: async (_route: string, params: Record<string, unknown> = {}) => ({ status: 200, data: wrapped(Number(params.page)) }) };
    const installation = { action: 'listing the repositories', permission: 'metadata: read', subject: 'installation 42' };
    await expect(gitHubPort(double).paginate('GET /installation/repositories', {}, installation, { perPage: 2 })).resolves.toEqual([
      { id: 1 },
      { id: 2 },
      { id: 3 },
    ]);
    // An object that is not a wrapped listing is refused, never read as an empty list.
    const odd = { request: async () => ({ status: 200, data: { total_count: 1, url: 'https://api.github.com/x', statuses: [{ id: 1 }] } }) };
    await expect(gitHubPort(odd).paginate('GET /repos/{owner}/{repo}/commits/{ref}/status', {}, what)).rejects.toThrow(/something other than a list/);
  });

  it('a call about no one repository sends no owner or name, and its error names its subject', async () => {
    const { octokit, asked } = paged(1, 1, 403);
    const listing = gitHubPort(octokit).paginate(
      'GET /installation/repositories',
      {},
      { action: 'listing the repositories', permission: 'metadata: read', subject: 'installation 42' },
    );
    await expect(listing).rejects.toThrow(
      /GitHub refused access \(403\) while listing the repositories \(GET \/installation\/repositories\) for installation 42: .*"metadata: read"/,
    );
    expect(asked).toEqual(['/api/installation/repositories?per_page=100']);
  });

  it('translates a refusal once, with the permission that is missing', async () => {
    const { octokit } = paged(1, 2, 403);
    const err = await gitHubPort(octokit)
      .call('GET /repos/{owner}/{repo}/issues', {}, what)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GitHubApiError);
    expect((err as Error).message).toMatch(/GitHub refused access \(403\) while listing the issues .* needs the "issues: read" permission/);
    // Translated once: a port over a port is the same port.
    const port = gitHubPort(octokit);
    expect(gitHubPort(port)).toBe(port);
  });

  it("reads a file's text, and a missing file is null", async () => {
    const double = {
      request: async (_route: string, params: Record<string, unknown> = {}) => {
        if (params.path === 'head.json')
          return { status: 200, data: { type: 'file', encoding: 'base64', content: Buffer.from('{"seq":3}').toString('base64') } };
        throw Object.assign(new Error('Not Found'), { status: 404 });
      },
    };
    const port = gitHubPort(double);
    expect(await port.readFile(repo, 'access-ledger', 'head.json')).toBe('{"seq":3}');
    expect(await port.readFile(repo, 'access-ledger', 'missing.json')).toBeNull();
  });

  it('a client that cannot send GraphQL says so, loudly', async () => {
    expect(() => gitHubPort({ request: async () => ({ status: 200, data: null }) }).graphql('query { viewer { login } }')).toThrow(/cannot send GraphQL/);
  });
});

describe('the repo config path, one rule for the Action and the App', () => {
  it.each([
    [undefined, 'access-ledger.yaml'],
    ['', 'access-ledger.yaml'],
    ['access-ledger.yml', 'access-ledger.yml'],
    ['./access-ledger.yaml', 'access-ledger.yaml'],
  ])('%j is %s', (configured, path) => {
    expect(checkConfigPath(configured, 'the `config` input')).toEqual({ ok: true, path });
  });

  it.each([
    ['config/access-ledger.yaml', /names config\/access-ledger\.yaml, but .* at the repository's root/],
    ['../other/access-ledger.yaml', /must be a path inside the repository/],
    ['/etc/access-ledger.yaml', /must be a path inside the repository/],
    ['C:\\access-ledger.yaml', /must be a path inside the repository/],
  ])('%s is refused', (configured, problem) => {
    const checked = checkConfigPath(configured, 'ACCESS_LEDGER_CONFIG');
    expect(checked.ok).toBe(false);
    expect(!checked.ok && checked.problem).toMatch(problem);
    expect(!checked.ok && checked.problem).toContain('ACCESS_LEDGER_CONFIG');
  });

  it('the App takes ACCESS_LEDGER_CONFIG by the same rule, and a refused one stops it', () => {
    expect(defaultDeps({ ACCESS_LEDGER_CONFIG: 'access-ledger.yml' }).configPath).toBe('access-ledger.yml');
    expect(defaultDeps({}).configPath).toBeUndefined();
    const bad = defaultDeps({ ACCESS_LEDGER_CONFIG: 'policy/access.yaml' });
    expect(bad.configPath).toBeUndefined();
    expect(bad.configProblem).toMatch(/ACCESS_LEDGER_CONFIG names policy\/access\.yaml/);
  });
});

describe('the pull request reference from an event', () => {
  const pr = {
    number: 7,
    head: { sha: 'h'.repeat(40) },
    base: { sha: 'b'.repeat(40), repo: { name: 'access', owner: { login: 'acme' } } },
    user: { login: 'dependabot[bot]', type: 'Bot' },
  };

  it("is in the base repository, where the policy lives (a fork's pull_request_target too)", () => {
    expect(pullRefFromEvent({ pull_request: pr, repository: { name: 'access', owner: { login: 'acme' } } })).toEqual({
      owner: 'acme',
      repo: 'access',
      number: 7,
      headSha: pr.head.sha,
      baseSha: pr.base.sha,
      author: 'dependabot[bot]',
      authorIsBot: true,
    });
    expect(pullRefFromEvent({ pull_request: { ...pr, base: { sha: pr.base.sha }, user: null } }, 'acme/access')).toMatchObject({
      owner: 'acme',
      repo: 'access',
      author: 'ghost',
    });
  });

  it("an event without the pull request's commits, or without a repository, is refused", () => {
    expect(() => pullRefFromEvent({})).toThrow(/no pull_request with head and base SHAs/);
    expect(() => pullRefFromEvent({ pull_request: { ...pr, base: { sha: pr.base.sha } } })).toThrow(/GITHUB_REPOSITORY is not set/);
  });
});
