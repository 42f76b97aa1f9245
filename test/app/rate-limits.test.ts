/**
 * Rate limits: the App's Octokit (as `npm start` builds it) and the CLI's retry GitHub's primary
 * and secondary rate limits a bounded number of times, waiting what GitHub asks; Probot's own
 * defaults would only log a secondary limit and fail the request.
 */
import nock from 'nock';
import { createProbot } from 'probot';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RATE_LIMIT_RETRIES, rateLimitHandlers } from '../../src/app/rate-limits.ts';
import { createAppProbot } from '../../src/app/server.ts';
import { cliOctokit } from '../../src/cli/commands/reconcile.ts';
import { API, INSTALLATION, REPO_PATH, installationToken, privateKey } from './support.ts';

const SECONDARY = { message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.', documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits' };
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

describe('the App\'s Octokit, as npm start builds it', () => {
  it('retries a secondary rate limit (403 with retry-after) and the request succeeds', async () => {
    const scopes = [installationToken(), limited(1), nock(API).get(FILES).reply(200, [{ filename: 'grants/people/bob.yaml' }])];
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
    await expect(octokit.request('GET /repos/{owner}/{repo}/pulls/{pull_number}/files', { owner: 'Codertocat', repo: 'Hello-World', pull_number: 2 })).rejects.toMatchObject({ status: 403 });
    for (const s of scopes) expect(s.pendingMocks()).toEqual([]);
  });

  it('Probot\'s default Octokit does not retry it (why the App has its own handlers)', async () => {
    const scopes = [installationToken(), limited(1)];
    const probot = createProbot({ env: env() });
    const octokit = await probot.auth(INSTALLATION);
    await expect(octokit.request('GET /repos/{owner}/{repo}/pulls/{pull_number}/files', { owner: 'Codertocat', repo: 'Hello-World', pull_number: 2 })).rejects.toMatchObject({ status: 403 });
    for (const s of scopes) expect(s.pendingMocks()).toEqual([]);
  });
});

describe('the CLI\'s Octokit (reconcile, sweep)', () => {
  it.each([403, 429])('retries a secondary rate limit answered %i and the request succeeds, with a warning', async (status) => {
    const warnings: string[] = [];
    const scopes = [limited(1, status), nock(API).get(FILES).reply(200, [])];
    const octokit = cliOctokit('ghs_test', API, (m) => void warnings.push(m), { retryAfterBaseValue: 5 });
    await octokit.request('GET /repos/{owner}/{repo}/pulls/{pull_number}/files', { owner: 'Codertocat', repo: 'Hello-World', pull_number: 2 });
    for (const s of scopes) expect(s.pendingMocks()).toEqual([]);
    expect(warnings).toEqual([expect.stringContaining('secondary rate limit on GET')]);
  });
});
