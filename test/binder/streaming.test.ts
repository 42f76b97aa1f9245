/**
 * The export streams every population to its files and reads back only the sampled rows: the
 * sampled rows are exactly the population's rows at the numbers drawn, file contents survive
 * whatever falls on the boundaries of git's output, a blob at two paths is read for both, no
 * scratch file is left behind, and a failed export leaves nothing at all.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { buildFixture, gitIn, type Fixture } from './fixture.ts';
import { readJson, run } from './support.ts';

const PERIOD = ['--from', '2026-01-01', '--to', '2026-12-31'];
const BIG = 'grants/big/übergroß team.yaml';
const JUSTIFICATION = Array.from({ length: 40 }, (_, i) => `Needed for ünïcödé 漢字 work item ${i} 🙂`).join(' ');
// ~200 KB of comment lines in front, so the file spans many pieces of git's output.
const PREAMBLE = Array.from({ length: 3000 }, (_, i) => `# note ${i}: ünïcödé 漢字 🙂 ${'é'.repeat(i % 17)}\n`).join('');

let fx: Fixture;
let work: string;
let out: string;

function write(path: string, content: string): void {
  mkdirSync(dirname(join(fx.dir, path)), { recursive: true });
  writeFileSync(join(fx.dir, path), content);
}

beforeAll(async () => {
  fx = buildFixture();
  work = mkdtempSync(join(tmpdir(), 'binder-stream-'));
  // A copy of a grant (the same blob at two paths), and a grant file of ~200 KB of multi-byte text.
  write('grants/humans/alice-copy.yaml', readFileSync(join(fx.dir, 'grants/humans/alice.yaml'), 'utf8'));
  write(
    BIG,
    `${PREAMBLE}identity:\n  id: big\n  kind: human\n  owner: carol\n  github: big\naccess:\n  - system: prod-db\n    role: read\n    privileged: false\n    justification: ${JUSTIFICATION}\n    expires: 2026-12-31\n`,
  );
  gitIn(fx.dir, ['add', '-A'], '2026-08-01T10:00:00Z');
  gitIn(fx.dir, ['commit', '-q', '-m', 'Copy alice; add a large grant'], '2026-08-01T10:00:00Z');
  out = join(work, 'binder');
  const r = await run(['export', '--repo', fx.dir, ...PERIOD, '--out', out, '--seed', '5', '--sample', '3']);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
});

afterAll(() => {
  fx?.cleanup();
  if (work) rmSync(work, { recursive: true, force: true });
});

const csvLines = (path: string): string[] => readFileSync(join(out, path), 'utf8').trimEnd().split('\r\n');

describe('streamed populations', () => {
  it('each sampled row is the population’s row at the number drawn, in CSV and in JSON', () => {
    const samples = readJson(out, 'samples.json').samples as { population: string; rows: number[] }[];
    let checked = 0;
    for (const s of samples) {
      const pop = csvLines(`populations/${s.population}.csv`);
      const json = readJson(out, `populations/${s.population}.json`).rows as unknown[];
      const sampled = csvLines(`samples/${s.population}.csv`);
      expect(sampled[0]).toBe(`draw,row,${pop[0]}`);
      s.rows.forEach((row, k) => {
        expect(sampled[k + 1], `${s.population} draw ${k + 1}`).toBe(`${k + 1},${row},${pop[row]}`);
        checked++;
      });
      const chains = (readJson(out, 'chains.json').chains as { population: string; row: number; item: { path: string | null } }[]).filter(
        (c) => c.population === s.population,
      );
      expect(chains.map((c) => c.row + 1)).toEqual(s.rows);
      for (const c of chains) if (c.item.path !== null && 'path' in (json[c.row] as object)) expect(c.item.path).toBe((json[c.row] as { path: string }).path);
    }
    expect(checked).toBe(samples.reduce((n, s) => n + s.rows.length, 0));
    expect(checked).toBeGreaterThan(10);
  });

  it('keeps a large file’s multi-byte text intact', () => {
    const addition = (readJson(out, 'populations/additions.json').rows as { path: string; justification: string }[]).find((r) => r.path === BIG)!;
    expect(addition.justification).toBe(parse(readFileSync(join(fx.dir, BIG), 'utf8')).access[0].justification);
    expect(addition.justification).toBe(JUSTIFICATION);
    expect(readFileSync(join(out, 'populations/additions.csv'), 'utf8')).toContain(`,${JUSTIFICATION},`);
  });

  it('reads a blob that sits at two paths for both', () => {
    const paths = (readJson(out, 'populations/inventory.json').rows as { path: string; blob: string }[]).filter((r) =>
      r.path.startsWith('grants/humans/alice'),
    );
    expect(paths.map((r) => r.path).sort()).toEqual([
      'grants/humans/alice-copy.yaml',
      'grants/humans/alice-copy.yaml',
      'grants/humans/alice.yaml',
      'grants/humans/alice.yaml',
    ]);
    expect(new Set(paths.map((r) => r.blob)).size).toBe(1);
  });

  it('leaves no scratch file behind', () => {
    expect(readdirSync(out).sort()).toEqual([
      'binder.json',
      'chains.json',
      'control-matrix.csv',
      'control-matrix.json',
      'evidence-map.csv',
      'evidence-map.json',
      'index.html',
      'manifest.json',
      'populations',
      'samples',
      'samples.json',
      'summary.md',
      'verification.json',
    ]);
    expect(readdirSync(work)).toEqual(['binder']);
  });
});

describe('a failed export', () => {
  it('leaves neither a binder nor a partial one, and says how to fix the clone', async () => {
    const broken = buildFixture();
    try {
      // A grant blob of the period missing from the clone (as in a partial clone).
      const blob = gitIn(broken.dir, ['rev-parse', `${broken.commits.addDan!.sha}:grants/humans/dan.yaml`]).trim();
      rmSync(join(broken.dir, '.git', 'objects', blob.slice(0, 2), blob.slice(2)));
      const target = join(work, 'failed', 'binder');
      const r = await run(['export', '--repo', broken.dir, ...PERIOD, '--out', target]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/is missing from the clone.*fetch/);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(readdirSync(join(work, 'failed'))).toEqual([]);
    } finally {
      broken.cleanup();
    }
  });
});
