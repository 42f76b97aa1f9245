/**
 * `npm run bench:replicas` still runs: two App replicas, with and without a shared Redis, and a
 * burst of two merges, and its target printed as TARGET lines. The full burst of 100 merges is
 * test/e2e/replicas.test.ts. Nothing here is timed.
 */
import { describe, expect, it } from 'vitest';
import { expectTargets, runBenchmark } from './smoke.ts';

describe('bench: replicas', () => {
  it('runs end to end at a tiny size and prints its targets', () => {
    const out = runBenchmark('bench/replicas.mjs', {}, ['--replicas', '2', '--merges', '2']);
    expect(out).toMatch(/^OK: shared 2\/2 once, \d+ of \d+ refused; alone 2\/2 once, \d+ of \d+ refused$/m);
    const [mislaid, unverified, refused] = expectTargets(out, 'replicas', [
      /^both runs: merges lost or recorded twice$/,
      /^both runs: ledgers access-ledger verify refuses$/,
      /^sharing one Redis: ledger ref updates refused$/,
    ]);
    // The benchmark exits 0 only with its target met.
    expect(mislaid).toMatchObject({ measured: '0 merges', limit: '<= 0 merges', result: 'met' });
    expect(unverified).toMatchObject({ measured: '0 ledgers', limit: '<= 0 ledgers', result: 'met' });
    expect(refused!.measured).toMatch(/^\d+\.\d %$/);
    expect(refused).toMatchObject({ limit: '<= 5 %', result: 'met' });
  }, 300_000);
});
