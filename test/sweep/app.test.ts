/**
 * The App's sweep features driven the way GitHub drives them: Probot receiving real payload
 * shapes (built by the fake from its state), talking to the stateful fake GitHub.
 */
import { generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Probot, ProbotOctokit, createNodeMiddleware, type ApplicationFunctionOptions } from 'probot';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeGitHub, type FakeGitHub } from '../support/fake-github/index.ts';
import { WorkTracker, newConcurrency, type AppDeps } from '../../src/app/deps.ts';
import { createSweepFeature } from '../../src/app/sweep/index.ts';
import { registerLedger } from '../../src/app/ledger/register.ts';
import { sweepSettings, type SweepSettings } from '../../src/app/sweep/settings.ts';
import { loadBuiltinPacks } from '../../src/adapters/fs/packs.ts';
import { exampleFiles, markers, REPO, seedExample, virtualPacing } from './helpers.ts';
import { APP_LOGIN, testSigner } from '../support/ledger-keys.ts';

/** Probot layers its own throttling options over the class's defaults; a function default has the last word. */
const TestOctokit = ProbotOctokit.defaults((o: Record<string, unknown>) => ({ ...o, retry: { enabled: false }, throttle: { enabled: false } }));
const KEY = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
}).privateKey;
const SECRET = 'cron-secret-0123456789abcdef';
const OFF: SweepSettings = { ...sweepSettings({}), schedule: 'off', cronSecret: null };

let gh: FakeGitHub;
let clock: Date;
let deps: AppDeps;

beforeEach(async () => {
  clock = new Date('2027-01-20T09:30:00Z');
  gh = await startFakeGitHub({ now: () => clock });
  deps = {
    clock: () => clock,
    packs: loadBuiltinPacks,
    gateCheckName: 'access-ledger',
    gateStatusContext: 'access-ledger/gate',
    store: { random: () => 0.5, sleep: async () => undefined },
    signer: testSigner(),
    appLogin: async () => APP_LOGIN,
    work: new WorkTracker(),
    ...newConcurrency(),
  };
});
afterEach(async () => {
  expect(gh.errors).toEqual([]);
  await gh.close();
});

async function loadApp(settings: SweepSettings = OFF) {
  const probot = new Probot({ appId: gh.state.app.id, privateKey: KEY, secret: 'webhook-secret', baseUrl: gh.url, Octokit: TestOctokit, logLevel: 'fatal' });
  let runner!: ReturnType<ReturnType<typeof createSweepFeature>>;
  const appFn = (app: Probot, options: ApplicationFunctionOptions) => {
    runner = createSweepFeature({ settings, pacing: virtualPacing().pacing, discover: async () => [REPO] })(app, deps, options);
  };
  return { probot, appFn, load: async () => (await probot.load(appFn), runner) };
}

async function receive(probot: Probot, name: string, payload: Record<string, unknown>, id = `d-${Math.random()}`) {
  await probot.receive({ id, name, payload } as never);
  expect(await deps.work.drain(30_000)).toBe(true);
}

function records(prefix: string): Record<string, any> {
  const files = gh.state.ledger('acme/access') ?? {};
  return Object.fromEntries(
    Object.entries(files)
      .filter(([p]) => p.startsWith('records/') && p.includes(prefix))
      .map(([p, c]) => [p, JSON.parse(c)]),
  );
}

