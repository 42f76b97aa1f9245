/**
 * `npm run bench:export` and `npm run bench:mask` still run: a ledger of one record per commit,
 * `export` and `verify` as the CLI runs them and the floor, each a whole process, at a tiny size.
 * Nothing here is timed.
 */
import { describe, expect, it } from 'vitest';
import { runBenchmark } from './smoke.ts';

describe('bench: export and mask', () => {
  it('export: runs end to end on a ledger of one record per commit', () => {
    const out = runBenchmark('bench/export.mjs', { BENCH_EXPORT_N: '60', BENCH_REPS: '1' });
    expect(out).toMatch(/verify-chain: .* \{"records":60,"commits":60\}/);
    expect(out).toMatch(/verify: .* \{"records":60,"commits":60\}/);
    expect(out).toMatch(/export: [\d.]+ s wall, [\d.]+ s CPU \(git [\d.]+ s\), peak RSS \d+ MB populations: .*grant-changes \d+/);
  }, 180_000);

  it('mask: runs end to end', () => {
    const out = runBenchmark('bench/mask.mjs', { BENCH_MASK_N: '61', BENCH_REPS: '1' });
    expect(out).toMatch(/^export [\d.]+ s CPU; masking \d+ rows, \d+ text cells: \d+ ms CPU/m);
  }, 180_000);
});
