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
import { GitError, MAX_TEXT_BYTES, git } from './git.ts';

const ZERO = /^0+$/;

/** An object over MAX_TEXT_BYTES, answered as this error (the reads after it go on). */
export class ObjectTooLargeError extends GitError {
  readonly size: number;

  constructor(object: string, size: number) {
    super(
      `${object} is ${size} bytes, larger than any file GitHub stores (100 MiB): it is not read`,
      'No pull request or App wrote a file this large: find the commit that added it (git log --all --find-object=<its blob id>) and remove it.',
    );
    this.size = size;
  }

  /** The same error, naming the file by its path. */
  of(path: string): GitError {
    return new GitError(`${path} is ${this.size} bytes, larger than any file GitHub stores (100 MiB): it is not read`, this.hint);
  }
}

/**
 * One `git cat-file --batch` for the life of an export. Requests are answered in order; callers
 * may have many in flight (the pipe is the queue), so reading 100,000 blobs costs no round trips.
 * Contents come back as text decoded straight from git's output: an object that sits inside one
 * chunk of the pipe (nearly all of them) is decoded in place, with no copy of its bytes.
 */
export class CatFile {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly pending: { object: string; resolve: (text: string | null) => void; reject: (e: Error) => void }[] = [];
  /** The start of a header line that the last chunk cut. */
  private header = '';
  /** Bytes still to come of the current object's content (and its trailing LF); -1 between objects. */
  private need = -1;
  private size = 0;
  /** The current object is over MAX_TEXT_BYTES: its bytes are read past, not kept. */
  private tooLarge = false;
  private parts: Buffer[] = [];
  private failed: Error | null = null;
  private stderr = '';

