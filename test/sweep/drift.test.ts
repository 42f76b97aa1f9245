/**
 * The sweep's drift issues against the stateful fake GitHub: each system's latest listing on the
 * ledger branch (recorded as `observe --record` records it, by the App) compared with the grants
 * on main, one issue per system and kind of difference, with the stale-grant issues' lifecycle.
 * Named attacks: a listing pushed to the ledger branch by someone else, an export changed after it
 * was recorded, account names that would ping people, link or hide text, and a secret in a name.
 */
import { generateKeyPairSync } from 'node:crypto';
import { Probot, ProbotOctokit } from 'probot';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { registerLedger } from '../../src/app/ledger/register.ts';
import { startFakeGitHub, type FakeGitHub } from '../support/fake-github/index.ts';
import { APP_MANIFEST_PERMISSIONS } from '../support/fake-github/state.ts';
import { MembershipReader, runSweep, type SweepReport } from '../../src/adapters/github/sweep.ts';
import { recordSnapshot } from '../../src/adapters/github/ledger-snapshots.ts';
import type { LedgerOctokit } from '../../src/adapters/github/ledger-store.ts';
import { loadBuiltinPacks } from '../../src/adapters/fs/packs.ts';
import { WorkTracker, newConcurrency, type AppDeps } from '../../src/app/deps.ts';
import { ledgerStoreFor, trustFor } from '../../src/app/ledger/trust.ts';
import { parseYamlFile } from '../../src/core/model/yaml-file.ts';
import { hashRecord, serializeRecord, type SealedRecord } from '../../src/core/ledger/index.ts';
import type { RepoConfig, System } from '../../src/core/model/types.ts';
import { buildSnapshot, runConnector } from '../../src/core/observe/snapshot.ts';
import { APP_LOGIN, TEST_SIGNING_KEY, testSigner, withLedgerTrust } from '../support/ledger-keys.ts';
import { runSweepCommand } from '../../src/cli/commands/sweep.ts';
import type { Io } from '../../src/cli/io.ts';
import { markers, octokitFor, REPO, virtualPacing } from './helpers.ts';

const packs = loadBuiltinPacks();
let gh: FakeGitHub;
let clock: Date;
let deps: AppDeps;
let installationId: number;

const CONFIG = withLedgerTrust(
  `version: 1
organization: acme
extends: soc2-baseline
admins: ["@acme/security"]
ledger: { branch: access-ledger }
`,
  [testSigner()],
);

const DB = `id: db
name: Orders database
category: database
environment: production
owner: carol
approvers: [carol]
review_cadence_days: 365
evidence:
  provisioning: Terraform apply logs
  activity: pgaudit in the SIEM
roles:
  admin: { privileged: true }
  reader: { description: Reads the orders }
observe:
  format: csv
  columns: { account: user, role: role, last_used: last_used }
  kind: service
`;

const grant = (id: string, account: string | null = null, role = 'reader') => `identity:
  id: ${id}
  kind: service-account
  description: ${id} job
  owner: carol
credential:
  type: static-secret
  rotation_days: 90
  last_rotated: 2027-01-01
  storage: vault:kv/${id}
  revocation: https://wiki.example/runbooks/${id}
access:
  - system: db
    role: ${role}
    justification: Reads the orders for the nightly report
    expires: 2027-12-31
${account ? `    accounts: [${account}]\n` : ''}`;

const FILES = {
  'access-ledger.yaml': CONFIG,
  'systems/db.yaml': DB,
  'grants/services/exporter.yaml': grant('exporter', 'svc_exporter'),
  'grants/services/reporter.yaml': grant('reporter'),
};

const csv = (rows: string[]) => `user,role,last_used\n${rows.join('\n')}\n`;
const DAY1 = csv(['svc_exporter,reader,2027-01-19', 'reporter,reader,2027-01-19', 'mallory,admin,2027-01-18']);

