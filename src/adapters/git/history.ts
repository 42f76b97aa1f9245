/**
 * The access repo's history as the binder reads it from a local clone: the commits of the period
 * that touched grants/ or systems/ (first-parent, the same `git log` selection the binder prints
 * for auditors), any file at any commit, the tree as of a day, and the ledger records streamed.
 *
 * Built for 100,000 grants and 100,000 records: a handful of git processes in all (log, ls-tree,
 * and one long-lived `git cat-file --batch` that every blob goes through), never one per file.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { gitLogArgs } from '../../core/binder/commands.ts';
import type { AccessCommit, ChangedFile, ExportParams, TreeFile } from '../../core/binder/types.ts';
import { isRecordPath, type SealedRecord } from '../../core/ledger/index.ts';
import { roleOf } from '../../core/model/snapshot.ts';
import { GitError, git } from './git.ts';

const ZERO = /^0+$/;

/**
 * One `git cat-file --batch` for the life of an export. Requests are answered in order; callers
 * may have many in flight (the pipe is the queue), so reading 100,000 blobs costs no round trips.
 */
export class CatFile {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly pending: { resolve: (b: Buffer | null) => void; reject: (e: Error) => void }[] = [];
  private buf: Buffer = Buffer.alloc(0);
  private failed: Error | null = null;
  private stderr = '';

