/**
 * The GitHub organization connector against the stateful fake GitHub: every listing paged to its
 * end and counted, a refused permission named (or recorded as a gap when asked), and the snapshot
 * recorded on the ledger with its raw export, which reproduces the same accounts from git alone.
 */
import { APP_LOGIN, TEST_SIGNING_KEY, testSigner, withLedgerTrust } from '../support/ledger-keys.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Octokit } from '@octokit/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { observeOrganization, type ObserveOctokit } from '../../src/adapters/github/observe-org.ts';
import { verifyLedger } from '../../src/adapters/git/ledger-reader.ts';
import { runObserve } from '../../src/cli/commands/observe.ts';
import { runDrift } from '../../src/cli/commands/drift.ts';
import type { Io } from '../../src/cli/io.ts';
import { parseGithubOrgExport } from '../../src/core/observe/github-org.ts';
import { parseSnapshot } from '../../src/core/observe/snapshot.ts';
import type { LedgerOctokit } from '../../src/adapters/github/ledger-store.ts';
import { startFakeGitHub, type FakeGitHub } from '../support/fake-github/index.ts';
import { cloneFromFake } from '../support/e2e/clone.ts';
import { writeFileSync, mkdirSync, readFileSync } from 'node:fs';

const NOW = new Date('2026-11-20T10:00:00Z');
const FULL = { members: 'read', organization_administration: 'read', organization_personal_access_tokens: 'read', metadata: 'read', contents: 'write' };

let gh: FakeGitHub;
let dirs: string[] = [];
beforeEach(async () => {
  gh = await startFakeGitHub({ now: () => NOW });
});
afterEach(async () => {
  expect(gh.errors).toEqual([]);
  await gh.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
});

function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'observe-'));
  dirs.push(d);
  return d;
}

/** Acme: 250 members (3 pages), two owners, a team, an outside collaborator, a vendor App, two tokens. */
function seed(permissions: Record<string, string> = FULL): number {
  const s = gh.state;
  const members = Array.from({ length: 248 }, (_, i) => `dev${String(i).padStart(3, '0')}`);
  s.createOrg('acme', { members, admins: ['carol', 'dave'], install: false });
  s.createTeam('acme', 'dba', { members: ['dev001', 'dave'] });
  s.setTwoFactor('acme', 'dev007', false);
  s.createRepo('acme/access', { files: { 'access-ledger.yaml': 'version: 1\norganization: acme\n' } });
  s.createRepo('acme/portal');
  s.addCollaborator('acme/portal', 'vic', 'admin');
  s.installVendorApp('acme', { slug: 'snyk', permissions: { contents: 'read', metadata: 'read' } });
  s.grantToken('acme', {
    owner: 'dev003',
    name: 'release-notes',
    permissions: { repository: { contents: 'write' } },
    lastUsedAt: '2026-11-01T00:00:00Z',
    expiresAt: '2027-02-01T00:00:00Z',
    grantedAt: '2026-09-01T00:00:00Z',
  });
  s.grantToken('acme', { owner: 'dev004', name: 'old', expired: true });
  return s.install('acme', { permissions }).id;
}

function octokit(installationId: number): ObserveOctokit & LedgerOctokit {
  return new Octokit({ baseUrl: gh.url, auth: gh.createInstallationToken(installationId) }) as unknown as ObserveOctokit & LedgerOctokit;
}

function memoryIo(): Io & { out: string; err: string } {
  const io = {
    out: '',
    err: '',
    color: false,
    interactive: false,
    env: { ACCESS_LEDGER_SIGNING_KEY: TEST_SIGNING_KEY },
    now: () => NOW,
    stdout: (t: string) => void (io.out += t),
    stderr: (t: string) => void (io.err += t),
  };
  return io;
}

