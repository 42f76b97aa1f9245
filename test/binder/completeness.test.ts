/**
 * The completeness population over a real clone: an access repo with history and a ledger holding
 * the systems' own listings (access-snapshot records with their raw exports). Each listing is
 * declared against listed, each difference is a row resolved by a later grant change, a later
 * listing, or left open; a system never listed is a gap; the evidence map carries the listings'
 * hashes. Named attacks: an export changed on the ledger after it was recorded, and an account
 * name written as a spreadsheet formula.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { snapshotRecordDraft } from '../../src/core/observe/record.ts';
import { buildSnapshot, runConnector, serializeSnapshot, sha256Hex } from '../../src/core/observe/snapshot.ts';
import type { ObserveConfig } from '../../src/core/observe/mapped.ts';
import type { RecordDraft } from '../../src/core/ledger/index.ts';
import { commit, gitIn, grantChange, REPOSITORY, write, writeLedger, type FixtureCommit } from './fixture.ts';
import { readJson, run } from './support.ts';
import { testSigner, withLedgerTrust } from '../support/ledger-keys.ts';

const CONFIG = withLedgerTrust('version: 1\norganization: acme\nextends: soc2-baseline\nadmins: ["@acme/security"]\nledger: { branch: access-ledger }\n', [
  testSigner(),
]);
const OBSERVE = `observe:
  format: csv
  columns: { account: user, role: role, last_used: last_used }
  role_separator: ';'
`;
const system = (id: string, observe = '') => `id: ${id}
name: ${id}
category: database
environment: production
owner: carol
approvers: [carol, dave]
review_cadence_days: 90
evidence:
  provisioning: Terraform apply logs
  activity: pgaudit in the SIEM
roles:
  reader: { description: Reads }
  admin: { description: Administers }
${observe}`;
const grant = (id: string, role = 'reader', expires = '2026-12-31', accounts = '') => `identity:
  id: ${id}
  kind: human
  owner: carol
  github: ${id}
access:
  - system: db
    role: ${role}
    justification: Reads the orders for the monthly report
    expires: ${expires}
${accounts}`;

const csv = (rows: string[]) => `user,role,last_used\n${rows.join('\n')}\n`;

let root: string;
let dir: string;
let out: string;
let rows: Array<Record<string, unknown>>;
const c: Record<string, FixtureCommit> = {};
const listings: Record<string, { key: string; raw_sha256: string }> = {};

function listing(text: string, takenAt: string): { draft: RecordDraft; files: Record<string, string> } {
  const raw = Buffer.from(text);
  const config = (parse(system('db', OBSERVE)) as { observe: ObserveConfig }).observe;
  const snapshot = buildSnapshot({
    system: 'db',
    connector: 'mapped',
    takenAt,
    source: { type: 'file', file: 'db.csv', command: null, api: null, calls: null },
    raw,
    rawFormat: 'csv',
    result: runConnector('mapped', raw, 'db.csv', config, takenAt),
  });
  const draft = snapshotRecordDraft(snapshot, REPOSITORY, sha256Hex(serializeSnapshot(snapshot)));
  listings[takenAt] = { key: draft.key, raw_sha256: snapshot.raw_sha256 };
  return { draft, files: { [draft.subject.raw_path]: text } };
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'completeness-'));
  dir = join(root, 'access');
  mkdirSync(dir);
  gitIn(dir, ['init', '-q', '-b', 'main']);
  gitIn(dir, ['config', 'commit.gpgsign', 'false']);
  gitIn(dir, ['remote', 'add', 'origin', `https://github.com/${REPOSITORY}.git`]);
  write(dir, 'access-ledger.yaml', CONFIG);
  write(dir, 'systems/db.yaml', system('db', OBSERVE));
  write(dir, 'systems/wiki.yaml', system('wiki').replace('category: database', 'category: collaboration'));
  write(dir, 'grants/alice.yaml', grant('alice'));
  write(dir, 'grants/carl.yaml', grant('carl'));
  write(dir, 'grants/exporter.yaml', grant('exporter', 'reader', '2026-12-31', '    accounts: [svc_exporter]\n'));
  c.init = commit(dir, 'init', '2026-01-05T10:00:00Z', 'Initial access repo');
  write(dir, 'grants/mallory.yaml', grant('mallory'));
  c.addMallory = commit(dir, 'addMallory', '2026-02-10T12:00:00Z', 'Declare mallory (#11)');
  rmSync(join(dir, 'grants/carl.yaml'));
  c.removeCarl = commit(dir, 'removeCarl', '2026-02-12T12:00:00Z', 'Revoke carl, never provisioned (#12)');

  // What db listed: mallory and ghost are no grant's; ghost is idle; alice holds admin beyond her grant; carl is not there.
  const l1 = listing(
    csv([
      'alice,reader;admin,2026-01-30',
      'svc_exporter,reader,2026-01-31',
      'mallory,reader,2026-01-29',
      'ghost,reader,2025-01-01',
      '"=HYPERLINK(""https://evil"")",reader,2026-01-30',
    ]),
    '2026-02-01T06:00:00Z',
  );
  // A month later: mallory declared, ghost and the formula gone; alice still admin.
  const l2 = listing(csv(['alice,reader;admin,2026-02-27', 'svc_exporter,reader,2026-02-28', 'mallory,reader,2026-02-25']), '2026-03-01T06:00:00Z');
  const change = (pr: number, at: FixtureCommit, path: string, identity: string, action: 'added' | 'removed') =>
    grantChange(
      pr,
      at,
      at.at,
      'carol',
      [
        {
          path,
          identity,
          kind: 'human',
          action,
          before_blob: action === 'added' ? null : 'e'.repeat(40),
          after_blob: action === 'added' ? 'd'.repeat(40) : null,
          entries: [{ system: 'db', role: 'reader', privileged: false, action, expires: '2026-12-31' }],
        },
      ],
      [],
      [{ system: 'db', required: 1, approved_by: ['dave'], missing: 0 }],
    );
  const init = grantChange(
    10,
    c.init!,
    c.init!.at,
    'carol',
    ['alice', 'carl', 'exporter'].map((id) => ({
      path: `grants/${id}.yaml`,
      identity: id,
      kind: 'human' as const,
      action: 'added' as const,
      before_blob: null,
      after_blob: 'd'.repeat(40),
      entries: [{ system: 'db', role: 'reader', privileged: false, action: 'added' as const, expires: '2026-12-31' }],
    })),
    [],
    [{ system: 'db', required: 1, approved_by: ['dave'], missing: 0 }],
  );
  writeLedger(
    root,
    dir,
    [
      [init],
      [l1.draft],
      [change(11, c.addMallory!, 'grants/mallory.yaml', 'mallory', 'added')],
      [change(12, c.removeCarl!, 'grants/carl.yaml', 'carl', 'removed')],
      [l2.draft],
    ],
    { 1: l1.files, 4: l2.files },
  );

  out = join(root, 'binder');
  const r = await run(['export', '--repo', dir, '--from', '2026-01-01', '--to', '2026-06-30', '--out', out]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  rows = (readJson(out, join('populations', 'completeness.json')) as { rows: Array<Record<string, unknown>> }).rows;
}, 120_000);

afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

const brief = (r: Record<string, unknown>) =>
  `${r.system} ${r.type} ${r.account ?? r.identity ?? '-'} → ${r.resolution ?? '-'}${r.resolved_by ? ` by ${r.resolved_by}` : ''}`;

describe('the completeness population', () => {
  it('each listing declared against listed, each difference with how it was resolved, and the system never listed as a gap', () => {
    const l1 = listings['2026-02-01T06:00:00Z']!;
    const l2 = listings['2026-03-01T06:00:00Z']!;
    expect(rows.map(brief)).toEqual([
      'db listing - → -',
      'db excess-privilege alice → open',
      'db unprovisioned carl → grant-change by pr-12-merged',
      `db dormant ghost → later-listing-without-account by ${l2.key}`,
      'db undeclared \'=HYPERLINK("https://evil") → later-listing-without-account by ' + l2.key,
      `db undeclared ghost → later-listing-without-account by ${l2.key}`,
      'db undeclared mallory → grant-change by pr-11-merged',
      'db listing - → -',
      'db excess-privilege alice → open',
      'wiki no-listing - → -',
    ]);
    expect(rows[0]).toMatchObject({ snapshot: l1.key, raw_sha256: l1.raw_sha256, declared: 3, observed: 5, matched: 2, differences: 6, gaps: null });
    expect(rows[7]).toMatchObject({ snapshot: l2.key, declared: 3, observed: 3, matched: 3, differences: 1 });
    expect(rows.find((r) => r.account === 'mallory')).toMatchObject({ resolved_pr: 11, resolved_at: c.addMallory!.at, path: 'systems/db.yaml', gaps: null });
    expect(rows.find((r) => r.type === 'excess-privilege')).toMatchObject({
      identity: 'alice',
      path: 'grants/alice.yaml',
      gaps: 'excess-privilege difference not resolved by the end of the ledger',
    });
    expect(String(rows.find((r) => r.type === 'excess-privilege')!.detail)).toContain('the role `admin`');
    expect(rows.at(-1)).toMatchObject({
      system: 'wiki',
      gaps: 'no listing of wiki in the period: the completeness of its population was not tested (its system file has no observe block)',
    });
    // The grants were read as of each listing.
    expect(rows[0]!.access_commit).toBe(c.init!.sha);
    expect(rows[7]!.access_commit).toBe(c.removeCarl!.sha);
  });

  it('every gap of a completeness row is a row of the gaps population, by kind, pointing back at its row', () => {
    const gaps = (readJson(out, join('populations', 'gaps.json')) as { rows: Array<Record<string, unknown>> }).rows.filter(
      (g) => g.population === 'completeness',
    );
    const expected = rows.flatMap((r, i) => (typeof r.gaps === 'string' ? r.gaps.split('; ').map((text) => ({ row: i + 1, gap: text })) : []));
    expect(gaps.map((g) => ({ row: g.row, gap: g.gap }))).toEqual(expected);
    expect(gaps.map((g) => g.kind)).toEqual(['difference-open', 'difference-open', 'no-listing']);
    expect(gaps.at(-1)).toMatchObject({ system: 'wiki', kind: 'no-listing', row: rows.length });
    const meta = readJson(out, join('populations', 'completeness.json')) as { rows_with_gaps: number; gaps_by_kind: Record<string, number> };
    expect(meta.rows_with_gaps).toBe(3);
    expect(meta.gaps_by_kind).toEqual({ 'difference-open': 2, 'no-listing': 1 });
  });

  it("the evidence map carries each listing's record and export hash, and marks a system never listed", () => {
    const map = readJson(out, 'evidence-map.json') as {
      systems: Array<{ id: string; gaps: string[]; listings: Array<{ key: string; raw_sha256: string; seq: number }> }>;
    };
    const db = map.systems.find((s) => s.id === 'db')!;
    expect(db.listings.map((l) => l.key)).toEqual([listings['2026-02-01T06:00:00Z']!.key, listings['2026-03-01T06:00:00Z']!.key]);
    expect(db.listings[0]!.raw_sha256).toBe(listings['2026-02-01T06:00:00Z']!.raw_sha256);
    expect(db.gaps).not.toContain('no listing of its accounts in the period: the completeness of its population was not tested');
    expect(map.systems.find((s) => s.id === 'wiki')!.gaps).toContain(
      'no listing of its accounts in the period: the completeness of its population was not tested',
    );
    expect(readFileSync(join(out, 'index.html'), 'utf8')).toContain(listings['2026-03-01T06:00:00Z']!.raw_sha256);
  });

  it("a sampled difference's chain cites the listing and the record that resolved it", () => {
    const chains = (
      readJson(out, 'chains.json') as { chains: Array<{ population: string; row: number; ledger: Array<{ role: string; key: string }> }> }
    ).chains.filter((x) => x.population === 'completeness');
    expect(chains.length).toBe(rows.length);
    const mallory = chains.find((x) => rows[x.row]!.account === 'mallory')!;
    expect(mallory.ledger.map((l) => `${l.role}: ${l.key}`)).toEqual([
      'approval (grant-change): pr-11-merged',
      `listing (access-snapshot): ${listings['2026-02-01T06:00:00Z']!.key}`,
    ]);
  });

  it("a sampled row's chain shows exactly its row's gaps, each once", () => {
    const chains = (readJson(out, 'chains.json') as { chains: Array<{ population: string; item: { system: string | null }; gaps: string[] }> }).chains.filter(
      (x) => x.population === 'completeness',
    );
    const wiki = chains.find((x) => x.item.system === 'wiki')!;
    expect(wiki.gaps).toEqual(['no listing of wiki in the period: the completeness of its population was not tested (its system file has no observe block)']);
    const open = chains.filter((x) => x.gaps.some((g) => g.startsWith('excess-privilege')));
    expect(open.map((x) => x.gaps)).toEqual([
      ['excess-privilege difference not resolved by the end of the ledger'],
      ['excess-privilege difference not resolved by the end of the ledger'],
    ]);
  });

  it('attack: a name written as a formula is a cell that opens nothing in a spreadsheet, and the JSON keeps it as data', () => {
    const text = readFileSync(join(out, 'populations', 'completeness.csv'), 'utf8');
    expect(text).not.toMatch(/(^|,)"?=HYPERLINK/m);
    expect(rows.some((r) => String(r.account).startsWith("'=HYPERLINK"))).toBe(true);
  });

  it('the population ties back: the printed command counts the listings in the period', () => {
    const pop = readJson(out, join('populations', 'completeness.json')) as { row_count: number; reproduce: { git: string } };
    expect(pop.row_count).toBe(rows.length);
    expect(pop.reproduce.git).toContain('"access-snapshot"');
  });
});

describe('attack: an export changed on the ledger branch after it was recorded', () => {
  it('is not read back: its listing is a row naming the gap, with no difference drawn from it, and the verification fails', async () => {
    const src = join(root, 'ledger-src');
    const l1 = listings['2026-02-01T06:00:00Z']!;
    write(src, `snapshots/${l1.raw_sha256}.csv`, csv(['alice,reader,2026-01-30', 'svc_exporter,reader,2026-01-31']));
    gitIn(src, ['commit', '-qam', 'Tidy the export'], '2026-03-02T00:00:00Z', undefined, { name: 'mallory', email: 'mallory@evil.example' });
    gitIn(dir, ['fetch', '-q', '-f', src, 'access-ledger:access-ledger']);
    const tampered = join(root, 'binder-tampered');
    const r = await run(['export', '--repo', dir, '--from', '2026-01-01', '--to', '2026-06-30', '--out', tampered]);
    expect(r.code).toBe(1);
    const got = (readJson(tampered, join('populations', 'completeness.json')) as { rows: Array<Record<string, unknown>> }).rows;
    const listing = got.find((x) => x.snapshot === l1.key && x.type === 'listing')!;
    expect(listing).toMatchObject({ differences: 0, declared: null, matched: null });
    expect(String(listing.gaps)).toMatch(
      /^the listing cannot be read back: the stored export snapshots\/[0-9a-f]{64}\.csv of snapshot-db-20260201T060000Z has SHA-256 [0-9a-f]{64}, not the [0-9a-f]{64} the record names/,
    );
    expect(got.filter((x) => x.snapshot === l1.key && x.type !== 'listing')).toEqual([]);
  });
});
