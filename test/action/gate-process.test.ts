/**
 * The bundled gate, run as a process against the stateful fake GitHub on 127.0.0.1, driven the
 * way a runner drives it. The fake holds a real access repo, a real pull request and its reviews,
 * so each run reads what GitHub would answer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { addDays, utcDay } from '../../src/core/dates.ts';
import { startFakeGitHub, type AppInfo, type FakeGitHub } from '../support/fake-github/index.ts';
import { GATE_APP_MANIFEST_PERMISSIONS } from '../support/fake-github/state.ts';
import { CONFIG, SYSTEMS, grant } from '../gate/scenario.ts';
import { runAction, type RunnerResult } from './runner.ts';
import { createRequire } from 'node:module';
import { githubIngestionProblems, sarifSchemaValidator } from '../support/sarif.ts';

/** GitHub's own example of a `pull_request` `opened` delivery (Codertocat/Hello-World). */
function examplePayload(): Record<string, any> {
  const examples = createRequire(import.meta.url)('@octokit/webhooks-examples/api.github.com/index.json') as {
    name: string;
    examples: Record<string, any>[];
  }[];
  const opened = examples.find((e) => e.name === 'pull_request')!.examples.find((x) => x.action === 'opened')!;
  return structuredClone(opened);
}

const REPO = 'acme/access';
const EXPIRES = addDays(utcDay(new Date()), 60);
const BOB = 'grants/people/bob.yaml';

let gh: FakeGitHub;
/** The organization's gate App (gate-app.yml), as a test registers it. */
let gateApp: AppInfo;
let gateInstallation: number;
/**
 * The gate App's installation token as the scaffold's token step mints it (permission-contents,
 * -pull-requests, -members: read, -statuses: write): the gate reads with it and sets its status.
 */
let appToken: string;
/** The gate job's own GITHUB_TOKEN, with the scaffold's permissions: reads only. */
let workflowToken: string;
const SCAFFOLD_TOKEN = { contents: 'read', pull_requests: 'read', members: 'read', statuses: 'write' };

beforeAll(async () => {
  gh = await startFakeGitHub();
  gh.state.createOrg('acme', { members: ['alice', 'bob', 'carol', 'dave', 'erin', 'sam', 'wes', 'yan', 'zoe'] });
  gh.state.createTeam('acme', 'dba', { members: ['erin'] });
  gh.state.createTeam('acme', 'security', { members: ['sam'] });
  gh.state.createRepo(REPO, {
    files: {
      'access-ledger.yaml': CONFIG,
      ...SYSTEMS,
      'grants/people/carl.yaml': grant('carl', [{ expires: EXPIRES }]),
      'README.md': '# Access\n',
    },
  });
  gateApp = gh.state.createApp({ slug: 'acme-access-ledger-gate', name: 'access-ledger gate' });
  gateInstallation = gh.state.install('acme', { app: gateApp, repositories: ['access'], permissions: { ...GATE_APP_MANIFEST_PERMISSIONS }, events: [] }).id;
  appToken = gh.createInstallationToken(gateInstallation, SCAFFOLD_TOKEN);
  workflowToken = gh.createWorkflowToken(REPO, { contents: 'read', pull_requests: 'read' });
});

afterAll(async () => {
  await gh?.close();
});

function run(event: string, payload: unknown, inputs: Record<string, string> = {}, opts: { runId?: string; githubToken?: string } = {}): Promise<RunnerResult> {
  return runAction({
    event,
    payload,
    repository: REPO,
    apiUrl: gh.url,
    graphqlUrl: gh.graphqlUrl,
    githubToken: opts.githubToken ?? workflowToken,
    ...(opts.runId ? { runId: opts.runId } : {}),
    // As the scaffold's workflow passes them: the gate App's token for reading and for the status.
    inputs: { token: appToken, 'status-token': appToken, 'fail-on': 'error', config: '', 'sarif-file': '', ...inputs },
  });
}

/** The commit statuses on a commit, oldest first, as `context state: description`. */
function statusesOn(sha: string): string[] {
  return gh.state
    .statusesOf(gh.state.repo(REPO), sha)
    .reverse()
    .map((s) => `${s.context} ${s.state}: ${s.description}`);
}

const errors = (r: RunnerResult) => r.commands.filter((c) => c.command === 'error');

