/**
 * The merge handler's folded reads against the stateful fake GitHub (its GraphQL validated against
 * GitHub's schema): the same facts as the gate's REST gatherer, field for field, for pull requests
 * that page (over 100 files, reviews and commits), rename a grant, are reviewed on an older commit
 * or by a bot, and in two GraphQL queries where the REST gatherer needs five.
 */
import { Octokit } from '@octokit/core';
import { generateKeyPairSync } from 'node:crypto';
import { Probot, ProbotOctokit } from 'probot';
import { WorkTracker, newConcurrency, type AppDeps } from '../../src/app/deps.ts';
import { registerLedger } from '../../src/app/ledger/register.ts';
import { COMMENT_MARKER } from '../../src/core/records/comment.ts';
import { parseRecordMarkers } from '../../src/core/ledger/index.ts';
import { APP_LOGIN, testSigner } from '../support/ledger-keys.ts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeGitHub, type FakeGitHub } from '../support/fake-github/index.ts';
import { gatherMergeReads, gatherPullFacts, type PullRef } from '../../src/adapters/github/pull-facts.ts';
import { loadBuiltinPacks } from '../../src/adapters/fs/packs.ts';
import { CONFIG, SYSTEMS, grant } from '../gate/scenario.ts';

const REPO = 'acme/access';
let gh: FakeGitHub;

beforeEach(async () => {
  gh = await startFakeGitHub({ now: () => new Date('2026-11-26T10:00:00Z') });
  gh.state.createOrg('acme', { members: ['alice', 'bob', 'carol', 'dave', 'erin'] });
  gh.state.createTeam('acme', 'dba', { members: ['erin'] });
  gh.state.createRepo(REPO, { files: { 'access-ledger.yaml': CONFIG, ...SYSTEMS, 'grants/people/bob.yaml': grant('bob') } });
});
afterEach(async () => {
  expect(gh.errors).toEqual([]);
  await gh.close();
});

function client(): Octokit {
  return new Octokit({ baseUrl: gh.url, auth: gh.createInstallationToken(gh.state.installationFor('acme')!.id) });
}

function ref(number: number): PullRef {
  const { issue, pull } = gh.state.pullOf(REPO, number);
  return { owner: 'acme', repo: 'access', number, headSha: pull.headSha, baseSha: pull.baseSha, author: issue.user.login };
}

/** Both gatherers on one pull request: the folded one's facts, and the calls each made. */
async function both(number: number) {
  const packs = loadBuiltinPacks();
  gh.resetCalls();
  const rest = await gatherPullFacts(client() as never, ref(number), { packs });
  const restCalls = gh.calls();
  gh.resetCalls();
  const folded = await gatherMergeReads(client() as never, ref(number), {
    packs,
    fold: { comments: true, ref: () => ({ branch: 'access-ledger', paths: ['head.json'] }) },
  });
  const foldedCalls = gh.calls();
  return { rest: plain(rest), folded: { ...folded, facts: plain(folded.facts) }, restCalls, foldedCalls };
}

/** Facts as data (a loaded file's `locate` is a function, new per read). */
const plain = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;

