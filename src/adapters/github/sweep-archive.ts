/**
 * Reading a repository archive (`GET /repos/{owner}/{repo}/tarball/{ref}`): one request for every
 * file at a commit, however many there are. The sweep uses it when the repo is too large for a
 * recursive tree listing (GitHub truncates those past 100,000 entries or 7 MB) or has more files
 * than a handful of batched blob reads would cover.
 */
import { gunzipSync } from 'node:zlib';

export interface ArchiveFile {
  /** Repo-relative path (the archive's `<owner>-<repo>-<sha>/` prefix removed). */
  path: string;
  content: Buffer;
}

function field(block: Buffer, start: number, length: number): string {
  const raw = block.subarray(start, start + length);
  const nul = raw.indexOf(0);
  return raw.subarray(0, nul < 0 ? raw.length : nul).toString('utf8');
}

function octal(block: Buffer, start: number, length: number): number {
  const s = field(block, start, length).trim();
  if (s === '') return 0;
  if (!/^[0-7]+$/.test(s)) throw new Error(`corrupt archive: bad number field ${JSON.stringify(s)}`);
  return parseInt(s, 8);
}

/** PAX extended header records: `<len> <key>=<value>\n`. */
function paxRecords(data: Buffer): Map<string, string> {
  const out = new Map<string, string>();
  let i = 0;
  while (i < data.length) {
    const space = data.indexOf(0x20, i);
    if (space < 0) break;
    const len = Number(data.subarray(i, space).toString('ascii'));
    if (!Number.isSafeInteger(len) || len <= 0) break;
    const record = data.subarray(space + 1, i + len - 1).toString('utf8');
    const eq = record.indexOf('=');
    if (eq > 0) out.set(record.slice(0, eq), record.slice(eq + 1));
    i += len;
  }
  return out;
}

/**
 * The regular files of a gzipped tar archive as GitHub serves it (ustar with PAX headers; the
 * global header carries the commit id). `wanted` filters by repo-relative path before copying.
 */
export function readTarball(gz: Uint8Array, wanted: (path: string) => boolean = () => true): ArchiveFile[] {
  const tar = gunzipSync(gz);
  const files: ArchiveFile[] = [];
  let offset = 0;
  let longName: string | undefined;
  while (offset + 512 <= tar.length) {
    const block = tar.subarray(offset, offset + 512);
    if (block.every((b) => b === 0)) break;
    const size = octal(block, 124, 12);
    const type = String.fromCharCode(block[156] ?? 0x30);
    const dataStart = offset + 512;
    const data = tar.subarray(dataStart, dataStart + size);
    if (data.length < size) throw new Error('corrupt archive: truncated entry');
    offset = dataStart + Math.ceil(size / 512) * 512;
    if (type === 'x') {
      longName = paxRecords(data).get('path') ?? longName;
      continue;
    }
    if (type === 'L') {
      longName = data.toString('utf8').replace(/\0+$/, '');
      continue;
    }
    if (type === 'g') continue; // global header: the commit comment
    const prefix = field(block, 345, 155);
    const name = longName ?? (prefix ? `${prefix}/${field(block, 0, 100)}` : field(block, 0, 100));
    longName = undefined;
    if (type !== '0' && type !== '\0') continue; // directories, symlinks, ...
    const slash = name.indexOf('/');
    const path = slash < 0 ? name : name.slice(slash + 1);
    if (path && wanted(path)) files.push({ path, content: Buffer.from(data) });
  }
  return files;
}
