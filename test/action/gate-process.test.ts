/**
 * The bundled gate, run as a process against the stateful fake GitHub on 127.0.0.1, driven the
 * way a runner drives it. The fake holds a real access repo, a real pull request and its reviews,
 * so each run reads what GitHub would answer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { addDays, utcDay } from '../../src/core/dates.ts';
import { startFakeGitHub, type FakeGitHub } from '../support/fake-github/index.ts';
import { CONFIG, SYSTEMS, grant } from '../gate/scenario.ts';
import { runAction, type RunnerResult } from './runner.ts';
import { createRequire } from 'node:module';
import { githubIngestionProblems, sarifSchemaValidator } from '../support/sarif.ts';

/** GitHub's own example of a `pull_request` `opened` delivery (Codertocat/Hello-World). */
function examplePayload(): Record<string, any> {
  const examples = createRequire(import.meta.url)('@octokit/webhooks-examples/api.github.com/index.json') as { name: string; examples: Record<string, any>[] }[];
  const opened = examples.find((e) => e.name === 'pull_request')!.examples.find((x) => x.action === 'opened')!;
  return structuredClone(opened);
}

const REPO = 'acme/access';
const EXPIRES = addDays(utcDay(new Date()), 60);
const BOB = 'grants/people/bob.yaml';

let gh: FakeGitHub;
let appToken: string;

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
  appToken = gh.createInstallationToken(gh.state.installationFor('acme')!.id);
});

afterAll(async () => {
  await gh?.close();
});

function run(event: string, payload: unknown, inputs: Record<string, string> = {}): Promise<RunnerResult> {
  return runAction({ event, payload, repository: REPO, apiUrl: gh.url, graphqlUrl: gh.graphqlUrl, inputs: { token: appToken, 'fail-on': 'error', config: '', 'sarif-file': '', ...inputs } });
}

const errors = (r: RunnerResult) => r.commands.filter((c) => c.command === 'error');

describe('the bundled gate, run as a process', () => {
  it('fails an unapproved grant PR with an annotation at the access entry, then passes once an eligible approval on the head SHA exists', async () => {
    const number = gh.state.openPullRequest(REPO, { author: 'alice', title: 'Grant bob read access to db', files: { [BOB]: grant('bob', [{ expires: EXPIRES }]) } });
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
    expect(first.summary).toMatch(/<tr><td>bob<\/td><td>db<\/td><td>adds: new entry<\/td><td>readonly, expires \d{4}-\d\d-\d\d<\/td><td><\/td><td>1 of 1 from @acme\/dba or dave<\/td>/);
    const sarifText = await readFile(join(first.workspace, 'out/gate.sarif'), 'utf8');
    const sarif = JSON.parse(sarifText);
    expect(sarif.runs[0].results).toMatchObject([{ ruleId: 'approvals', locations: [{ physicalLocation: { artifactLocation: { uri: BOB }, region: { startLine: 7 } } }] }]);
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
    gh.state.pushToPullRequest(REPO, number, { [BOB]: grant('bob', [{ expires: EXPIRES, justification: 'Investigates incidents from production rows (on call)' }]) });
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

  it('passes a removal-only PR without any approval', async () => {
    const number = gh.state.openPullRequest(REPO, { author: 'alice', title: 'Revoke carl', files: { 'grants/people/carl.yaml': null } });
    const r = await run('pull_request', gh.payloads.pullRequest('opened', REPO, number));
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('removal only: no approval needed');
  });

  it('fails closed, naming the fix, when the token cannot read private org membership', async () => {
    const number = gh.state.openPullRequest(REPO, { author: 'alice', title: 'Grant zoe', files: { 'grants/people/zoe.yaml': grant('zoe', [{ expires: EXPIRES }]) } });
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
    expect(errors(r).map((c) => `${c.properties.file}:${c.properties.line}`)).toEqual(['access-ledger.yaml:1', 'grants/people/yan.yaml:7', 'undefined:undefined']);
    expect(errors(r).at(-1)!.message).toBe('access-ledger gate: needs 1 more approval from @acme/dba or dave for db; needs 1 more approval from @acme/security (the admins) for the governed changes');
  });

  it('reads GitHub\'s own example payload, on pull_request and on pull_request_target', async () => {
    const number = gh.state.openPullRequest(REPO, { author: 'alice', title: 'Grant wes', files: { 'grants/people/wes.yaml': grant('wes', [{ expires: EXPIRES }]) } });
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
    const number = gh.state.openPullRequest(REPO, { author: 'alice', title: 'Grant sam', files: { 'grants/people/sam.yaml': grant('sam', [{ expires: EXPIRES }]), '.github/workflows/steal.yml': 'on: pull_request\njobs: {}\n' } });
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
    // Reads only: files, reviews, commits, GraphQL queries and membership; nothing is written.
    expect(gh.requests.filter((r) => r.method !== 'GET' && r.route !== 'POST /graphql')).toEqual([]);
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
