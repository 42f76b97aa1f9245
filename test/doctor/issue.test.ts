/** The one doctor issue: its marker, and the plan against the issues that exist, as tables. */
import { describe, expect, it } from 'vitest';
import {
  DOCTOR_LABEL,
  desiredDoctorIssue,
  formatDoctorMarker,
  parseDoctorMarker,
  planDoctorIssue,
  runChecks,
  toDoctorIssue,
  type DoctorIssue,
} from '../../src/core/doctor/index.ts';
import { GATE_OPTIONS, safeFacts } from './fixtures.ts';

function unsafe(change: (f: ReturnType<typeof safeFacts>) => void = () => undefined) {
  const f = safeFacts();
  f.hasIssues = false;
  change(f);
  return runChecks(f, GATE_OPTIONS);
}

describe('the desired issue', () => {
  it('is none when every check passes', () => {
    expect(desiredDoctorIssue(runChecks(safeFacts(), GATE_OPTIONS))).toBeNull();
  });

  it('carries the marker, the label, the failing checks with their fixes, and copies the admins', () => {
    const d = desiredDoctorIssue(unsafe(), ['access-ledger'], ['@acme/security', 'not a login!'])!;
    expect(d.labels).toEqual([DOCTOR_LABEL, 'access-ledger']);
    expect(d.body.startsWith(`${formatDoctorMarker(d.hash)}\n`)).toBe(true);
    expect(parseDoctorMarker(d.body)).toEqual({ hash: d.hash });
    expect(d.body).toContain('### ✖ `issues-enabled`');
    expect(d.body).toContain('**Fix:** Settings → General → Features → Issues');
    expect(d.body).toMatch(/cc @acme\/security$/);
    expect(d.body).not.toContain('not a login');
    expect(d.summary).toBe('1 check fails: `issues-enabled`');
  });

  it('keeps its hash while the setup is unchanged, and changes it when what fails changes', () => {
    const a = desiredDoctorIssue(unsafe())!;
    expect(desiredDoctorIssue(unsafe())!.hash).toBe(a.hash);
    const b = desiredDoctorIssue(unsafe((f) => (f.codeowners = null)))!;
    expect(b.hash).not.toBe(a.hash);
    expect(b.summary).toBe('2 checks fail: `codeowners`, `issues-enabled`');
  });

  it('a body without the marker, or a pull request, is not a doctor issue', () => {
    expect(toDoctorIssue({ number: 1, state: 'open', body: 'hello' })).toBeUndefined();
    expect(toDoctorIssue({ number: 1, state: 'open', body: formatDoctorMarker('0123456789abcdef'), pull_request: {} })).toBeUndefined();
    expect(toDoctorIssue({ number: 3, state: 'closed', body: `x\n${formatDoctorMarker('0123456789abcdef')}`, state_reason: 'completed' })).toEqual({
      number: 3,
      state: 'closed',
      hash: '0123456789abcdef',
      stateReason: 'completed',
    });
    expect(() => formatDoctorMarker('nope')).toThrow();
  });
});

describe('planDoctorIssue', () => {
  const d = desiredDoctorIssue(unsafe())!;
  const open = (number: number, hash = d.hash): DoctorIssue => ({ number, state: 'open', hash });
  const closed = (number: number, stateReason: string | null = 'completed', hash = 'ffffffffffffffff'): DoctorIssue => ({
    number,
    state: 'closed',
    hash,
    stateReason,
  });
  it.each([
    ['safe, no issue: nothing', null, [], []],
    ['safe, an open issue: close it with a comment', null, [open(4)], ['close #4']],
    ['safe, only closed issues: nothing', null, [closed(4)], []],
    ['unsafe, no issue: open one', d, [], ['create']],
    ['unsafe, open and current: nothing to write', d, [open(4)], ['no-op #4']],
    ['unsafe, open but out of date: edit it and say so', d, [open(4, '0000000000000000')], ['update #4']],
    ['unsafe again after a fix: reopen the latest issue, not a duplicate', d, [closed(2), closed(5), closed(9, 'not_planned')], ['reopen #5']],
    ['two opened at once: close the newer as a duplicate of the older', d, [open(7), open(4)], ['close-duplicate #7', 'no-op #4']],
    ['two open and safe now: close both', null, [open(4), open(7)], ['close-duplicate #7', 'close #4']],
  ] as const)('%s', (_name, desired, existing, expected) => {
    const plan = planDoctorIssue(desired, existing);
    expect(plan.map((a) => (a.type === 'create' ? 'create' : `${a.type} #${a.issue.number}`))).toEqual(expected);
    for (const a of plan) if ('comment' in a) expect(a.comment.length).toBeGreaterThan(20);
  });
});
