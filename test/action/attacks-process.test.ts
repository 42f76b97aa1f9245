/**
 * The named attacks (test/support/attacks.ts) through the bundled gate, run as a process the way a
 * runner runs it, against the stateful fake GitHub: each case is its own repository holding the
 * case's base, with the pull request as GitHub holds it (its author, the authors of its commits,
 * its changed, renamed and deleted files, reviews on the head or an older commit). Every attack
 * fails, naming who must approve; every narrowing passes with no approval. The pure judge runs the
 * same table in test/gate/attacks.test.ts; here the answer comes from what the API reports, and
 * it must be the pure judge's answer to the letter: the same findings at the same lines, the same
 * next step.
 */
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { utcDay } from '../../src/core/dates.ts';
import { startFakeGitHub, type FakeGitHub } from '../support/fake-github/index.ts';
import { CONFIG, ORG_MEMBERS, SYSTEMS, TEAMS, attacks, baseFiles, narrowings, type Attack } from '../support/attacks.ts';
import { judge } from '../gate/scenario.ts';
import { ORG, baseRepoFiles, openAttackPull, seedAttackOrg, withLoginsAsSpelled } from '../support/attack-pulls.ts';
import { runAction, type RunnerResult } from './runner.ts';

// The Action judges with the real clock, so the cases' dates are relative to the real day.
const today = utcDay(new Date());
const attackList = attacks(today);
const narrowingList = narrowings(today);

let gh: FakeGitHub;
let token: string;
let repos = 0;

beforeAll(async () => {
  gh = await startFakeGitHub();
  token = seedAttackOrg(gh);
});

afterAll(async () => {
  // Every request was one the fake models.
  expect(gh.errors).toEqual([]);
  await gh?.close();
});

/**
 * The pure judge on the table's facts, as test/gate/attacks.test.ts runs it, on the day the Action
 * runs, with the reviews GitHub accepted (it refuses an author's approval of their own pull request).
 */
function pureJudgement(a: Attack, refused: readonly string[]) {
  const author = a.author ?? 'mallory';
  return judge(
    {
      config: a.config ?? CONFIG,
      systems: { ...SYSTEMS, ...(a.systems ?? {}) },
      grants: { ...baseFiles(today), ...(a.base ?? {}) },
      change: a.change,
      ...(a.renames ? { renames: a.renames } : {}),
      author,
      commitAuthors: a.commitAuthors ?? [author],
      reviews: (a.reviews ?? []).filter(([reviewer]) => !refused.some((r) => r.startsWith(`${reviewer}: `))),
      teams: TEAMS,
      orgMembers: ORG_MEMBERS,
    },
    { today },
  );
}

interface GateReport {
  verdict: string;
  rows: { file: string; required: number; missing: number }[];
}

/** The case on its own repository, and the gate's run on its pull request. */
async function gate(a: Attack): Promise<{ run: RunnerResult; said: string; report: GateReport; refused: string[] }> {
  const repo = `${ORG}/case-${++repos}`;
  gh.state.createRepo(repo, { files: baseRepoFiles(a, today) });
  const pr = openAttackPull(gh, repo, a);
  // GitHub refuses one review only: the author's approval of their own pull request.
  for (const r of pr.refused) expect(r).toMatch(new RegExp(`^${a.author ?? 'mallory'}: Can not approve your own pull request$`));
  const run = await withLoginsAsSpelled(gh, a, () =>
    runAction({
      event: 'pull_request',
      payload: gh.payloads.pullRequest('opened', repo, pr.number),
      repository: repo,
      apiUrl: gh.url,
      graphqlUrl: gh.graphqlUrl,
      inputs: { token, 'fail-on': 'error', config: '', 'sarif-file': '' },
    }),
  );
  // An annotation shows its title (the rule) above its message.
  const annotations = run.commands.filter((c) => c.command === 'error' || c.command === 'warning');
  const lines = run.stdout.split('\n').filter((l) => l.startsWith('access-ledger gate: '));
  const nextStep = run.code === 0 ? (lines.at(-1) ?? '') : (annotations.at(-1)?.message ?? '');
  const said = [...annotations.slice(0, run.code === 0 ? undefined : -1).map((c) => `${c.properties.title ?? ''}: ${c.message}`), nextStep].join('\n');
  const report = run.outputs['report-json'] ? (JSON.parse(await readFile(run.outputs['report-json'], 'utf8')) as GateReport) : { verdict: '', rows: [] };
  return { run, said, report, refused: pr.refused };
}

/** The process's annotations and next step, and the pure judge's findings and next step, in one shape. */
function agreement(run: RunnerResult, a: Attack, refused: readonly string[]) {
  const annotations = run.commands.filter((c) => (c.command === 'error' || c.command === 'warning') && c.properties.title);
  const next =
    run.code === 0
      ? (run.stdout
          .split('\n')
          .filter((l) => l.startsWith('access-ledger gate: pass: '))
          .at(-1) ?? '')
      : (run.commands.filter((c) => c.command === 'error').at(-1)?.message ?? '');
  const pure = pureJudgement(a, refused);
  return {
    process: {
      findings: annotations
        .map(
          (c) =>
            `${c.command} ${c.properties.title!.replace(/^access-ledger: /, '')} ${c.properties.file ?? ''}:${c.properties.line ?? ''}:${c.properties.col ?? ''} ${c.message}`,
        )
        .sort(),
      nextStep: next.replace(/^access-ledger gate: (pass: )?/, ''),
    },
    pure: {
      findings: pure.findings.map((f) => `${f.severity} ${f.rule} ${f.file ?? ''}:${f.line ?? ''}:${f.column ?? ''} ${f.message}`).sort(),
      nextStep: pure.nextStep,
    },
  };
}

describe('the bundled gate, run as a process, against named attacks', () => {
  it('runs the whole table', () => {
    expect(attackList.length).toBeGreaterThanOrEqual(40);
    expect(narrowingList.length).toBeGreaterThanOrEqual(10);
  });

  it.each(attackList.map((a) => [a.name, a] as const))('%s', async (_, a) => {
    const { run, said, report, refused } = await gate(a);
    expect(run.stderr, said).toBe('');
    expect(run.outputs.verdict, said).toBe('fail');
    expect(run.code, said).toBe(1);
    for (const fragment of a.because) expect(said).toContain(fragment);
    // The last line says what to do next, and it is the gate's, not a crash.
    expect(said.split('\n').at(-1)).toMatch(/^access-ledger gate: (?!pass)/);
    expect(report.verdict).toBe('fail');
    const { process, pure } = agreement(run, a, refused);
    expect(process).toEqual(pure);
  });
});

describe('the bundled gate, run as a process: narrowing and documentation edits pass with no approval', () => {
  it.each(narrowingList.map((a) => [a.name, a] as const))('%s', async (_, a) => {
    const { run, said, report, refused } = await gate(a);
    expect(run.stderr, said).toBe('');
    expect(run.outputs.verdict, said).toBe('pass');
    expect(run.code, said).toBe(0);
    for (const fragment of a.because) expect(said).toContain(fragment);
    expect(
      run.commands.filter((c) => c.command === 'error'),
      said,
    ).toEqual([]);
    expect(
      report.rows.filter((r) => r.required > 0),
      said,
    ).toEqual([]);
    const { process, pure } = agreement(run, a, refused);
    expect(process).toEqual(pure);
  });
});
