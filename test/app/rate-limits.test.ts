/**
 * Rate limits: the App's Octokit (as `npm start` builds it) and the CLI's retry GitHub's primary
 * and secondary rate limits a bounded number of times, waiting what GitHub asks; Probot's own
 * defaults would only log a secondary limit and fail the request.
 */
import nock from 'nock';
import { createProbot } from 'probot';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RATE_LIMIT_RETRIES, rateLimitHandlers, readAwareRetryLimiter } from '../../src/app/rate-limits.ts';
import { createAppOctokit } from '../../src/app/octokit.ts';
import { WritePacer } from '../../src/adapters/github/pacing.ts';
import { createAppProbot } from '../../src/app/server.ts';
import { cliOctokit } from '../../src/cli/commands/reconcile.ts';
import { API, INSTALLATION, REPO_PATH, installationToken, privateKey } from './support.ts';

const SECONDARY = {
  message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
  documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits',
};
const FILES = `${REPO_PATH}/pulls/2/files`;
const env = (): NodeJS.ProcessEnv => ({ APP_ID: '123', PRIVATE_KEY: privateKey(), WEBHOOK_SECRET: 'test-secret', LOG_LEVEL: 'fatal' });

beforeEach(() => {
  nock.disableNetConnect();
});

afterEach(() => {
  nock.cleanAll();
});

function limited(times: number, status = 403): nock.Scope {
  return nock(API).get(FILES).times(times).reply(status, SECONDARY, { 'retry-after': '1' });
}

describe('rateLimitHandlers', () => {
  it.each([
    [0, true],
    [1, true],
    [2, true],
    [3, false],
  ])('after %i retries of a request: retry again = %s', (done, retry) => {
    const warnings: string[] = [];
    const h = rateLimitHandlers({ warn: (m) => void warnings.push(m) });
    const request = { method: 'POST', url: '/repos/acme/access/issues/2/comments', request: { retryCount: done } };
    expect(h.onSecondaryRateLimit(1, request, {}, done)).toBe(retry);
    expect(h.onRateLimit(30, request, {}, done)).toBe(retry);
    expect(warnings[0]).toContain('secondary rate limit on POST /repos/acme/access/issues/2/comments');
    expect(warnings[1]).toContain('rate limit reached on POST');
  });

  it('reads the retry count from the request when the plugin does not pass it, and warns through the Octokit log', () => {
    const warnings: string[] = [];
    const h = rateLimitHandlers();
    const octokit = { log: { warn: (m: string) => void warnings.push(m) } };
    expect(h.onSecondaryRateLimit(1, { method: 'GET', url: '/x', request: { retryCount: RATE_LIMIT_RETRIES } }, octokit)).toBe(false);
    expect(h.onSecondaryRateLimit(1, { method: 'GET', url: '/x', request: {} }, octokit)).toBe(true);
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toContain(`still limited after ${RATE_LIMIT_RETRIES} retries`);
  });
});

describe("the App's Octokit, as npm start builds it", () => {
  it('retries a secondary rate limit (403 with retry-after) and the request succeeds', async () => {
    const scopes = [
      installationToken(),
      limited(1),
      nock(API)
        .get(FILES)
        .reply(200, [{ filename: 'grants/people/bob.yaml' }]),
    ];
    const probot = createAppProbot(env(), { throttle: { retryAfterBaseValue: 5 } });
    const octokit = await probot.auth(INSTALLATION);
    const res = await octokit.request('GET /repos/{owner}/{repo}/pulls/{pull_number}/files', { owner: 'Codertocat', repo: 'Hello-World', pull_number: 2 });
    expect(res.data).toEqual([{ filename: 'grants/people/bob.yaml' }]);
    for (const s of scopes) expect(s.pendingMocks()).toEqual([]);
  });

  it(`gives up after ${RATE_LIMIT_RETRIES} retries: the limit reaches the handler, which fails the delivery`, async () => {
    const scopes = [installationToken(), limited(RATE_LIMIT_RETRIES + 1)];
    const probot = createAppProbot(env(), { throttle: { retryAfterBaseValue: 5 } });
    const octokit = await probot.auth(INSTALLATION);
    await expect(
      octokit.request('GET /repos/{owner}/{repo}/pulls/{pull_number}/files', { owner: 'Codertocat', repo: 'Hello-World', pull_number: 2 }),
    ).rejects.toMatchObject({ status: 403 });
    for (const s of scopes) expect(s.pendingMocks()).toEqual([]);
  });

  it("Probot's default Octokit does not retry it (why the App has its own handlers)", async () => {
    const scopes = [installationToken(), limited(1)];
    const probot = createProbot({ env: env() });
    const octokit = await probot.auth(INSTALLATION);
    await expect(
      octokit.request('GET /repos/{owner}/{repo}/pulls/{pull_number}/files', { owner: 'Codertocat', repo: 'Hello-World', pull_number: 2 }),
    ).rejects.toMatchObject({ status: 403 });
    for (const s of scopes) expect(s.pendingMocks()).toEqual([]);
  });
});

