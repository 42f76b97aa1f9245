/**
 * The repository archive is read as a stream: the files asked for, with git's blob ids, a file
 * past the size limit cut (and still reported with its size), and a corrupt or truncated archive
 * refused with a message; the sweep's worker turns such an archive into a sweep that fails saying
 * which repository and commit, and the pool is free for the next one.
 */
import { execFileSync } from 'node:child_process';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { readArchive, type ArchiveFile } from '../../src/adapters/github/sweep-archive.ts';
import { BranchSession } from '../../src/adapters/github/branch-session.ts';
import { ownedBody, runSweep } from '../../src/adapters/github/sweep.ts';
import { loadBuiltinPacks } from '../../src/adapters/fs/packs.ts';
import { MAX_FILE_BYTES } from '../../src/core/model/yaml-file.ts';
import { tar } from '../support/fake-github/tarball.ts';
import { exampleFiles } from './helpers.ts';

const ROOT = 'acme-access-0123456';
function archive(files: Record<string, string | Buffer>): Buffer {
  const entries = [
    { path: ROOT, type: 'dir' as const, mode: '040000', content: Buffer.alloc(0) },
    ...Object.entries(files).map(([path, content]) => ({ path: `${ROOT}/${path}`, type: 'file' as const, mode: '100644', content: Buffer.from(content) })),
  ];
  return gzipSync(tar(entries, 1_800_000_000));
}
const gitBlob = (content: Buffer) => execFileSync('git', ['hash-object', '--stdin'], { input: content, encoding: 'utf8' }).trim();

async function read(gz: Uint8Array | ReadableStream<Uint8Array>, keepBytes?: number): Promise<ArchiveFile[]> {
  const out: ArchiveFile[] = [];
  await readArchive(gz, (f) => void out.push(f), { wanted: (p) => p.endsWith('.yaml'), ...(keepBytes ? { keepBytes } : {}) });
  return out;
}

describe('reading the archive as a stream', () => {
  it('gives the files asked for, with their paths under the repo and git blob ids', async () => {
    const files = { 'access-ledger.yaml': 'version: 1\n', 'grants/a.yaml': 'identity: {}\n', 'README.md': '# no\n', 'systems/db.yaml': 'id: db\n' };
    const got = await read(archive(files));
    expect(got.map((f) => f.path).sort()).toEqual(['access-ledger.yaml', 'grants/a.yaml', 'systems/db.yaml']);
    for (const f of got) {
      expect(f.content.toString()).toBe(files[f.path as keyof typeof files]);
      expect(f.blobSha).toBe(gitBlob(Buffer.from(files[f.path as keyof typeof files])));
    }
  });

  it('reads a web stream chunk by chunk as it would arrive from the network', async () => {
    const gz = archive({ 'grants/a.yaml': 'x: 1\n'.repeat(5000), 'grants/b.yaml': 'y: 2\n' });
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        for (let i = 0; i < gz.length; i += 7) c.enqueue(gz.subarray(i, i + 7));
        c.close();
      },
    });
    const got = await read(stream);
    expect(got.map((f) => [f.path, f.size])).toEqual([
      ['grants/a.yaml', 25_000],
      ['grants/b.yaml', 5],
    ]);
  });

  it('fails when the download breaks after the last file, past the end of the tar', async () => {
    const gz = archive({ 'grants/a.yaml': 'x: 1\n' });
    let pulls = 0;
    const stream = new ReadableStream<Uint8Array>({
      async pull(c) {
        if (pulls++ === 0) c.enqueue(gz);
        else {
          // Every file has been read by now; the connection then resets.
          await new Promise((resolve) => setTimeout(resolve, 50));
          c.error(new Error('connection reset'));
        }
      },
    });
    await expect(read(stream)).rejects.toThrow(/^the archive download failed: connection reset/);
  });

  it('keeps only the start of a file past the limit, with its true size and blob id', async () => {
    const big = Buffer.alloc(MAX_FILE_BYTES + 5000, 'a');
    const [f] = await read(archive({ 'grants/big.yaml': big }), MAX_FILE_BYTES);
    expect(f!.size).toBe(big.length);
    expect(f!.content.length).toBe(MAX_FILE_BYTES + 1);
    expect(f!.blobSha).toBe(gitBlob(big));
  });

  it.each([
    ['truncated', (gz: Buffer) => gz.subarray(0, gz.length - 40), /not a valid gzip stream: unexpected end of file/],
    ['not gzip', () => Buffer.from('<html>rate limited</html>'), /not a valid gzip stream/],
    ['gzip of something other than tar', () => gzipSync(Buffer.alloc(2048, 'z')), /not a valid tar stream/],
  ])('refuses a %s archive with a message', async (_name, damage, message) => {
    await expect(read(damage(archive({ 'grants/a.yaml': 'a: 1\n'.repeat(100) })))).rejects.toThrow(message);
  });
});

