/** What changed in a working tree since a git ref, and the repo as it was at that ref. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { roleOf, type RepoFile } from '../../core/model/snapshot.ts';
import { MAX_FILE_BYTES } from '../../core/model/yaml-file.ts';

const run = promisify(execFile);

/** git cannot answer at all here: it is not installed, or the folder is not in a git work tree. */
export class GitUnavailable extends Error {
  override name = 'GitUnavailable';
}

async function git(dir: string, args: string[]): Promise<string> {
  try {
    const { stdout } = await run('git', args, { cwd: dir, maxBuffer: 512 * 1024 * 1024 });
    return stdout;
  } catch (err) {
    const e = err as { stderr?: string; message: string; code?: unknown };
    if (e.code === 'ENOENT')
      throw new GitUnavailable('--changed-since needs git, and git is not installed or not on PATH: install git, or drop --changed-since to check every file');
    throw new Error(`git ${args[0]} failed in ${dir}: ${(e.stderr || e.message).trim().split('\n')[0]}`);
  }
}

/** Paths (relative to dir) that differ from `ref`, including new untracked files. */
export async function changedSince(dir: string, ref: string): Promise<Set<string>> {
  const inside = await git(dir, ['rev-parse', '--is-inside-work-tree']).then(
    (out) => out.trim() === 'true',
    (err: unknown) => {
      if (err instanceof GitUnavailable) throw err;
      return false;
    },
  );
  if (!inside) {
    throw new GitUnavailable(
      `--changed-since compares with a git ref, and ${dir} is not inside a git work tree: run it in a clone of the access repo (git clone <url>), or drop --changed-since to check every file`,
    );
  }
  await git(dir, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]).catch(() => {
    throw new GitUnavailable(
      `--changed-since: \`${ref}\` is not a commit in this repository (fetch it first, e.g. git fetch origin ${ref}; a shallow clone needs fetch-depth: 0)`,
    );
  });
  const diff = await git(dir, ['diff', '--name-only', '--no-renames', '--relative', '-z', ref, '--', '.']);
  const untracked = await git(dir, ['ls-files', '--others', '--exclude-standard', '-z', '--', '.']);
  return new Set([...diff.split('\0'), ...untracked.split('\0')].filter((p) => p && roleOf(p) !== 'other'));
}

/** The access-repo files as they were at `ref`, read with one `git cat-file --batch`. */
export async function filesAt(dir: string, ref: string): Promise<RepoFile[]> {
  const listing = await git(dir, ['ls-tree', '-r', '-z', ref, '--', '.']);
  const entries: { path: string; sha: string }[] = [];
  for (const line of listing.split('\0')) {
    if (!line) continue;
    const tab = line.indexOf('\t');
    const [, type, sha] = line.slice(0, tab).split(' ');
    const path = line.slice(tab + 1);
    if (type === 'blob' && sha && roleOf(path) !== 'other') entries.push({ path, sha });
  }
  if (entries.length === 0) return [];
  // Loaded here, not with the module: `validate` without --changed-since never needs it.
  const { catFileBatch } = await import('../git/git.ts');
  const files: RepoFile[] = [];
  // A file over the size limit is read past, not held: it is reported as too large by its size.
  for await (const object of catFileBatch(
    dir,
    entries.map((e) => e.sha),
    { maxBytes: MAX_FILE_BYTES },
  )) {
    const e = entries[files.length]!;
    // Copied: a view would keep the whole piece of git's output alive.
    const file: RepoFile = { path: e.path, content: Buffer.from(object.content), blobSha: e.sha };
    if (object.size > MAX_FILE_BYTES) file.size = object.size;
    files.push(file);
  }
  return files;
}