describe('gatherMergeReads against the fake GitHub', () => {
  it('one grant, one approval: the same facts in two GraphQL queries and the membership lookups', async () => {
    const n = gh.state.openPullRequest(REPO, { author: 'alice', title: 'Grant erin', files: { 'grants/people/erin.yaml': grant('erin') } });
    gh.state.submitReview(REPO, n, { user: 'dave', state: 'APPROVED' });
    const { rest, folded, restCalls, foldedCalls } = await both(n);
    expect(folded.facts).toEqual(rest);
    expect(rest.reviews.map((r) => r.reviewer)).toEqual(['dave']);
    const lookups = Object.entries(restCalls).filter(([k]) => k.startsWith('GET /orgs/'));
    expect(restCalls).toMatchObject({
      'GET /repos/{owner}/{repo}/pulls/{pull_number}/files': 1,
      'GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews': 1,
      'GET /repos/{owner}/{repo}/pulls/{pull_number}/commits': 1,
      'POST /graphql': 1,
    });
    expect(foldedCalls).toEqual({ 'POST /graphql': 2, ...Object.fromEntries(lookups) });
  });

  it('over 100 files, reviews and commits: each connection pages while its page is full, and the facts are the same', async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 120; i++) files[`grants/people/p${i}.yaml`] = grant(`p${i}`, [{}], { owner: 'carol' });
    const commits = Array.from({ length: 105 }, (_, i) => ({
      files: i === 0 ? files : { [`notes/n${i}.txt`]: `note ${i}\n` },
      author: i % 2 ? 'alice' : 'bob',
      message: `step ${i}`,
    }));
    const n = gh.state.openPullRequest(REPO, { author: 'alice', title: 'Many', commits });
    for (let i = 0; i < 103; i++) {
      gh.state.createUser(`reviewer-${i}`);
      gh.state.submitReview(REPO, n, { user: `reviewer-${i}`, state: i % 3 ? 'COMMENTED' : 'APPROVED' });
    }
    const { rest, folded, foldedCalls } = await both(n);
    expect(folded.facts).toEqual(rest);
    expect(rest.files).toHaveLength(224);
    expect(rest.reviews).toHaveLength(103);
    expect(foldedCalls['POST /graphql']).toBeGreaterThanOrEqual(4);
  });

  it('a renamed grant: the REST listing says where it came from, and the facts are the same', async () => {
    const n = gh.state.openPullRequest(REPO, {
      author: 'alice',
      title: 'Rename',
      files: { 'grants/people/bob.yaml': null, 'grants/people/robert.yaml': grant('bob') },
    });
    gh.state.submitReview(REPO, n, { user: 'dave', state: 'APPROVED' });
    const { rest, folded, foldedCalls } = await both(n);
    expect(folded.facts).toEqual(rest);
    expect(rest.files).toEqual([{ path: 'grants/people/robert.yaml', status: 'renamed', previousPath: 'grants/people/bob.yaml' }]);
    expect(foldedCalls['GET /repos/{owner}/{repo}/pulls/{pull_number}/files']).toBe(1);
  });

  it('a review on an older commit and a bot as reviewer and committer: same logins, same commits', async () => {
    gh.state.createUser('renovate[bot]', { type: 'Bot' });
    const n = gh.state.openPullRequest(REPO, { author: 'alice', title: 'Grant erin', files: { 'grants/people/erin.yaml': grant('erin') } });
    const old = gh.state.pullOf(REPO, n).pull.headSha;
    gh.state.submitReview(REPO, n, { user: 'dave', state: 'APPROVED' });
    gh.state.pushToPullRequest(REPO, n, { 'grants/people/erin.yaml': grant('erin', [{ role: 'admin' }]) }, { author: 'renovate[bot]' });
    gh.state.submitReview(REPO, n, { user: 'renovate[bot]', state: 'APPROVED' });
    const { rest, folded } = await both(n);
    expect(folded.facts).toEqual(rest);
    expect(rest.reviews.map((r) => [r.reviewer, r.reviewerIsBot, r.commitId === old])).toEqual([
      ['dave', false, true],
      ['renovate[bot]', true, false],
    ]);
    expect(rest.commitAuthors).toContain('renovate[bot]');
  });

  it('lists the comments as the REST API shapes them, and reads the ledger tip with the files', async () => {
    const n = gh.state.openPullRequest(REPO, { author: 'alice', title: 'Grant erin', files: { 'grants/people/erin.yaml': grant('erin') } });
    gh.state.addComment(REPO, n, { user: 'carol', body: 'looks fine' });
    gh.state.commitFiles(REPO, 'access-ledger', { 'head.json': '{"seq":0}\n' }, { parent: null });
    const tip = gh.state.log(REPO, 'refs/heads/access-ledger')[0];
    const reads = await gatherMergeReads(client() as never, ref(n), {
      fold: { comments: true, ref: () => ({ branch: 'access-ledger', paths: ['head.json', 'records/2026/11/pr-9-merged.json'] }) },
    });
    expect(reads.comments).toEqual([expect.objectContaining({ body: 'looks fine', user: { login: 'carol', type: 'User' } })]);
    expect(reads.ref?.tip?.commitSha).toBe(typeof tip === 'string' ? tip : (tip as { sha: string }).sha);
    expect(reads.ref?.files).toEqual(
      new Map([
        ['head.json', '{"seq":0}\n'],
        ['records/2026/11/pr-9-merged.json', null],
      ]),
    );
  });

  it('a pull request that changes no access file: one query, no file read', async () => {
    const n = gh.state.openPullRequest(REPO, { author: 'alice', title: 'Docs', files: { 'README.md': 'hello\n' } });
    gh.resetCalls();
    const reads = await gatherMergeReads(client() as never, ref(n), { fold: { comments: true } });
    expect(reads.facts.files).toEqual([{ path: 'README.md', status: 'added' }]);
    expect(gh.calls()).toEqual({ 'POST /graphql': 1 });
  });
});

