/** Fault injection: the shapes GitHub uses for each failure, and reproducibility under a seed. */
import { ProbotOctokit } from 'probot';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeGitHub, type FakeGitHub, type FaultKind } from '../support/fake-github/index.ts';
import { client, seedAcme } from './helpers.ts';

const open: FakeGitHub[] = [];
afterEach(async () => {
  for (const gh of open.splice(0)) await gh.close();
});

async function world(seed: number): Promise<{ gh: FakeGitHub; call: ReturnType<typeof client> }> {
  const gh = await startFakeGitHub({ seed });
  open.push(gh);
  const { installationId } = seedAcme(gh);
  return { gh, call: client(gh, gh.createInstallationToken(installationId)) };
}

/** The statuses of 40 identical reads under a 30% mixed-fault rule set. */
async function run(seed: number): Promise<{ statuses: number[]; counts: Record<FaultKind, number> }> {
  const { gh, call } = await world(seed);
  gh.faults.add({ route: 'GET /repos/{owner}/{repo}', kind: '5xx', rate: 0.2 });
  gh.faults.add({ route: /^GET \/repos\/acme\/access$/, kind: 'secondary-rate-limit', rate: 0.1 });
  const statuses: number[] = [];
  for (let i = 0; i < 40; i++) statuses.push((await call('GET', '/repos/acme/access')).status);
  return { statuses, counts: { ...gh.faults.counts } };
}

describe('reproducibility', () => {
  it('the same seed injects the same faults; another seed differs', async () => {
    const a = await run(7);
    const b = await run(7);
    const c = await run(8);
    expect(a).toEqual(b);
    expect(a.statuses).not.toEqual(c.statuses);
    expect(a.counts['5xx'] + a.counts['secondary-rate-limit']).toBe(a.statuses.filter((s) => s !== 200).length);
    expect(a.counts['5xx']).toBeGreaterThan(0);
  });

  it('count caps a rule and faults are logged per request', async () => {
    const { gh, call } = await world(1);
    const rule = gh.faults.add({ route: 'GET /repos/{owner}/{repo}', kind: '5xx', status: 503, count: 2 });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await call('GET', '/repos/acme/access')).status);
    expect(statuses).toEqual([503, 503, 200, 200]);
    expect(rule.injected).toBe(2);
    expect(gh.faults.total).toBe(2);
    expect(gh.requests.filter((r) => r.fault).map((r) => r.fault)).toEqual(['5xx', '5xx']);
  });
});

describe('fault shapes', () => {
  it('secondary rate limit, 429, primary rate limit and non-fast-forward look like GitHub', async () => {
    const { gh, call } = await world(1);
    const R = '/repos/acme/access';
    gh.faults.add({ route: `GET ${R.replace('acme/access', '{owner}/{repo}')}`, kind: 'secondary-rate-limit', count: 1 });
    const secondary = await call('GET', R);
    expect([secondary.status, secondary.headers.get('retry-after')]).toEqual([403, '1']);
    expect(secondary.body.message).toMatch(/^You have exceeded a secondary rate limit/);

    gh.faults.add({ route: /^GET /, kind: '429', count: 1 });
    const tooMany = await call('GET', R);
    expect([tooMany.status, tooMany.headers.get('retry-after')]).toEqual([429, '1']);

    gh.faults.add({ route: /^GET /, kind: 'primary-rate-limit', count: 1 });
    const primary = await call('GET', R);
    expect(primary.status).toBe(403);
    expect(primary.headers.get('x-ratelimit-remaining')).toBe('0');
    const reset = Number(primary.headers.get('x-ratelimit-reset'));
    expect(reset - Math.floor(Date.now() / 1000)).toBeGreaterThanOrEqual(0);
    expect(reset - Math.floor(Date.now() / 1000)).toBeLessThanOrEqual(2);

    gh.faults.add({ route: 'PATCH /repos/{owner}/{repo}/git/refs/{ref}', kind: 'non-fast-forward', count: 1 });
    const main = gh.state.branchTip(gh.state.repo('acme/access'), 'main');
    const nff = await call('PATCH', `${R}/git/refs/heads/main`, { body: { sha: main } });
    expect([nff.status, nff.body.message]).toEqual([422, 'Update is not a fast forward']);
    expect(gh.faults.counts).toEqual({ '5xx': 0, timeout: 0, 'secondary-rate-limit': 1, '429': 1, 'primary-rate-limit': 1, 'non-fast-forward': 1 });
  });

  it('timeout holds the socket and then drops it', async () => {
    const { gh, call } = await world(1);
    gh.faults.add({ route: /^GET \/rate_limit/, kind: 'timeout', holdMs: 150, count: 1 });
    const started = Date.now();
    await expect(call('GET', '/rate_limit')).rejects.toThrow();
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect((await call('GET', '/rate_limit')).status).toBe(200);
  });

  it("phase 'after' lets the write land but fails the response", async () => {
    const { gh, call } = await world(1);
    gh.faults.add({ route: 'POST /repos/{owner}/{repo}/issues', kind: '5xx', status: 502, phase: 'after', count: 1 });
    const res = await call('POST', '/repos/acme/access/issues', { body: { title: 'did it land?' } });
    expect(res.status).toBe(502);
    expect(gh.state.listIssues('acme/access').map((i) => i.title)).toEqual(['did it land?']);
  });

  it("Probot's Octokit retries through a secondary rate limit", async () => {
    const { gh } = await world(1);
    const octokit = new ProbotOctokit({ baseUrl: gh.url, auth: { token: gh.createInstallationToken(gh.state.installationFor('acme')?.id as number) } });
    gh.faults.add({ route: 'GET /repos/{owner}/{repo}', kind: 'secondary-rate-limit', count: 1 });
    const { status } = await octokit.request('GET /repos/{owner}/{repo}', { owner: 'acme', repo: 'access' });
    expect(status).toBe(200);
    expect(gh.callCount('GET /repos/{owner}/{repo}')).toBe(2);
  }, 10_000);
});

