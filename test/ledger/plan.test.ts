import { describe, expect, it } from 'vitest';
import { emptyHead, hashRecord, planAppend, sealRecord, headFor, verifyChain, serializeRecord, recordPath } from '../../src/core/ledger/index.ts';
import { fixedClock, mergedDraft } from './fixtures.ts';

describe('planAppend', () => {
  it('seals drafts in order after the head, one recorded_at for the commit', () => {
    let calls = 0;
    const clock = () => (calls++, new Date('2026-11-20T10:00:03Z'));
    const plan = planAppend(emptyHead(), [mergedDraft(45), mergedDraft(46), mergedDraft(47)], clock);
    expect(calls).toBe(1);
    expect(plan.records.map((r) => [r.seq, r.key])).toEqual([
      [1, 'pr-45-merged'],
      [2, 'pr-46-merged'],
      [3, 'pr-47-merged'],
    ]);
    expect(plan.records.every((r) => r.recorded_at === '2026-11-20T10:00:03Z')).toBe(true);
    expect(plan.head).toEqual(headFor(plan.records[2]!));
    const chain = verifyChain(plan.records.map((r) => ({ path: recordPath(r), content: serializeRecord(r) })));
    expect(chain.ok).toBe(true);
  });

  it('continues from an existing head', () => {
    const first = sealRecord(mergedDraft(1), null, '2026-11-20T10:00:03Z');
    const plan = planAppend(headFor(first), [mergedDraft(2)], fixedClock());
    expect(plan.records[0]).toMatchObject({ seq: 2, prev_hash: first.hash });
  });

  it.each([
    {
      name: 'skips drafts whose path exists',
      drafts: [45, 46, 47],
      existing: new Set(['records/2026/11/20/pr-46-merged.json']),
      outcomes: ['new', 'exists', 'new'],
      seqs: [1, 2],
    },
    {
      name: 'writes nothing when everything exists (a redelivery)',
      drafts: [45],
      existing: new Set(['records/2026/11/20/pr-45-merged.json']),
      outcomes: ['exists'],
      seqs: [],
    },
    {
      name: 'folds a draft queued twice into the first',
      drafts: [45, 46, 45],
      existing: new Set<string>(),
      outcomes: ['new', 'new', 'duplicate'],
      seqs: [1, 2],
    },
    { name: 'an empty batch changes nothing', drafts: [], existing: new Set<string>(), outcomes: [], seqs: [] },
  ])('$name', ({ drafts, existing, outcomes, seqs }) => {
    const head = emptyHead();
    const plan = planAppend(
      head,
      drafts.map((n) => mergedDraft(n)),
      fixedClock(),
      existing,
    );
    expect(plan.outcomes.map((o) => o.status)).toEqual(outcomes);
    expect(plan.records.map((r) => r.seq)).toEqual(seqs);
    if (seqs.length === 0) expect(plan.head).toBe(head);
  });

  it('accepts a predicate for existing paths', () => {
    const plan = planAppend(emptyHead(), [mergedDraft(45), mergedDraft(46)], fixedClock(), (p) => p.includes('pr-45'));
    expect(plan.outcomes.map((o) => o.status)).toEqual(['exists', 'new']);
    expect(plan.records[0]!.hash).toBe(hashRecord(plan.records[0]!));
  });

  it('places each record by its own day', () => {
    const plan = planAppend(emptyHead(), [mergedDraft(1, '2026-10-31T23:59:59Z'), mergedDraft(2, '2026-11-01T00:00:00Z')], fixedClock());
    expect(plan.outcomes.map((o) => o.path)).toEqual(['records/2026/10/31/pr-1-merged.json', 'records/2026/11/01/pr-2-merged.json']);
  });

  it('on a ledger from before day folders, finds a redelivered event in its month folder and starts day folders after it', () => {
    const first = sealRecord(mergedDraft(45), null, '2026-11-20T10:00:03Z');
    const old = { format: 'access-ledger/head@1' as const, seq: 1, hash: first.hash, path: 'records/2026/11/pr-45-merged.json' };
    const plan = planAppend(old, [mergedDraft(45), mergedDraft(46)], fixedClock(), new Set(['records/2026/11/pr-45-merged.json']));
    expect(plan.outcomes.map((o) => [o.status, o.path])).toEqual([
      ['exists', 'records/2026/11/pr-45-merged.json'],
      ['new', 'records/2026/11/20/pr-46-merged.json'],
    ]);
    expect(plan.head.day_folders).toEqual({ from_seq: 2, since: plan.records[0]!.recorded_at });
    // A new ledger never looks in a month folder: a record there is not this event's.
    expect(planAppend(emptyHead(), [mergedDraft(45)], fixedClock(), new Set(['records/2026/11/pr-45-merged.json'])).outcomes[0]!.status).toBe('new');
  });

  it('refuses a bad draft before sealing anything', () => {
    const bad = { ...mergedDraft(2), key: 'no/slash' };
    expect(() => planAppend(emptyHead(), [mergedDraft(1), bad], fixedClock())).toThrow(/invalid record key/);
  });
});
