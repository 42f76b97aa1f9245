/**
 * The named attacks (test/support/attacks.ts) merged anyway, by an admin, without the approvals,
 * and delivered to the App's `pull_request.closed` handler on the stateful fake GitHub; then the
 * auditor's binder exported from a clone of the repository. One access repo holds every case in
 * turn: a push to `main` sets up the case's base, the case's pull request is opened, the bundled
 * gate runs on it as a runner runs it (its check run is what the App reads at merge), an admin
 * merges it, and GitHub delivers the merge to the App.
 *
 * What must agree, case by case:
 * - the `grant-change` record's verdict is the gate's;
 * - an `unapproved-merge` record, and one issue for the admins, exist exactly for the failing cases;
 * - a changed grant file is recorded as widening exactly when the gate asked for approval of a
 *   grant file;
 * - the binder's `modifications` rows of the pull request say `widens=yes` exactly when the gate
 *   asked for approval of a grant file the pull request modified, and its `additions` rows are the
 *   entries the record says were added.
 */
import { APP_LOGIN, testSigner } from '../support/ledger-keys.ts';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Probot, ProbotOctokit } from 'probot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, utcDay } from '../../src/core/dates.ts';
import { roleOf } from '../../src/core/model/snapshot.ts';
import { hasUnapprovedIssueMarker } from '../../src/core/records/unapproved-merge.ts';
import type { GrantFileChange } from '../../src/core/ledger/index.ts';
import { WorkTracker, newConcurrency, type AppDeps } from '../../src/app/deps.ts';
import { registerLedger } from '../../src/app/ledger/register.ts';
import { loadBuiltinPacks } from '../../src/adapters/fs/packs.ts';
import { startFakeGitHub, type FakeGitHub } from '../support/fake-github/index.ts';
import { cloneFromFake, runCli, tempDir, readLedger, type ProcessResult } from '../support/e2e/index.ts';
import { attacks, narrowings, type Attack } from '../support/attacks.ts';
import { ORG, baseRepoFiles, openAttackPull, seedAttackOrg, withLoginsAsSpelled } from '../support/attack-pulls.ts';
import { runAction } from '../action/runner.ts';

const REPO = `${ORG}/access`;
// The gate and the App judge with the real clock, so the cases' dates are relative to the real day.
const today = utcDay(new Date());
const cases: Attack[] = [...attacks(today), ...narrowings(today)];

/** Probot layers its own throttling options over the class's defaults; a function default has the last word. */
const TestOctokit = ProbotOctokit.defaults((o: Record<string, unknown>) => ({ ...o, retry: { enabled: false }, throttle: { enabled: false } }));
const KEY = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
}).privateKey;

interface GateRow {
  file: string;
  required: number;
}

/** What happened to one case, for the binder's checks after all of them are merged. */
interface Merged {
  pr: number;
  gate: { verdict: string; rows: GateRow[] };
  changes: GrantFileChange[];
}

let gh: FakeGitHub;
let token: string;
let probot: Probot;
let deps: AppDeps;
const merged = new Map<string, Merged>();
const dir = tempDir('attacks-merge');

beforeAll(async () => {
  gh = await startFakeGitHub();
  token = seedAttackOrg(gh);
  gh.state.createRepo(REPO, { files: { 'README.md': '# Access\n' }, author: 'sam' });
  deps = {
    clock: () => new Date(),
    packs: loadBuiltinPacks,
    gateCheckName: 'gate',
    gateStatusContext: 'access-ledger/gate',
    signer: testSigner(),
    appLogin: async () => APP_LOGIN,
    store: { random: () => 0.5, sleep: async () => undefined },
    work: new WorkTracker(),
    ...newConcurrency(),
    sleep: async () => undefined,
  };
  probot = new Probot({ appId: gh.state.app.id, privateKey: KEY, secret: 'webhook-secret', baseUrl: gh.url, Octokit: TestOctokit, logLevel: 'fatal' });
  await probot.load((app: Probot) => registerLedger(app, deps));
});

