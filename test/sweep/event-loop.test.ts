/**
 * A large sweep does not block the App's event loop: the archive is read, parsed and judged in a
 * worker thread, and webhook deliveries are answered while it runs. Proved by structure, not by
 * timing: a merge's delivery, sent once the worker has started reading, is answered (its record on
 * the ledger) before the worker has read the branch; and the main thread parses none of the
 * branch's files (counted by wrapping the parser in this thread, which the worker does not load).
 * The event loop's longest stall during the worker's reading is recorded beside the time that
 * reading took.
 */
import { generateKeyPairSync } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Probot, type ApplicationFunctionOptions } from 'probot';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startFakeGitHub, type FakeGitHub } from '../support/fake-github/index.ts';
import { createAppServer, listen, shutdown } from '../../src/app/server.ts';
import { createAppOctokit } from '../../src/app/octokit.ts';
import { WorkTracker, newConcurrency, type AppDeps } from '../../src/app/deps.ts';
import { registerLedger } from '../../src/app/ledger/register.ts';
import { createSweepFeature } from '../../src/app/sweep/index.ts';
import { sweepSettings } from '../../src/app/sweep/settings.ts';
import { WritePacer } from '../../src/adapters/github/pacing.ts';
import { loadBuiltinPacks } from '../../src/adapters/fs/packs.ts';
import { exampleFiles, REPO, seedExample } from './helpers.ts';
import { APP_LOGIN, testSigner } from '../support/ledger-keys.ts';

const parsedHere = vi.hoisted(() => [] as string[]);
vi.mock('../../src/core/model/yaml-file.ts', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../src/core/model/yaml-file.ts')>();
  return {
    ...actual,
    parseYamlFile: (path: string, content: Uint8Array | string, size?: number) => {
      parsedHere.push(path);
      return actual.parseYamlFile(path, content, size);
    },
  };
});

const BULK = 10_000;
const TODAY = new Date('2026-11-26T09:00:00Z');
const SECRET = 'webhook-secret-for-the-loop-test';

/** A service account of the example repo's kind, valid on TODAY, owned by a member. */
function bulkGrant(i: number): string {
  return `identity:
  id: bulk-svc-${i}
  kind: service-account
  description: Nightly export job number ${i}
  owner: sbrandt
credential:
  type: oidc-federated
  storage: none (workload identity)
  revocation: Remove the role binding of bulk-svc-${i}
access:
  - system: prod-postgres
    role: billing_read
    justification: Reads invoices for export job ${i}
    expires: 2027-08-30
review: { last_reviewed: 2026-11-16, reviewer: sbrandt }
`;
}

let gh: FakeGitHub;
beforeEach(async () => {
  gh = await startFakeGitHub({ now: () => TODAY });
});
afterEach(async () => {
  expect(gh.errors).toEqual([]);
  await gh.close();
});

