/**
 * Why an approval did not count, in one vocabulary: a pull request and its reviews in, the gate's
 * judgement of each reviewer out, the same judgement recorded with each review of the ledger's
 * grant-change record, and the same words in the gate's message and in the binder.
 */
import { describe, expect, it } from 'vitest';
import { NOT_COUNTED, notCountedReasons, reasonFromRecord, reasonPhrase, reasonSentence, type NotCounted } from '../../src/core/approvals/reasons.ts';
import { reviewRecords } from '../../src/core/records/grant-change.ts';
import { sentence } from '../../src/core/rules/no-self-approval.ts';
import { CONFIG, HEAD, SYSTEMS, factsOf, grant, judge, type Scenario } from './scenario.ts';

const BOB = 'grants/people/bob.yaml';
const addBob = (opts?: Parameters<typeof grant>[2]): Scenario['change'] => ({ [BOB]: grant('bob', [{}], opts) });

interface Case {
  name: string;
  s: Scenario;
  /** Per review, in order: null when it counted, else why not. */
  reasons: (NotCounted | null)[];
}

const cases: Case[] = [
  { name: 'a listed approver on the head commit counts', s: { change: addBob(), reviews: [['dave', 'APPROVED']] }, reasons: [null] },
  {
    name: 'the grantee',
    s: {
      change: addBob(),
      teams: { '@acme/dba': ['bob'] },
      reviews: [
        ['bob', 'APPROVED'],
        ['dave', 'APPROVED'],
      ],
    },
    reasons: ['grantee', null],
  },
  { name: 'the owner of a grant is no grantee of a human grant', s: { change: addBob({ owner: 'dave' }), reviews: [['dave', 'APPROVED']] }, reasons: [null] },
  { name: 'the author', s: { change: addBob(), author: 'dave', commitAuthors: ['dave'], reviews: [['dave', 'APPROVED']] }, reasons: ['author'] },
  { name: 'a commit author', s: { change: addBob(), commitAuthors: ['alice', 'dave'], reviews: [['dave', 'APPROVED']] }, reasons: ['committer'] },
  {
    name: 'a bot, even one on the list',
    s: {
      change: addBob(),
      systems: { ...SYSTEMS, 'systems/db.yaml': SYSTEMS['systems/db.yaml']!.replace('dave]', 'dave, "@acme/bots"]') },
      teams: { '@acme/bots': ['approver-bot[bot]'] },
      reviews: [['approver-bot[bot]', 'APPROVED']],
    },
    reasons: ['bot'],
  },
  { name: "someone not on the system's list", s: { change: addBob(), reviews: [['zoe', 'APPROVED']] }, reasons: ['not-eligible'] },
  { name: 'an approval of an older commit', s: { change: addBob(), reviews: [['dave', 'APPROVED', 'old']] }, reasons: ['older-commit'] },
  {
    name: 'an older commit counts where the policy allows it',
    s: { change: addBob(), reviews: [['dave', 'APPROVED', 'old']], config: CONFIG + 'rules:\n  approvals: { options: { require_head_sha: false } }\n' },
    reasons: [null],
  },
  { name: 'a dismissed review', s: { change: addBob(), reviews: [['dave', 'DISMISSED']] }, reasons: ['dismissed'] },
  {
    name: 'an approval superseded by a change request',
    s: {
      change: addBob(),
      reviews: [
        ['dave', 'APPROVED'],
        ['dave', 'CHANGES_REQUESTED'],
      ],
    },
    reasons: ['superseded', 'changes-requested'],
  },
  {
    name: 'an earlier approval superseded by one on the head, a comment decides nothing',
    s: {
      change: addBob(),
      reviews: [
        ['dave', 'APPROVED', 'old'],
        ['dave', 'COMMENTED'],
        ['dave', 'APPROVED'],
      ],
    },
    reasons: ['superseded', 'commented', null],
  },
  {
    name: 'a team whose membership could not be read',
    s: { change: addBob(), unknownTeams: ['@acme/dba'], reviews: [['erin', 'APPROVED']] },
    reasons: ['undetermined'],
  },
  {
    name: 'a removal needs no approval',
    s: { grants: { [BOB]: grant('bob') }, change: { [BOB]: null }, reviews: [['dave', 'APPROVED']] },
    reasons: ['not-required'],
  },
];

