/**
 * `npm run bench:gate` and `npm run bench:ledger` still run, at tiny sizes: the gate's calls
 * counted against the fake GitHub, and the App recording merges and a small burst (its ledger
 * verified). Nothing here is timed.
 */
import { describe, expect, it } from 'vitest';
import { runBenchmark } from './smoke.ts';

describe('bench: gate and ledger', () => {
  it('gate: counts the calls of one evaluation', () => {
    const out = runBenchmark('bench/gate-calls.mjs', { BENCH_REPO_SIZES: '20', BENCH_CHANGED: '1' });
    expect(out).toMatch(/^20 grants, 1 changed, 1 reviewer\(s\): 6 calls/m);
  }, 120_000);

  it('ledger: records merges and a burst, and the ledger verifies', () => {
    const out = runBenchmark('bench/ledger-calls.mjs', { BENCH_LEDGER_SIZES: '1', BENCH_LEDGER_BURST: '2' });
    expect(out).toMatch(/^first merge after start \(creates the branch\): \d+ calls/m);
    expect(out).toMatch(/^no faults: \{.*"verified":true/m);
  }, 240_000);
});
