/**
 * One pacer for every write a process makes: writes are spaced by when they are sent, not by when
 * a feature hands them to Octokit, so the documented second between writes holds for every pair,
 * whichever feature made them and whatever queue they waited in; reads are not paced. All on a
 * virtual clock: nothing here waits.
 */
import { generateKeyPairSync } from 'node:crypto';
import { Octokit } from '@octokit/core';
import { Probot, type ApplicationFunctionOptions } from 'probot';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeGitHub, type FakeGitHub } from '../support/fake-github/index.ts';
import { WritePacer, isContentCreating, pacedFetch, withWritePacing, writePacing } from '../../src/adapters/github/pacing.ts';
import { createAppOctokit } from '../../src/app/octokit.ts';
import { countingOctokit } from '../../src/adapters/github/sweep.ts';
import { WorkTracker, newConcurrency, type AppDeps } from '../../src/app/deps.ts';
import { createSweepFeature } from '../../src/app/sweep/index.ts';
import { sweepSettings } from '../../src/app/sweep/settings.ts';
import { loadBuiltinPacks } from '../../src/adapters/fs/packs.ts';
import { REPO, seedExample } from './helpers.ts';
import { APP_LOGIN, testSigner } from '../support/ledger-keys.ts';

/** A virtual clock whose sleeps advance it without waiting, and a pacer on it that records when each write went out. */
function virtualPacer() {
  const clock = { t: 1_000_000 };
  const sent: number[] = [];
  class Recording extends WritePacer {
    override async turn(): Promise<void> {
      await super.turn();
      sent.push(clock.t);
    }
  }
  // What is already running finishes before the clock moves on, as it would in real time.
  const pacer = new Recording({
    now: () => clock.t,
    sleep: async (ms) => {
      await new Promise((r) => setImmediate(r));
      clock.t += ms;
    },
  });
  return { clock, sent, pacer };
}

const gaps = (xs: readonly number[]) => xs.slice(1).map((x, i) => x - xs[i]!);

describe('the write pacer', () => {
  it('spaces turns by the interval, in the order asked, and lets a write through at once after a pause', async () => {
    const { clock, sent, pacer } = virtualPacer();
    await Promise.all([pacer.turn(), pacer.turn(), pacer.turn()]);
    expect(gaps(sent)).toEqual([1000, 1000]);
    clock.t += 5000;
    const before = clock.t;
    await pacer.turn();
    expect(sent.at(-1)).toBe(before);
    expect(pacer.sent).toBe(4);
  });

  it.each([
    ['GET', '/repos/acme/access/issues', undefined, false],
    ['HEAD', '/repos/acme/access', undefined, false],
    ['POST', '/repos/acme/access/issues', undefined, true],
    ['PATCH', '/repos/acme/access/issues/1', undefined, true],
    ['PUT', '/repos/acme/access/contents/x', undefined, true],
    ['DELETE', '/repos/acme/access/git/refs/heads/x', undefined, true],
    ['POST', 'https://api.github.com/graphql', 'query($o: String!) { repository(owner: $o) { id } }', false],
    ['POST', '/graphql', '  # files\n  query Files { viewer { login } }', false],
    ['POST', '/graphql', '{ viewer { login } }', false],
    ['POST', '/api/graphql', 'mutation { addStar(input: {}) { clientMutationId } }', true],
    ['POST', '/graphql', undefined, true],
    ['POST', '/graphql', 'subscription { x }', true],
  ])('%s %s (%j) creates content: %s', (method, url, doc, expected) => {
    expect(isContentCreating(method, url, doc)).toBe(expected);
  });
});

