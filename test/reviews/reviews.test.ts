import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  approvingReviewers,
  campaignBranch,
  campaignEdits,
  campaignListing,
  campaignOutcome,
  campaignRecordDraft,
  campaignText,
  entryFlags,
  dueSystems,
  parseCampaignBranch,
  parseCampaignMarker,
  reviewCampaignDraft,
  reviewEdit,
} from '../../src/core/reviews/index.ts';
import type { Grant } from '../../src/core/model/types.ts';
import { apiKey, human, repo } from '../stale/fixtures.ts';
import { ALL, account, listing } from '../support/observed.ts';

const due = (grants: Record<string, string>, today: string, extra: { lastCampaign?: Map<string, string>; open?: Set<string> } = {}) =>
  dueSystems({
    snapshot: repo(grants),
    today,
    leadDays: 14,
    defaultCadenceDays: 365,
    ...(extra.lastCampaign ? { lastCampaign: extra.lastCampaign } : {}),
    ...(extra.open ? { openCampaigns: extra.open } : {}),
  }).map((d) => `${d.system}@${d.due}`);

describe('which systems are due', () => {
  const cases: [string, string, string[]][] = [
    // prod-postgres reviewed every 90 days; the campaign opens 14 days before the due day
    ['2026-08-28', '2026-11-12', ['prod-postgres@2026-11-26']], // due in 14 days: opens
    ['2026-08-28', '2026-11-11', []], // due in 15 days
    ['2027-12-01', '2028-02-15', ['prod-postgres@2028-02-29']], // leap day
    ['2027-12-01', '2028-02-14', []],
    ['2026-01-01', '2026-11-26', ['prod-postgres@2026-04-01']], // long overdue
  ];
  it.each(cases)('last reviewed %s, today %s → %j', (last, today, expected) => {
    expect(due({ 'grants/bob.yaml': human({ entries: [{ system: 'prod-postgres', expires: '2029-01-01' }], lastReviewed: last }) }, today)).toEqual(expected);
  });

  it('measures from the oldest review of any grant to the system', () => {
    const grants = {
      'grants/a.yaml': human({ id: 'a', entries: [{ system: 'prod-postgres', expires: '2029-01-01' }], lastReviewed: '2026-11-01' }),
      'grants/b.yaml': human({ id: 'b', entries: [{ system: 'prod-postgres', expires: '2029-01-01' }], lastReviewed: '2026-06-01' }),
    };
    expect(due(grants, '2026-11-26')).toEqual(['prod-postgres@2026-08-30']);
  });

  it('a later campaign record counts as a review; a grant with no review date does not make a system due', () => {
    const grants = {
      'grants/a.yaml': human({ id: 'a', entries: [{ system: 'prod-postgres', expires: '2029-01-01' }], lastReviewed: '2026-01-01' }),
      'grants/new.yaml': human({ id: 'new', entries: [{ system: 'prod-postgres', expires: '2029-01-01' }], lastReviewed: null }),
    };
    expect(due(grants, '2026-11-26', { lastCampaign: new Map([['prod-postgres', '2026-11-01']]) })).toEqual([]);
  });

  it('a system never reviewed is due now; no campaign for a system without grants or with one open', () => {
    const grants = { 'grants/a.yaml': human({ id: 'a', entries: [{ system: 'prod-postgres', expires: '2029-01-01' }], lastReviewed: null }) };
    expect(due(grants, '2026-11-26')).toEqual(['prod-postgres@null']);
    expect(due(grants, '2026-11-26', { open: new Set(['prod-postgres']) })).toEqual([]);
  });
});

