/**
 * The ledger index keeps the bulk of each grant change outside the heap and reads it back on
 * demand: what comes back is what the record said, for every record, across the store's buffers;
 * lookups by merge commit, key, file and entry answer as before; once released, the details are gone.
 */
import { describe, expect, it } from 'vitest';
import { LedgerIndex } from '../../src/core/binder/ledger-index.ts';
import {
  DEFAULT_CONTROLS,
  emptyHead,
  grantChangeKey,
  planAppend,
  type GrantChangeSubject,
  type RecordDraft,
  type SealedRecord,
} from '../../src/core/ledger/index.ts';

const sha = (n: number, c = 'a'): string => `${c}${n.toString(16).padStart(39, '0')}`;

function subject(i: number): GrantChangeSubject {
  const at = new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString().slice(0, 19) + 'Z';
  return {
    pr: {
      number: i + 1,
      title: `Grant ${i} — ünïcödé`,
      url: `https://github.com/acme/access/pull/${i + 1}`,
      author: `user${i % 7}`,
      created_at: at,
      merged_at: at,
      merged_by: 'carol',
    },
    base_sha: sha(i, 'b'),
    head_sha: sha(i, 'c'),
    merge_sha: sha(i),
    changes: [
      {
        path: `grants/team-${i % 3}/id-${i}.yaml`,
        identity: `id-${i}`,
        kind: 'human',
        action: 'added',
        before_blob: null,
        after_blob: sha(i, 'e'),
        entries: Array.from({ length: 1 + (i % 3) }, (_, k) => ({
          system: `sys-${k}`,
          role: `role-${k}`,
          privileged: k === 0,
          action: 'added' as const,
          expires: '2027-01-01',
        })),
      },
      ...(i % 10 === 0
        ? [
            {
              path: `grants/shared/file-${i}.yaml`,
              identity: `shared-${i}`,
              kind: 'shared-account' as const,
              action: 'modified' as const,
              before_blob: sha(i, 'f'),
              after_blob: sha(i, 'd'),
              entries: [],
            },
          ]
        : []),
    ],
    reviews: [{ reviewer: `approver${i % 5}`, state: 'APPROVED', submitted_at: at, commit_id: sha(i, 'c'), on_head: i % 4 !== 0 }],
    commit_authors: [`user${i % 7}`],
    verdict: {
      result: i % 9 === 0 ? 'fail' : 'pass',
      evaluated_at: at,
      policy_sha: sha(0, '9'),
      findings: i % 9 === 0 ? [{ rule: 'approvals', severity: 'error', message: 'missing', controls: ['SOC2:CC6.2'] }] : [],
      approvals: [{ system: 'sys-0', required: 1, approved_by: [`approver${i % 5}`], missing: 0 }],
    },
  };
}

function records(n: number): SealedRecord[] {
  const drafts: RecordDraft[] = Array.from({ length: n }, (_, i) => ({
    kind: 'grant-change',
    key: grantChangeKey(i + 1),
    occurred_at: subject(i).pr.merged_at!,
    repository: 'acme/access',
    controls: [...DEFAULT_CONTROLS['grant-change']],
    subject: subject(i),
  }));
  return planAppend(emptyHead(), drafts, () => new Date('2026-12-01T00:00:00Z')).records;
}

describe('LedgerIndex', () => {
  // Enough records that their details fill more than one of the store's 4 MiB buffers.
  const all = records(8000);
  const index = new LedgerIndex();
  for (const r of all) index.add(r);
  index.finish();

  it('gives back every grant change as its record has it', () => {
    for (const r of all) {
      const s = r.subject as GrantChangeSubject;
      const gc = index.grantChangeByMergeSha.get(s.merge_sha)!;
      expect(gc).toBe(index.grantChangeByKey.get(r.key));
      expect(gc.ref).toMatchObject({ seq: r.seq, hash: r.hash, key: r.key, kind: 'grant-change', occurred_at: r.occurred_at });
      expect(gc.pr).toEqual(s.pr);
      expect(gc.reviews).toEqual(s.reviews);
      expect(gc.commit_authors).toEqual(s.commit_authors);
      expect(gc.approvals).toEqual(s.verdict.approvals);
      expect(gc.verdict).toBe(s.verdict.result);
      expect(gc.policy_sha).toBe(s.verdict.policy_sha);
      expect(gc.verdict_findings).toEqual(s.verdict.findings.map((f) => ({ rule: f.rule, severity: f.severity, controls: f.controls })));
      expect(gc.paths).toEqual(s.changes.map((c) => c.path));
      expect(gc.entries).toEqual(
        s.changes.flatMap((c) =>
          c.entries.map((e) => ({
            path: c.path,
            identity: c.identity,
            file_action: c.action,
            system: e.system,
            role: e.role,
            privileged: e.privileged,
            action: e.action,
          })),
        ),
      );
    }
  });

  it('finds a file’s records and the record that added an entry', () => {
    const gc = index.approvalRecord('grants/team-2/id-5.yaml', 'sys-2', 'role-2')!;
    expect(gc.pr.number).toBe(6);
    expect(index.approvalRecord('grants/team-2/id-5.yaml', 'sys-1', 'role-1')).toBe(gc);
    expect(index.approvalRecord('grants/team-2/id-5.yaml', 'sys-9', 'role-1')).toBeNull();
    expect(index.approvalRecord('grants/team-2/id-5.yaml', 'sys-0', 'role-0', '2025-12-31T23:59:59Z')).toBeNull();
    expect(index.pathHistory('grants/shared/file-10.yaml').map((g) => g.pr.number)).toEqual([11]);
    expect(index.entryHistory('grants/team-0/id-0.yaml', 'sys-0', 'role-0').map((g) => g.ref.seq)).toEqual([1]);
  });

  it('released, the details are gone and saying so is an error, not a wrong answer', () => {
    const small = new LedgerIndex();
    for (const r of records(3)) small.add(r);
    small.finish();
    const gc = small.grantChangeByKey.get(grantChangeKey(2))!;
    small.release();
    expect(gc.ref.seq).toBe(2);
    expect(() => gc.pr).toThrow(/released/);
  });
});