  constructor(dir: string) {
    this.child = spawn('git', ['-C', dir, 'cat-file', '--batch'], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, LC_ALL: 'C', GIT_TERMINAL_PROMPT: '0' },
    });
    this.child.stderr.setEncoding('utf8');
    this.child.stderr.on('data', (d: string) => (this.stderr += d));
    this.child.stdout.on('data', (chunk: Buffer) => this.onData(chunk));
    this.child.stdin.on('error', () => undefined);
    this.child.on('error', (e) => this.fail((e as NodeJS.ErrnoException).code === 'ENOENT' ? new GitError('git is not installed or not on PATH') : e));
    this.child.on('close', (code) => {
      if (this.pending.length > 0)
        this.fail(new GitError(`git cat-file exited (${String(code)}) with ${this.pending.length} requests unanswered: ${this.stderr.trim()}`));
    });
  }

  private fail(e: Error): void {
    this.failed ??= e;
    for (const p of this.pending.splice(0)) p.reject(this.failed);
  }

  private onData(chunk: Buffer): void {
    let at = 0;
    while (at < chunk.length && !this.failed) {
      if (this.need < 0) {
        // "<oid> <type> <size>\n", or "<name> missing\n" / "<name> ambiguous\n".
        const nl = chunk.indexOf(0x0a, at);
        if (nl < 0) {
          this.header += chunk.toString('utf8', at);
          return;
        }
        const header = this.header + chunk.toString('utf8', at, nl);
        this.header = '';
        at = nl + 1;
        const parts = header.split(' ');
        if (parts[1] === 'missing' || parts[1] === 'ambiguous') {
          this.pending.shift()?.resolve(null);
          continue;
        }
        const size = Number(parts[2]);
        if (!Number.isSafeInteger(size)) {
          this.fail(new GitError(`unexpected git cat-file output: ${header.slice(0, 120)}`));
          return;
        }
        this.size = size;
        this.need = size + 1;
        this.tooLarge = size > MAX_TEXT_BYTES;
      }
      const take = Math.min(this.need, chunk.length - at);
      if (this.tooLarge) {
        // Answered with an error of its own once read past; the requests after it go on.
        if (take === this.need) {
          const request = this.pending.shift();
          request?.reject(new ObjectTooLargeError(request.object, this.size));
        }
      } else if (this.parts.length === 0 && take === this.need) {
        // The whole content is in this chunk: decode it in place.
        this.pending.shift()?.resolve(chunk.toString('utf8', at, at + this.size));
      } else {
        this.parts.push(chunk.subarray(at, at + take));
        if (take === this.need) {
          const whole = Buffer.concat(this.parts);
          this.parts = [];
          this.pending.shift()?.resolve(whole.toString('utf8', 0, this.size));
        }
      }
      this.need -= take;
      at += take;
      if (this.need === 0) this.need = -1;
    }
  }

  /** The object's content as UTF-8 text, or null when the clone does not have it. */
  read(object: string): Promise<string | null> {
    if (this.failed) return Promise.reject(this.failed);
    if (/[\n\r]/.test(object)) return Promise.reject(new GitError(`invalid object name ${JSON.stringify(object)}`));
    return new Promise((resolve, reject) => {
      this.pending.push({ object, resolve, reject });
      this.child.stdin.write(`${object}\n`);
    });
  }

  /**
   * Reads many objects, keeping at most `window` requests in flight; yields in order. An object
   * over MAX_TEXT_BYTES comes with `tooLarge` (and no content), and the reads go on.
   */
  async *readAll<T>(
    items: Iterable<T>,
    objectOf: (item: T) => string,
    window = 512,
  ): AsyncGenerator<{ item: T; content: string | null; tooLarge?: ObjectTooLargeError }> {
    const queue: { item: T; promise: Promise<string | null> }[] = [];
    const answer = async ({ item, promise }: { item: T; promise: Promise<string | null> }) => {
      try {
        return { item, content: await promise };
      } catch (e) {
        if (e instanceof ObjectTooLargeError) return { item, content: null, tooLarge: e };
        throw e;
      }
    };
    for (const item of items) {
      const promise = this.read(objectOf(item));
      // Awaited in order below; one left behind when the reader stops early must not go unhandled.
      promise.catch(() => undefined);
      queue.push({ item, promise });
      if (queue.length >= window) yield await answer(queue.shift()!);
    }
    while (queue.length > 0) yield await answer(queue.shift()!);
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
  changes: { path: string; status: string; before: string | null; after: string | null }[];
}

/**
 * Bytes kept outside the JavaScript heap, appended in large buffers: the period's commits are
 * held from the time git lists them (while the ledger is read) until they are read in date
 * order, and 100,000 of them as objects would be that much more heap for the collector to size
 * itself by.
 */
class ByteStore {
  private readonly chunks: Buffer[] = [];
  private free = 0;

  put(src: Buffer, start: number, end: number): number {
    const length = end - start;
    let chunk = this.chunks.at(-1);
    if (!chunk || this.free < length) {
      chunk = Buffer.allocUnsafeSlow(Math.max(1 << 20, length));
      this.chunks.push(chunk);
      this.free = chunk.length;
    }
    const offset = chunk.length - this.free;
    src.copy(chunk, offset, start, end);
    this.free -= length;
    return (this.chunks.length - 1) * 2 ** 32 + offset;
  }

  /** Hands the buffers' memory back at once (the garbage collector may not run for a while). */
  release(): void {
    // Each chunk owns its whole ArrayBuffer (allocUnsafeSlow): detaching it frees the memory.
    for (const chunk of this.chunks) (chunk.buffer as ArrayBuffer).transfer(0);
    this.chunks.length = 0;
  }

  get(at: number, length: number): Buffer {
    const offset = at % 2 ** 32;
    return this.chunks[Math.floor(at / 2 ** 32)]!.subarray(offset, offset + length);
  }
}

/** One commit of the period as listed: its date, and where its block of `git log` output is kept. */
interface ListedCommit {
  committed_at: string;
  at: number;
  length: number;
  /** Further blocks of the same commit, should git list it twice. */
  more?: { at: number; length: number }[];
}

