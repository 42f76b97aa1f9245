/**
 * Shared fixtures for the App's tests: a Probot wired as in production but without retries or
 * throttling, an access repo's files with their git blob SHAs, and that access repo on the
 * stateful fake GitHub with a merge to record. (nock is left for what the fake cannot model: the
 * rate-limit plugin's exact retries in rate-limits.test.ts.)
 */
import { WritePacer } from '../../src/adapters/github/pacing.ts';
import { createHash, generateKeyPairSync } from 'node:crypto';
import nock from 'nock';
import { Probot, ProbotOctokit } from 'probot';
import { createApp } from '../../src/app/index.ts';
import { createAppOctokit } from '../../src/app/octokit.ts';
import { WorkTracker, newConcurrency, type AppDeps } from '../../src/app/deps.ts';
import { loadBuiltinPacks } from '../../src/adapters/fs/packs.ts';
import { APP_LOGIN, testSigner, withLedgerTrust } from '../support/ledger-keys.ts';
import { startFakeGitHub, type FakeGitHub } from '../support/fake-github/index.ts';

export const API = 'https://api.github.com';
export const REPO_PATH = '/repos/Codertocat/Hello-World';
export const INSTALLATION = 1;

let key: string | undefined;
/** An RSA key for the App's JWT, generated once per test file. */
export function privateKey(): string {
  key ??= generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  }).privateKey;
  return key;
}

export function testDeps(now = '2026-11-20T10:00:07Z', overrides: Partial<AppDeps> = {}): AppDeps {
  return {
    clock: () => new Date(now),
    packs: loadBuiltinPacks,
    gateCheckName: 'gate',
    gateStatusContext: 'access-ledger/gate',
    store: { random: () => 0.5, sleep: async () => undefined },
    // The App's ledger key, and its bot account (what `GET /app` names in production).
    signer: testSigner(),
    appLogin: async () => APP_LOGIN,
    work: new WorkTracker(),
    ...newConcurrency(),
    sleep: async () => undefined,
    ...overrides,
  };
}

/**
 * Probot's Octokit without retries or throttling. The function form is needed: Probot merges its
 * own throttle options over an object default, which would switch throttling back on (pacing
 * every write to one a second).
 */
export const TestOctokit = ProbotOctokit.defaults((options: Record<string, unknown>) => ({
  ...options,
  retry: { enabled: false },
  throttle: { ...(options.throttle as object | undefined), enabled: false },
}));

/** A throttling group that lets every request through at once (in place of the one-a-second write pacing). */
export const UNPACED = { key: () => ({ schedule: <A extends unknown[], R>(_options: unknown, fn: (...args: A) => R, ...args: A): R => fn(...args) }) };

/**
 * The App's production Octokit (src/app/octokit.ts: retry and throttling plugins on, rate limits
 * retried), with every wait shortened from seconds to milliseconds and writes unpaced, so a test
 * sees the retries without waiting for them.
 */
export const LiveOctokit = createAppOctokit({
  throttle: { retryAfterBaseValue: 5, write: UNPACED, notifications: UNPACED },
  retry: { retryAfterBaseValue: 5 },
  pacer: new WritePacer({ minIntervalMs: 0 }),
});

/** Probot asks for an installation token before the first call of an event. */
export function installationToken(): nock.Scope {
  return nock(API)
    .post(`/app/installations/${INSTALLATION}/access_tokens`)
    .reply(201, { token: 'ghs_test', expires_at: '2099-01-01T00:00:00Z', permissions: {}, repository_selection: 'all' });
}

/** Git's blob id of a file's content, as GitHub reports it. */
export function blobSha(content: string): string {
  const bytes = Buffer.from(content);
  return createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
}

/** The access repo's config; it names the App's bot account and lists the test signing key. */
export const CONFIG = withLedgerTrust(
  `version: 1
organization: acme
extends: soc2-baseline
admins: ["@acme/security"]
ledger: { branch: access-ledger, provisioning_workflow: provision.yml }
`,
  [testSigner()],
);

export const SYSTEM = `id: prod-postgres
name: Production PostgreSQL
category: database
environment: production
owner: carol
approvers: [dave]
review_cadence_days: 90
evidence:
  provisioning: Terraform apply logs, workflow provision.yml
  activity: pgaudit, shipped to the SIEM index pg-audit
`;

export function grantFile(id: string, entries = [{ system: 'prod-postgres', role: 'read' }]): string {
  return `identity:
  id: ${id}
  kind: human
  description: Engineer on the payments team
  owner: alice
  github: ${id}
access:
${entries.map((e) => `  - system: ${e.system}\n    role: ${e.role}\n    justification: Investigates failed payments during incidents\n    request: DATA-902\n    expires: 2027-01-31\n`).join('')}`;
}

// ---- the App against the stateful fake GitHub -------------------------------------------------

