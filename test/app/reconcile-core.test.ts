import { describe, expect, it } from 'vitest';
import { grantChangePaths, missingMerges, reconcileWindow, scanPage } from '../../src/core/reconcile.ts';

const now = new Date('2026-11-20T12:00:00Z');

describe('reconcileWindow', () => {
  it.each([
    ['empty ledger: the max window', null, {}, '2026-08-22T12:00:00Z', true],
    [
      'newest record: lookback before the earlier of occurred and recorded',
      { occurred_at: '2026-11-10T08:00:00Z', recorded_at: '2026-11-10T08:00:05Z' },
      {},
      '2026-11-07T08:00:00Z',
      false,
    ],
    [
      'a backfilled record: its occurred_at bounds it',
      { occurred_at: '2026-11-01T08:00:00Z', recorded_at: '2026-11-19T00:00:00Z' },
      { lookbackDays: 1 },
      '2026-10-31T08:00:00Z',
      false,
    ],
    ['capped at maxDays', { occurred_at: '2025-01-01T00:00:00Z', recorded_at: '2025-01-01T00:00:00Z' }, { maxDays: 30 }, '2026-10-21T12:00:00Z', true],
    [
      'explicit since wins over the ledger',
      { occurred_at: '2026-11-10T08:00:00Z', recorded_at: '2026-11-10T08:00:00Z' },
      { since: new Date('2026-11-15T00:00:00Z') },
      '2026-11-15T00:00:00Z',
      false,
    ],
  ] as const)('%s', (_name, newest, opts, since, capped) => {
    expect(reconcileWindow({ now, newest, ...opts })).toEqual({ since, capped });
  });
});

describe('scanPage', () => {
  const pr = (number: number, updated: string, merged: string | null, base = 'main') => ({
    number,
    updated_at: updated,
    merged_at: merged,
    base: { ref: base },
  });
  const since = '2026-11-10T00:00:00Z';

  it('keeps merges into the branch within the window and goes on while every update is newer', () => {
    const page = [
      pr(5, '2026-11-19T00:00:00Z', '2026-11-19T00:00:00Z'),
      pr(4, '2026-11-18T00:00:00Z', null),
      pr(3, '2026-11-17T00:00:00Z', '2026-11-17T00:00:00Z', 'release'),
    ];
    expect(scanPage(page, since, 'main')).toEqual({ merged: [page[0]], done: false });
  });

  it('stops at the first update older than the window; a PR updated later but merged earlier is skipped', () => {
    const page = [
      pr(9, '2026-11-12T00:00:00Z', '2026-11-01T00:00:00Z'),
      pr(8, '2026-11-11T00:00:00Z', '2026-11-11T00:00:00Z'),
      pr(7, '2026-11-09T00:00:00Z', '2026-11-09T00:00:00Z'),
    ];
    expect(scanPage(page, since, 'main')).toEqual({ merged: [page[1]], done: true });
  });

  it('an empty page is not done by itself (the caller stops on a short page)', () => {
    expect(scanPage([], since, 'main')).toEqual({ merged: [], done: false });
  });
});

describe('missingMerges', () => {
  const m = (number: number, merged_at: string) => ({ number, merged_at, updated_at: merged_at, base: { ref: 'main' } });
  it('returns unrecorded merges oldest first, each once', () => {
    const recorded = new Set([grantChangePaths({ number: 2, merged_at: '2026-11-02T00:00:00Z' })[0]!]);
    const got = missingMerges([m(3, '2026-11-03T00:00:00Z'), m(2, '2026-11-02T00:00:00Z'), m(1, '2026-10-31T23:59:59Z'), m(3, '2026-11-03T00:00:00Z')], (p) =>
      recorded.has(p),
    );
    expect(got.map((p) => p.number)).toEqual([1, 3]);
  });

  it('paths and directories follow the record format', () => {
    expect(grantChangePaths({ number: 45, merged_at: '2026-11-20T10:00:00.000Z' })).toEqual([
      'records/2026/11/20/pr-45-merged.json',
      'records/2026/11/pr-45-merged.json',
    ]);
  });

  it('counts a merge recorded in its month folder (a ledger from before day folders) as recorded', () => {
    const recorded = new Set(['records/2026/11/pr-2-merged.json']);
    expect(missingMerges([m(2, '2026-11-02T00:00:00Z'), m(3, '2026-11-03T00:00:00Z')], (p) => recorded.has(p)).map((p) => p.number)).toEqual([3]);
  });
});
