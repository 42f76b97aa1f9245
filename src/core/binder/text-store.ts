/**
 * Text kept outside the JavaScript heap: appended to large buffers as UTF-8 and decoded again
 * when read. For data an export holds for a long time but reads one piece at a time (the bulk of
 * the ledger's grant changes, the parsed grants of the as-of tree): V8 lets its heap grow to
 * several times what it holds between collections, so what is held off the heap costs its size
 * once, not several times over. Pure (buffers are memory, not I/O).
 */

/** Where a piece of text is: buffer and offset in one number, and its length in bytes. */
export interface TextRef {
  at: number;
  length: number;
}

const CHUNK_BYTES = 1 << 22;
const SPLIT = 2 ** 32;

export class TextStore {
  private readonly chunks: Buffer[] = [];
  private free = 0;
  private released = false;

  put(text: string): TextRef {
    if (this.released) throw new Error('write to a released text store');
    const length = Buffer.byteLength(text, 'utf8');
    let chunk = this.chunks.at(-1);
    if (!chunk || this.free < length) {
      // allocUnsafeSlow: a buffer of its own (never a slice of a shared pool), so `release` can free it.
      chunk = Buffer.allocUnsafeSlow(Math.max(CHUNK_BYTES, length));
      this.chunks.push(chunk);
      this.free = chunk.length;
    }
    const offset = chunk.length - this.free;
    chunk.write(text, offset, 'utf8');
    this.free -= length;
    return { at: (this.chunks.length - 1) * SPLIT + offset, length };
  }

  get(ref: TextRef): string {
    if (this.released || Math.floor(ref.at / SPLIT) < this.freed) throw new Error('read from a released text store: its text is gone');
    const offset = ref.at % SPLIT;
    return this.chunks[Math.floor(ref.at / SPLIT)]!.toString('utf8', offset, offset + ref.length);
  }

  /** Hands the memory back at once (the garbage collector may not run for a while); the text is gone. */
  release(): void {
    this.releaseBefore(Infinity);
    this.chunks.length = 0;
    this.released = true;
  }

  /**
   * Frees every buffer that holds only text stored before `ref` (for a reader going through the
   * store in order, which needs nothing behind it): reading such text afterwards is an error.
   */
  releaseBefore(ref: TextRef | number): void {
    const upTo = typeof ref === 'number' ? ref : Math.floor(ref.at / SPLIT);
    for (let i = this.freed; i < Math.min(upTo, this.chunks.length); i++) {
      // Each chunk owns its whole ArrayBuffer: detaching it frees the memory.
      (this.chunks[i]!.buffer as ArrayBuffer).transfer(0);
      this.freed = i + 1;
    }
  }

  private freed = 0;
}
