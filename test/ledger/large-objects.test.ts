// The three readers of git's output that verify and export stream through: catFileBatch (every
// record and stored export), gitFields (the ledger's history) and periodCommits (the access
// branch's history). An object, a field or a commit that spans many of the pipe's 64 KiB chunks
// comes through whole and is copied a bounded number of times: joining the pieces again at every
// chunk copied a 200 MB stored export some 1,600 times, and `verify` took minutes over a ledger
// it reads in two seconds. Copies are counted through Buffer.concat, not timed.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { catFileBatch, gitFields } from '../../src/adapters/git/git.ts';
import { periodCommits } from '../../src/adapters/git/history.ts';
import type { ExportParams } from '../../src/core/binder/types.ts';
import { GIT_ENV } from './git-fixture.ts';

const dir = mkdtempSync(join(tmpdir(), 'large-objects-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** An export of 8 MB: 128 of the pipe's chunks. */
const LARGE = randomBytes(6 << 20).toString('base64');
/** An author name of 2 MB: 32 chunks. */
const LONG_NAME = `A${'n'.repeat((2 << 20) - 2)}Z`;
/** Grant files added by one commit: a block of git's listing that spans dozens of chunks. */
const MANY = 30_000;

const git = (args: string[], input?: string): string =>
  execFileSync('git', ['-C', dir, ...args], { env: GIT_ENV, input, encoding: 'utf8', maxBuffer: 1 << 28 });

beforeAll(() => {
  execFileSync('git', ['init', '-q', '-b', 'main', dir], { env: GIT_ENV });
  const blob = (content: string, mark: number) => `blob\nmark :${mark}\ndata ${Buffer.byteLength(content)}\n${content}\n`;
  const grant = 'identity:\n  id: someone\n';
  const changes = Array.from({ length: MANY }, (_, i) => `M 100644 :2 grants/team-${i % 50}/id-${i}.yaml\n`).join('');
  const when = Date.UTC(2026, 2, 1) / 1000;
  git(
    ['fast-import', '--quiet', '--done'],
    blob(LARGE, 1) +
      blob(grant, 2) +
      `commit refs/heads/main\nmark :3\nauthor ${LONG_NAME} <a@example.com> ${when} +0000\ncommitter C <c@example.com> ${when} +0000\ndata 7\nimport\n` +
      `M 100644 :1 snapshots/large.csv\n${changes}done\n`,
  );
});

let copied = 0;
afterEach(() => vi.restoreAllMocks());
function countCopies(): void {
  copied = 0;
  const concat = Buffer.concat.bind(Buffer);
  vi.spyOn(Buffer, 'concat').mockImplementation((list, total) => {
    const out = concat(list, total);
    copied += out.length;
    return out;
  });
}

describe('a large object, field or commit in git’s output', () => {
  it('catFileBatch hands over an 8 MB object whole, between small ones, copying it about once', async () => {
    const large = git(['rev-parse', 'HEAD:snapshots/large.csv']).trim();
    const small = git(['rev-parse', 'HEAD:grants/team-0/id-0.yaml']).trim();
    countCopies();
    const seen: { oid: string; text: string }[] = [];
    for await (const o of catFileBatch(dir, [small, large, small, large, small])) seen.push({ oid: o.oid, text: o.content.toString('utf8') });
    expect(seen.map((o) => o.oid)).toEqual([small, large, small, large, small]);
    expect(seen[1]!.text).toBe(LARGE);
    expect(seen[3]!.text).toBe(LARGE);
    expect(seen[4]!.text).toBe('identity:\n  id: someone\n');
    // Twice 8 MB asked for; joined at every chunk it would be about 1 GB.
    expect(copied).toBeLessThan(4 * LARGE.length);
  });

  it('gitFields hands over a 2 MB field whole, copying it about once', async () => {
    countCopies();
    const fields: string[] = [];
    for await (const f of gitFields(dir, ['log', '-z', '--format=%an%x00%ae', 'main'])) fields.push(f);
    expect(fields).toEqual([LONG_NAME, 'a@example.com']);
    expect(copied).toBeLessThan(3 * LONG_NAME.length);
  });

  it('periodCommits reads a commit of 30,000 changes whole, copying its listing about once', async () => {
    const listing = git(['log', '--raw', '--no-abbrev', '-z', '--format=%x01%H%x00%cI%x00', 'main']).length;
    countCopies();
    const head = git(['rev-parse', 'main']).trim();
    const history = await periodCommits(dir, { period: { from: '2026-01-01', to: '2026-12-31' }, refSha: head } as ExportParams);
    try {
      expect(history.length).toBe(1);
      const commit = history.commit(0);
      const expected = Array.from({ length: MANY }, (_, i) => `grants/team-${i % 50}/id-${i}.yaml`);
      expect(commit.changes.map((c) => c.path).sort()).toEqual(expected.sort());
    } finally {
      history.release();
    }
    expect(copied).toBeLessThan(3 * listing);
  });
});
