// The three readers of git's output that verify and export stream through: catFileBatch (every
// record and stored export), gitFields (the ledger's history) and periodCommits (the access
// branch's history). An object, a field or a commit that spans many of the pipe's 64 KiB chunks
// comes through whole and is copied a bounded number of times: joining the pieces again at every
// chunk copied a 200 MB stored export some 1,600 times, and `verify` took minutes over a ledger
// it reads in two seconds. Copies are counted through Buffer.concat, not timed.
//
// A file larger than GitHub stores (100 MiB) was put on a branch by hand: it is answered as that,
// never decoded (past about 512 MiB no string holds it, and verify and export ended on a bare
// "Cannot create a string longer than …"), while the reads after it go on: verify reports it as a
// problem of the ledger, and export writes the binder with the verification failed.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { MAX_TEXT_BYTES, catFileBatch, gitFields } from '../../src/adapters/git/git.ts';
import { CatFile, ObjectTooLargeError, ledgerRecords, periodCommits } from '../../src/adapters/git/history.ts';
import { verifyLedger } from '../../src/adapters/git/ledger-reader.ts';
import { ledgerTrustOf } from '../../src/cli/commands/verify.ts';
import type { ExportParams } from '../../src/core/binder/types.ts';
import { buildRepo, cleanupTempDirs, GIT_ENV, ledgerHistory } from './git-fixture.ts';

const dir = mkdtempSync(join(tmpdir(), 'large-objects-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  cleanupTempDirs();
});

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

  it('catFileBatch reads past an object over maxBytes without holding it, giving its size, and goes on', async () => {
    const large = git(['rev-parse', 'HEAD:snapshots/large.csv']).trim();
    const small = git(['rev-parse', 'HEAD:grants/team-0/id-0.yaml']).trim();
    countCopies();
    const seen: { oid: string; size: number; text: string }[] = [];
    for await (const o of catFileBatch(dir, [small, large, small, large, small], { maxBytes: 1 << 20 }))
      seen.push({ oid: o.oid, size: o.size, text: o.content.toString('utf8') });
    expect(seen.map((o) => [o.oid, o.size])).toEqual([
      [small, 24],
      [large, LARGE.length],
      [small, 24],
      [large, LARGE.length],
      [small, 24],
    ]);
    expect(seen.map((o) => o.text)).toEqual(['identity:\n  id: someone\n', '', 'identity:\n  id: someone\n', '', 'identity:\n  id: someone\n']);
    // Nothing of the 8 MB objects is joined.
    expect(copied).toBeLessThan(1 << 20);
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

describe('a file larger than GitHub stores, planted on the ledger branch', () => {
  // A record file of 100 MiB and one byte (git keeps it compressed to almost nothing).
  const HUGE = `{"seq":3,"note":"${' '.repeat(MAX_TEXT_BYTES)}"}`;
  const HUGE_PATH = 'records/2026/11/20/planted.json';
  let repo: string;
  beforeAll(() => {
    const { commits } = ledgerHistory([1, 1]);
    repo = buildRepo([...commits, { files: { [HUGE_PATH]: HUGE }, message: 'planted' }]);
  });

  it('CatFile answers it as too large and goes on with the reads after it', async () => {
    const tip = execFileSync('git', ['-C', repo, 'rev-parse', 'access-ledger'], { encoding: 'utf8' }).trim();
    const cat = new CatFile(repo);
    try {
      const names = [`${tip}:head.json`, `${tip}:${HUGE_PATH}`, `${tip}:head.json`];
      const answers = [];
      for await (const a of cat.readAll(names, (n) => n)) answers.push(a);
      expect(answers[0]!.content).toMatch(/^\{/);
      expect(answers[1]!.content).toBeNull();
      expect(answers[1]!.tooLarge).toBeInstanceOf(ObjectTooLargeError);
      expect(answers[1]!.tooLarge!.of(HUGE_PATH).message).toBe(
        `${HUGE_PATH} is ${HUGE.length} bytes, larger than any file GitHub stores (100 MiB): it is not read`,
      );
      expect(answers[2]!.content).toBe(answers[0]!.content);
      await expect(cat.read(`${tip}:${HUGE_PATH}`)).rejects.toBeInstanceOf(ObjectTooLargeError);
      expect(await cat.read(`${tip}:head.json`)).toBe(answers[0]!.content);
      const records = [];
      for await (const r of ledgerRecords(repo, cat, tip)) records.push(r);
      expect(records.find((r) => r.path === HUGE_PATH)).toEqual({ path: HUGE_PATH, record: null });
      expect(records.filter((r) => r.record !== null)).toHaveLength(2);
    } finally {
      cat.close();
    }
  });

  it('verify reports it as a problem of the ledger, naming the file, and checks the rest', async () => {
    const { trust } = await ledgerTrustOf(repo);
    const v = await verifyLedger(repo, 'access-ledger', { trust });
    expect(v.ok).toBe(false);
    expect(v.problems).toContainEqual({
      seq: null,
      path: HUGE_PATH,
      check: 'record',
      problem: `is ${HUGE.length} bytes, larger than any file GitHub stores (100 MiB): the App did not write it, and it is not read`,
    });
    // The two records the App wrote are read and checked as usual.
    expect(v.problems.filter((p) => p.seq === 1 || p.seq === 2)).toEqual([]);
  });
});
