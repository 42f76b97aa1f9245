/**
 * The bundled gate on a merge queue, run as a process against the stateful fake GitHub, the way
 * the scaffold runs it: access-ledger-queue.yml runs for the merge group (`merge_group`, holding
 * nothing) and its completion runs the gate on `workflow_run`, from the default branch, with the
 * gate App's token. The queue waits for `access-ledger/gate` on each group's commit, so the gate
 * must judge every pull request the group holds, set the status there from the gate App, and fail
 * closed on whatever is not a merge group it can see.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { addDays, utcDay } from '../../src/core/dates.ts';
import { startFakeGitHub, type AppInfo, type FakeGitHub } from '../support/fake-github/index.ts';
import { GATE_APP_MANIFEST_PERMISSIONS } from '../support/fake-github/state.ts';
import { CONFIG, SYSTEMS, grant } from '../gate/scenario.ts';
import { runAction, type RunnerResult } from './runner.ts';

const REPO = 'acme/access';
const EXPIRES = addDays(utcDay(new Date()), 60);
const RELAY = { name: 'access-ledger merge queue', path: '.github/workflows/access-ledger-queue.yml' };

let gh: FakeGitHub;
let gateApp: AppInfo;
/** The gate App's token as the scaffold's token step mints it: reads, and commit statuses. */
let appToken: string;

beforeAll(async () => {
  gh = await startFakeGitHub();
  gh.state.createOrg('acme', { members: ['alice', 'bob', 'carol', 'dave', 'erin', 'sam', 'tom', 'una', 'vic', 'wes'] });
  gh.state.createTeam('acme', 'dba', { members: ['erin'] });
  gh.state.createTeam('acme', 'security', { members: ['sam'] });
  gh.state.createRepo(REPO, { files: { 'access-ledger.yaml': CONFIG, ...SYSTEMS, 'README.md': '# Access\n' } });
  gateApp = gh.state.createApp({ slug: 'acme-access-ledger-gate', name: 'access-ledger gate' });
  const inst = gh.state.install('acme', { app: gateApp, repositories: ['access'], permissions: { ...GATE_APP_MANIFEST_PERMISSIONS }, events: [] });
  appToken = gh.createInstallationToken(inst.id, { contents: 'read', pull_requests: 'read', members: 'read', statuses: 'write' });
});

afterAll(async () => {
  expect(gh.errors).toEqual([]);
  await gh.close();
});

function run(event: string, payload: unknown): Promise<RunnerResult> {
  return runAction({
    event,
    payload,
    repository: REPO,
    apiUrl: gh.url,
    graphqlUrl: gh.graphqlUrl,
    githubToken: gh.createWorkflowToken(REPO, { contents: 'read', pull_requests: 'read' }),
    inputs: { token: appToken, 'status-token': appToken },
  });
}

/** The relay's run for a queued pull request's group completes: the payload the gate's workflow_run gets. */
function relayCompleted(number: number, over: { event?: string; headBranch?: string; headSha?: string } = {}): Record<string, unknown> {
  const entry = gh.state.mergeQueueOf(REPO, 'main').find((e) => e.number === number)!;
  const r = gh.state.addWorkflowRun(REPO, {
    ...RELAY,
    headSha: over.headSha ?? entry.headCommit,
    headBranch: over.headBranch ?? entry.headRef,
    event: over.event ?? 'merge_group',
  });
  return gh.payloads.workflowRunCompleted(REPO, r.id);
}

/** The gate App's statuses on a commit, oldest first. */
function gateStatuses(sha: string): string[] {
  return gh.state
    .statusesOf(gh.state.repo(REPO), sha)
    .filter((s) => s.app?.id === gateApp.id && s.context === 'access-ledger/gate')
    .reverse()
    .map((s) => `${s.state}: ${s.description}`);
}

function openGrant(login: string, author = 'alice'): number {
  return gh.state.openPullRequest(REPO, {
    author,
    title: `Grant ${login} read access to db`,
    files: { [`grants/people/${login}.yaml`]: grant(login, [{ expires: EXPIRES }]) },
  });
}

