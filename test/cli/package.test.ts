import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from './run-cli.ts';

/**
 * Node does not strip types inside node_modules, so the published package must run from the
 * compiled build/. This packs the package the way `npm publish` would (prepack builds it),
 * installs it into a project whose other dependencies are this repo's own, and runs it.
 */
describe('the published package', () => {
  const work = mkdtempSync(join(tmpdir(), 'al-pack-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('installs and runs from node_modules with the compiled build', () => {
    const tarball = execFileSync('npm', ['pack', '--silent', '--pack-destination', work], { cwd: ROOT, encoding: 'utf8' }).trim().split('\n').pop()!;
    const modules = join(work, 'project', 'node_modules');
    mkdirSync(join(modules, 'access-ledger'), { recursive: true });
    execFileSync('tar', ['xzf', join(work, tarball), '-C', join(modules, 'access-ledger'), '--strip-components=1']);
    // The package's dependencies, as an install would place them beside it.
    for (const name of readdirSync(join(ROOT, 'node_modules'))) {
      if (name.startsWith('.') || name === 'access-ledger') continue;
      symlinkSync(join(ROOT, 'node_modules', name), join(modules, name));
    }
    const bin = join(modules, 'access-ledger', 'bin', 'access-ledger.js');
    const run = spawnSync(process.execPath, [bin, 'validate', join(ROOT, 'examples/access-repo'), '--today', '2026-11-26', '--format', 'json'], {
      cwd: join(work, 'project'),
      encoding: 'utf8',
    });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout).summary).toMatchObject({ errors: 0, grants: 28 });
  });
});
