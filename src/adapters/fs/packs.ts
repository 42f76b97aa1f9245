/** The built-in policy packs shipped in the product's policies/ folder. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import type { Pack } from '../../core/engine/policy.ts';

/**
 * Found by walking up from this module, so the same code works from src/ and from the Action's
 * bundle in dist/ (the Action's checkout carries policies/ beside dist/).
 */
function findPoliciesDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'policies');
    if (existsSync(join(candidate, 'soc2-baseline.yaml'))) return candidate + '/';
    const parent = dirname(dir);
    if (parent === dir) throw new Error('the built-in policy packs (policies/*.yaml) are missing from this installation');
    dir = parent;
  }
}

export const POLICIES_DIR = findPoliciesDir();

let cache: Map<string, Pack> | undefined;

export function loadBuiltinPacks(): Map<string, Pack> {
  if (!cache) {
    cache = new Map();
    for (const name of readdirSync(POLICIES_DIR)) {
      if (!name.endsWith('.yaml')) continue;
      const pack = parse(readFileSync(POLICIES_DIR + name, 'utf8')) as Pack;
      cache.set(pack.name, pack);
    }
  }
  return cache;
}