  constructor(dir: string) {
    this.child = spawn('git', ['-C', dir, 'cat-file', '--batch'], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C', GIT_TERMINAL_PROMPT: '0' } });
    this.child.stderr.setEncoding('utf8');
    this.child.stderr.on('data', (d: string) => (this.stderr += d));
    this.child.stdout.on('data', (chunk: Buffer) => this.onData(chunk));
    this.child.stdin.on('error', () => undefined);
    const fail = (e: Error) => {
      this.failed ??= e;
      for (const p of this.pending.splice(0)) p.reject(this.failed);
    };
    this.child.on('error', (e) => fail((e as NodeJS.ErrnoException).code === 'ENOENT' ? new GitError('git is not installed or not on PATH') : e));
    this.child.on('close', (code) => {
      if (this.pending.length > 0) fail(new GitError(`git cat-file exited (${String(code)}) with ${this.pending.length} requests unanswered: ${this.stderr.trim()}`));
    });
  }

  private onData(chunk: Buffer): void {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    for (;;) {
      const nl = this.buf.indexOf(0x0a);
      if (nl < 0) return;
      const header = this.buf.subarray(0, nl).toString('utf8');
      const parts = header.split(' ');
      if (parts[1] === 'missing' || parts[1] === 'ambiguous') {
        this.buf = this.buf.subarray(nl + 1);
        this.pending.shift()?.resolve(null);
        continue;
      }
      const size = Number(parts[2]);
      if (!Number.isSafeInteger(size)) {
        this.failed = new GitError(`unexpected git cat-file output: ${header.slice(0, 120)}`);
        for (const p of this.pending.splice(0)) p.reject(this.failed);
        return;
      }
      if (this.buf.length < nl + 1 + size + 1) return;
      const content = Buffer.from(this.buf.subarray(nl + 1, nl + 1 + size));
      this.buf = this.buf.subarray(nl + 2 + size);
      this.pending.shift()?.resolve(content);
    }
  }

  /** The object's content, or null when the clone does not have it. */
  read(object: string): Promise<Buffer | null> {
    if (this.failed) return Promise.reject(this.failed);
    if (/[\n\r]/.test(object)) return Promise.reject(new GitError(`invalid object name ${JSON.stringify(object)}`));
    return new Promise((resolve, reject) => {
      this.pending.push({ resolve, reject });
      this.child.stdin.write(`${object}\n`);
    });
  }

  /** Reads many objects, keeping at most `window` requests in flight; yields in order. */
  async *readAll<T>(items: Iterable<T>, objectOf: (item: T) => string, window = 512): AsyncGenerator<{ item: T; content: Buffer | null }> {
    const queue: { item: T; promise: Promise<Buffer | null> }[] = [];
    for (const item of items) {
      queue.push({ item, promise: this.read(objectOf(item)) });
      if (queue.length >= window) {
        const head = queue.shift()!;
        yield { item: head.item, content: await head.promise };
      }
    }
    while (queue.length > 0) {
      const head = queue.shift()!;
      yield { item: head.item, content: await head.promise };
    }
  }

  close(): void {
    this.child.stdin.end();
    if (this.child.exitCode === null) setTimeout(() => this.child.kill(), 2000).unref();
  }
}

export async function revParse(dir: string, rev: string): Promise<string | null> {
  try {
    return (await git(dir, ['rev-parse', '--verify', '--quiet', `${rev}^{commit}`])).toString('utf8').trim() || null;
  } catch {
    return null;
  }
}

/** The last commit of `ref` (first-parent) on or before the end of the UTC day `date`. */
export async function lastCommitOnOrBefore(dir: string, refSha: string, date: string): Promise<{ sha: string; committed_at: string } | null> {
  const out = (await git(dir, ['rev-list', '-1', '--first-parent', `--until=${date}T23:59:59Z`, '--format=%cI', refSha])).toString('utf8').trim().split('\n');
  // rev-list --format prints "commit <sha>" then the formatted line.
  const sha = out[0]?.replace(/^commit /, '');
  if (!sha) return null;
  return { sha, committed_at: isoUtc(out[1] ?? '') };
}

function isoUtc(gitDate: string): string {
  const t = Date.parse(gitDate);
  return Number.isNaN(t) ? gitDate : new Date(t).toISOString().slice(0, 19) + 'Z';
}

interface RawCommit {
  sha: string;
  committed_at: string;
  author: string;
  subject: string;
  changes: { path: string; status: string; before: string | null; after: string | null }[];
}

/**
 * The period's commits (oldest first) that touched `grants/` or `systems/`, exactly as the
 * binder's printed `git log` selects them, with every changed file's old and new blob.
 */
export async function periodCommits(dir: string, params: ExportParams): Promise<RawCommit[]> {
  const commits = new Map<string, RawCommit>();
  // One walk for both folders: the same commits and changes as the per-folder selections the
  // binder prints, split again by each file's role.
  {
    const args = gitLogArgs(params, 'grants/');
    const refAt = args.indexOf(params.refSha);
    const withFormat = [...args.slice(0, refAt), '--raw', '--no-abbrev', '-z', '--format=%x01%H%x00%cI%x00%an <%ae>%x00%s%x00', params.refSha, '--', 'grants/', 'systems/'];
    const out = (await git(dir, withFormat)).toString('utf8');
    for (const block of out.split('\x01')) {
      if (!block) continue;
      const tokens = block.split('\0');
      const [sha, date, author, subject] = tokens as [string, string, string, string];
      let commit = commits.get(sha);
      if (!commit) {
        commit = { sha, committed_at: isoUtc(date), author, subject, changes: [] };
        commits.set(sha, commit);
      }
      for (let i = 4; i < tokens.length; i++) {
        const t = tokens[i]!.replace(/^\n+/, '');
        if (!t.startsWith(':')) continue;
        const [, , oldOid, newOid, status] = t.slice(1).split(' ') as [string, string, string, string, string];
        const path = tokens[++i]!;
        commit.changes.push({ path, status: status.charAt(0), before: ZERO.test(oldOid) ? null : oldOid, after: ZERO.test(newOid) ? null : newOid });
      }
    }
  }
  return [...commits.values()].sort((a, b) => a.committed_at.localeCompare(b.committed_at));
}

/** Streams the period's commits with file contents, one commit at a time. */
export async function* commitsWithContent(cat: CatFile, raw: readonly RawCommit[]): AsyncGenerator<AccessCommit> {
  // Ask for every blob of the period up front (bounded window); assemble commits as answers arrive.
  const wanted: { commit: number; change: number; side: 'before' | 'after'; oid: string }[] = [];
  raw.forEach((c, ci) =>
    c.changes.forEach((ch, k) => {
      if (roleOf(ch.path) !== 'grant' && roleOf(ch.path) !== 'system') return;
      if (ch.before) wanted.push({ commit: ci, change: k, side: 'before', oid: ch.before });
      if (ch.after) wanted.push({ commit: ci, change: k, side: 'after', oid: ch.after });
    }),
  );
  const reader = cat.readAll(wanted, (w) => w.oid)[Symbol.asyncIterator]();
  let next = await reader.next();
  for (let ci = 0; ci < raw.length; ci++) {
    const c = raw[ci]!;
    const files: ChangedFile[] = c.changes
      .filter((ch) => roleOf(ch.path) === 'grant' || roleOf(ch.path) === 'system')
      .map((ch) => ({
        path: ch.path,
        action: ch.status === 'A' ? 'added' : ch.status === 'D' ? 'removed' : 'modified',
        before_blob: ch.before,
        after_blob: ch.after,
        before: null,
        after: null,
      }));
    const byIndex = new Map<number, ChangedFile>();
    let f = 0;
    c.changes.forEach((ch, k) => {
      if (roleOf(ch.path) === 'grant' || roleOf(ch.path) === 'system') byIndex.set(k, files[f++]!);
    });
    while (!next.done && next.value.item.commit === ci) {
      const { item, content } = next.value;
      if (content === null) throw new GitError(`blob ${item.oid} of ${c.changes[item.change]!.path} is missing from the clone`, 'The clone is incomplete (shallow or partial): fetch the full history with git fetch --unshallow.');
      byIndex.get(item.change)![item.side] = content.toString('utf8');
      next = await reader.next();
    }
    yield { sha: c.sha, committed_at: c.committed_at, author: c.author, subject: c.subject, files };
  }
}

/** Grant, system and config files at a commit, streamed with their content. */
export async function* treeAt(dir: string, cat: CatFile, commit: string, known: (blob: string) => boolean = () => false): AsyncGenerator<TreeFile> {
  const out = (await git(dir, ['ls-tree', '-r', '-z', '--full-tree', commit])).toString('utf8');
  const entries: { path: string; blob: string }[] = [];
  for (const entry of out.split('\0')) {
    if (!entry) continue;
    const tab = entry.indexOf('\t');
    const [, type, oid] = entry.slice(0, tab).split(' ');
    const path = entry.slice(tab + 1);
    if (type === 'blob' && oid && roleOf(path) !== 'other') entries.push({ path, blob: oid });
  }
  // Blobs the caller already read (e.g. added in the period) are not read twice: content null.
  const toRead = entries.filter((e) => !known(e.blob));
  const reader = cat.readAll(toRead, (e) => e.blob)[Symbol.asyncIterator]();
  for (const e of entries) {
    if (known(e.blob)) {
      yield { path: e.path, blob: e.blob, content: null };
      continue;
    }
    const next = await reader.next();
    if (next.done || next.value.item !== e) throw new GitError('git cat-file answered out of order');
    if (next.value.content === null) throw new GitError(`blob ${e.blob} of ${e.path} is missing from the clone`, 'The clone is incomplete: fetch it again without --filter.');
    yield { path: e.path, blob: e.blob, content: next.value.content.toString('utf8') };
  }
}

/** Every record at the ledger tip, streamed (one parsed record at a time). */
export async function* ledgerRecords(dir: string, cat: CatFile, ledgerSha: string): AsyncGenerator<{ path: string; record: SealedRecord | null }> {
  const out = (await git(dir, ['ls-tree', '-r', '-z', '--full-tree', ledgerSha, '--', 'records'])).toString('utf8');
  const entries: { path: string; oid: string }[] = [];
  for (const entry of out.split('\0')) {
    if (!entry) continue;
    const tab = entry.indexOf('\t');
    const [, type, oid] = entry.slice(0, tab).split(' ');
    const path = entry.slice(tab + 1);
    if (type === 'blob' && oid && isRecordPath(path)) entries.push({ path, oid });
  }
  for await (const { item, content } of cat.readAll(entries, (e) => e.oid)) {
    let record: SealedRecord | null = null;
    try {
      record = content ? (JSON.parse(content.toString('utf8')) as SealedRecord) : null;
    } catch {
      record = null;
    }
    yield { path: item.path, record };
  }
}

/** `owner/repo` from the clone's origin when it is on GitHub, for links. */
export async function githubRepository(dir: string): Promise<string | null> {
  try {
    const url = (await git(dir, ['remote', 'get-url', 'origin'])).toString('utf8').trim();
    const m = /github\.com[:/]([A-Za-z0-9-]+\/[A-Za-z0-9._-]+?)(?:\.git)?$/.exec(url);
    return m ? m[1]! : null;
  } catch {
    return null;
  }
}
