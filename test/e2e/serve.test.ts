/**
 * `access-ledger serve` is the App, as `npm start` is: started as a process on 127.0.0.1 with
 * Probot's environment, pointed at the fake GitHub (GitHub Enterprise layout through GHE_HOST), it
 * answers its health check, records a merge delivered as a signed webhook, and refuses a webhook
 * whose signature does not match. Its links go to the server it is configured for, not github.com.
 */
import { createHmac } from 'node:crypto';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  killAll,
  newGrantFile,
  readLedger,
  recordPr,
  seedAcme,
  startApp,
  startFakeGitHub,
  tail,
  tempDir,
  waitFor,
  type AppProcess,
  type FakeGitHub,
  type World,
} from '../support/e2e/index.ts';

let fake: FakeGitHub;
let app: AppProcess;
let dir: string | undefined;
let world: World;

beforeAll(async () => {
  fake = await startFakeGitHub({ seed: 11, webUrl: 'https://github.acme.internal' });
  world = seedAcme(fake);
  app = await startApp({ fake, dir: (dir = tempDir('serve')), serve: true });
}, 60_000);

afterAll(async () => {
  await app?.stop().catch(() => undefined);
  await fake?.close();
  killAll();
  if (dir) rmSync(dir, { recursive: true, force: true });
}, 60_000);

describe('access-ledger serve', { timeout: 120_000 }, () => {
  it('answers GET /healthz for the load balancer and the container HEALTHCHECK', async () => {
    const res = await fetch(`${app.origin}/healthz`);
    expect([res.status, await res.text()]).toEqual([200, 'ok\n']);
  });

  it('records a merge delivered as a signed webhook, with links to the configured server', async () => {
    const pr = fake.state.openPullRequest(world.repo, {
      author: 'wzhang',
      title: 'Grant wzhang read-only access',
      head: 'grant-wzhang',
      files: { 'grants/people/wzhang.yaml': newGrantFile('wzhang', world.day(30)) },
    });
    fake.state.submitReview(world.repo, pr, { user: 'sbrandt', state: 'APPROVED', body: 'ok' });
    fake.state.mergePull(world.repo, pr, { by: 'sbrandt' });
    const delivery = await fake.deliver('pull_request', fake.payloads.pullRequest('closed', world.repo, pr), { url: app.webhookUrl, secret: app.secret });
    expect(delivery.status, delivery.response).toBeLessThan(300);
    const record = await waitFor(() => readLedger(fake, world.repo).records.find((r) => r.kind === 'grant-change' && recordPr(r) === pr), {
      what: `the record of #${pr}`,
      timeoutMs: 60_000,
      detail: () => tail(app.log),
    });
    expect(readLedger(fake, world.repo).verification.ok).toBe(true);
    const subject = record.subject as { pr: { url: string } };
    expect(subject.pr.url).toBe(`https://github.acme.internal/${world.repo}/pull/${pr}`);
  });

  it('refuses a webhook signed with another secret: 400, nothing written', async () => {
    const before = JSON.stringify(fake.state.ledger(world.repo));
    const body = JSON.stringify(fake.payloads.pullRequest('closed', world.repo, 1));
    const res = await fetch(app.webhookUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-github-event': 'pull_request',
        'x-github-delivery': 'forged-1',
        'x-hub-signature-256': `sha256=${createHmac('sha256', 'not-the-secret').update(body).digest('hex')}`,
      },
      body,
    });
    expect(res.status).toBe(400);
    expect(JSON.stringify(fake.state.ledger(world.repo))).toBe(before);
  });
});