describe('the bundled gate, run as a process', () => {
  it('fails an unapproved grant PR with an annotation at the access entry, then passes once an eligible approval on the head SHA exists', async () => {
    const number = gh.state.openPullRequest(REPO, {
      author: 'alice',
      title: 'Grant bob read access to db',
      files: { [BOB]: grant('bob', [{ expires: EXPIRES }]) },
    });
    gh.resetCalls();
    const first = await run('pull_request', gh.payloads.pullRequest('opened', REPO, number), { 'sarif-file': 'out/gate.sarif' });
    expect(first.stderr).toBe('');
    expect(first.code).toBe(1);
    expect(first.stdout).toContain('::error title=access-ledger%3A approvals,file=grants/people/bob.yaml,line=7,col=5::access for `bob` to db');
    const annotation = errors(first).find((c) => c.properties.file === BOB)!;
    expect(annotation.properties).toMatchObject({ line: '7', col: '5' });
    expect(annotation.message).toContain('needs 1 more approval from @acme/dba or dave');
    // The failure says what to do next, in one line.
    expect(errors(first).at(-1)!.message).toBe('access-ledger gate: needs 1 more approval from @acme/dba or dave');
    expect(first.outputs).toMatchObject({ verdict: 'fail', findings: '1' });
    const report = JSON.parse(await readFile(first.outputs['report-json']!, 'utf8'));
    expect(report).toMatchObject({ verdict: 'fail', pull_request: { number }, rows: [{ identity: 'bob', system: 'db', change: 'adds', missing: 1 }] });
    expect(first.summary).toContain('access-ledger gate: fail');
    expect(first.summary).toMatch(
      /<tr><td>bob<\/td><td>db<\/td><td>adds: new entry<\/td><td>readonly, expires \d{4}-\d\d-\d\d<\/td><td><\/td><td>1 of 1 from @\u200bacme\/dba or dave<\/td>/,
    );
    const sarifText = await readFile(join(first.workspace, 'out/gate.sarif'), 'utf8');
    const sarif = JSON.parse(sarifText);
    expect(sarif.runs[0].results).toMatchObject([
      { ruleId: 'approvals', locations: [{ physicalLocation: { artifactLocation: { uri: BOB }, region: { startLine: 7 } } }] },
    ]);
    // Nothing is checked out, so upload-sarif cannot fingerprint: the gate's own fingerprints and category carry the alert.
    expect(sarif.runs[0].automationDetails).toEqual({ id: 'access-ledger/gate/' });
    expect(Object.keys(sarif.runs[0].results[0].partialFingerprints)).toEqual(['accessLedgerFinding/v1']);
    expect(githubIngestionProblems(sarifText)).toEqual([]);
    expect(sarifSchemaValidator()(sarif)).toBe(true);
    // Files, reviews, commits, one GraphQL read for every file, and the org membership of owner and grantee.
    expect(gh.calls()).toEqual({
      'GET /repos/{owner}/{repo}/pulls/{pull_number}/files': 1,
      'GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews': 1,
      'GET /repos/{owner}/{repo}/pulls/{pull_number}/commits': 1,
      'POST /graphql': 1,
      'GET /orgs/{org}/members/{username}': 2,
    });

    // An approval of an older commit does not count ...
    const stale = gh.state.submitReview(REPO, number, { user: 'dave', state: 'APPROVED' });
    gh.state.pushToPullRequest(REPO, number, {
      [BOB]: grant('bob', [{ expires: EXPIRES, justification: 'Investigates incidents from production rows (on call)' }]),
    });
    const afterPush = await run('pull_request', gh.payloads.pullRequest('synchronize', REPO, number));
    expect(afterPush.code).toBe(1);
    expect(errors(afterPush)[0]!.message).toContain('dave approved an older commit and must approve the latest one');
    expect(stale.state).toBe('APPROVED');

    // ... an approval of the head commit by an eligible approver (a member of @acme/dba) does.
    const review = gh.state.submitReview(REPO, number, { user: 'erin', state: 'APPROVED' });
    const approved = await run('pull_request_review', gh.payloads.pullRequestReview('submitted', REPO, number, review.id));
    expect(approved.stderr).toBe('');
    expect(errors(approved)).toEqual([]);
    expect(approved.code).toBe(0);
    expect(approved.outputs).toMatchObject({ verdict: 'pass', findings: '0' });
    expect(approved.stdout).toContain('access-ledger gate: pass: approved by erin');
    expect(approved.summary).toContain('<td>erin</td><td>✓</td>');

    // Dismissing that approval fails the check again.
    gh.state.dismissReview(REPO, number, review.id);
    const dismissed = await run('pull_request_review', gh.payloads.pullRequestReview('dismissed', REPO, number, review.id));
    expect(dismissed.code).toBe(1);
    expect(dismissed.outputs.verdict).toBe('fail');
  });

  it('passes a PR that touches nothing under grants/, systems/ or the config, quickly, saying there is nothing to check', async () => {
    const number = gh.state.openPullRequest(REPO, { author: 'alice', title: 'Docs', files: { 'README.md': '# Access requests\n\nOpen a pull request.\n' } });
    gh.resetCalls();
    const r = await run('pull_request', gh.payloads.pullRequest('opened', REPO, number));
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('access-ledger gate: pass: nothing to check: this pull request changes nothing under grants/, systems/ or the config');
    expect(r.outputs).toMatchObject({ verdict: 'pass', findings: '0' });
    expect(r.summary).toContain('nothing to check');
    // One call: the changed-files listing.
    expect(gh.calls()).toEqual({ 'GET /repos/{owner}/{repo}/pulls/{pull_number}/files': 1 });
  });

  it('fails, naming the fix, when the config input points where the App and the sweep do not read', async () => {
    const number = gh.state.openPullRequest(REPO, {
      author: 'alice',
      title: 'Grant zoe',
      files: { 'grants/people/zoe.yaml': grant('zoe', [{ expires: EXPIRES }]) },
    });
    for (const config of ['access/ledger.yaml', '.github/access-ledger.yaml']) {
      const r = await run('pull_request', gh.payloads.pullRequest('opened', REPO, number), { config });
      expect(r.code).toBe(1);
      expect(errors(r).at(-1)!.message).toContain(
        `the \`config\` input names ${config}, but the App that records merges, the sweep and the CLI read the repo config only at the repository's root, as access-ledger.yaml or access-ledger.yml`,
      );
      expect(r.stdout + r.stderr).not.toMatch(/\n\s+at /);
    }
    for (const config of ['access-ledger.yml', './access-ledger.yaml']) {
      const r = await run('pull_request', gh.payloads.pullRequest('opened', REPO, number), { config });
      expect(
        errors(r)
          .map((e) => e.message)
          .join('\n'),
      ).not.toContain('`config` input');
    }
  });

  it('passes a removal-only PR without any approval', async () => {
    const number = gh.state.openPullRequest(REPO, { author: 'alice', title: 'Revoke carl', files: { 'grants/people/carl.yaml': null } });
    const r = await run('pull_request', gh.payloads.pullRequest('opened', REPO, number));
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('removal only: no approval needed');
  });

  it('fails closed, naming the fix, when the token cannot read private org membership', async () => {
    const number = gh.state.openPullRequest(REPO, {
      author: 'alice',
      title: 'Grant zoe',
      files: { 'grants/people/zoe.yaml': grant('zoe', [{ expires: EXPIRES }]) },
    });
    // A token of someone outside the org, like a workflow token without members: read.
    const outsider = gh.createToken('octo-outsider');
    const r = await run('pull_request', gh.payloads.pullRequest('opened', REPO, number), { token: outsider });
    expect(r.code).toBe(1);
    expect(r.outputs.verdict).toBe('fail');
    const message = errors(r).at(-1)!.message;
    expect(message).toContain('the token cannot see private members of the acme organization');
    expect(message).toContain('actions/create-github-app-token');
    expect(message).not.toMatch(/\n|\s{2}at /);
  });

  it('reads the policy from the base: a PR that turns approvals off in its own config still needs approvals, and the admins', async () => {
    const number = gh.state.openPullRequest(REPO, {
      author: 'alice',
      title: 'Loosen the policy',
      files: { 'access-ledger.yaml': CONFIG + 'rules:\n  approvals: "off"\n', 'grants/people/yan.yaml': grant('yan', [{ expires: EXPIRES }]) },
    });
    const r = await run('pull_request', gh.payloads.pullRequest('opened', REPO, number));
    expect(r.code).toBe(1);
    expect(errors(r).map((c) => `${c.properties.file}:${c.properties.line}`)).toEqual([
      'access-ledger.yaml:1',
      'grants/people/yan.yaml:7',
      'undefined:undefined',
    ]);
    expect(errors(r).at(-1)!.message).toBe(
      'access-ledger gate: needs 1 more approval from @acme/dba or dave for db; needs 1 more approval from @acme/security (the admins) for the governed changes',
    );
  });

  it("reads GitHub's own example payload, on pull_request and on pull_request_target", async () => {
    const number = gh.state.openPullRequest(REPO, {
      author: 'alice',
      title: 'Grant wes',
      files: { 'grants/people/wes.yaml': grant('wes', [{ expires: EXPIRES }]) },
    });
    const { pull } = gh.state.pullOf(REPO, number);
    const payload = examplePayload();
    // The example is for Codertocat/Hello-World: point its numbers and SHAs at the fake's PR.
    payload.number = number;
    payload.pull_request.number = number;
    payload.pull_request.head.sha = pull.headSha;
    payload.pull_request.base.sha = pull.baseSha;
    payload.pull_request.user.login = 'alice';
    payload.repository.name = 'access';
    payload.repository.owner.login = 'acme';
    for (const event of ['pull_request', 'pull_request_target']) {
      const r = await run(event, payload);
      expect(r.code, r.stdout).toBe(1);
      expect(errors(r)[0]).toMatchObject({ properties: { file: 'grants/people/wes.yaml', line: '7', col: '5' } });
      expect(r.summary).toContain(`on ${event.replace(/_/g, '&#95;')}/opened`);
    }
  });

  it('on pull_request_target, from a fork: a re-run after a review reads the reviews again and passes, and the gate only ever reads', async () => {
    const number = gh.state.openPullRequest(REPO, {
      author: 'alice',
      title: 'Grant sam',
      files: { 'grants/people/sam.yaml': grant('sam', [{ expires: EXPIRES }]), '.github/workflows/steal.yml': 'on: pull_request\njobs: {}\n' },
    });
    // The event as GitHub delivers it to the base branch's workflow; the head lives in a fork.
    const payload = gh.payloads.pullRequest('opened', REPO, number) as { pull_request: { head: { repo: { full_name: string; owner: { login: string } } } } };
    payload.pull_request.head.repo.full_name = 'mallory/access';
    payload.pull_request.head.repo.owner.login = 'mallory';
    gh.resetCalls();
    const first = await run('pull_request_target', payload);
    expect(first.code).toBe(1);
    expect(errors(first).at(-1)!.message).toBe('access-ledger gate: needs 1 more approval from @acme/dba or dave');
    // access-ledger-rerun.yml re-runs this same run (same event, same payload) once a review lands.
    gh.state.submitReview(REPO, number, { user: 'erin', state: 'APPROVED' });
    const rerun = await run('pull_request_target', payload);
    expect(rerun.code, rerun.stdout).toBe(0);
    expect(rerun.outputs.verdict).toBe('pass');
    expect(rerun.summary).toContain('on pull&#95;request&#95;target/opened');
    // The gate App's token reads files, reviews, commits, GraphQL queries and membership; its one
    // kind of write is the commit status on the head, which GitHub records as the gate App's.
    expect(gh.requests.filter((r) => r.method !== 'GET' && r.route !== 'POST /graphql').map((r) => r.route)).toEqual(
      Array(4).fill('POST /repos/{owner}/{repo}/statuses/{sha}'),
    );
    const head = gh.state.pullOf(REPO, number).pull.headSha;
    expect(gh.state.statusesOf(gh.state.repo(REPO), head).map((s) => `${s.creator.login} ${s.app?.id}`)).toEqual(
      Array(4).fill(`acme-access-ledger-gate[bot] ${gateApp.id}`),
    );
  });

  it('on pull_request_target, sets its verdict as the status access-ledger/gate on the head commit: pending, failure, then success after an approval', async () => {
    gh.state.addOrgMember('acme', 'zed');
    const number = gh.state.openPullRequest(REPO, {
      author: 'alice',
      title: 'Grant zed',
      files: { 'grants/people/zed.yaml': grant('zed', [{ expires: EXPIRES }]) },
    });
    const { pull } = gh.state.pullOf(REPO, number);
    const baseTip = gh.state.branchTip(gh.state.repo(REPO), 'main');
    const payload = gh.payloads.pullRequest('opened', REPO, number);
    gh.resetCalls();
    const first = await run('pull_request_target', payload, {}, { runId: '7001' });
    expect(first.code).toBe(1);
    expect(errors(first).at(-1)!.message).toBe('access-ledger gate: needs 1 more approval from @acme/dba or dave');
    expect(statusesOn(pull.headSha)).toEqual([
      'access-ledger/gate pending: judging the pull request at this commit',
      'access-ledger/gate failure: needs 1 more approval from @acme/dba or dave',
    ]);
    const failure = gh.state.statusesOf(gh.state.repo(REPO), pull.headSha)[0]!;
    expect(failure).toMatchObject({
      targetUrl: 'https://github.com/acme/access/actions/runs/7001',
      creator: { login: 'acme-access-ledger-gate[bot]' },
      app: gateApp,
    });
    // Where branch protection looks is the head; the base tip, where the run itself belongs, gets nothing.
    expect(gh.state.combinedStatus(gh.state.repo(REPO), pull.headSha).state).toBe('failure');
    expect(statusesOn(baseTip)).toEqual([]);
    expect(gh.callCount('POST /repos/{owner}/{repo}/statuses/{sha}')).toBe(2);

    // access-ledger-rerun.yml re-runs the same run once a review lands: pending again, then success.
    const review = gh.state.submitReview(REPO, number, { user: 'erin', state: 'APPROVED' });
    const rerun = await run('pull_request_target', payload, {}, { runId: '7001' });
    expect(rerun.code, rerun.stdout).toBe(0);
    expect(statusesOn(pull.headSha).slice(2)).toEqual([
      'access-ledger/gate pending: judging the pull request at this commit',
      'access-ledger/gate success: approved by erin',
    ]);
    expect(gh.state.combinedStatus(gh.state.repo(REPO), pull.headSha).state).toBe('success');

    // A dismissed approval: the next re-run sets pending before it judges, so green never outlives the approval.
    gh.state.dismissReview(REPO, number, review.id);
    const dismissed = await run('pull_request_target', payload, {}, { runId: '7001' });
    expect(dismissed.code).toBe(1);
    expect(statusesOn(pull.headSha).slice(4)).toEqual([
      'access-ledger/gate pending: judging the pull request at this commit',
      'access-ledger/gate failure: needs 1 more approval from @acme/dba or dave',
    ]);
    expect(gh.errors).toEqual([]);
  });

  it('commit-status: never sets nothing; always sets it on pull_request too; auto leaves pull_request to its check', async () => {
    gh.state.addOrgMember('acme', 'quin');
    const number = gh.state.openPullRequest(REPO, {
      author: 'alice',
      title: 'Grant quin',
      files: { 'grants/people/quin.yaml': grant('quin', [{ expires: EXPIRES }]) },
    });
    const { pull } = gh.state.pullOf(REPO, number);
    const never = await run('pull_request_target', gh.payloads.pullRequest('opened', REPO, number), { 'commit-status': 'never' });
    expect(never.code).toBe(1);
    const auto = await run('pull_request', gh.payloads.pullRequest('opened', REPO, number));
    expect(auto.code).toBe(1);
    expect(statusesOn(pull.headSha)).toEqual([]);
    const always = await run('pull_request', gh.payloads.pullRequest('opened', REPO, number), { 'commit-status': 'always', 'status-context': 'policy/access' });
    expect(always.code).toBe(1);
    expect(statusesOn(pull.headSha)).toEqual([
      'policy/access pending: judging the pull request at this commit',
      'policy/access failure: needs 1 more approval from @acme/dba or dave',
    ]);
    const bad = await run('pull_request_target', gh.payloads.pullRequest('opened', REPO, number), { 'commit-status': 'yes' });
    expect(bad.code).toBe(1);
    expect(errors(bad).at(-1)!.message).toMatch(/the `commit-status` input must be auto, always or never/);
  });

  it('fails the step, naming the permission, when GitHub refuses the status (a token without statuses: write)', async () => {
    gh.state.addOrgMember('acme', 'ravi');
    const number = gh.state.openPullRequest(REPO, {
      author: 'alice',
      title: 'Grant ravi',
      files: { 'grants/people/ravi.yaml': grant('ravi', [{ expires: EXPIRES }]) },
    });
    const { pull } = gh.state.pullOf(REPO, number);
    gh.state.submitReview(REPO, number, { user: 'dave', state: 'APPROVED' });
    // The gate App's token as a token step that leaves out permission-statuses: write mints it:
    // GitHub answers 403 "Resource not accessible by integration".
    const readOnly = gh.createInstallationToken(gateInstallation, { contents: 'read', pull_requests: 'read', members: 'read' });
    gh.resetCalls();
    const r = await run('pull_request_target', gh.payloads.pullRequest('opened', REPO, number), { token: readOnly, 'status-token': readOnly });
    expect(r.code).toBe(1);
    expect(r.outputs.verdict).toBe('fail');
    const message = errors(r).at(-1)!.message;
    expect(message).toMatch(/^access-ledger gate: GitHub refused access \(403\) while setting the commit status access-ledger\/gate \(pending\)/);
    expect(message).toContain("the gate App's token needs `permission-statuses: write` on its token step");
    expect(message).toContain('statuses: write');
    expect(message).toContain('Resource not accessible by integration');
    expect(message).not.toMatch(/\n|\s{2}at /);
    expect(statusesOn(pull.headSha)).toEqual([]);
    // It stops before judging: a verdict it cannot put where branch protection looks would be a silent pass.
    expect(gh.calls()).toEqual({ 'POST /repos/{owner}/{repo}/statuses/{sha}': 1 });

    // The job's own token without statuses: write (the scaffold's job permissions) cannot set it either.
    const withJobToken = await run('pull_request_target', gh.payloads.pullRequest('opened', REPO, number), { 'status-token': workflowToken });
    expect(withJobToken.code).toBe(1);
    expect(errors(withJobToken).at(-1)!.message).toContain("a job's own token needs `permissions: statuses: write`");

    // No status token at all: refused before anything is read, saying which input to pass.
    gh.resetCalls();
    const none = await run('pull_request_target', gh.payloads.pullRequest('opened', REPO, number), { 'status-token': '' });
    expect(none.code).toBe(1);
    expect(errors(none).at(-1)!.message).toContain(
      "the `status-token` input is empty, so the gate cannot set its commit status access-ledger/gate on the pull request's head commit: pass the gate App's token",
    );
    expect(gh.calls()).toEqual({});
    expect(statusesOn(pull.headSha)).toEqual([]);
  });

  it("with the gate App's token as both token and status-token (the scaffold), the status is the gate App's; a branch's forged status is not", async () => {
    gh.state.addOrgMember('acme', 'tess');
    const number = gh.state.openPullRequest(REPO, {
      author: 'mallory',
      title: 'Grant tess',
      files: { 'grants/people/tess.yaml': grant('tess', [{ expires: EXPIRES }]) },
    });
    const { pull } = gh.state.pullOf(REPO, number);
    const r = await run('pull_request_target', gh.payloads.pullRequest('opened', REPO, number), { token: appToken, 'status-token': appToken });
    expect(r.code).toBe(1);
    // The attack: a workflow pushed with the branch (on: push, permissions: statuses: write) sets a green status.
    const branchWorkflow = gh.createWorkflowToken(REPO, { statuses: 'write' });
    const forged = await fetch(`${gh.url}/repos/${REPO}/statuses/${pull.headSha}`, {
      method: 'POST',
      headers: { authorization: `token ${branchWorkflow}`, 'content-type': 'application/json' },
      body: JSON.stringify({ state: 'success', context: 'access-ledger/gate', description: 'approved' }),
    });
    expect(forged.status).toBe(201);
    // And with the author's own token.
    gh.state.addCollaborator(REPO, 'mallory', 'write');
    const own = await fetch(`${gh.url}/repos/${REPO}/statuses/${pull.headSha}`, {
      method: 'POST',
      headers: { authorization: `token ${gh.createToken('mallory')}`, 'content-type': 'application/json' },
      body: JSON.stringify({ state: 'success', context: 'access-ledger/gate' }),
    });
    expect(own.status).toBe(201);
    const all = gh.state.statusesOf(gh.state.repo(REPO), pull.headSha);
    // Any source: the newest status wins, and it is the forged green.
    expect(all[0]).toMatchObject({ state: 'success', creator: { login: 'mallory' }, app: null });
    expect(gh.state.combinedStatus(gh.state.repo(REPO), pull.headSha).state).toBe('success');
    // GitHub Actions as the source: the branch's workflow token is GitHub Actions, so its green counts too.
    expect(all.find((x) => x.app?.slug === 'github-actions')).toMatchObject({ state: 'success', creator: { login: 'github-actions[bot]' } });
    // The gate App as the source: only the gate's own statuses count, and the newest says failure.
    const fromGateApp = all.filter((x) => x.app?.id === gateApp.id);
    expect(fromGateApp.map((x) => `${x.state}: ${x.description}`)).toEqual([
      'failure: needs 1 more approval from @acme/dba or dave',
      'pending: judging the pull request at this commit',
    ]);
    expect(fromGateApp.every((x) => x.creator.login === 'acme-access-ledger-gate[bot]')).toBe(true);
  });

  it('sets error, never success, when the gate cannot decide (GitHub fails while it reads the pull request)', async () => {
    gh.state.addOrgMember('acme', 'ula');
    const number = gh.state.openPullRequest(REPO, {
      author: 'alice',
      title: 'Grant ula',
      files: { 'grants/people/ula.yaml': grant('ula', [{ expires: EXPIRES }]) },
    });
    const { pull } = gh.state.pullOf(REPO, number);
    gh.state.submitReview(REPO, number, { user: 'dave', state: 'APPROVED' });
    const fault = gh.faults.add({ route: 'GET /repos/{owner}/{repo}/pulls/{pull_number}/files', kind: '5xx', status: 502 });
    try {
      const r = await run('pull_request_target', gh.payloads.pullRequest('opened', REPO, number));
      expect(r.code).toBe(1);
      expect(r.outputs.verdict).toBe('fail');
      expect(errors(r).at(-1)!.message).toMatch(/GitHub failed \(502\)/);
    } finally {
      fault.remove();
    }
    const statuses = statusesOn(pull.headSha);
    expect(statuses[0]).toBe('access-ledger/gate pending: judging the pull request at this commit');
    expect(statuses[1]).toMatch(/^access-ledger\/gate error: could not decide: GitHub failed \(502\)/);
    expect([...statuses[1]!.split(': ').slice(1).join(': ')].length).toBeLessThanOrEqual(140);
    expect(statuses).toHaveLength(2);
    // And once GitHub answers again, the next run decides.
    const again = await run('pull_request_target', gh.payloads.pullRequest('opened', REPO, number));
    expect(again.code, again.stdout).toBe(0);
    expect(statusesOn(pull.headSha).at(-1)).toBe('access-ledger/gate success: approved by dave');
  });

  it('cuts a long next step to the 140 characters GitHub accepts in a status description', async () => {
    // A grantee outside the organization and a missing approval: the next step names both.
    const number = gh.state.openPullRequest(REPO, {
      author: 'alice',
      title: 'Grant vic',
      files: { 'grants/people/vic.yaml': grant('vic', [{ expires: EXPIRES }]) },
    });
    const { pull } = gh.state.pullOf(REPO, number);
    const r = await run('pull_request_target', gh.payloads.pullRequest('opened', REPO, number));
    expect(r.code).toBe(1);
    const nextStep = errors(r)
      .at(-1)!
      .message.replace(/^access-ledger gate: /, '');
    expect(nextStep.length).toBeGreaterThan(140);
    const [status] = gh.state.statusesOf(gh.state.repo(REPO), pull.headSha);
    expect(status!.state).toBe('failure');
    expect([...status!.description!].length).toBeGreaterThan(130);
    expect([...status!.description!].length).toBeLessThanOrEqual(140);
    expect(status!.description!.endsWith('…')).toBe(true);
    expect(nextStep.startsWith(status!.description!.slice(0, -1))).toBe(true);
  });

  it('succeeds without evaluating on an event it does not judge', async () => {
    const r = await run('push', { ref: 'refs/heads/main' });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('access-ledger gate: the push event is not one the gate evaluates');
    expect(r.outputs).toEqual({});
    const closed = await run('pull_request', { action: 'closed', pull_request: {} });
    expect(closed.code).toBe(0);
    expect(closed.stdout).toContain('pull_request closed does not change what the gate judges');
  });
});
