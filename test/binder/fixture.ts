/**
 * A real access repo made with git in a temp dir: commits on main that add, change and remove
 * grants (with fixed author and committer dates), and an `access-ledger` branch whose records are
 * sealed with the ledger core, so hashes chain exactly as the App writes them.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  DEFAULT_CONTROLS,
  emptyHead,
  grantChangeKey,
  identityLeftOrgKey,
  planAppend,
  provisionedKey,
  recordPath,
  reviewCampaignKey,
  serializeHead,
  serializeRecord,
  unapprovedMergeKey,
  type GrantChangeSubject,
  type GrantFileChange,
  type LedgerHead,
  type RecordDraft,
  type ReviewRecord,
} from '../../src/core/ledger/index.ts';
import { APP_LOGIN, testSigner, withLedgerTrust } from '../support/ledger-keys.ts';

export const REPOSITORY = 'acme/access';

/** Who commits to the ledger branch: the App's bot account, as GitHub writes it. */
export const APP_IDENTITY = { name: APP_LOGIN, email: `4243+${APP_LOGIN}@users.noreply.github.com` };

export function gitIn(
  dir: string,
  args: string[],
  date = '2026-01-01T00:00:00Z',
  input?: string,
  who = { name: 'Access Bot', email: 'bot@acme.example' },
): string {
  return execFileSync('git', ['-C', dir, ...args], {
    encoding: 'utf8',
    input,
    stdio: ['pipe', 'pipe', 'pipe'],
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: who.name,
      GIT_AUTHOR_EMAIL: who.email,
      GIT_COMMITTER_NAME: who.name,
      GIT_COMMITTER_EMAIL: who.email,
      GIT_AUTHOR_DATE: date,
      GIT_COMMITTER_DATE: date,
      GIT_CONFIG_NOSYSTEM: '1',
      HOME: dir,
    },
  });
}

const CONFIG = withLedgerTrust(
  `version: 1
organization: acme
extends: soc2-baseline
admins: ["@acme/security"]
ledger: { branch: access-ledger }
`,
  [testSigner()],
);

const system = (id: string, approvers: string) => `id: ${id}
name: ${id === 'prod-db' ? 'Production PostgreSQL' : 'GitHub organization'}
category: ${id === 'prod-db' ? 'database' : 'source-control'}
environment: production
owner: carol
approvers: ${approvers}
review_cadence_days: 90
evidence:
  provisioning: Terraform apply logs, workflow provision.yml
  activity: pgaudit shipped to the SIEM index ${id}-audit
`;

const human = (id: string, entries: string) => `identity:
  id: ${id}
  kind: human
  owner: carol
  github: ${id}
access:
${entries}`;

const entry = (system: string, role: string, expires: string, privileged = false) => `  - system: ${system}
    role: ${role}
    privileged: ${privileged}
    justification: Needed for the on-call rotation of the billing team
    expires: ${expires}
`;

const EXPORTER = `identity:
  id: exporter
  kind: service-account
  description: Nightly invoice export job
  owner: alice
credential:
  type: static-secret
  rotation_days: 90
  last_rotated: 2025-11-01
  storage: vault:kv/billing/exporter
  revocation: https://wiki.example/runbooks/exporter
access:
${entry('prod-db', 'billing_read', '2026-12-31')}`;

const DEPLOY = `identity:
  id: deploy-token
  kind: ci-token
  description: Deploys from the release workflow
  owner: alice
credential:
  type: oidc-federated
  revocation: https://wiki.example/runbooks/deploy
access:
${entry('github', 'deploy', '2026-12-31')}`;

export interface FixtureCommit {
  name: string;
  sha: string;
  at: string;
}

export interface Fixture {
  dir: string;
  commits: Record<string, FixtureCommit>;
  cleanup(): void;
  /** The ledger's head after the last append. */
  head: LedgerHead;
}

export function write(dir: string, path: string, content: string): void {
  mkdirSync(dirname(join(dir, path)), { recursive: true });
  writeFileSync(join(dir, path), content);
}

