/**
 * A file far over the 1 MiB limit in grants/ (a database dump dropped there by mistake) is a
 * finding at its path, read only as far as one byte past the limit: `validate` ended on Node's
 * "File size (…) is greater than 2 GiB" with exit 2, and a smaller one was read whole into memory.
 * The same holds for a file at the `--changed-since` ref, read from git.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { filesAt } from '../../src/adapters/fs/changed-since.ts';
import { readAccessFile, readRepoFilesSync } from '../../src/adapters/fs/read-repo.ts';
import { MAX_FILE_BYTES } from '../../src/core/model/yaml-file.ts';
import { ROOT, runCli } from './run-cli.ts';

const GIT_ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: 'Test',
  GIT_AUTHOR_EMAIL: 'test@example.com',
  GIT_COMMITTER_NAME: 'Test',
  GIT_COMMITTER_EMAIL: 'test@example.com',
  GIT_CONFIG_GLOBAL: '/dev/null',
};
const git = (dir: string, ...args: string[]) => execFileSync('git', args, { cwd: dir, env: GIT_ENV, encoding: 'utf8' });

const THREE_GIB = 3 * 1024 ** 3;
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'oversized-'));
  cpSync(join(ROOT, 'examples/access-repo'), dir, { recursive: true });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a file over the size limit', () => {
  it('is read only as far as one byte past the limit, with its size', async () => {
    const dump = join(dir, 'grants/dump.yaml');
    writeFileSync(dump, '');
    truncateSync(dump, THREE_GIB); // sparse: no disk space, and no 3 GiB read
    try {
      const one = readAccessFile(dir, 'grants/dump.yaml');
      expect(one.content.length).toBe(MAX_FILE_BYTES + 1);
      expect(one.size).toBe(THREE_GIB);
      for (const files of [await readRepoFilesSync(dir)]) {
        const found = files.find((f) => f.path === 'grants/dump.yaml')!;
        expect([found.content.length, found.size]).toEqual([MAX_FILE_BYTES + 1, THREE_GIB]);
        // Files under the limit are read whole, and come without a size.
        const other = files.find((f) => f.path === 'access-ledger.yaml')!;
        expect(Buffer.from(other.content).equals(readFileSync(join(dir, 'access-ledger.yaml')))).toBe(true);
        expect(other.size).toBeUndefined();
      }
    } finally {
      rmSync(dump);
    }
  });

  it('is a finding of validate at its path, and the other files are judged', () => {
    const dump = join(dir, 'grants/dump.yaml');
    writeFileSync(dump, '');
    truncateSync(dump, THREE_GIB);
    try {
      const r = runCli(['validate', dir, '--today', '2026-11-26', '--format', 'json']);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(1);
      const findings = (JSON.parse(r.stdout) as { findings: { file: string; message: string }[] }).findings;
      expect(findings).toEqual([
        expect.objectContaining({ file: 'grants/dump.yaml', message: `the file is ${THREE_GIB} bytes, over the 1 MiB limit: split it, one identity per file` }),
      ]);
    } finally {
      rmSync(dump);
    }
  });

  it('at the --changed-since ref, is read past by git’s reader, not held, and comes with its size', async () => {
    const repo = mkdtempSync(join(tmpdir(), 'oversized-git-'));
    try {
      cpSync(join(ROOT, 'examples/access-repo'), repo, { recursive: true });
      writeFileSync(join(repo, 'grants/big.yaml'), `# ${'x'.repeat(2 * MAX_FILE_BYTES)}\n`);
      git(repo, 'init', '-q', '-b', 'main');
      git(repo, 'add', '-A');
      git(repo, 'commit', '-q', '-m', 'access repo');
      const files = await filesAt(repo, 'HEAD');
      const big = files.find((f) => f.path === 'grants/big.yaml')!;
      expect([big.content.length, big.size]).toEqual([0, 2 * MAX_FILE_BYTES + 3]);
      const config = files.find((f) => f.path === 'access-ledger.yaml')!;
      expect(Buffer.from(config.content).equals(readFileSync(join(repo, 'access-ledger.yaml')))).toBe(true);
      expect(config.size).toBeUndefined();
      expect(files.map((f) => f.path)).toEqual(
        git(repo, 'ls-files')
          .trim()
          .split('\n')
          .filter((p) => p === 'access-ledger.yaml' || p.startsWith('grants/') || p.startsWith('systems/'))
          .filter((p) => /\.ya?ml$/.test(p)),
      );
    } finally {
      rmSync(repo, { recursive: true, force: true });
    }
  });
});
