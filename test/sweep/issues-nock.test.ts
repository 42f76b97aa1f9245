/**
 * The issue lifecycle against GitHub's REST API as nock replays it: each action sends exactly the
 * requests it should, in order, with issue payloads shaped like GitHub's (from
 * @octokit/webhooks-examples), and a repository with Issues turned off is logged, not fatal.
 */
import { createRequire } from 'node:module';
import nock from 'nock';
import { Octokit } from '@octokit/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WriteBudget, executeIssuePlan, listOpenManagedIssues, type SweepOctokit } from '../../src/adapters/github/issues.ts';
import { MANAGED_LABEL, formatStaleMarker, type DesiredIssue, type IssueAction, type ManagedIssue } from '../../src/core/stale/index.ts';

const examples = createRequire(import.meta.url)('@octokit/webhooks-examples') as Array<{ name: string; examples: Array<Record<string, any>> }>;
const ISSUE_EXAMPLE = examples.find((e) => e.name === 'issues')!.examples[0]!.issue as Record<string, unknown>;
const API = 'https://api.github.com';
const R = '/repos/acme/access';
const HASH_OLD = '0'.repeat(16);
const HASH_NEW = '1'.repeat(16);

function ghIssue(number: number, o: { state?: string; hash?: string; body?: string; updated_at?: string; state_reason?: string | null } = {}) {
  return {
    ...ISSUE_EXAMPLE,
    url: `${API}${R}/issues/${number}`,
    html_url: `https://github.com/acme/access/issues/${number}`,
    number,
    title: 'Access expired: bob',
    state: o.state ?? 'open',
    state_reason: o.state_reason ?? null,
    labels: [{ name: MANAGED_LABEL }],
    body: o.body ?? `${formatStaleMarker({ id: 'bob', kind: 'expired', hash: o.hash ?? HASH_OLD })}\nold text\n`,
    updated_at: o.updated_at ?? '2026-11-25T10:00:00Z',
  };
}

const desired: DesiredIssue = {
  key: 'expired:bob',
  kind: 'expired',
  id: 'bob',
  title: 'Access expired: bob',
  body: `${formatStaleMarker({ id: 'bob', kind: 'expired', hash: HASH_NEW })}\nnew text\n`,
  hash: HASH_NEW,
  labels: [MANAGED_LABEL, 'access-ledger'],
  assignees: ['alice'],
  summary: 'access of `bob` to prod-postgres is past its expiry',
  urgent: false,
  priority: 1,
  path: 'grants/bob.yaml',
};
const managed = (o: Partial<ManagedIssue> = {}): ManagedIssue => ({ number: 7, state: 'open', kind: 'expired', id: 'bob', hash: HASH_OLD, updatedAt: '2026-11-25T10:00:00Z', title: 't', ...o });

let octokit: SweepOctokit;
const warnings: string[] = [];
function run(actions: IssueAction[], maxWrites = 100) {
  const budget = new WriteBudget({ maxWrites });
  return executeIssuePlan(actions, { octokit, repo: { owner: 'acme', repo: 'access' }, budget, today: '2026-11-26', reminderDays: 7, branch: 'main', log: { info() {}, warn: (m) => warnings.push(m) } });
}

beforeEach(() => {
  nock.disableNetConnect();
  octokit = new Octokit({ auth: 'ghs_test' }) as unknown as SweepOctokit;
  warnings.length = 0;
});
afterEach(() => {
  const pending = nock.pendingMocks();
  nock.cleanAll();
  nock.enableNetConnect();
  expect(pending).toEqual([]);
});