describe('a large sweep runs beside the webhooks', () => {
  it('a merge delivered while the worker reads the branch is recorded and answered before the reading is done; the main thread parses none of the branch', async () => {
    const files = exampleFiles();
    for (let i = 0; i < BULK; i++) files[`grants/bulk/team-${i % 50}/svc-${i}.yaml`] = bulkGrant(i);
    const { installationId } = seedExample(gh, { files });
    for (const team of ['security', 'data', 'platform', 'eng-managers', 'revops', 'sre']) gh.state.createTeam('acme', team, { members: ['kjensen'] });
    const pr = gh.state.openPullRequest('acme/access', {
      author: 'sbrandt',
      title: 'Grant bulk-svc-new',
      head: 'grant-new',
      files: { 'grants/people/bulk-new.yaml': bulkGrant(BULK).replace(`bulk-svc-${BULK}`, 'bulk-svc-new') },
    });
    gh.state.submitReview('acme/access', pr, { user: 'jokafor', state: 'APPROVED' });

    const key = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    }).privateKey;
    let t = 0;
    const pacer = new WritePacer({ now: () => t, sleep: async (ms) => void (t += ms) });
    const probot = new Probot({
      appId: gh.state.app.id,
      privateKey: key,
      secret: SECRET,
      baseUrl: gh.url,
      Octokit: createAppOctokit({ pacer, throttle: { enabled: false }, retry: { enabled: false } }),
      logLevel: 'fatal',
    });
    const deps: AppDeps = {
      clock: () => TODAY,
      packs: loadBuiltinPacks,
      gateCheckName: 'access-ledger',
      gateStatusContext: 'access-ledger/gate',
      store: { random: () => 0.5, sleep: async () => undefined },
      signer: testSigner(),
      appLogin: async () => APP_LOGIN,
      work: new WorkTracker(),
      ...newConcurrency(),
      sleep: async () => undefined,
    };

    const progress: number[] = [];
    const loop = monitorEventLoopDelay({ resolution: 10 });
    let readingStarted = 0;
    let readingEnded = 0;
    let delivered: Promise<{ status: number; response: string; readAtAnswer: number }> | undefined;
    let runner!: ReturnType<ReturnType<typeof createSweepFeature>>;
    const app = (a: Probot, o: ApplicationFunctionOptions) => {
      registerLedger(a, deps);
      runner = createSweepFeature({
        settings: { ...sweepSettings({}), schedule: 'off', cronSecret: null, doctor: false },
        discover: async () => [REPO],
        reconcile: async () => undefined,
        onProgress: (_repo, read) => {
          progress.push(read);
          readingEnded = performance.now();
          if (delivered !== undefined) return;
          // The worker is reading: now the merge's webhook arrives.
          readingStarted = performance.now();
          loop.enable();
          gh.state.mergePull('acme/access', pr, { by: 'jokafor' });
          delivered = gh
            .deliver('pull_request', gh.payloads.pullRequest('closed', 'acme/access', pr), { url, secret: SECRET })
            .then((d) => ({ status: d.status, response: d.response, readAtAnswer: progress.at(-1)! }));
        },
      })(a, deps, o);
    };
    const server = await createAppServer({ probot, app });
    const { port } = (await listen(server, 0, '127.0.0.1')) as AddressInfo;
    const url = `http://127.0.0.1:${port}/api/github/webhooks`;
    try {
      // The App has been running: one merge recorded already (its first compiles the schemas and mints a token).
      const earlier = gh.state.openPullRequest('acme/access', {
        author: 'sbrandt',
        title: 'Grant bulk-svc-old',
        head: 'grant-old',
        files: { 'grants/people/bulk-old.yaml': bulkGrant(BULK).replace(`bulk-svc-${BULK}`, 'bulk-svc-old') },
      });
      gh.state.submitReview('acme/access', earlier, { user: 'jokafor', state: 'APPROVED' });
      gh.state.mergePull('acme/access', earlier, { by: 'jokafor' });
      expect((await gh.deliver('pull_request', gh.payloads.pullRequest('closed', 'acme/access', earlier), { url, secret: SECRET })).status).toBe(200);
      parsedHere.length = 0;
      const [report] = await runner.sweepInstallation(installationId);
      loop.disable();
      const answer = await delivered!;
      const total = report!.parsedInWorker;

      expect(answer).toMatchObject({ status: 200 });
      // Answered, with the merge recorded, while the worker had read only part of the branch.
      expect(Object.keys(gh.state.ledger('acme/access') ?? {}).some((p) => p.includes(`pr-${pr}-merged`))).toBe(true);
      expect(answer.readAtAnswer).toBeLessThan(total);
      expect(Math.max(...progress)).toBeGreaterThanOrEqual(BULK);
      expect(total).toBeGreaterThan(BULK);
      // The worker parsed the branch; this thread parsed only the merge's own files, none of the bulk.
      expect(parsedHere.filter((p) => p.startsWith('grants/bulk/'))).toEqual([]);
      expect(report!.grants).toBeGreaterThan(BULK);

      const stallMs = loop.max / 1e6;
      const readingMs = readingEnded - readingStarted;
      console.info(`event loop: longest stall ${stallMs.toFixed(0)} ms while the worker read ${total} files in ${readingMs.toFixed(0)} ms`);
      // Relative, not a time budget: parsing on this thread would have stalled it for the whole reading.
      expect(stallMs).toBeLessThan(readingMs);
    } finally {
      await shutdown(server, deps.work);
    }
  }, 180_000);
});