describe('attacks on the comment the folded query lists', () => {
  const KEY = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  }).privateKey;
  const TestOctokit = ProbotOctokit.defaults((o: Record<string, unknown>) => ({ ...o, retry: { enabled: false }, throttle: { enabled: false } }));

  it("a person named like the App's bot, and another App's bot, paste the marker: neither comment is adopted, the App writes its own", async () => {
    const slug = APP_LOGIN.replace(/\[bot\]$/, '');
    gh.state.createUser(slug); // a person whose login is the App's slug, without [bot]
    gh.state.createUser('other-app[bot]', { type: 'Bot' });
    gh.state.addOrgMember('acme', slug);
    const n = gh.state.openPullRequest(REPO, { author: 'alice', title: 'Grant erin', files: { 'grants/people/erin.yaml': grant('erin') } });
    gh.state.submitReview(REPO, n, { user: 'dave', state: 'APPROVED' });
    const forged = `${COMMENT_MARKER}\n<!-- access-ledger:record key=pr-${n}-merged seq=1 hash=${'0'.repeat(64)} -->\n`;
    gh.state.addComment(REPO, n, { user: slug, body: forged });
    gh.state.addComment(REPO, n, { user: 'other-app[bot]', body: forged });
    gh.state.mergePull(REPO, n, { by: 'carol' });
    const deps: AppDeps = {
      clock: () => new Date('2026-11-26T10:00:00Z'),
      packs: loadBuiltinPacks,
      gateCheckName: 'access-ledger',
      gateStatusContext: 'access-ledger/gate',
      signer: testSigner(),
      appLogin: async () => APP_LOGIN,
      store: { random: () => 0.5, sleep: async () => undefined },
      work: new WorkTracker(),
      ...newConcurrency(),
    };
    const probot = new Probot({ appId: gh.state.app.id, privateKey: KEY, secret: 'webhook-secret', baseUrl: gh.url, Octokit: TestOctokit, logLevel: 'fatal' });
    await probot.load((app: Probot) => registerLedger(app, deps));
    await probot.receive({ id: 'd-1', name: 'pull_request', payload: gh.payloads.pullRequest('closed', REPO, n) } as never);
    expect(await deps.work.drain(60_000)).toBe(true);

    const comments = gh.state.pullOf(REPO, n).issue.comments;
    expect(comments.map((c) => c.user.login)).toEqual([slug, 'other-app[bot]', APP_LOGIN]);
    // The forged comments are as they were; the App's anchors the record it wrote.
    expect(comments[0]!.body).toBe(forged);
    expect(comments[1]!.body).toBe(forged);
    const record = JSON.parse(Object.entries(gh.state.ledger(REPO) ?? {}).find(([p]) => p.endsWith(`pr-${n}-merged.json`))![1]) as { hash: string };
    expect(parseRecordMarkers(comments[2]!.body)).toEqual([{ key: `pr-${n}-merged`, seq: 1, hash: record.hash }]);
  });
});
