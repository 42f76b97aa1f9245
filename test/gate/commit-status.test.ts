/** The gate's commit status on the head commit: which runs post it, what it says, where it links. */
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_STATUS_CONTEXT,
  errorStatusOf,
  parseCommitStatusMode,
  parseStatusContext,
  pendingStatus,
  postsCommitStatus,
  runUrl,
  statusDescription,
  verdictStatus,
} from '../../src/core/commit-status.ts';

describe('which runs set the status', () => {
  it.each([
    ['auto', 'pull_request_target', true],
    ['auto', 'workflow_run', true],
    ['auto', 'pull_request', false],
    ['auto', 'pull_request_review', false],
    ['always', 'pull_request', true],
    ['always', 'pull_request_target', true],
    ['never', 'pull_request_target', false],
    ['never', 'pull_request', false],
  ] as const)('%s on %s: %s', (mode, event, posts) => {
    expect(postsCommitStatus(mode, event)).toBe(posts);
  });

  it.each([
    ['', 'auto'],
    [' always ', 'always'],
    ['never', 'never'],
  ])('the input %j is %s', (input, mode) => {
    expect(parseCommitStatusMode(input)).toBe(mode);
  });

  it.each(['yes', 'false', 'Always', 'off'])('refuses %j, naming the three values', (input) => {
    expect(() => parseCommitStatusMode(input)).toThrow(/`commit-status` input must be auto, always or never/);
  });

  it('takes a context, defaults it, and refuses one that is not one printable line', () => {
    expect(parseStatusContext('')).toBe(DEFAULT_STATUS_CONTEXT);
    expect(parseStatusContext('  policy/gate ')).toBe('policy/gate');
    expect(() => parseStatusContext('a\nb')).toThrow(/one line/);
    expect(() => parseStatusContext('gate\u202e')).toThrow(/printable/);
    expect(() => parseStatusContext('x'.repeat(256))).toThrow(/255/);
  });
});

describe('what the status says', () => {
  it.each([
    ['needs 1 more approval from @acme/dba or dave', 'needs 1 more approval from @acme/dba or dave'],
    ['two\nlines\r\n  and  tabs\t', 'two lines and tabs'],
    // A right-to-left override or a zero-width joiner would make the line read otherwise than it is.
    ['approved by \u202eevil\u202c and \u200bdave', 'approved by evil and dave'],
    ['', ''],
  ])('%j → %j', (text, description) => {
    expect(statusDescription(text)).toBe(description);
  });

  it('is at most 140 characters, cut with an ellipsis, never inside a character', () => {
    const long = statusDescription('x'.repeat(138) + '😀😀 and more');
    expect([...long]).toHaveLength(140);
    expect(long).toBe('x'.repeat(138) + '😀…');
    expect(statusDescription('y'.repeat(140))).toBe('y'.repeat(140));
    expect([...statusDescription('é'.repeat(500))]).toHaveLength(140);
  });

  it('success and failure carry the next step; an empty one still says something', () => {
    const url = 'https://github.com/acme/access/actions/runs/7';
    expect(verdictStatus({ verdict: 'fail', nextStep: 'needs 1 more approval from dave' }, 'access-ledger/gate', url)).toEqual({
      state: 'failure',
      context: 'access-ledger/gate',
      description: 'needs 1 more approval from dave',
      target_url: url,
    });
    expect(verdictStatus({ verdict: 'pass', nextStep: 'approved by erin' }, 'c', null)).toMatchObject({
      state: 'success',
      description: 'approved by erin',
      target_url: null,
    });
    expect(verdictStatus({ verdict: 'pass', nextStep: ' ' }, 'c', null).description).toBe('passed');
    expect(verdictStatus({ verdict: 'fail', nextStep: '' }, 'c', null).description).toMatch(/^failed/);
  });

  it('pending while it judges; error when it cannot decide, never success', () => {
    expect(pendingStatus('c', null)).toMatchObject({ state: 'pending', context: 'c' });
    const e = errorStatusOf('GitHub failed (502) while listing the files\nretry later', 'c', null);
    expect(e).toMatchObject({ state: 'error', description: 'could not decide: GitHub failed (502) while listing the files retry later' });
    expect([...errorStatusOf('z'.repeat(400), 'c', null).description].length).toBe(140);
  });
});

describe('where it links', () => {
  it.each([
    [{ serverUrl: 'https://github.com', repository: 'acme/access', runId: '42' }, 'https://github.com/acme/access/actions/runs/42'],
    [{ serverUrl: 'https://ghe.example.com/', repository: 'acme/access', runId: '42' }, 'https://ghe.example.com/acme/access/actions/runs/42'],
    [{ repository: 'acme/access', runId: '42' }, 'https://github.com/acme/access/actions/runs/42'],
    [{ serverUrl: 'https://github.com', repository: 'acme/access' }, null],
    [{ serverUrl: 'https://github.com', repository: 'acme/access', runId: '4 2' }, null],
    [{ serverUrl: 'javascript:alert(1)//', repository: 'acme/access', runId: '42' }, null],
    [{ serverUrl: 'https://github.com', repository: 'acme', runId: '42' }, null],
  ])('%j → %s', (run, url) => {
    expect(runUrl(run)).toBe(url);
  });
});