/** The access repo of the App's tests on the fake GitHub. */
export const ACCESS = 'acme/access';
export const GRANT_PATH = 'grants/people/bob.yaml';

export interface AppWorld {
  gh: FakeGitHub;
  /** Moves the fake's clock (every timestamp GitHub writes from now on). */
  at(iso: string): void;
  /** A Probot for the App, pointed at the fake, with these deps (and Octokit: no retries unless given). */
  probot(deps: AppDeps, Octokit?: typeof ProbotOctokit): Promise<Probot>;
  /** The ledger branch's records and head.json, as verify reads them. */
  ledger(): { records: { path: string; content: string }[]; head: string | null };
  /** Commits on the ledger branch, first parent, oldest first. */
  ledgerCommits(): string[];
  /** Requests that created or changed something, but for minting installation tokens. */
  writes(): string[];
}

/**
 * acme's access repo on the fake GitHub: the config (the App's bot and the test signing key) and
 * prod-postgres (approvers: dave) on main, the org's people as members, @acme/security the admins,
 * and issue #1 taken (so the first pull request is #2, as in GitHub's own webhook examples).
 */
export async function appWorld(
  start = '2026-11-18T09:00:00Z',
  opts: { /** Take issue #1 (default true). */ takeFirstNumber?: boolean } = {},
): Promise<AppWorld> {
  let now = new Date(start);
  const gh = await startFakeGitHub({ now: () => now });
  gh.state.createOrg('acme', { members: ['alice', 'bob', 'carol', 'dave', 'erin', 'Codertocat'] });
  gh.state.createTeam('acme', 'security', { members: ['carol'] });
  gh.state.createRepo(ACCESS, { files: { 'access-ledger.yaml': CONFIG, 'systems/prod-postgres.yaml': SYSTEM } });
  if (opts.takeFirstNumber !== false) gh.state.createIssue(ACCESS, { author: 'carol', title: 'Access requests go through pull requests' });
  const repo = gh.state.repo(ACCESS);
  return {
    gh,
    at: (iso) => {
      now = new Date(iso);
    },
    probot: async (deps, Octokit = TestOctokit) => {
      const probot = new Probot({ appId: gh.state.app.id, privateKey: privateKey(), secret: 'test-secret', baseUrl: gh.url, Octokit, logLevel: 'fatal' });
      await probot.load(createApp(deps));
      return probot;
    },
    ledger: () => {
      const files = gh.state.ledger(ACCESS);
      if (!files) return { records: [], head: null };
      return {
        records: Object.entries(files)
          .filter(([p]) => p.startsWith('records/'))
          .map(([path, content]) => ({ path, content })),
        head: files['head.json'] ?? null,
      };
    },
    ledgerCommits: () => {
      const out: string[] = [];
      for (let sha = repo.refs.get('refs/heads/access-ledger'); sha; sha = repo.git.commit(sha)?.parents[0]) out.unshift(sha);
      return out;
    },
    writes: () => gh.requests.filter((r) => r.contentCreating && r.route !== 'POST /app/installations/{installation_id}/access_tokens').map((r) => r.route),
  };
}

/**
 * Codertocat's pull request adding bob's grant (opened 2026-11-18 09:00), with erin's comment
 * (11-19 08:00) and dave's approval (11-19 12:00) on its head, merged by carol 2026-11-20 10:00.
 * `approval: 'stale'` moves the head after dave approved, so his approval is of an older commit.
 */
export function mergeBobsGrant(
  w: AppWorld,
  opts: { approval?: 'head' | 'stale' } = {},
): { number: number; base: string; head: string; merge: string; approvedCommit: string } {
  const s = w.gh.state;
  w.at('2026-11-18T09:00:00Z');
  const number = s.openPullRequest(ACCESS, {
    author: 'Codertocat',
    title: 'Grant bob read access to prod-postgres',
    head: 'grant-bob',
    files: { [GRANT_PATH]: grantFile('bob') },
  });
  w.at('2026-11-19T08:00:00Z');
  s.submitReview(ACCESS, number, { user: 'erin', state: 'COMMENTED' });
  w.at('2026-11-19T12:00:00Z');
  const approved = s.submitReview(ACCESS, number, { user: 'dave', state: 'APPROVED' });
  if (opts.approval === 'stale') {
    w.at('2026-11-19T13:00:00Z');
    s.pushToPullRequest(ACCESS, number, { 'notes/bob.txt': 'on call for payments\n' });
  }
  w.at('2026-11-20T10:00:00Z');
  const { pull } = s.pullOf(ACCESS, number);
  const head = pull.headSha;
  const { sha } = s.mergePull(ACCESS, number, { by: 'carol' });
  return { number, base: s.pullOf(ACCESS, number).pull.baseSha, head, merge: sha, approvedCommit: approved.commitId };
}