describe('the campaign pull request', () => {
  const ref = { system: 'prod-postgres', date: '2026-11-26' };

  it('names its branch per system and day, and parses it back', () => {
    expect(campaignBranch(ref)).toBe('access-review/prod-postgres/2026-11-26');
    expect(campaignBranch(ref, 'reviews')).toBe('reviews/prod-postgres/2026-11-26');
    expect(parseCampaignBranch('access-review/prod-postgres/2026-11-26')).toEqual(ref);
    expect(parseCampaignBranch('access-review/prod-postgres/2026-02-30')).toBeUndefined();
    expect(parseCampaignBranch('feature/prod-postgres/2026-11-26')).toBeUndefined();
  });

  it('edits only the review block of each grant to the system, keeping comments and style', () => {
    const bob = human({ entries: [{ system: 'prod-postgres', expires: '2027-01-31' }], lastReviewed: '2026-01-01' }).replace(
      'identity:',
      '# Bob runs the reports\nidentity:',
    );
    const files = new Map([
      ['grants/bob.yaml', bob],
      ['grants/key.yaml', apiKey({ lastRotated: '2026-11-01' })],
    ]);
    const snapshot = repo(Object.fromEntries(files));
    const [system] = dueSystems({ snapshot, today: '2026-11-26', leadDays: 14, defaultCadenceDays: 365 }).filter((d) => d.system === 'prod-postgres');
    expect(system).toBeDefined();
    const edits = campaignEdits(files, system!, ref);
    expect(edits.map((e) => e.path)).toEqual(['grants/bob.yaml']); // the key reaches jira only
    const before = bob.split('\n');
    const changed = edits[0]!.content.split('\n').filter((l, i) => l !== before[i]);
    expect(changed).toEqual(['review: { last_reviewed: 2026-11-26, reviewer: null, campaign: prod-postgres/2026-11-26 }']);
    expect(before.find((l) => l.startsWith('review:'))).toBe('review: { last_reviewed: 2026-01-01, reviewer: dave }');
    expect(parse(edits[0]!.content).review).toEqual({ last_reviewed: '2026-11-26', reviewer: null, campaign: 'prod-postgres/2026-11-26' });
  });

  it('adds a review block where there is none, and refuses what it cannot edit safely', () => {
    expect(reviewEdit('identity: { id: x }\naccess: []\n', ref)).toBe(
      'identity: { id: x }\naccess: []\nreview:\n  last_reviewed: 2026-11-26\n  reviewer: null\n  campaign: prod-postgres/2026-11-26\n',
    );
    expect(reviewEdit('access: []\nreview:\n    last_reviewed: 2026-01-01 # q1\n', ref)).toBe(
      'access: []\nreview:\n    last_reviewed: 2026-11-26 # q1\n    reviewer: null\n    campaign: prod-postgres/2026-11-26\n',
    );
    expect(reviewEdit('- a list\n', ref)).toBeUndefined();
    expect(reviewEdit('review: [1, 2]\n', ref)).toBeUndefined();
  });

  it('lists every grant with identity, kind, role, privileged, owner and expiry, and how to revoke', () => {
    const snapshot = repo({
      'grants/bob.yaml': human({ entries: [{ system: 'prod-postgres', role: 'dba', privileged: true, expires: '2027-01-31' }], lastReviewed: '2026-01-01' }),
    });
    const [d] = dueSystems({ snapshot, today: '2026-11-26', leadDays: 14, defaultCadenceDays: 365 });
    const text = campaignText(d!, ref, {
      repository: 'acme/access',
      webUrl: 'https://github.com',
      configPath: 'access-ledger.yaml',
      branch: 'main',
      lastUsed: new Map([['bob', '2026-11-20']]),
    });
    expect(text.title).toBe('Access review: Production PostgreSQL (prod-postgres), 2026-11-26');
    expect(text.body).toContain(
      '| [`bob`](https://github.com/acme/access/blob/main/grants/bob.yaml) | human | `dba` | **yes** | @alice | 2027-01-31 | 2026-11-20 |',
    );
    expect(text.body).toContain('delete the entry');
    expect(text.body).toContain('@acme/dba, @dave');
    expect(parseCampaignMarker(text.body)).toEqual(ref);
  });

  it("keeps the body under GitHub's limit for a large system", () => {
    const grants: Record<string, string> = {};
    for (let i = 0; i < 2000; i++)
      grants[`grants/u${i}.yaml`] = human({ id: `u${i}`, entries: [{ system: 'prod-postgres', expires: '2027-01-31' }], lastReviewed: '2026-01-01' });
    const [d] = dueSystems({ snapshot: repo(grants), today: '2026-11-26', leadDays: 14, defaultCadenceDays: 365 });
    const text = campaignText(d!, ref, { repository: 'acme/access', webUrl: 'https://github.com', configPath: 'access-ledger.yaml', branch: 'main' });
    expect(text.body.length).toBeLessThan(65_536);
    expect(text.body).toMatch(/…and \d+ more entries/);
  });
});

