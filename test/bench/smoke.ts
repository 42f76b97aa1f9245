/** Runs a benchmark as `npm run bench:<name>` would, at a tiny size, without touching docs/performance.md. */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';

export const ROOT = join(import.meta.dirname, '..', '..');

export function runBenchmark(script: string, env: Record<string, string>): string {
  const doc = readFileSync(join(ROOT, 'docs', 'performance.md'), 'utf8');
  const r = spawnSync(process.execPath, [script], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...env, BENCH_NO_WRITE: '1' }, maxBuffer: 1 << 26 });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  expect(readFileSync(join(ROOT, 'docs', 'performance.md'), 'utf8')).toBe(doc);
  return r.stdout;
}
