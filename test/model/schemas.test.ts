/**
 * The published JSON Schemas are what an editor shows while someone writes a grant: every key
 * explains itself (a description), examples and defaults are valid values, and the schema URL
 * the docs and examples give names the release, not a branch that moves.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../cli/run-cli.ts';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const NAMES = ['config', 'grant', 'system'] as const;

type Node = Record<string, unknown>;
const schemaOf = (name: string) => JSON.parse(readFileSync(join(ROOT, 'policies', 'schemas', `${name}.schema.json`), 'utf8')) as Node;

/** Every property schema, by its path: under `properties`, and a map's value schema under `additionalProperties`. */
function properties(node: unknown, path: string, out: { path: string; node: Node }[] = []): { path: string; node: Node }[] {
  if (!node || typeof node !== 'object') return out;
  if (Array.isArray(node)) {
    node.forEach((n, i) => {
      properties(n, `${path}[${i}]`, out);
    });
    return out;
  }
  const n = node as Node;
  for (const [key, value] of Object.entries((n.properties as Node | undefined) ?? {})) {
    out.push({ path: `${path}.${key}`, node: value as Node });
    properties(value, `${path}.${key}`, out);
  }
  if (n.additionalProperties && typeof n.additionalProperties === 'object') {
    out.push({ path: `${path}.*`, node: n.additionalProperties as Node });
    properties(n.additionalProperties, `${path}.*`, out);
  }
  // `if`/`then` restate constraints of properties described above; they declare no new key.
  for (const key of ['items', 'anyOf', 'oneOf', 'allOf']) if (n[key]) properties(n[key], `${path}${key === 'items' ? '[]' : `/${key}`}`, out);
  return out;
}

function compile() {
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  for (const other of NAMES) ajv.addSchema(schemaOf(other));
  return ajv;
}

describe.each(NAMES)('%s.schema.json', (name) => {
  const schema = schemaOf(name);

  it('describes every property', () => {
    const found = properties(schema, name);
    expect(found.length).toBeGreaterThan(10);
    expect(found.filter((p) => typeof p.node.description !== 'string' || p.node.description.length < 10).map((p) => p.path)).toEqual([]);
  });

  it('the check can fail: a property without a description is found', () => {
    const broken = structuredClone(schema);
    const first = Object.keys(broken.properties as Node)[0]!;
    delete (broken.properties as Record<string, Node>)[first]!.description;
    expect(
      properties(broken, name)
        .filter((p) => typeof p.node.description !== 'string')
        .map((p) => p.path),
    ).toContain(`${name}.${first}`);
  });

  it('gives examples and defaults that are valid values of their property', () => {
    const ajv = compile();
    let checked = 0;
    for (const { path, node } of properties(schema, name)) {
      const { examples, default: dflt, description: _d, ...rest } = node as Node & { examples?: unknown[]; default?: unknown };
      const values = [...((examples as unknown[] | undefined) ?? []), ...(dflt !== undefined ? [dflt] : [])];
      if (values.length === 0) continue;
      // Refs inside a property resolve against the whole file.
      const validate = ajv.compile({ ...rest, definitions: schema.definitions });
      for (const v of values) {
        checked++;
        expect(validate(v), `${path}: ${JSON.stringify(v)} ${JSON.stringify(validate.errors)}`).toBe(true);
      }
    }
    expect(checked).toBeGreaterThan(5);
  });
});

describe('schema URLs in the docs and the examples', () => {
  function files(dir: string, out: string[] = []): string[] {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.name === 'node_modules' || e.name.startsWith('.')) continue;
      const full = join(dir, e.name);
      if (e.isDirectory()) files(full, out);
      else if (/\.(md|ya?ml)$/.test(e.name)) out.push(full);
    }
    return out;
  }

  it(`name the release v${VERSION}, never a branch`, () => {
    const urls: string[] = [];
    for (const f of [join(ROOT, 'README.md'), ...files(join(ROOT, 'docs')), ...files(join(ROOT, 'examples'))]) {
      for (const m of readFileSync(f, 'utf8').matchAll(
        /https:\/\/raw\.githubusercontent\.com\/access-ledger\/access-ledger\/([^/\s]+)\/policies\/schemas\/[a-z]+\.schema\.json/g,
      )) {
        urls.push(`${relative(ROOT, f)} ${m[1]}`);
      }
    }
    expect(urls.length).toBeGreaterThan(0);
    expect(urls.filter((u) => !u.endsWith(` v${VERSION}`))).toEqual([]);
  });
});
