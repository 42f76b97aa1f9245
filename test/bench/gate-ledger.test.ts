/**
 * `npm run bench:gate` and `npm run bench:ledger` still run, at tiny sizes: the gate's calls
 * counted against the fake GitHub, and the App recording merges and a small burst (its ledger
 * verified), each printing its targets as TARGET lines. The ledger runs as `npm run bench -- ledger`
 * runs it (bench/all.mjs), which ends with the table of its targets and exits 0 with one of them
 * missed. Nothing here is timed.
 */
import { describe, expect, it } from 'vitest';
import { expectTargets, runBenchmark } from './smoke.ts';

const literal = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('bench: gate and ledger', () => {
  it('gate: counts the calls of one evaluation', () => {
    const out = runBenchmark('bench/gate-calls.mjs', { BENCH_REPO_SIZES: '20', BENCH_CHANGED: '1' });
    expect(out).toMatch(/^20 grants, 1 changed, 1 reviewer\(s\): 6 calls/m);
    // Counts, not times: one repo size differs from itself by nothing, and 4 calls beyond membership.
    const targets = expectTargets(out, 'gate', [/^calls: largest difference between repo sizes/, /^calls of one evaluation beyond membership lookups/]);
    expect(targets.map((t) => [t.measured, t.limit, t.ratio, t.result])).toEqual([
      ['0 calls', '<= 0 calls', '-', 'met'],
      ['4 calls', '<= 6 calls', '0.67', 'met'],
    ]);
  }, 120_000);

  it('ledger, as `npm run bench` runs it: records merges and a burst, the ledger verifies, and the run ends with its targets, one missed yet the run ok', () => {
    const out = runBenchmark('bench/all.mjs', { BENCH_LEDGER_SIZES: '1', BENCH_LEDGER_BURST: '2' }, ['ledger']);
    expect(out).toMatch(/^first merge after start \(creates the branch\): \d+ calls/m);
    expect(out).toMatch(/^no faults: \{.*"verified":true/m);
    const targets = expectTargets(out, 'ledger', [
      /^calls per recorded merge, most$/,
      /^burst of 2 merges: all recorded on the ledger after$/,
      /^burst of 2 merges: ledger writes per record$/,
      /^both bursts: merges handled, each pull request with exactly one comment$/,
      /^both bursts: least gap between two content-creating requests$/,
    ]);
    // The benchmark exits 0 only with these met (it judges the burst's time only from 200 merges).
    expect(targets[0]).toMatchObject({ limit: '<= 8 calls', result: 'met' });
    expect(targets[3]).toMatchObject({ measured: '4 merges', limit: '>= 4 merges', ratio: '1.00', result: 'met' });
    expect(targets[4]).toMatchObject({ limit: '>= 1 s', result: 'met' });
    // Two records take at least one commit, three writes (tree, commit, ref): 1.5 or more a record.
    expect(targets[2]!.result).toBe('NOT met');
    // The end of the run: the benchmark ok, then every target in the table, and a missed one named.
    expect(out).toMatch(/^ledger +ok +[\d.]+ s$/m);
    const table = out.slice(out.lastIndexOf('\nTargets\n'));
    expect(table).toMatch(/^benchmark +target +measured +limit +ratio +result$/m);
    for (const t of targets) {
      expect(table).toMatch(new RegExp(`^ledger +${literal(t.what)} +${literal(t.measured)} +${literal(t.limit)} +${literal(t.ratio)} +${t.result}$`, 'm'));
    }
    expect(table).toMatch(/^[0-4] of 5 targets met\.$/m);
    expect(table).toMatch(/^NOT met: (.*; )?ledger: burst of 2 merges: ledger writes per record \(\d+\.\d\d writes, limit < 1 writes\)/m);
    expect(out).toMatch(/All 1 benchmarks ran; figures are in docs\/performance\.md\.\n$/);
  }, 240_000);
});