describe('the issue lifecycle against the REST API', () => {
  it('create: opens the issue with labels and the owner assigned, then checks for a duplicate', async () => {
    const api = nock(API)
      .post(`${R}/issues`, (b) => b.title === desired.title && b.body === desired.body && JSON.stringify(b.labels) === JSON.stringify(desired.labels) && JSON.stringify(b.assignees) === '["alice"]')
      .reply(201, ghIssue(12, { hash: HASH_NEW }))
      .get(`${R}/issues`)
      .query({ state: 'open', labels: MANAGED_LABEL, sort: 'created', direction: 'asc', per_page: '100', page: '1' })
      .reply(200, [ghIssue(12, { hash: HASH_NEW })]);
    const report = await run([{ type: 'create', desired }]);
    expect(report.created).toEqual([12]);
    expect(report.duplicatesClosed).toEqual([]);
    api.done();
  });

  it('no-op: an unchanged issue costs no request at all', async () => {
    const report = await run([{ type: 'no-op', issue: managed({ hash: HASH_NEW }), desired }]);
    expect(report.results).toEqual([]);
  });

  it('update: re-reads the issue, edits the body, then says what changed in a comment', async () => {
    const order: string[] = [];
    nock(API)
      .get(`${R}/issues/7`).reply(200, () => (order.push('get'), ghIssue(7)))
      .patch(`${R}/issues/7`, (b) => b.body === desired.body && b.state === undefined).reply(200, () => (order.push('patch'), ghIssue(7, { hash: HASH_NEW })))
      .post(`${R}/issues/7/comments`, (b) => /^The problem changed on `main`: access of `bob`/.test(b.body)).reply(201, () => (order.push('comment'), { id: 1 }));
    await run([{ type: 'update', issue: managed(), desired }]);
    expect(order).toEqual(['get', 'patch', 'comment']);
  });

  it('update: skipped when another sweep already brought the issue up to date', async () => {
    nock(API).get(`${R}/issues/7`).reply(200, ghIssue(7, { hash: HASH_NEW }));
    const report = await run([{ type: 'update', issue: managed(), desired }]);
    expect(report.results[0]!.outcome).toBe('skipped');
  });

  it('close: explains in a comment, then closes as completed', async () => {
    const order: string[] = [];
    nock(API)
      .get(`${R}/issues/7`).reply(200, ghIssue(7))
      .post(`${R}/issues/7/comments`, (b) => b.body === 'fixed. Closing.').reply(201, () => (order.push('comment'), { id: 1 }))
      .patch(`${R}/issues/7`, { state: 'closed', state_reason: 'completed' }).reply(200, () => (order.push('close'), ghIssue(7, { state: 'closed' })));
    await run([{ type: 'close', issue: managed(), comment: 'fixed. Closing.' }]);
    expect(order).toEqual(['comment', 'close']);
  });

  it('reopen: reopens with the new body, then says why', async () => {
    nock(API)
      .get(`${R}/issues/7`).reply(200, ghIssue(7, { state: 'closed', state_reason: 'completed' }))
      .patch(`${R}/issues/7`, { state: 'open', body: desired.body }).reply(200, ghIssue(7, { hash: HASH_NEW }))
      .post(`${R}/issues/7/comments`, (b) => /^Reopening: the problem is present on `main` again/.test(b.body)).reply(201, { id: 2 });
    await run([{ type: 'reopen', issue: managed({ state: 'closed' }), desired }]);
  });

  it('remind: comments only when the issue has been quiet for reminder_days', async () => {
    nock(API)
      .get(`${R}/issues/7`).reply(200, ghIssue(7, { hash: HASH_NEW, updated_at: '2026-11-19T08:00:00Z' }))
      .post(`${R}/issues/7/comments`, (b) => /^Reminder: /.test(b.body)).reply(201, { id: 3 })
      .get(`${R}/issues/8`).reply(200, { ...ghIssue(8, { hash: HASH_NEW, updated_at: '2026-11-24T08:00:00Z' }), number: 8 });
    const report = await run([
      { type: 'remind', issue: managed({ hash: HASH_NEW, updatedAt: '2026-11-19T08:00:00Z' }), desired },
      { type: 'remind', issue: managed({ number: 8, hash: HASH_NEW, updatedAt: '2026-11-01T08:00:00Z' }), desired },
    ]);
    expect(report.results.map((r) => r.outcome)).toEqual(['done', 'skipped']);
  });

  it('issues disabled (410): logs what to do and carries on without throwing', async () => {
    nock(API).post(`${R}/issues`).reply(410, { message: 'Issues are disabled for this repo', documentation_url: 'https://docs.github.com/rest/issues/issues#create-an-issue' });
    const report = await run([{ type: 'create', desired }, { type: 'create', desired: { ...desired, key: 'expired:eve', id: 'eve' } }]);
    expect(report.disabled).toBe(true);
    expect(warnings).toEqual([expect.stringMatching(/Issues are disabled in acme\/access.*Turn Issues on/)]);
  });

  it('an owner who cannot be assigned does not block the issue: it is opened unassigned', async () => {
    nock(API)
      .post(`${R}/issues`, (b) => Array.isArray(b.assignees))
      .reply(422, { message: 'Validation Failed', errors: [{ value: 'alice', resource: 'Issue', field: 'assignees', code: 'invalid' }] })
      .post(`${R}/issues`, (b) => b.assignees === undefined)
      .reply(201, ghIssue(13, { hash: HASH_NEW }))
      .get(`${R}/issues`).query(true).reply(200, [ghIssue(13, { hash: HASH_NEW })]);
    const report = await run([{ type: 'create', desired }]);
    expect(report.created).toEqual([13]);
  });

  it('a full budget defers the rest, never half an action', async () => {
    const report = await run([{ type: 'close', issue: managed(), comment: 'x' }], 1);
    expect(report.results.map((r) => r.outcome)).toEqual(['deferred']);
  });

  it('lists open managed issues across pages, skipping pull requests and issues without a marker', async () => {
    const page1 = Array.from({ length: 100 }, (_, i) => (i === 0 ? { ...ghIssue(500), pull_request: { url: 'x' } } : i === 1 ? ghIssue(501, { body: 'no marker' }) : { ...ghIssue(600 + i), body: `${formatStaleMarker({ id: `u${i}`, kind: 'expired', hash: HASH_OLD })}\n` }));
    nock(API)
      .get(`${R}/issues`).query((q) => q.page === '1' && q.labels === MANAGED_LABEL && q.state === 'open').reply(200, page1)
      .get(`${R}/issues`).query((q) => q.page === '2').reply(200, [ghIssue(7)]);
    const issues = await listOpenManagedIssues(octokit, { owner: 'acme', repo: 'access' });
    expect(issues).toHaveLength(99);
    expect(issues.at(-1)).toMatchObject({ number: 7, kind: 'expired', id: 'bob', hash: HASH_OLD, state: 'open' });
  });
});
