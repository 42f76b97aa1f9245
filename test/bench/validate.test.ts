/** `npm run bench:validate` still runs: the floor and `validate` as whole processes, at a tiny size. Nothing here is timed. */
import { describe, expect, it } from 'vitest';
import { runBenchmark } from './smoke.ts';

describe('bench: validate', () => {
  it('runs end to end at a tiny size and prints the floor, validate and their ratio', () => {
    const out = runBenchmark('bench/validate.mjs', { BENCH_SIZES: '37', BENCH_REPS: '1' });
    expect(out).toMatch(/^37 grants: floor \d+ ms CPU \(\d+ ms wall\), validate \d+ ms CPU \(\d+ ms wall\), ratio \d+\.\d\d, peak RSS \d+ MB$/m);
  }, 120_000);
});