beforeEach(async () => {
  clock = new Date('2027-01-20T06:00:00Z');
  gh = await startFakeGitHub({ now: () => clock });
  gh.state.createOrg('acme', { members: ['carol', 'dave'] });
  gh.state.createRepo('acme/access', { files: FILES });
  installationId = gh.state.installationFor('acme')!.id;
  deps = {
    clock: () => clock,
    packs: loadBuiltinPacks,
    gateCheckName: 'gate',
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

const config = (): RepoConfig => parseYamlFile('access-ledger.yaml', CONFIG).value as RepoConfig;

/** Records a listing of `system` as `observe --record` does: the App's signed record and the raw export beside it. */
async function recordListing(text: string, takenAt: string, system = 'db', systemFile = DB) {
  clock = new Date(takenAt);
  const sys = parseYamlFile(`systems/${system}.yaml`, systemFile).value as System;
  const raw = Buffer.from(text);
  const snapshot = buildSnapshot({
    system,
    connector: 'mapped',
    takenAt,
    source: { type: 'file', file: `${system}.csv`, command: null, api: null, calls: null },
    raw,
    rawFormat: 'csv',
    result: runConnector('mapped', raw, `${system}.csv`, sys.observe, takenAt),
  });
  const octokit = octokitFor(gh, installationId) as unknown as LedgerOctokit;
  const store = await ledgerStoreFor(octokit, REPO, 'access-ledger', deps, config());
  return recordSnapshot(store, snapshot, raw, 'acme/access');
}

function sweep(today: string, extra: Partial<Parameters<typeof runSweep>[0]> = {}): Promise<SweepReport> {
  clock = new Date(`${today}T06:00:00Z`);
  const octokit = octokitFor(gh, installationId);
  return runSweep({
    octokit,
    repo: REPO,
    packs,
    now: () => new Date(`${today}T06:00:00Z`),
    today,
    pacing: virtualPacing().pacing,
    membership: new MembershipReader(),
    observed: { trust: (c) => trustFor(octokit as unknown as LedgerOctokit, REPO, deps, c) },
    ...extra,
  });
}

const driftMarkers = () => markers(gh).filter((m) => m.startsWith('observed-'));
const issueOf = (marker: string) =>
  gh.state.listIssues('acme/access', { state: 'all' }).find((i) => (i.body ?? '').includes(`id=${marker.split(':')[1]} kind=${marker.split(':')[0]} `))!;

describe('drift issues', () => {
  it('one issue per system and kind: the account, the grant, what the listing shows and which listing found it; a second sweep changes nothing', async () => {
    const { record } = await recordListing(DAY1, '2027-01-19T22:00:00Z');
    const first = await sweep('2027-01-20');
    // mallory is on db with no grant; exporter's and reporter's accounts map to their grants.
    expect(driftMarkers()).toEqual(['observed-undeclared:db']);
    const issue = issueOf('observed-undeclared:db');
    expect(issue.title).toBe('Accounts on Orders database (db) that no grant declares');
    expect(issue.body).toContain('`mallory`');
    expect(issue.body).toContain(`ledger record \`${record.key}\`, seq ${record.seq}`);
    expect(issue.body).toContain((record.subject as { raw_sha256: string }).raw_sha256);
    expect(issue.body).toMatch(/\*\*What to do:\*\* Remove the account from the system, or declare it by pull request/);
    expect(issue.body).toContain('observed-undeclared');
    expect(issue.assignees).toEqual(['carol']);
    expect(issue.labels).toEqual(expect.arrayContaining(['stale-grant', 'access-ledger']));
    expect(first.drift && 'listings' in first.drift ? [...first.drift.listings.keys()] : []).toEqual(['db']);

    const second = await sweep('2027-01-20');
    expect(second.requests.writes).toBe(0);
    expect(second.plan.every((a) => a.type === 'no-op')).toBe(true);
  });

  it('a later listing that finds the same differences leaves the issue as it is; one that finds another difference rewrites it and says so', async () => {
    await recordListing(DAY1, '2027-01-19T22:00:00Z');
    await sweep('2027-01-20');
    const issue = issueOf('observed-undeclared:db');
    // The next day's listing: the same accounts, used again since.
    await recordListing(csv(['svc_exporter,reader,2027-01-20', 'reporter,reader,2027-01-20', 'mallory,admin,2027-01-20']), '2027-01-20T22:00:00Z');
    const same = await sweep('2027-01-21');
    expect(same.requests.writes).toBe(0);
    expect(gh.state.issue('acme/access', issue.number).body).toBe(issue.body);

    await recordListing(
      csv(['svc_exporter,reader,2027-01-21', 'reporter,reader,2027-01-21', 'mallory,admin,2027-01-21', 'eve,reader,2027-01-21']),
      '2027-01-21T22:00:00Z',
    );
    const changed = await sweep('2027-01-22');
    expect(changed.plan.filter((a) => a.type === 'update').map((a) => ('issue' in a ? a.issue.number : 0))).toEqual([issue.number]);
    const now = gh.state.issue('acme/access', issue.number);
    expect(now.body).toContain('`eve`');
    expect(now.body).toContain('snapshot-db-20270121T220000Z');
    expect(now.comments.at(-1)!.body).toMatch(/^The problem changed on `main`: 2 differences of this kind/);
  });

  it('closes the issue when a merged grant declares the account, and reopens the same issue when the grant is removed again', async () => {
    await recordListing(DAY1, '2027-01-19T22:00:00Z');
    await sweep('2027-01-20');
    const issue = issueOf('observed-undeclared:db');
    gh.state.commitFiles(
      'acme/access',
      'main',
      { 'grants/services/mallory.yaml': grant('mallory', null, 'admin').replace('    role: admin\n', '    role: admin\n    privileged: true\n') },
      { author: 'carol', message: 'Declare mallory' },
    );
    const fixed = await sweep('2027-01-21');
    expect(fixed.plan.filter((a) => a.type === 'close').map((a) => ('issue' in a ? a.issue.number : 0))).toEqual([issue.number]);
    const closed = gh.state.issue('acme/access', issue.number);
    expect(closed.state).toBe('closed');
    expect(closed.comments.at(-1)!.body).toMatch(
      /^The latest listing of `db`, compared with the grants on `main`, shows none of this any more \(each account is declared by a grant, or removed from the system\)\. Closing\./,
    );

    gh.state.commitFiles('acme/access', 'main', { 'grants/services/mallory.yaml': null }, { author: 'carol', message: 'Remove mallory again' });
    const regressed = await sweep('2027-01-22');
    expect(regressed.plan.filter((a) => a.type === 'reopen')).toHaveLength(1);
    expect(gh.state.issue('acme/access', issue.number).state).toBe('open');
    expect(markers(gh, 'all').filter((m) => m === 'observed-undeclared:db')).toHaveLength(1);
  });

  it('a system whose file stops saying how it is read: its issues close, saying so', async () => {
    await recordListing(DAY1, '2027-01-19T22:00:00Z');
    await sweep('2027-01-20');
    const issue = issueOf('observed-undeclared:db');
    gh.state.commitFiles(
      'acme/access',
      'main',
      { 'systems/db.yaml': DB.slice(0, DB.indexOf('observe:')) },
      { author: 'carol', message: 'db is no longer listed' },
    );
    await sweep('2027-01-21');
    const closed = gh.state.issue('acme/access', issue.number);
    expect(closed.state).toBe('closed');
    expect(closed.comments.at(-1)!.body).toMatch(/`db` is no longer compared with its listing/);
  });

  it('drift issues spend the write budget like the others, and two sweeps at once leave one issue per system and kind', async () => {
    await recordListing(csv(['svc_exporter,admin,2027-01-19', 'mallory,reader,2027-01-18']), '2027-01-19T22:00:00Z');
    // Undeclared (mallory), excess privilege (exporter's admin) and unprovisioned (reporter): three issues.
    const capped = await sweep('2027-01-20', { maxWrites: 3 });
    expect(capped.deferred.length).toBe(2);
    expect(driftMarkers()).toHaveLength(1);
    const octokit = octokitFor(gh, installationId);
    await Promise.all([sweep('2027-01-20', { octokit }), sweep('2027-01-20', { octokit: octokitFor(gh, installationId) })]);
    expect(driftMarkers()).toEqual(['observed-excess-privilege:db', 'observed-undeclared:db', 'observed-unprovisioned:db']);
  });

  it('attack: a newer listing pushed to the ledger branch by someone else is never used; the open issue stays as it is', async () => {
    const { record } = await recordListing(DAY1, '2027-01-19T22:00:00Z');
    await sweep('2027-01-20');
    const issue = issueOf('observed-undeclared:db');
    // mallory forges a listing without her account, with a record that copies the App's.
    const ledger = gh.state.ledger('acme/access')!;
    const path = Object.keys(ledger).find((p) => p.endsWith(`${record.key}.json`))!;
    // Its hash recomputed, so it passes its own checks: only who wrote it gives it away.
    const { hash: _hash, ...body } = JSON.parse(
      ledger[path]!.replace(/20270119T220000Z/g, '20270120T050000Z').replace(/2027-01-19T22:00:00Z/g, '2027-01-20T05:00:00Z'),
    ) as SealedRecord;
    const forged = serializeRecord({ ...body, hash: hashRecord(body) } as SealedRecord);
    gh.state.commitFiles(
      'acme/access',
      'access-ledger',
      { [path.replace('20270119T220000Z', '20270120T050000Z').replace('/2027/01/19/', '/2027/01/20/')]: forged },
      { author: 'mallory', message: 'Record a clean listing' },
    );
    const report = await sweep('2027-01-21');
    expect(report.drift && 'problems' in report.drift ? [...report.drift.problems.keys()] : []).toEqual([]);
    expect(report.drift && 'ignored' in report.drift ? report.drift.ignored : []).toEqual([
      expect.stringMatching(/snapshot-db-20270120T050000Z\.json was not written by the App \(the signature by key [0-9a-f]{16} does not verify/),
    ]);
    expect(report.drift && 'listings' in report.drift ? report.drift.listings.get('db')?.record.key : null).toBe(record.key);
    expect(gh.state.issue('acme/access', issue.number).state).toBe('open');
    expect(report.requests.writes).toBe(0);
  });

  it('attack: an export changed on the ledger branch after it was recorded is not read; the system is not judged and its issue stays open', async () => {
    const { record } = await recordListing(DAY1, '2027-01-19T22:00:00Z');
    await sweep('2027-01-20');
    const issue = issueOf('observed-undeclared:db');
    const rawPath = (record.subject as { raw_path: string }).raw_path;
    gh.state.commitFiles(
      'acme/access',
      'access-ledger',
      { [rawPath]: csv(['svc_exporter,reader,2027-01-19', 'reporter,reader,2027-01-19']) },
      { author: 'mallory', message: 'Tidy the export' },
    );
    const report = await sweep('2027-01-21');
    const problems = report.drift && 'problems' in report.drift ? report.drift.problems : new Map();
    expect(problems.get('db')).toMatch(/has SHA-256 [0-9a-f]{64}, not the [0-9a-f]{64} the record names/);
    expect(gh.state.issue('acme/access', issue.number).state).toBe('open');
    expect(report.plan.filter((a) => a.type !== 'no-op')).toEqual([]);
  });

  it('attack: account names that would mention people, link, hide text or leak a secret are shown inert and masked', async () => {
    const secret = 'ghp_' + 'Z9y8X7w6V5u4T3s2R1q0P9o8N7m6L5k4J3i2';
    const names = [
      '@acme/security',
      '<img src=x onerror=alert(1)>',
      '[click](https://evil.example)',
      '<!-- access-ledger:stale id=db kind=observed-dormant hash=0000000000000000 -->',
      `"${secret}"`,
    ];
    await recordListing(
      csv([...names.map((n) => `"${n.replace(/"/g, '""')}",reader,2027-01-19`), 'svc_exporter,reader,2027-01-19', 'reporter,reader,2027-01-19']),
      '2027-01-19T22:00:00Z',
    );
    await sweep('2027-01-20');
    const body = issueOf('observed-undeclared:db').body ?? '';
    expect(body).not.toContain(secret);
    expect(body).toContain('(masked)');
    // Inside code spans a mention pings nobody and a link is text; outside them, none is left.
    const outsideCode = body.replace(/(`+)[^`]*?\1/g, '');
    expect(outsideCode).not.toMatch(/(^|[^\u200b])@acme\/security/);
    expect(outsideCode).not.toContain('https://evil');
    expect(outsideCode).not.toContain('<img');
    // One marker: the issue's own, first.
    expect(body.match(/<!-- access-ledger:stale/g)).toHaveLength(1);
    expect(body.startsWith('<!-- access-ledger:stale id=db kind=observed-undeclared ')).toBe(true);
  });

  it('without the listings (drift not asked for), open drift issues are left exactly as they are', async () => {
    await recordListing(DAY1, '2027-01-19T22:00:00Z');
    await sweep('2027-01-20');
    const report = await sweep('2027-01-21', { observed: undefined });
    expect(report.plan.filter((a) => a.type !== 'no-op')).toEqual([]);
    expect(driftMarkers()).toEqual(['observed-undeclared:db']);
  });
});

describe("the organization's listing", () => {
  const GITHUB = `id: github
name: GitHub organization acme
category: source-control
environment: production
owner: carol
approvers: [carol]
review_cadence_days: 180
evidence:
  provisioning: Terraform
  activity: the audit log
observe: { connector: github-org }
`;

  it('is listed and recorded (signed, with its raw export) at most once a day, when a system file says connector github-org', async () => {
    gh.state.commitFiles('acme/access', 'main', { 'systems/github.yaml': GITHUB }, { author: 'carol' });
    gh.state.installationFor('acme')!.permissions = {
      ...APP_MANIFEST_PERMISSIONS,
      organization_administration: 'read',
      organization_personal_access_tokens: 'read',
    };
    const octokit = () => octokitFor(gh, installationId);
    const withOrg = () => ({
      observed: {
        trust: (c: RepoConfig) => trustFor(octokit() as unknown as LedgerOctokit, REPO, deps, c),
        organization: { store: (c: RepoConfig) => ledgerStoreFor(octokit() as unknown as LedgerOctokit, REPO, 'access-ledger', deps, c), api: gh.url },
      },
    });
    const first = await sweep('2027-01-20', withOrg());
    const org = first.drift && 'organization' in first.drift ? first.drift.organization : [];
    expect(org.map((o) => o.status)).toEqual(['recorded']);
    const ledger = gh.state.ledger('acme/access')!;
    const record = Object.entries(ledger).find(([p]) => p.includes('snapshot-github-'))!;
    const subject = JSON.parse(record[1]).subject as { raw_path: string; raw_sha256: string; connector: string };
    expect(subject.connector).toBe('github-org');
    expect(ledger[subject.raw_path]).toBeDefined();
    expect(JSON.parse(record[1]).signature.key_id).toBe(testSigner().keyId);
    // The members have no access entry to github in this repo: the listing says so.
    expect(driftMarkers()).toContain('observed-undeclared:github');

    const again = await sweep('2027-01-20', withOrg());
    expect(again.drift && 'organization' in again.drift ? again.drift.organization.map((o) => o.status) : []).toEqual(['listed-today']);
    expect(Object.keys(gh.state.ledger('acme/access')!).filter((p) => p.includes('snapshot-github-'))).toHaveLength(1);

    const next = await sweep('2027-01-21', withOrg());
    expect(next.drift && 'organization' in next.drift ? next.drift.organization.map((o) => o.status) : []).toEqual(['recorded']);
    expect(Object.keys(gh.state.ledger('acme/access')!).filter((p) => p.includes('snapshot-github-'))).toHaveLength(2);
  });

  it('a refused listing is named with the permission it needs, and the sweep goes on', async () => {
    gh.state.commitFiles('acme/access', 'main', { 'systems/github.yaml': GITHUB }, { author: 'carol' });
    await recordListing(DAY1, '2027-01-19T22:00:00Z');
    clock = new Date('2027-01-20T06:00:00Z');
    const octokit = octokitFor(gh, installationId);
    const report = await sweep('2027-01-20', {
      observed: {
        trust: (c) => trustFor(octokit as unknown as LedgerOctokit, REPO, deps, c),
        organization: { store: (c) => ledgerStoreFor(octokit as unknown as LedgerOctokit, REPO, 'access-ledger', deps, c), api: gh.url },
      },
    });
    expect((report.drift as { error?: string }).error).toBeUndefined();
    const org = report.drift && 'organization' in report.drift ? report.drift.organization : [];
    expect(org).toEqual([{ system: 'github', status: 'failed', error: expect.stringMatching(/organization_administration: read/) }]);
    expect(driftMarkers()).toEqual(['observed-undeclared:db']);
  });
});

describe("a review campaign on the system's listing", () => {
  it('the review pull request shows the listing beside each entry and the undeclared accounts; its merge records the listing it was shown', async () => {
    const TestOctokit = ProbotOctokit.defaults((o: Record<string, unknown>) => ({ ...o, retry: { enabled: false }, throttle: { enabled: false } }));
    const key = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    }).privateKey;
    gh.state.commitFiles('acme/access', 'main', { 'systems/db.yaml': DB.replace('approvers: [carol]', 'approvers: [carol, dave]') }, { author: 'carol' });
    const { record } = await recordListing(DAY1, '2027-01-19T22:00:00Z');
    // db's grants have never been reviewed: the first sweep opens its review.
    const swept = await sweep('2027-01-20');
    expect(swept.campaigns.map((c) => `${c.system}:${c.status}`)).toEqual(['db:opened']);
    const pull = gh.state.listIssues('acme/access', { state: 'open', pullRequests: true }).find((i) => i.pull)!;
    expect(pull.body).toContain(`ledger record \`${record.key}\``);
    expect(pull.body).toContain('| `svc_exporter` | 2027-01-19 |');
    expect(pull.body).toContain('#### Accounts `db` lists that no grant declares (1)');
    expect(pull.body).toContain('| `mallory` | service | `admin` | 2027-01-18 | not reported | no grant declares it |');

    // A newer listing, recorded after the review was opened, is not the one it was shown.
    await recordListing(DAY1.replace('mallory', 'nobody'), '2027-01-20T09:00:00Z');
    clock = new Date('2027-01-20T10:00:00Z');
    gh.state.submitReview('acme/access', pull.number, { user: 'dave', state: 'APPROVED' });
    gh.state.mergePull('acme/access', pull.number, { by: 'dave' });
    const probot = new Probot({ appId: gh.state.app.id, privateKey: key, secret: 'webhook-secret', baseUrl: gh.url, Octokit: TestOctokit, logLevel: 'fatal' });
    await probot.load((app: Probot) => registerLedger(app, deps));
    await probot.receive({ id: 'merge-1', name: 'pull_request', payload: gh.payloads.pullRequest('closed', 'acme/access', pull.number) } as never);
    expect(await deps.work.drain(30_000)).toBe(true);
    const ledger = gh.state.ledger('acme/access')!;
    const campaign = Object.entries(ledger).find(([p]) => p.endsWith(`pr-${pull.number}-review-campaign.json`));
    const unapproved = Object.entries(ledger).find(([p]) => p.endsWith(`pr-${pull.number}-unapproved.json`));
    expect(unapproved ? JSON.parse(unapproved[1]).subject : null).toBeNull();
    expect(campaign, Object.keys(ledger).join('\n')).toBeDefined();
    expect(JSON.parse(campaign![1]).subject.snapshot).toEqual({
      key: record.key,
      raw_sha256: (record.subject as { raw_sha256: string }).raw_sha256,
      taken_at: '2027-01-19T22:00:00Z',
    });
  });
});

describe('access-ledger sweep --observe-org', () => {
  it('lists and records the organization first, and says which listings it compared', async () => {
    gh.state.commitFiles(
      'acme/access',
      'main',
      {
        'systems/github.yaml': `id: github
name: GitHub organization acme
category: source-control
environment: production
owner: carol
approvers: [carol]
review_cadence_days: 180
evidence: { provisioning: Terraform, activity: the audit log }
observe: { connector: github-org }
`,
      },
      { author: 'carol' },
    );
    gh.state.installationFor('acme')!.permissions = {
      ...APP_MANIFEST_PERMISSIONS,
      organization_administration: 'read',
      organization_personal_access_tokens: 'read',
    };
    await recordListing(DAY1, '2027-01-19T22:00:00Z');
    clock = new Date('2027-01-20T06:00:00Z');
    const io: Io & { out: string; err: string } = {
      out: '',
      err: '',
      color: false,
      interactive: false,
      env: { ACCESS_LEDGER_SIGNING_KEY: TEST_SIGNING_KEY },
      now: () => clock,
      stdout: (t: string) => void (io.out += t),
      stderr: (t: string) => void (io.err += t),
    };
    const code = await runSweepCommand(
      {
        repo: 'acme/access',
        octokit: octokitFor(gh, installationId),
        observeOrg: true,
        membership: false,
        reconcile: false,
        doctor: false,
        pacing: virtualPacing().pacing,
      },
      io,
    );
    expect(code, io.err).toBe(0);
    expect(io.out).toMatch(/^organization listed as github: recorded seq \d+ snapshot-github-20270120T060000Z$/m);
    expect(io.out).toMatch(/^compared with their latest listings: db \(2027-01-19T22:00:00Z\), github \(2027-01-20T06:00:00Z\)$/m);
  });
});
