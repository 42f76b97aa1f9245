import { describe, expect, it } from 'vitest';
import { evaluateStale, type Problem } from '../../src/core/stale/index.ts';
import { PACKS, apiKey, human, repo } from './fixtures.ts';

function kinds(problems: Problem[]): string[] {
  return problems.map((p) => `${p.kind}:${p.id}`);
}

function sweep(grants: Record<string, string>, today: string, membership?: Record<string, boolean>) {
  return evaluateStale(repo(grants), { packs: PACKS, today, ...(membership ? { membership } : {}) }).problems;
}

describe('expiry boundaries (dates are UTC days; the expiry day is the last valid day)', () => {
  const cases: [string, string, string[]][] = [
    // expires, today, problems
    ['2026-11-26', '2026-11-26', ['expiring-soon:bob']],
    ['2026-11-25', '2026-11-26', ['expired:bob']],
    ['2026-12-10', '2026-11-26', ['expiring-soon:bob']], // 14 days left: inside the window
    ['2026-12-11', '2026-11-26', []], // 15 days left
    ['2028-02-29', '2028-02-29', ['expiring-soon:bob']], // leap day is a real day
    ['2028-02-28', '2028-02-29', ['expired:bob']],
    ['2028-02-29', '2028-03-01', ['expired:bob']],
    ['2027-01-01', '2026-12-31', ['expiring-soon:bob']], // across the year end
    ['2026-12-31', '2027-01-01', ['expired:bob']],
  ];
  it.each(cases)('expires %s on %s → %j', (expires, today, expected) => {
    const problems = sweep({ 'grants/bob.yaml': human({ entries: [{ system: 'prod-postgres', expires }], lastReviewed: today }) }, today);
    expect(kinds(problems)).toEqual(expected);
  });

  it('lists only the entries that expired, with their last valid day', () => {
    const problems = sweep(
      {
        'grants/bob.yaml': human({
          entries: [
            { system: 'prod-postgres', role: 'dba', expires: '2026-11-01', privileged: true },
            { system: 'jira', expires: '2027-06-01' },
          ],
          lastReviewed: '2026-11-20',
        }),
      },
      '2026-11-26',
    );
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ kind: 'expired', entries: [{ system: 'prod-postgres', role: 'dba', privileged: true, expires: '2026-11-01' }] });
  });
});

describe('review and rotation boundaries', () => {
  const review: [string, string, boolean][] = [
    // last_reviewed (prod-postgres: 90 days), today, overdue
    ['2026-08-28', '2026-11-26', false], // due 2026-11-26: on time through the due day
    ['2026-08-27', '2026-11-26', true],
    ['2027-12-01', '2028-02-29', false], // 90 days later is the leap day itself
    ['2027-12-01', '2028-03-01', true],
    ['2025-12-01', '2026-03-01', false], // no leap day in 2026: the same 90 days end on 03-01
    ['2025-12-01', '2026-03-02', true],
  ];
  it.each(review)('last reviewed %s, today %s → overdue %s', (last, today, overdue) => {
    const problems = sweep({ 'grants/bob.yaml': human({ entries: [{ system: 'prod-postgres', expires: '2029-01-01' }], lastReviewed: last }) }, today);
    expect(kinds(problems).includes('review-overdue:bob')).toBe(overdue);
  });

  it('takes the strictest cadence of the systems a grant reaches', () => {
    const [p] = sweep(
      {
        'grants/bob.yaml': human({
          entries: [
            { system: 'jira', expires: '2029-01-01' },
            { system: 'prod-postgres', expires: '2029-01-01' },
          ],
          lastReviewed: '2026-01-01',
        }),
      },
      '2026-11-26',
    );
    expect(p).toMatchObject({ kind: 'review-overdue', system: 'prod-postgres', cadenceDays: 90, due: '2026-04-01', lastReviewed: '2026-01-01' });
  });

  const rotation: [string | undefined, string, boolean][] = [
    ['2026-09-27', '2026-11-26', false], // 60 days: due on 2026-11-26
    ['2026-09-26', '2026-11-26', true],
    [undefined, '2026-11-26', true], // nothing on record
  ];
  it.each(rotation)('last rotated %s, today %s → overdue %s', (lastRotated, today, overdue) => {
    const problems = sweep({ 'grants/key.yaml': apiKey(lastRotated ? { lastRotated } : {}) }, today);
    expect(kinds(problems).includes('rotation-overdue:report-key')).toBe(overdue);
  });
});

describe('exceptions, unknown systems and leavers', () => {
  it('an expired exception is its own problem, and a waived rule opens nothing while the exception is in force', () => {
    const exception = (expires: string) =>
      `exception:\n  reason: vendor key cannot rotate automatically\n  compensating_controls: [ip-allowlist]\n  expires: ${expires}\n  approved_by: [dave]\n  rules: [rotation-overdue]\n`;
    const grant = (expires: string) => apiKey({ lastRotated: '2026-01-01' }).replace('review:', exception(expires) + 'review:');
    expect(kinds(sweep({ 'grants/key.yaml': grant('2026-12-31') }, '2026-11-26'))).toEqual([]);
    expect(kinds(sweep({ 'grants/key.yaml': grant('2026-11-25') }, '2026-11-26'))).toEqual(['exception-expired:report-key', 'rotation-overdue:report-key']);
  });

  it('access to a system without a file is flagged', () => {
    const problems = sweep({ 'grants/bob.yaml': human({ entries: [{ system: 'old-crm', expires: '2027-06-01' }] }) }, '2026-11-26');
    expect(problems[0]).toMatchObject({ kind: 'unknown-system', entries: [{ system: 'old-crm' }] });
  });

  it('groups every grant naming a departed login into one problem, and ignores unknown membership', () => {
    const grants = {
      'grants/bob.yaml': human({ id: 'bob', owner: 'alice' }),
      'grants/carl.yaml': human({ id: 'carl', owner: 'Bob' }),
      'grants/key.yaml': apiKey({ owner: 'bob', lastRotated: '2026-11-01' }),
      'grants/erin.yaml': human({ id: 'erin', owner: 'zed' }),
    };
    const problems = sweep(grants, '2026-11-26', { bob: false, alice: true, carl: true, erin: true });
    expect(kinds(problems)).toEqual(['left-org:bob']);
    const p = problems[0]!;
    if (p.kind !== 'left-org') throw new Error('expected a leaver');
    expect(p.grants.map((g) => [g.identity, g.roles.join('+'), g.owner])).toEqual([
      ['bob', 'grantee', 'alice'],
      ['carl', 'owner', null],
      ['report-key', 'owner', null],
    ]);
  });
});
