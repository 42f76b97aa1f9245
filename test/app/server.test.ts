/**
 * The real HTTP path: the App's server (src/app/server.ts) on 127.0.0.1, webhooks POSTed as
 * GitHub posts them, the App talking to the stateful fake GitHub. A correct `x-hub-signature-256`
 * is handled end to end; a wrong or missing one is refused with 400 before any handler runs, and
 * nothing is written.
 */
import { createHmac } from 'node:crypto';
import type { Server } from 'node:http';
import { Probot } from 'probot';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app/index.ts';
import { createAppServer, listen, shutdown } from '../../src/app/server.ts';
import { refuseRealConnections } from '../support/no-network.ts';
import { ACCESS, TestOctokit, appWorld, mergeBobsGrant, privateKey, testDeps, type AppWorld } from './support.ts';

refuseRealConnections();

const SECRET = 'webhook-secret-for-tests';

let w: AppWorld;
let server: Server;
let url: string;
let deps: ReturnType<typeof testDeps>;
let number: number;

beforeEach(async () => {
  w = await appWorld();
  number = mergeBobsGrant(w).number;
  w.gh.resetCalls();
  deps = testDeps();
  const probot = new Probot({ appId: w.gh.state.app.id, privateKey: privateKey(), secret: SECRET, baseUrl: w.gh.url, Octokit: TestOctokit, logLevel: 'fatal' });
  server = await createAppServer({ probot, app: createApp(deps) });
  const address = await listen(server, 0, '127.0.0.1');
  url = `http://127.0.0.1:${address.port}`;
});

afterEach(async () => {
  await shutdown(server, deps.work, 5000);
  expect(w.gh.errors).toEqual([]);
  await w.gh.close();
});

function sign(body: string, secret = SECRET): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

async function post(body: string, headers: Record<string, string>): Promise<{ status: number; text: string }> {
  const res = await fetch(`${url}/api/github/webhooks`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-github-event': 'pull_request', 'x-github-delivery': 'd-1', ...headers },
    body,
  });
  return { status: res.status, text: await res.text() };
}

describe('the App over HTTP', () => {
  it('handles a webhook whose signature matches: the merge is recorded', async () => {
    const body = JSON.stringify(w.gh.payloads.pullRequest('closed', ACCESS, number));
    const res = await post(body, { 'x-hub-signature-256': sign(body) });
    expect(res).toEqual({ status: 200, text: 'ok\n' });
    expect(await deps.work.drain(60_000)).toBe(true);
    expect(w.ledger().records.map((r) => r.path)).toEqual(['records/2026/11/20/pr-2-merged.json']);
    expect(w.gh.state.pullOf(ACCESS, number).issue.comments).toHaveLength(1);
  });

  it.each([
    ['a wrong signature', (body: string) => ({ 'x-hub-signature-256': sign(body, 'not-the-secret') })],
    ['a signature of another body', (body: string) => ({ 'x-hub-signature-256': sign(`${body} `) })],
    ['no signature', () => ({})],
  ])('refuses %s with 400 and writes nothing', async (_name, headers) => {
    const body = JSON.stringify(w.gh.payloads.pullRequest('closed', ACCESS, number));
    const res = await post(body, headers(body));
    expect(res.status).toBe(400);
    expect(await deps.work.drain(60_000)).toBe(true);
    expect(w.gh.requests).toEqual([]);
    expect(w.gh.state.ledger(ACCESS)).toBeUndefined();
  });

  it('answers the health check and 404 elsewhere', async () => {
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect((await fetch(`${url}/nope`)).status).toBe(404);
  });
});
