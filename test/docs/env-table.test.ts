/**
 * docs/app.md has one table of every environment variable the App and the CLI read: a variable
 * read in src/app or src/cli (as `env.NAME` or `process.env.NAME`) that the table does not list
 * fails here, and so does a row without a default and a meaning.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../cli/run-cli.ts';

function sources(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, e.name);
    if (e.isDirectory()) sources(full, out);
    else if (e.name.endsWith('.ts')) out.push(full);
  }
  return out;
}

/** Rows of the Environment table: variable names (a row may name two) → its cells. */
function table(): Map<string, string[]> {
  const md = readFileSync(join(ROOT, 'docs/app.md'), 'utf8');
  const section = md.slice(md.indexOf('## Environment'), md.indexOf('## Deployment'));
  const rows = new Map<string, string[]>();
  for (const line of section.split('\n')) {
    if (!line.startsWith('| `')) continue;
    const cells = line
      .split('|')
      .slice(1, -1)
      .map((c) => c.trim());
    for (const m of cells[0]!.matchAll(/`([A-Z_][A-Z0-9_]*)`/g)) rows.set(m[1]!, cells);
  }
  return rows;
}

describe('the environment table in docs/app.md', () => {
  const rows = table();

  it('lists every variable the App and the CLI read', () => {
    const read = new Set<string>();
    for (const file of [...sources(join(ROOT, 'src/app')), ...sources(join(ROOT, 'src/cli'))]) {
      for (const m of readFileSync(file, 'utf8').matchAll(/\benv\.([A-Z][A-Z0-9_]+)\b/g)) read.add(m[1]!);
    }
    expect(read.size).toBeGreaterThan(10);
    expect([...read].filter((name) => !rows.has(name)).sort()).toEqual([]);
  });

  it("lists Probot's own variables", () => {
    for (const name of [
      'APP_ID',
      'PRIVATE_KEY',
      'PRIVATE_KEY_PATH',
      'WEBHOOK_SECRET',
      'WEBHOOK_PATH',
      'PORT',
      'HOST',
      'LOG_LEVEL',
      'LOG_FORMAT',
      'GHE_HOST',
      'GHE_PROTOCOL',
      'REDIS_URL',
      'SENTRY_DSN',
      'NODE_ENV',
    ]) {
      expect(rows.has(name), name).toBe(true);
    }
  });

  it('gives each a reader, a default and a meaning', () => {
    for (const [name, cells] of rows) {
      expect(cells, name).toHaveLength(4);
      for (const cell of cells) expect(cell.length, `${name}: ${cells.join(' | ')}`).toBeGreaterThan(1);
    }
  });
});
