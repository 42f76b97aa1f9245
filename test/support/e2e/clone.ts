/**
 * A local clone of a fake repository. The fake serves git data over REST only, so the clone is
 * materialised object by object: every blob, tree and commit is written as a loose object into a
 * fresh `git init`, encoded exactly as git encodes it, and each object's id is checked against the
 * fake's SHA before it is written. The result is what `git clone` of the real repository would
 * give: the same commits with the same ids and history, every branch as a remote-tracking ref,
 * the default branch checked out, and `origin` pointing at github.com so the binder links there.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import type { FakeGitHub } from '../fake-github/index.ts';
import { encodeCommit, type GitObject, type TreeEntry } from '../fake-github/git.ts';

export interface CloneResult {
  dir: string;
  /** Objects written (all of the repository's objects). */
  objects: number;
  /** Branch name to commit SHA, as on the fake. */
  branches: Record<string, string>;
}

function treeKey(e: TreeEntry): Buffer {
  return Buffer.from(e.type === 'tree' ? `${e.name}/` : e.name);
}

/** The object's body in git's encoding (without the `type size\0` header). */
export function encodeObject(o: GitObject): { type: string; body: Buffer } {
  if (o.type === 'blob') return { type: 'blob', body: o.content };
  if (o.type === 'tree') {
    const parts: Buffer[] = [];
    for (const e of [...o.entries].sort((a, b) => Buffer.compare(treeKey(a), treeKey(b)))) {
      parts.push(Buffer.from(`${e.mode === '040000' ? '40000' : e.mode} ${e.name}\0`), Buffer.from(e.sha, 'hex'));
    }
    return { type: 'tree', body: Buffer.concat(parts) };
  }
  return { type: 'commit', body: encodeCommit(o) };
}

function git(dir: string, args: string[]): string {
  return execFileSync('git', ['-C', dir, ...args], {
    encoding: 'utf8',
    env: { ...process.env, LC_ALL: 'C', GIT_TERMINAL_PROMPT: '0', GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/**
 * Clones `fullName` from the fake into `dir` (created; must not already be a repository).
 * Branches become `refs/remotes/origin/<name>`; the default branch is also a local branch,
 * checked out. Call again on a new directory after the fake changed for a fresh clone.
 */
export function cloneFromFake(fake: FakeGitHub, fullName: string, dir: string): CloneResult {
  const repo = fake.state.repo(fullName);
  mkdirSync(dir, { recursive: true });
  if (existsSync(join(dir, '.git'))) throw new Error(`${dir} is already a git repository`);
  git(dir, ['init', '-q', `--initial-branch=${repo.defaultBranch}`]);
  const objectsDir = join(dir, '.git', 'objects');
  let objects = 0;
  for (const [sha, object] of repo.git.objects) {
    const { type, body } = encodeObject(object);
    const raw = Buffer.concat([Buffer.from(`${type} ${body.length}\0`), body]);
    const id = createHash('sha1').update(raw).digest('hex');
    if (id !== sha) throw new Error(`object ${sha} re-encodes to ${id}: the clone would not match the fake`);
    const sub = join(objectsDir, sha.slice(0, 2));
    mkdirSync(sub, { recursive: true });
    const file = join(sub, sha.slice(2));
    if (!existsSync(file)) writeFileSync(file, deflateSync(raw));
    objects++;
  }
  const branches: Record<string, string> = {};
  for (const [ref, sha] of repo.refs) {
    if (!ref.startsWith('refs/heads/')) continue;
    const name = ref.slice('refs/heads/'.length);
    branches[name] = sha;
    git(dir, ['update-ref', `refs/remotes/origin/${name}`, sha]);
  }
  const main = branches[repo.defaultBranch];
  if (!main) throw new Error(`${fullName} has no ${repo.defaultBranch} branch`);
  git(dir, ['remote', 'add', 'origin', `https://github.com/${repo.fullName}.git`]);
  git(dir, ['update-ref', `refs/heads/${repo.defaultBranch}`, main]);
  git(dir, ['symbolic-ref', 'refs/remotes/origin/HEAD', `refs/remotes/origin/${repo.defaultBranch}`]);
  git(dir, ['reset', '-q', '--hard', main]);
  git(dir, ['fsck', '--no-dangling', '--connectivity-only']);
  return { dir, objects, branches };
}
