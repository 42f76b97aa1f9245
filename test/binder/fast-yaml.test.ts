/**
 * The binder's fast YAML reader either returns exactly what `yaml.parse` returns or gives up
 * (undefined) so the full parser runs: checked on realistic files and on the edge cases.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { fastParseYaml } from '../../src/core/binder/fast-yaml.ts';
import { grantYaml, systemYaml } from '../../bench/synthetic-repo.ts';

function same(text: string): 'fast' | 'fallback' {
  const fast = fastParseYaml(text);
  if (fast === undefined) return 'fallback';
  expect(fast, text).toEqual(parse(text));
  return 'fast';
}

function yamlFiles(dir: string): string[] {
  let out: string[] = [];
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out = out.concat(yamlFiles(full));
    else if (/\.ya?ml$/.test(name)) out.push(full);
  }
  return out;
}

describe('fastParseYaml', () => {
  it('reads the synthetic grant and system files exactly as yaml does', () => {
    for (let i = 0; i < 700; i++) expect(same(grantYaml(i))).toBe('fast');
    for (let i = 0; i < 20; i++) expect(same(systemYaml(i))).toBe('fast');
  });

  it('agrees with yaml on every example file (or falls back)', () => {
    const root = new URL('../../examples/', import.meta.url).pathname;
    let files: string[] = [];
    try {
      files = yamlFiles(root);
    } catch {
      files = [];
    }
    for (const f of files) same(readFileSync(f, 'utf8'));
  });

  it.each([
    ['a: 1\nb: true\nc: null\nd: ~\ne:\n', 'fast'],
    ['a: "x # y"\n', 'fallback'],
    ["a: 'it''s'\n", 'fast'],
    ['a: "it\\"s"\n', 'fallback'],
    ['a: value # a comment\n', 'fast'],
    ['a: [x, "y", \'z\']\n', 'fast'],
    ['a: []\nb: [1, 2]\n', 'fast'],
    ['a: {x: 1}\n', 'fallback'],
    ['a: &anchor 1\nb: *anchor\n', 'fallback'],
    ['a: |\n  text\n', 'fallback'],
    ['a: 1.5\n', 'fallback'],
    ['a: 0x10\n', 'fallback'],
    ['a: 010\n', 'fallback'],
    ['a: 2026-01-31\n', 'fast'],
    ['a: 2026-01-31T10:00:00Z\n', 'fallback'],
    ['a: yes\nb: no\nc: on\n', 'fast'],
    ['a: 1\na: 2\n', 'fallback'],
    ['---\na: 1\n', 'fallback'],
    ['a: 1\n---\nb: 2\n', 'fallback'],
    ['list:\n- a\n- b\n', 'fast'],
    ['list:\n  - x: 1\n    y: two\n  - x: 3\n', 'fast'],
    ['list:\n  -\n    x: 1\n', 'fast'],
    ['a:\n  b:\n    c: deep\n', 'fast'],
    ['a: b: c\n', 'fallback'],
    ['a:\tb\n', 'fallback'],
    ['"quoted key": 1\n', 'fallback'],
    ['a: !!str 1\n', 'fallback'],
    ['a: .inf\n', 'fallback'],
    ['a: https://example.com/x#frag\n', 'fast'],
    ['a: vault:kv/billing/exporter\n', 'fast'],
    ['  a: 1\n', 'fallback'],
    ['a: 1\n  b: 2\n', 'fallback'],
    ['- a\n- b\n', 'fast'],
    ['__proto__: 1\n', 'fallback'],
  ])('%j → %s', (text, path) => {
    expect(same(text)).toBe(path);
  });
});
