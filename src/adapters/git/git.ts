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
  content: Buffer;
}

/**
 * Streams objects through one `git cat-file --batch` process, in the order asked: one process for
 * the whole ledger instead of one per record. Requests are written while answers are read, so
 * neither pipe fills up and blocks the other.
 */
export async function* catFileBatch(dir: string, oids: Iterable<string> | AsyncIterable<string>): AsyncGenerator<GitObjectContent> {
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

  let buf: Buffer = Buffer.alloc(0);
  try {
    for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
      buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
      for (;;) {
        const nl = buf.indexOf(0x0a);
        if (nl < 0) break;
        const header = buf.subarray(0, nl).toString('utf8');
        const parts = header.split(' ');
        if (parts[1] === 'missing')
          throw new GitError(`git object ${parts[0]} is missing from the clone`, 'Fetch the ledger branch again; the clone may be shallow or incomplete.');
        const size = Number(parts[2]);
        if (parts.length !== 3 || !Number.isSafeInteger(size)) throw new GitError(`unexpected git cat-file output: ${header.slice(0, 200)}`);
        if (buf.length < nl + 1 + size + 1) break;
        // A view, not a copy: callers decode, hash or copy it before asking for the next object.
        const content = buf.subarray(nl + 1, nl + 1 + size);
        buf = buf.subarray(nl + 1 + size + 1);
        yield { oid: parts[0]!, type: parts[1]!, content };
      }
    }
    await writer;
    const code = await exited;
    if (code !== 0) throw new GitError(`git cat-file failed: ${stderr.trim() || `exit ${String(code)}`}`, hintFor(stderr));
    if (buf.length > 0) throw new GitError('git cat-file output ended in the middle of an object');
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
  let rest: Buffer = Buffer.alloc(0);
  try {
    for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
      const buf = rest.length === 0 ? chunk : Buffer.concat([rest, chunk]);
      let at = 0;
      for (let z = buf.indexOf(0, at); z >= 0; z = buf.indexOf(0, at)) {
        yield buf.toString('utf8', at, z);
        at = z + 1;
      }
      rest = buf.subarray(at);
    }
    const code = await exited;
    if (code !== 0) throw new GitError(`git ${args[0]} failed: ${stderr.trim() || `exit ${String(code)}`}`, hintFor(stderr), code);
    if (rest.length > 0) yield rest.toString('utf8');
  } finally {
    if (child.exitCode === null) child.kill();
  }
}
