/**
 * The binder as an auditor reads it, as tables over one year of an access repo: the right words
 * about approvals, review bookkeeping under review-campaigns (not modifications), every gap counted
 * where it is shown, chains that link the ledger's record of every removal, the non-human, vendor
 * and JIT evidence, and the flags of an access review.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { GAP_KINDS, gap } from '../../src/core/binder/gaps.ts';
import { POPULATION_ORDER } from '../../src/core/binder/populations/index.ts';
import { DEFAULT_CONTROLS, identityLeftOrgKey, provisionedKey, reviewCampaignKey, type RecordDraft } from '../../src/core/ledger/index.ts';
import type { Row } from '../../src/core/binder/types.ts';
import { MASKED } from '../../src/core/text/mask.ts';
import { FAKE_SECRETS } from '../rules/fake-secrets.ts';
import { REPOSITORY, buildCore, fileChange, grantChange, review, type CoreBinder, type HistoryCommit } from './core.ts';

const sha = (n: number): string => n.toString(16).padStart(40, '0');
const TOKEN = FAKE_SECRETS[0]!.value;

const system = (id: string, approvers: string) =>
  `id: ${id}\nname: ${id}\ncategory: database\nowner: carol\napprovers: ${approvers}\nreview_cadence_days: 90\nevidence:\n  provisioning: Terraform\n  activity: SIEM\n`;

interface EntrySpec {
  system: string;
  role: string;
  expires?: string;
  privileged?: boolean;
  jit?: string;
}
const entries = (list: EntrySpec[]) =>
  list
    .map(
      (e) =>
        `  - system: ${e.system}\n    role: ${e.role}\n    privileged: ${e.privileged ?? false}\n    justification: On-call work for the billing team\n    expires: ${e.expires ?? '2026-12-31'}\n${e.jit ? `    jit: ${e.jit}\n` : ''}`,
    )
    .join('');
const human = (id: string, list: EntrySpec[], extra = '') =>
  `identity:\n  id: ${id}\n  kind: human\n  owner: carol\n  github: ${id}\naccess:\n${entries(list)}${extra}`;
const review_ = (day: string, campaign?: string) => `review:\n  last_reviewed: ${day}\n  reviewer: null\n${campaign ? `  campaign: ${campaign}\n` : ''}`;

const EXPORTER = `identity:\n  id: exporter\n  kind: service-account\n  description: Nightly invoice export\n  owner: alice\ncredential:\n  type: static-secret\n  rotation_days: 90\n  storage: ${TOKEN}\naccess:\n${entries([{ system: 'prod-db', role: 'billing_read', privileged: true }])}`;
const OLDJOB = `identity:\n  id: old-job\n  kind: service-account\n  owner: alice\ncredential:\n  type: oidc-federated\n  revocation: Remove the workload identity binding\naccess:\n${entries([{ system: 'prod-db', role: 'read' }])}`;
const SLACK = `identity:\n  id: slack\n  kind: integration\n  owner: carol\ncredential:\n  type: oauth-token\n  rotation_days: 365\n  last_rotated: 2026-03-01\n  storage: vault:kv/slack\n  revocation: Uninstall the app in Slack admin\nvendor:\n  name: Slack\naccess:\n${entries([{ system: 'github', role: 'read' }])}`;
const SLACK_FULL = SLACK.replace(
  'vendor:\n  name: Slack\n',
  'vendor:\n  name: Slack\n  data_scope: Channel names and pull request titles\n  offboarding: Uninstall the app and revoke its token\n',
);
const ALICE_JIT = human('alice', [{ system: 'prod-db', role: 'dba', privileged: true, jit: '{ max_duration_hours: 2, approvers: ["@acme/oncall", dave] }' }]);

const history: HistoryCommit[] = [
  {
    sha: sha(1),
    at: '2025-12-01T10:00:00Z',
    files: {
      'access-ledger.yaml': 'version: 1\norganization: acme\nadmins: [sam]\n',
      'systems/prod-db.yaml': system('prod-db', '[carol, dave]'),
      'systems/github.yaml': system('github', '[erin]'),
      'grants/humans/eve.yaml': human('eve', [{ system: 'prod-db', role: 'read' }]),
      'grants/humans/frank.yaml': human('frank', [{ system: 'prod-db', role: 'read' }]),
      'grants/humans/dan.yaml': human('dan', [{ system: 'prod-db', role: 'read', expires: '2026-04-30' }]),
    },
  },
  { sha: sha(2), at: '2026-01-10T12:00:00Z', files: { 'grants/humans/bob.yaml': human('bob', [{ system: 'prod-db', role: 'read' }]) } },
  { sha: sha(3), at: '2026-02-01T12:00:00Z', files: { 'grants/humans/bob.yaml': human('bob', [{ system: 'prod-db', role: 'write' }]) } },
  {
    sha: sha(4),
    at: '2026-02-10T12:00:00Z',
    files: { 'grants/humans/bob.yaml': null, 'grants/people/bob.yaml': human('bob', [{ system: 'prod-db', role: 'write' }]) },
  },
  { sha: sha(5), at: '2026-03-01T12:00:00Z', files: { 'grants/services/exporter.yaml': EXPORTER, 'grants/services/old-job.yaml': OLDJOB } },
  { sha: sha(6), at: '2026-03-05T12:00:00Z', files: { 'grants/integrations/slack.yaml': SLACK } },
  { sha: sha(7), at: '2026-03-10T12:00:00Z', files: { 'grants/humans/alice.yaml': ALICE_JIT } },
  { sha: sha(8), at: '2026-04-01T12:00:00Z', files: { 'grants/humans/alice.yaml': ALICE_JIT + review_('2026-04-01') } },
  {
    sha: sha(9),
    at: '2026-05-01T12:00:00Z',
    files: {
      'grants/people/bob.yaml': human('bob', [{ system: 'prod-db', role: 'write' }], review_('2026-05-01', 'prod-db/2026-05-01')),
      'grants/humans/frank.yaml': human('frank', [{ system: 'prod-db', role: 'read' }], review_('2026-05-01', 'prod-db/2026-05-01')),
      'grants/humans/dan.yaml': human('dan', [{ system: 'prod-db', role: 'read', expires: '2026-04-30' }], review_('2026-05-01', 'prod-db/2026-05-01')),
      'grants/humans/eve.yaml': null,
    },
  },
  { sha: sha(10), at: '2026-06-01T12:00:00Z', files: { 'grants/services/old-job.yaml': null } },
  { sha: sha(11), at: '2026-06-02T12:00:00Z', files: { 'grants/integrations/slack.yaml': SLACK_FULL } },
];

const at = (n: number) => history.find((c) => c.sha === sha(n))!.at;
const prodDb = (approvedBy: string[], required = 1) => ({
  system: 'prod-db',
  required,
  approved_by: approvedBy,
  missing: Math.max(0, required - approvedBy.length),
});

const records: RecordDraft[] = [
  // bob approved his own access (the gate's judgement recorded), carol counted.
  grantChange({
    pr: 1,
    sha: sha(2),
    at: at(2),
    author: 'bob',
    changes: [fileChange('grants/humans/bob.yaml', 'added', [['prod-db', 'read', 'added']])],
    reviews: [review('bob', '2026-01-09T10:00:00Z', true, 'APPROVED', 'grantee'), review('carol', '2026-01-09T11:00:00Z', true, 'APPROVED', null)],
    approvals: [prodDb(['carol'])],
  }),
  {
    kind: 'provisioned',
    key: provisionedKey(1, 11),
    occurred_at: '2026-01-10T12:05:00Z',
    repository: REPOSITORY,
    controls: [...DEFAULT_CONTROLS.provisioned],
    subject: {
      pr: { number: 1, url: `https://github.com/${REPOSITORY}/pull/1` },
      grant_change_key: 'pr-1-merged',
      workflow: 'provision.yml',
      run_id: 11,
      run_attempt: 1,
      run_url: `https://github.com/${REPOSITORY}/actions/runs/11`,
      head_sha: sha(2),
      conclusion: 'success',
      completed_at: '2026-01-10T12:05:00Z',
    },
  },
  // A role change: read removed, write added.
  grantChange({
    pr: 2,
    sha: sha(3),
    at: at(3),
    author: 'carol',
    changes: [
      fileChange('grants/humans/bob.yaml', 'modified', [
        ['prod-db', 'read', 'removed'],
        ['prod-db', 'write', 'added'],
      ]),
    ],
    reviews: [review('dave', '2026-02-01T10:00:00Z', true, 'APPROVED', null)],
    approvals: [prodDb(['dave'])],
  }),
  // A move under the same name: the record names the new path only, with no entry changed.
  grantChange({ pr: 3, sha: sha(4), at: at(4), author: 'carol', changes: [fileChange('grants/people/bob.yaml', 'modified', [])], reviews: [], approvals: [] }),
  // A record written before the gate's judgement was kept: the owner of the service account approved.
  grantChange({
    pr: 4,
    sha: sha(5),
    at: at(5),
    author: 'paul',
    changes: [
      fileChange('grants/services/exporter.yaml', 'added', [['prod-db', 'billing_read', 'added', true]], 'service-account'),
      fileChange('grants/services/old-job.yaml', 'added', [['prod-db', 'read', 'added']], 'service-account'),
    ],
    reviews: [review('alice', '2026-03-01T09:00:00Z'), review('carol', '2026-03-01T10:00:00Z'), review('dave', '2026-03-01T10:30:00Z')],
    approvals: [prodDb(['carol', 'dave'], 2)],
  }),
  // Reviews of every kind.
  grantChange({
    pr: 6,
    sha: sha(7),
    at: at(7),
    author: 'alice',
    changes: [fileChange('grants/humans/alice.yaml', 'added', [['prod-db', 'dba', 'added', true]])],
    reviews: [
      review('dave', '2026-03-09T10:00:00Z', false, 'APPROVED', 'superseded'),
      review('erin', '2026-03-09T11:00:00Z', true, 'DISMISSED', 'dismissed'),
      review('zoe', '2026-03-09T12:00:00Z', true, 'COMMENTED', 'commented'),
      review('dave', '2026-03-10T10:00:00Z', true, 'APPROVED', null),
      review('carol', '2026-03-10T11:00:00Z', true, 'APPROVED', null),
    ],
    approvals: [prodDb(['carol', 'dave'], 2)],
  }),
  // A review block certified outside a campaign: the admins approve it.
  grantChange({
    pr: 7,
    sha: sha(8),
    at: at(8),
    author: 'alice',
    changes: [fileChange('grants/humans/alice.yaml', 'modified', [])],
    reviews: [review('sam', '2026-04-01T10:00:00Z', true, 'APPROVED', null)],
    approvals: [{ system: 'admins', required: 1, approved_by: ['sam'], missing: 0 }],
  }),
  {
    kind: 'identity-left-org',
    key: identityLeftOrgKey('eve', '2026-04-15T08:00:00Z'),
    occurred_at: '2026-04-15T08:00:00Z',
    repository: REPOSITORY,
    controls: [...DEFAULT_CONTROLS['identity-left-org']],
    subject: {
      login: 'eve',
      organization: 'acme',
      left_at: '2026-04-15T08:00:00Z',
      source: 'member_removed',
      affected_grants: [{ path: 'grants/humans/eve.yaml', identity: 'eve', role: 'grantee' }],
    },
  },
  {
    kind: 'identity-left-org',
    key: identityLeftOrgKey('frank', '2026-04-20T08:00:00Z'),
    occurred_at: '2026-04-20T08:00:00Z',
    repository: REPOSITORY,
    controls: [...DEFAULT_CONTROLS['identity-left-org']],
    subject: {
      login: 'frank',
      organization: 'acme',
      left_at: '2026-04-20T08:00:00Z',
      source: 'sweep',
      affected_grants: [{ path: 'grants/humans/frank.yaml', identity: 'frank', role: 'grantee' }],
    },
  },
  // The review campaign: its grant-change and its review-campaign record.
  grantChange({
    pr: 8,
    sha: sha(9),
    at: at(9),
    author: 'access-ledger[bot]',
    changes: [
      fileChange('grants/humans/dan.yaml', 'modified', []),
      fileChange('grants/humans/eve.yaml', 'removed', [['prod-db', 'read', 'removed']]),
      fileChange('grants/humans/frank.yaml', 'modified', []),
      fileChange('grants/people/bob.yaml', 'modified', []),
    ],
    reviews: [review('dave', '2026-05-01T10:00:00Z', true, 'APPROVED', null)],
    approvals: [prodDb(['dave'])],
  }),
  {
    kind: 'review-campaign',
    key: reviewCampaignKey(8),
    occurred_at: at(9),
    repository: REPOSITORY,
    controls: [...DEFAULT_CONTROLS['review-campaign']],
    subject: {
      system: 'prod-db',
      campaign: 'prod-db/2026-05-01',
      pr: {
        number: 8,
        title: 'Access review: prod-db',
        url: `https://github.com/${REPOSITORY}/pull/8`,
        author: 'access-ledger[bot]',
        created_at: '2026-04-28T00:00:00Z',
        merged_at: at(9),
        merged_by: 'carol',
      },
      reviewers: ['dave'],
      reviewed_on: '2026-05-01',
      items: {
        kept: [
          { path: 'grants/people/bob.yaml', identity: 'bob', role: 'write', privileged: false, expires: '2026-12-31', certified_by: ['dave'] },
          {
            path: 'grants/humans/frank.yaml',
            identity: 'frank',
            role: 'read',
            privileged: false,
            expires: '2026-12-31',
            certified_by: ['dave'],
            flags: [{ kind: 'left-org', login: 'frank', as: 'grantee' }],
          },
          { path: 'grants/humans/dan.yaml', identity: 'dan', role: 'read', privileged: false, expires: '2026-04-30', certified_by: ['dave'] },
        ],
        changed: [],
        removed: [{ path: 'grants/humans/eve.yaml', identity: 'eve', role: 'read', privileged: false, expires: '2026-12-31' }],
      },
    },
  },
  grantChange({
    pr: 9,
    sha: sha(10),
    at: at(10),
    author: 'alice',
    changes: [fileChange('grants/services/old-job.yaml', 'removed', [['prod-db', 'read', 'removed']], 'service-account')],
  }),
];

let b: CoreBinder;
beforeAll(async () => {
  b = await buildCore({ history, records, from: '2026-01-01', to: '2026-06-30' });
});

const rowsOf = (id: string): Row[] => b.rows.get(id)!;
const find = (id: string, match: Partial<Row>): { row: Row; index: number } => {
  const index = rowsOf(id).findIndex((r) => Object.entries(match).every(([k, v]) => r[k] === v));
  if (index < 0) throw new Error(`no ${id} row like ${JSON.stringify(match)}`);
  return { row: rowsOf(id)[index]!, index };
};
const chainOf = (id: Parameters<CoreBinder['chains']>[0], match: Partial<Row>) => b.chains(id)[find(id, match).index]!;

describe("approvals in the chains, in the gate's words", () => {
  const table: [name: string, pop: 'additions', match: Partial<Row>, reviewer: string, nth: number, expected: string][] = [
    ['the grantee who approved their own access', 'additions', { identity: 'bob', role: 'read' }, 'bob', 0, 'not counted: cannot approve their own access'],
    [
      'a counted approver',
      'additions',
      { identity: 'bob', role: 'read' },
      'carol',
      0,
      "counted: counted by the gate's merge-time verdict for prod-db (policy at aaaaaaaaaaaa): listed in systems/prod-db.yaml approvers",
    ],
    [
      "the owner of a service account, on a record without the gate's judgement",
      'additions',
      { identity: 'exporter' },
      'alice',
      0,
      'not counted: cannot approve their own access',
    ],
    ['an earlier approval, superseded', 'additions', { identity: 'alice' }, 'dave', 0, 'not counted: superseded by their later review'],
    [
      'the later approval on the head',
      'additions',
      { identity: 'alice' },
      'dave',
      1,
      "counted: counted by the gate's merge-time verdict for prod-db (policy at aaaaaaaaaaaa): listed in systems/prod-db.yaml approvers",
    ],
    ['a dismissed review', 'additions', { identity: 'alice' }, 'erin', 0, 'not counted: had the review dismissed'],
    ['a comment', 'additions', { identity: 'alice' }, 'zoe', 0, 'not counted: commented, which is not an approval'],
  ];
  it.each(table)('%s', (_, pop, match, reviewer, nth, expected) => {
    const a = chainOf(pop, match).approvals.filter((x) => x.reviewer === reviewer)[nth]!;
    expect(`${a.counted ? 'counted' : 'not counted'}: ${a.eligible_because}`).toBe(expected);
  });

  it('never says "not counted" twice, and each not-counted approval names its reason once', async () => {
    for (const id of POPULATION_ORDER) {
      for (const c of b.chains(id)) {
        for (const a of c.approvals) {
          expect(a.eligible_because).not.toMatch(/not counted/);
          expect(a.counted).toBe(a.not_counted === undefined);
        }
      }
    }
  });

  it('an approval that counted for one system is not counted for another', async () => {
    // dave counted for prod-db; in the path-level chain of the campaign's grant change he counted too.
    const row = find('grant-changes', { commit: sha(9), path: 'grants/humans/dan.yaml' });
    expect(b.chains('grant-changes')[row.index]!.approvals.map((a) => [a.reviewer, a.counted])).toEqual([['dave', true]]);
  });
});

describe('modifications hold access changes only', () => {
  it('no review bookkeeping row is a modification', async () => {
    expect(rowsOf('modifications').filter((r) => String(r.field).startsWith('review'))).toEqual([]);
  });

  it("a campaign's items are review-campaigns rows with their certifiers, flags and decision", async () => {
    const rows = rowsOf('review-campaigns').filter((r) => r.pr === 8);
    expect(rows.map((r) => [r.identity, r.outcome, r.reviewers, r.flags, r.campaign])).toEqual([
      ['bob', 'kept', 'dave', null, 'prod-db/2026-05-01'],
      ['frank', 'kept', 'dave', 'grantee frank left the organization', 'prod-db/2026-05-01'],
      ['dan', 'kept', 'dave', 'expired on 2026-04-30', 'prod-db/2026-05-01'],
      ['eve', 'removed', 'dave', 'grantee eve left the organization', 'prod-db/2026-05-01'],
    ]);
  });

  it('a review block certified outside a campaign stays visible, with the admins who approved it', async () => {
    expect(find('review-campaigns', { identity: 'alice' }).row).toMatchObject({
      campaign: '(outside a campaign)',
      system: 'prod-db',
      role: 'dba',
      reviewers: 'sam',
      outcome: 'kept',
      reviewed_on: '2026-04-01',
      pr: 7,
    });
  });

  it('the heading counts campaigns, not items', async () => {
    const pop = b.populations.get('review-campaigns')!;
    expect(pop.rowCount).toBe(5);
    expect(pop.tally).toBe('1 review campaign (4 items), 1 entry certified outside a campaign');
    expect(b.summary).toContain('| Access review items | 5 (1 review campaign (4 items), 1 entry certified outside a campaign) |');
  });
});

describe('every gap counted where it is shown', () => {
  const table: [name: string, pop: string, match: Partial<Row>, gaps: string | null][] = [
    [
      'an addition without a provisioning record',
      'additions',
      { identity: 'alice' },
      'no provisioning record (no run of the provisioning workflow on the merge commit is recorded)',
    ],
    ['an addition provisioned', 'additions', { identity: 'bob', role: 'read' }, null],
    ['a change without a ledger record', 'additions', { identity: 'slack' }, 'no grant-change record in the ledger for this commit'],
    [
      'a review kept access of someone who had left',
      'review-campaigns',
      { identity: 'frank' },
      'no approval record in the ledger; kept although its grantee frank had left the organization',
    ],
    ['a review kept expired access', 'review-campaigns', { identity: 'dan' }, 'no approval record in the ledger; kept although it expired on 2026-04-30'],
    ['a review removed the access of a leaver', 'review-campaigns', { identity: 'eve' }, 'no approval record in the ledger'],
    ['a leaver whose grant still names them', 'left-org', { login: 'frank' }, 'grants/humans/frank.yaml still named frank (as grantee) on 2026-06-30'],
    ['a leaver whose grant was removed', 'left-org', { login: 'eve' }, null],
    [
      'a non-human identity without rotation or revocation records',
      'non-human',
      { identity: 'exporter' },
      'no rotation record (credential.last_rotated); no revocation path (credential.revocation)',
    ],
    ['a role change approved and recorded', 'grant-changes', { commit: sha(3) }, null],
  ];
  it.each(table)('%s', (_, pop, match, gaps) => {
    expect(find(pop, match).row.gaps).toBe(gaps);
  });

  it('a missing provisioning record is a gap only where the ledger evidences provisioning', async () => {
    const withoutRuns = records.filter((r) => r.kind !== 'provisioned');
    const none = await buildCore({ history, records: withoutRuns, from: '2026-01-01', to: '2026-06-30' });
    const gapsOf = (c: CoreBinder, identity: string) => c.rows.get('additions')!.find((r) => r.identity === identity)!.gaps;
    expect(gapsOf(none, 'alice')).toBeNull();
    expect(none.summary).toContain('No provisioning workflow is configured');
    const configured = await buildCore({ history, records: withoutRuns, from: '2026-01-01', to: '2026-06-30', provisioningWorkflow: 'provision.yml' });
    expect(gapsOf(configured, 'alice')).toBe('no provisioning record (no run of the provisioning workflow on the merge commit is recorded)');
    expect(gapsOf(configured, 'bob')).toBe('no provisioning record (no run of the provisioning workflow on the merge commit is recorded)');
    expect(configured.summary).not.toContain('No provisioning workflow is configured');
    expect(b.summary).not.toContain('No provisioning workflow is configured');
  });

  it("every chain shows exactly its row's gaps", async () => {
    let checked = 0;
    for (const id of POPULATION_ORDER) {
      if (id === 'gaps') continue;
      b.chains(id).forEach((c, i) => {
        const cell = rowsOf(id)[i]!.gaps;
        expect(c.gaps.join('; ') || null, `${id} row ${i + 1}`).toBe(cell ?? null);
        checked++;
      });
    }
    expect(checked).toBeGreaterThan(30);
  });

  it('the gaps population lists every gap of every row, pointing at its row, in the vocabulary', async () => {
    const listed = rowsOf('gaps');
    let expected = 0;
    for (const id of POPULATION_ORDER) {
      if (id === 'gaps') continue;
      const pop = b.populations.get(id)!;
      const rows = rowsOf(id);
      expect(pop.gapRows, id).toBe(rows.filter((r) => r.gaps !== null).length);
      rows.forEach((r, i) => {
        const gaps = typeof r.gaps === 'string' ? r.gaps.split('; ') : [];
        expected += gaps.length;
        const mine = listed.filter((g) => g.population === id && g.row === i + 1);
        expect(
          mine.map((g) => g.gap),
          `${id} row ${i + 1}`,
        ).toEqual(gaps);
        for (const g of mine) expect(GAP_KINDS).toContain(g.kind);
      });
      const byKind = Object.values(pop.gapKinds ?? {}).reduce((n, k) => n + k, 0);
      expect(byKind, id).toBe(listed.filter((g) => g.population === id).length);
    }
    expect(listed.length).toBe(expected);
    expect(b.populations.get('gaps')!.frequency).toBe('index');
  });

  it('the summary starts from the exceptions: every gap by population and kind', async () => {
    expect(b.summary).toContain('## Gaps by population');
    expect(b.summary).toMatch(/\| Access review items \| review kept access of someone who had left \| 1 \|/);
    expect(b.summary).toMatch(/\| People who left the organization \| grant still naming a leaver \| 1 \|/);
    // Every population with a gaps column shows its count, none a dash.
    for (const line of b.summary.split('\n').filter((l) => /populations\/(?!gaps)[a-z-]+\.csv \|$/.test(l))) expect(line).not.toMatch(/\| – \|/);
  });
});

describe('chains agree with the ledger', () => {
  it('an entry ended by a role change links the pull request that changed it', async () => {
    const c = chainOf('additions', { identity: 'bob', role: 'read' });
    expect(c.removal).toMatchObject({ pr: 2, seq: expect.any(Number) });
    expect(c.ledger.map((l) => l.role)).toContain('removal');
    expect(c.gaps).toEqual([]);
  });

  it("a file's chain does not take a role change for its removal", async () => {
    const c = chainOf('grant-changes', { commit: sha(2) });
    expect(c.removal).toBeNull();
  });

  it('a moved grant finds the record that added its access at the old path', async () => {
    const row = find('inventory', { identity: 'bob' }).row;
    expect(row).toMatchObject({
      path: 'grants/people/bob.yaml',
      role: 'write',
      approval_pr: 2,
      gaps: 'no provisioning record (no run of the provisioning workflow on the merge commit is recorded)',
    });
    expect(chainOf('inventory', { identity: 'bob' }).request).toMatchObject({ pr: 2 });
  });

  it('a deleted file links the pull request that deleted it', async () => {
    const c = chainOf('additions', { identity: 'old-job' });
    expect(c.removal).toMatchObject({ pr: 9, commit: sha(10) });
    const r = chainOf('removals', { identity: 'old-job' });
    expect(r.removal).toMatchObject({ pr: 9 });
  });

  it('an entry removed in a review campaign links both the merge and the campaign', async () => {
    const c = chainOf('removals', { identity: 'eve' });
    expect(find('removals', { identity: 'eve' }).row.via).toBe('review-campaign');
    expect(c.removal).toMatchObject({ pr: 8 });
    expect(c.ledger.map((l) => [l.role, l.kind])).toEqual([
      ['removal', 'grant-change'],
      ['removal (review-campaign)', 'review-campaign'],
    ]);
  });
});

describe('non-human, vendor and JIT evidence', () => {
  it("a non-human identity's revocation path and credential storage, masked when it looks like a secret", async () => {
    const row = find('non-human', { identity: 'exporter' }).row;
    expect(String(row.storage)).toContain(MASKED);
    expect(String(row.storage)).not.toContain(TOKEN);
    expect(row.revocation).toBeNull();
    expect(row.privileged_access).toBe('prod-db:billing_read (standing)');
  });

  it("an integration's vendor data scope and offboarding path", async () => {
    expect(find('non-human', { identity: 'slack' }).row).toMatchObject({
      vendor: 'Slack',
      data_scope: 'Channel names and pull request titles',
      offboarding: 'Uninstall the app and revoke its token',
      revocation: 'Uninstall the app in Slack admin',
      storage: 'vault:kv/slack',
    });
  });

  it('an integration without data scope or offboarding path has both as gaps, in the history as in the vocabulary', async () => {
    const b2 = await buildCore({ history: history.slice(0, 6), records: [], from: '2026-01-01', to: '2026-06-30' });
    expect(b2.rows.get('non-human')!.find((r) => r.identity === 'slack')!.gaps).toBe(
      'no ledger record of a change to this grant file; no vendor data scope (vendor.data_scope); no vendor offboarding path (vendor.offboarding)',
    );
  });

  it('JIT access names its window and its approvers, in privileged access and the inventory', async () => {
    for (const id of ['privileged', 'inventory']) {
      expect(find(id, { identity: 'alice' }).row, id).toMatchObject({
        access_path: 'JIT (max 2 h, approved by @acme/oncall, dave)',
        jit_max_hours: 2,
        jit_approvers: '@acme/oncall, dave',
      });
    }
    expect(find('additions', { identity: 'alice' }).row.access_path).toBe('JIT (max 2 h, approved by @acme/oncall, dave)');
  });
});

describe('attacks on what the binder shows', () => {
  const base: HistoryCommit = {
    sha: sha(100),
    at: '2025-12-01T10:00:00Z',
    files: {
      'access-ledger.yaml': 'version: 1\norganization: acme\nadmins: [sam]\n',
      'systems/prod-db.yaml': system('prod-db', '[carol, dave]'),
      'grants/humans/mia.yaml': human('mia', [{ system: 'prod-db', role: 'read' }]),
    },
  };
  const core = (commits: HistoryCommit[], recs: RecordDraft[]) =>
    buildCore({ history: [base, ...commits], records: recs, from: '2026-01-01', to: '2026-06-30' });

  it('an access change hidden among review bookkeeping is still a modification, and the certification still needs the admins', async () => {
    const b2 = await core(
      [
        {
          sha: sha(101),
          at: '2026-02-01T10:00:00Z',
          files: { 'grants/humans/mia.yaml': human('mia', [{ system: 'prod-db', role: 'read', expires: '2027-06-30' }], review_('2026-02-01')) },
        },
      ],
      [
        grantChange({
          pr: 11,
          sha: sha(101),
          at: '2026-02-01T10:00:00Z',
          author: 'mia',
          changes: [fileChange('grants/humans/mia.yaml', 'modified', [['prod-db', 'read', 'modified']])],
          reviews: [review('dave', '2026-02-01T09:00:00Z', true, 'APPROVED', null)],
          approvals: [prodDb(['dave']), { system: 'admins', required: 1, approved_by: [], missing: 1 }],
          result: 'fail',
        }),
      ],
    );
    expect(b2.rows.get('modifications')!.map((r) => [r.system, r.field, r.after])).toEqual([['prod-db', 'expires', '2027-06-30']]);
    const cert = b2.rows.get('review-campaigns')!;
    expect(cert).toHaveLength(1);
    expect(cert[0]).toMatchObject({ campaign: '(outside a campaign)', reviewers: null });
    expect(String(cert[0]!.gaps)).toContain('no counted approval for admins in the merge-time verdict');
    expect(String(cert[0]!.gaps)).toContain('admins: 1 of 1 required approvals missing at merge');
  });

  it('a new grant file that arrives with a review block is a certification too: listed with the admins who approved it, and a gap without them', async () => {
    const nia = human('nia', [{ system: 'prod-db', role: 'read' }], review_('2025-12-20'));
    const added = (approvedBy: string[]) =>
      core(
        [{ sha: sha(107), at: '2026-02-03T10:00:00Z', files: { 'grants/humans/nia.yaml': nia } }],
        [
          grantChange({
            pr: 13,
            sha: sha(107),
            at: '2026-02-03T10:00:00Z',
            author: 'carol',
            changes: [fileChange('grants/humans/nia.yaml', 'added', [['prod-db', 'read', 'added']])],
            reviews: [
              review('dave', '2026-02-03T09:00:00Z', true, 'APPROVED', null),
              ...approvedBy.map((a) => review(a, '2026-02-03T09:30:00Z', true, 'APPROVED', null)),
            ],
            approvals: [prodDb(['dave']), { system: 'admins', required: 1, approved_by: approvedBy, missing: approvedBy.length ? 0 : 1 }],
            result: approvedBy.length ? 'pass' : 'fail',
          }),
        ],
      );
    const approved = (await added(['sam'])).rows.get('review-campaigns')!;
    expect(approved.map((r) => [r.campaign, r.identity, r.system, r.reviewed_on, r.reviewers, r.pr, r.gaps])).toEqual([
      ['(outside a campaign)', 'nia', 'prod-db', '2025-12-20', 'sam', 13, null],
    ]);
    const unapproved = (await added([])).rows.get('review-campaigns')!;
    expect(unapproved).toHaveLength(1);
    expect(String(unapproved[0]!.gaps)).toContain('no counted approval for admins in the merge-time verdict');
  });

  it('a review date moved back certifies nothing: it stays a modification that widens nothing, and is no certification', async () => {
    const before = human('mia', [{ system: 'prod-db', role: 'read' }], review_('2026-01-20'));
    const b2 = await core(
      [
        { sha: sha(105), at: '2026-01-20T10:00:00Z', files: { 'grants/humans/mia.yaml': before } },
        {
          sha: sha(106),
          at: '2026-02-05T10:00:00Z',
          files: { 'grants/humans/mia.yaml': human('mia', [{ system: 'prod-db', role: 'read' }], review_('2025-06-01')) },
        },
      ],
      [],
    );
    expect(b2.rows.get('modifications')!.map((r) => [r.field, r.before, r.after, r.widens])).toEqual([
      ['review.last_reviewed', '2026-01-20', '2025-06-01', 'no'],
    ]);
    expect(b2.rows.get('review-campaigns')!.map((r) => [r.identity, r.reviewed_on])).toEqual([['mia', '2026-01-20']]);
  });

  it('a pull request that only claims to be a review campaign certifies nothing by itself: no campaign record, so its review blocks are a certification the admins had to approve', async () => {
    const b2 = await core(
      [
        {
          sha: sha(102),
          at: '2026-02-02T10:00:00Z',
          files: { 'grants/humans/mia.yaml': human('mia', [{ system: 'prod-db', role: 'read' }], review_('2026-02-02', 'prod-db/2026-02-02')) },
        },
      ],
      [
        grantChange({
          pr: 12,
          sha: sha(102),
          at: '2026-02-02T10:00:00Z',
          author: 'mia',
          changes: [fileChange('grants/humans/mia.yaml', 'modified', [])],
          reviews: [review('mia', '2026-02-02T09:00:00Z', true, 'APPROVED', 'grantee')],
          approvals: [{ system: 'admins', required: 1, approved_by: [], missing: 1 }],
          result: 'fail',
        }),
      ],
    );
    const cert = b2.rows.get('review-campaigns')!;
    expect(cert.map((r) => [r.campaign, r.reviewers])).toEqual([['(outside a campaign)', null]]);
    expect(String(cert[0]!.gaps)).toContain('the gate would have refused this merge');
    expect(b2.rows.get('modifications')).toEqual([]);
  });

  it("a record that calls an approval counted cannot make it count beyond the verdict's approvals", async () => {
    const b2 = await core(
      [{ sha: sha(103), at: '2026-02-03T10:00:00Z', files: { 'grants/humans/nia.yaml': human('nia', [{ system: 'prod-db', role: 'read' }]) } }],
      [
        grantChange({
          pr: 13,
          sha: sha(103),
          at: '2026-02-03T10:00:00Z',
          author: 'nia',
          changes: [fileChange('grants/humans/nia.yaml', 'added', [['prod-db', 'read', 'added']])],
          reviews: [review('zed', '2026-02-03T09:00:00Z', true, 'APPROVED', null)],
          approvals: [prodDb([])],
          result: 'fail',
        }),
      ],
    );
    const chain = b2.chains('additions')[0]!;
    expect(chain.approvals.map((a) => [a.reviewer, a.counted, a.eligible_because])).toEqual([['zed', false, 'is not an eligible approver of prod-db']]);
    expect(chain.gaps).toContain('no counted approval for prod-db in the merge-time verdict');
  });

  it('a review record without flags still shows the leaver, from the ledger', async () => {
    expect(find('review-campaigns', { identity: 'eve' }).row.flags).toBe('grantee eve left the organization');
  });

  it("a gap's words never split into two gaps, whatever a file says", async () => {
    expect(gap('unreadable-file', 'unknown key; and more').text).toBe('file cannot be read: unknown key, and more');
    const b2 = await core(
      [
        {
          sha: sha(104),
          at: '2026-02-04T10:00:00Z',
          files: {
            'grants/humans/odd.yaml':
              'identity: { id: odd, kind: human, owner: carol, github: odd }\naccess:\n  - { system: prod-db, role: read, bogus: "x; y" }\n',
          },
        },
      ],
      [],
    );
    const inventory = b2.rows.get('inventory')!.find((r) => r.path === 'grants/humans/odd.yaml')!;
    const chain = b2.chains('inventory')[b2.rows.get('inventory')!.indexOf(inventory)]!;
    expect(chain.gaps).toHaveLength(1);
    expect(chain.gaps[0]).toMatch(/^file cannot be read: /);
    expect(chain.gaps[0]).not.toContain('; ');
  });
});
