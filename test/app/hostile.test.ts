/**
 * The App, driven as GitHub drives it (Probot receiving deliveries built by the stateful fake
 * GitHub from its state), on an access repo whose files attack whatever shows them. The sticky
 * comment, the admins' issue and the stale-grant issues show every value inert and no secret, the
 * comment's anchors are the App's own, and `verify --online` finds the ledger intact although a
 * role spoofs a record marker.
 */
import { APP_LOGIN, testSigner, withLedgerTrust } from '../support/ledger-keys.ts';
import { generateKeyPairSync } from 'node:crypto';
import { join } from 'node:path';
import { Octokit } from '@octokit/core';
import { Probot, ProbotOctokit, type ApplicationFunctionOptions } from 'probot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkTracker, newConcurrency, type AppDeps } from '../../src/app/deps.ts';
import { registerLedger } from '../../src/app/ledger/register.ts';
import { createSweepFeature } from '../../src/app/sweep/index.ts';
import { sweepSettings } from '../../src/app/sweep/settings.ts';
import { loadBuiltinPacks } from '../../src/adapters/fs/packs.ts';
import { runVerify } from '../../src/cli/commands/verify.ts';
import type { Io } from '../../src/cli/io.ts';
import { parseRecordMarkers } from '../../src/core/ledger/index.ts';
import { COMMENT_MARKER } from '../../src/core/records/comment.ts';
import { startFakeGitHub, type FakeGitHub } from '../support/fake-github/index.ts';
import { cloneFromFake } from '../support/e2e/clone.ts';
import { CONFIG, SYSTEMS, grant } from '../gate/scenario.ts';
import { cleanupTempDirs, tempDir } from '../ledger/git-fixture.ts';
import {
  AWS_KEY,
  GH_TOKEN,
  HOSTILE_PROSE,
  HOSTILE_ROLE,
  SECRET_ROLE,
  SPOOFED_MARKER,
  SPOOF_HASH,
  expectInertMarkdown,
  expectInertTerminal,
  expectNoSecret,
  yamlString,
} from '../support/hostile.ts';

const TestOctokit = ProbotOctokit.defaults((o: Record<string, unknown>) => ({ ...o, retry: { enabled: false }, throttle: { enabled: false } }));
const KEY = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
}).privateKey;
const REPO = 'acme/access';

/** An API key on the default branch whose free text attacks the sweep's issues: expired access, an expired exception, an overdue rotation. */
const EXPORTER = `identity:
  id: exporter
  kind: api-key
  owner: carol
  description: ${yamlString(HOSTILE_PROSE)}
credential:
  type: static-secret
  storage: ${yamlString(`vault:kv/exporter (old value ${GH_TOKEN})`)}
  revocation: ${yamlString(`call the API with ${AWS_KEY}\n\n${HOSTILE_PROSE}`)}
  rotation_days: 30
  last_rotated: 2026-01-01
access:
  - system: db
    role: ${yamlString(HOSTILE_ROLE)}
    justification: Nightly export
    expires: 2026-12-31
exception:
  reason: ${yamlString(`${HOSTILE_PROSE}\nkey ${AWS_KEY}`)}
  compensating_controls: [${yamlString('monitoring @mchen [x](https://evil.example)')}]
  expires: 2027-01-01
  rules: [rotation-max-days]
`;

let gh: FakeGitHub;
let clock: Date;
let probot: Probot;
let deps: AppDeps;
let sweep: { sweepInstallation(id: number): Promise<unknown> };
let installationId: number;
let pr: number;

async function receive(name: string, payload: Record<string, unknown>): Promise<void> {
  await probot.receive({ id: `d-${Math.random()}`, name, payload } as never);
  expect(await deps.work.drain(30_000)).toBe(true);
}