describe('why each review counted or not', () => {
  it.each(cases)('$name', (c) => {
    const facts = factsOf(c.s);
    const result = judge(c.s);
    const recorded = reviewRecords(facts.reviews, HEAD, result.reviewers);
    expect(recorded.map((r) => r.not_counted)).toEqual(c.reasons);
    // Each reviewer's reason is said once: on the review that decided for them.
    for (const r of result.reviewers) {
      const decided = recorded.filter((x) => x.reviewer === r.reviewer && x.not_counted !== 'superseded' && x.not_counted !== 'commented');
      expect(decided, r.reviewer).toHaveLength(1);
      expect(decided[0]!.not_counted).toBe(r.notCounted);
    }
  });

  it("records without the gate's judgement keep their old shape", () => {
    const facts = factsOf(cases[1]!.s);
    expect(reviewRecords(facts.reviews, HEAD).every((r) => !('not_counted' in r))).toBe(true);
  });

  it('the gate says an exclusion in the same words the binder shows', () => {
    const r = judge({ ...cases[1]!.s, reviews: [['bob', 'APPROVED']] });
    expect(r.nextStep).toContain(reasonSentence('bob', 'grantee'));
    expect(sentence('bob', 'grantee')).toBe('bob cannot approve their own access');
    expect(`not counted: ${reasonPhrase('grantee')}`).toBe('not counted: cannot approve their own access');
    expect(judge(cases[3]!.s).nextStep).toContain(reasonSentence('dave', 'author'));
    expect(judge(cases[4]!.s).nextStep).toContain(reasonSentence('dave', 'committer'));
  });

  it.each(NOT_COUNTED.map((r) => [r]))('%s has words that never repeat "not counted"', (reason) => {
    const phrase = reasonPhrase(reason, { scope: 'prod-db' });
    expect(phrase).not.toMatch(/not counted/i);
    expect(phrase.length).toBeGreaterThan(5);
    expect(reasonSentence('bob', reason)).toMatch(/^bob /);
  });
});

describe("a record without the gate's judgement, read back", () => {
  const at = (m: number) => `2026-11-26T10:${String(m).padStart(2, '0')}:00Z`;
  const table: [name: string, reviews: { reviewer: string; state: string; on_head: boolean }[], counted: string[], expected: (NotCounted | null)[]][] = [
    ['counted by the verdict', [{ reviewer: 'carol', state: 'APPROVED', on_head: true }], ['carol'], [null]],
    ['the author', [{ reviewer: 'alice', state: 'APPROVED', on_head: true }], [], ['author']],
    ['a committer', [{ reviewer: 'cody', state: 'APPROVED', on_head: true }], [], ['committer']],
    ['a bot', [{ reviewer: 'helper[bot]', state: 'APPROVED', on_head: true }], [], ['bot']],
    ['the grantee the binder saw in the change', [{ reviewer: 'bob', state: 'APPROVED', on_head: true }], [], ['grantee']],
    ['an older commit', [{ reviewer: 'erin', state: 'APPROVED', on_head: false }], [], ['older-commit']],
    ['not on the list', [{ reviewer: 'zoe', state: 'APPROVED', on_head: true }], [], ['not-eligible']],
    [
      'superseded, then counted',
      [
        { reviewer: 'carol', state: 'APPROVED', on_head: false },
        { reviewer: 'carol', state: 'APPROVED', on_head: true },
      ],
      ['carol'],
      ['superseded', null],
    ],
  ];
  it.each(table)('%s', (_, reviews, counted, expected) => {
    const decide = reasonFromRecord({
      excluded: (l) => (/\[bot\]$/.test(l) ? 'bot' : l === 'bob' ? 'grantee' : l === 'alice' ? 'author' : l === 'cody' ? 'committer' : undefined),
      counted: (l) => counted.includes(l),
      required: true,
    });
    expect(
      notCountedReasons(
        reviews.map((r, i) => ({ ...r, submitted_at: at(i) })),
        decide,
      ),
    ).toEqual(expected);
  });

  it('an approval where none was needed', () => {
    const decide = reasonFromRecord({ excluded: () => undefined, counted: () => false, required: false });
    expect(notCountedReasons([{ reviewer: 'carol', state: 'APPROVED', on_head: true, submitted_at: at(1) }], decide)).toEqual(['not-required']);
  });
});
