/**
 * Contract: every REST route the fake serves answers with a body that GitHub's own OpenAPI
 * description accepts for that operation and status, webhook payloads match the `x-webhooks`
 * schemas, and the GraphQL query the blob reader sends is valid against GitHub's GraphQL schema.
 * A route added to the table without being exercised here fails the last test.
 */
import { createRequire } from 'node:module';
import { parse, validate } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routeTable, startFakeGitHub, type FakeGitHub } from '../support/fake-github/index.ts';
import { githubGraphqlSchema } from '../support/fake-github/routes/graphql.ts';
import { appJwt, client, seedAcme, type RawResponse } from './helpers.ts';
import { basicErrorValidator, describeErrors, operation, responseValidator, webhookValidator } from './openapi-schemas.ts';

let gh: FakeGitHub;
let call: ReturnType<typeof client>;
let token: string;
let outsider: string;
let pr: number;
let installationId: number;
const covered = new Set<string>();

beforeAll(async () => {
  gh = await startFakeGitHub();
  ({ pr, installationId } = seedAcme(gh));
  gh.state.addOrgMember('acme', 'pat', { public: true });
  gh.state.createRepo('acme/no-issues', { hasIssues: false });
  token = gh.createInstallationToken(installationId);
  outsider = gh.createToken('mallory');
  call = client(gh, token);
});

afterAll(() => gh.close());

/** Calls the fake, checks the status, and validates the body against the operation's schema for it. */
async function check(expected: number, method: string, path: string, opts: { body?: unknown; token?: string; accept?: string } = {}): Promise<any> {
  const res: RawResponse = await call(method, path, opts);
  expect(res.status, `${method} ${path}: ${JSON.stringify(res.body)}`).toBe(expected);
  const last = gh.requests.at(-1);
  const route = routeTable().find((r) => `${r.method} ${r.path}` === last?.route);
  if (!route) throw new Error(`${method} ${path} did not match a route (${last?.route})`);
  covered.add(last?.route as string);
  const op = operation(route.operationId);
  // The table's operationId must describe the same method; the path may be a legacy alias.
  expect(op.method).toBe(method);
  const validator = responseValidator(route.operationId, res.status);
  if (validator === undefined) {
    // GitHub answers 401/403/404 on any route without listing them all; those must still be basic errors.
    expect(res.status, `${route.operationId} does not declare ${res.status}`).toBeGreaterThanOrEqual(400);
    const basic = basicErrorValidator();
    expect(basic(res.body), describeErrors(basic)).toBe(true);
  } else if (validator) {
    expect(validator(res.body), `${route.operationId} ${res.status}\n${describeErrors(validator)}`).toBe(true);
  }
  return res.body;
}

const R = '/repos/acme/access';

