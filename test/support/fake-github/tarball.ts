/** A minimal ustar writer, enough for the repository archives codeload serves (files, dirs, symlinks). */

export interface TarEntry {
  path: string;
  type: 'file' | 'dir';
  /** Git mode: 100644, 100755, 120000 (symlink: content is the target), 040000. */
  mode: string;
  content: Buffer;
}

function octal(n: number, width: number): string {
  return `${n.toString(8).padStart(width - 1, '0')}\0`;
}

function splitName(path: string): { name: string; prefix: string } {
  if (Buffer.byteLength(path) <= 100) return { name: path, prefix: '' };
  for (let i = path.lastIndexOf('/'); i > 0; i = path.lastIndexOf('/', i - 1)) {
    const prefix = path.slice(0, i);
    const name = path.slice(i + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(name) <= 100) return { name, prefix };
  }
  throw new Error(`path too long for ustar: ${path}`);
}

function header(e: TarEntry, mtime: number): Buffer {
  const h = Buffer.alloc(512);
  const symlink = e.mode === '120000';
  const { name, prefix } = splitName(e.type === 'dir' ? `${e.path}/` : e.path);
  h.write(name, 0, 100);
  h.write(octal(e.type === 'dir' ? 0o755 : e.mode === '100755' ? 0o755 : 0o644, 8), 100);
  h.write(octal(0, 8), 108);
  h.write(octal(0, 8), 116);
  h.write(octal(e.type === 'file' && !symlink ? e.content.length : 0, 12), 124);
  h.write(octal(mtime, 12), 136);
  h.write('        ', 148);
  h.write(e.type === 'dir' ? '5' : symlink ? '2' : '0', 156);
  if (symlink) h.write(e.content.toString('utf8'), 157, 100);
  h.write('ustar\0', 257);
  h.write('00', 263);
  h.write(prefix, 345, 155);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  return h;
}

export function tar(entries: TarEntry[], mtime: number): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    parts.push(header(e, mtime));
    if (e.type === 'file' && e.mode !== '120000' && e.content.length) {
      parts.push(e.content, Buffer.alloc((512 - (e.content.length % 512)) % 512));
    }
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}
