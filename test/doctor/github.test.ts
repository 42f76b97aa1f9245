/**
 * The doctor against the stateful fake GitHub: passing on a repository set up the way `init` and
 * the docs set it up, failing on each unsafe change, failing closed when the token cannot read a
 * fact; and `access-ledger doctor` run as a process, as a person runs it.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeGitHub, type FakeGitHub } from '../support/fake-github/index.ts';
import { runDoctor } from '../../src/adapters/github/doctor.ts';
import { CHECK_IDS } from '../../src/core/doctor/index.ts';
import { CONFIG_WITH_GATE_APP, REPO, UNSAFE, octokitWith, seedSafeRepo } from './seed.ts';
import { FILES, GATE_APP_ID } from './fixtures.ts';

const BIN = fileURLToPath(new URL('../../bin/access-ledger.js', import.meta.url));
const ref = { owner: 'acme', repo: 'access' };
let gh: FakeGitHub;

beforeEach(async () => {
  gh = await startFakeGitHub();
});
afterEach(async () => {
  expect(gh.errors).toEqual([]);
  await gh.close();
});

function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH, NO_COLOR: '1', CI: 'true', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const statuses = (report: { checks: { id: string; status: string }[] }) => Object.fromEntries(report.checks.map((c) => [c.id, c.status]));

describe('doctor against the fake GitHub', () => {
  it("passes every check on a repository set up the way init and the docs set it up, with the App's installation token and with an admin's token", async () => {
    const { installationId } = seedSafeRepo(gh);
    const asApp = await runDoctor(octokitWith(gh, gh.createInstallationToken(installationId)), ref);
    expect(statuses(asApp.report)).toEqual(Object.fromEntries(CHECK_IDS.map((id) => [id, 'pass'])));
    expect(asApp.admins).toEqual(['@acme/security']);
    // The gate App's id comes from the config (gate.app_id), and the ruleset requires the status from it.
    expect(asApp.options.gateAppId).toBe(GATE_APP_ID);
    expect(asApp.report.checks.find((c) => c.id === 'gate-required')!.detail).toBe(
      `\`access-ledger/gate\` is required by ruleset "main", from the gate App ${GATE_APP_ID}`,
    );
    expect(asApp.facts.workflowToken).toEqual({ defaultPermissions: 'read', canApprovePullRequests: false });
    const asAdmin = await runDoctor(octokitWith(gh, gh.createToken('carol')), ref);
    expect(asAdmin.report.ok).toBe(true);
    expect(asAdmin.facts.app).toMatchObject({ via: 'user-token', installation: { slug: 'access-ledger', coversRepo: true } });
    // It only reads: 25 requests with the App's token on the repository init scaffolds (docs/doctor.md, What it costs).
    expect(gh.requests.filter((r) => r.method !== 'GET')).toEqual([]);
    gh.resetCalls();
    await runDoctor(octokitWith(gh, gh.createInstallationToken(installationId)), ref);
    expect(gh.requests).toHaveLength(25);
  });

  it.each(Object.entries(UNSAFE))('fails on %s', async (name, unsafe) => {
    const { installationId } = seedSafeRepo(gh);
    unsafe(gh);
    const { report } = await runDoctor(octokitWith(gh, gh.createInstallationToken(installationId)), ref);
    const failing = report.checks.filter((c) => c.status !== 'pass').map((c) => c.id);
    const expected: Record<string, string[]> = {
      // The old scaffold ran the gate on pull_request: it reports the job's check, not the status the ruleset requires.
      "the ledger App's key on pull_request": ['workflow-secrets', 'gate-required'],
      'the head checked out under pull_request_target': ['workflow-head-checkout'],
      'access-ledger/gate required from any source': ['gate-required'],
      'no required check': ['gate-required'],
      'an unprotected ledger branch': ['ledger-branch'],
      'no CODEOWNERS': ['codeowners'],
    };
    expect(failing).toEqual(expected[name]);
    expect(report.ok).toBe(false);
  });

  it('names who could write an unprotected ledger branch', async () => {
    const { installationId } = seedSafeRepo(gh);
    UNSAFE['an unprotected ledger branch']!(gh);
    const { report } = await runDoctor(octokitWith(gh, gh.createInstallationToken(installationId)), ref);
    expect(report.checks.find((c) => c.id === 'ledger-branch')!.problems[0]!.message).toBe(
      'the ledger branch `access-ledger` is not protected: anyone with write access (bob, carol) can push records to it, rewrite or delete it',
    );
  });

  it('fails closed, naming the permission, when the token cannot see who may bypass the ledger rulesets', async () => {
    const { installationId } = seedSafeRepo(gh);
    delete gh.state.installations.get(installationId)!.permissions.administration;
    const { report } = await runDoctor(octokitWith(gh, gh.createInstallationToken(installationId)), ref);
    const ledger = report.checks.find((c) => c.id === 'ledger-branch')!;
    expect(ledger.status).toBe('unreadable');
    expect(ledger.problems[0]!.message).toMatch(
      /cannot read who may bypass ruleset "access-ledger: only the App writes": GitHub shows a ruleset's bypass list only to callers who can edit it/,
    );
    expect(ledger.problems[0]!.permission).toMatch(/Administration: read/);
    expect(report.ok).toBe(false);
    // What the rules alone prove still passes.
    expect(report.checks.find((c) => c.id === 'gate-required')!.status).toBe('pass');
  });

  it("a person's token: the App not installed, or installed on other repositories", async () => {
    const { installationId } = seedSafeRepo(gh);
    gh.state.uninstall(installationId);
    const none = await runDoctor(octokitWith(gh, gh.createToken('carol')), ref);
    expect(none.report.checks.find((c) => c.id === 'app-installed')!.problems[0]!.message).toMatch(
      /the access-ledger App is not installed where this token can see it/,
    );
    gh.state.createRepo('acme/other');
    gh.state.install('acme', { repositories: ['other'] });
    const elsewhere = await runDoctor(octokitWith(gh, gh.createToken('carol')), ref);
    expect(elsewhere.report.checks.find((c) => c.id === 'app-installed')!.problems[0]!.message).toMatch(
      /installed on selected repositories that do not include acme\/access/,
    );
  });

  it("a person's token finds the App by the slug in the config's ledger.app_login, as an App of its own name has it", async () => {
    const { installationId } = seedSafeRepo(gh);
    gh.state.uninstall(installationId);
    const own = gh.state.createApp({ slug: 'acme-access-ledger', name: 'Acme access-ledger' });
    gh.state.install('acme', { app: own, repositories: ['access'] });
    // The config still names the default bot: the doctor looks for the App access-ledger, and does not find it.
    const before = await runDoctor(octokitWith(gh, gh.createToken('carol')), ref);
    expect(before.report.checks.find((c) => c.id === 'app-installed')!.problems[0]!.message).toMatch(/^the access-ledger App is not installed/);
    gh.state.commitFiles(REPO, 'main', {
      'access-ledger.yaml': CONFIG_WITH_GATE_APP.replace('app_login: access-ledger[bot]', 'app_login: acme-access-ledger[bot]'),
    });
    const after = await runDoctor(octokitWith(gh, gh.createToken('carol')), ref);
    expect(after.report.checks.find((c) => c.id === 'app-installed')).toMatchObject({
      status: 'pass',
      detail: expect.stringMatching(/^installation \d+ \(selected repositories\)$/),
    });
    expect(after.facts.app).toMatchObject({ via: 'user-token', slug: 'acme-access-ledger' });
    // --app-slug still wins.
    const named = await runDoctor(octokitWith(gh, gh.createToken('carol')), ref, { appSlug: 'access-ledger' });
    expect(named.report.checks.find((c) => c.id === 'app-installed')!.status).toBe('fail');
  });

  it('reads the environment, the CODEOWNERS errors and classic protection as GitHub shows them', async () => {
    const { installationId } = seedSafeRepo(gh);
    gh.state.createEnvironment(REPO, 'access-ledger-gate', { branches: ['main', 'release/*'] });
    gh.state.commitFiles(REPO, 'main', { '.github/CODEOWNERS': '/access-ledger.yaml @acme/security\n/systems/ @acme/ghost-team\n/.github/ @acme/security\n' });
    const repo = gh.state.repo(REPO);
    repo.rulesets = repo.rulesets.filter((r) => r.name !== 'main');
    gh.state.protectBranch(REPO, 'main', {
      requiredChecks: [{ context: 'access-ledger/gate', appId: GATE_APP_ID }],
      reviews: { count: 1, codeOwners: true, dismissStale: true, lastPush: true },
      enforceAdmins: true,
    });
    const { report } = await runDoctor(octokitWith(gh, gh.createInstallationToken(installationId)), ref);
    const problems = (id: string) => report.checks.find((c) => c.id === id)!.problems.map((p) => p.message);
    expect(problems('workflow-secrets')).toEqual([
      expect.stringMatching(/environment `access-ledger-gate`, which also lets branch `release\/\*` use its secrets/),
    ]);
    expect(problems('codeowners')).toEqual([
      'GitHub ignores line 2 of .github/CODEOWNERS: Unknown owner: make sure @acme/ghost-team exists and has write access to the repository',
    ]);
    expect(report.checks.find((c) => c.id === 'gate-required')).toMatchObject({
      status: 'pass',
      detail: `\`access-ledger/gate\` is required by branch protection, from the gate App ${GATE_APP_ID}`,
    });
    // The same check from any source (app_id null), as GitHub shows it: a branch can forge it.
    gh.state.protectBranch(REPO, 'main', {
      requiredChecks: ['access-ledger/gate'],
      reviews: { count: 1, codeOwners: true, dismissStale: true, lastPush: true },
      enforceAdmins: true,
    });
    const any = await runDoctor(octokitWith(gh, gh.createInstallationToken(installationId)), ref);
    expect(any.report.checks.find((c) => c.id === 'gate-required')!.problems.map((p) => p.message)).toEqual([
      expect.stringMatching(/^branch protection requires `access-ledger\/gate` from any source: anyone who can push a branch/),
    ]);
  });

  describe('the source of the required access-ledger/gate, as the ruleset gives it', () => {
    const requireFrom = (integrationId?: number) => {
      const main = gh.state.repo(REPO).rulesets.find((r) => r.name === 'main')!;
      main.rules = main.rules.map((r) =>
        r.type === 'required_status_checks'
          ? {
              ...r,
              parameters: {
                ...r.parameters,
                required_status_checks: [{ context: 'access-ledger/gate', ...(integrationId === undefined ? {} : { integration_id: integrationId }) }],
              },
            }
          : r,
      );
    };
    const gateRequired = async (options: { gateAppId?: number } = {}) => {
      const token = gh.createInstallationToken(gh.state.installationFor('acme')!.id);
      return (await runDoctor(octokitWith(gh, token), ref, options)).report.checks.find((c) => c.id === 'gate-required')!;
    };

    it.each([
      ['any source', undefined, 'fail', /from any source/],
      ['GitHub Actions', 15368, 'fail', /from GitHub Actions: every workflow's GITHUB_TOKEN is GitHub Actions, on any branch/],
      ['the ledger App', 4242, 'fail', /from the App 4242, not the gate App \(1093412\)/],
      ['the gate App', GATE_APP_ID, 'pass', undefined],
    ] as const)('required from %s: %s', async (_name, source, status, message) => {
      seedSafeRepo(gh);
      requireFrom(source);
      const c = await gateRequired();
      expect(c.status).toBe(status);
      if (message) expect(c.problems.map((p) => p.message).join('\n')).toMatch(message);
    });

    it('--gate-app-id wins over the config; without either, an App source cannot be told apart and fails', async () => {
      seedSafeRepo(gh);
      // The option names another App: the ruleset's source is then not the gate App.
      expect((await gateRequired({ gateAppId: 31337 })).problems.map((p) => p.message)).toEqual([
        expect.stringMatching(/from the App 1093412, not the gate App \(31337\)/),
      ]);
      gh.state.commitFiles(REPO, 'main', { 'access-ledger.yaml': FILES['access-ledger.yaml']! });
      const unknown = await gateRequired();
      expect(unknown.status).toBe('fail');
      expect(unknown.problems[0]!.message).toMatch(/from the App 1093412, and the doctor does not know the gate App's id/);
      expect(unknown.problems[0]!.fix).toMatch(/set `gate: \{ app_id: 1093412 \}` in access-ledger\.yaml \(or pass --gate-app-id 1093412\)/);
      expect((await gateRequired({ gateAppId: GATE_APP_ID })).status).toBe('pass');
      gh.state.commitFiles(REPO, 'main', { 'access-ledger.yaml': CONFIG_WITH_GATE_APP });
      expect((await gateRequired()).status).toBe('pass');
    });
  });

  it('workflow-token: a default token that can write, or that may approve pull requests, is a warning; unreadable without Administration: read', async () => {
    const { installationId } = seedSafeRepo(gh);
    gh.state.setWorkflowPermissions(REPO, { defaultWorkflowPermissions: 'write', canApprovePullRequestReviews: true });
    const { report } = await runDoctor(octokitWith(gh, gh.createInstallationToken(installationId)), ref);
    const token = report.checks.find((c) => c.id === 'workflow-token')!;
    expect(token.status).toBe('warn');
    expect(token.problems.map((p) => p.message)).toEqual([
      expect.stringMatching(/gets a GITHUB_TOKEN that can write/),
      expect.stringMatching(/may approve pull requests/),
    ]);
    expect(report.ok).toBe(true);
    // A writer's token cannot see the setting: the check fails closed, naming what would read it.
    gh.state.addCollaborator(REPO, 'bob', 'write');
    const asWriter = await runDoctor(octokitWith(gh, gh.createToken('bob')), ref);
    const unread = asWriter.report.checks.find((c) => c.id === 'workflow-token')!;
    expect(unread.status).toBe('unreadable');
    expect(unread.problems[0]).toMatchObject({
      message: expect.stringMatching(/^cannot read the default permissions of the workflows' GITHUB_TOKEN: GitHub refused/),
      permission: expect.stringMatching(/Administration: read/),
    });
  });

  it("fails when the ruleset requires the pull_request_target job's check instead of the gate's status", async () => {
    const { installationId } = seedSafeRepo(gh);
    const main = gh.state.repo(REPO).rulesets.find((r) => r.name === 'main')!;
    main.rules = main.rules.map((r) =>
      r.type === 'required_status_checks' ? { ...r, parameters: { ...r.parameters, required_status_checks: [{ context: 'gate' }] } } : r,
    );
    const { report } = await runDoctor(octokitWith(gh, gh.createInstallationToken(installationId)), ref);
    const gate = report.checks.find((c) => c.id === 'gate-required')!;
    expect(gate.status).toBe('fail');
    expect(gate.problems.map((p) => p.message)).toEqual([
      expect.stringMatching(
        /^ruleset "main" requires `gate`, the check of the gate job, which runs on pull_request_target: GitHub attaches it to the tip of main, never to a pull request's head commit/,
      ),
    ]);
    expect(gate.problems[0]!.fix).toContain('require the status `access-ledger/gate` instead of `gate`');
  });
});

describe('access-ledger doctor, as a process', () => {
  it('exit 0 and every check named when the setup is safe', async () => {
    const { installationId } = seedSafeRepo(gh);
    const r = await cli(['doctor', '--repo', REPO], { GITHUB_TOKEN: gh.createInstallationToken(installationId), GITHUB_API_URL: gh.url });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    for (const id of CHECK_IDS) expect(r.stdout).toContain(`✔ ${id}`);
    expect(r.stdout).toMatch(/✔ all 8 checks pass\n$/);
    // A config without gate.app_id: --gate-app-id names the gate App instead.
    gh.state.commitFiles(REPO, 'main', { 'access-ledger.yaml': FILES['access-ledger.yaml']! });
    const env = { GITHUB_TOKEN: gh.createInstallationToken(installationId), GITHUB_API_URL: gh.url };
    const unknown = await cli(['doctor', '--repo', REPO], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stdout).toContain('✖ gate-required');
    expect(unknown.stdout).toContain("the doctor does not know the gate App's id");
    const named = await cli(['doctor', '--repo', REPO, '--gate-app-id', String(GATE_APP_ID)], env);
    expect([named.code, named.stderr]).toEqual([0, '']);
  });

  it('exit 1 with each problem, where it is and its fix; --format json carries the same report', async () => {
    const { installationId } = seedSafeRepo(gh);
    for (const unsafe of Object.values(UNSAFE)) unsafe(gh);
    const token = gh.createToken('carol');
    const text = await cli(['doctor', '--repo', REPO, '--token', token, '--api-url', gh.url]);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain('✖ workflow-secrets');
    expect(text.stdout).toContain(
      ".github/workflows/access-ledger.yml:14: the job `gate` holds secrets.ACCESS_LEDGER_APP_PRIVATE_KEY, the ledger App's key, in a workflow that pull requests start (pull_request, pull_request_review)",
    );
    expect(text.stdout).toContain('.github/workflows/preview.yml:8: the job `preview` of a pull_request_target workflow checks out');
    expect(text.stdout).toMatch(/\n {6}fix: /);
    expect(text.stdout).toMatch(/✖ 3 of 8 checks pass, 5 fail\n$/);
    const json = await cli(['doctor', '--repo', REPO, '--format', 'json', '--token', token, '--api-url', gh.url]);
    expect(json.code).toBe(1);
    const report = JSON.parse(json.stdout);
    expect(report).toMatchObject({ repository: REPO, defaultBranch: 'main', ledgerBranch: 'access-ledger', ok: false });
    expect(report.checks.map((c: { id: string; status: string }) => `${c.id}:${c.status}`)).toEqual([
      'workflow-secrets:fail',
      'workflow-head-checkout:fail',
      'workflow-token:pass',
      'gate-required:fail',
      'ledger-branch:fail',
      'codeowners:fail',
      'issues-enabled:pass',
      'app-installed:pass',
    ]);
    expect(report.checks[0].problems[0]).toMatchObject({ file: '.github/workflows/access-ledger.yml', line: 14, fix: expect.stringContaining('gate-app.yml') });
    expect(installationId).toBeGreaterThan(0);
  });

  it('usage and runtime errors are one line and exit 2', async () => {
    seedSafeRepo(gh);
    const none = await cli(['doctor', '--repo', REPO]);
    expect([none.code, none.stderr]).toEqual([2, expect.stringMatching(/^access-ledger: doctor needs a GitHub token: pass --token or set GITHUB_TOKEN/)]);
    const bad = await cli(['doctor', '--repo', 'acme', '--token', 'x']);
    expect([bad.code, bad.stderr]).toEqual([2, expect.stringMatching(/--repo must be owner\/name/)]);
    const format = await cli(['doctor', '--repo', REPO, '--token', 'x', '--format', 'sarif']);
    expect([format.code, format.stderr]).toEqual([2, expect.stringMatching(/--format must be text or json/)]);
    const appId = await cli(['doctor', '--repo', REPO, '--token', 'x', '--gate-app-id', 'acme-gate']);
    expect([appId.code, appId.stderr]).toEqual([
      2,
      expect.stringMatching(/--gate-app-id must be the gate App's App ID, a number \(its settings page shows it\), not "acme-gate"/),
    ]);
    const creds = await cli(['doctor', '--repo', REPO, '--token', 'not-a-token', '--api-url', gh.url]);
    expect([creds.code, creds.stderr]).toEqual([2, expect.stringMatching(/^access-ledger: GitHub rejected the credentials \(401\)/)]);
    const missing = await cli(['doctor', '--repo', 'acme/nope', '--token', gh.createToken('carol'), '--api-url', gh.url]);
    expect([missing.code, missing.stderr]).toEqual([2, expect.stringMatching(/acme\/nope does not exist or the token cannot see it/)]);
    gh.state.createRepo('acme/plain');
    const plain = await cli(['doctor', '--repo', 'acme/plain', '--token', gh.createToken('carol'), '--api-url', gh.url]);
    expect([plain.code, plain.stderr]).toEqual([2, expect.stringMatching(/acme\/plain has no access-ledger\.yaml on main: the doctor checks an access repo/)]);
    for (const r of [none, bad, format, appId, creds, missing, plain]) expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});
