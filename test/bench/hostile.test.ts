/**
 * The hostile-file benchmark stays runnable: its files are what they claim (under their size,
 * the ordinary one passing every rule), and the benchmark runs end to end at a tiny size without
 * touching docs/performance.md. Nothing here is timed; the figures come from `npm run bench:hostile`.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BENCH_CONFIG, HOSTILE, benchSystems, ordinaryGrant } from '../../bench/hostile-grants.ts';
import { BENCH_TODAY } from '../../bench/synthetic-repo.ts';
import { run } from '../rules/harness.ts';
import { expectTargets } from './smoke.ts';

const ROOT = join(import.meta.dirname, '..', '..');

describe('bench: hostile grant files', () => {
  it.each([2048, 65_536, 1 << 20])('every file fits in %i bytes', (bytes) => {
    for (const make of [ordinaryGrant, ...HOSTILE.map((h) => h.make)]) {
      const text = make(bytes);
      expect(Buffer.byteLength(text)).toBeLessThanOrEqual(bytes);
      expect(Buffer.byteLength(text)).toBeGreaterThan(bytes * 0.9);
    }
  });

  it.each([2048, 1 << 20])('the ordinary file of %i bytes passes every rule', (bytes) => {
    expect(run({ 'grants/hostile.yaml': ordinaryGrant(bytes) }, { systems: benchSystems(), config: BENCH_CONFIG, today: BENCH_TODAY })).toEqual([]);
  });

  it('runs end to end at a tiny size, in both modes, and leaves docs/performance.md alone', () => {
    const doc = readFileSync(join(ROOT, 'docs', 'performance.md'), 'utf8');
    const only = ['url-scheme', 'many-keys', 'alias-expansion'];
    const r = spawnSync(process.execPath, ['bench/hostile.mjs'], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, BENCH_HOSTILE_SIZES: '2048', BENCH_REPS: '1', BENCH_NO_WRITE: '1', BENCH_HOSTILE_ONLY: only.join(',') },
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    for (const mode of ['validate', 'gate']) {
      for (const name of ['ordinary', ...only]) expect(r.stdout).toMatch(new RegExp(`2 KiB ${mode} +${name} +judged +\\d+ ms`));
    }
    const [slowest] = expectTargets(r.stdout, 'hostile', [
      /^slowest hostile file: judged \((url-scheme|many-keys|alias-expansion), 2 KiB, (validate|gate)\), median$/,
    ]);
    expect(slowest!.measured).toMatch(/^\d+\.\d{3} s$/);
    expect(slowest!.limit).toBe('< 1 s');
    expect(readFileSync(join(ROOT, 'docs', 'performance.md'), 'utf8')).toBe(doc);
  }, 120_000);
});
