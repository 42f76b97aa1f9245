/**
 * `accounts` on an access entry: backward compatible (a grant without it reads as before). The
 * accounts an entry names are principals of that entry (the system's own account can use the
 * access), so naming a new one widens and needs the system's approvers; dropping one narrows.
 */
import { describe, expect, it } from 'vitest';
import { judgeGrantChange } from '../../src/core/access/compare.ts';
import { buildSnapshot } from '../../src/core/model/snapshot.ts';
import type { Grant } from '../../src/core/model/types.ts';

const grant = (accounts?: string[]): Grant => ({
  identity: { id: 'exporter', kind: 'service-account', owner: 'carol' },
  access: [{ system: 'aws-prod', role: 'reader', justification: 'Nightly invoice export', expires: '2027-01-31', ...(accounts ? { accounts } : {}) }],
});

describe('access[].accounts', () => {
  it('is optional: grants written before it still validate, and it is read when present', () => {
    const files = [
      { path: 'grants/a.yaml', content: 'identity: { id: a, kind: service-account, owner: carol }\naccess:\n  - system: s\n    role: r\n' },
      {
        path: 'grants/b.yaml',
        content:
          'identity: { id: b, kind: service-account, owner: carol }\naccess:\n  - system: s\n    role: r\n    accounts: [b-prod, "arn:aws:iam::1:user/b"]\n',
      },
      { path: 'grants/c.yaml', content: 'identity: { id: c, kind: service-account, owner: carol }\naccess:\n  - system: s\n    role: r\n    accounts: ""\n' },
    ];
    const snap = buildSnapshot(files);
    expect(snap.grants.map((g) => g.problems.map((p) => p.message))).toEqual([[], [], [expect.stringContaining('access[0].accounts must be a list')]]);
    expect(snap.grants[1]!.data!.access[0]!.accounts).toEqual(['b-prod', 'arn:aws:iam::1:user/b']);
  });

  it.each([
    ['adding a claim', undefined, ['svc-exporter'], 'new account svc-exporter'],
    ['changing a claim', ['svc-exporter'], ['root'], 'new account root (was svc-exporter)'],
  ])('%s on an existing entry needs approval', (_, before, after, reason) => {
    const j = judgeGrantChange({ before: grant(before), after: grant(after), systemOf: () => undefined });
    expect(j.widens).toBe(true);
    expect(j.entries[0]).toMatchObject({ kind: 'widens', reasons: [reason] });
    expect(j.wideningFields).toContain('access[0].accounts');
  });

  it('removing a claim narrows: nobody new can use the access', () => {
    const j = judgeGrantChange({ before: grant(['svc-exporter', 'old-exporter']), after: grant(['svc-exporter']), systemOf: () => undefined });
    expect(j.widens).toBe(false);
  });

  it('naming the same account in other capitals is no change', () => {
    const j = judgeGrantChange({ before: grant(['SVC-Exporter']), after: grant(['svc-exporter']), systemOf: () => undefined });
    expect(j.widens).toBe(false);
  });
});
