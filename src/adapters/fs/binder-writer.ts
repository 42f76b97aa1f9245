/**
 * The binder's files on disk, as the export use case's writer (src/core/binder/export.ts): a
 * staging directory that each file is written to as it is made, hashed on the way for the
 * manifest, with scratch files for the populations' rows until their JSON files and pages are
 * written. `access-ledger export` moves the directory into place once the binder is whole.
 */
import { createHash, type Hash } from 'node:crypto';
import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { populationCsvPath, populationJsonPath, type ManifestEntry } from '../../core/binder/binder.ts';
import type { BinderWriter } from '../../core/binder/export.ts';
import type { HtmlPiece } from '../../core/binder/html.ts';
import { JSON_ROW_INDENT, type PopulationOutput, type TextSink } from '../../core/binder/population-sink.ts';
import type { Population, Row } from '../../core/binder/types.ts';

/**
 * What one export writes through: text is encoded into `encoded` before it is hashed and written,
 * and files are read back through `readBack`. A fresh buffer per piece would be hundreds of
 * megabytes of short-lived allocations outside the JavaScript heap, which the allocator does not
 * hand back promptly.
 */
class Scratch {
  static readonly BYTES = 1 << 18;
  private readonly encoded = Buffer.allocUnsafe(Scratch.BYTES);
  readonly readBack = Buffer.allocUnsafe(Scratch.BYTES);

  /** UTF-8 of `text`, in the encoding buffer when it fits (valid until the next call). */
  encode(text: string): Buffer {
    if (text.length * 3 <= Scratch.BYTES) return this.encoded.subarray(0, this.encoded.write(text, 0, 'utf8'));
    const bytes = Buffer.byteLength(text, 'utf8');
    return bytes <= Scratch.BYTES ? this.encoded.subarray(0, this.encoded.write(text, 0, 'utf8')) : Buffer.from(text, 'utf8');
  }
}

/**
 * A file written as it is produced, hashed on the way (when it belongs in the manifest). Writes
 * are synchronous: each piece goes to the page cache before the next row is built, so nothing
 * queues in memory however fast the rows come.
 */
class OutFile implements TextSink {
  private fd: number | null;
  private readonly hash: Hash | null;
  private bytes = 0;

  private readonly scratch: Scratch;
  private readonly onFinish: (result: { sha256: string; bytes: number }) => void;

  constructor(path: string, hashed: boolean, scratch: Scratch, onFinish: (result: { sha256: string; bytes: number }) => void) {
    this.fd = openSync(path, 'w');
    this.scratch = scratch;
    this.onFinish = onFinish;
    this.hash = hashed ? createHash('sha256') : null;
  }

  write(text: string | Uint8Array): void {
    if (this.fd === null) throw new Error('write to a closed binder file');
    const buf = typeof text === 'string' ? this.scratch.encode(text) : text;
    this.hash?.update(buf);
    for (let off = 0; off < buf.length; ) off += writeSync(this.fd, buf, off);
    this.bytes += buf.length;
  }

  /** Closes the file and reports its hash and size. */
  finish(): void {
    if (this.fd === null) throw new Error('a binder file was finished twice');
    closeSync(this.fd);
    this.fd = null;
    this.onFinish({ sha256: this.hash ? this.hash.digest('hex') : '', bytes: this.bytes });
  }

  /** Closes without a result (after a failure). */
  abandon(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}

/** Where the populations' rows wait (inside the staging directory) until their files are written. */
export const SCRATCH = '.rows';

/**
 * The binder's staging directory, as the export's writer: every file written there, the manifest
 * entry of each, and the scratch files each population's rows go to while they are made (its JSON
 * rows and the rows its page embeds), copied into place once the population is complete.
 */
export class BinderDir implements BinderWriter {
  readonly root: string;
  private readonly entries = new Map<string, ManifestEntry>();
  private readonly open = new Set<OutFile>();
  private readonly streams: OutFile[] = [];
  private readonly scratch = new Scratch();

  constructor(root: string) {
    this.root = root;
  }

  /** A file of the binder (hashed into the manifest) or, `hashed` false, a scratch file. */
  private create(path: string, hashed = true): OutFile {
    const file: OutFile = new OutFile(join(this.root, path), hashed, this.scratch, ({ sha256, bytes }) => {
      this.open.delete(file);
      if (hashed) this.entries.set(path, { path, sha256, bytes });
    });
    this.open.add(file);
    return file;
  }

