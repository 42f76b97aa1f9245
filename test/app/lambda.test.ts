/**
 * The App as a function (src/app/lambda.ts), invoked the way AWS Lambda invokes it behind a
 * function URL: one event per webhook, signed as GitHub signs it, against the fake GitHub. The
 * answer comes only once the App's handlers are done, so the record is on the ledger branch when
 * the function returns; a wrong signature is refused before any handler runs.
 */
import { TEST_SIGNING_KEY } from '../support/ledger-keys.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLambdaHandler, type LambdaEvent } from '../../src/app/lambda.ts';
import { appPrivateKey, newGrantFile, readLedger, recordPr, seedAcme, startFakeGitHub, type FakeGitHub, type World } from '../support/e2e/index.ts';
import { sign } from '../support/fake-github/webhooks.ts';

const SECRET = 'lambda-webhook-secret';
let fake: FakeGitHub;
let world: World;
let env: NodeJS.ProcessEnv;
let deliveries = 0;
let forged = 0;

beforeAll(async () => {
  fake = await startFakeGitHub({ seed: 5 });
  world = seedAcme(fake);
  const api = new URL(fake.url);
  env = {
    APP_ID: String(fake.state.app.id),
    PRIVATE_KEY: appPrivateKey(),
    WEBHOOK_SECRET: SECRET,
    GHE_HOST: api.host,
    GHE_PROTOCOL: 'http',
    LOG_LEVEL: 'fatal',
    ACCESS_LEDGER_SIGNING_KEY: TEST_SIGNING_KEY,
  };
}, 60_000);

afterAll(async () => {
  await fake?.close();
});

/** A function URL event (payload format 2.0). */
function event(name: string, body: string, headers: Record<string, string> = {}, extra: Partial<LambdaEvent> = {}): LambdaEvent {
  return {
    rawPath: '/api/github/webhooks',
    requestContext: { http: { method: 'POST', path: '/api/github/webhooks' } },
    headers: {
      'content-type': 'application/json',
      'X-GitHub-Event': name,
      'X-GitHub-Delivery': `delivery-${++deliveries}`,
      'X-Hub-Signature-256': sign(SECRET, body),
      ...headers,
    },
    body,
    isBase64Encoded: false,
    ...extra,
  };
}

function mergedPr(login: string): number {
  const pr = fake.state.openPullRequest(world.repo, {
    author: login,
    title: `Grant ${login}`,
    head: `grant-${login}`,
    files: { [`grants/people/${login}.yaml`]: newGrantFile(login, world.day(30)) },
  });
  fake.state.submitReview(world.repo, pr, { user: 'sbrandt', state: 'APPROVED', body: 'ok' });
  fake.state.mergePull(world.repo, pr, { by: 'sbrandt' });
  return pr;
}

const recordOf = (pr: number) => readLedger(fake, world.repo).records.find((r) => r.kind === 'grant-change' && recordPr(r) === pr);

describe('the Lambda handler', { timeout: 60_000 }, () => {
  it('records a signed merge before it answers', async () => {
    const handler = createLambdaHandler(env);
    const pr = mergedPr('wzhang');
    const res = await handler(event('pull_request', JSON.stringify(fake.payloads.pullRequest('closed', world.repo, pr))));
    expect(res.statusCode).toBe(200);
    expect(recordOf(pr)).toBeDefined();
    expect(readLedger(fake, world.repo).verification.ok).toBe(true);
  });

  it('takes a base64 body (API Gateway REST, payload 1.0) and a warm second invocation', async () => {
    const handler = createLambdaHandler(env);
    await handler({ httpMethod: 'GET', path: '/healthz' });
    const pr = mergedPr('kjensen2');
    const body = JSON.stringify(fake.payloads.pullRequest('closed', world.repo, pr));
    const { rawPath: _r, requestContext: _c, ...v2 } = event('pull_request', body);
    const res = await handler({ ...v2, httpMethod: 'POST', path: '/api/github/webhooks', body: Buffer.from(body).toString('base64'), isBase64Encoded: true });
    expect(res.statusCode).toBe(200);
    expect(recordOf(pr)).toBeDefined();
  });

  it.each([
    ['a signature made with another secret', (body: string) => ({ 'X-Hub-Signature-256': sign('not-the-secret', body) })],
    ['a signature of another body', (body: string) => ({ 'X-Hub-Signature-256': sign(SECRET, `${body} `) })],
  ])('refuses %s with 400 and writes nothing', async (_name, headers) => {
    const handler = createLambdaHandler(env);
    const pr = mergedPr(`forged${++forged}`);
    const before = JSON.stringify(fake.state.ledger(world.repo));
    const body = JSON.stringify(fake.payloads.pullRequest('closed', world.repo, pr));
    const res = await handler(event('pull_request', body, headers(body)));
    expect(res.statusCode).toBe(400);
    expect(res.body).toMatch(/signature does not match/);
    expect(JSON.stringify(fake.state.ledger(world.repo))).toBe(before);
  });

  it('refuses an unsigned event, answers the health check, and 404 elsewhere', async () => {
    const handler = createLambdaHandler(env);
    const unsigned = event('pull_request', '{}');
    delete unsigned.headers!['X-Hub-Signature-256'];
    expect((await handler(unsigned)).statusCode).toBe(400);
    expect(await handler({ rawPath: '/healthz', requestContext: { http: { method: 'GET' } } })).toMatchObject({ statusCode: 200, body: 'ok\n' });
    expect((await handler({ rawPath: '/nope', requestContext: { http: { method: 'GET' } } })).statusCode).toBe(404);
  });

  it('without its settings, every webhook fails loudly with what to set', async () => {
    const handler = createLambdaHandler({ LOG_LEVEL: 'fatal' });
    const res = await handler(event('pull_request', '{}'));
    expect(res.statusCode).toBe(500);
    expect(JSON.parse(res.body).error).toMatch(/APP_ID and PRIVATE_KEY \(or PRIVATE_KEY_PATH\) must be set/);
  });
});