/** `grants/` or `systems/` at the start of a path, ASCII letters in any case (as git's `:(icase)` pathspec). */
const ACCESS_FOLDER = /^(?:grants|systems)\//i;

/** Whether a commit's "<raw>\0<path>\0" changes (from `from` to `end`) touch grants/ or systems/. */
function touchesAccessFolders(buf: Buffer, from: number, end: number): boolean {
  let p = from;
  while (p < end) {
    while (p < end && buf[p] === 0x0a) p++;
    if (p >= end) return false;
    const z = buf.indexOf(0, p);
    const stop = z < 0 || z > end ? end : z;
    if (buf[p] !== 0x3a) {
      p = stop + 1;
      continue;
    }
    // The path follows its raw line.
    const pz = buf.indexOf(0, stop + 1);
    const pathEnd = pz < 0 || pz > end ? end : pz;
    if (ACCESS_FOLDER.test(buf.toString('latin1', stop + 1, Math.min(pathEnd, stop + 1 + 8)))) return true;
    p = pathEnd + 1;
  }
  return false;
}

/**
 * The period's commits (oldest first) that touched `grants/` or `systems/`, listed by
 * `periodCommits`; each is parsed from its stored block when `commitsWithContent` reaches it.
 */
export interface PeriodHistory {
  readonly length: number;
  commit(i: number): RawCommit;
  /** Frees the stored blocks; `commit` cannot be called afterwards. */
  release(): void;
}

/**
 * Runs git and hands its stdout to `onBytes` as it arrives, so a listing of 100,000 commits is
 * parsed while git is still walking, and never held whole.
 */
function gitStream(dir: string, args: readonly string[], onBytes: (chunk: Buffer) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', ['-C', dir, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, LC_ALL: 'C', GIT_TERMINAL_PROMPT: '0' },
      windowsHide: true,
    });
    let stderr = '';
    let failed: unknown = null;
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d: string) => (stderr += d));
    child.stdout.on('data', (chunk: Buffer) => {
      if (failed) return;
      try {
        onBytes(chunk);
      } catch (err) {
        failed = err;
        child.kill();
      }
    });
    child.on('error', (e) =>
      reject(
        (e as NodeJS.ErrnoException).code === 'ENOENT' ? new GitError('git is not installed or not on PATH', 'Install git (2.31 or later) and retry.') : e,
      ),
    );
    child.on('close', (code) => {
      if (failed) reject(failed);
      else if (code !== 0) reject(new GitError(`git ${args[0]} failed: ${stderr.trim() || `exit ${String(code)}`}`, null, code));
      else resolve();
    });
  });
}

// Strings are decoded from git's bytes range by range (Buffer#toString), never sliced out of one
// big decoded string: a slice keeps its whole source alive, and a path or blob SHA kept from a
// 20 MB listing would keep all 20 MB.

/** Byte offsets of the fields of a `--raw` line ":<mode> <mode> <oid> <oid> <status>". */
function rawChange(buf: Buffer, start: number, end: number): { before: string | null; after: string | null; status: string } {
  const sp: number[] = [];
  for (let i = buf.indexOf(0x20, start); i >= 0 && i < end && sp.length < 4; i = buf.indexOf(0x20, i + 1)) sp.push(i);
  if (sp.length < 4) throw new GitError(`unexpected git log output: ${buf.toString('utf8', start, Math.min(end, start + 120))}`);
  const before = buf.toString('latin1', sp[1]! + 1, sp[2]!);
  const after = buf.toString('latin1', sp[2]! + 1, sp[3]!);
  return { before: ZERO.test(before) ? null : before, after: ZERO.test(after) ? null : after, status: String.fromCharCode(buf[sp[3]! + 1]!) };
}

