/**
 * The real HTTP path: the App's server (src/app/server.ts) on 127.0.0.1, webhooks POSTed as
 * GitHub posts them. A correct `x-hub-signature-256` is handled end to end; a wrong or missing
 * one is refused with 400 before any handler runs, and nothing is written.
 */
import { createHmac } from 'node:crypto';
import type { Server } from 'node:http';
import nock from 'nock';
import { Probot } from 'probot';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeGit } from '../ledger/fake-git.ts';
import { createApp } from '../../src/app/index.ts';
import { createAppServer, listen, shutdown } from '../../src/app/server.ts';
import {
  API,
  BASE_SHA,
  CONFIG,
  HEAD_SHA,
  MERGE_SHA,
  OWNER,
  REPO,
  REPO_PATH,
  SYSTEM,
  TestOctokit,
  grantFile,
  graphqlObjects,
  installationToken,
  privateKey,
  pullRequestClosed,
  testDeps,
  type Revisions,
} from './support.ts';

const SECRET = 'webhook-secret-for-tests';
const BOB = grantFile('bob');

let git: FakeGit;
let server: Server;
let url: string;
let deps: ReturnType<typeof testDeps>;

beforeEach(async () => {
  nock.disableNetConnect();
  nock.enableNetConnect('127.0.0.1');
  git = new FakeGit(OWNER, REPO);
  deps = testDeps();
  const probot = new Probot({ appId: 123, privateKey: privateKey(), secret: SECRET, Octokit: TestOctokit, logLevel: 'fatal' });
  server = await createAppServer({ probot, app: createApp(deps) });
  const address = await listen(server, 0, '127.0.0.1');
  url = `http://127.0.0.1:${address.port}`;
});

afterEach(async () => {
  await shutdown(server, deps.work, 5000);
  git.stop();
  nock.cleanAll();
  nock.enableNetConnect();
});

/** The ledger fake disables every net connection when it starts; the App's own server stays reachable. */
function startGit(): void {
  git.start();
  nock.enableNetConnect('127.0.0.1');
}

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

function revisions(): Revisions {
  return {
    [BASE_SHA]: { 'access-ledger.yaml': CONFIG, 'systems/prod-postgres.yaml': SYSTEM },
    [HEAD_SHA]: { 'grants/people/bob.yaml': BOB },
    [MERGE_SHA]: { 'grants/people/bob.yaml': BOB },
  };
}

describe('the App over HTTP', () => {
  it('handles a webhook whose signature matches: the merge is recorded', async () => {
    const scopes = [
      installationToken(),
      // The merge handler's folded reads: the pull request with the base config and systems, then the grant with the ledger tip.
      graphqlObjects(revisions, [], {
        times: 2,
        pull: {
          files: [{ path: 'grants/people/bob.yaml', changeType: 'ADDED' }],
          reviews: [{ login: 'dave', state: 'APPROVED', commit: HEAD_SHA, at: '2026-11-19T12:00:00Z' }],
          commits: [{ author: 'Codertocat', committer: 'Codertocat', message: 'Grant bob' }],
        },
        ledger: () => {
          const tip = git.refs.get('refs/heads/access-ledger');
          return tip ? { commit: tip, tree: git.get(tip, 'commit').tree, files: git.files(tip) } : null;
        },
      }),
      nock(API).get('/orgs/acme/members/alice').reply(204),
      nock(API).get('/orgs/acme/members/bob').reply(204),
      nock(API).post(`${REPO_PATH}/issues/2/comments`).reply(201, { id: 1 }),
      nock(API).get(`${REPO_PATH}/issues/2/comments`).query(true).reply(200, []),
    ];
    startGit();
    const body = JSON.stringify(pullRequestClosed());
    const res = await post(body, { 'x-hub-signature-256': sign(body) });
    expect(res).toEqual({ status: 200, text: 'ok\n' });
    for (const s of scopes) expect(s.pendingMocks()).toEqual([]);
    const tip = git.refs.get('refs/heads/access-ledger')!;
    expect([...git.files(tip).keys()].filter((p) => p.startsWith('records/'))).toEqual(['records/2026/11/20/pr-2-merged.json']);
  });

  it.each([
    ['a wrong signature', (body: string) => ({ 'x-hub-signature-256': sign(body, 'not-the-secret') })],
    ['a signature of another body', (body: string) => ({ 'x-hub-signature-256': sign(`${body} `) })],
    ['no signature', () => ({})],
  ])('refuses %s with 400 and writes nothing', async (_name, headers) => {
    startGit();
    const body = JSON.stringify(pullRequestClosed());
    const res = await post(body, headers(body));
    expect(res.status).toBe(400);
    expect(git.log).toEqual([]);
    expect(git.refs.size).toBe(0);
  });

  it('answers the health check and 404 elsewhere', async () => {
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect((await fetch(`${url}/nope`)).status).toBe(404);
  });
});