describe('interceptors: the turns seeded faults cannot express', () => {
  it('act on the world before the fake answers, or answer in its place, and see the decoded path, route, query and body', async () => {
    const { gh, call } = await world(1);
    const seen: Array<{ route: string; path: string; query: string; body: unknown }> = [];
    const hook = gh.faults.intercept((req) => {
      seen.push({ route: req.route, path: req.path, query: req.query.toString(), body: req.body });
      // Another writer moves main between the client's read and its write.
      if (req.method === 'PATCH') gh.state.commitFiles('acme/access', 'main', { 'other.txt': 'theirs\n' });
      if (req.route === 'GET /repos/{owner}/{repo}/git/ref/{ref}' && req.path.endsWith('/gone'))
        return { status: 409, body: { message: 'Git Repository is empty.' } };
      return undefined;
    });
    const tip = gh.state.branchTip(gh.state.repo('acme/access'), 'main');
    const child = gh.state.repo('acme/access').git.writeCommit({
      tree: gh.state.treeOf(gh.state.repo('acme/access'), tip)!,
      parents: [tip],
      author: gh.state.person('alice'),
      committer: gh.state.person('alice'),
      message: 'mine',
    });
    const patch = await call('PATCH', '/repos/acme/access/git/refs/heads%2Fmain?x=1', { body: { sha: child, force: false } });
    expect(patch.status).toBe(422);
    expect(patch.body.message).toBe('Update is not a fast forward');
    expect(seen[0]).toEqual({
      route: 'PATCH /repos/{owner}/{repo}/git/refs/{ref}',
      path: '/repos/acme/access/git/refs/heads/main',
      query: 'x=1',
      body: { sha: child, force: false },
    });
    expect((await call('GET', '/repos/acme/access/git/ref/heads/gone')).status).toBe(409);
    // The log keeps each request's query and body too.
    expect(gh.requests.find((r) => r.method === 'PATCH')).toMatchObject({ query: 'x=1', body: { sha: child, force: false }, status: 422 });

    hook.remove();
    expect((await call('GET', '/repos/acme/access/git/ref/heads/gone')).status).toBe(404);
  });

  it('delayMs holds every answer: what changes in the world meanwhile is in it, as over a network', async () => {
    const { gh, call } = await world(1);
    gh.faults.delayMs = 200;
    const before = gh.requests.length;
    const listing = call('GET', '/repos/acme/access/issues?state=all');
    while (gh.requests.length === before) await new Promise((r) => setImmediate(r));
    // The request has arrived and is held: an issue opened now is in its answer.
    gh.state.createIssue('acme/access', { author: 'carol', title: 'Opened while the answer was held' });
    const answer = await listing;
    expect(answer.status).toBe(200);
    expect(answer.body.map((i: { title: string }) => i.title)).toContain('Opened while the answer was held');
    gh.faults.delayMs = 0;
  });
});
