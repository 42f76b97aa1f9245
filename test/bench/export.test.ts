/**
 * `npm run bench:export` and `npm run bench:mask` still run: a ledger of one record per commit,
 * `export` and `verify` as the CLI runs them and the floor, each a whole process, at a tiny size;
 * export prints its three targets as TARGET lines, mask (which states none) none. Nothing here is
 * timed.
 */
import { describe, expect, it } from 'vitest';
import { expectTargets, runBenchmark, targetsOf } from './smoke.ts';

describe('bench: export and mask', () => {
  it('export: runs end to end on a ledger of one record per commit', () => {
    const out = runBenchmark('bench/export.mjs', { BENCH_EXPORT_N: '60', BENCH_REPS: '1' });
    expect(out).toMatch(/verify-chain: .* \{"records":60,"commits":60\}/);
    expect(out).toMatch(/verify: .* \{"records":60,"commits":60\}/);
    expect(out).toMatch(/export: [\d.]+ s wall, [\d.]+ s CPU \(git [\d.]+ s\), peak RSS \d+ MB populations: .*grant-changes \d+/);
    const targets = expectTargets(out, 'export', [/^export: wall time/, /^export: peak RSS/, /^verify: wall time/]);
    expect(targets.map((t) => t.limit)).toEqual(['< 30 s', '< 1024 MB', '< 10 s']);
    for (const t of targets) {
      expect(t.measured).toMatch(/^\d+(\.\d+)? (s|MB)$/);
      expect(['met', 'NOT met']).toContain(t.result);
    }
  }, 180_000);

  it('mask: runs end to end', () => {
    const out = runBenchmark('bench/mask.mjs', { BENCH_MASK_N: '61', BENCH_REPS: '1' });
    expect(out).toMatch(/^export [\d.]+ s CPU; masking \d+ rows, \d+ text cells: \d+ ms CPU/m);
    expect(targetsOf(out)).toEqual([]);
  }, 180_000);
});
