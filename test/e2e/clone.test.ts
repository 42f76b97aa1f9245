/** The local clone of a fake repository is the repository: same commit ids, history, branches and files. */
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cloneFromFake, newGrantFile, seedAcme, startFakeGitHub, tempDir, type FakeGitHub, type World } from '../support/e2e/index.ts';

let fake: FakeGitHub;
let world: World;
const dirs: string[] = [];

beforeAll(async () => {
  fake = await startFakeGitHub({ seed: 7 });
  world = seedAcme(fake);
  const pr = fake.state.openPullRequest(world.repo, {
    author: 'wzhang',
    title: 'Grant wzhang read on prod-postgres',
    files: { 'grants/people/wzhang.yaml': newGrantFile('wzhang', world.day(30)) },
  });
  fake.state.submitReview(world.repo, pr, { user: 'sbrandt', state: 'APPROVED' });
  fake.state.mergePull(world.repo, pr, { by: 'sbrandt' });
  // An orphan branch, as the ledger is.
  const repo = fake.state.repo(world.repo);
  const tree = repo.git.updateTree(undefined, [{ path: 'head.json', mode: '100644', type: 'blob', sha: repo.git.writeBlob('{"seq":0}\n') }]);
  const person = fake.state.person(fake.state.app.bot.login);
  const sha = repo.git.writeCommit({ tree, parents: [], author: person, committer: person, message: 'Start the ledger' });
  fake.state.setRef(repo, 'refs/heads/access-ledger', sha, { create: true });
});

afterAll(async () => {
  await fake?.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const git = (dir: string, ...args: string[]) => execFileSync('git', ['-C', dir, ...args], { encoding: 'utf8' }).trim();

describe('cloneFromFake', () => {
  it('reproduces every commit id, the first-parent history, every branch and the checked-out files', () => {
    const dir = tempDir('clone');
    dirs.push(dir);
    const result = cloneFromFake(fake, world.repo, dir);
    expect(result.objects).toBe(fake.state.repo(world.repo).git.objects.size);
    expect(git(dir, 'rev-parse', 'HEAD')).toBe(fake.state.repo(world.repo).refs.get('refs/heads/main'));
    expect(git(dir, 'log', '--format=%H', 'HEAD').split('\n').sort()).toEqual(
      fake.state
        .log(world.repo, 'main')
        .map((c) => c.sha)
        .sort(),
    );
    expect(git(dir, 'rev-parse', 'origin/access-ledger')).toBe(result.branches['access-ledger']);
    expect(git(dir, 'remote', 'get-url', 'origin')).toBe('https://github.com/acme/access.git');
    expect(readFileSync(join(dir, 'grants/people/wzhang.yaml'), 'utf8')).toBe(fake.state.readFile(world.repo, 'main', 'grants/people/wzhang.yaml'));
    expect(git(dir, 'status', '--porcelain')).toBe('');
    const merge = git(dir, 'log', '-1', '--format=%P%n%an%n%cn%n%s', 'HEAD').split('\n');
    expect(merge[0]?.split(' ')).toHaveLength(2);
    expect(merge.slice(1)).toEqual(['sbrandt', 'GitHub', `Merge pull request #1 from acme/pr-1`]);
  });

  it('refuses a directory that already holds a repository', () => {
    const dir = tempDir('clone');
    dirs.push(dir);
    cloneFromFake(fake, world.repo, dir);
    expect(() => cloneFromFake(fake, world.repo, dir)).toThrow(/already a git repository/);
  });
});
