/**
 * The layers of docs/architecture.md, enforced: every import in src/ and action/ is read and
 * checked against which layer may import which, and the core's imports of packages against the
 * short list of pure libraries it may use (no file system, network, process, GitHub or terminal).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = normalize(join(import.meta.dirname, '..', '..'));

type Layer = 'core' | 'adapters' | 'app' | 'cli' | 'action' | 'package.json' | 'policies' | 'other';

/** Which layers each layer may import (itself included). */
const MAY_IMPORT: Readonly<Record<Exclude<Layer, 'package.json' | 'policies' | 'other'>, readonly Layer[]>> = {
  core: ['core', 'policies', 'package.json'],
  adapters: ['core', 'adapters', 'policies'],
  app: ['core', 'adapters', 'app', 'policies'],
  cli: ['core', 'adapters', 'app', 'cli', 'policies', 'package.json'],
  action: ['core', 'adapters', 'action', 'policies'],
};

/** Packages the core may use: parsing, schemas, canonical JSON and hashing, all without I/O. */
const CORE_PACKAGES = ['yaml', 'ajv', 'ajv-formats', 'canonicalize', 'csv-parse/sync', 'node:crypto'];

function layerOf(path: string): Layer {
  const [top, second] = path.split('/');
  if (top === 'src') return (['core', 'adapters', 'app', 'cli'] as const).find((l) => l === second) ?? 'other';
  if (top === 'action') return 'action';
  if (top === 'policies') return 'policies';
  if (top === 'package.json') return 'package.json';
  return 'other';
}

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => relative(ROOT, join(e.parentPath, e.name)));
}

// Static imports and re-exports (`from '…'`, also across lines) and dynamic `import('…')`.
const IMPORT = /\bfrom\s+['"]([^'"]+)['"]|\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s+['"]([^'"]+)['"]/gm;

function importsOf(text: string): string[] {
  return [...text.matchAll(IMPORT)].map((m) => (m[1] ?? m[2] ?? m[3])!);
}

interface Edge {
  file: string;
  spec: string;
  from: Layer;
  to: Layer | null;
}

function edges(): Edge[] {
  const out: Edge[] = [];
  for (const file of [...sources('src'), ...sources('action')]) {
    const from = layerOf(file);
    for (const spec of importsOf(readFileSync(join(ROOT, file), 'utf8'))) {
      const to = spec.startsWith('.') ? layerOf(relative(ROOT, normalize(join(ROOT, dirname(file), spec)))) : null;
      out.push({ file, spec, from, to });
    }
  }
  return out;
}

describe('layers (docs/architecture.md)', () => {
  const all = edges();

  it('reads the imports of every source file', () => {
    expect(importsOf(`import { a } from './a.ts';\nexport type { B } from "../b.ts";\nconst c = await import('./c.ts');\nimport './side.ts';`)).toEqual([
      './a.ts',
      '../b.ts',
      './c.ts',
      './side.ts',
    ]);
    expect(all.filter((e) => e.from === 'core').length).toBeGreaterThan(100);
    expect(all.filter((e) => e.from === 'action').length).toBeGreaterThan(5);
  });

  it('each layer imports only the layers beneath it', () => {
    const broken = all
      .filter((e) => e.to !== null && e.from !== 'other' && e.from !== 'package.json' && e.from !== 'policies')
      .filter((e) => !MAY_IMPORT[e.from as keyof typeof MAY_IMPORT].includes(e.to!))
      .map((e) => `${e.file} (${e.from}) imports ${e.spec} (${e.to})`);
    expect(broken).toEqual([]);
  });

  it('the core imports no package that reaches the file system, the network, a process, GitHub or the terminal', () => {
    const broken = all.filter((e) => e.from === 'core' && e.to === null && !CORE_PACKAGES.includes(e.spec)).map((e) => `${e.file} imports ${e.spec}`);
    expect(broken).toEqual([]);
  });

  it('a layer outside the map is a mistake: every source file is in one', () => {
    expect(all.filter((e) => e.from === 'other').map((e) => e.file)).toEqual([]);
  });
});