describe('listing the organization', () => {
  it('reads every page of every listing, counts each request, and gives members, owners, teams, outside collaborators, Apps and tokens', async () => {
    const id = seed();
    gh.resetCalls();
    const r = await observeOrganization({ octokit: octokit(id), organization: 'acme', api: gh.url });
    const fakeCalls = Object.values(gh.calls()).reduce((a, b) => a + b, 0);
    expect(r.calls).toBe(fakeCalls);
    // members 3 pages, owners 1, members without 2FA 1, outside 1 (+ their 2FA 1), repos 1, one per repo 2, teams 1, team 1, installations 1, tokens 1
    expect(r.byRoute).toEqual({
      'GET /orgs/{org}/members': 5,
      'GET /orgs/{org}/outside_collaborators': 2,
      'GET /orgs/{org}/repos': 1,
      'GET /repos/{owner}/{repo}/collaborators': 2,
      'GET /orgs/{org}/teams': 1,
      'GET /orgs/{org}/teams/{team_slug}/members': 1,
      'GET /orgs/{org}/installations': 1,
      'GET /orgs/{org}/personal-access-tokens': 1,
    });
    const ex = r.export;
    expect(ex.members).toHaveLength(250);
    expect(ex.admins).toEqual(['carol', 'dave']);
    expect(ex.members_without_2fa).toEqual(['dev007']);
    expect(ex.outside_collaborators.map((u) => u.login)).toEqual(['vic']);
    expect(ex.repositories).toEqual([{ name: 'portal', outside_collaborators: [expect.objectContaining({ login: 'vic', role_name: 'admin' })] }]);
    expect(ex.teams).toEqual([{ slug: 'dba', name: 'dba', members: ['dave', 'dev001'] }]);
    expect(ex.installations.map((i) => i.app_slug)).toEqual(['access-ledger', 'snyk']);
    expect(ex.personal_access_tokens?.map((t) => t.token_name)).toEqual(['release-notes', 'old']);
    expect(ex.gaps).toEqual([]);
    // No URLs are kept: the export is what access was, not how to fetch it.
    expect(JSON.stringify(ex)).not.toMatch(/_url"/);

    const accounts = parseGithubOrgExport(ex, 'export', '2026-11-20T10:00:00Z').accounts;
    expect(accounts.filter((a) => a.privileged).map((a) => a.principal)).toEqual(['carol', 'dave', 'vic']);
    expect(accounts.find((a) => a.principal === 'dev001')!.roles).toEqual(['member', 'team:dba']);
    expect(accounts.find((a) => a.principal === 'dev007')!.mfa).toBe(false);
    expect(accounts.filter((a) => a.kind === 'key').map((a) => [a.names[1], a.owner, a.last_used])).toEqual([
      ['release-notes', 'dev003', '2026-11-01T00:00:00Z'],
    ]);
  });

  it('a token that may not list personal access tokens fails closed, naming the permission and the flag', async () => {
    const id = seed({ ...FULL, organization_personal_access_tokens: 'none' });
    await expect(observeOrganization({ octokit: octokit(id), organization: 'acme', api: gh.url })).rejects.toThrow(
      /refused to list the fine-grained personal access tokens of organization acme \(403\).*"organization_personal_access_tokens: read".*--skip-tokens/,
    );
  });

  it('--skip-tokens records the tokens as a gap and does not ask for them', async () => {
    const id = seed({ ...FULL, organization_personal_access_tokens: 'none' });
    gh.resetCalls();
    const r = await observeOrganization({ octokit: octokit(id), organization: 'acme', api: gh.url, skipTokens: true });
    expect(r.export.personal_access_tokens).toBeNull();
    expect(r.export.gaps).toEqual(['fine-grained personal access tokens not listed (--skip-tokens): tokens with access to the organization are not compared']);
    expect(gh.callCount('GET /orgs/{org}/personal-access-tokens')).toBe(0);
  });

  it('without organization administration: MFA is a gap, and the installed Apps fail closed with the permission named', async () => {
    const id = seed({ members: 'read', metadata: 'read', organization_personal_access_tokens: 'read' });
    await expect(observeOrganization({ octokit: octokit(id), organization: 'acme', api: gh.url })).rejects.toThrow(
      /GitHub refused access \(403\) while listing the installed GitHub Apps .* "organization_administration: read"/,
    );
  });

  it("an organization owner's own token lists everything but the tokens, which GitHub lists to Apps only", async () => {
    seed();
    const carol = new Octokit({ baseUrl: gh.url, auth: gh.createToken('carol') }) as unknown as ObserveOctokit;
    await expect(observeOrganization({ octokit: carol, organization: 'acme', api: gh.url })).rejects.toThrow(/only a GitHub App installation token/);
    const r = await observeOrganization({ octokit: carol, organization: 'acme', api: gh.url, skipTokens: true });
    expect(r.export.members_without_2fa).toEqual(['dev007']);
    const dev = new Octokit({ baseUrl: gh.url, auth: gh.createToken('dev001') }) as unknown as ObserveOctokit;
    const partial = await observeOrganization({ octokit: dev, organization: 'acme', api: gh.url, skipTokens: true }).catch((e: Error) => e);
    // A member who is no owner is refused a listing (here, a repository's collaborators): closed, with the permission named.
    expect(String(partial)).toMatch(/GitHub refused access \(403\) .*"metadata: read" \(a GitHub App installation token\) or push access to every repository/);
  });

  it('an organization that does not exist is a clear error', async () => {
    const id = seed();
    await expect(observeOrganization({ octokit: octokit(id), organization: 'nope', api: gh.url })).rejects.toThrow(
      /404 while listing the members \(GET \/orgs\/\{org\}\/members\) for organization nope: the organization does not exist or the token cannot see it/,
    );
  });
});

describe('observe --record: the snapshot as evidence', () => {
  function repoDir(): string {
    const dir = tmp();
    mkdirSync(join(dir, 'systems'), { recursive: true });
    mkdirSync(join(dir, 'grants'), { recursive: true });
    writeFileSync(join(dir, 'access-ledger.yaml'), withLedgerTrust('version: 1\norganization: acme\nextends: soc2-baseline\n', [testSigner()]));
    writeFileSync(join(dir, 'systems', 'github.yaml'), 'id: github\nname: GitHub acme\ncategory: source-control\nobserve: { connector: github-org }\n');
    writeFileSync(
      join(dir, 'grants', 'carol.yaml'),
      'identity: { id: carol, kind: human, github: carol, owner: carol }\naccess:\n  - system: github\n    role: admin\n    privileged: true\n    justification: Organization owner\n    expires: 2027-01-31\n',
    );
    return dir;
  }

  it('appends an access-snapshot record and its raw export in one commit; a clone verifies, and the stored export gives the same accounts', async () => {
    const id = seed();
    const dir = repoDir();
    const out = join(dir, 'github.snapshot.json');
    const io = memoryIo();
    expect(await runObserve({ dir, system: 'github', out, record: true, repo: 'acme/access', appLogin: APP_LOGIN, octokit: octokit(id) }, io)).toBe(0);
    expect(io.out).toMatch(/observed github \(github-org, acme\) at 2026-11-20T10:00:00Z: 254 account\(s\)/);
    expect(io.out).toMatch(/recorded seq 1 snapshot-github-20261120T100000Z on acme\/access branch access-ledger; raw export at snapshots\/[0-9a-f]{64}\.json/);

    const snapshot = parseSnapshot(readFileSync(out, 'utf8'), out);
    const files = gh.state.ledger('acme/access')!;
    const rawPath = `snapshots/${snapshot.raw_sha256}.json`;
    expect(Object.keys(files).sort()).toEqual(['README.md', 'head.json', 'records/2026/11/20/snapshot-github-20261120T100000Z.json', rawPath]);
    const record = JSON.parse(Object.entries(files).find(([p]) => p.startsWith('records/'))![1]);
    expect(record).toMatchObject({
      kind: 'access-snapshot',
      occurred_at: '2026-11-20T10:00:00Z',
      subject: {
        system: 'github',
        connector: 'github-org',
        scope: 'acme',
        row_count: snapshot.row_count,
        account_count: 254,
        raw_sha256: snapshot.raw_sha256,
        raw_path: rawPath,
        extraction: { type: 'api', calls: snapshot.source.calls },
        gaps: [],
      },
    });
    // One commit holds the record, its export and head.json.
    const log = gh.state.log('acme/access', 'refs/heads/access-ledger');
    expect(log).toHaveLength(2);

    const clone = tmp();
    cloneFromFake(gh, 'acme/access', join(clone, 'c'));
    const v = await verifyLedger(join(clone, 'c'));
    expect(v.problems).toEqual([]);
    expect(v.ok).toBe(true);
    expect(v.checks).toContain('stored exports named by their SHA-256');

    // From git alone: the stored export, observed again offline, gives the same accounts.
    const stored = join(clone, 'stored.json');
    writeFileSync(stored, files[rawPath]!);
    const again = memoryIo();
    expect(await runObserve({ dir, system: 'github', from: stored, takenAt: '2026-11-20T10:00:00Z' }, again)).toBe(0);
    const replay = parseSnapshot(again.out, 'replay');
    expect(replay.raw_sha256).toBe(snapshot.raw_sha256);
    expect(replay.accounts).toEqual(snapshot.accounts);

    // Recording the same listing again writes nothing new.
    const twice = memoryIo();
    expect(
      await runObserve(
        { dir, system: 'github', from: stored, takenAt: '2026-11-20T10:00:00Z', record: true, repo: 'acme/access', appLogin: APP_LOGIN, octokit: octokit(id) },
        twice,
      ),
    ).toBe(0);
    expect(gh.state.log('acme/access', 'refs/heads/access-ledger')).toHaveLength(2);

    // Drift against the grants: one owner declared, the rest named.
    const d = memoryIo();
    expect(await runDrift({ dir, snapshots: [out], format: 'json', failOn: 'error', today: '2026-11-21' }, d)).toBe(1);
    const report = JSON.parse(d.out) as { findings: { rule: string; message: string }[] };
    const undeclared = report.findings.filter((f) => f.rule === 'observed-undeclared');
    expect(undeclared).toHaveLength(253);
    expect(undeclared.some((f) => f.message.includes('`app:snyk` (app; `app`)'))).toBe(true);
    expect(undeclared.some((f) => f.message.includes('`pat:'))).toBe(true);
    expect(report.findings.filter((f) => f.rule === 'observed-mfa-missing').map((f) => f.message)).toEqual([expect.stringContaining('`dev007`')]);
  });

  it('another export of the same system taken the same second is refused, and nothing is written', async () => {
    const id = seed();
    const dir = repoDir();
    const first = join(dir, 'a.json');
    const second = join(dir, 'b.json');
    const base = {
      format: 'access-ledger/github-org-export@1',
      organization: 'acme',
      api: gh.url,
      admins: [],
      members_without_2fa: [],
      outside_collaborators: [],
      outside_collaborators_without_2fa: [],
      repositories: [],
      teams: [],
      installations: [],
      personal_access_tokens: [],
      gaps: [],
    };
    writeFileSync(first, JSON.stringify({ ...base, members: [{ login: 'carol' }] }));
    writeFileSync(second, JSON.stringify({ ...base, members: [{ login: 'carol' }, { login: 'mallory' }] }));
    const args = { dir, system: 'github', takenAt: '2026-11-20T10:00:00Z', record: true, repo: 'acme/access', appLogin: APP_LOGIN, octokit: octokit(id) };
    expect(await runObserve({ ...args, from: first }, memoryIo())).toBe(0);
    const before = gh.state.log('acme/access', 'refs/heads/access-ledger').length;
    await expect(runObserve({ ...args, from: second }, memoryIo())).rejects.toThrow(
      /snapshot-github-20261120T100000Z is already recorded with another export of github taken the same second .*nothing was written/,
    );
    expect(gh.state.log('acme/access', 'refs/heads/access-ledger')).toHaveLength(before);
    expect(Object.keys(gh.state.ledger('acme/access')!).filter((p) => p.startsWith('snapshots/'))).toHaveLength(1);
  });

  it('a stored export edited on the ledger branch afterwards breaks verification', async () => {
    const id = seed();
    const dir = repoDir();
    expect(
      await runObserve(
        { dir, system: 'github', out: join(dir, 's.json'), record: true, repo: 'acme/access', appLogin: APP_LOGIN, octokit: octokit(id) },
        memoryIo(),
      ),
    ).toBe(0);
    const rawPath = Object.keys(gh.state.ledger('acme/access')!).find((p) => p.startsWith('snapshots/'))!;
    gh.state.commitFiles('acme/access', 'access-ledger', { [rawPath]: '{"format":"access-ledger/github-org-export@1","members":[]}\n' });
    const clone = tmp();
    cloneFromFake(gh, 'acme/access', join(clone, 'c'));
    const v = await verifyLedger(join(clone, 'c'));
    expect(v.ok).toBe(false);
    expect(v.problems.map((p) => p.problem)).toEqual(expect.arrayContaining([expect.stringMatching(new RegExp(`modifies ${rawPath}`))]));
  });
});