/** Parses one commit's block: "<sha>\0<date>\0" then, per change, "\n"* ":<raw>\0<path>\0". */
function parseBlock(buf: Buffer, into?: RawCommit): RawCommit {
  let p = 0;
  const end = buf.length;
  const token = (): string => {
    const z = buf.indexOf(0, p);
    const stop = z < 0 ? end : z;
    const text = buf.toString('utf8', p, stop);
    p = stop + 1;
    return text;
  };
  const sha = token();
  const date = token();
  const commit = into ?? { sha, committed_at: isoUtc(date), changes: [] };
  while (p < end) {
    while (p < end && buf[p] === 0x0a) p++;
    if (p >= end) break;
    const z = buf.indexOf(0, p);
    const stop = z < 0 ? end : z;
    if (buf[p] !== 0x3a) {
      p = stop + 1;
      continue;
    }
    const change = rawChange(buf, p + 1, stop);
    p = stop + 1;
    const path = token();
    // Only grant and system files are read (a README under grants/ is not a grant).
    const role = roleOf(path);
    if (role === 'grant' || role === 'system') commit.changes.push({ path, status: change.status, before: change.before, after: change.after });
  }
  return commit;
}

/**
 * The period's commits (oldest first) that touched `grants/` or `systems/`, exactly as the
 * binder's printed `git log` selects them, with every changed grant or system file's old and new
 * blob. Parsed as git walks; each commit's block is kept as bytes until it is read.
 */
export async function periodCommits(dir: string, params: ExportParams): Promise<PeriodHistory> {
  const store = new ByteStore();
  const bySha = new Map<string, ListedCommit>();
  const addBlock = (buf: Buffer, start: number, end: number): void => {
    if (start >= end) return;
    const z1 = buf.indexOf(0, start);
    const z2 = z1 < 0 ? -1 : buf.indexOf(0, z1 + 1);
    if (z1 < 0 || z1 >= end || z2 < 0 || z2 >= end) throw new GitError(`unexpected git log output: ${buf.toString('utf8', start, Math.min(end, start + 120))}`);
    if (!touchesAccessFolders(buf, z2 + 1, end)) return;
    const sha = buf.toString('latin1', start, z1);
    const at = store.put(buf, start, end);
    const known = bySha.get(sha);
    if (known) (known.more ??= []).push({ at, length: end - start });
    else bySha.set(sha, { committed_at: isoUtc(buf.toString('utf8', z1 + 1, z2)), at, length: end - start });
  };
  // One walk for both folders, and without a pathspec: with one, git diffs every commit twice
  // (once to select it, once to print its changes), which doubles the cost of the walk. The
  // selection is then this reader's: a commit is kept when a change's path is under grants/ or
  // systems/, in any case (touchesAccessFolders), which is what the printed `git log ... --
  // ':(icase)grants/'` selects. Its changes are split again by each file's role. Each commit's
  // block starts with \x01; a block is stored once the next one has begun.
  const args = gitLogArgs(params, 'grants/');
  const refAt = args.indexOf(params.refSha);
  const withFormat = [...args.slice(0, refAt), '--raw', '--no-abbrev', '-z', '--format=%x01%H%x00%cI%x00', params.refSha];
  // The chunks since the last block began, joined once a later block starts: a commit of many
  // changes (an import of thousands of grants) is copied once, not once per chunk.
  const pending: Buffer[] = [];
  let pendingLength = 0;
  const addBlocks = (buf: Buffer, end: number): void => {
    for (let s = buf.indexOf(1); s >= 0 && s < end; ) {
      const next = buf.indexOf(1, s + 1);
      const stop = next < 0 || next > end ? end : next;
      addBlock(buf, s + 1, stop);
      s = stop < end ? stop : -1;
    }
  };
  await gitStream(dir, withFormat, (chunk) => {
    pending.push(chunk);
    pendingLength += chunk.length;
    const lastInChunk = chunk.lastIndexOf(1);
    if (lastInChunk < 0) return;
    const buf = pending.length === 1 ? chunk : Buffer.concat(pending, pendingLength);
    const last = pendingLength - chunk.length + lastInChunk;
    if (last > 0) addBlocks(buf, last);
    const rest = buf.subarray(last);
    pending.length = 0;
    pending.push(rest);
    pendingLength = rest.length;
  });
  const tail = Buffer.concat(pending, pendingLength);
  addBlocks(tail, tail.length);
  const listed = [...bySha.values()].sort((a, b) => a.committed_at.localeCompare(b.committed_at));
  bySha.clear();
  return {
    length: listed.length,
    commit(i: number): RawCommit {
      const c = listed[i]!;
      const commit = parseBlock(store.get(c.at, c.length));
      for (const m of c.more ?? []) parseBlock(store.get(m.at, m.length), commit);
      return commit;
    },
    release(): void {
      store.release();
      listed.length = 0;
    },
  };
}

