/**
 * The App finds the access repos on its own. Started without ACCESS_LEDGER_REPOSITORIES (the
 * default deployment), its sweep lists the installation's repositories page by page with
 * `GET /installation/repositories`, keeps the ones that have an access-ledger.yaml, and sweeps
 * those. The sweep is started the way an external cron starts it: `POST /api/access-ledger/sweep`
 * with the shared secret.
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killAll, seedAcme, startApp, startFakeGitHub, tail, tempDir, waitFor, type AppProcess, type FakeGitHub, type World } from '../support/e2e/index.ts';

const SECRET = 'discovery-cron-secret-0123456789';
/** More repositories than one page of 100, created before the access repo so it is listed on page 2. */
const OTHER_REPOS = 101;

let fake: FakeGitHub;
let app: AppProcess;
let dir: string | undefined;
let world: World;

beforeAll(async () => {
  fake = await startFakeGitHub({ seed: 7 });
  fake.state.createOrg('acme');
  for (let i = 0; i < OTHER_REPOS; i++) fake.state.createRepo(`acme/service-${String(i).padStart(3, '0')}`, { files: { 'README.md': `# service ${i}\n` } });
  world = seedAcme(fake);
  // An access repo the App is not installed on: never listed, never read.
  fake.state.createRepo('globex/access', { files: { 'access-ledger.yaml': 'version: 1\norganization: globex\n' } });
  app = await startApp({ fake, dir: (dir = tempDir('discovery')), env: { ACCESS_LEDGER_CRON_SECRET: SECRET } });
}, 60_000);

afterAll(async () => {
  await app?.stop().catch(() => undefined);
  await fake?.close();
  killAll();
  if (dir) rmSync(dir, { recursive: true, force: true });
}, 60_000);

/** Paths (without the /api/v3 prefix) the App requested under one repository. */
function pathsUnder(repo: string): string[] {
  return fake.requests.filter((r) => r.path.startsWith(`/repos/${repo}/`) || r.path === `/repos/${repo}`).map((r) => r.path.slice(`/repos/${repo}`.length));
}

describe('the App without ACCESS_LEDGER_REPOSITORIES', { timeout: 120_000 }, () => {
  it('its sweep lists the installation through GET /installation/repositories and sweeps the repo with an access-ledger.yaml', async () => {
    const res = await fetch(`${app.origin}/api/access-ledger/sweep`, { method: 'POST', headers: { authorization: `Bearer ${SECRET}` } });
    expect([res.status, await res.json()]).toEqual([202, { status: 'started' }]);

    const swept = `swept ${world.repo}@main as of ${world.today}`;
    await waitFor(
      () => {
        if (/sweep of (installation|[\w-]+\/[\w.-]+) .*failed/.test(app.log)) throw new Error(`the App's sweep failed:\n${tail(app.log)}`);
        return app.log.includes(swept);
      },
      { what: `the App's log line "${swept}"`, timeoutMs: 90_000, detail: () => tail(app.log) },
    );

    // Two pages of 100: the access repo is the 102nd repository of the installation.
    const listings = fake.requests.filter((r) => r.route === 'GET /installation/repositories');
    expect(listings.map((r) => r.status)).toEqual([200, 200]);

    // Every listed repository was asked for its config; the others were read no further.
    for (const repo of ['acme/service-000', 'acme/service-100']) {
      expect(
        pathsUnder(repo).every((p) => /^\/contents\/access-ledger\.ya?ml$/.test(p)),
        `${repo}: ${pathsUnder(repo).join(', ')}`,
      ).toBe(true);
      expect(pathsUnder(repo)).toContain('/contents/access-ledger.yaml');
    }
    // The access repo was swept: read beyond its config.
    expect(pathsUnder(world.repo).filter((p) => !p.startsWith('/contents/access-ledger.'))).not.toEqual([]);
    expect(app.log.match(/swept [\w-]+\/[\w.-]+@/g)).toEqual([`swept ${world.repo}@`]);
    expect(pathsUnder('globex/access')).toEqual([]);
    expect(fake.errors).toEqual([]);
  });
});
