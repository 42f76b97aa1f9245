/**
 * The binder links commits and ledger records on the server the repository lives on: github.com,
 * or a GitHub Enterprise Server named by --server-url, by GITHUB_SERVER_URL (as a workflow has
 * it), or by the clone's origin remote. Never a hard-coded github.com.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRemoteUrl } from '../../src/adapters/git/history.ts';
import { buildFixture, gitIn, type Fixture } from './fixture.ts';
import { run } from './support.ts';

describe('the origin remote, as the clone has it', () => {
  it.each([
    ['https://github.com/acme/access.git', 'https://github.com', 'acme/access'],
    ['https://github.com/acme/access', 'https://github.com', 'acme/access'],
    ['git@github.com:acme/access.git', 'https://github.com', 'acme/access'],
    ['https://github.acme.internal/acme/access.git', 'https://github.acme.internal', 'acme/access'],
    ['https://x-access-token:secret@github.acme.internal/acme/access.git', 'https://github.acme.internal', 'acme/access'],
    ['http://ghe.local:8080/acme/access.git', 'http://ghe.local:8080', 'acme/access'],
    ['git@github.acme.internal:acme/access.git', 'https://github.acme.internal', 'acme/access'],
    ['ssh://git@github.acme.internal:2222/acme/access.git', 'https://github.acme.internal', 'acme/access'],
  ])('%s → %s %s', (url, serverUrl, repository) => {
    expect(parseRemoteUrl(url)).toEqual({ serverUrl, repository });
  });

  it.each(['/srv/git/access.git', '../acme/access', 'file:///srv/git/acme/access.git', 'https://github.com/acme'])(
    '%s names no server and repository',
    (url) => {
      expect(parseRemoteUrl(url)).toBeNull();
    },
  );
});

describe('links in the binder', () => {
  let fx: Fixture;
  const outs: string[] = [];
  beforeAll(() => {
    fx = buildFixture();
  });
  afterAll(() => {
    fx.cleanup();
    for (const o of outs) rmSync(dirname(o), { recursive: true, force: true });
  });

  async function exportWith(origin: string, extra: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<string> {
    gitIn(fx.dir, ['remote', 'set-url', 'origin', origin]);
    const out = join(mkdtempSync(join(tmpdir(), 'al-links-')), 'binder');
    outs.push(out);
    const r = await run(['export', '--repo', fx.dir, '--from', '2026-01-01', '--to', '2026-06-30', '--out', out, ...extra], '2026-11-20T10:00:00Z', env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    return readFileSync(join(out, 'chains.json'), 'utf8');
  }

  const commitLinks = (chains: string) => [...chains.matchAll(/"(https?:\/\/[^"]+\/commit\/[0-9a-f]{40})"/g)].map((m) => m[1]!);

  it('on github.com, to github.com', async () => {
    const links = commitLinks(await exportWith('https://github.com/acme/access.git'));
    expect(links.length).toBeGreaterThan(0);
    expect(links.every((l) => l.startsWith('https://github.com/acme/access/commit/'))).toBe(true);
  });

  it("on a GitHub Enterprise Server, to that server, from the clone's origin", async () => {
    const chains = await exportWith('git@github.acme.internal:acme/access.git');
    const links = commitLinks(chains);
    expect(links.length).toBeGreaterThan(0);
    expect(links.every((l) => l.startsWith('https://github.acme.internal/acme/access/commit/'))).toBe(true);
    expect(chains).not.toMatch(/https:\/\/github\.com\/acme\/access\/(commit|blob)\//);
  });

  it('GITHUB_SERVER_URL, as a workflow has it, wins over the origin', async () => {
    const links = commitLinks(await exportWith('https://github.com/acme/access.git', [], { GITHUB_SERVER_URL: 'https://github.acme.internal' }));
    expect(links.every((l) => l.startsWith('https://github.acme.internal/acme/access/commit/'))).toBe(true);
  });

  it('--server-url wins over both', async () => {
    const links = commitLinks(
      await exportWith('https://github.com/acme/access.git', ['--server-url', 'https://ghe.acme.example/'], {
        GITHUB_SERVER_URL: 'https://github.acme.internal',
      }),
    );
    expect(links.length).toBeGreaterThan(0);
    expect(links.every((l) => l.startsWith('https://ghe.acme.example/acme/access/commit/'))).toBe(true);
  });

  it('--server-url must be a web root', async () => {
    const r = await run([
      'export',
      '--repo',
      fx.dir,
      '--from',
      '2026-01-01',
      '--to',
      '2026-06-30',
      '--out',
      join(tmpdir(), 'never'),
      '--server-url',
      'github.acme.internal',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--server-url must be the web root of a GitHub server, like https:\/\/github\.acme\.internal/);
  });
});