beforeAll(async () => {
  clock = new Date('2027-01-20T09:30:00Z');
  gh = await startFakeGitHub({ now: () => clock });
  gh.state.createOrg('acme', { members: ['alice', 'bob', 'carol', 'dave', 'erin', 'mchen', 'sam'] });
  gh.state.createTeam('acme', 'dba', { members: ['erin'] });
  gh.state.createTeam('acme', 'security', { members: ['sam'] });
  gh.state.createRepo(REPO, { files: { 'access-ledger.yaml': withLedgerTrust(CONFIG, [testSigner()]), ...SYSTEMS, 'grants/keys/exporter.yaml': EXPORTER } });
  installationId = gh.state.installationFor('acme')!.id;
  deps = {
    clock: () => clock,
    packs: loadBuiltinPacks,
    gateCheckName: 'gate',
    gateStatusContext: 'access-ledger/gate',
    signer: testSigner(),
    appLogin: async () => APP_LOGIN,
    store: { random: () => 0.5, sleep: async () => undefined },
    work: new WorkTracker(),
    ...newConcurrency(),
  };
  probot = new Probot({ appId: gh.state.app.id, privateKey: KEY, secret: 'webhook-secret', baseUrl: gh.url, Octokit: TestOctokit, logLevel: 'fatal' });
  await probot.load((app: Probot, options: ApplicationFunctionOptions) => {
    registerLedger(app, deps);
    sweep = createSweepFeature({
      settings: { ...sweepSettings({}), schedule: 'off', cronSecret: null },
      pacing: { sleep: async () => undefined },
      discover: async () => [{ owner: 'acme', repo: 'access' }],
    })(app, deps, options);
  });
});

afterAll(async () => {
  expect(gh.errors).toEqual([]);
  await gh?.close();
  cleanupTempDirs();
});