describe('the outcome of a merged campaign', () => {
  const g = (id: string, entries: { system: string; role: string; expires?: string; privileged?: boolean }[]): Grant => ({
    identity: { id, kind: 'human', owner: 'alice', github: id },
    access: entries.map((e) => ({ ...e, justification: 'x' })),
  });

  it('sorts each entry into kept, changed or removed', () => {
    const before = new Map<string, Grant | undefined>([
      ['grants/a.yaml', g('a', [{ system: 'pg', role: 'read', expires: '2027-01-01' }])],
      [
        'grants/b.yaml',
        g('b', [
          { system: 'pg', role: 'write', expires: '2027-01-01' },
          { system: 'jira', role: 'user' },
        ]),
      ],
      ['grants/c.yaml', g('c', [{ system: 'pg', role: 'dba', privileged: true, expires: '2027-01-01' }])],
      ['grants/d.yaml', g('d', [{ system: 'pg', role: 'read', expires: '2027-01-01' }])],
    ]);
    const after = new Map<string, Grant | undefined>([
      ['grants/a.yaml', g('a', [{ system: 'pg', role: 'read', expires: '2027-01-01' }])],
      ['grants/b.yaml', g('b', [{ system: 'jira', role: 'user' }])],
      ['grants/c.yaml', g('c', [{ system: 'pg', role: 'read', expires: '2026-12-31' }])],
      ['grants/d.yaml', undefined],
    ]);
    const out = campaignOutcome('pg', before, after);
    expect(out.kept.map((i) => i.identity)).toEqual(['a']);
    expect(out.changed).toEqual([{ path: 'grants/c.yaml', identity: 'c', role: 'read', privileged: false, expires: '2026-12-31' }]);
    expect(out.removed.map((i) => `${i.identity}:${i.role}`)).toEqual(['b:write', 'd:read']);
  });

  it("the sign-off is each reviewer's latest decisive review, approvals only", () => {
    const r = (reviewer: string, state: 'APPROVED' | 'CHANGES_REQUESTED' | 'COMMENTED' | 'DISMISSED', at: string) => ({
      reviewer,
      state,
      submitted_at: at,
      commit_id: 'a'.repeat(40),
      on_head: true,
    });
    const reviews = [
      r('dave', 'APPROVED', '2026-11-27T10:00:00Z'),
      r('erin', 'APPROVED', '2026-11-27T10:00:00Z'),
      r('erin', 'CHANGES_REQUESTED', '2026-11-27T11:00:00Z'),
      r('fred', 'APPROVED', '2026-11-27T09:00:00Z'),
      r('fred', 'COMMENTED', '2026-11-27T12:00:00Z'),
    ];
    expect(approvingReviewers(reviews)).toEqual(['dave', 'fred']);
    expect(approvingReviewers(reviews, (l) => l === 'dave')).toEqual(['dave']);
  });

  it('becomes a review-campaign ledger draft keyed by the pull request', () => {
    const pr = {
      number: 45,
      title: 't',
      url: 'https://github.com/acme/access/pull/45',
      author: 'access-ledger[bot]',
      created_at: '2026-11-26T06:00:00Z',
      merged_at: '2026-11-28T16:00:00Z',
      merged_by: 'dave',
    };
    const draft = reviewCampaignDraft({
      repository: 'acme/access',
      system: 'pg',
      pr,
      reviewers: ['dave'],
      reviewedOn: '2026-11-26',
      outcome: { kept: [], changed: [], removed: [] },
    });
    expect(draft).toMatchObject({
      kind: 'review-campaign',
      key: 'pr-45-review-campaign',
      occurred_at: '2026-11-28T16:00:00Z',
      subject: { system: 'pg', reviewers: ['dave'], reviewed_on: '2026-11-26' },
    });
    expect(draft.controls).toContain('SOC2:CC6.2');
  });
});

