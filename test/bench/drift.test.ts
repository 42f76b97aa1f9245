/**
 * `npm run bench:drift` still runs: the floor and `drift` as whole processes on a tiny synthetic
 * repo and its planted snapshots, and its target (at 100,000 accounts) printed as TARGET lines, not
 * measured at a size the run did not reach. Nothing here is timed.
 */
import { describe, expect, it } from 'vitest';
import { expectTargets, runBenchmark } from './smoke.ts';

describe('bench: drift', () => {
  it('runs end to end at a tiny size and lists its targets', () => {
    const out = runBenchmark('bench/drift.mjs', { BENCH_SIZES: '200', BENCH_REPS: '1' });
    expect(out).toMatch(/^200 grants, \d+ accounts: floor \d+ ms, drift \d+ ms \(\d+ findings\), peak RSS \d+ MB$/m);
    const targets = expectTargets(out, 'drift', [/^100,000 accounts against 100,000 grants: wall time/, /^100,000 accounts against 100,000 grants: peak RSS/]);
    expect(targets.map((t) => [t.measured, t.limit, t.ratio, t.result])).toEqual([
      ['-', '< 10 s', '-', 'not measured'],
      ['-', '< 1024 MB', '-', 'not measured'],
    ]);
  }, 180_000);
});
