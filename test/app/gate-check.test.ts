/**
 * The App's look at the gate at merge time, against the stateful fake GitHub: the bundled gate
 * runs on pull_request_target (its verdict lands on the head commit as the status
 * access-ledger/gate), an administrator merges anyway, and the App tells a bypass of a failing
 * gate from a gate that never decided.
 */
import { Octokit } from '@octokit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { observeGateCheck } from '../../src/app/ledger/gate-check.ts';
import { classifyCause } from '../../src/core/records/unapproved-merge.ts';
import { addDays, utcDay } from '../../src/core/dates.ts';
import type { Requester } from '../../src/app/github.ts';
import { startFakeGitHub, type FakeGitHub } from '../support/fake-github/index.ts';
import { CONFIG, SYSTEMS, grant } from '../gate/scenario.ts';
import { runAction } from '../action/runner.ts';

const REPO = 'acme/access';
const EXPIRES = addDays(utcDay(new Date()), 60);

let gh: FakeGitHub;
let app: Requester;
let gateToken: string;
let workflowToken: string;

beforeAll(async () => {
  gh = await startFakeGitHub();
  gh.state.createOrg('acme', { members: ['alice', 'bob', 'dave', 'erin', 'finn', 'gus'], admins: ['carol'] });
  gh.state.createTeam('acme', 'dba', { members: ['erin'] });
  gh.state.createTeam('acme', 'security', { members: ['carol'] });
  gh.state.createRepo(REPO, { files: { 'access-ledger.yaml': CONFIG, ...SYSTEMS } });
  const installation = gh.state.installationFor('acme')!.id;
  gateToken = gh.createInstallationToken(installation);
  workflowToken = gh.createWorkflowToken(REPO, { contents: 'read', pull_requests: 'read', statuses: 'write' });
  app = new Octokit({ baseUrl: gh.url, auth: gh.createInstallationToken(installation) }) as unknown as Requester;
});

afterAll(() => gh?.close());

function open(login: string): { number: number; head: string } {
  const number = gh.state.openPullRequest(REPO, {
    author: 'alice',
    title: `Grant ${login}`,
    files: { [`grants/people/${login}.yaml`]: grant(login, [{ expires: EXPIRES }]) },
  });
  return { number, head: gh.state.pullOf(REPO, number).pull.headSha };
}

function gate(number: number) {
  return runAction({
    event: 'pull_request_target',
    payload: gh.payloads.pullRequest('opened', REPO, number),
    repository: REPO,
    apiUrl: gh.url,
    graphqlUrl: gh.graphqlUrl,
    githubToken: workflowToken,
    inputs: { token: gateToken },
  });
}

async function causeAt(head: string): Promise<string> {
  const warnings: string[] = [];
  const obs = await observeGateCheck(app, { owner: 'acme', repo: 'access' }, head, 'gate', 'access-ledger/gate', (m) => warnings.push(m));
  expect(warnings).toEqual([]);
  return classifyCause(obs);
}

describe("the App reads the gate's status on the merged head", () => {
  it('an administrator merging over the failing status access-ledger/gate is an admin bypass', async () => {
    const pr = open('bob');
    const run = await gate(pr.number);
    expect(run.code).toBe(1);
    // The run's own check belongs to the base branch's tip; on the head there is only the status.
    gh.state.addCheckRun(REPO, { headSha: gh.state.branchTip(gh.state.repo(REPO), 'main'), name: 'gate', conclusion: 'failure' });
    gh.state.mergePull(REPO, pr.number, { by: 'carol' });
    expect(await causeAt(pr.head)).toBe('admin-bypass');
  });

  it('a merge before the gate set any status, or while it was still judging, is a gate outage', async () => {
    const never = open('dave');
    gh.state.mergePull(REPO, never.number, { by: 'carol' });
    expect(await causeAt(never.head)).toBe('gate-outage');

    const judging = open('finn');
    gh.state.createStatus(REPO, {
      sha: judging.head,
      state: 'pending',
      context: 'access-ledger/gate',
      description: 'judging the pull request at this commit',
      creator: 'github-actions[bot]',
    });
    gh.state.mergePull(REPO, judging.number, { by: 'carol' });
    expect(await causeAt(judging.head)).toBe('gate-outage');
  });

  it('a check named like the job passing on the head cannot hide the failing status', async () => {
    const pr = open('gus');
    expect((await gate(pr.number)).code).toBe(1);
    // Anyone who can run a workflow can create a check run named `gate`; the required status still failed.
    gh.state.addCheckRun(REPO, { headSha: pr.head, name: 'gate', conclusion: 'success' });
    gh.state.mergePull(REPO, pr.number, { by: 'carol' });
    expect(await causeAt(pr.head)).toBe('admin-bypass');
  });

  it('a gate that passed when it last ran, and facts that changed before the merge, is unknown', async () => {
    const pr = open('erin-helper');
    gh.state.addOrgMember('acme', 'erin-helper');
    const review = gh.state.submitReview(REPO, pr.number, { user: 'erin', state: 'APPROVED' });
    expect((await gate(pr.number)).code).toBe(0);
    gh.state.dismissReview(REPO, pr.number, review.id);
    gh.state.mergePull(REPO, pr.number, { by: 'carol' });
    expect(await causeAt(pr.head)).toBe('unknown');
  });
});