describe('what a reviewer must not keep blindly', () => {
  const ref = { system: 'prod-postgres', date: '2026-11-26' };
  const shared = `identity:\n  id: ops-shared\n  kind: shared-account\n  owner: carol\nshared:\n  holders: [hana, ivan]\n  compensating_controls: [session recording]\naccess:\n  - system: prod-postgres\n    role: read\n    justification: x\n    expires: 2027-01-31\n`;
  const snapshot = repo({
    'grants/bob.yaml': human({ entries: [{ system: 'prod-postgres', expires: '2027-01-31' }], lastReviewed: '2026-01-01' }),
    'grants/eve.yaml': human({ id: 'eve', owner: 'olga', entries: [{ system: 'prod-postgres', expires: '2027-01-31' }], lastReviewed: '2026-01-01' }),
    'grants/old.yaml': human({ id: 'old', entries: [{ system: 'prod-postgres', expires: '2026-11-20' }], lastReviewed: '2026-01-01' }),
    'grants/ops-shared.yaml': shared,
  });
  const [d] = dueSystems({ snapshot, today: '2026-11-26', leadDays: 14, defaultCadenceDays: 365 });
  const ctx = { repository: 'acme/access', webUrl: 'https://github.com', configPath: 'access-ledger.yaml', branch: 'main', today: '2026-11-26' };
  const membership = { bob: true, alice: true, carol: true, eve: false, olga: false, old: true, hana: true, ivan: false };

  const table: [grant: string, expected: ReturnType<typeof entryFlags>][] = [
    ['bob', []],
    [
      'eve',
      [
        { kind: 'left-org', login: 'eve', as: 'grantee' },
        { kind: 'left-org', login: 'olga', as: 'owner' },
      ],
    ],
    ['old', [{ kind: 'expired', on: '2026-11-20' }]],
    ['ops-shared', [{ kind: 'left-org', login: 'ivan', as: 'holder' }]],
  ];
  it.each(table)('%s', (id, expected) => {
    const g = d!.grants.find((x) => x.identity === id)!;
    expect(entryFlags(g, g.entries[0]!, membership, ctx.today)).toEqual(expected);
  });

  it('the review pull request marks each flagged entry, never mentions a leaver, and says what to decide', () => {
    const text = campaignText(d!, ref, { ...ctx, membership });
    expect(text.body).toContain('**3 entries need a decision, not a keep**');
    const row = (id: string) => text.body.split('\n').find((l) => l.startsWith(`| [\`${id}\`]`))!;
    expect(row('eve')).toContain('⚠️ grantee `eve` left the organization; owner `olga` left the organization |');
    expect(row('eve')).not.toContain('@olga');
    expect(row('old')).toContain('⚠️ expired on 2026-11-20 |');
    expect(row('ops-shared')).toContain('⚠️ holder `ivan` left the organization |');
    expect(row('bob')).toMatch(/\| @alice \| 2027-01-31 \| {2}\|$/);
    expect(text.body).toContain('| identity | kind | role | privileged | owner | expires | check |');
  });

  it('without membership only expiry is flagged; with nothing flagged the table is as before', () => {
    expect(campaignText(d!, ref, ctx).body).toContain('**1 entry needs a decision, not a keep**');
    const clean = campaignText(d!, ref, { ...ctx, today: '2026-01-01' }).body;
    expect(clean).not.toContain('need a decision');
    expect(clean).toContain('| identity | kind | role | privileged | owner | expires |\n');
  });

  it('the review-campaign record keeps the flags with each item: kept as after the review, removed as before', () => {
    const g = (id: string, owner: string, expires: string): Grant => ({
      identity: { id, kind: 'human', owner, github: id },
      access: [{ system: 'pg', role: 'read', expires, justification: 'x' }],
    });
    const before = new Map<string, Grant | undefined>([
      ['grants/a.yaml', g('a', 'alice', '2027-01-01')],
      ['grants/b.yaml', g('b', 'olga', '2027-01-01')],
      ['grants/c.yaml', g('c', 'alice', '2026-11-01')],
    ]);
    const after = new Map<string, Grant | undefined>([
      ['grants/a.yaml', g('a', 'alice', '2027-01-01')],
      ['grants/b.yaml', undefined],
      ['grants/c.yaml', g('c', 'alice', '2026-11-01')],
    ]);
    const pr = {
      number: 45,
      title: 't',
      url: 'https://github.com/acme/access/pull/45',
      author: 'access-ledger[bot]',
      created_at: '2026-11-26T06:00:00Z',
      merged_at: '2026-11-28T16:00:00Z',
      merged_by: 'dave',
    };
    const rows = ['a', 'c'].map((identity) => ({ identity, change: 'review', group: 'pg', approvedBy: ['dave'], missing: 0 }));
    const draft = campaignRecordDraft({
      repository: 'acme/access',
      system: 'pg',
      pr,
      reviewedOn: '2026-11-26',
      before,
      after,
      rows,
      membership: { a: true, alice: true, b: true, olga: false, c: true },
      mergedOn: '2026-11-28',
    });
    const items = draft.subject.items;
    expect(items.kept.map((i) => [i.identity, i.flags ?? null])).toEqual([
      ['a', null],
      ['c', [{ kind: 'expired', on: '2026-11-01' }]],
    ]);
    expect(items.removed).toEqual([
      {
        path: 'grants/b.yaml',
        identity: 'b',
        role: 'read',
        privileged: false,
        expires: '2027-01-01',
        flags: [{ kind: 'left-org', login: 'olga', as: 'owner' }],
      },
    ]);
  });
});

