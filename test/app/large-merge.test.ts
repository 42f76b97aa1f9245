/**
 * A merge larger than GitHub lists (3,000 files) is still evidence: the App records the access
 * files the merge changed, read from the trees of the merge commit and its parent, with the gap
 * named, plus an unapproved-merge record with cause too-large and one issue for the admins. The
 * gate, which must judge before the merge, fails closed on such a pull request instead.
 */
import { APP_LOGIN, testSigner } from '../support/ledger-keys.ts';
import { generateKeyPairSync } from 'node:crypto';
import { Probot, ProbotOctokit } from 'probot';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeGitHub, type FakeGitHub } from '../support/fake-github/index.ts';
import { WorkTracker, newConcurrency, type AppDeps } from '../../src/app/deps.ts';
import { registerLedger } from '../../src/app/ledger/register.ts';
import { loadBuiltinPacks } from '../../src/adapters/fs/packs.ts';
import { gatherPullFacts } from '../../src/adapters/github/pull-facts.ts';
import { Octokit } from '@octokit/core';
import { CONFIG, SYSTEMS, grant } from '../gate/scenario.ts';

const TestOctokit = ProbotOctokit.defaults((o: Record<string, unknown>) => ({ ...o, retry: { enabled: false }, throttle: { enabled: false } }));
const KEY = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
}).privateKey;
const REPO = 'acme/access';

let gh: FakeGitHub;
let deps: AppDeps;
const clock = () => new Date('2026-11-26T10:00:00Z');

beforeEach(async () => {
  gh = await startFakeGitHub({ now: clock });
  deps = {
    clock,
    packs: loadBuiltinPacks,
    gateCheckName: 'access-ledger',
    gateStatusContext: 'access-ledger/gate',
    signer: testSigner(),
    appLogin: async () => APP_LOGIN,
    store: { random: () => 0.5, sleep: async () => undefined },
    work: new WorkTracker(),
    ...newConcurrency(),
  };
  gh.state.createOrg('acme', { members: ['alice', 'bob', 'carol', 'dave', 'mallory'] });
  gh.state.createRepo(REPO, { files: { 'access-ledger.yaml': CONFIG, ...SYSTEMS, 'grants/people/bob.yaml': grant('bob') } });
});
afterEach(async () => {
  expect(gh.errors).toEqual([]);
  await gh.close();
});

/** A pull request of 3,100 files, among them a new grant, an edited grant and a system change. */
function hugePull(): number {
  const files: Record<string, string | null> = {};
  for (let i = 0; i < 3100; i++) files[`vendor/generated/file-${String(i).padStart(4, '0')}.txt`] = `line ${i}\n`;
  files['grants/people/mallory.yaml'] = grant('mallory', [{ role: 'readonly' }]);
  files['grants/people/bob.yaml'] = grant('bob', [{ expires: '2027-12-31' }]);
  return gh.state.openPullRequest(REPO, { author: 'mallory', title: 'Vendor the generated client', files });
}

function records(prefix: string): Record<string, any>[] {
  const files = gh.state.ledger(REPO) ?? {};
  return Object.entries(files)
    .filter(([p]) => p.startsWith('records/') && p.includes(prefix))
    .map(([, c]) => JSON.parse(c));
}

describe('a merge of more files than GitHub lists', () => {
  it('the gate fails closed, saying why', async () => {
    const number = hugePull();
    const octokit = new Octokit({ baseUrl: gh.url, auth: gh.createInstallationToken(gh.state.installationFor('acme')!.id) });
    const pull = gh.state.pullOf(REPO, number).pull;
    await expect(
      gatherPullFacts(octokit as never, { owner: 'acme', repo: 'access', number, headSha: pull.headSha, baseSha: pull.baseSha, author: 'mallory' }),
    ).rejects.toThrow(
      /changes 3000 or more files, and GitHub lists no more than 3000: the gate cannot see every change, so it fails closed\. Split the pull request/,
    );
  });

  it('is recorded with the access files it changed, the gap named, and an unapproved-merge with cause too-large', async () => {
    const number = hugePull();
    gh.state.mergePull(REPO, number, { by: 'carol' });
    const probot = new Probot({ appId: gh.state.app.id, privateKey: KEY, secret: 'webhook-secret', baseUrl: gh.url, Octokit: TestOctokit, logLevel: 'fatal' });
    await probot.load((app: Probot) => registerLedger(app, deps));
    await probot.receive({ id: 'd-1', name: 'pull_request', payload: gh.payloads.pullRequest('closed', REPO, number) } as never);
    expect(await deps.work.drain(60_000)).toBe(true);

    const change = records(`pr-${number}-merged`)[0]!;
    expect(change.subject.gaps).toEqual([expect.stringContaining('changes 3000 or more files, and GitHub lists no more than 3000')]);
    expect(change.subject.changes.map((c: { path: string; action: string; widens: boolean }) => `${c.action} ${c.path} widens=${c.widens}`)).toEqual([
      'modified grants/people/bob.yaml widens=true',
      'added grants/people/mallory.yaml widens=true',
    ]);
    expect(change.subject.verdict.result).toBe('fail');
    expect(change.subject.verdict.findings.map((f: { message: string }) => f.message)).toContain(
      `too large to evaluate: pull request #${number} changes 3000 or more files, and GitHub lists no more than 3000: the gate cannot see every change, so it fails closed. Split the pull request`,
    );
    const unapproved = records(`pr-${number}-unapproved`)[0]!;
    expect(unapproved.subject).toMatchObject({ cause: 'too-large', detail: expect.stringContaining('is too large to evaluate') });
    const issues = gh.state.listIssues(REPO, { state: 'open' }).filter((i) => !i.pull);
    expect(issues).toHaveLength(1);
    expect(issues[0]!.body).toContain('GitHub would not list all of it');

    // Redelivered: nothing is written twice.
    await probot.receive({ id: 'd-2', name: 'pull_request', payload: gh.payloads.pullRequest('closed', REPO, number) } as never);
    expect(await deps.work.drain(60_000)).toBe(true);
    expect(records(`pr-${number}-`)).toHaveLength(2);
  });
});
