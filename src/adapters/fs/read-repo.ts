/** Reads an access repo from disk: the config, systems/ and grants/ (any depth), nothing else. */
import { type Dirent, closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { CONFIG_PATHS, roleOf, type RepoFile } from '../../core/model/snapshot.ts';
import { MAX_FILE_BYTES } from '../../core/model/yaml-file.ts';

/**
 * One access file, read whole up to the size limit: a larger one (a database dump dropped into
 * grants/ by mistake) is read only as far as one byte past the limit, and comes with its size, so
 * it is reported as too large at its path instead of filling memory (past 2 GiB, Node refuses to
 * read a file at once, and the command ended on that).
 */
export function readAccessFile(root: string, path: string): RepoFile {
  const fd = openSync(join(root, path), 'r');
  try {
    const size = fstatSync(fd).size;
    const content = Buffer.allocUnsafe(Math.min(size, MAX_FILE_BYTES + 1));
    let read = 0;
    while (read < content.length) {
      const n = readSync(fd, content, read, content.length - read, read);
      if (n === 0) break;
      read += n;
    }
    const file: RepoFile = { path, content: content.subarray(0, read) };
    if (size > read) file.size = size;
    return file;
  } finally {
    closeSync(fd);
  }
}

async function walk(dir: string, out: string[]): Promise<void> {
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    const full = join(dir, e.name);
    if (e.isDirectory()) await walk(full, out);
    else if (e.isFile()) out.push(full);
  }
}

export async function listRepoPaths(root: string): Promise<string[]> {
  const files: string[] = [];
  // `Grants/` and `SYSTEMS/` too: a case-insensitive file system would read them, so they are
  // read and judged (the `access-path` rule asks for the exact name).
  let top: string[] = [];
  try {
    top = (await readdir(root, { withFileTypes: true }))
      .filter((e) => e.isDirectory() && ['grants', 'systems'].includes(e.name.toLowerCase()))
      .map((e) => e.name);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  for (const name of top.sort()) await walk(join(root, name), files);
  const rel = files.map((f) => relative(root, f).split(sep).join('/'));
  for (const c of CONFIG_PATHS) {
    try {
      if ((await stat(join(root, c))).isFile()) {
        rel.push(c);
        break;
      }
    } catch {
      /* absent */
    }
  }
  return rel.filter((p) => roleOf(p) !== 'other').sort();
}

/**
 * The repo's access files (or those given), read one after the other with blocking reads: for
 * many small files several times faster than reads on libuv's thread pool (100,000 grant files:
 * about 0.7 s against 4.5 s on the benchmark machine), at the price of blocking the event loop
 * meanwhile: for the CLI's commands, which have nothing else to do while they read.
 */
export async function readRepoFilesSync(root: string, paths?: readonly string[]): Promise<RepoFile[]> {
  const list = paths ?? (await listRepoPaths(root));
  return list.map((path) => readAccessFile(root, path));
}