describe('writes are spaced by when they are sent', () => {
  it('behind a queue that held the first write, the second still leaves a second after it (not when it was handed over)', async () => {
    const { clock, sent, pacer } = virtualPacer();
    const handedOver: number[] = [];
    const onTheWire: Array<{ at: number; method: string }> = [];
    // A queue between the call and the network, as Octokit's throttling has (its global limiter,
    // busy with other requests): nothing leaves until it opens, then requests leave in order.
    let open!: () => void;
    const opened = new Promise<void>((r) => (open = r));
    const queue = (octokit: Octokit) => {
      octokit.hook.wrap('request', async (request, options) => {
        await opened;
        return request(options);
      });
    };
    const fetch = (async (_url: string, init?: RequestInit) => {
      onTheWire.push({ at: clock.t, method: init?.method ?? 'GET' });
      return new Response('{}', { status: 201, headers: { 'content-type': 'application/json' } });
    }) as typeof globalThis.fetch;
    const octokit = new (Octokit.plugin(queue, writePacing(pacer)))({ auth: 'token', request: { fetch } });
    // The sweep's spacing before: a second between handing the comment and the close to Octokit.
    handedOver.push(clock.t);
    const comment = octokit.request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', {
      owner: 'acme',
      repo: 'access',
      issue_number: 1,
      body: 'fixed',
    });
    clock.t += 1000;
    handedOver.push(clock.t);
    const close = octokit.request('PATCH /repos/{owner}/{repo}/issues/{issue_number}', { owner: 'acme', repo: 'access', issue_number: 1, state: 'closed' });
    clock.t += 980;
    open();
    await Promise.all([comment, close]);
    expect(gaps(handedOver)).toEqual([1000]);
    expect(onTheWire.map((w) => w.method)).toEqual(['POST', 'PATCH']);
    // Both were queued until the same moment: paced when handed over, they would leave together.
    expect(onTheWire[0]!.at).toBe(handedOver[0]! + 1980);
    expect(gaps(onTheWire.map((w) => w.at))).toEqual([1000]);
    expect(sent).toHaveLength(2);
  });

  it('reads are not held behind a write waiting for its turn', async () => {
    const { clock, pacer } = virtualPacer();
    const order: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    // A pacer whose sleep waits for the test: a write is stuck in its turn until released.
    const slow = new WritePacer({
      now: () => clock.t,
      sleep: async (ms) => {
        await gate;
        clock.t += ms;
      },
    });
    await slow.turn();
    const fetch = (async (url: string, init?: RequestInit) => {
      order.push(`${init?.method ?? 'GET'} ${new URL(url).pathname}`);
      return new Response('{}', { status: 200, headers: { 'content-type': 'application/json' } });
    }) as typeof globalThis.fetch;
    const octokit = new (Octokit.plugin(writePacing(slow)))({ request: { fetch } });
    const write = octokit.request('POST /repos/{owner}/{repo}/issues', { owner: 'acme', repo: 'access', title: 't' });
    await octokit.request('GET /repos/{owner}/{repo}', { owner: 'acme', repo: 'access' });
    await octokit.request('POST /graphql', { query: 'query { viewer { login } }' });
    expect(order).toEqual(['GET /repos/acme/access', 'POST /graphql']);
    release();
    await write;
    expect(order.at(-1)).toBe('POST /repos/acme/access/issues');
    void pacer;
  });

  it('a fetch is paced once however often the request is hooked, and a plain client is wrapped once', async () => {
    const { sent, pacer } = virtualPacer();
    const inner = (async () => new Response(null, { status: 204 })) as typeof globalThis.fetch;
    const twice = pacedFetch(pacer, pacedFetch(pacer, inner));
    await twice('https://api.github.com/x', { method: 'POST' });
    expect(sent).toHaveLength(1);
    const client = { request: async (_route: string, _params?: Record<string, unknown>) => ({ status: 200, data: null }) };
    const once = withWritePacing(client, pacer);
    expect(withWritePacing(once, new WritePacer())).toBe(once);
    await once.request('POST /repos/{owner}/{repo}/issues', {});
    await once.request('GET /repos/{owner}/{repo}/issues', {});
    expect(sent).toHaveLength(2);
  });
});

describe("the sweep's request count", () => {
  it('counts reads, writes and GraphQL by what they do, and keeps what else the client offers', async () => {
    const client = {
      request: async (_route: string, _params?: Record<string, unknown>) => ({ status: 200, data: null }),
      graphql: async (_query: string, _variables?: Record<string, unknown>) => ({}),
      paginate: 'kept',
    };
    const { octokit, counts } = countingOctokit(client);
    await octokit.request('GET /repos/{owner}/{repo}/issues', {});
    await octokit.request('POST /repos/{owner}/{repo}/git/commits', {});
    await octokit.request('POST /graphql', { query: 'query { viewer { login } }' });
    await octokit.graphql('query($o: String!) { repository(owner: $o) { id } }');
    await octokit.graphql('mutation { addStar(input: {}) { clientMutationId } }');
    expect(counts).toMatchObject({ reads: 3, writes: 2 });
    expect(counts.byRoute['POST /graphql']).toBe(3);
    expect(octokit.paginate).toBe('kept');
  });
});

describe('the App: one pacer for the sweep, its ledger writes and its issues', () => {
  let gh: FakeGitHub;
  beforeEach(async () => {
    gh = await startFakeGitHub({ now: () => new Date('2027-01-20T09:30:00Z') });
  });
  afterEach(async () => {
    expect(gh.errors).toEqual([]);
    await gh.close();
  });

  it('a sweep that finds a leaver the webhook missed: every write, ledger commits included, is counted and sent a second after the one before', async () => {
    const { installationId } = seedExample(gh, { leavers: ['tkim'] });
    const { sent, pacer } = virtualPacer();
    const key = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    }).privateKey;
    // The App's own Octokit, as `npm start` builds it, with the queues off and the pacer on a virtual clock.
    const AppOctokit = createAppOctokit({ pacer, throttle: { enabled: false }, retry: { enabled: false } });
    const probot = new Probot({ appId: gh.state.app.id, privateKey: key, secret: 'webhook-secret', baseUrl: gh.url, Octokit: AppOctokit, logLevel: 'fatal' });
    const deps: AppDeps = {
      clock: () => new Date('2027-01-20T09:30:00Z'),
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
    let runner!: ReturnType<ReturnType<typeof createSweepFeature>>;
    await probot.load((app: Probot, o: ApplicationFunctionOptions) => {
      runner = createSweepFeature({
        settings: { ...sweepSettings({}), schedule: 'off', cronSecret: null, doctor: false },
        discover: async () => [REPO],
        reconcile: async () => undefined,
      })(app, deps, o);
    });
    gh.resetCalls();
    const [report] = await runner.sweepInstallation(installationId);
    const writesSeen = gh.requests.filter((r) => r.method !== 'GET' && r.route !== 'POST /graphql');
    const sweepWrites = writesSeen.filter((r) => !r.route.startsWith('POST /app/installations/'));
    // The leaver's record went to the ledger before the urgent issue, and the summary counts those writes.
    expect(Object.keys(gh.state.ledger('acme/access') ?? {}).some((p) => p.includes('left-tkim'))).toBe(true);
    expect(report!.requests.byRoute['POST /repos/{owner}/{repo}/git/commits']).toBeGreaterThanOrEqual(1);
    expect(report!.requests.writes).toBe(sweepWrites.length);
    // Every write the fake received took a turn (the token's mint too), each a second or more after the last.
    expect(sent).toHaveLength(writesSeen.length);
    expect(Math.min(...gaps(sent))).toBeGreaterThanOrEqual(1000);
  });
});
