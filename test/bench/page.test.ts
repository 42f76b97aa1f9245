/**
 * The benchmark of a population's own page stays runnable: at a tiny size (600 grants, so the
 * additions, 1,200 rows, get a page of their own) it exports in a fresh process, opens the page in
 * Chromium, checks every search's count against the population's rows, pages and lays out for
 * print, and leaves docs/performance.md alone. Nothing here is timed; the figures come from
 * `npm run bench:page`.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectTargets } from './smoke.ts';

const ROOT = join(import.meta.dirname, '..', '..');

describe('bench: a population’s own page', () => {
  it('runs end to end at a tiny size, every count checked, and leaves docs/performance.md alone', () => {
    const doc = readFileSync(join(ROOT, 'docs', 'performance.md'), 'utf8');
    const work = mkdtempSync(join(tmpdir(), 'bench-page-'));
    try {
      const r = spawnSync(process.execPath, ['bench/page.mjs'], {
        cwd: ROOT,
        encoding: 'utf8',
        env: { ...process.env, BENCH_ROOT: work, BENCH_PAGE_N: '600', BENCH_REPS: '1', BENCH_NO_WRITE: '1' },
      });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/^run 1: index.html open \d+ ms; additions.html open \d+ ms/m);
      expect(r.stdout).toContain('open populations/additions.html (1,200 rows, ');
      expect(r.stdout).toContain('status "rows 1–25 of 1,200 rows"');
      // The last row, far past the first page, is found; the page counts every match of the rows.
      expect(r.stdout).toContain('search "id-599" over all 1,200 rows: 3 matching (expected 3); status "rows 1–3 of 3 matching (of 1,200)"');
      expect(r.stdout).toMatch(/search "sys-3" over all 1,200 rows: (\d+) matching \(expected \1\)/);
      expect(r.stdout).toMatch(/search "approver7" in column \d+ over all 1,200 rows: (\d+) matching \(expected \1\)/);
      expect(r.stdout).toContain('search "no such identity" over all 1,200 rows: 0 matching (expected 0); status "0 matching (of 1,200)"');
      expect(r.stdout).toContain('next page: "rows 26–50 of 1,200 rows"; print: 1200 rows laid out, "Printed: all 1,200 rows."');
      const [open, searches] = expectTargets(r.stdout, 'page', [/^populations\/additions\.html \(1,200 rows\): open/, /^searches counting every matching row/]);
      expect(open!.measured).toMatch(/^\d+\.\d\d s$/);
      expect(open!.limit).toBe('< 2 s');
      expect(searches).toMatchObject({ measured: '4 searches', limit: '>= 4 searches', ratio: '1.00', result: 'met' });
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
    expect(readFileSync(join(ROOT, 'docs', 'performance.md'), 'utf8')).toBe(doc);
  }, 180_000);
});
