/**
 * The committed dist/ is what `npm run bundle` builds from the current sources (the "check dist"
 * convention of actions/typescript-action): the Action runs dist/, not src/, so a stale bundle
 * would ship old behaviour under a new version.
 */
import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const root = fileURLToPath(new URL('../..', import.meta.url));

async function contents(dir: string): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  for (const name of (await readdir(dir)).sort()) out.set(name, await readFile(join(dir, name)));
  return out;
}

describe('dist/', () => {
  it('is current: run `npm run bundle` and commit dist/ when this fails', async () => {
    const fresh = await mkdtemp(join(tmpdir(), 'access-ledger-dist-'));
    let built: Map<string, Buffer>;
    try {
      await promisify(execFile)(process.execPath, [join(root, 'scripts/bundle.mjs'), '--outdir', fresh], { cwd: root });
      built = await contents(fresh);
    } finally {
      await rm(fresh, { recursive: true, force: true });
    }
    const committed = await contents(join(root, 'dist'));
    expect([...committed.keys()], 'run npm run bundle and commit dist/').toEqual([...built.keys()]);
    for (const [name, bytes] of built) {
      expect(committed.get(name)!.equals(bytes), `dist/${name} differs from a fresh build: run npm run bundle and commit dist/`).toBe(true);
    }
  });
});