/** `git ls-tree -r -z` of a commit (optionally under one folder): every blob with its path. */
async function lsTree(dir: string, commit: string, folder?: string): Promise<{ path: string; oid: string }[]> {
  const out = await git(dir, ['ls-tree', '-r', '-z', '--full-tree', commit, ...(folder ? ['--', folder] : [])]);
  const entries: { path: string; oid: string }[] = [];
  // "<mode> <type> <oid>\t<path>\0"
  for (let p = 0; p < out.length; ) {
    const z = out.indexOf(0, p);
    const end = z < 0 ? out.length : z;
    const tab = out.indexOf(0x09, p);
    if (tab > p && tab < end) {
      const sp1 = out.indexOf(0x20, p);
      const sp2 = out.indexOf(0x20, sp1 + 1);
      if (sp1 > p && sp2 > sp1 && sp2 < tab && out.toString('latin1', sp1 + 1, sp2) === 'blob') {
        entries.push({ path: out.toString('utf8', tab + 1, end), oid: out.toString('latin1', sp2 + 1, tab) });
      }
    }
    p = end + 1;
  }
  return entries;
}

/**
 * Streams the period's commits with file contents, one commit at a time, oldest first. Every
 * blob of the period is asked for ahead (a bounded window), and commits are assembled as the
 * answers arrive. The history is released when the stream ends.
 */
export async function* commitsWithContent(cat: CatFile, history: PeriodHistory): AsyncGenerator<AccessCommit> {
  try {
    yield* commitsOf(cat, history);
  } finally {
    history.release();
  }
}

async function* commitsOf(cat: CatFile, history: PeriodHistory): AsyncGenerator<AccessCommit> {
  // The commits between the reader's requests and the commit handed on, parsed once.
  const ahead: RawCommit[] = [];
  function* blobs(): Generator<{ commit: RawCommit; change: number; side: 'before' | 'after'; oid: string }> {
    for (let ci = 0; ci < history.length; ci++) {
      const c = history.commit(ci);
      ahead.push(c);
      for (let k = 0; k < c.changes.length; k++) {
        const ch = c.changes[k]!;
        if (ch.before) yield { commit: c, change: k, side: 'before', oid: ch.before };
        if (ch.after) yield { commit: c, change: k, side: 'after', oid: ch.after };
      }
    }
  }
  const reader = cat.readAll(blobs(), (w) => w.oid)[Symbol.asyncIterator]();
  let next = await reader.next();
  for (let ci = 0; ci < history.length; ci++) {
    // The requests run ahead of this loop (or have ended), so this commit has been listed.
    const c = ahead.shift();
    if (!c) throw new GitError('the history reader fell out of step with its requests');
    const files: ChangedFile[] = c.changes.map((ch) => ({
      path: ch.path,
      action: ch.status === 'A' ? 'added' : ch.status === 'D' ? 'removed' : 'modified',
      before_blob: ch.before,
      after_blob: ch.after,
      before: null,
      after: null,
    }));
    while (!next.done && next.value.item.commit === c) {
      const { item, content, tooLarge } = next.value;
      if (tooLarge) throw tooLarge.of(`${c.changes[item.change]!.path} (in commit ${c.sha.slice(0, 12)})`);
      if (content === null)
        throw new GitError(
          `blob ${item.oid} of ${c.changes[item.change]!.path} is missing from the clone`,
          'The clone is incomplete (shallow or partial): fetch the full history with git fetch --unshallow.',
        );
      files[item.change]![item.side] = content;
      next = await reader.next();
    }
    yield { sha: c.sha, committed_at: c.committed_at, files };
  }
}

