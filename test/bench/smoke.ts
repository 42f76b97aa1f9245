/** Runs a benchmark as `npm run bench:<name>` would, at a tiny size, without touching docs/performance.md. */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { parseTargetLine, type TargetLine } from '../../bench/targets.ts';

export const ROOT = join(import.meta.dirname, '..', '..');

export function runBenchmark(script: string, env: Record<string, string>, args: string[] = []): string {
  const doc = readFileSync(join(ROOT, 'docs', 'performance.md'), 'utf8');
  const r = spawnSync(process.execPath, [script, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, ...env, BENCH_NO_WRITE: '1' },
    maxBuffer: 1 << 26,
  });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  expect(readFileSync(join(ROOT, 'docs', 'performance.md'), 'utf8')).toBe(doc);
  return r.stdout;
}

/** Every TARGET line of a benchmark's output (bench/targets.ts); a malformed one throws, quoting it. */
export function targetsOf(out: string): TargetLine[] {
  return out.split('\n').flatMap((line) => {
    const t = parseTargetLine(line);
    return t ? [t] : [];
  });
}

/**
 * A benchmark that states targets prints one well-formed TARGET line for each, under its own name,
 * in the order given (each name matched by its pattern); returns them for the test's own checks.
 */
export function expectTargets(out: string, bench: string, whats: RegExp[]): TargetLine[] {
  const targets = targetsOf(out);
  expect(targets.length, `TARGET lines of bench:${bench}:\n${targets.map((t) => t.what).join('\n')}`).toBe(whats.length);
  targets.forEach((t, i) => {
    expect(t.bench).toBe(bench);
    expect(t.what).toMatch(whats[i]!);
  });
  return targets;
}