describe('organization.member_removed', () => {
  it('records identity-left-org and opens one urgent issue listing every grant naming the login; the revocation closes it', async () => {
    const { installationId } = seedExample(gh);
    const { probot, load } = await loadApp();
    const runner = await load();
    gh.state.removeOrgMember('acme', 'tkim');
    const payload = gh.payloads.organizationMemberRemoved('acme', 'tkim', { sender: 'kjensen' });
    await receive(probot, 'organization', payload, 'delivery-1');

    const recs = Object.values(records('left-tkim'));
    expect(recs).toHaveLength(1);
    expect(recs[0]).toMatchObject({
      kind: 'identity-left-org',
      occurred_at: '2027-01-20T09:30:00Z',
      subject: {
        login: 'tkim',
        organization: 'acme',
        source: 'member_removed',
        affected_grants: [
          { path: 'grants/keys/datadog-pg-monitor.yaml', identity: 'datadog-pg-monitor', role: 'owner' },
          { path: 'grants/people/tkim.yaml', identity: 'tkim', role: 'grantee' },
        ],
      },
    });
    expect(markers(gh)).toEqual(['left-org:tkim']);
    const issue = gh.state.listIssues('acme/access', { state: 'open' })[0]!;
    expect(issue.labels).toContain('urgent');
    expect(issue.body).toContain('grants/people/tkim.yaml');
    expect(issue.body).toContain('grants/keys/datadog-pg-monitor.yaml');

    // Delivered again (a new delivery id, e.g. after a restart): the open issue shows it is handled.
    await receive(probot, 'organization', payload, 'delivery-2');
    expect(Object.keys(records('left-tkim'))).toHaveLength(1);
    expect(gh.state.listIssues('acme/access', { state: 'all' })).toHaveLength(1);

    // A partial revocation merged (the key handed over, tkim's own access still there): the sweep
    // keeps the issue open with the shorter list. Then the rest is revoked and the sweep closes it.
    const key = exampleFiles()['grants/keys/datadog-pg-monitor.yaml']!.replace('owner: tkim', 'owner: mchen');
    const pr = gh.state.openPullRequest('acme/access', {
      author: 'kjensen',
      title: 'Hand over the monitor key',
      files: { 'grants/keys/datadog-pg-monitor.yaml': key },
    });
    gh.state.mergePull('acme/access', pr, { by: 'kjensen' });
    await receive(probot, 'pull_request', gh.payloads.pullRequest('closed', 'acme/access', pr));
    await runner.sweepInstallation(installationId);
    expect(gh.state.issue('acme/access', issue.number).state).toBe('open');
    expect(gh.state.issue('acme/access', issue.number).body).not.toContain('datadog-pg-monitor');
    const revoke = gh.state.openPullRequest('acme/access', {
      author: 'kjensen',
      title: 'Revoke tkim',
      head: 'revoke-tkim',
      files: { 'grants/people/tkim.yaml': null },
    });
    gh.state.mergePull('acme/access', revoke, { by: 'kjensen' });
    await runner.sweepInstallation(installationId);
    expect(gh.state.issue('acme/access', issue.number).state).toBe('closed');
    // The revocation's webhook was never delivered: the sweep's reconcile recorded the merge.
    expect(Object.keys(records(`pr-${revoke}-merged`))).toHaveLength(1);
    expect(gh.state.issue('acme/access', issue.number).comments.at(-1)!.body).toMatch(/No grant on `main` names @tkim any more/);
  });

  it('records the departure even when no grant names the login, and opens no issue', async () => {
    seedExample(gh);
    gh.state.addOrgMember('acme', 'visitor');
    const { probot, load } = await loadApp();
    await load();
    gh.state.removeOrgMember('acme', 'visitor');
    await receive(probot, 'organization', gh.payloads.organizationMemberRemoved('acme', 'visitor'));
    expect(Object.values(records('left-visitor'))[0]).toMatchObject({ subject: { affected_grants: [] } });
    expect(gh.state.listIssues('acme/access', { state: 'all' })).toEqual([]);
  });
});