describe('REST responses match @octokit/openapi', () => {
  it('apps', async () => {
    const jwt = appJwt();
    await check(200, 'GET', '/app', { token: jwt });
    await check(200, 'GET', '/app/installations', { token: jwt });
    await check(200, 'GET', `/app/installations/${installationId}`, { token: jwt });
    await check(200, 'GET', `${R}/installation`, { token: jwt });
    await check(404, 'GET', '/repos/acme/missing/installation', { token: jwt });
    const t = await check(201, 'POST', `/app/installations/${installationId}/access_tokens`, { token: jwt });
    expect((await call('GET', R, { token: t.token })).status).toBe(200);
    const repos = await check(200, 'GET', '/installation/repositories');
    expect(repos.total_count).toBe(repos.repositories.length);
    const second = await check(200, 'GET', '/installation/repositories?per_page=1&page=2');
    expect([second.total_count, second.repositories.length]).toEqual([repos.total_count, 1]);
    await check(403, 'GET', '/installation/repositories', { token: outsider });
    // A person's token sees the installations of the organizations they belong to, and their repositories.
    const carol = gh.createToken('carol');
    const mine = await check(200, 'GET', '/user/installations', { token: carol });
    expect(mine.installations.map((i: { id: number }) => i.id)).toEqual([installationId]);
    expect((await check(200, 'GET', '/user/installations', { token: outsider })).installations).toEqual([]);
    await check(403, 'GET', '/user/installations');
    const visible = await check(200, 'GET', `/user/installations/${installationId}/repositories`, { token: carol });
    expect(visible.repositories.map((r: { full_name: string }) => r.full_name)).toContain('acme/access');
    await check(404, 'GET', `/user/installations/${installationId}/repositories`, { token: outsider });
  });

  it('branch protection, rules, rulesets, collaborators, environments and CODEOWNERS errors', async () => {
    const s = gh.state;
    const admin = gh.createToken('carol'); // an organization admin
    const writer = gh.createToken('bob');
    s.addCollaborator('acme/access', 'bob', 'write');
    s.addCollaborator('acme/access', 'erin', 'admin');
    s.commitFiles('acme/access', 'main', { '.github/CODEOWNERS': '/access-ledger.yaml @acme/dba\n/systems/ @acme/nobody @ghost-user\n' });
    s.createBranch('acme/access', 'access-ledger');
    const gateApp = s.createApp({ slug: 'acme-access-ledger-gate', name: 'access-ledger gate' });
    // A required check from any source (app_id null) and one only the gate App may set.
    s.protectBranch('acme/access', 'main', {
      requiredChecks: ['gate', { context: 'access-ledger/gate', appId: gateApp.id }],
      strict: true,
      reviews: { count: 1, codeOwners: true, dismissStale: true, lastPush: true },
      enforceAdmins: true,
    });
    s.protectBranch('acme/access', 'access-ledger', { restrictions: { users: ['erin'], teams: ['dba'], apps: ['access-ledger'] }, enforceAdmins: true });
    s.addRuleset('acme/access', {
      name: 'main',
      include: ['~DEFAULT_BRANCH'],
      rules: [
        { type: 'pull_request', parameters: { require_code_owner_review: true, required_approving_review_count: 1 } },
        {
          type: 'required_status_checks',
          parameters: { required_status_checks: [{ context: 'gate' }, { context: 'access-ledger/gate', integration_id: gateApp.id }] },
        },
      ],
    });
    expect(() =>
      s.addRuleset('acme/access', {
        name: 'bad',
        include: ['~ALL'],
        rules: [{ type: 'required_status_checks', parameters: { required_status_checks: [{ context: 'x', app_id: 1 }] } }],
      }),
    ).toThrow(/\{ context, integration_id\? \}/);
    const writes = s.addRuleset('acme/access', {
      name: 'only the App',
      include: ['refs/heads/access-ledger'],
      rules: [{ type: 'creation' }, { type: 'update' }],
      bypass: [{ actorType: 'Integration', actorId: s.app.id }],
    });
    s.addRuleset('acme/access', { name: 'history', include: ['refs/heads/access-ledger'], rules: [{ type: 'deletion' }, { type: 'non_fast_forward' }] });
    s.addRuleset('acme/access', { name: 'off', enforcement: 'disabled', include: ['~ALL'], rules: [{ type: 'deletion' }] });
    s.createEnvironment('acme/access', 'access-ledger-gate', { branches: ['main'] });
    s.createEnvironment('acme/access', 'anything', { branches: null });

    const main = await check(200, 'GET', `${R}/branches/main/protection`, { token: admin });
    expect(main.required_status_checks.checks).toEqual([
      { context: 'gate', app_id: null },
      { context: 'access-ledger/gate', app_id: gateApp.id },
    ]);
    expect(main.required_status_checks.contexts).toEqual(['gate', 'access-ledger/gate']);
    const ledger = await check(200, 'GET', `${R}/branches/access-ledger/protection`);
    expect(ledger.restrictions.users.map((u: { login: string }) => u.login)).toEqual(['erin']);
    expect(ledger.restrictions.apps.map((a: { slug: string }) => a.slug)).toEqual(['access-ledger']);
    await check(404, 'GET', `${R}/branches/grant-alice/protection`, { token: admin });
    await check(404, 'GET', `${R}/branches/no-such-branch/protection`, { token: admin });
    await check(403, 'GET', `${R}/branches/main/protection`, { token: writer });

    const mainRules = await check(200, 'GET', `${R}/rules/branches/main`, { token: writer });
    expect(mainRules.map((r: { type: string }) => r.type)).toEqual(['pull_request', 'required_status_checks']);
    expect(mainRules[1].parameters.required_status_checks).toEqual([{ context: 'gate' }, { context: 'access-ledger/gate', integration_id: gateApp.id }]);
    const ledgerRules = await check(200, 'GET', `${R}/rules/branches/access-ledger`);
    expect(ledgerRules.map((r: { type: string }) => r.type)).toEqual(['creation', 'update', 'deletion', 'non_fast_forward']);
    expect(await check(200, 'GET', `${R}/rules/branches/not-yet-created`)).toEqual([]);

    expect((await check(200, 'GET', `${R}/rulesets/${writes.id}`)).bypass_actors).toEqual([
      { actor_id: s.app.id, actor_type: 'Integration', bypass_mode: 'always' },
    ]);
    expect((await check(200, 'GET', `${R}/rulesets/${writes.id}`, { token: writer })).bypass_actors).toBeUndefined();
    await check(404, 'GET', `${R}/rulesets/1`);

    const pushers = await check(200, 'GET', `${R}/collaborators?permission=push`);
    expect(pushers.map((c: { login: string; role_name: string }) => `${c.login}:${c.role_name}`)).toEqual(['bob:write', 'carol:admin', 'erin:admin']);
    await check(403, 'GET', `${R}/collaborators`, { token: gh.createToken('alice') });

    expect((await check(200, 'GET', `${R}/environments/access-ledger-gate`)).deployment_branch_policy).toEqual({
      protected_branches: false,
      custom_branch_policies: true,
    });
    expect((await check(200, 'GET', `${R}/environments/anything`)).deployment_branch_policy).toBeNull();
    await check(404, 'GET', `${R}/environments/missing`);
    expect((await check(200, 'GET', `${R}/environments/access-ledger-gate/deployment-branch-policies`)).branch_policies).toMatchObject([
      { name: 'main', type: 'branch' },
    ]);

    const errors = await check(200, 'GET', `${R}/codeowners/errors?ref=main`);
    expect(errors.errors.map((e: { line: number; kind: string; message: string }) => `${e.line} ${e.kind}`)).toEqual(['2 Unknown owner', '2 Unknown owner']);
    await check(404, 'GET', `${R}/codeowners/errors?ref=grant-alice`);
  });

  it('repos and contents', async () => {
    await check(200, 'GET', R);
    await check(404, 'GET', '/repos/acme/missing');
    await check(200, 'GET', `${R}/contents/grants/humans/bob.yaml`);
    await check(200, 'GET', `${R}/contents/grants/humans/alice.yaml?ref=grant-alice`);
    await check(200, 'GET', `${R}/contents/grants`);
    await check(200, 'GET', `${R}/contents`);
    await check(404, 'GET', `${R}/contents/nope.yaml`);
    await check(302, 'GET', `${R}/tarball/main`);
  });

  it('git data', async () => {
    await check(200, 'GET', `${R}/git/refs`);
    await check(200, 'GET', `${R}/git/matching-refs/heads/`);
    const main = await check(200, 'GET', `${R}/git/ref/heads/main`);
    await check(404, 'GET', `${R}/git/ref/heads/nope`);
    const blob = await check(201, 'POST', `${R}/git/blobs`, { body: { content: 'x: 1\n', encoding: 'utf-8' } });
    await check(200, 'GET', `${R}/git/blobs/${blob.sha}`);
    const base = await check(200, 'GET', `${R}/git/commits/${main.object.sha}`);
    const tree = await check(201, 'POST', `${R}/git/trees`, {
      body: { base_tree: base.tree.sha, tree: [{ path: 'records/2026/11/x.json', mode: '100644', type: 'blob', sha: blob.sha }] },
    });
    await check(200, 'GET', `${R}/git/trees/${tree.sha}?recursive=1`);
    const commit = await check(201, 'POST', `${R}/git/commits`, { body: { message: 'append', tree: tree.sha, parents: [main.object.sha] } });
    // Without a custom author GitHub commits as the App's bot, with web-flow as committer, and signs it.
    expect(commit.author.name).toBe('access-ledger[bot]');
    expect(commit.committer).toMatchObject({ name: 'GitHub', email: 'noreply@github.com' });
    expect(commit.verification).toMatchObject({ verified: true, reason: 'valid' });
    const custom = await check(201, 'POST', `${R}/git/commits`, {
      body: {
        message: 'as someone',
        tree: tree.sha,
        parents: [main.object.sha],
        author: { name: 'access-ledger[bot]', email: '1+access-ledger[bot]@users.noreply.github.com' },
      },
    });
    expect(custom.verification).toMatchObject({ verified: false, reason: 'unsigned' });
    await check(201, 'POST', `${R}/git/refs`, { body: { ref: 'refs/heads/contract', sha: main.object.sha } });
    await check(422, 'POST', `${R}/git/refs`, { body: { ref: 'refs/heads/contract', sha: main.object.sha } });
    await check(200, 'PATCH', `${R}/git/refs/heads/contract`, { body: { sha: commit.sha, force: false } });
    // The commits that touched a path, with the accounts GitHub links and its signature verdict.
    const touching = await check(200, 'GET', `${R}/commits?sha=contract&path=records/2026/11/x.json&per_page=100`);
    expect(touching.map((c: { sha: string }) => c.sha)).toEqual([commit.sha]);
    expect(touching[0]).toMatchObject({
      author: { login: 'access-ledger[bot]' },
      committer: { login: 'web-flow' },
      commit: { verification: { verified: true } },
    });
    expect(await check(200, 'GET', `${R}/commits?sha=contract&path=nothing-here.txt`)).toEqual([]);
    await check(422, 'PATCH', `${R}/git/refs/heads/contract`, { body: { sha: main.object.sha, force: false } });
    await check(204, 'DELETE', `${R}/git/refs/heads/contract`);
    await check(422, 'DELETE', `${R}/git/refs/heads/contract`);
  });

  it('pulls, reviews and merge', async () => {
    const dave = gh.createToken('dave');
    const bob = gh.createToken('bob');
    await check(200, 'GET', `${R}/pulls?state=all`);
    await check(200, 'GET', `${R}/pulls/${pr}`);
    await check(404, 'GET', `${R}/pulls/999`);
    await check(200, 'GET', `${R}/pulls/${pr}/files`);
    await check(200, 'GET', `${R}/pulls/${pr}/commits`);
    const review = await check(200, 'POST', `${R}/pulls/${pr}/reviews`, { token: bob, body: { event: 'REQUEST_CHANGES', body: 'no' } });
    await check(200, 'PUT', `${R}/pulls/${pr}/reviews/${review.id}/dismissals`, { body: { message: 'stale' } });
    await check(200, 'POST', `${R}/pulls/${pr}/reviews`, { token: dave, body: { event: 'APPROVE' } });
    await check(200, 'GET', `${R}/pulls/${pr}/reviews`);
    await check(404, 'GET', `${R}/pulls/${pr}/merge`);
    await check(200, 'PUT', `${R}/pulls/${pr}/merge`, { token: dave, body: { merge_method: 'merge' } });
    await check(204, 'GET', `${R}/pulls/${pr}/merge`);
    const mergedPull = await check(200, 'GET', `${R}/pulls/${pr}`);
    await check(405, 'PUT', `${R}/pulls/${pr}/merge`, { token: dave });
    // The pull request merged as a commit (what the App asks of a provisioning run's commit).
    const associated = await check(200, 'GET', `${R}/commits/${mergedPull.merge_commit_sha}/pulls`);
    expect(associated.map((p: { number: number }) => p.number)).toEqual([pr]);
    await check(422, 'GET', `${R}/commits/${'0'.repeat(40)}/pulls`);
    // A grant moved and edited (listed as renamed, with previous_filename), a deletion, and commits by two authors.
    const moved = gh.state.openPullRequest('acme/access', {
      author: 'bob',
      title: 'Move bob',
      head: 'move-bob',
      commits: [
        { files: { 'grants/humans/bob.yaml': null, 'grants/people/bob.yaml': 'identity:\n  id: bob\n  kind: human\n  owner: carol\n' }, author: 'bob' },
        { files: { 'systems/prod-postgres.yaml': null }, author: 'dave' },
      ],
    });
    const files = await check(200, 'GET', `${R}/pulls/${moved}/files`);
    expect(files.map((f: Record<string, unknown>) => [f.filename, f.status, f.previous_filename])).toEqual([
      ['grants/people/bob.yaml', 'renamed', 'grants/humans/bob.yaml'],
      ['systems/prod-postgres.yaml', 'removed', undefined],
    ]);
    const commits = await check(200, 'GET', `${R}/pulls/${moved}/commits`);
    expect(commits.map((c: { author: { login: string } }) => c.author.login)).toEqual(['bob', 'dave']);
    gh.state.commitFiles('acme/access', 'feature-x', { 'grants/humans/x.yaml': 'identity: {id: x}\n' }, { author: 'bob' });
    await check(201, 'POST', `${R}/pulls`, { token: bob, body: { title: 'x', head: 'feature-x', base: 'main' } });
    await check(422, 'POST', `${R}/pulls`, { token: bob, body: { title: 'x', head: 'feature-x', base: 'main' } });
  });

  it('issues, comments and labels', async () => {
    const issue = await check(201, 'POST', `${R}/issues`, {
      body: { title: 'Grant expired: bob', labels: ['access-ledger', 'expired'], assignees: ['carol'] },
    });
    await check(410, 'POST', '/repos/acme/no-issues/issues', { body: { title: 'x' } });
    await check(200, 'GET', `${R}/issues?state=all&labels=expired`);
    await check(200, 'GET', `${R}/issues/${issue.number}`);
    await check(200, 'GET', `${R}/issues/${pr}`);
    await check(200, 'PATCH', `${R}/issues/${issue.number}`, { body: { state: 'closed', state_reason: 'not_planned' } });
    const comment = await check(201, 'POST', `${R}/issues/${pr}/comments`, { body: { body: 'Recorded in the ledger.' } });
    await check(200, 'GET', `${R}/issues/${pr}/comments`);
    await check(200, 'GET', `${R}/issues/comments/${comment.id}`);
    await check(200, 'PATCH', `${R}/issues/comments/${comment.id}`, { body: { body: 'Recorded (updated).' } });
    const extra = await check(201, 'POST', `${R}/issues/${pr}/comments`, { body: { body: 'A second comment.' } });
    await check(204, 'DELETE', `${R}/issues/comments/${extra.id}`);
    await check(404, 'DELETE', `${R}/issues/comments/${extra.id}`);
    await check(200, 'POST', `${R}/issues/${issue.number}/labels`, { body: { labels: ['review-overdue'] } });
    await check(201, 'POST', `${R}/labels`, { body: { name: 'owner-gone', color: 'd73a4a', description: 'Owner left the org' } });
    await check(422, 'POST', `${R}/labels`, { body: { name: 'owner-gone' } });
    await check(200, 'GET', `${R}/labels`);
    await check(204, 'GET', `${R}/assignees/carol`);
    await check(404, 'GET', `${R}/assignees/mallory`);
  });

  it('orgs and teams', async () => {
    await check(200, 'GET', '/orgs/acme/members');
    await check(204, 'GET', '/orgs/acme/members/alice');
    await check(404, 'GET', '/orgs/acme/members/mallory');
    await check(302, 'GET', '/orgs/acme/members/alice', { token: outsider });
    await check(204, 'GET', '/orgs/acme/public_members/pat', { token: outsider });
    await check(404, 'GET', '/orgs/acme/public_members/alice', { token: outsider });
    await check(200, 'GET', '/orgs/acme/memberships/carol');
    await check(404, 'GET', '/orgs/acme/memberships/mallory');
    await check(200, 'GET', '/orgs/acme/teams/dba/memberships/dave');
    await check(404, 'GET', '/orgs/acme/teams/dba/memberships/alice');
    await check(200, 'GET', '/orgs/acme/teams/dba/members');
    await check(200, 'GET', '/orgs/acme/teams/dba');
    await check(404, 'GET', '/orgs/acme/teams/no-such-team');
    await check(200, 'GET', '/orgs/acme/teams');
  });

  it("default workflow permissions: GitHub's default, a write default, and who may read them", async () => {
    const admin = gh.createToken('carol');
    expect(await check(200, 'GET', `${R}/actions/permissions/workflow`, { token: admin })).toEqual({
      default_workflow_permissions: 'read',
      can_approve_pull_request_reviews: false,
    });
    gh.state.setWorkflowPermissions('acme/access', { defaultWorkflowPermissions: 'write', canApprovePullRequestReviews: true });
    // The App's installation token reads it with Administration: read, as app.yml asks.
    expect(await check(200, 'GET', `${R}/actions/permissions/workflow`)).toEqual({
      default_workflow_permissions: 'write',
      can_approve_pull_request_reviews: true,
    });
    await check(403, 'GET', `${R}/actions/permissions/workflow`, { token: gh.createToken('bob') });
    await check(404, 'GET', '/repos/acme/missing/actions/permissions/workflow', { token: admin });
    gh.state.setWorkflowPermissions('acme/access', { defaultWorkflowPermissions: 'read', canApprovePullRequestReviews: false });
  });

  it('what an organization grants: owners, two-factor, outside collaborators, repositories, installed Apps, personal access tokens', async () => {
    const s = gh.state;
    s.createRepo('acme/vendor-portal');
    s.addCollaborator('acme/vendor-portal', 'vic', 'admin');
    s.addCollaborator('acme/access', 'vic', 'read');
    s.setTwoFactor('acme', 'bob', false);
    s.setTwoFactor('acme', 'vic', false);
    s.installVendorApp('acme', { slug: 'snyk', permissions: { contents: 'read', metadata: 'read', security_events: 'write' } });
    s.grantToken('acme', {
      owner: 'dave',
      name: 'release-notes',
      permissions: { repository: { contents: 'write' }, organization: { members: 'read' } },
      expiresAt: '2027-01-01T00:00:00Z',
      lastUsedAt: '2026-11-01T08:00:00Z',
    });
    const owner = s.install('acme', {
      permissions: { members: 'read', organization_administration: 'read', organization_personal_access_tokens: 'read', metadata: 'read' },
    });
    const full = gh.createInstallationToken(owner.id);

    expect((await check(200, 'GET', '/orgs/acme/members?role=admin', { token: full })).map((u: { login: string }) => u.login)).toEqual(['carol']);
    expect((await check(200, 'GET', '/orgs/acme/members?filter=2fa_disabled', { token: full })).map((u: { login: string }) => u.login)).toEqual(['bob']);
    await check(422, 'GET', '/orgs/acme/members?filter=2fa_disabled');
    // erin is a direct collaborator of acme/access (an earlier case) without being a member, like vic.
    expect((await check(200, 'GET', '/orgs/acme/outside_collaborators', { token: full })).map((u: { login: string }) => u.login)).toEqual(['erin', 'vic']);
    expect((await check(200, 'GET', '/orgs/acme/outside_collaborators?filter=2fa_disabled', { token: full })).map((u: { login: string }) => u.login)).toEqual([
      'vic',
    ]);
    await check(403, 'GET', '/orgs/acme/outside_collaborators', { token: outsider });
    const repos = await check(200, 'GET', '/orgs/acme/repos?type=all', { token: full });
    expect(repos.map((r: { name: string }) => r.name)).toContain('vendor-portal');
    const outside = await check(200, 'GET', '/repos/acme/vendor-portal/collaborators?affiliation=outside', { token: full });
    expect(outside.map((c: { login: string; role_name: string }) => `${c.login}:${c.role_name}`)).toEqual(['vic:admin']);
    const apps = await check(200, 'GET', '/orgs/acme/installations', { token: full });
    expect(apps.installations.map((i: { app_slug: string }) => i.app_slug)).toEqual(['access-ledger', 'access-ledger', 'snyk']);
    await check(403, 'GET', '/orgs/acme/installations');
    const tokens = await check(200, 'GET', '/orgs/acme/personal-access-tokens', { token: full });
    expect(tokens.map((t: { token_name: string; owner: { login: string } }) => `${t.owner.login}:${t.token_name}`)).toEqual(['dave:release-notes']);
    await check(403, 'GET', '/orgs/acme/personal-access-tokens');
    await check(403, 'GET', '/orgs/acme/personal-access-tokens', { token: gh.createToken('carol') });
    s.uninstall(owner.id);
  });

  it('actions and rate limit', async () => {
    const head = gh.state.pullOf('acme/access', pr).pull.mergeCommitSha as string;
    const run = gh.state.addWorkflowRun('acme/access', { headSha: head, name: 'provision', conclusion: 'success' });
    await check(200, 'GET', `${R}/actions/runs?head_sha=${head}`);
    await check(200, 'GET', `${R}/actions/runs/${run.id}`);
    await check(404, 'GET', `${R}/actions/runs/1`);
    gh.state.addCheckRun('acme/access', { headSha: head, name: 'access-ledger gate', conclusion: 'failure' });
    gh.state.addCheckRun('acme/access', { headSha: head, name: 'access-ledger gate', conclusion: 'success', summary: 'All grants approved' });
    const checks = await check(200, 'GET', `${R}/commits/${head}/check-runs?check_name=access-ledger%20gate`);
    expect(checks.check_runs.map((c: { conclusion: string }) => c.conclusion)).toEqual(['success']);
    expect((await check(200, 'GET', `${R}/commits/main/check-runs?filter=all`)).total_count).toBe(2);
    await check(200, 'GET', '/rate_limit');
  });

  it('commit statuses: create, list and combined', async () => {
    const s = gh.state;
    const n = s.openPullRequest('acme/access', { author: 'alice', title: 'Grant status', files: { 'grants/humans/status.yaml': 'identity:\n  id: status\n' } });
    const head = s.pullOf('acme/access', n).pull.headSha;
    const workflow = gh.createWorkflowToken('acme/access', { contents: 'read', pull_requests: 'read', statuses: 'write' });
    await check(200, 'GET', `${R}/commits/${head}/status`);
    const pending = await check(201, 'POST', `${R}/statuses/${head}`, {
      token: workflow,
      body: { state: 'pending', context: 'access-ledger/gate', description: 'judging', target_url: 'https://github.com/acme/access/actions/runs/1' },
    });
    expect(pending).toMatchObject({ state: 'pending', context: 'access-ledger/gate', creator: { login: 'github-actions[bot]' } });
    await check(201, 'POST', `${R}/statuses/${head}`, {
      token: workflow,
      body: { state: 'failure', context: 'access-ledger/gate', description: 'needs 1 more approval from dave' },
    });
    await check(201, 'POST', `${R}/statuses/${head}`, { token: gh.createToken('bob'), body: { state: 'success', context: 'ci/build' } });
    await check(201, 'POST', `${R}/statuses/${head}`, { token: workflow, body: { state: 'success' } });
    const listed = await check(200, 'GET', `${R}/commits/${head}/statuses`);
    expect(listed.map((x: { context: string; state: string }) => `${x.context}:${x.state}`)).toEqual([
      'default:success',
      'ci/build:success',
      'access-ledger/gate:failure',
      'access-ledger/gate:pending',
    ]);
    const combined = await check(200, 'GET', `${R}/commits/${head}/status`);
    expect([combined.state, combined.total_count, combined.statuses.map((x: { context: string }) => x.context)]).toEqual([
      'failure',
      3,
      ['default', 'ci/build', 'access-ledger/gate'],
    ]);
    expect((await check(200, 'GET', `${R}/commits/grant-alice/statuses`)).length).toBe(0);
    // What GitHub refuses: a token without statuses: write, a description over 140 characters, an unknown commit.
    await check(403, 'POST', `${R}/statuses/${head}`, { body: { state: 'success', context: 'access-ledger/gate' } });
    await check(403, 'POST', `${R}/statuses/${head}`, { token: gh.createWorkflowToken('acme/access', { statuses: 'read' }), body: { state: 'success' } });
    await check(404, 'POST', `${R}/statuses/${head}`, { token: gh.createWorkflowToken('acme/other', { statuses: 'write' }), body: { state: 'success' } });
    await check(404, 'POST', `${R}/statuses/${head}`, { token: gh.createToken('alice'), body: { state: 'success' } });
    const long = await check(422, 'POST', `${R}/statuses/${head}`, { token: workflow, body: { state: 'failure', description: 'x'.repeat(141) } });
    expect(long.errors).toEqual([{ resource: 'Status', field: 'description', code: 'custom', message: 'description is too long (maximum is 140 characters)' }]);
    await check(422, 'POST', `${R}/statuses/${head}`, { token: workflow, body: { state: 'green' } });
    await check(422, 'POST', `${R}/statuses/${'0'.repeat(40)}`, { token: workflow, body: { state: 'success' } });
    await check(422, 'GET', `${R}/commits/no-such-ref/status`);
  });

  it("commit statuses record the App that set them: the gate App's installation, GitHub Actions, or none", async () => {
    const s = gh.state;
    const gateApp = s.appBySlug('acme-access-ledger-gate') ?? s.createApp({ slug: 'acme-access-ledger-gate', name: 'access-ledger gate' });
    const installation =
      s.installationFor('acme', gateApp) ??
      s.install('acme', {
        app: gateApp,
        repositories: ['access'],
        permissions: { contents: 'read', pull_requests: 'read', members: 'read', statuses: 'write', metadata: 'read' },
        events: [],
      });
    const n = s.openPullRequest('acme/access', { author: 'alice', title: 'Grant source', files: { 'grants/humans/source.yaml': 'identity:\n  id: source\n' } });
    const head = s.pullOf('acme/access', n).pull.headSha;
    const gateToken = gh.createInstallationToken(installation.id, { contents: 'read', pull_requests: 'read', members: 'read', statuses: 'write' });
    const byGate = await check(201, 'POST', `${R}/statuses/${head}`, {
      token: gateToken,
      body: { state: 'success', context: 'access-ledger/gate', description: 'approved by dave' },
    });
    expect(byGate.creator).toMatchObject({ login: 'acme-access-ledger-gate[bot]', type: 'Bot' });
    await check(201, 'POST', `${R}/statuses/${head}`, {
      token: gh.createWorkflowToken('acme/access', { statuses: 'write' }),
      body: { state: 'success', context: 'access-ledger/gate' },
    });
    await check(201, 'POST', `${R}/statuses/${head}`, { token: gh.createToken('bob'), body: { state: 'success', context: 'access-ledger/gate' } });
    expect(s.statusesOf(s.repo('acme/access'), head).map((x) => [x.creator.login, x.app?.slug ?? null])).toEqual([
      ['bob', null],
      ['github-actions[bot]', 'github-actions'],
      ['acme-access-ledger-gate[bot]', 'acme-access-ledger-gate'],
    ]);
    // A gate App token minted without statuses: write (the permission-* inputs leave it out) is refused.
    await check(403, 'POST', `${R}/statuses/${head}`, {
      token: gh.createInstallationToken(installation.id, { contents: 'read' }),
      body: { state: 'success', context: 'access-ledger/gate' },
    });
    // The gate App's installation is not the ledger App's: the ledger App's JWT neither lists it nor mints its tokens.
    const jwt = appJwt();
    expect((await check(200, 'GET', '/app/installations', { token: jwt })).map((i: { id: number }) => i.id)).not.toContain(installation.id);
    await check(404, 'GET', `/app/installations/${installation.id}`, { token: jwt });
    const mine = await check(200, 'GET', '/user/installations', { token: gh.createToken('carol') });
    expect(mine.installations.find((i: { id: number }) => i.id === installation.id)).toMatchObject({ app_id: gateApp.id, app_slug: 'acme-access-ledger-gate' });
  });

  it('every route in the table was exercised', () => {
    const missing = routeTable()
      .map((r) => `${r.method} ${r.path}`)
      .filter((k) => !covered.has(k));
    expect(missing).toEqual([]);
    expect(gh.errors).toEqual([]);
  });
});

