/**
 * The sweep runs the doctor's checks and keeps ONE issue open while any fails: opened once,
 * edited (and said so) when what fails changes, closed with a comment when all pass, reopened on
 * a regression, never duplicated by two sweeps at once. Against the stateful fake GitHub.
 */
import { TEST_SIGNING_KEY } from '../support/ledger-keys.ts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeGitHub, type FakeGitHub } from '../support/fake-github/index.ts';
import { loadBuiltinPacks } from '../../src/adapters/fs/packs.ts';
import { runSweep, type SweepOctokit } from '../../src/adapters/github/sweep.ts';
import { runSweepCommand } from '../../src/cli/commands/sweep.ts';
import { DOCTOR_LABEL, parseDoctorMarker } from '../../src/core/doctor/index.ts';
import type { Io } from '../../src/cli/io.ts';
import { REPO, UNSAFE, octokitWith, seedSafeRepo } from '../doctor/seed.ts';
import { GATE_APP_ID } from '../doctor/fixtures.ts';
import { virtualPacing } from './helpers.ts';

const NOW = new Date('2027-01-20T06:00:00Z');
let gh: FakeGitHub;
let octokit: SweepOctokit;

beforeEach(async () => {
  gh = await startFakeGitHub({ now: () => NOW });
  const { installationId } = seedSafeRepo(gh);
  octokit = octokitWith(gh, gh.createInstallationToken(installationId));
});
afterEach(async () => {
  expect(gh.errors).toEqual([]);
  await gh.close();
});

function sweep(o: { dryRun?: boolean; client?: SweepOctokit } = {}) {
  return runSweep({
    octokit: o.client ?? octokit,
    repo: { owner: 'acme', repo: 'access' },
    packs: loadBuiltinPacks(),
    now: () => NOW,
    membership: false,
    pacing: virtualPacing().pacing,
    doctor: {},
    ...(o.dryRun ? { dryRun: true } : {}),
  });
}

const doctorIssues = (state: 'open' | 'closed' | 'all' = 'all') => gh.state.listIssues(REPO, { state }).filter((i) => parseDoctorMarker(i.body));

