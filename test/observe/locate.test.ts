/**
 * The line walk that places drift findings gives the validator's own positions: for every node of
 * every grant file the tests, the examples and the benchmarks use, `blockLocate` agrees with the
 * full reader, or declines (and the full reader answers).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fastParseYaml } from '../../src/core/binder/fast-yaml.ts';
import { parseYamlFile, type YamlPath } from '../../src/core/model/yaml-file.ts';
import { blockLocate } from '../../src/core/observe/locate.ts';
import { grantYaml } from '../../bench/synthetic-repo.ts';
import { driftGrantYaml } from '../../bench/drift-snapshots.ts';

const ROOT = new URL('../../', import.meta.url).pathname;

function yamlFiles(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir)) {
    const full = join(dir, e);
    if (statSync(full).isDirectory()) yamlFiles(full, out);
    else if (/\.ya?ml$/.test(e)) out.push(full);
  }
  return out;
}

/** Every path into the value, plus some that lead nowhere. */
function paths(value: unknown, prefix: YamlPath = []): YamlPath[] {
  const out: YamlPath[] = [prefix];
  if (Array.isArray(value)) {
    value.forEach((v, i) => {
      out.push(...paths(v, [...prefix, i]));
    });
    out.push([...prefix, value.length]);
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) out.push(...paths(v, [...prefix, k]));
    out.push([...prefix, 'no_such_key']);
  }
  return out;
}

const texts: [string, string][] = [
  ...yamlFiles(join(ROOT, 'examples')).map((f): [string, string] => [f.slice(ROOT.length), readFileSync(f, 'utf8')]),
  ...Array.from({ length: 14 }, (_, i): [string, string] => [`the validate benchmark's grant ${i}`, grantYaml(i)]),
  ...Array.from({ length: 11 }, (_, i): [string, string] => [`the drift benchmark's grant ${i}`, driftGrantYaml(i)]),
  ['indented sequence and item maps', 'identity:\n  id: a\naccess:\n- system: db\n  role: r\n  accounts: [x, y]\n-   system: wiki\n    role: "q"  # quoted\n'],
  ['nested items and empty-ish values', "a:\n  b:\n    - - x\n    -\n      c: 1\n  d: null\n  e: 's'\nf:\n  - 1\n  - two\n"],
  ['comments between keys', '# head\nidentity:\n  # inner\n  id: a   # trailing\n\n  kind: human\naccess: []\n'],
];

describe('blockLocate', () => {
  it.each(texts.filter(([, t]) => fastParseYaml(t) !== undefined))('%s: agrees with the full reader wherever it answers', (_, text) => {
    const full = parseYamlFile('x.yaml', text);
    let answered = 0;
    for (const p of paths(fastParseYaml(text))) {
      for (const key of [false, true]) {
        const fast = blockLocate(text, p, key);
        if (fast === undefined) continue;
        answered++;
        expect(fast, `${JSON.stringify(p)} key=${key}`).toEqual(full.locate(p, key));
      }
    }
    expect(answered).toBeGreaterThan(0);
  });

  it('answers the paths the observed rules point at', () => {
    const text =
      'identity:\n  id: a\n  github: a-gh\ncredential:\n  type: static-secret\n  rotation_days: 90\n  last_rotated: 2026-10-01\naccess:\n  - system: db\n    role: reader\n    privileged: false\n    expires: 2027-01-31\n';
    for (const [p, key] of [
      [['access'], true],
      [['access', 0], false],
      [['access', 0, 'system'], false],
      [['access', 0, 'role'], false],
      [['access', 0, 'privileged'], false],
      [['access', 0, 'expires'], false],
      [['identity', 'id'], false],
      [['identity', 'github'], false],
      [['credential', 'rotation_days'], false],
      [['credential', 'last_rotated'], false],
      [['credential'], true],
    ] as const) {
      expect(blockLocate(text, p as unknown as YamlPath, key), JSON.stringify(p)).toEqual(parseYamlFile('x', text).locate(p as unknown as YamlPath, key));
    }
  });
});
