/**
 * Drift as issue text, from real `drift` findings: one problem per system and rule, rows that
 * keep the rule's words without what changes from one listing to the next, and a hash that only
 * what the issue lists moves.
 */
import { describe, expect, it } from 'vitest';
import { drift, driftRepo } from '../../src/core/observe/drift.ts';
import type { RecordedSnapshot } from '../../src/core/observe/record.ts';
import type { ObservedSnapshot } from '../../src/core/observe/types.ts';
import { driftProblems, renderIssue, steadyMessage, type DriftProblem } from '../../src/core/stale/index.ts';
import { loadBuiltinPacks } from '../../src/adapters/fs/packs.ts';
import { CONFIG, SYSTEMS } from '../support/access-repo-fixtures.ts';
import { account, listing } from '../support/observed.ts';

const CTX = { repository: 'acme/access', branch: 'main', webUrl: 'https://github.com', configPath: 'access-ledger.yaml', ledgerBranch: 'access-ledger' };

const SVC = `identity: { id: exporter, kind: service-account, owner: carol }
credential: { type: static-secret, rotation_days: 90, last_rotated: 2026-10-01, storage: vault:kv/exporter }
access:
  - system: db
    role: reader
    justification: Nightly export of invoices
    expires: 2027-01-31
    accounts: [svc_exporter]
`;

function recorded(s: ObservedSnapshot, seq: number): RecordedSnapshot {
  const key = `snapshot-${s.system}-${s.taken_at.replace(/[-:]/g, '')}`;
  return {
    record: { key, seq, hash: 'a'.repeat(64), path: `records/2026/11/${key}.json`, occurred_at: s.taken_at },
    subject: {
      system: s.system,
      connector: s.connector,
      scope: s.scope,
      extraction: { type: 'file', command: null, file: null, api: null, calls: null },
      taken_at: s.taken_at,
      row_count: s.accounts.length,
      account_count: s.accounts.length,
      raw_sha256: s.raw_sha256,
      raw_bytes: 0,
      raw_path: `snapshots/${s.raw_sha256}.csv`,
      snapshot_sha256: 'b'.repeat(64),
      gaps: [],
    },
    snapshot: s,
  };
}

function problemsFor(s: ObservedSnapshot, seq = 1): DriftProblem[] {
  const repo = driftRepo(
    Object.entries({ 'access-ledger.yaml': CONFIG, ...SYSTEMS, 'grants/exporter.yaml': SVC }).map(([path, content]) => ({ path, content })),
  );
  const { findings } = drift(repo, [s], { packs: loadBuiltinPacks(), today: s.taken_at.slice(0, 10) });
  return driftProblems({ findings, listings: new Map([[s.system, recorded(s, seq)]]), repo, systems: new Set(['db']) });
}

/** A listing of db taken on `day`: an idle account no grant declares, and the exporter's old key. */
function dbOn(day: string, extra: ObservedSnapshot['accounts'] = []): ObservedSnapshot {
  return listing(
    'db',
    [
      account('ghost', { kind: 'service', roles: ['reader'], last_used: '2025-01-01T00:00:00Z', mfa: null }),
      account('svc_exporter', {
        kind: 'service',
        roles: ['reader'],
        mfa: null,
        credentials: [{ name: 'key_1', type: 'access-key', active: true, rotated_at: '2025-06-01T00:00:00Z', last_used: `${day}T00:00:00Z`, expires_at: null }],
      }),
      ...extra,
    ],
    { taken_at: `${day}T10:00:00Z`, raw_sha256: day.replace(/-/g, '').padEnd(64, '0') },
  );
}

describe('drift problems and their issues', () => {
  it('one problem per system and rule, each row naming the account and the grant', () => {
    const problems = problemsFor(dbOn('2026-11-20'));
    expect(problems.map((p) => `${p.kind}:${p.id} ${p.rows.map((r) => `${r.account ?? '-'}@${r.file}`).join(',')}`)).toEqual([
      'observed-dormant:db ghost@systems/db.yaml',
      // Older than its 90 days, and older than the rotation the grant records.
      'observed-rotation-overdue:db svc_exporter@grants/exporter.yaml,svc_exporter@grants/exporter.yaml',
      'observed-undeclared:db ghost@systems/db.yaml',
    ]);
  });

  it('a listing a day later that finds the same differences gives the same issues (ages and the listing day are not in the hash)', () => {
    const a = problemsFor(dbOn('2026-11-20')).map((p) => renderIssue(p, CTX));
    const b = problemsFor(dbOn('2026-11-21'), 2).map((p) => renderIssue(p, CTX));
    expect(b.map((i) => i.hash)).toEqual(a.map((i) => i.hash));
    // The body names the listing that found it, which is not hashed.
    expect(b[0]!.body).toContain('snapshot-db-20261121T100000Z');
    expect(a[0]!.body).toContain('snapshot-db-20261120T100000Z');
  });

  it('another difference moves the hash of its kind only', () => {
    const a = problemsFor(dbOn('2026-11-20')).map((p) => renderIssue(p, CTX));
    const b = problemsFor(dbOn('2026-11-20', [account('eve', { kind: 'service', roles: ['reader'], mfa: null })])).map((p) => renderIssue(p, CTX));
    expect(b.map((i) => [i.key, i.hash === a.find((x) => x.key === i.key)?.hash])).toEqual([
      ['observed-dormant:db', true],
      ['observed-rotation-overdue:db', true],
      ['observed-undeclared:db', false],
    ]);
  });

  it.each([
    ['`db` (listed 2026-11-20) lists the account `x` (person), which no grant declares', '`db` lists the account `x` (person), which no grant declares'],
    [
      '`db` (listed 2026-11-20) reports the account `x` (service) last used 2025-01-01, 688 days before the listing (more than 90): remove it',
      '`db` reports the account `x` (service) last used 2025-01-01 (more than 90): remove it',
    ],
    [
      '`db` reports `key_1` of `x` (service) last rotated 2025-06-01, 1 day before the listing, beyond the 90-day rotation',
      '`db` reports `key_1` of `x` (service) last rotated 2025-06-01, beyond the 90-day rotation',
    ],
    [
      '@bob is not in the organization acme (listed 2026-11-20), but `db` (listed 2026-11-20) still lists',
      '@bob is not in the organization acme, but `db` still lists',
    ],
  ])('steady message: %s', (message, steady) => {
    expect(steadyMessage(message)).toBe(steady);
  });
});