describe('the doctor issue', () => {
  it('is not opened while every check passes', async () => {
    const r = await sweep();
    expect(r.doctor).toMatchObject({ report: { ok: true }, plan: [] });
    expect(doctorIssues()).toEqual([]);
  });

  it('is opened once, edited when what fails changes, closed when all pass, and the same issue reopened on a regression', async () => {
    UNSAFE['no CODEOWNERS']!(gh);
    await sweep();
    const [issue] = doctorIssues();
    expect(issue).toMatchObject({ state: 'open', title: 'access-ledger: the access repository is not set up safely', labels: [DOCTOR_LABEL, 'access-ledger'] });
    expect(issue!.body).toContain('### ✖ `codeowners`');
    expect(issue!.body).toContain('cc @acme/security');
    expect(issue!.user.login).toBe('access-ledger[bot]');

    // Nothing changed: nothing written.
    gh.resetCalls();
    await sweep();
    expect(gh.requests.filter((r) => r.method !== 'GET').map((r) => r.route)).toEqual([]);

    // Something else fails too: the same issue is edited, with a comment saying so.
    UNSAFE['an unprotected ledger branch']!(gh);
    await sweep();
    expect(doctorIssues()).toHaveLength(1);
    expect(gh.state.issue(REPO, issue!.number).body).toContain('### ✖ `ledger-branch`');
    expect(gh.state.issue(REPO, issue!.number).comments.at(-1)!.body).toMatch(/^What is unsafe changed: 2 checks fail: `ledger-branch`, `codeowners`\./);

    // Fixed: closed with a comment.
    seedFix();
    await sweep();
    expect(gh.state.issue(REPO, issue!.number)).toMatchObject({ state: 'closed', stateReason: 'completed' });
    expect(gh.state.issue(REPO, issue!.number).comments.at(-1)!.body).toBe('Every check of the access-ledger doctor passes now. Closing.');

    // A regression reopens the same issue, with what fails now.
    UNSAFE["the ledger App's key on pull_request"]!(gh);
    await sweep();
    expect(doctorIssues()).toHaveLength(1);
    const reopened = gh.state.issue(REPO, issue!.number);
    expect(reopened.state).toBe('open');
    expect(reopened.body).toContain('### ✖ `workflow-secrets`');
    expect(reopened.body).not.toContain('`ledger-branch`:');
    expect(reopened.comments.at(-1)!.body).toMatch(/^Reopening: a check fails again \(2 checks fail: `workflow-secrets`, `gate-required`\)/);
  });

  it('two sweeps at once leave one open issue', async () => {
    UNSAFE['no CODEOWNERS']!(gh);
    const token = gh.createInstallationToken(gh.state.installationFor('acme')!.id);
    await Promise.all([sweep({ client: octokitWith(gh, token) }), sweep({ client: octokitWith(gh, token) })]);
    expect(doctorIssues('open')).toHaveLength(1);
    const closed = doctorIssues('closed');
    for (const c of closed) expect(c.comments.at(-1)!.body).toMatch(/^Duplicate of #\d+/);
  });

  it('a dry run says what it would do and writes nothing; the CLI prints the checks that fail', async () => {
    UNSAFE['no required check']!(gh);
    const dry = await sweep({ dryRun: true });
    expect(dry.doctor && 'plan' in dry.doctor ? dry.doctor.plan.map((a) => a.type) : null).toEqual(['create']);
    expect(doctorIssues()).toEqual([]);
    const io: Io & { out: string } = {
      out: '',
      color: false,
      interactive: false,
      env: { ACCESS_LEDGER_SIGNING_KEY: TEST_SIGNING_KEY },
      now: () => NOW,
      stdout: (t: string) => void (io.out += t),
      stderr: () => undefined,
    };
    expect(await runSweepCommand({ repo: REPO, octokit, membership: false, reconcile: false, pacing: virtualPacing().pacing }, io)).toBe(0);
    expect(io.out).toMatch(/setup: 1 doctor check\(s\) fail: gate-required \(run `access-ledger doctor` for the fixes\)\n {2}opened {2}the setup issue #\d+/);
    const json: Io & { out: string } = { ...io, out: '', stdout: (t: string) => void (json.out += t) };
    await runSweepCommand({ repo: REPO, octokit, membership: false, reconcile: false, pacing: virtualPacing().pacing, format: 'json' }, json);
    expect(JSON.parse(json.out).doctor).toEqual({ ok: false, failing: [{ id: 'gate-required', status: 'fail' }], warning: [], actions: [] });
    const off: Io & { out: string } = { ...io, out: '', stdout: (t: string) => void (off.out += t) };
    await runSweepCommand({ repo: REPO, octokit, membership: false, reconcile: false, pacing: virtualPacing().pacing, doctor: false }, off);
    expect(off.out).not.toContain('setup:');
  });

  it('with Issues turned off the sweep still reports the setup, and opens nothing', async () => {
    gh.state.repo(REPO).hasIssues = false;
    const r = await sweep();
    expect(r.doctor).toMatchObject({ issuesDisabled: true, report: { ok: false } });
    expect(r.doctor && 'report' in r.doctor ? r.doctor.report.checks.filter((c) => c.status !== 'pass').map((c) => c.id) : []).toEqual(['issues-enabled']);
  });

  it('a warning alone (a default workflow token that can write) opens no issue; the CLI names it', async () => {
    gh.state.setWorkflowPermissions(REPO, { defaultWorkflowPermissions: 'write' });
    const r = await sweep();
    expect(r.doctor).toMatchObject({ report: { ok: true }, plan: [] });
    expect(r.doctor && 'report' in r.doctor ? r.doctor.report.checks.filter((c) => c.status !== 'pass').map((c) => `${c.id}:${c.status}`) : []).toEqual([
      'workflow-token:warn',
    ]);
    expect(doctorIssues()).toEqual([]);
    const io: Io & { out: string } = {
      out: '',
      color: false,
      interactive: false,
      env: { ACCESS_LEDGER_SIGNING_KEY: TEST_SIGNING_KEY },
      now: () => NOW,
      stdout: (t: string) => void (io.out += t),
      stderr: () => undefined,
    };
    expect(await runSweepCommand({ repo: REPO, octokit, membership: false, reconcile: false, pacing: virtualPacing().pacing }, io)).toBe(0);
    expect(io.out).toContain('setup: no doctor check fails; 1 warns: workflow-token (run `access-ledger doctor` for the fixes)');
  });

  it('a doctor that cannot read the repository does not stop the sweep', async () => {
    gh.faults.add({ route: 'GET /repos/{owner}/{repo}/rules/branches/{branch}', kind: '5xx', status: 500 });
    const noRetry = octokitWith(gh, gh.createInstallationToken(gh.state.installationFor('acme')!.id));
    const r = await sweep({ client: noRetry });
    expect(r.doctor).toMatchObject({ error: expect.stringMatching(/GitHub failed \(500\) while reading the rules of main/) });
    expect(doctorIssues()).toEqual([]);
  });
});

/** Puts back what UNSAFE took away. */
function seedFix(): void {
  const s = gh.state;
  const repo = s.repo(REPO);
  repo.rulesets = [];
  s.commitFiles(REPO, 'main', { '.github/CODEOWNERS': '/access-ledger.yaml @acme/security\n/systems/ @acme/security\n/.github/ @acme/security\n' });
  s.addRuleset(REPO, {
    name: 'main',
    include: ['~DEFAULT_BRANCH'],
    rules: [
      { type: 'pull_request', parameters: { require_code_owner_review: true } },
      { type: 'required_status_checks', parameters: { required_status_checks: [{ context: 'access-ledger/gate', integration_id: GATE_APP_ID }] } },
    ],
  });
  s.addRuleset(REPO, {
    name: 'access-ledger: only the App writes',
    include: ['refs/heads/access-ledger'],
    rules: [{ type: 'creation' }, { type: 'update' }],
    bypass: [{ actorType: 'Integration', actorId: s.app.id }],
  });
  s.addRuleset(REPO, {
    name: 'access-ledger: history is permanent',
    include: ['refs/heads/access-ledger'],
    rules: [{ type: 'deletion' }, { type: 'non_fast_forward' }],
  });
}
