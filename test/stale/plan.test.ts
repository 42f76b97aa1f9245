import { describe, expect, it } from 'vitest';
import { planIssues, writesOf, type DesiredIssue, type IssueAction, type ManagedIssue } from '../../src/core/stale/index.ts';

function desired(kind: DesiredIssue['kind'], id: string, hash = 'a'.repeat(16)): DesiredIssue {
  return {
    key: `${kind}:${id}`,
    kind,
    id,
    title: `${kind} ${id}`,
    body: '',
    hash,
    labels: [],
    assignees: [],
    summary: `${kind} of ${id}`,
    urgent: kind === 'left-org',
    priority: 0,
    path: null,
  };
}

function issue(number: number, kind: ManagedIssue['kind'], id: string, o: Partial<ManagedIssue> = {}): ManagedIssue {
  return { number, state: 'open', kind, id, hash: 'a'.repeat(16), updatedAt: '2026-11-25T10:00:00Z', title: 't', stateReason: null, ...o };
}

const base = { today: '2026-11-26', reminderDays: 7, grantIds: new Set(['bob', 'eve']), branch: 'main' };
const brief = (a: IssueAction) => `${a.type}:${'desired' in a ? a.desired.key : `${a.issue.kind}:${a.issue.id}`}${'issue' in a ? '#' + a.issue.number : ''}`;

describe('issue lifecycle planning', () => {
  const cases: [string, DesiredIssue[], ManagedIssue[], string[]][] = [
    ['creates an issue for a new problem', [desired('expired', 'bob')], [], ['create:expired:bob']],
    ['does nothing when the issue is current', [desired('expired', 'bob')], [issue(7, 'expired', 'bob')], ['no-op:expired:bob#7']],
    ['updates when the content changed', [desired('expired', 'bob', 'b'.repeat(16))], [issue(7, 'expired', 'bob')], ['update:expired:bob#7']],
    ['closes when the problem is gone', [], [issue(7, 'expired', 'bob')], ['close:expired:bob#7']],
    [
      'reopens a closed issue when the problem comes back',
      [desired('expired', 'bob')],
      [issue(7, 'expired', 'bob', { state: 'closed', stateReason: 'completed' })],
      ['reopen:expired:bob#7'],
    ],
    ['leaves closed issues alone while the problem stays gone', [], [issue(7, 'expired', 'bob', { state: 'closed' })], []],
    [
      'reopens the newest closed issue that was not a duplicate',
      [desired('expired', 'bob')],
      [
        issue(3, 'expired', 'bob', { state: 'closed', stateReason: 'completed' }),
        issue(5, 'expired', 'bob', { state: 'closed', stateReason: 'completed' }),
        issue(6, 'expired', 'bob', { state: 'closed', stateReason: 'not_planned' }),
      ],
      ['reopen:expired:bob#5'],
    ],
    [
      'keeps the oldest of two open duplicates and closes the newer',
      [desired('expired', 'bob')],
      [issue(9, 'expired', 'bob'), issue(8, 'expired', 'bob')],
      ['close-duplicate:expired:bob#9', 'no-op:expired:bob#8'],
    ],
    [
      'tracks kinds of one grant separately',
      [desired('expired', 'bob'), desired('review-overdue', 'bob')],
      [issue(7, 'expired', 'bob')],
      ['create:review-overdue:bob', 'no-op:expired:bob#7'],
    ],
  ];
  it.each(cases)('%s', (_name, want, existing, expected) => {
    expect(planIssues({ ...base, desired: want, existing }).map(brief)).toEqual(expected);
  });

  const reminders: [string, string, boolean][] = [
    // updated_at (UTC), today, remind (every 7 days)
    ['2026-11-19T23:59:59Z', '2026-11-26', true],
    ['2026-11-20T00:00:00Z', '2026-11-26', false],
    ['2026-11-19T20:00:00-05:00', '2026-11-26', false], // 2026-11-20T01:00Z: a UTC day, not the caller's
    ['2028-02-22T12:00:00Z', '2028-02-29', true], // across a leap day
    ['2028-02-23T12:00:00Z', '2028-03-01', true],
    ['2028-02-24T12:00:00Z', '2028-03-01', false],
  ];
  it.each(reminders)('last activity %s, today %s → remind %s (at most every reminder_days)', (updatedAt, today, remind) => {
    const [a] = planIssues({ ...base, today, desired: [desired('expired', 'bob')], existing: [issue(7, 'expired', 'bob', { updatedAt })] });
    expect(a!.type).toBe(remind ? 'remind' : 'no-op');
  });

  it('says why it closes: the grant was removed, or the problem fixed, or it turned into an expiry', () => {
    const plan = planIssues({
      ...base,
      grantIds: new Set(['eve']),
      desired: [desired('expired', 'eve')],
      existing: [issue(1, 'expired', 'bob'), issue(2, 'review-overdue', 'eve'), issue(3, 'expiring-soon', 'eve'), issue(4, 'left-org', 'zed')],
    });
    const comments = Object.fromEntries(plan.filter((a) => a.type === 'close').map((a) => [a.issue.number, a.type === 'close' ? a.comment : '']));
    expect(comments[1]).toMatch(/`bob` is no longer on `main`: the access is revoked/);
    expect(comments[2]).toMatch(/reviewed within its cadence/);
    expect(comments[3]).toMatch(/has now expired without being renewed/);
    expect(comments[4]).toMatch(/No grant on `main` names @zed any more/);
  });

  it('orders work so a small budget goes to leavers first, then fixes, new problems, edits, reminders', () => {
    const plan = planIssues({
      ...base,
      desired: [
        desired('expiring-soon', 'a'),
        desired('expired', 'b'),
        desired('left-org', 'zed'),
        desired('review-overdue', 'c', 'c'.repeat(16)),
        desired('expired', 'd'),
      ],
      existing: [issue(1, 'review-overdue', 'c'), issue(2, 'expired', 'gone'), issue(3, 'expired', 'd', { updatedAt: '2026-10-01T00:00:00Z' })],
    });
    expect(plan.map(brief)).toEqual([
      'create:left-org:zed',
      'close:expired:gone#2',
      'create:expired:b',
      'create:expiring-soon:a',
      'update:review-overdue:c#1',
      'remind:expired:d#3',
    ]);
  });
});

describe('writes per action', () => {
  const plan = planIssues({
    ...base,
    desired: [desired('left-org', 'zed'), desired('expired', 'b'), desired('expired', 'c')],
    existing: [issue(2, 'expired', 'gone')],
  });

  it('counts writes per action', () => {
    expect(plan.map(writesOf)).toEqual([1, 2, 1, 1]);
  });
});
