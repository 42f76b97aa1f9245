/**
 * Reading a repository archive (`GET /repos/{owner}/{repo}/tarball/{ref}`): one request for every
 * file at a commit, however many there are. The sweep uses it because a recursive tree listing is
 * truncated past 100,000 entries or 7 MB, exactly where an access repo is large.
 *
 * The archive is read as a stream, entry by entry (Node's gunzip, tar-stream's parser): neither
 * the compressed download nor the inflated tar is ever held whole, only the files asked for, one
 * at a time, and of a file over the size limit only its first bytes.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { createGunzip } from 'node:zlib';
import { extract as tarExtract } from 'tar-stream';

export interface ArchiveFile {
  /** Repo-relative path (the archive's `<owner>-<repo>-<sha>/` prefix removed). */
  path: string;
  /** The file's bytes; only the first `keepBytes` + 1 of a larger file. */
  content: Buffer;
  /** The file's size in bytes. */
  size: number;
  /** Git's blob id of the whole file (computed as it streams past, so it is exact even when the content was cut). */
  blobSha: string;
}

export interface ReadArchiveOptions {
  /** Which repo-relative paths to read; the others stream past unread. */
  wanted?: (path: string) => boolean;
  /** Bytes kept of a file; a larger one keeps one byte more, enough to be reported as too large. */
  keepBytes?: number;
}

export type ArchiveSource = WebReadableStream<Uint8Array> | ReadableStream<Uint8Array> | Uint8Array | AsyncIterable<Uint8Array>;

/** A failure of the caller's `onFile`, passed on as it is. */
class Consumer {
  readonly cause: unknown;
  constructor(cause: unknown) {
    this.cause = cause;
  }
}

function toReadable(source: ArchiveSource): Readable {
  if (source instanceof Uint8Array) return Readable.from([source]);
  if (typeof (source as { getReader?: unknown }).getReader === 'function') return Readable.fromWeb(source as WebReadableStream<Uint8Array>);
  return Readable.from(source as AsyncIterable<Uint8Array>);
}

/**
 * The regular files of a gzipped tar archive as GitHub serves it (ustar with PAX headers; the
 * global header carries the commit id), handed to `onFile` one by one as they stream past.
 * Rejects on a corrupt or truncated archive, naming what was wrong. Resolves only once the
 * download has ended (the tar parser's entries end with its input), so a download read whole is
 * never left open (sweep.ts: ownedBody).
 */
export async function readArchive(
  source: ArchiveSource,
  onFile: (file: ArchiveFile) => void | Promise<void>,
  options: ReadArchiveOptions = {},
): Promise<number> {
  const wanted = options.wanted ?? (() => true);
  const keep = options.keepBytes ?? Infinity;
  const input = toReadable(source);
  const gunzip = createGunzip();
  const extract = tarExtract();
  const fail = (what: string) => (err: Error) => extract.destroy(new Error(`${what}: ${err.message}`));
  input.on('error', fail('the archive download failed'));
  gunzip.on('error', fail('the archive is not a valid gzip stream'));
  input.pipe(gunzip).pipe(extract);
  let files = 0;
  try {
    for await (const entry of extract) {
      const { name, type, size = 0 } = entry.header;
      const slash = name.indexOf('/');
      const path = slash < 0 ? '' : name.slice(slash + 1);
      if (type !== 'file' && type !== 'contiguous-file') {
        entry.resume();
        continue;
      }
      if (!path || !wanted(path)) {
        entry.resume();
        continue;
      }
      const hash = createHash('sha1').update(`blob ${size}\0`);
      const chunks: Buffer[] = [];
      let kept = 0;
      for await (const chunk of entry as AsyncIterable<Buffer>) {
        hash.update(chunk);
        if (kept <= keep) {
          const part = kept + chunk.length > keep + 1 ? chunk.subarray(0, keep + 1 - kept) : chunk;
          chunks.push(part);
          kept += part.length;
        }
      }
      files++;
      // A copy: the chunks are views into the inflated stream's larger buffers.
      const file = { path, content: Buffer.concat(chunks), size, blobSha: hash.digest('hex') };
      try {
        await onFile(file);
      } catch (err) {
        throw new Consumer(err);
      }
    }
  } catch (err) {
    input.destroy();
    gunzip.destroy();
    extract.destroy();
    if (err instanceof Consumer) throw err.cause;
    const message = err instanceof Error ? err.message : String(err);
    throw new Error(/^the archive/.test(message) ? message : `the archive is not a valid tar stream: ${message}`);
  }
  return files;
}