describe('webhook payloads match the x-webhooks schemas and carry every key of the real examples', () => {
  const valid = (name: string, payload: unknown): void => {
    const v = webhookValidator(name);
    expect(v(payload), `${name}\n${describeErrors(v)}`).toBe(true);
  };

  const examples = createRequire(import.meta.url)('@octokit/webhooks-examples') as Array<{ name: string; examples: Array<Record<string, unknown>> }>;

  /** Keys a real example has that ours lacks, recursively through objects. */
  const missingKeys = (real: unknown, ours: unknown, path = ''): string[] => {
    if (!real || typeof real !== 'object' || Array.isArray(real) || !ours || typeof ours !== 'object') return [];
    return Object.keys(real).flatMap((k) =>
      k in ours ? missingKeys((real as Record<string, unknown>)[k], (ours as Record<string, unknown>)[k], `${path}${k}.`) : [`${path}${k}`],
    );
  };

  /** Validates against the schema and checks every key of the real examples of `event`/`action` is present. */
  const shaped = (schema: string, event: string, action: string, payload: Record<string, unknown>): void => {
    valid(schema, payload);
    const real = examples.find((e) => e.name === event)?.examples.filter((x) => x.action === action) ?? [];
    expect(real.length, `examples of ${event}.${action}`).toBeGreaterThan(0);
    for (const ex of real) expect(missingKeys(ex, payload), `${event}.${action}`).toEqual([]);
  };

  it('pull_request, pull_request_review, organization, workflow_run', () => {
    const s = gh.state;
    const n = s.openPullRequest('acme/access', { author: 'bob', title: 'Remove bob', files: { 'grants/humans/bob.yaml': null } });
    shaped('pull-request-opened', 'pull_request', 'opened', gh.payloads.pullRequest('opened', 'acme/access', n));
    const before = s.pullOf('acme/access', n).pull.headSha;
    s.pushToPullRequest('acme/access', n, { 'grants/humans/bob.yaml': null, 'grants/humans/x.yaml': null });
    shaped('pull-request-synchronize', 'pull_request', 'synchronize', gh.payloads.pullRequest('synchronize', 'acme/access', n, { before }));
    const review = s.submitReview('acme/access', n, { user: 'dave', state: 'APPROVED' });
    shaped('pull-request-review-submitted', 'pull_request_review', 'submitted', gh.payloads.pullRequestReview('submitted', 'acme/access', n, review.id));
    s.mergePull('acme/access', n, { by: 'dave' });
    const closed = gh.payloads.pullRequest('closed', 'acme/access', n);
    shaped('pull-request-closed', 'pull_request', 'closed', closed);
    expect(closed.pull_request).toMatchObject({ merged: true, merge_commit_sha: s.pullOf('acme/access', n).pull.mergeCommitSha });
    s.removeOrgMember('acme', 'bob');
    // The examples package has no member_removed sample; member_added has the same shape.
    shaped('organization-member-removed', 'organization', 'member_added', gh.payloads.organizationMemberRemoved('acme', 'bob', { sender: 'carol' }));
    const run = s.addWorkflowRun('acme/access', { headSha: s.pullOf('acme/access', n).pull.mergeCommitSha as string });
    shaped('workflow-run-completed', 'workflow_run', 'completed', gh.payloads.workflowRunCompleted('acme/access', run.id));
  });

  it("merge_group, and the workflow_run a merge group's run completes", () => {
    const s = gh.state;
    const n = s.openPullRequest('acme/access', { author: 'bob', title: 'Remove bob', files: { 'grants/humans/bob.yaml': null } });
    const entry = s.enqueue('acme/access', n, { by: 'dave' });
    shaped('merge-group-checks-requested', 'merge_group', 'checks_requested', gh.payloads.mergeGroup('checks_requested', 'acme/access', n));
    valid('merge-group-destroyed', gh.payloads.mergeGroup('destroyed', 'acme/access', n, { reason: 'dequeued' }));
    const run = s.addWorkflowRun('acme/access', {
      headSha: entry.headCommit,
      headBranch: entry.headRef,
      event: 'merge_group',
      name: 'access-ledger merge queue',
      path: '.github/workflows/access-ledger-queue.yml',
    });
    shaped('workflow-run-completed', 'workflow_run', 'completed', gh.payloads.workflowRunCompleted('acme/access', run.id));
  });
});