describe('the worker session', () => {
  it('parses the branch in the worker, a file past the limit counted without being read whole', async () => {
    const files: Record<string, string | Buffer> = { ...exampleFiles(), 'grants/people/huge.yaml': Buffer.alloc(MAX_FILE_BYTES + 10, 'a') };
    const session = await BranchSession.open(archive(files));
    try {
      expect(session.summary.config?.data?.organization).toBe('acme');
      expect(session.summary.grants).toBe(Object.keys(files).filter((p) => p.startsWith('grants/')).length);
      expect(session.summary.logins).toContain('tkim');
    } finally {
      expect(await session.close()).toEqual({ files: Object.keys(files).filter((p) => p.endsWith('.yaml')).length });
    }
  });

  it('a corrupt archive fails the sweep naming the repository and commit, and the next sweep still runs', async () => {
    const good = archive(exampleFiles());
    let serve: Buffer = good.subarray(0, good.length - 100);
    const octokit = {
      async request(route: string) {
        switch (route) {
          case 'GET /repos/{owner}/{repo}':
            return { status: 200, data: { default_branch: 'main', has_issues: true, html_url: 'https://github.com/acme/access' } };
          case 'GET /repos/{owner}/{repo}/git/ref/{ref}':
            return { status: 200, data: { object: { sha: 'c'.repeat(40) } } };
          case 'GET /repos/{owner}/{repo}/tarball/{ref}':
            return { status: 200, data: serve };
          default:
            return { status: 200, data: [] };
        }
      },
    };
    const sweep = () =>
      runSweep({
        octokit,
        repo: { owner: 'acme', repo: 'access' },
        packs: loadBuiltinPacks(),
        now: () => new Date('2026-11-26T06:00:00Z'),
        dryRun: true,
        membership: false,
        pacing: { now: () => 0, sleep: async () => undefined },
      });
    await expect(sweep()).rejects.toThrow(/reading the archive of acme\/access@cccccccccccc failed: .*not a valid gzip stream/);
    serve = good;
    const report = await sweep();
    expect(report.grants).toBeGreaterThan(10);
    expect(report.parsedInWorker).toBe(Object.keys(exampleFiles()).filter((p) => p.endsWith('.yaml')).length);
  });
});

// A worker lets go of the download it was handed when it collects it or ends, which can be long
// after the download finished; a cancel then must not reach the body (it could break the
// connection another download now uses), while one during the download still stops it.
describe('the download handed to a worker', () => {
  const source = (chunks: string[]) => {
    let cancelled: unknown = null;
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const c of chunks) controller.enqueue(new TextEncoder().encode(c));
        controller.close();
      },
      cancel(reason) {
        cancelled = reason ?? 'cancelled';
      },
    });
    return { body, cancelled: () => cancelled };
  };

  it('passes every chunk on, and a cancel after the end does not reach the body', async () => {
    const s = source(['a', 'b', 'c']);
    const owned = ownedBody(s.body);
    const reader = owned.getReader();
    const got: string[] = [];
    for (let r = await reader.read(); !r.done; r = await reader.read()) got.push(new TextDecoder().decode(r.value));
    expect(got).toEqual(['a', 'b', 'c']);
    await reader.cancel('the worker ended');
    expect(s.cancelled()).toBeNull();
  });

  it('passes a cancel on while the body is still being read', async () => {
    let cancelled: unknown = null;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.enqueue(new Uint8Array(8));
      },
      cancel(reason) {
        cancelled = reason;
      },
    });
    const reader = ownedBody(body).getReader();
    await reader.read();
    await reader.cancel('stopped early');
    expect(cancelled).toBe('stopped early');
  });
});