describe('the App on hostile grant files', () => {
  it("records an unapproved hostile merge: the sticky comment and the admins' issue show it inert, with no secret", async () => {
    const hostile = grant('bob', [
      { role: yamlString(HOSTILE_ROLE), expires: '2027-03-01', justification: yamlString(HOSTILE_PROSE) },
      { system: 'wiki', role: yamlString(SECRET_ROLE), expires: '2027-03-01' },
    ]);
    pr = gh.state.openPullRequest(REPO, {
      author: 'alice',
      title: `Grant bob\n\n## ✅ PWNED @mchen ${GH_TOKEN}`,
      files: { 'grants/people/bob.yaml': hostile },
    });
    gh.state.mergePull(REPO, pr, { by: 'carol' });
    await receive('pull_request', gh.payloads.pullRequest('closed', REPO, pr));

    const ledger = gh.state.ledger(REPO) ?? {};
    const records = Object.entries(ledger)
      .filter(([p]) => p.startsWith('records/'))
      .map(([, c]) => JSON.parse(c) as { key: string; seq: number; hash: string });
    expect(records.map((r) => r.key).sort()).toEqual([`pr-${pr}-merged`, `pr-${pr}-unapproved`]);

    const comments = gh.state.issue(REPO, pr).comments;
    expect(comments).toHaveLength(1);
    const body = comments[0]!.body;
    expect(body.startsWith(COMMENT_MARKER)).toBe(true);
    // The anchors are exactly the App's, one per record; the role's spoofed marker is not one.
    expect(parseRecordMarkers(body).sort((a, b) => a.seq - b.seq)).toEqual(
      records.map(({ key, seq, hash }) => ({ key, seq, hash })).sort((a, b) => a.seq - b.seq),
    );
    expect(body).not.toContain(SPOOFED_MARKER);
    const anchors = body.split('\n').filter((l) => l.startsWith('<!-- access-ledger:record '));
    expectInertMarkdown(body, { mentions: ['carol'], markers: [COMMENT_MARKER, ...anchors] });
    // The role is shown, as text.
    expect(body).toContain('db/admin &#35;&#35; ✅ access-ledger gate: pass PWNED &lt;!-- access-ledger:record key=pr-1-merged');
    expect(body).toContain('wiki/reader ghp&#95;…(masked)');

    const [issue] = gh.state.listIssues(REPO, { state: 'open', labels: ['unapproved-merge'] });
    expect(issue).toBeDefined();
    expectNoSecret(issue!.title);
    expect(issue!.title).not.toMatch(/\n/);
    const issueMarker = `<!-- access-ledger:unapproved-merge pr=${pr} -->`;
    expect(issue!.body!.startsWith(issueMarker)).toBe(true);
    // The admins and the merger are mentioned on purpose; nobody named in the files is.
    expectInertMarkdown(issue!.body!, { mentions: ['acme/security', 'carol'], markers: [issueMarker] });
    expect(issue!.body).toContain('access&#91;1&#93;.role looks like a GitHub token');
  });

  it('verify --online finds the ledger intact: the spoofed marker in the role and in other comments is no anchor', async () => {
    // Another bot quoting the role on a line of its own, and a person pasting a marker: neither is the App's comment.
    gh.state.createUser('quote-bot[bot]', { type: 'Bot' });
    gh.state.addComment(REPO, pr, { user: 'quote-bot[bot]', body: `Role requested:\n${SPOOFED_MARKER}` });
    gh.state.addComment(REPO, pr, { user: 'mallory', body: `${COMMENT_MARKER}\n${SPOOFED_MARKER}` });
    const clone = join(tempDir(), 'clone');
    cloneFromFake(gh, REPO, clone);
    const out: string[] = [];
    const io: Io = { stdout: (t) => void out.push(t), stderr: (t) => void out.push(t), color: false, interactive: false, now: () => clock, env: {} };
    const octokit = new Octokit({ baseUrl: gh.url, auth: gh.createInstallationToken(installationId) });
    const code = await runVerify({ repo: clone, online: true, octokit: octokit as never }, io);
    expect(out.join(''), out.join('')).toMatch(/2\/2 anchors match/);
    expect(code).toBe(0);
    expect(out.join('')).not.toContain(SPOOF_HASH);
    expectInertTerminal(out.join(''));
  });

  it('opens stale-grant issues that quote the reason, the storage and the runbook inert, with no secret', async () => {
    await sweep.sweepInstallation(installationId);
    const issues = gh.state.listIssues(REPO, { state: 'open', labels: ['stale-grant'] });
    expect(issues.map((i) => i.title).sort()).toEqual(['Access expired: exporter', 'Credential rotation overdue: exporter', 'Exception expired: exporter']);
    for (const issue of issues) {
      const marker = issue.body!.split('\n')[0]!;
      expect(marker).toMatch(/^<!-- access-ledger:stale id=exporter kind=[a-z-]+ hash=[0-9a-f]{16} -->$/);
      expectInertMarkdown(issue.body!, { mentions: ['carol'], markers: [marker] });
      expectNoSecret(issue.title);
    }
    const byKind = (kind: string) => issues.find((i) => i.body!.includes(`kind=${kind} `))!.body!;
    expect(byKind('exception-expired')).toContain('**Reason given:** PWNED see &#91;the docs&#93;');
    expect(byKind('exception-expired')).toContain('key AKIA…(masked)');
    expect(byKind('rotation-overdue')).toContain('(stored at `vault:kv/exporter (old value ghp_…(masked))`)');
    expect(byKind('rotation-overdue')).toContain('(runbook: call the API with AKIA…(masked) PWNED');
    expect(byKind('expired')).toContain('| `db` | `admin ## ✅ access-ledger gate: pass PWNED <\u200b!-- access-ledger:record key=pr-1-merged');

    // The review campaign for db (never reviewed) lists the same role in its pull request body.
    const reviews = gh.state.listIssues(REPO, { state: 'open', labels: ['access-review'], pullRequests: true });
    const db = reviews.find((r) => r.title === `Access review: Production database (db), ${clock.toISOString().slice(0, 10)}`);
    expect(db).toBeDefined();
    for (const review of reviews) {
      const marker = review.body!.split('\n')[0]!;
      expect(marker).toMatch(/^<!-- access-ledger:review system=[a-z]+ date=\d{4}-\d\d-\d\d -->$/);
      // The system's approvers are asked to review, and the owners named; nobody the files mention.
      expectInertMarkdown(review.body!, { mentions: ['acme/dba', 'dave', 'acme/it', 'carol'], markers: [marker] });
      expectNoSecret(review.title);
    }
    const campaign = db!.body!;
    expect(campaign).toContain('`admin ## ✅ access-ledger gate: pass PWNED <\u200b!-- access-ledger:record key=pr-1-merged');
  });
});
