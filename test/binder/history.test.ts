/**
 * Reading a clone with git: one `cat-file --batch` decodes every object exactly, whatever falls
 * on the boundaries of its output (large objects, multi-byte characters, missing objects, many
 * in flight), and the period's history keeps paths with spaces and non-ASCII names intact.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CatFile, commitsWithContent, periodCommits, readTreeFiles, treeFiles } from '../../src/adapters/git/history.ts';
import { folderSpec, gitLogArgs } from '../../src/core/binder/commands.ts';
import type { ExportParams } from '../../src/core/binder/types.ts';
import { gitIn } from './fixture.ts';

let root: string;
let dir: string;
let head: string;
const files: Record<string, string> = {};

// Multi-byte characters throughout, so some fall across the 64 KiB pieces git's output arrives in.
const big = (n: number): string => Array.from({ length: n }, (_, i) => `line ${i}: ünïcödé 漢字 🙂 ${'é'.repeat(i % 13)}\n`).join('');

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'binder-history-'));
  dir = join(root, 'repo');
  mkdirSync(dir);
  gitIn(dir, ['init', '-q', '-b', 'main']);
  const put = (path: string, content: string) => {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
    files[path] = content;
  };
  put('access-ledger.yaml', 'version: 1\n');
  put('grants/humans/plain.yaml', 'identity:\n  id: plain\n');
  gitIn(dir, ['add', '-A'], '2026-01-01T00:00:00Z');
  gitIn(dir, ['commit', '-q', '-m', 'init'], '2026-01-01T00:00:00Z');
  put('grants/with space/zoë é.yaml', 'identity:\n  id: zoe\n');
  put('grants/big/large.yaml', big(9000));
  put('grants/README.md', 'not a grant\n');
  gitIn(dir, ['add', '-A'], '2026-02-01T00:00:00Z');
  gitIn(dir, ['commit', '-q', '-m', 'odd names'], '2026-02-01T00:00:00Z');
  head = gitIn(dir, ['rev-parse', 'HEAD']).trim();
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

const blobOf = (path: string): string => gitIn(dir, ['rev-parse', `HEAD:${path}`]).trim();

describe('CatFile', () => {
  it('decodes every object exactly, large ones and small ones, many in flight', async () => {
    const cat = new CatFile(dir);
    try {
      const paths = Object.keys(files);
      const blobs = new Map(paths.map((p) => [p, blobOf(p)]));
      const asGitHasIt = new Map(paths.map((p) => [p, execFileSync('git', ['-C', dir, 'cat-file', '-p', blobs.get(p)!], { encoding: 'utf8' })]));
      const wanted = Array.from({ length: 600 }, (_, i) => paths[i % paths.length]!);
      const seen: string[] = [];
      for await (const { item, content } of cat.readAll(wanted, (p) => blobs.get(p)!, 64)) {
        expect(content, item).toBe(asGitHasIt.get(item));
        expect(content).toBe(files[item]);
        seen.push(item);
      }
      expect(seen).toEqual(wanted);
    } finally {
      cat.close();
    }
  });

  it('answers null for an object the clone does not have, and goes on', async () => {
    const cat = new CatFile(dir);
    try {
      expect(await cat.read('0'.repeat(40))).toBeNull();
      expect(await cat.read(`${head}:no/such/file.yaml`)).toBeNull();
      expect(await cat.read(`${head}:grants/with space/zoë é.yaml`)).toBe(files['grants/with space/zoë é.yaml']);
    } finally {
      cat.close();
    }
  });
});

describe('history', () => {
  const params = { period: { from: '2026-01-01', to: '2026-12-31' }, refSha: '' } as ExportParams;

  it('lists the period’s commits oldest first, with grant and system files only, names intact', async () => {
    const history = await periodCommits(dir, { ...params, refSha: head });
    expect(history.length).toBe(2);
    const cat = new CatFile(dir);
    try {
      const commits = [];
      for await (const c of commitsWithContent(cat, history)) commits.push(c);
      expect(commits.map((c) => c.committed_at)).toEqual(['2026-01-01T00:00:00Z', '2026-02-01T00:00:00Z']);
      const second = commits[1]!;
      expect(second.sha).toBe(head);
      expect(second.files.map((f) => f.path).sort()).toEqual(['grants/big/large.yaml', 'grants/with space/zoë é.yaml']);
      for (const f of second.files) {
        expect(f.action).toBe('added');
        expect(f.after).toBe(files[f.path]);
        expect(f.after_blob).toBe(blobOf(f.path));
        expect(f.before).toBeNull();
      }
    } finally {
      cat.close();
    }
    // Read once: the stored history is released when the stream ends.
    expect(() => history.commit(0)).toThrow();
  });

  it('selects exactly the commits the printed git log selects: grants/ or systems/ in any case, merges by their first parent', async () => {
    const repo = join(root, 'selection');
    mkdirSync(repo);
    gitIn(repo, ['init', '-q', '-b', 'main']);
    let day = 1;
    const commit = (paths: Record<string, string | null>, message: string): void => {
      for (const [path, content] of Object.entries(paths)) {
        if (content === null) rmSync(join(repo, path));
        else {
          mkdirSync(dirname(join(repo, path)), { recursive: true });
          writeFileSync(join(repo, path), content);
        }
      }
      const at = `2026-03-${String(day++).padStart(2, '0')}T00:00:00Z`;
      gitIn(repo, ['add', '-A'], at);
      gitIn(repo, ['commit', '-q', '--allow-empty', '-m', message], at);
    };
    commit({ 'access-ledger.yaml': 'version: 1\n' }, 'config only');
    commit({ 'README.md': '# access\n' }, 'root readme');
    commit({ 'Grants/upper.yaml': 'identity:\n  id: upper\n' }, 'capital folder');
    commit({ 'grants/README.md': 'about grants\n' }, 'a readme under grants');
    commit({ 'SYSTEMS/db.yaml': 'id: db\n' }, 'capital systems');
    commit({ 'docs/grants/x.yaml': 'not at the root\n' }, 'nested lookalike');
    commit({ 'grantsx/y.yaml': 'a longer name\n' }, 'prefix without the slash');
    commit({}, 'empty');
    gitIn(repo, ['checkout', '-q', '-b', 'side']);
    commit({ 'grants/side.yaml': 'identity:\n  id: side\n' }, 'on the side branch');
    gitIn(repo, ['checkout', '-q', 'main']);
    commit({ 'README.md': '# access, again\n' }, 'main moves on');
    const at = `2026-03-${String(day++).padStart(2, '0')}T00:00:00Z`;
    gitIn(repo, ['merge', '-q', '--no-ff', '-m', 'merge side', 'side'], at);
    commit({ 'grants/side.yaml': null }, 'removes it');
    const tip = gitIn(repo, ['rev-parse', 'HEAD']).trim();
    const p = { ...params, refSha: tip };

    const printed = new Set<string>();
    for (const folder of ['grants/', 'systems/'] as const) {
      for (const sha of gitIn(repo, [...gitLogArgs(p, folder).slice(0, -3), '-s', '--format=%H', tip, '--', folderSpec(folder)]).split('\n'))
        if (sha) printed.add(sha);
    }
    const history = await periodCommits(repo, p);
    const listed = Array.from({ length: history.length }, (_, i) => history.commit(i).sha);
    history.release();
    expect(new Set(listed)).toEqual(printed);
    expect(listed).toHaveLength(5);
  });

  it('reads a tree’s grant, system and config files in the order asked', async () => {
    const tree = await treeFiles(dir, head);
    expect(tree.map((t) => t.path).sort()).toEqual(['access-ledger.yaml', 'grants/big/large.yaml', 'grants/humans/plain.yaml', 'grants/with space/zoë é.yaml']);
    const order = [...tree].reverse();
    const cat = new CatFile(dir);
    try {
      const read = [];
      for await (const f of readTreeFiles(cat, order)) read.push(f);
      expect(read.map((f) => f.path)).toEqual(order.map((f) => f.path));
      for (const f of read) expect(f.content).toBe(files[f.path]);
    } finally {
      cat.close();
    }
  });
});