export function commit(dir: string, name: string, at: string, message: string): FixtureCommit {
  gitIn(dir, ['add', '-A'], at);
  gitIn(dir, ['commit', '-q', '-m', message], at);
  return { name, sha: gitIn(dir, ['rev-parse', 'HEAD']).trim(), at };
}

const review = (reviewer: string, at: string, head: string, onHead = true, state: ReviewRecord['state'] = 'APPROVED'): ReviewRecord => ({
  reviewer,
  state,
  submitted_at: at,
  commit_id: head,
  on_head: onHead,
});

export function grantChange(
  pr: number,
  c: FixtureCommit,
  opened: string,
  author: string,
  changes: GrantFileChange[],
  reviews: ReviewRecord[],
  approvals: GrantChangeSubject['verdict']['approvals'],
  result: 'pass' | 'fail' = 'pass',
): RecordDraft<'grant-change'> {
  return {
    kind: 'grant-change',
    key: grantChangeKey(pr),
    occurred_at: c.at,
    repository: REPOSITORY,
    controls: [...DEFAULT_CONTROLS['grant-change']],
    subject: {
      pr: {
        number: pr,
        title: `Access change #${pr}`,
        url: `https://github.com/${REPOSITORY}/pull/${pr}`,
        author,
        created_at: opened,
        merged_at: c.at,
        merged_by: 'carol',
      },
      base_sha: 'a'.repeat(40),
      head_sha: 'b'.repeat(40),
      merge_sha: c.sha,
      changes,
      reviews,
      commit_authors: [author],
      verdict: {
        result,
        evaluated_at: c.at,
        policy_sha: 'a'.repeat(40),
        findings:
          result === 'fail' ? [{ rule: 'approvals', severity: 'error', message: 'prod-db needs 1 approval', controls: ['SOC2:CC6.2', 'SOC2:CC8.1'] }] : [],
        approvals,
      },
    },
  };
}

