/** Merge groups: which pull requests a group's commit holds, and the group's verdict. */
import { describe, expect, it } from 'vitest';
import { groupOf, groupVerdict, parseQueueRef, type QueueEntry } from '../../src/core/pull/merge-group.ts';

const sha = (c: string) => c.repeat(40);
const MAIN = sha('0');

function entry(number: number, head: string | null, base: string | null, over: Partial<QueueEntry> = {}): QueueEntry {
  return {
    number,
    headRefOid: sha(String(number % 10)).replace(/^./, 'f'),
    baseRefName: 'main',
    author: 'alice',
    authorIsBot: false,
    headCommit: head,
    baseCommit: base,
    position: number,
    state: 'AWAITING_CHECKS',
    ...over,
  };
}

describe('parseQueueRef', () => {
  it.each([
    [`gh-readonly-queue/main/pr-104-${sha('a')}`, { baseBranch: 'main', number: 104, baseSha: sha('a') }],
    [`refs/heads/gh-readonly-queue/main/pr-7-${sha('b')}`, { baseBranch: 'main', number: 7, baseSha: sha('b') }],
    [`gh-readonly-queue/release/2026/pr-3-${sha('c')}`, { baseBranch: 'release/2026', number: 3, baseSha: sha('c') }],
    ['main', undefined],
    [`gh-readonly-queue/main/pr-x-${sha('a')}`, undefined],
    [`gh-readonly-queue/main/pr-1-${'a'.repeat(39)}`, undefined],
    [`feature/gh-readonly-queue/main/pr-1-${sha('a')}`, undefined],
    [`gh-readonly-queue//pr-1-${sha('a')}`, undefined],
  ])('%s', (ref, want) => {
    expect(parseQueueRef(ref)).toEqual(want);
  });
});

describe('groupOf', () => {
  const a = entry(1, sha('a'), MAIN);
  const b = entry(2, sha('b'), sha('a'));
  const c = entry(3, sha('c'), sha('b'));

  it.each<[string, QueueEntry[], string, ReturnType<typeof groupOf>]>([
    ['the first entry holds itself, on the branch', [a, b, c], sha('a'), { ok: true, entries: [a], baseSha: MAIN }],
    ['the third holds the two ahead of it, ahead first', [a, b, c], sha('c'), { ok: true, entries: [a, b, c], baseSha: MAIN }],
    ['listed out of order, the chain still decides', [c, a, b], sha('b'), { ok: true, entries: [a, b], baseSha: MAIN }],
    [
      'an entry built on the branch holds only itself, whatever is ahead',
      [a, entry(2, sha('b'), MAIN)],
      sha('b'),
      { ok: true, entries: [entry(2, sha('b'), MAIN)], baseSha: MAIN },
    ],
    [
      'a commit no entry built: rebuilt or dequeued',
      [a, b],
      sha('9'),
      { ok: false, reason: expect.stringMatching(/holds no entry built as 9{40} \(it was rebuilt or left the queue\)/) },
    ],
    ['an empty queue', [], sha('a'), { ok: false, reason: expect.stringMatching(/holds no entry built as/) }],
    ['an entry not built yet is no group', [entry(1, null, null)], sha('a'), { ok: false, reason: expect.stringMatching(/holds no entry/) }],
    ['two entries claim one commit', [a, entry(2, sha('a'), MAIN)], sha('a'), { ok: false, reason: expect.stringMatching(/lists two entries built as a{40}/) }],
    [
      'a chain that loops',
      [entry(1, sha('a'), sha('b')), entry(2, sha('b'), sha('a'))],
      sha('b'),
      { ok: false, reason: expect.stringMatching(/builds pull request #\d on itself/) },
    ],
    [
      'an entry for another branch',
      [entry(1, sha('a'), MAIN, { baseRefName: 'release' })],
      sha('a'),
      { ok: false, reason: 'pull request #1 in the merge queue of main merges into release' },
    ],
    [
      'an entry that does not say what it was built on',
      [entry(1, sha('a'), null)],
      sha('a'),
      { ok: false, reason: 'the merge queue of main does not say which commit pull request #1 was built on' },
    ],
  ])('%s', (_name, entries, head, want) => {
    expect(groupOf(entries, head, 'main')).toEqual(want);
  });
});

describe('groupVerdict', () => {
  it.each<[string, Parameters<typeof groupVerdict>[0], ReturnType<typeof groupVerdict>]>([
    [
      'one pull request that passes says its own next step',
      [{ number: 4, verdict: 'pass', nextStep: 'approved by dave' }],
      { verdict: 'pass', nextStep: 'pull request #4: approved by dave' },
    ],
    [
      'all pass',
      [
        { number: 4, verdict: 'pass', nextStep: 'x' },
        { number: 5, verdict: 'pass', nextStep: 'y' },
      ],
      { verdict: 'pass', nextStep: 'every pull request in the merge group passes (#4, #5)' },
    ],
    [
      'one fails: the group fails and names it',
      [
        { number: 4, verdict: 'pass', nextStep: 'x' },
        { number: 5, verdict: 'fail', nextStep: 'needs 1 more approval from dave' },
      ],
      { verdict: 'fail', nextStep: 'pull request #5: needs 1 more approval from dave' },
    ],
    [
      'two fail: the first in queue order, and how many more',
      [
        { number: 4, verdict: 'fail', nextStep: 'needs an admin' },
        { number: 5, verdict: 'fail', nextStep: 'x' },
        { number: 6, verdict: 'fail', nextStep: 'y' },
      ],
      { verdict: 'fail', nextStep: 'pull request #4: needs an admin; and 2 more pull requests in the merge group fail' },
    ],
    [
      'one more',
      [
        { number: 4, verdict: 'fail', nextStep: 'a' },
        { number: 5, verdict: 'fail', nextStep: 'b' },
      ],
      { verdict: 'fail', nextStep: 'pull request #4: a; and 1 more pull request in the merge group fails' },
    ],
    ['nothing to judge never passes', [], { verdict: 'fail', nextStep: 'the merge group holds no pull request to judge' }],
  ])('%s', (_name, members, want) => {
    expect(groupVerdict(members)).toEqual(want);
  });
});