describe('GraphQL', () => {
  const query = `query($owner: String!, $name: String!) { repository(owner: $owner, name: $name) {
    f0: object(expression: "main:grants/humans/bob.yaml") { __typename ... on Blob { oid byteSize isBinary text } ... on Tree { entries { name path type oid object { ... on Blob { oid byteSize isBinary text } } } } }
    f1: object(expression: "main:grants") { __typename ... on Blob { oid byteSize isBinary text } ... on Tree { entries { name path type oid object { ... on Blob { oid byteSize isBinary text } } } } }
  } }`;

  it("the blob reader's query is valid against GitHub's published schema", () => {
    expect(validate(githubGraphqlSchema(), parse(query))).toEqual([]);
  });

  it("the gate's merge queue query is valid against GitHub's published schema, and the fake answers it", async () => {
    const { readFileSync } = await import('node:fs');
    const source = readFileSync(new URL('../../src/adapters/github/merge-queue.ts', import.meta.url), 'utf8');
    const mergeQueueQuery = /const QUERY = `([\s\S]*?)`;/.exec(source)![1]!;
    expect(validate(githubGraphqlSchema(), parse(mergeQueueQuery))).toEqual([]);
    const n = gh.state.openPullRequest('acme/access', { author: 'bob', title: 'Remove bob', files: { 'grants/humans/bob.yaml': null } });
    const entry = gh.state.enqueue('acme/access', n, { by: 'dave' });
    const res = await fetch(gh.graphqlUrl, {
      method: 'POST',
      headers: { authorization: `token ${gh.createToken('dave')}`, 'content-type': 'application/json' },
      body: JSON.stringify({ query: mergeQueueQuery, variables: { owner: 'acme', name: 'access', branch: 'main', cursor: null } }),
    });
    const body = (await res.json()) as {
      data: { repository: { mergeQueue: { entries: { nodes: { pullRequest: { number: number } }[]; pageInfo: unknown } } } };
    };
    const { nodes, pageInfo } = body.data.repository.mergeQueue.entries;
    expect(pageInfo).toEqual({ hasNextPage: false, endCursor: expect.any(String) });
    // Queued last, built on the entry ahead of it.
    expect(nodes.at(-1)).toEqual({
      position: nodes.length,
      state: 'AWAITING_CHECKS',
      headCommit: { oid: entry.headCommit },
      baseCommit: { oid: entry.baseCommit },
      pullRequest: { number: n, headRefOid: gh.state.pullOf('acme/access', n).pull.headSha, baseRefName: 'main', author: { __typename: 'User', login: 'bob' } },
    });
  });

  it("the merge handler's folded queries are valid against GitHub's published schema, and the fake answers them in GitHub's connection shapes", async () => {
    const { pullPageQuery } = await import('../../src/adapters/github/pull-query.ts');
    const { objectsQuery } = await import('../../src/adapters/github/blobs.ts');
    const first = pullPageQuery({ files: null, reviews: null, commits: null, comments: null, objects: ['main:access-ledger.yaml', 'main:systems'] });
    const later = pullPageQuery({ reviews: 'Y3Vyc29yOjk5' });
    const ledger = objectsQuery(1, {
      selection:
        'ledgerRef: ref(qualifiedName: $refName) { target { __typename oid ... on Commit { tree { oid } p0: file(path: $p0) { object { __typename ... on Blob { oid byteSize isBinary text } } } } } }',
      variables: { refName: { type: 'String!', value: 'refs/heads/main' }, p0: { type: 'String!', value: 'grants/humans/bob.yaml' } },
    });
    for (const q of [first.query, later.query, ledger]) expect(validate(githubGraphqlSchema(), parse(q))).toEqual([]);
    const n = gh.state.openPullRequest('acme/access', {
      author: 'bob',
      title: 'Add zed',
      head: 'add-zed',
      files: { 'grants/humans/zed.yaml': 'identity:\n  id: zed\n' },
    });
    gh.state.submitReview('acme/access', n, { user: 'dave', state: 'APPROVED' });
    gh.state.addComment('acme/access', n, { user: 'dave', body: 'ok' });
    const post = async (query: string, variables: Record<string, unknown>) => {
      const res = await fetch(gh.graphqlUrl, {
        method: 'POST',
        headers: { authorization: `token ${gh.createToken('dave')}`, 'content-type': 'application/json' },
        body: JSON.stringify({ query, variables }),
      });
      return (await res.json()) as { data: { repository: Record<string, any> }; errors?: unknown };
    };
    const body = await post(first.query, { owner: 'acme', name: 'access', number: n, ...first.variables });
    expect(body.errors).toBeUndefined();
    const pr = body.data.repository.pullRequest;
    expect(pr.files).toEqual({
      totalCount: 1,
      pageInfo: { hasNextPage: false, endCursor: expect.any(String) },
      nodes: [{ path: 'grants/humans/zed.yaml', changeType: 'ADDED' }],
    });
    expect(pr.reviews.nodes).toEqual([
      {
        author: { __typename: 'User', login: 'dave' },
        authorAssociation: 'MEMBER',
        state: 'APPROVED',
        submittedAt: expect.any(String),
        commit: { oid: gh.state.pullOf('acme/access', n).pull.headSha },
      },
    ]);
    expect(pr.commits.nodes[0].commit).toMatchObject({
      oid: expect.any(String),
      message: 'Add zed',
      author: { email: expect.any(String), user: { login: 'bob' } },
    });
    expect(pr.comments.nodes).toEqual([
      { databaseId: expect.any(Number), body: 'ok', url: expect.stringContaining(`/pull/${n}#issuecomment-`), author: { __typename: 'User', login: 'dave' } },
    ]);
    expect(body.data.repository.o1.__typename).toBe('Tree');
    const tip = await post(ledger, { owner: 'acme', name: 'access', e0: 'main:README.md', refName: 'refs/heads/add-zed', p0: 'grants/humans/zed.yaml' });
    expect(tip.data.repository.ledgerRef.target).toMatchObject({
      __typename: 'Commit',
      oid: gh.state.pullOf('acme/access', n).pull.headSha,
      tree: { oid: expect.any(String) },
      p0: { object: { __typename: 'Blob', text: 'identity:\n  id: zed\n' } },
    });
    const none = await post(ledger, { owner: 'acme', name: 'access', e0: 'main:README.md', refName: 'refs/heads/no-such-branch', p0: 'x' });
    expect(none.data.repository.ledgerRef).toBeNull();
  });

  it('validation is real: a field GitHub does not have is rejected', () => {
    const errors = validate(
      githubGraphqlSchema(),
      parse('{ repository(owner: "a", name: "b") { object(expression: "main:x") { ... on Blob { contents } } } }'),
    );
    expect(errors.map((e) => e.message)).toEqual(['Cannot query field "contents" on type "Blob".']);
  });
});
