/**
 * `npm run bench:sweep` still runs: the stand-in GitHub in its own process, the floor and three
 * sweeps as whole processes, at a tiny size, the requests each sweep counted matching those the
 * stand-in saw (the benchmark fails otherwise), and its targets as TARGET lines. Nothing here is
 * timed.
 */
import { describe, expect, it } from 'vitest';
import { expectTargets, runBenchmark } from './smoke.ts';

describe('bench: sweep', () => {
  it('runs end to end at a tiny size', () => {
    const out = runBenchmark('bench/sweep.mjs', { BENCH_SIZES: '300' });
    expect(out).toMatch(/300 grants, cold: no issue exists yet: [\d.]+ s CPU, [\d.]+ s wall, peak RSS \d+ MB; 3 problems; \d+ reads, 3 writes/);
    expect(out).toMatch(/300 grants, steady: nothing changed: .*; \d+ reads, 0 writes/);
    expect(out).toMatch(/300 grants, churn: 10 fixed, 10 newly stale: .* writes/);
    expect(out).toMatch(/300 grants: floor [\d.]+ s CPU, peak RSS \d+ MB/);
    const [rss, writes] = expectTargets(out, 'sweep', [/^300 grants: peak RSS of the sweep/, /^steady sweep \(nothing changed\): writes/]);
    expect(rss!.measured).toMatch(/^\d+ MB$/);
    expect(rss!.limit).toBe('< 600 MB');
    expect(writes).toMatchObject({ measured: '0 writes', limit: '<= 0 writes', ratio: '-', result: 'met' });
  }, 180_000);
});