/** The last first-parent commit of `refSha` committed at or before a moment (`YYYY-MM-DDTHH:MM:SSZ`), or null. */
export async function lastCommitAtOrBefore(dir: string, refSha: string, at: string): Promise<string | null> {
  const out = (await git(dir, ['rev-list', '-1', '--first-parent', `--until=${at}`, refSha])).toString('utf8').trim();
  return out || null;
}

/** The grant, system and config files of a commit's tree (path and blob), in git's order. */
export async function treeFiles(dir: string, commit: string): Promise<{ path: string; blob: string }[]> {
  return (await lsTree(dir, commit)).filter((e) => roleOf(e.path) !== 'other').map((e) => ({ path: e.path, blob: e.oid }));
}

/** The files' contents, streamed in the order given. */
export async function* readTreeFiles(cat: CatFile, files: readonly { path: string; blob: string }[]): AsyncGenerator<TreeFile> {
  for await (const { item, content, tooLarge } of cat.readAll(files, (e) => e.blob)) {
    if (tooLarge) throw tooLarge.of(item.path);
    if (content === null)
      throw new GitError(`blob ${item.blob} of ${item.path} is missing from the clone`, 'The clone is incomplete: fetch it again without --filter.');
    yield { path: item.path, blob: item.blob, content };
  }
}

/**
 * Every record at the ledger tip, streamed (one parsed record at a time). A record that cannot be
 * read (not JSON, larger than GitHub stores) comes as null: verification reports why.
 */
export async function* ledgerRecords(dir: string, cat: CatFile, ledgerSha: string): AsyncGenerator<{ path: string; record: SealedRecord | null }> {
  const entries = (await lsTree(dir, ledgerSha, 'records')).filter((e) => isRecordPath(e.path));
  for await (const { item, content } of cat.readAll(entries, (e) => e.oid)) {
    let record: SealedRecord | null = null;
    try {
      record = content ? (JSON.parse(content) as SealedRecord) : null;
    } catch {
      record = null;
    }
    yield { path: item.path, record };
  }
}

/**
 * The web server and `owner/name` of the clone's `origin` remote, on github.com or a GitHub
 * Enterprise Server: `https://github.acme.internal/acme/access.git`, `git@github.acme.internal:acme/access.git`
 * and `ssh://git@github.acme.internal/acme/access` all give `https://github.acme.internal` and `acme/access`.
 */
export async function originRepository(dir: string): Promise<{ serverUrl: string; repository: string } | null> {
  let url: string;
  try {
    url = (await git(dir, ['remote', 'get-url', 'origin'])).toString('utf8').trim();
  } catch {
    return null;
  }
  return parseRemoteUrl(url);
}

export function parseRemoteUrl(url: string): { serverUrl: string; repository: string } | null {
  const path = '([A-Za-z0-9][A-Za-z0-9-]*\\/[A-Za-z0-9._-]+?)(?:\\.git)?\\/?';
  const web = new RegExp(`^(https?)://(?:[^@/]+@)?([A-Za-z0-9][^/:]*(?::\\d+)?)/${path}$`).exec(url);
  if (web) return { serverUrl: `${web[1]}://${web[2]}`, repository: web[3]! };
  const ssh = new RegExp(`^(?:ssh://)?(?:[^@/]+@)?([A-Za-z0-9][^/:]*)(?::\\d+)?[:/]${path}$`).exec(url);
  if (ssh) return { serverUrl: `https://${ssh[1]}`, repository: ssh[2]! };
  return null;
}