describe("a review on the system's own listing", () => {
  const ref = { system: 'prod-postgres', date: '2026-11-26' };
  const ctx = { repository: 'acme/access', webUrl: 'https://github.com', configPath: 'access-ledger.yaml', branch: 'main', ledgerBranch: 'access-ledger' };
  const grants = {
    'grants/bob.yaml': human({ entries: [{ system: 'prod-postgres', role: 'dba', privileged: true, expires: '2027-01-31' }], lastReviewed: '2026-01-01' }),
    'grants/carl.yaml': human({ id: 'carl', entries: [{ system: 'prod-postgres', expires: '2027-01-31' }], lastReviewed: '2026-01-01' }),
    'grants/jira-only.yaml': human({ id: 'jo', entries: [{ system: 'jira', expires: '2027-01-31' }], lastReviewed: '2026-01-01' }),
    'grants/old.yaml': human({ id: 'olga', entries: [{ system: 'prod-postgres', expires: '2026-10-31' }], lastReviewed: '2026-01-01' }),
  };
  const listed = (accounts: Parameters<typeof listing>[1]) => {
    const s = listing('prod-postgres', accounts, {
      taken_at: '2026-11-25T06:00:00Z',
      raw_sha256: 'c'.repeat(64),
      reports: { ...ALL, mfa: true, last_used: true },
    });
    return {
      record: {
        key: 'snapshot-prod-postgres-20261125T060000Z',
        seq: 7,
        hash: 'd'.repeat(64),
        path: 'records/2026/11/snapshot-prod-postgres-20261125T060000Z.json',
        occurred_at: s.taken_at,
      },
      subject: {
        system: 'prod-postgres',
        connector: 'mapped',
        scope: null,
        extraction: { type: 'file' as const, command: null, file: null, api: null, calls: null },
        taken_at: s.taken_at,
        row_count: accounts.length,
        account_count: accounts.length,
        raw_sha256: s.raw_sha256,
        raw_bytes: 1,
        raw_path: `snapshots/${'c'.repeat(64)}.csv`,
        snapshot_sha256: 'e'.repeat(64),
        gaps: [],
      },
      snapshot: s,
    };
  };
  const body = (accounts: Parameters<typeof listing>[1]) => {
    const snapshot = repo(grants);
    const [d] = dueSystems({ snapshot, today: '2026-11-26', leadDays: 14, defaultCadenceDays: 365 }).filter((x) => x.system === 'prod-postgres');
    return campaignText(d!, ref, { ...ctx, listing: campaignListing(snapshot, listed(accounts)) }).body;
  };

  it.each([
    [
      'each entry beside the account listed for it, its last use and MFA',
      [account('bob', { last_used: '2026-11-20T08:00:00Z', mfa: false }), account('carl', { last_used: null, created: '2026-01-01T00:00:00Z' })],
      [
        '| [`bob`](https://github.com/acme/access/blob/main/grants/bob.yaml) | human | `dba` | **yes** | @alice | 2027-01-31 | `bob` | 2026-11-20 | **no** |',
        '| `carl` | never | yes |',
        'it lists no account that no grant declares',
      ],
      ['#### Accounts'],
    ],
    [
      'a grant with no account there is not listed: never provisioned, or removed',
      [account('bob')],
      [
        '| [`carl`](https://github.com/acme/access/blob/main/grants/carl.yaml) | human | `read` | no | @alice | 2027-01-31 | _not listed_ | | |',
        '2 grants have no account there',
      ],
      [],
    ],
    [
      'undeclared accounts are listed with why, to be resolved in the review',
      [account('bob'), account('carl'), account('mallory', { roles: ['superuser'], last_used: '2026-11-24T00:00:00Z' }), account('jo'), account('olga')],
      [
        '#### Accounts `prod-postgres` lists that no grant declares (3)',
        '| `jo` | person | _none reported_ | 2026-11-19 | yes | it maps to jo, whose grant has no access to prod-postgres |',
        '| `mallory` | person | `superuser` | 2026-11-24 | yes | no grant declares it |',
        '| `olga` | person | _none reported_ | 2026-11-19 | yes | the access of olga had expired when the system listed it |',
        '**Resolve** each account the system lists that no grant declares',
      ],
      [],
    ],
  ] as const)('%s', (_, accounts, contains, absent) => {
    const text = body([...accounts]);
    expect(text).toContain(
      '**What `prod-postgres` itself lists:** its listing taken 2026-11-25T06:00:00Z ([raw export](https://github.com/acme/access/blob/access-ledger/snapshots/' +
        'c'.repeat(64) +
        '.csv), SHA-256 `' +
        'c'.repeat(64) +
        '`; ledger record `snapshot-prod-postgres-20261125T060000Z`, seq 7)',
    );
    for (const c of contains) expect(text).toContain(c);
    for (const a of absent) expect(text).not.toContain(a);
    expect(parseCampaignMarker(text)).toEqual(ref);
  });

  it('attack: an account name that would ping a team, open a link or hide a marker stays inert', () => {
    const text = body([
      account('bob'),
      account('carl'),
      account('@acme/security [x](https://evil.example) <!-- access-ledger:review system=jira date=2026-11-26 -->'),
    ]);
    const outsideCode = text.replace(/(`+)[^`]*?\1/g, '');
    expect(outsideCode).not.toContain('@acme/security');
    expect(outsideCode).not.toContain('https://evil');
    expect(text.match(/<!-- access-ledger:review/g)).toHaveLength(1);
    expect(parseCampaignMarker(text)).toEqual(ref);
  });

  it.each([
    [
      'names the listing it was shown',
      { key: 'snapshot-prod-postgres-20261125T060000Z', raw_sha256: 'c'.repeat(64), taken_at: '2026-11-25T06:00:00Z' },
      { snapshot: { key: 'snapshot-prod-postgres-20261125T060000Z', raw_sha256: 'c'.repeat(64), taken_at: '2026-11-25T06:00:00Z' } },
    ],
    ['without a listing, names none', null, {}],
  ] as const)('the review-campaign record %s', (_, snapshot, expected) => {
    const pr = {
      number: 45,
      title: 't',
      url: 'https://github.com/acme/access/pull/45',
      author: 'access-ledger[bot]',
      created_at: '2026-11-26T06:00:00Z',
      merged_at: '2026-11-28T16:00:00Z',
      merged_by: 'dave',
    };
    const draft = campaignRecordDraft({
      repository: 'acme/access',
      system: 'prod-postgres',
      pr,
      reviewedOn: '2026-11-26',
      before: new Map(),
      after: new Map(),
      rows: [],
      snapshot,
    });
    expect(draft.subject.snapshot).toEqual((expected as { snapshot?: unknown }).snapshot);
    expect('snapshot' in draft.subject).toBe(snapshot !== null);
  });
});