describe('review campaigns', () => {
  it('opens one pull request per due system, never a second while it is open, and records its merge', async () => {
    clock = new Date('2027-03-01T06:00:00Z');
    const files = exampleFiles();
    files['access-ledger.yaml'] += 'reviews: { enabled: true }\n';
    // Renewed before the review: the gate refuses a campaign that keeps expired access.
    for (const [path, text] of Object.entries(files)) files[path] = text.replace(/expires: 2027-0[12]-\d\d/g, 'expires: 2027-05-20');
    const { installationId } = seedExample(gh, { files });
    const { load } = await loadApp();
    const runner = await load();

    const [first] = await runner.sweepInstallation(installationId);
    expect(first!.campaigns.map((c) => `${c.system}:${c.status}`)).toEqual(['aws-prod:opened', 'okta:opened', 'prod-postgres:opened', 'teleport:opened']);
    const [second] = await runner.sweepInstallation(installationId);
    expect(second!.campaigns).toEqual([]);
    const pulls = gh.state.listIssues('acme/access', { state: 'open', pullRequests: true }).filter((i) => i.pull);
    expect(pulls).toHaveLength(4);

    // The prod-postgres review: a revocation is pushed to the PR, and both approvers sign off.
    // sbrandt holds and owns grants under review: jokafor's approval certifies those, sbrandt's the rest.
    const review = pulls.find((p) => p.pull!.headRef === 'access-review/prod-postgres/2027-03-01')!;
    expect(review.labels).toContain('access-review');
    expect(review.body).toContain('| [`sbrandt`]');
    gh.state.createTeam('acme', 'data', { members: ['sbrandt'] });
    gh.state.pushToPullRequest(
      'acme/access',
      review.number,
      { 'grants/keys/datadog-pg-monitor.yaml': null },
      { author: 'kjensen', message: 'Revoke the old monitor key' },
    );
    gh.state.submitReview('acme/access', review.number, { user: 'jokafor', state: 'APPROVED' });
    gh.state.submitReview('acme/access', review.number, { user: 'sbrandt', state: 'APPROVED' });
    gh.state.submitReview('acme/access', review.number, { user: 'kjensen', state: 'APPROVED' }); // committed to it, and not a prod-postgres approver
    gh.state.mergePull('acme/access', review.number, { by: 'jokafor' });
    const { probot } = await loadApp();
    await probot.load((app: Probot, o: ApplicationFunctionOptions) => {
      registerLedger(app, deps);
      createSweepFeature({ settings: OFF, discover: async () => [REPO] })(app, deps, o);
    });
    await receive(probot, 'pull_request', gh.payloads.pullRequest('closed', 'acme/access', review.number));

    // Recorded from its content and the gate's verdict, beside the merge's grant-change record.
    expect(Object.values(records(`pr-${review.number}-unapproved`)).map((r) => JSON.stringify(r.subject))).toEqual([]);
    const recs = Object.values(records(`pr-${review.number}-review-campaign`));
    expect(recs).toHaveLength(1);
    const subject = recs[0]!.subject;
    expect(subject).toMatchObject({
      system: 'prod-postgres',
      reviewed_on: '2027-03-01',
      campaign: 'prod-postgres/2027-03-01',
      reviewers: ['jokafor', 'sbrandt'],
      pr: { number: review.number, merged_by: 'jokafor' },
    });
    expect(subject.items.removed.map((i: { identity: string }) => i.identity)).toEqual(['datadog-pg-monitor']);
    expect(subject.items.kept.length).toBeGreaterThan(3);
    expect(subject.items.changed).toEqual([]);
    expect(subject.not_reviewed).toBeUndefined();
    const certified = Object.fromEntries(subject.items.kept.map((i: { identity: string; certified_by: string[] }) => [i.identity, i.certified_by]));
    expect(certified.sbrandt).toEqual(['jokafor']);
    expect(certified['pg-backup']).toEqual(['jokafor']);
    expect(certified.anovak).toEqual(['jokafor', 'sbrandt']);

    // Anchored in the PR's sticky comment, as every record is.
    const anchor = gh.state.issue('acme/access', review.number).comments.find((c) => c.body.includes('<!-- access-ledger:comment -->'));
    expect(anchor?.body).toContain(recs[0]!.hash);

    // Redelivered: the record's key is the pull request's, nothing is written twice.
    await receive(probot, 'pull_request', gh.payloads.pullRequest('closed', 'acme/access', review.number));
    expect(Object.keys(records('review-campaign'))).toHaveLength(1);

    // A review closed without merging is a decision too: the next campaign waits reminder_days.
    const okta = pulls.find((p) => p.pull!.headRef === 'access-review/okta/2027-03-01')!;
    gh.state.closePullRequest('acme/access', okta.number, 'kjensen');
    clock = new Date('2027-03-02T06:00:00Z');
    const nextDay = await (await loadApp()).load();
    const [soon] = await nextDay.sweepInstallation(installationId);
    expect(soon!.campaigns.find((c) => c.system === 'okta')).toMatchObject({ status: 'waiting' });
    clock = new Date('2027-03-08T06:00:00Z');
    const week = await (await loadApp()).load();
    const [later] = await week.sweepInstallation(installationId);
    expect(later!.campaigns.find((c) => c.system === 'okta')).toMatchObject({ status: 'opened', branch: 'access-review/okta/2027-03-08' });
  });
});