/** Builds the fixture; the caller removes it with cleanup(). */
export function buildFixture(options: { withLedger?: boolean } = {}): Fixture {
  const root = mkdtempSync(join(tmpdir(), 'binder-fixture-'));
  const dir = join(root, 'access');
  mkdirSync(dir);
  gitIn(dir, ['init', '-q', '-b', 'main']);
  gitIn(dir, ['config', 'user.name', 'Access Bot']);
  gitIn(dir, ['config', 'user.email', 'bot@acme.example']);
  gitIn(dir, ['config', 'commit.gpgsign', 'false']);
  gitIn(dir, ['remote', 'add', 'origin', `https://github.com/${REPOSITORY}.git`]);
  const commits: Record<string, FixtureCommit> = {};

  write(dir, 'access-ledger.yaml', CONFIG);
  write(dir, 'systems/prod-db.yaml', system('prod-db', '["@acme/dba", carol]'));
  write(dir, 'systems/github.yaml', system('github', '[carol, erin]'));
  write(dir, 'grants/humans/alice.yaml', human('alice', entry('prod-db', 'read', '2026-12-01')));
  write(dir, 'grants/services/exporter.yaml', EXPORTER);
  commits.init = commit(dir, 'init', '2025-12-01T10:00:00Z', 'Initial access repo');

  write(dir, 'grants/humans/bob.yaml', human('bob', entry('prod-db', 'admin', '2026-03-31', true)));
  commits.addBob = commit(dir, 'addBob', '2026-01-10T12:00:00Z', 'Grant bob admin on prod-db (#1)');

  write(dir, 'grants/humans/alice.yaml', human('alice', entry('prod-db', 'read', '2027-01-15') + entry('github', 'maintain', '2026-09-30')));
  commits.changeAlice = commit(dir, 'changeAlice', '2026-02-05T09:00:00Z', 'Alice: extend prod-db, add github maintain (#2)');

  write(dir, 'grants/ci/deploy-token.yaml', DEPLOY);
  commits.addDeploy = commit(dir, 'addDeploy', '2026-03-01T16:00:00Z', 'Add the deploy token (#3)');

  rmSync(join(dir, 'grants/humans/bob.yaml'));
  commits.removeBob = commit(dir, 'removeBob', '2026-04-02T10:00:00Z', 'Remove bob, who left (#4)');

  write(dir, 'systems/prod-db.yaml', system('prod-db', '["@acme/dba", carol, dave]'));
  commits.changeSystem = commit(dir, 'changeSystem', '2026-05-01T11:00:00Z', 'prod-db: dave approves too (#5)');

  write(dir, 'grants/humans/dan.yaml', human('dan', entry('github', 'read', '2026-12-31')));
  commits.addDan = commit(dir, 'addDan', '2026-07-15T09:30:00Z', 'Grant dan github read (#6)');

  let head = emptyHead();
  if (options.withLedger !== false) {
    const c = commits;
    const bobFile = (action: 'added' | 'removed'): GrantFileChange => ({
      path: 'grants/humans/bob.yaml',
      identity: 'bob',
      kind: 'human',
      action,
      before_blob: action === 'added' ? null : 'f'.repeat(40),
      after_blob: action === 'added' ? 'f'.repeat(40) : null,
      entries: [{ system: 'prod-db', role: 'admin', privileged: true, action, expires: '2026-03-31' }],
    });
    const drafts: RecordDraft[][] = [
      [
        grantChange(
          1,
          c.addBob!,
          '2026-01-08T09:00:00Z',
          'bob',
          [bobFile('added')],
          [review('mallory', '2026-01-08T10:00:00Z', 'b'.repeat(40), true, 'COMMENTED'), review('carol', '2026-01-09T15:00:00Z', 'b'.repeat(40))],
          [{ system: 'prod-db', required: 1, approved_by: ['carol'], missing: 0 }],
        ),
      ],
      [
        {
          kind: 'provisioned',
          key: provisionedKey(1, 111),
          occurred_at: '2026-01-10T12:05:00Z',
          repository: REPOSITORY,
          controls: [...DEFAULT_CONTROLS.provisioned],
          subject: {
            pr: { number: 1, url: `https://github.com/${REPOSITORY}/pull/1` },
            grant_change_key: grantChangeKey(1),
            workflow: '.github/workflows/provision.yml',
            run_id: 111,
            run_attempt: 1,
            run_url: `https://github.com/${REPOSITORY}/actions/runs/111`,
            head_sha: c.addBob!.sha,
            conclusion: 'success',
            completed_at: '2026-01-10T12:05:00Z',
          },
        },
      ],
      [
        grantChange(
          2,
          c.changeAlice!,
          '2026-02-04T08:00:00Z',
          'alice',
          [
            {
              path: 'grants/humans/alice.yaml',
              identity: 'alice',
              kind: 'human',
              action: 'modified',
              before_blob: 'e'.repeat(40),
              after_blob: 'd'.repeat(40),
              entries: [
                { system: 'prod-db', role: 'read', privileged: false, action: 'modified', expires: '2027-01-15' },
                { system: 'github', role: 'maintain', privileged: false, action: 'added', expires: '2026-09-30' },
              ],
            },
          ],
          [review('erin', '2026-02-04T12:00:00Z', 'c'.repeat(40), false)],
          [
            { system: 'prod-db', required: 1, approved_by: [], missing: 1 },
            { system: 'github', required: 1, approved_by: ['erin'], missing: 0 },
          ],
          'fail',
        ),
        {
          kind: 'unapproved-merge',
          key: unapprovedMergeKey(2),
          occurred_at: c.changeAlice!.at,
          repository: REPOSITORY,
          controls: [...DEFAULT_CONTROLS['unapproved-merge']],
          subject: {
            pr: {
              number: 2,
              title: 'Access change #2',
              url: `https://github.com/${REPOSITORY}/pull/2`,
              author: 'alice',
              created_at: '2026-02-04T08:00:00Z',
              merged_at: c.changeAlice!.at,
              merged_by: 'carol',
            },
            grant_change_key: grantChangeKey(2),
            cause: 'admin-bypass',
            missing_approvals: [{ system: 'prod-db', required: 1, approved_by: [], missing: 1 }],
            findings: [],
            issue: { number: 40, url: `https://github.com/${REPOSITORY}/issues/40` },
          },
        },
      ],
      [
        {
          kind: 'identity-left-org',
          key: identityLeftOrgKey('bob', '2026-03-30T08:00:00Z'),
          occurred_at: '2026-03-30T08:00:00Z',
          repository: REPOSITORY,
          controls: [...DEFAULT_CONTROLS['identity-left-org']],
          subject: {
            login: 'bob',
            organization: 'acme',
            left_at: '2026-03-30T08:00:00Z',
            source: 'member_removed',
            affected_grants: [{ path: 'grants/humans/bob.yaml', identity: 'bob', role: 'grantee' }],
          },
        },
      ],
      [grantChange(4, c.removeBob!, '2026-04-01T09:00:00Z', 'carol', [bobFile('removed')], [], [])],
      [
        {
          kind: 'review-campaign',
          key: reviewCampaignKey(7),
          occurred_at: '2026-04-15T10:00:00Z',
          repository: REPOSITORY,
          controls: [...DEFAULT_CONTROLS['review-campaign']],
          subject: {
            system: 'prod-db',
            pr: {
              number: 7,
              title: 'Access review: prod-db',
              url: `https://github.com/${REPOSITORY}/pull/7`,
              author: 'access-ledger[bot]',
              created_at: '2026-04-10T00:00:00Z',
              merged_at: '2026-04-15T10:00:00Z',
              merged_by: 'carol',
            },
            reviewers: ['carol'],
            reviewed_on: '2026-04-15',
            items: {
              kept: [
                { path: 'grants/humans/alice.yaml', identity: 'alice', role: 'read', privileged: false, expires: '2027-01-15' },
                { path: 'grants/services/exporter.yaml', identity: 'exporter', role: 'billing_read', privileged: false, expires: '2026-12-31' },
              ],
              changed: [],
              removed: [],
            },
          },
        },
      ],
      [grantChange(5, c.changeSystem!, '2026-04-30T09:00:00Z', 'carol', [], [review('frank', '2026-04-30T12:00:00Z', 'b'.repeat(40))], [])],
      [
        grantChange(
          6,
          c.addDan!,
          '2026-07-14T09:00:00Z',
          'dan',
          [
            {
              path: 'grants/humans/dan.yaml',
              identity: 'dan',
              kind: 'human',
              action: 'added',
              before_blob: null,
              after_blob: '9'.repeat(40),
              entries: [{ system: 'github', role: 'read', privileged: false, action: 'added', expires: '2026-12-31' }],
            },
          ],
          [review('erin', '2026-07-14T10:00:00Z', 'b'.repeat(40))],
          [{ system: 'github', required: 1, approved_by: ['erin'], missing: 0 }],
        ),
      ],
    ];
    head = writeLedger(root, dir, drafts);
  }
  return { dir, commits, head, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

/**
 * Appends each batch as one commit on a separate repo's orphan branch, then fetches it. `files`
 * adds other files to a batch's commit (the raw exports an access-snapshot record names), by batch.
 */
export function writeLedger(root: string, accessDir: string, batches: RecordDraft[][], files: Record<number, Record<string, string>> = {}): LedgerHead {
  const ledgerDir = join(root, 'ledger-src');
  mkdirSync(ledgerDir);
  gitIn(ledgerDir, ['init', '-q', '-b', 'access-ledger']);
  let head = emptyHead();
  const existing = new Set<string>();
  batches.forEach((drafts, i) => {
    const at = drafts[0]!.occurred_at.replace('Z', '').slice(0, 17) + '30Z';
    const plan = planAppend(head, drafts, () => new Date(at), new Set(), testSigner());
    for (const r of plan.records) {
      const path = recordPath(r);
      write(ledgerDir, path, serializeRecord(r));
      existing.add(path);
    }
    for (const [path, content] of Object.entries(files[i] ?? {})) write(ledgerDir, path, content);
    write(ledgerDir, 'head.json', serializeHead(plan.head));
    head = plan.head;
    gitIn(ledgerDir, ['add', '-A'], at, undefined, APP_IDENTITY);
    gitIn(ledgerDir, ['commit', '-q', '-m', `Record batch ${i + 1}`], at, undefined, APP_IDENTITY);
  });
  gitIn(accessDir, ['fetch', '-q', ledgerDir, 'access-ledger:access-ledger']);
  return head;
}
