/**
 * Running the `git` binary on a local clone: argument vectors only (execFile / spawn, never a
 * shell), so a branch or path name can never be interpreted as a command.
 */
import { execFile, spawn } from 'node:child_process';

/** A git command failed; `hint` says what the user can do about it, when we know. */
export class GitError extends Error {
  override name = 'GitError';
  readonly hint: string | null;
  readonly exitCode: number | null;

  constructor(message: string, hint: string | null = null, exitCode: number | null = null) {
    super(message);
    this.hint = hint;
    this.exitCode = exitCode;
  }
}

/**
 * The largest object read as text: GitHub stores no file over 100 MiB, so nothing the App or a
 * pull request wrote is larger. A larger object (planted on a branch by hand) is reported, never
 * decoded: past about 512 MiB a JavaScript string cannot hold it at all.
 */
export const MAX_TEXT_BYTES = 100 * 1024 * 1024;

// Plumbing output is read as bytes; 1 GiB covers the history listing of a ledger of millions of
// records (about 350 bytes per record) without letting a runaway process eat all memory.
const MAX_BUFFER = 1 << 30;

/** Runs `git -C dir ...args`, feeding `input` on stdin; resolves with stdout bytes. */
export function git(dir: string, args: readonly string[], input?: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      'git',
      ['-C', dir, ...args],
      { encoding: 'buffer', maxBuffer: MAX_BUFFER, env: gitEnv(), windowsHide: true },
      (err, stdout, stderr) => {
        if (err) {
          const code = typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : null;
          if ((err as { code?: unknown }).code === 'ENOENT') {
            reject(new GitError('git is not installed or not on PATH', 'Install git (2.31 or later) and retry.'));
            return;
          }
          const text = stderr.toString('utf8').trim() || err.message;
          reject(new GitError(`git ${args[0]} failed: ${text}`, hintFor(text), code));
          return;
        }
        resolve(stdout);
      },
    );
    if (input !== undefined) {
      child.stdin?.on('error', () => undefined); // an early exit is reported by the callback
      child.stdin?.end(input);
    }
  });
}

function gitEnv(): NodeJS.ProcessEnv {
  // Stable, untranslated messages; never prompt for credentials (nothing here needs the network).
  return { ...process.env, LC_ALL: 'C', GIT_TERMINAL_PROMPT: '0' };
}

function hintFor(stderr: string): string | null {
  if (/not a git repository/i.test(stderr)) return 'Point --repo at a clone of the access repo.';
  if (/dubious ownership/i.test(stderr)) return 'Mark the clone as safe: git config --global --add safe.directory <dir>.';
  if (/cannot change to/i.test(stderr)) return 'The --repo directory does not exist.';
  return null;
}

export interface GitObjectContent {
  oid: string;
  type: string;
  /** The object's size in bytes. */
  size: number;
  /** Its bytes; empty for an object over the reader's `maxBytes`, which is read past, never held. */
  content: Buffer;
}

const NOT_READ = Buffer.alloc(0);

/**
 * Streams objects through one `git cat-file --batch` process, in the order asked: one process for
 * the whole ledger instead of one per record. Requests are written while answers are read, so
 * neither pipe fills up and blocks the other.
 */