describe('triggers', () => {
  it('the cron endpoint: 401 without or with a wrong secret, 405 for GET, 202 and a sweep with the right one', async () => {
    seedExample(gh, { leavers: ['tkim'] });
    const { probot, appFn } = await loadApp({ ...OFF, cronSecret: SECRET });
    let runner!: ReturnType<ReturnType<typeof createSweepFeature>>;
    const middleware = await createNodeMiddleware(
      (app: Probot, o: ApplicationFunctionOptions) => {
        runner = createSweepFeature({ settings: { ...OFF, cronSecret: SECRET }, pacing: virtualPacing().pacing, discover: async () => [REPO] })(app, deps, o);
      },
      { probot },
    );
    void appFn;
    const server: Server = createServer((req, res) => void middleware(req, res, () => res.writeHead(404).end()));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/access-ledger/sweep`;
    try {
      expect((await fetch(url, { method: 'POST' })).status).toBe(401);
      expect((await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${SECRET}x` } })).status).toBe(401);
      expect((await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${SECRET.slice(0, -1)}` } })).status).toBe(401);
      expect((await fetch(url)).status).toBe(405);
      const ok = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${SECRET}` } });
      expect(ok.status).toBe(202);
      expect(await ok.json()).toEqual({ status: 'started' });
      expect(await deps.work.drain(30_000)).toBe(true);
      expect(markers(gh)).toEqual(['expiring-soon:dsilva', 'expiring-soon:sbrandt', 'left-org:tkim']);
      expect((await fetch(url.replace('/sweep', '/other'), { method: 'POST' })).status).toBe(404);
      void runner;
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it('the in-process schedule runs the sweep on its timer, and ACCESS_LEDGER_SCHEDULE=off starts none', async () => {
    seedExample(gh);
    const timers: { fn: () => void; ms: number }[] = [];
    const fakeTimers = { setTimeout: (fn: () => void, ms: number) => (timers.push({ fn, ms }), {}), clearTimeout: () => undefined };
    const probot = new Probot({ appId: gh.state.app.id, privateKey: KEY, baseUrl: gh.url, Octokit: TestOctokit, logLevel: 'fatal' });
    await probot.load((app: Probot, o: ApplicationFunctionOptions) => {
      createSweepFeature({
        settings: { ...OFF, schedule: 'daily' },
        timers: fakeTimers,
        random: () => 0.5,
        pacing: virtualPacing().pacing,
        discover: async () => [REPO],
      })(app, deps, o);
    });
    expect(timers).toHaveLength(1);
    expect(timers[0]!.ms).toBe(Math.round(5 * 60_000 + 0.5 * 15 * 60_000));
    timers[0]!.fn();
    expect(await deps.work.drain(30_000)).toBe(true);
    await new Promise((r) => setImmediate(r));
    expect(markers(gh)).toEqual(['expiring-soon:dsilva', 'expiring-soon:sbrandt']);
    expect(timers).toHaveLength(2);
    expect(timers[1]!.ms).toBe(24 * 60 * 60 * 1000);

    const none: unknown[] = [];
    const probot2 = new Probot({ appId: gh.state.app.id, privateKey: KEY, baseUrl: gh.url, Octokit: TestOctokit, logLevel: 'fatal' });
    await probot2.load((app: Probot, o: ApplicationFunctionOptions) => {
      createSweepFeature({
        settings: sweepSettings({ ACCESS_LEDGER_SCHEDULE: 'off' }),
        timers: { setTimeout: (f: () => void) => (none.push(f), {}), clearTimeout: () => undefined },
      })(app, deps, o);
    });
    expect(none).toEqual([]);
  });

  it('settings: a clear error for a bad schedule, a short secret or a malformed repository list', () => {
    expect(sweepSettings({})).toMatchObject({ schedule: 'daily', cronSecret: null, cronPath: '/api/access-ledger/sweep', repositories: null });
    expect(
      sweepSettings({ ACCESS_LEDGER_SCHEDULE: 'OFF', ACCESS_LEDGER_CRON_SECRET: SECRET, ACCESS_LEDGER_REPOSITORIES: 'acme/access, acme/other' }),
    ).toMatchObject({ schedule: 'off', cronSecret: SECRET, repositories: ['acme/access', 'acme/other'] });
    expect(() => sweepSettings({ ACCESS_LEDGER_SCHEDULE: 'hourly' })).toThrow(/"daily" or "off"/);
    expect(() => sweepSettings({ ACCESS_LEDGER_CRON_SECRET: 'short' })).toThrow(/at least 16 characters/);
    expect(() => sweepSettings({ ACCESS_LEDGER_REPOSITORIES: 'not-a-repo' })).toThrow(/owner\/name/);
  });
});
