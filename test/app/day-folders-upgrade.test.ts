/**
 * A ledger written before day folders, as the App finds it after an upgrade: its records in month
 * folders (`records/<YYYY>/<MM>/<key>.json`), head.json without `day_folders`, every commit the
 * App's and signed by GitHub. A redelivered merge recorded before the upgrade is found where it is
 * and never written twice; the next merge starts day folders, and the whole ledger verifies.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  HEAD_PATH,
  README_PATH,
  emptyHead,
  monthRecordPath,
  parseHead,
  serializeHead,
  verifyLedgerState,
  type SealedRecord,
} from '../../src/core/ledger/index.ts';
import { refuseRealConnections } from '../support/no-network.ts';
import { ACCESS, GRANT_PATH, appWorld, grantFile, mergeBobsGrant, testDeps, type AppWorld } from './support.ts';

refuseRealConnections();

let w: AppWorld;
beforeEach(async () => {
  w = await appWorld();
});
afterEach(async () => {
  expect(w.gh.errors).toEqual([]);
  await w.gh.close();
});

async function receiveClosed(number: number, id: string) {
  const deps = testDeps();
  const probot = await w.probot(deps);
  await probot.receive({ id, name: 'pull_request', payload: w.gh.payloads.pullRequest('closed', ACCESS, number) as never });
  expect(await deps.work.drain(60_000)).toBe(true);
}

/** Rewrites the ledger branch as the App wrote it before day folders: the same records, in month folders. */
function asWrittenBeforeDayFolders(): void {
  const s = w.gh.state;
  const repo = s.repo(ACCESS);
  const tip = repo.refs.get('refs/heads/access-ledger')!;
  const app = repo.git.commit(tip)!;
  const files = s.ledger(ACCESS)!;
  const records = Object.entries(files)
    .filter(([p]) => p.startsWith('records/'))
    .map(([, text]) => JSON.parse(text) as SealedRecord)
    .sort((a, b) => a.seq - b.seq);
  const last = records.at(-1)!;
  // Trees made through a scratch branch, then commits the App would have made (GitHub-signed) on them.
  const genesisTree = repo.git.commit(
    s.commitFiles(ACCESS, 'scratch', { [README_PATH]: files[README_PATH]!, [HEAD_PATH]: serializeHead(emptyHead()) }, { parent: null, force: true }),
  )!.tree;
  const genesis = s.writeGitHubCommit(repo, { tree: genesisTree, parents: [], author: app.author, message: 'Start the access-ledger evidence branch\n' });
  const oldHead = { format: 'access-ledger/head@1' as const, seq: last.seq, hash: last.hash, path: monthRecordPath(last) };
  const month = Object.fromEntries(records.map((r) => [monthRecordPath(r), `${JSON.stringify(r, null, 2)}\n`]));
  const tree = repo.git.commit(s.commitFiles(ACCESS, 'scratch', { ...month, [HEAD_PATH]: serializeHead(oldHead) }, { parent: genesis, force: true }))!.tree;
  const sha = s.writeGitHubCommit(repo, { tree, parents: [genesis], author: app.author, message: app.message });
  s.setRef(repo, 'refs/heads/access-ledger', sha, { force: true });
  s.setRef(repo, 'refs/heads/scratch', null, { force: true });
}

describe('a ledger from before day folders, after the upgrade', () => {
  it('finds a redelivered merge in its month folder, writes nothing twice, and starts day folders with the next merge', async () => {
    const pr = mergeBobsGrant(w);
    await receiveClosed(pr.number, 'delivery-1');
    asWrittenBeforeDayFolders();
    const before = w.ledger();
    expect(before.records.map((r) => r.path)).toEqual(['records/2026/11/pr-2-merged.json']);
    expect(verifyLedgerState({ records: before.records, head: before.head }).problems).toEqual([]);
    const commits = w.ledgerCommits().length;

    // GitHub redelivers the merge: already recorded, in its month folder.
    await receiveClosed(pr.number, 'delivery-2');
    expect(w.ledgerCommits()).toHaveLength(commits);
    // Still one comment on the pull request, anchoring the one record.
    const comments = w.gh.state.pullOf(ACCESS, pr.number).issue.comments;
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body).toContain(JSON.parse(before.records[0]!.content).hash);

    // The next merge goes to a day folder, and head.json says from which seq.
    w.at('2026-11-23T09:00:00Z');
    const next = w.gh.state.openPullRequest(ACCESS, {
      author: 'Codertocat',
      title: 'Grant alice',
      head: 'grant-alice',
      files: { [GRANT_PATH.replace('bob', 'alice')]: grantFile('alice') },
    });
    w.at('2026-11-23T10:00:00Z');
    w.gh.state.submitReview(ACCESS, next, { user: 'dave', state: 'APPROVED' });
    w.at('2026-11-23T11:00:00Z');
    w.gh.state.mergePull(ACCESS, next, { by: 'carol' });
    await receiveClosed(next, 'delivery-3');
    const after = w.ledger();
    expect(after.records.map((r) => r.path).sort()).toEqual(['records/2026/11/23/pr-3-merged.json', 'records/2026/11/pr-2-merged.json']);
    expect(parseHead(after.head!).day_folders).toMatchObject({ from_seq: 2 });
    expect(verifyLedgerState({ records: after.records, head: after.head }).problems).toEqual([]);
  });
});
