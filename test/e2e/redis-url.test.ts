/**
 * REDIS_URL as the App's server reads it: a URL that is not redis:// or rediss:// stops the App
 * before it listens, naming the variable; with a real Redis the App records through the shared
 * queue, says so in its log, and on SIGTERM leaves no lock behind for the other replicas.
 */
import { rmSync } from 'node:fs';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import {
  APP_SERVER,
  appPrivateKey,
  appSigningKey,
  killAll,
  newGrantFile,
  readLedger,
  recordPr,
  runProcess,
  seedAcme,
  startApp,
  startFakeGitHub,
  tail,
  tempDir,
  waitFor,
  type FakeGitHub,
} from '../support/e2e/index.ts';
import { startRedis, type RedisServer } from '../support/redis.ts';
import { sharedQueueKeys } from '../../src/adapters/redis/ledger-queue.ts';

let fake: FakeGitHub | undefined;
let redis: RedisServer | undefined;
let dir: string | undefined;
afterAll(async () => {
  killAll();
  if (dir) rmSync(dir, { recursive: true, force: true });
  await fake?.close();
  await redis?.stop();
});

describe('REDIS_URL', { timeout: 120_000 }, () => {
  it('the App does not start with a REDIS_URL that is not redis:// or rediss://, and says what it is for', async () => {
    const r = await runProcess(process.execPath, [APP_SERVER], {
      env: {
        PATH: process.env.PATH,
        APP_ID: '4242',
        PRIVATE_KEY: appPrivateKey(),
        WEBHOOK_SECRET: 'secret',
        PORT: '0',
        HOST: '127.0.0.1',
        NODE_ENV: 'production',
        ACCESS_LEDGER_SCHEDULE: 'off',
        ACCESS_LEDGER_SIGNING_KEY: appSigningKey().pem,
        REDIS_URL: 'https://user:hunter2@cache.internal:6379',
      },
      timeoutMs: 30_000,
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /access-ledger App: REDIS_URL must be a redis:\/\/ or rediss:\/\/ URL, not "https:\/\/user:\*\*\*@cache\.internal:6379\/": it is where the App's replicas share the ledger's append queue/,
    );
    expect(r.stderr).not.toContain('hunter2');
  });

  it('with a Redis, the App records through the shared queue and lets go of everything when stopped', async () => {
    redis = await startRedis();
    fake = await startFakeGitHub({ seed: 21 });
    const world = seedAcme(fake);
    const app = await startApp({ fake, dir: (dir = tempDir('redis-url')), env: { REDIS_URL: redis.url } });
    expect(app.log).toContain(`ledger appends go through the queue shared with the App's other replicas in Redis at ${redis.url}`);
    const pr = fake.state.openPullRequest(world.repo, {
      author: 'wzhang',
      title: 'Grant wzhang read-only access',
      head: 'grant-wzhang',
      files: { 'grants/people/wzhang.yaml': newGrantFile('wzhang', world.day(30)) },
    });
    fake.state.submitReview(world.repo, pr, { user: 'sbrandt', state: 'APPROVED' });
    fake.state.mergePull(world.repo, pr, { by: 'sbrandt' });
    await fake.deliver('pull_request', fake.payloads.pullRequest('closed', world.repo, pr), { url: app.webhookUrl, secret: app.secret });
    await waitFor(() => readLedger(fake!, world.repo).records.find((r) => r.kind === 'grant-change' && recordPr(r) === pr), {
      what: `the record of #${pr}`,
      timeoutMs: 60_000,
      detail: () => tail(app.log),
    });
    expect(readLedger(fake, world.repo).verification.ok).toBe(true);
    expect(await app.stop()).toBe(0);
    const client = new Redis(redis.url);
    try {
      const keys = sharedQueueKeys('access-ledger', appSigningKey().signer.keyId, `${world.repo}#access-ledger`);
      expect(await client.exists(keys.lock, keys.pending, keys.inflight, keys.jobs)).toBe(0);
    } finally {
      client.disconnect();
    }
  });
});