afterAll(async () => {
  expect(gh.errors).toEqual([]);
  await gh?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A push to main that makes its tree the case's base (what an earlier merge would have left). */
function setUpBase(a: Attack): void {
  const want = baseRepoFiles(a, today);
  const now = gh.state.readTree(REPO, 'main') ?? {};
  const files: Record<string, string | null> = { ...want };
  for (const path of Object.keys(now)) if (!(path in want)) files[path] = null;
  gh.state.commitFiles(REPO, 'main', files, { author: 'sam', message: `Set up the base of: ${a.name}` });
}

/** Rows of a binder population, from its JSON. */
function population(out: string, id: string): Record<string, unknown>[] {
  return (JSON.parse(readFileSync(join(out, 'populations', `${id}.json`), 'utf8')) as { rows: Record<string, unknown>[] }).rows;
}

/** Whether the gate asked anyone to approve a change to one of these grant files. */
function gateAsked(rows: readonly GateRow[], paths?: ReadonlySet<string>): boolean {
  return rows.some((r) => r.required > 0 && roleOf(r.file) === 'grant' && (!paths || paths.has(r.file)));
}

describe('every attack and narrowing, merged by an admin without the approvals, as the App records it', () => {
  it.each(cases.map((a, i) => [a.name, a, i] as const))('%s', async (_, a, i) => {
    setUpBase(a);
    const pr = openAttackPull(gh, REPO, a, { head: `case-${i + 1}` });
    const { pull } = gh.state.pullOf(REPO, pr.number);

    const recorded = await withLoginsAsSpelled(gh, a, async () => {
      // The gate runs on the pull request; its job's check run is what the App reads at merge.
      const run = await runAction({
        event: 'pull_request',
        payload: gh.payloads.pullRequest('opened', REPO, pr.number),
        repository: REPO,
        apiUrl: gh.url,
        graphqlUrl: gh.graphqlUrl,
        inputs: { token, 'fail-on': 'error', config: '', 'sarif-file': '' },
      });
      expect(run.stderr).toBe('');
      expect(run.outputs.verdict, run.stdout).toBe(a.verdict);
      gh.state.addCheckRun(REPO, { headSha: pull.headSha, name: 'gate', conclusion: run.code === 0 ? 'success' : 'failure' });
      const report = JSON.parse(readFileSync(run.outputs['report-json']!, 'utf8')) as { verdict: string; rows: GateRow[] };

      // An admin merges over the failing check; GitHub delivers the merge to the App.
      gh.state.mergePull(REPO, pr.number, { by: 'sam' });
      await probot.receive({ id: `merge-${pr.number}`, name: 'pull_request', payload: gh.payloads.pullRequest('closed', REPO, pr.number) } as never);
      expect(await deps.work.drain(30_000)).toBe(true);
      return report;
    });

    const ledger = readLedger(gh, REPO);
    expect(ledger.verification.problems).toEqual([]);
    const records = ledger.records.filter((r) => r.key === `pr-${pr.number}-merged` || r.key === `pr-${pr.number}-unapproved`);
    const change = records.find((r) => r.kind === 'grant-change');
    expect(change, `no grant-change record for PR #${pr.number}`).toBeDefined();
    const subject = change!.subject as {
      verdict: { result: string; findings: { rule: string; file?: string; line?: number; message: string }[]; approvals: { missing: number }[] };
      changes: GrantFileChange[];
      policy_changes: { path: string }[];
      commit_authors: string[];
    };
    const unapproved = records.filter((r) => r.kind === 'unapproved-merge');
    const issues = gh.state.listIssues(REPO).filter((x) => hasUnapprovedIssueMarker(x.body, pr.number));
    // What the ledger says about the merge: the verdict's findings, and the admins' issue (which carries the next step).
    const said = [...subject.verdict.findings.map((f) => `${f.rule} ${f.file ?? ''}:${f.line ?? ''} ${f.message}`), ...issues.map((x) => x.body ?? '')].join(
      '\n',
    );

    // The verdict recorded at merge is the gate's.
    expect(subject.verdict.result, said).toBe(recorded.verdict);
    expect(subject.verdict.result, said).toBe(a.verdict);
    // A pass records no next step: its "removal only" is the gate's line alone.
    for (const fragment of a.because.filter((f) => a.verdict === 'fail' || f !== 'removal only')) expect(said).toContain(fragment);

    // An unapproved-merge record and one issue for the admins, exactly for the failing cases.
    if (a.verdict === 'fail') {
      expect(issues).toHaveLength(1);
      expect(unapproved).toHaveLength(1);
      expect(unapproved[0]!.subject).toMatchObject({
        grant_change_key: `pr-${pr.number}-merged`,
        cause: 'admin-bypass',
        missing_approvals: subject.verdict.approvals.filter((x) => x.missing > 0),
        issue: { number: issues[0]!.number },
      });
    } else {
      expect(unapproved).toEqual([]);
      expect(issues).toEqual([]);
      expect(subject.verdict.approvals.filter((x) => x.missing > 0)).toEqual([]);
    }

    // The grant files recorded as widening are the grant files the gate asked someone to approve.
    const widening = subject.changes
      .filter((c) => c.widens)
      .map((c) => c.path)
      .sort();
    const asked = [...new Set(recorded.rows.filter((r) => r.required > 0 && roleOf(r.file) === 'grant').map((r) => r.file))].sort();
    expect(widening, `the gate's rows: ${JSON.stringify(recorded.rows)}`).toEqual(asked);
    expect(subject.changes.every((c) => c.widens === false || c.widens === true)).toBe(true);
    // Only config and system files are policy changes, and no case changes one.
    expect(subject.policy_changes).toEqual([]);
    expect(subject.commit_authors).toEqual([...new Set(a.commitAuthors ?? [a.author ?? 'mallory'])].sort());

    merged.set(a.name, { pr: pr.number, gate: recorded, changes: subject.changes });
  });
});

describe("the binder exported from a clone holding every case's merge", () => {
  let out: string;
  let exported: ProcessResult;
  let modifications: Record<string, unknown>[];
  let additions: Record<string, unknown>[];
  let certifications: Record<string, unknown>[];

  beforeAll(async () => {
    const clone = join(dir, 'clone');
    cloneFromFake(gh, REPO, clone);
    out = join(dir, 'binder');
    exported = await runCli(['export', '--repo', clone, '--from', addDays(today, -1), '--to', addDays(today, 1), '--out', out]);
    modifications = population(out, 'modifications');
    additions = population(out, 'additions');
    certifications = population(out, 'review-campaigns');
  }, 120_000);

  it('is written, and the ledger it read verifies', () => {
    expect(exported.stderr).toBe('');
    expect(exported.code, exported.stdout).toBe(0);
    expect(merged.size).toBe(cases.length);
  });

  /** The case's merge, and the binder's rows of its pull request. */
  function rowsOf(a: Attack) {
    const m = merged.get(a.name);
    if (!m) throw new Error(`${a.name}: the case was not merged and recorded`);
    const mods = modifications.filter((r) => r.pr === m.pr);
    const adds = additions.filter((r) => r.pr === m.pr);
    const certs = certifications.filter((r) => r.pr === m.pr);
    return {
      ...m,
      mods,
      adds,
      certs,
      show: (rows: Record<string, unknown>[]) =>
        rows.map((r) => `${r.path} ${r.system ?? ''} ${r.role ?? ''} ${r.field ?? ''} widens=${r.widens ?? ''}`).join('\n'),
    };
  }

  /**
   * For each grant file the pull request modified: the gate asked for approval of it exactly when
   * the binder shows it widening, as a modification with widens=yes, as an entry added to it (a
   * new entry, or a role changed on a system, which the binder, like the record, lists as one
   * entry added and one removed), or as a certification of its review block (a review-campaigns
   * row of the pull request: review bookkeeping is no access change, but it is never hidden).
   */
  function widensAsTheGateSaid(a: Attack): void {
    const { gate, changes, mods, adds, certs, show } = rowsOf(a);
    const modified = changes.filter((c) => c.action === 'modified').map((c) => c.path);
    const binder = modified.filter(
      (path) => mods.some((r) => r.path === path && r.widens === 'yes') || adds.some((r) => r.path === path) || certs.some((r) => r.path === path),
    );
    // No certification is shown as an access change: a review block is a modification only when
    // its change certifies nothing (the gate asked no approval for it).
    expect(
      mods.filter((r) => String(r.field).startsWith('review') && r.widens === 'yes'),
      show(mods),
    ).toEqual([]);
    const asked = modified.filter((path) => gateAsked(gate.rows, new Set([path])));
    expect(binder, `modifications:\n${show(mods)}\nadditions:\n${show(adds)}`).toEqual(asked);
    // And nothing the gate let through is shown widening.
    if (!gateAsked(gate.rows))
      expect(
        mods.filter((r) => r.widens === 'yes'),
        show(mods),
      ).toEqual([]);
  }

  /** The binder's additions rows of the pull request are the entries its record says were added. */
  function additionsAsRecorded(a: Attack): void {
    const { changes, adds, show } = rowsOf(a);
    const recorded = changes.flatMap((c) => c.entries.filter((e) => e.action === 'added').map((e) => `${c.path} ${e.system} ${e.role}`)).sort();
    expect(adds.map((r) => `${r.path} ${r.system} ${r.role}`).sort(), show(adds)).toEqual(recorded);
  }

  for (const a of cases) {
    it(`${a.name}: widens=yes exactly where the gate asked for approval`, () => widensAsTheGateSaid(a));
    it(`${a.name}: additions are the recorded added entries`, () => additionsAsRecorded(a));
  }
});
