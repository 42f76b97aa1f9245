/**
 * `npm run bench:validate` still runs: the floor and `validate` as whole processes, at a tiny size,
 * and its three targets as TARGET lines, not measured at a size the run did not reach. Nothing here
 * is timed.
 */
import { describe, expect, it } from 'vitest';
import { expectTargets, runBenchmark } from './smoke.ts';

describe('bench: validate', () => {
  it('runs end to end at a tiny size and prints the floor, validate and their ratio', () => {
    const out = runBenchmark('bench/validate.mjs', { BENCH_SIZES: '37', BENCH_REPS: '1' });
    expect(out).toMatch(/^37 grants: floor \d+ ms CPU \(\d+ ms wall\), validate \d+ ms CPU \(\d+ ms wall\), ratio \d+\.\d\d, peak RSS \d+ MB$/m);
    // Its targets are at 10,000 and 100,000 files: listed, not judged at 37.
    const targets = expectTargets(out, 'validate', [
      /^10,000 files: CPU of validate \/ CPU of the floor/,
      /^100,000 files: wall time/,
      /^100,000 files: peak RSS/,
    ]);
    expect(targets.map((t) => [t.measured, t.limit, t.ratio, t.result])).toEqual([
      ['-', '<= 1.3 × floor', '-', 'not measured'],
      ['-', '< 20 s', '-', 'not measured'],
      ['-', '< 1536 MB', '-', 'not measured'],
    ]);
  }, 120_000);
});