describe("the CLI's Octokit (reconcile, sweep)", () => {
  it.each([403, 429])('retries a secondary rate limit answered %i and the request succeeds, with a warning', async (status) => {
    const warnings: string[] = [];
    const scopes = [limited(1, status), nock(API).get(FILES).reply(200, [])];
    const octokit = cliOctokit('ghs_test', API, (m) => void warnings.push(m), { retryAfterBaseValue: 5 });
    await octokit.request('GET /repos/{owner}/{repo}/pulls/{pull_number}/files', { owner: 'Codertocat', repo: 'Hello-World', pull_number: 2 });
    for (const s of scopes) expect(s.pendingMocks()).toEqual([]);
    expect(warnings).toEqual([expect.stringContaining('secondary rate limit on GET')]);
  });
});

describe("GraphQL queries are reads: the App's Octokit keeps them out of the write queue", () => {
  /** A stand-in for the throttling plugin's write group that counts who waits in it. */
  function countingWriteGroup(seen: string[]) {
    return { key: () => ({ schedule: (_options: unknown, fn: () => Promise<unknown>) => (seen.push('write queue'), fn()) }) };
  }

  function appOctokit(seen: string[]) {
    const Octokit = createAppOctokit({ pacer: new WritePacer({ minIntervalMs: 0 }), throttle: { write: countingWriteGroup(seen), retryAfterBaseValue: 5 } });
    return new Octokit({ auth: 'ghs_test' });
  }

  it.each([
    ['a query', 'query($n: Int!) { viewer { login } }', 0],
    ['an anonymous query', '  # the viewer\n{ viewer { login } }', 0],
    ['a mutation', 'mutation { addStar(input: { starrableId: "R_1" }) { clientMutationId } }', 1],
    ['a document that is not plainly a query', 'subscription { x }', 1],
  ])('%s waits in the write queue %i time(s)', async (_what, query, waits) => {
    const seen: string[] = [];
    const scope = nock(API).post('/graphql').reply(200, { data: {} });
    await appOctokit(seen).request('POST /graphql', { query });
    expect(seen).toHaveLength(waits);
    expect(scope.pendingMocks()).toEqual([]);
  });

  it('REST writes still wait in the write queue, reads do not', async () => {
    const seen: string[] = [];
    const scopes = [nock(API).post(`${REPO_PATH}/issues/2/comments`).reply(201, { id: 1 }), nock(API).get(FILES).reply(200, [])];
    const octokit = appOctokit(seen);
    await octokit.request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', {
      owner: 'Codertocat',
      repo: 'Hello-World',
      issue_number: 2,
      body: 'x',
    });
    await octokit.request('GET /repos/{owner}/{repo}/pulls/{pull_number}/files', { owner: 'Codertocat', repo: 'Hello-World', pull_number: 2 });
    expect(seen).toEqual(['write queue']);
    for (const s of scopes) expect(s.pendingMocks()).toEqual([]);
  });

  it.each([403, 429])('a query answered %i with a secondary rate limit is waited out and retried', async (status) => {
    const seen: string[] = [];
    const scopes = [
      nock(API).post('/graphql').reply(status, SECONDARY, { 'retry-after': '1' }),
      nock(API)
        .post('/graphql')
        .reply(200, { data: { viewer: { login: 'x' } } }),
    ];
    const data = await appOctokit(seen).graphql<{ viewer: { login: string } }>('query { viewer { login } }');
    expect(data.viewer.login).toBe('x');
    expect(seen).toEqual([]);
    for (const s of scopes) expect(s.pendingMocks()).toEqual([]);
  });

  it(`a query still limited after ${RATE_LIMIT_RETRIES} retries fails`, async () => {
    const scope = nock(API)
      .post('/graphql')
      .times(RATE_LIMIT_RETRIES + 1)
      .reply(403, SECONDARY, { 'retry-after': '1' });
    await expect(appOctokit([]).graphql('query { viewer { login } }')).rejects.toMatchObject({ status: 403 });
    expect(scope.pendingMocks()).toEqual([]);
  });
});

describe('readAwareRetryLimiter', () => {
  it("runs a read with a write group that does not wait, a write with the plugin's own, and retries when a listener says how long to wait", async () => {
    const limiter = readAwareRetryLimiter((o) => o.method === 'GET');
    const own = { key: () => ({ schedule: async () => undefined }) };
    const used: unknown[] = [];
    let fail = 1;
    limiter.on('failed', (_error, info) => (info.retryCount === 0 ? 0 : undefined));
    const job = async (state: { write?: unknown }) => {
      used.push(state.write);
      if (fail-- > 0) throw new Error('limited');
      return 'ok';
    };
    expect(await limiter.schedule(job, { write: own }, {}, { method: 'POST', url: '/x' })).toBe('ok');
    expect(used).toEqual([own, own]);
    used.length = 0;
    fail = 0;
    expect(await limiter.schedule(job, { write: own }, {}, { method: 'GET', url: '/x' })).toBe('ok');
    expect(used[0]).not.toBe(own);
    fail = 2;
    await expect(limiter.schedule(job, { write: own }, {}, { method: 'GET', url: '/x' })).rejects.toThrow('limited');
  });
});
