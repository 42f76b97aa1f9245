// catFileBatch, the one `git cat-file --batch` verify and export read every record through:
// asked for more than a pipe holds while its answers are read slowly, it waits for the pipe as
// often as it must without piling up listeners (Node warns of a leak past ten, on the user's
// terminal), and answers every object in the order asked.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { catFileBatch } from '../../src/adapters/git/git.ts';
import { GIT_ENV } from './git-fixture.ts';

const dir = mkdtempSync(join(tmpdir(), 'cat-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('catFileBatch', () => {
  it('waits on a full pipe again and again without a listener leak, answering in order', async () => {
    execFileSync('git', ['init', '-q', dir], { env: GIT_ENV });
    const files = Array.from({ length: 50 }, (_, i) => {
      const path = join(dir, `blob-${i}.txt`);
      writeFileSync(path, `object ${i}\n${'x'.repeat(200 * (i + 1))}\n`);
      return path;
    });
    const oids = execFileSync('git', ['-C', dir, 'hash-object', '-w', '--stdin-paths'], { input: files.join('\n'), env: GIT_ENV, encoding: 'utf8' })
      .trim()
      .split('\n');
    // 20,000 requests (about 800 KB of ids) for about 100 MB of answers, read slowly: git stops
    // reading ids while its answers wait, so the writer finds the pipe full many times over.
    const asked = Array.from({ length: 20_000 }, (_, i) => oids[i % oids.length]!);
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    try {
      let n = 0;
      for await (const obj of catFileBatch(dir, asked)) {
        expect(obj.oid).toBe(asked[n]);
        expect(obj.content.subarray(0, 7).toString()).toBe('object ');
        n++;
        if (n % 500 === 0) await new Promise((resolve) => setTimeout(resolve, 5));
      }
      expect(n).toBe(asked.length);
      // Warnings are emitted on the next tick.
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings.map((w) => w.name)).not.toContain('MaxListenersExceededWarning');
  }, 60_000);
});