  /** The population's CSV (final, hashed), and scratch files of its JSON rows and of the rows its page embeds. */
  population(id: string): PopulationOutput {
    const out = {
      csv: this.create(populationCsvPath(id)),
      json: this.create(`${SCRATCH}/${id}.json`, false),
      html: this.create(`${SCRATCH}/${id}.html`, false),
    };
    this.streams.push(out.csv, out.json, out.html);
    return out;
  }

  rowsDone(): void {
    for (const f of this.streams) f.finish();
    this.streams.length = 0;
  }

  file(path: string, content: Iterable<string>): void {
    const file = this.create(path);
    for (const piece of content) file.write(piece);
    file.finish();
  }

  /** A page: its text, with each table's rows copied from where the population put them. */
  page(path: string, content: Iterable<HtmlPiece>): void {
    const file = this.create(path);
    for (const piece of content) {
      if (typeof piece === 'string') file.write(piece);
      else this.copyInto(file, join(this.root, SCRATCH, `${piece.rowsOf}.html`));
    }
    file.finish();
  }

  /** Entries in the given order; every path must have been written. */
  manifest(paths: readonly string[]): ManifestEntry[] {
    return paths.map((p) => {
      const e = this.entries.get(p);
      if (!e) throw new Error(`binder file ${p} was not written`);
      return e;
    });
  }

  /** Appends a file's bytes to a binder file (through the read-back buffer). */
  private copyInto(out: OutFile, path: string): void {
    const buf = this.scratch.readBack;
    const fd = openSync(path, 'r');
    try {
      for (let n = readSync(fd, buf, 0, buf.length, null); n > 0; n = readSync(fd, buf, 0, buf.length, null)) out.write(buf.subarray(0, n));
    } finally {
      closeSync(fd);
    }
  }

  /**
   * Writes populations/<id>.json: the frame around the rows, and the rows copied from the scratch
   * file the population's sink wrote while the rows were built (the row count comes before the
   * rows, so the file is only written once they are all known). On the way, the sampled rows are
   * picked out by line (one row per line) and parsed back; they come back in the order asked.
   */
  populationJson(pop: Population, frame: { before: string; after: string }, rows: readonly number[]): Row[] {
    const out = this.create(populationJsonPath(pop.id));
    out.write(frame.before);
    // Row index → its position in the order asked.
    const wanted = new Map<number, number>(rows.map((row, draw) => [row, draw]));
    const picked: Row[] = new Array<Row>(rows.length);
    let remaining = wanted.size;
    const fd = openSync(join(this.root, SCRATCH, `${pop.id}.json`), 'r');
    try {
      const buf = this.scratch.readBack;
      let line = 0;
      let parts: Buffer[] | null = wanted.has(0) ? [] : null;
      const take = (): void => {
        const text = Buffer.concat(parts!).toString('utf8');
        // "    {…}," or, for the last row, "    {…}".
        picked[wanted.get(line)!] = JSON.parse(text.slice(JSON_ROW_INDENT.length, text.endsWith(',') ? -1 : undefined)) as Row;
        remaining--;
      };
      for (;;) {
        const n = readSync(fd, buf, 0, buf.length, null);
        if (n === 0) break;
        const chunk = buf.subarray(0, n);
        out.write(chunk);
        if (remaining === 0) continue;
        let start = 0;
        for (;;) {
          const nl = chunk.indexOf(0x0a, start);
          if (parts) parts.push(Buffer.from(chunk.subarray(start, nl < 0 ? n : nl)));
          if (nl < 0) break;
          if (parts) take();
          line++;
          parts = wanted.has(line) ? [] : null;
          start = nl + 1;
        }
      }
      if (parts && pop.rowCount > 0) take();
    } finally {
      closeSync(fd);
    }
    out.write(frame.after);
    out.finish();
    for (let i = 0; i < picked.length; i++) if (!picked[i]) throw new Error(`row ${rows[i]! + 1} of ${pop.id} could not be read back`);
    return picked;
  }

  abandonAll(): void {
    for (const f of this.open) f.abandon();
    this.open.clear();
  }
}
