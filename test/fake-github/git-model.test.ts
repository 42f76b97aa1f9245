/**
 * The fake's git objects hash exactly as git's do, checked against the real `git` binary: blobs,
 * trees (including git's odd entry order, where `foo/` sorts after `foo.txt`) and commits.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GitStore, diffTrees, lineStats, mergeTrees } from '../support/fake-github/git.ts';

const work = mkdtempSync(join(tmpdir(), 'fake-git-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function git(args: string[], input?: string | Buffer, env: Record<string, string> = {}): string {
  return execFileSync('git', args, { cwd: work, input, env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', HOME: work, ...env } })
    .toString()
    .trim();
}
git(['init', '-q']);

const FILES: Record<string, string | Buffer> = {
  'README.md': '# access\n',
  'foo.txt': 'a file named like the directory\n',
  'foo/bar.yaml': 'x: 1\n',
  'foo-bar': 'dash sorts before slash\n',
  'records/2026/11/pr-45-merged.json': '{"seq":1}\n',
  'empty.txt': '',
  'bin/logo.png': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 3]),
};

function writeWorktree(files: Record<string, string | Buffer>): void {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(work, path)), { recursive: true });
    writeFileSync(join(work, path), content);
  }
}

function fakeTree(store: GitStore, files: Record<string, string | Buffer>, base?: string): string {
  return store.updateTree(
    base,
    Object.entries(files).map(([path, content]) => ({ path, mode: '100644', type: 'blob' as const, sha: store.writeBlob(content) })),
  );
}

describe('git object encoding', () => {
  it('blob SHAs equal `git hash-object`', () => {
    const store = new GitStore();
    for (const content of Object.values(FILES)) {
      expect(store.writeBlob(content)).toBe(git(['hash-object', '--stdin'], content));
    }
  });

  it('tree SHAs equal `git write-tree` for the same files', () => {
    writeWorktree(FILES);
    git(['add', '-A']);
    expect(fakeTree(new GitStore(), FILES)).toBe(git(['write-tree']));
  });

  it('commit SHAs equal `git commit-tree` with the same author, committer and message', () => {
    const store = new GitStore();
    const tree = fakeTree(store, FILES);
    const when = '2026-11-26T13:15:09Z';
    const env = {
      GIT_AUTHOR_NAME: 'Alice',
      GIT_AUTHOR_EMAIL: 'alice@example.com',
      GIT_AUTHOR_DATE: '@1795698909 +0000',
      GIT_COMMITTER_NAME: 'GitHub',
      GIT_COMMITTER_EMAIL: 'noreply@github.com',
      GIT_COMMITTER_DATE: '@1795698909 +0000',
    };
    const root = git(['commit-tree', tree, '-m', 'Initial commit'], undefined, env);
    const person = { name: 'Alice', email: 'alice@example.com', date: when };
    const committer = { name: 'GitHub', email: 'noreply@github.com', date: when };
    // `git commit-tree -m` ends the message with a newline; the API stores messages verbatim.
    const fakeRoot = store.writeCommit({ tree, parents: [], author: person, committer, message: 'Initial commit\n' });
    expect(fakeRoot).toBe(root);
    const child = git(['commit-tree', tree, '-p', root, '-m', 'Second'], undefined, env);
    expect(store.writeCommit({ tree, parents: [fakeRoot], author: person, committer, message: 'Second\n' })).toBe(child);
  });
});

describe('tree edits', () => {
  it('nested paths, deletion and pruning of emptied directories', () => {
    const store = new GitStore();
    const base = fakeTree(store, { 'a/b/c.txt': '1\n', 'a/d.txt': '2\n', 'e.txt': '3\n' });
    const deleted = store.updateTree(base, [{ path: 'a/b/c.txt', mode: '100644', type: 'blob', sha: null }]);
    expect([...store.files(deleted).keys()]).toEqual(['a/d.txt', 'e.txt']);
    expect(store.listTree(deleted, true).map((e) => e.path)).toEqual(['a', 'a/d.txt', 'e.txt']);
    // Same content, same tree: a tree built from scratch hashes identically.
    expect(deleted).toBe(fakeTree(store, { 'a/d.txt': '2\n', 'e.txt': '3\n' }));
    // Deleting an absent path changes nothing.
    expect(store.updateTree(deleted, [{ path: 'x/y.txt', mode: '100644', type: 'blob', sha: null }])).toBe(deleted);
  });

  it('recursive listing lists each subtree before its contents, like `git ls-tree -r -t`', () => {
    writeWorktree(FILES);
    git(['add', '-A']);
    const real = git(['ls-tree', '-r', '-t', '--name-only', git(['write-tree'])]).split('\n');
    const store = new GitStore();
    expect(store.listTree(fakeTree(store, FILES), true).map((e) => e.path)).toEqual(real);
  });
});

describe('diffs and merges', () => {
  it('statuses, exact renames and line counts', () => {
    const store = new GitStore();
    const before = fakeTree(store, { 'a.yaml': 'x\ny\nz\n', 'old.yaml': 'same\n', 'gone.yaml': 'g\n' });
    const after = fakeTree(store, { 'a.yaml': 'x\nY\nz\nw\n', 'new.yaml': 'same\n', 'added.yaml': '1\n2\n' });
    expect(diffTrees(store, before, after)).toEqual([
      { filename: 'a.yaml', status: 'modified', sha: store.writeBlob('x\nY\nz\nw\n'), additions: 2, deletions: 1 },
      { filename: 'added.yaml', status: 'added', sha: store.writeBlob('1\n2\n'), additions: 2, deletions: 0 },
      { filename: 'gone.yaml', status: 'removed', sha: store.writeBlob('g\n'), additions: 0, deletions: 1 },
      { filename: 'new.yaml', status: 'renamed', previous_filename: 'old.yaml', sha: store.writeBlob('same\n'), additions: 0, deletions: 0 },
    ]);
    expect(lineStats(Buffer.from([0, 1]), Buffer.from([0, 2]))).toEqual({ additions: 0, deletions: 0 });
  });

  it('renames as `git diff -M` finds them: exact first, then pairs at least 50% similar, the most similar first', () => {
    const grant = (id: string, login: string, role = 'superuser') =>
      `identity:\n  id: ${id}\n  kind: human\n  owner: carol\n  github: ${login}\naccess:\n  - system: db\n    role: ${role}\n    privileged: true\n    justification: Needed for the on-call rotation of the team\n    expires: 2027-01-31\n`;
    const before = {
      'grants/people/victim.yaml': grant('victim', 'victim'),
      'grants/people/alice.yaml': grant('alice', 'alice', 'readonly'),
      'grants/people/carl.yaml': 'identity:\n  id: carl\n',
      'grants/a/same.yaml': 'identical\n',
      'grants/b/other.yaml': 'identical\n',
      'notes/crlf.txt': 'one\r\ntwo\r\nthree\r\nfour\r\n',
      'notes/gone.txt': 'nothing in common\nwith anything\n',
    };
    const after = {
      // Two lines of eleven changed: a rename.
      'grants/people/mallory-admin.yaml': grant('mallory-admin', 'mallory'),
      // Closer to alice than to victim: paired with alice, the most similar.
      'grants/contractors/alice2.yaml': grant('alice2', 'alice', 'readonly'),
      // Rewritten: an addition and a deletion.
      'grants/people/carla.yaml': 'kind: agent\ndescription: a different file altogether\n',
      // Exact content twice: the same file name wins.
      'grants/c/other.yaml': 'identical\n',
      'grants/c/same.yaml': 'identical\n',
      'notes/lf.txt': 'one\ntwo\nthree\nfour\n',
      'notes/new.txt': 'fresh\n',
    };
    const store = new GitStore();
    const fake = diffTrees(store, fakeTree(store, before), fakeTree(store, after)).map(
      (d) => `${{ added: 'A', removed: 'D', modified: 'M', renamed: 'R' }[d.status]} ${d.previous_filename ? `${d.previous_filename} → ` : ''}${d.filename}`,
    );
    const realTree = (files: Record<string, string>): string => {
      const index = join(work, `index-${Math.random().toString(36).slice(2)}`);
      for (const [path, content] of Object.entries(files)) {
        const sha = git(['hash-object', '-w', '--stdin'], content);
        git(['update-index', '--add', '--cacheinfo', `100644,${sha},${path}`], undefined, { GIT_INDEX_FILE: index });
      }
      return git(['write-tree'], undefined, { GIT_INDEX_FILE: index });
    };
    const real = git(['diff-tree', '-r', '-M', '--name-status', realTree(before), realTree(after)])
      .split('\n')
      .map((line) => {
        const [status, a, b] = line.split('\t') as [string, string, string?];
        return status.startsWith('R') ? `R ${a} → ${b}` : `${status} ${a}`;
      });
    expect([...fake].sort()).toEqual([...real].sort());
    expect(fake).toContain('R grants/people/victim.yaml → grants/people/mallory-admin.yaml');
    expect(fake).toContain('R grants/people/alice.yaml → grants/contractors/alice2.yaml');
  });

  it('three-way merge takes one-sided changes and reports two-sided conflicts', () => {
    const store = new GitStore();
    const base = fakeTree(store, { a: '1\n', b: '1\n' });
    const ours = fakeTree(store, { a: '2\n' }, base);
    const theirs = fakeTree(store, { b: '2\n', c: 'new\n' }, base);
    const merged = mergeTrees(store, base, ours, theirs);
    expect('tree' in merged && Object.fromEntries([...store.files(merged.tree)].map(([p, e]) => [p, store.blob(e.sha)?.content.toString()]))).toEqual({
      a: '2\n',
      b: '2\n',
      c: 'new\n',
    });
    const clash = fakeTree(store, { a: '3\n' }, base);
    expect(mergeTrees(store, base, ours, clash)).toEqual({ conflicts: ['a'] });
  });

  it('ancestry and merge base', () => {
    const store = new GitStore();
    const t = fakeTree(store, { x: '1' });
    const p = { name: 'a', email: 'a@x', date: '2026-01-01T00:00:00Z' };
    const root = store.writeCommit({ tree: t, parents: [], author: p, committer: p, message: 'root' });
    const left = store.writeCommit({ tree: t, parents: [root], author: p, committer: p, message: 'left' });
    const right = store.writeCommit({ tree: t, parents: [root], author: p, committer: p, message: 'right' });
    expect(store.isAncestor(root, left)).toBe(true);
    expect(store.isAncestor(left, right)).toBe(false);
    expect(store.mergeBase(left, right)).toBe(root);
    expect(store.commitsBetween(left, right)).toEqual([right]);
  });
});
