/**
 * The `movers` population: a person whose identity.team changed, with the access kept (which the
 * gate asks its systems' approvers to approve again), added and removed, and who approved it.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { gap } from '../../src/core/binder/gaps.ts';
import type { Row } from '../../src/core/binder/types.ts';
import { buildCore, fileChange, grantChange, review, type CoreBinder, type HistoryCommit } from './core.ts';

const sha = (n: number): string => n.toString(16).padStart(40, '0');
const system = (id: string, approvers: string) =>
  `id: ${id}\nname: ${id}\ncategory: database\nowner: carol\napprovers: ${approvers}\nreview_cadence_days: 90\nevidence:\n  provisioning: Terraform\n  activity: SIEM\n`;
const entry = (system: string, role: string) =>
  `  - system: ${system}\n    role: ${role}\n    justification: Work for the team she is on\n    expires: 2026-12-31\n`;
const person = (id: string, team: string | null, entries: [string, string][]) =>
  `identity:\n  id: ${id}\n  kind: human\n  owner: olga\n  github: ${id}\n${team ? `  team: ${team}\n` : ''}access:\n${entries.map(([s, r]) => entry(s, r)).join('')}`;

const history: HistoryCommit[] = [
  {
    sha: sha(1),
    at: '2026-01-05T10:00:00Z',
    files: {
      'access-ledger.yaml': 'version: 1\norganization: acme\nadmins: [sam]\n',
      'systems/prod-db.yaml': system('prod-db', '[dave]'),
      'systems/billing.yaml': system('billing', '[erin]'),
      'systems/warehouse.yaml': system('warehouse', '[erin]'),
      'grants/people/carol.yaml': person('carol', 'payments', [
        ['prod-db', 'read'],
        ['billing', 'admin'],
      ]),
      'grants/people/dan.yaml': person('dan', null, [['prod-db', 'read']]),
      'grants/people/eli.yaml': person('eli', 'support', [['prod-db', 'read']]),
    },
  },
  // carol moves from payments to data: keeps prod-db, loses billing, gains warehouse.
  {
    sha: sha(2),
    at: '2026-02-01T12:00:00Z',
    files: {
      'grants/people/carol.yaml': person('carol', 'data', [
        ['prod-db', 'read'],
        ['warehouse', 'read'],
      ]),
    },
  },
  // dan's team is recorded for the first time: not a move.
  { sha: sha(3), at: '2026-02-10T12:00:00Z', files: { 'grants/people/dan.yaml': person('dan', 'support', [['prod-db', 'read']]) } },
  // eli moves, pushed straight to the branch: no ledger record.
  { sha: sha(4), at: '2026-03-01T12:00:00Z', files: { 'grants/people/eli.yaml': person('eli', 'sales', [['prod-db', 'read']]) } },
];

const records = [
  grantChange({
    pr: 12,
    sha: sha(2),
    at: history[1]!.at,
    author: 'olga',
    changes: [
      fileChange('grants/people/carol.yaml', 'modified', [
        ['warehouse', 'read', 'added'],
        ['billing', 'admin', 'removed'],
      ]),
    ],
    reviews: [review('dave', '2026-02-01T10:00:00Z'), review('erin', '2026-02-01T11:00:00Z')],
    approvals: [
      { system: 'prod-db', required: 1, approved_by: ['dave'], missing: 0 },
      { system: 'warehouse', required: 1, approved_by: ['erin'], missing: 0 },
    ],
  }),
  grantChange({ pr: 13, sha: sha(3), at: history[2]!.at, author: 'olga', changes: [fileChange('grants/people/dan.yaml', 'modified', [])] }),
];

let b: CoreBinder;
beforeAll(async () => {
  b = await buildCore({ history, records, from: '2026-01-01', to: '2026-06-30' });
});
const movers = (): Row[] => b.rows.get('movers')!;

describe('movers', () => {
  it('lists each change of team, once, and not a team recorded for the first time', async () => {
    expect(movers().map((r) => `${r.identity}: ${r.old_team} → ${r.new_team}`)).toEqual(['carol: payments → data', 'eli: support → sales']);
  });

  it("shows the access kept, added and removed, and who approved it, from the merge's record", async () => {
    expect(movers()[0]).toMatchObject({
      login: 'carol',
      kept: 'prod-db:read',
      added: 'warehouse:read',
      removed: 'billing:admin',
      approvers: 'dave, erin',
      gate: 'pass',
      pr: 12,
      changed_at: '2026-02-01T12:00:00Z',
      gaps: null,
    });
  });

  it('a move with no ledger record is a gap, counted in the gaps population', async () => {
    const eli = movers()[1]!;
    expect(eli).toMatchObject({ kept: 'prod-db:read', pr: null, approvers: null });
    expect(String(eli.gaps)).toContain(gap('no-ledger-record').text);
    expect(
      b.rows
        .get('gaps')!
        .filter((g) => g.population === 'movers')
        .map((g) => `${g.row} ${g.identity} ${g.kind}`),
    ).toEqual(['2 eli no-ledger-record']);
  });

  it("each row's chain links the merge that moved the person", async () => {
    const chains = b.chains('movers');
    expect(chains[0]!.ledger.map((l) => l.seq)).toEqual([1]);
    expect(chains[1]!.ledger).toEqual([]);
  });
});