describe('the gate on a merge queue, as the scaffold runs it', () => {
  it("passes a group whose pull request is approved on its head, and sets access-ledger/gate on the group's commit from the gate App", async () => {
    const number = openGrant('bob');
    gh.state.submitReview(REPO, number, { user: 'dave', state: 'APPROVED' });
    const entry = gh.state.enqueue(REPO, number, { by: 'dave' });
    const r = await run('workflow_run', relayCompleted(number));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(gateStatuses(entry.headCommit)).toEqual(['pending: judging the merge group at this commit', `success: pull request #${number}: approved by dave`]);
    // The pull request's own head is not where the queue looks: nothing is set there.
    expect(gateStatuses(gh.state.pullOf(REPO, number).pull.headSha)).toEqual([]);
    expect(r.outputs).toMatchObject({ verdict: 'pass', findings: '0' });
    const report = JSON.parse(await readFile(r.outputs['report-json']!, 'utf8'));
    expect(report).toMatchObject({
      merge_group: { head_sha: entry.headCommit, head_ref: entry.headRef, base_branch: 'main', base_sha: entry.baseCommit },
      verdict: 'pass',
      pull_requests: [{ pull_request: { number }, verdict: 'pass' }],
    });
    expect(r.summary).toContain('access-ledger gate: merge group pass');
    gh.state.dequeue(REPO, number);
  });

  it('fails a group when an approval was dismissed after the pull request was queued', async () => {
    const number = openGrant('carl');
    gh.state.addOrgMember('acme', 'carl');
    const review = gh.state.submitReview(REPO, number, { user: 'dave', state: 'APPROVED' });
    const entry = gh.state.enqueue(REPO, number, { by: 'dave' });
    gh.state.dismissReview(REPO, number, review.id);
    const r = await run('workflow_run', relayCompleted(number));
    expect(r.code).toBe(1);
    expect(gateStatuses(entry.headCommit).at(-1)).toBe(`failure: pull request #${number}: needs 1 more approval from @acme/dba or dave`);
    expect(r.commands.filter((c) => c.command === 'error').at(-1)!.message).toBe(
      `access-ledger gate: pull request #${number}: needs 1 more approval from @acme/dba or dave`,
    );
    gh.state.dequeue(REPO, number);
  });

  it('judges every pull request the group holds: an approved one behind an unapproved one fails with it', async () => {
    const first = openGrant('tom');
    const second = openGrant('una');
    gh.state.submitReview(REPO, second, { user: 'erin', state: 'APPROVED' });
    gh.state.enqueue(REPO, first, { by: 'sam' });
    const entry = gh.state.enqueue(REPO, second, { by: 'sam' });
    // The second group's commit is built on the first's, so it holds both.
    const r = await run('workflow_run', relayCompleted(second));
    expect(r.code).toBe(1);
    expect(gateStatuses(entry.headCommit).at(-1)).toBe(`failure: pull request #${first}: needs 1 more approval from @acme/dba or dave`);
    const report = JSON.parse(await readFile(r.outputs['report-json']!, 'utf8'));
    expect(report.pull_requests.map((p: { pull_request: { number: number }; verdict: string }) => [p.pull_request.number, p.verdict])).toEqual([
      [first, 'fail'],
      [second, 'pass'],
    ]);
    // Once the first is approved and the groups are judged again, both pass.
    gh.state.submitReview(REPO, first, { user: 'dave', state: 'APPROVED' });
    const again = await run('workflow_run', relayCompleted(second));
    expect(again.code).toBe(0);
    expect(gateStatuses(entry.headCommit).at(-1)).toBe(`success: every pull request in the merge group passes (#${first}, #${second})`);
    // Taking the first out rebuilds the second's group on main: a new commit, holding only itself.
    gh.state.dequeue(REPO, first);
    const rebuilt = gh.state.mergeQueueOf(REPO, 'main').find((e) => e.number === second)!;
    expect(rebuilt.headCommit).not.toBe(entry.headCommit);
    // The old group's commit is no longer in the queue: the gate cannot tell what it holds, and says error.
    const stale = await run('workflow_run', relayCompleted(second, { headSha: entry.headCommit, headBranch: entry.headRef }));
    expect(stale.code).toBe(1);
    expect(gateStatuses(entry.headCommit).at(-1)).toMatch(
      /^error: could not decide: the merge queue of main holds no entry built as [0-9a-f]{40} \(it was rebuilt/,
    );
    gh.state.dequeue(REPO, second);
  });

  it('a merge_group event given to the gate directly is judged the same way', async () => {
    const number = openGrant('vic');
    gh.state.submitReview(REPO, number, { user: 'dave', state: 'APPROVED' });
    const entry = gh.state.enqueue(REPO, number, { by: 'dave' });
    const r = await run('merge_group', gh.payloads.mergeGroup('checks_requested', REPO, number));
    expect(r.code).toBe(0);
    expect(gateStatuses(entry.headCommit).at(-1)).toBe(`success: pull request #${number}: approved by dave`);
    // A group GitHub destroyed needs no verdict.
    const destroyed = await run('merge_group', gh.payloads.mergeGroup('destroyed', REPO, number));
    expect(destroyed.code).toBe(0);
    expect(destroyed.stdout).toContain('merge_group destroyed does not change what the gate judges');
    gh.state.dequeue(REPO, number);
  });

  it("a branch's own workflow named like the relay (a push, not a merge group) makes the gate judge and set nothing", async () => {
    gh.state.addCollaborator(REPO, 'mallory', 'write');
    const number = openGrant('wes', 'mallory');
    const { pull } = gh.state.pullOf(REPO, number);
    const forged = gh.state.addWorkflowRun(REPO, {
      ...RELAY,
      headSha: pull.headSha,
      headBranch: `gh-readonly-queue/main/pr-${number}-${'0'.repeat(40)}`,
      event: 'push',
    });
    gh.resetCalls();
    const r = await run('workflow_run', gh.payloads.workflowRunCompleted(REPO, forged.id));
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('this workflow_run follows a run of the push event, not a merge group');
    expect(gateStatuses(pull.headSha)).toEqual([]);
    // It read nothing and wrote nothing.
    expect(gh.calls()).toEqual({});
  });

  it('fails closed: a merge group run whose branch is not a queue branch, or whose queue the token cannot read, ends in error', async () => {
    const number = openGrant('ann');
    gh.state.addOrgMember('acme', 'ann');
    gh.state.submitReview(REPO, number, { user: 'dave', state: 'APPROVED' });
    const entry = gh.state.enqueue(REPO, number, { by: 'dave' });
    const odd = await run('workflow_run', relayCompleted(number, { headBranch: 'main' }));
    expect(odd.code).toBe(1);
    expect(odd.commands.filter((c) => c.command === 'error').at(-1)!.message).toMatch(
      /its branch is not a merge queue's \(gh-readonly-queue\/<branch>\/pr-<n>-<sha>, not "main"\)/,
    );
    const fault = gh.faults.add({ route: '/graphql', kind: '5xx', status: 502 });
    try {
      const down = await run('workflow_run', relayCompleted(number));
      expect(down.code).toBe(1);
      expect(gateStatuses(entry.headCommit).at(-1)).toMatch(/^error: could not decide: /);
    } finally {
      fault.remove();
    }
    gh.state.dequeue(REPO, number);
  });
});