export async function* catFileBatch(
  dir: string,
  oids: Iterable<string> | AsyncIterable<string>,
  options: { maxBytes?: number } = {},
): AsyncGenerator<GitObjectContent> {
  const maxBytes = options.maxBytes ?? Number.POSITIVE_INFINITY;
  const child = spawn('git', ['-C', dir, 'cat-file', '--batch'], { stdio: ['pipe', 'pipe', 'pipe'], env: gitEnv(), windowsHide: true });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d: string) => (stderr += d));
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on('error', (err) => reject((err as { code?: string }).code === 'ENOENT' ? new GitError('git is not installed or not on PATH') : err));
    child.on('close', (code) => resolve(code));
  });
  exited.catch(() => undefined);

  // The ids may still be coming (a history being listed as it is read): the input ends when they
  // do, or when producing them fails (which `await writer` below then reports).
  const writer = (async () => {
    try {
      for await (const oid of oids) {
        // Once git is gone (killed when the reader stopped early), the ids are not wanted: leaving
        // the loop closes their source too (a `git log` listing them is stopped in turn).
        if (child.exitCode !== null || child.signalCode !== null) break;
        if (!child.stdin.write(`${oid}\n`)) {
          // Whichever comes first; the other listener goes too, or one would pile up per full pipe.
          await new Promise<void>((resolve) => {
            const go = () => {
              child.stdin.off('drain', go);
              child.off('close', go);
              resolve();
            };
            child.stdin.once('drain', go);
            child.once('close', go);
          });
        }
      }
    } finally {
      child.stdin.end();
    }
  })();
  writer.catch(() => undefined);

  // The pipe's chunks not yet parsed, joined only once they hold what the next step needs (a
  // header line, then the whole object): an object of many chunks is copied once, not once per
  // chunk (joining at every chunk made a 200 MB stored export cost minutes).
  const pending: Buffer[] = [];
  let buffered = 0;
  let need = 1;
  // Bytes still to drop of an object over maxBytes.
  let skip = 0;
  try {
    for await (let chunk of child.stdout as AsyncIterable<Buffer>) {
      if (skip > 0) {
        const dropped = Math.min(skip, chunk.length);
        skip -= dropped;
        chunk = chunk.subarray(dropped);
        if (chunk.length === 0) continue;
      }
      pending.push(chunk);
      buffered += chunk.length;
      if (buffered < need) continue;
      let buf = pending.length === 1 ? pending[0]! : Buffer.concat(pending, buffered);
      pending.length = 0;
      for (;;) {
        const nl = buf.indexOf(0x0a);
        if (nl < 0) {
          need = buf.length + 1;
          break;
        }
        const header = buf.subarray(0, nl).toString('utf8');
        const fields = header.split(' ');
        if (fields[1] === 'missing')
          throw new GitError(`git object ${fields[0]} is missing from the clone`, 'Fetch the ledger branch again; the clone may be shallow or incomplete.');
        const size = Number(fields[2]);
        if (fields.length !== 3 || !Number.isSafeInteger(size)) throw new GitError(`unexpected git cat-file output: ${header.slice(0, 200)}`);
        const end = nl + 1 + size + 1;
        if (size > maxBytes) {
          yield { oid: fields[0]!, type: fields[1]!, size, content: NOT_READ };
          if (buf.length >= end) {
            buf = buf.subarray(end);
            continue;
          }
          skip = end - buf.length;
          buf = NOT_READ;
          need = 1;
          break;
        }
        if (buf.length < end) {
          need = end;
          break;
        }
        // A view, not a copy: callers decode, hash or copy it before asking for the next object.
        const content = buf.subarray(nl + 1, nl + 1 + size);
        buf = buf.subarray(end);
        yield { oid: fields[0]!, type: fields[1]!, size, content };
      }
      if (buf.length > 0) pending.push(buf);
      buffered = buf.length;
    }
    await writer;
    const code = await exited;
    if (code !== 0) throw new GitError(`git cat-file failed: ${stderr.trim() || `exit ${String(code)}`}`, hintFor(stderr));
    if (buffered > 0 || skip > 0) throw new GitError('git cat-file output ended in the middle of an object');
  } finally {
    if (child.exitCode === null) child.kill();
  }
}

/**
 * The NUL-terminated fields of a git command's `-z` output, as they stream: a history of any
 * length is read with the memory of one chunk, and parsed while git is still producing it.
 */
export async function* gitFields(dir: string, args: readonly string[]): AsyncGenerator<string> {
  const child = spawn('git', ['-C', dir, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: gitEnv(), windowsHide: true });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d: string) => (stderr += d));
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on('error', (err) =>
      reject(
        (err as { code?: string }).code === 'ENOENT' ? new GitError('git is not installed or not on PATH', 'Install git (2.31 or later) and retry.') : err,
      ),
    );
    child.on('close', (code) => resolve(code));
  });
  exited.catch(() => undefined);
  // The start of a field that the chunks cut, joined once its NUL arrives (a field of many chunks
  // is copied once, not once per chunk).
  const rest: Buffer[] = [];
  try {
    for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
      let z = chunk.indexOf(0);
      if (z < 0) {
        rest.push(chunk);
        continue;
      }
      let at = 0;
      if (rest.length > 0) {
        rest.push(chunk.subarray(0, z));
        yield Buffer.concat(rest).toString('utf8');
        rest.length = 0;
        at = z + 1;
        z = chunk.indexOf(0, at);
      }
      for (; z >= 0; z = chunk.indexOf(0, at)) {
        yield chunk.toString('utf8', at, z);
        at = z + 1;
      }
      if (at < chunk.length) rest.push(chunk.subarray(at));
    }
    const code = await exited;
    if (code !== 0) throw new GitError(`git ${args[0]} failed: ${stderr.trim() || `exit ${String(code)}`}`, hintFor(stderr), code);
    if (rest.length > 0) yield Buffer.concat(rest).toString('utf8');
  } finally {
    if (child.exitCode === null) child.kill();
  }
}
