/**
 * `access-ledger export` over a real git repo: populations tie back to git, samples re-derive
 * from the seed, chains name the approver, the manifest matches the files, misuse exits 2.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { buildFixture, gitIn, type Fixture } from './fixture.ts';
import { readJson, run } from './support.ts';

const PERIOD = ['--from', '2026-01-01', '--to', '2026-06-30'];

let fx: Fixture;
let work: string;
let out: string;

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    return statSync(full).isDirectory() ? walk(full) : [full];
  });
}

function shell(cmd: string, cwd: string): string {
  return execFileSync('bash', ['-o', 'pipefail', '-c', cmd], { cwd, encoding: 'utf8' }).trim();
}

/** Access entries of a grant file at a commit, by "system/role" (independent of the binder's code). */
function entriesAt(dir: string, rev: string, path: string): Map<string, Record<string, unknown>> {
  let text: string;
  try {
    text = gitIn(dir, ['show', `${rev}:${path}`]);
  } catch {
    return new Map();
  }
  const doc = parse(text) as { access: { system: string; role: string }[] };
  return new Map(doc.access.map((e) => [`${e.system}/${e.role}`, e as Record<string, unknown>]));
}

beforeAll(async () => {
  fx = buildFixture();
  work = mkdtempSync(join(tmpdir(), 'binder-out-'));
  out = join(work, 'binder');
  const r = await run(['export', '--repo', fx.dir, ...PERIOD, '--out', out, '--seed', '7', '--sample', '2']);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
});

afterAll(() => {
  fx?.cleanup();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('export writes every file of the binder', () => {
  it('has the evidence map, every population as CSV and JSON, samples, chains, matrix, verification, manifest, html, summary', () => {
    const files = walk(out)
      .map((f) => relative(out, f))
      .sort();
    const pops = [
      'grant-changes',
      'additions',
      'removals',
      'modifications',
      'privileged',
      'non-human',
      'exceptions',
      'review-campaigns',
      'unapproved-merges',
      'left-org',
      'system-changes',
      'inventory',
    ];
    for (const p of pops) {
      expect(files).toContain(`populations/${p}.csv`);
      expect(files).toContain(`populations/${p}.json`);
      expect(files).toContain(`samples/${p}.csv`);
    }
    for (const f of [
      'evidence-map.json',
      'evidence-map.csv',
      'samples.json',
      'chains.json',
      'control-matrix.json',
      'control-matrix.csv',
      'verification.json',
      'manifest.json',
      'index.html',
      'summary.md',
      'binder.json',
    ]) {
      expect(files).toContain(f);
    }
  });

  it('records a passing ledger verification', () => {
    const v = readJson(out, 'verification.json');
    expect(v.ok).toBe(true);
    expect(v.records).toBe(9);
    expect(v.result.checks).toContain('append-only history');
  });
});

describe('every population ties back to git', () => {
  it('runs each printed git command in the clone and gets the row count', () => {
    for (const id of ['grant-changes', 'system-changes', 'review-campaigns', 'unapproved-merges', 'left-org']) {
      const pop = readJson(out, `populations/${id}.json`);
      expect(Number(shell(pop.reproduce.git, fx.dir)), id).toBe(pop.row_count);
      expect(pop.rows).toHaveLength(pop.row_count);
    }
    expect(readJson(out, 'populations/grant-changes.json').row_count).toBe(4);
    expect(readJson(out, 'populations/system-changes.json').row_count).toBe(1);
    expect(readJson(out, 'populations/review-campaigns.json').row_count).toBe(2);
  });

  it('inventory: the printed ls-tree counts the distinct files of the rows, at the last commit on or before the as-of day', () => {
    const pop = readJson(out, 'populations/inventory.json');
    const files = new Set(pop.rows.map((r: { path: string }) => r.path));
    const count = Number(shell(pop.reproduce.git.split('   #')[0], fx.dir));
    expect(count).toBe(files.size);
    expect(pop.as_of_commit).toBe(fx.commits.changeSystem!.sha);
    // dan was granted after the as-of day: the inventory is history, not today's files.
    expect(files.has('grants/humans/dan.yaml')).toBe(false);
    let entries = 0;
    for (const path of gitIn(fx.dir, ['ls-tree', '-r', '--name-only', pop.as_of_commit, '--', 'grants/']).split('\n').filter(Boolean))
      entries += entriesAt(fx.dir, pop.as_of_commit, path).size;
    expect(pop.row_count).toBe(entries);
  });

  it('additions, removals and modifications match a diff of every changed file done here with git show', () => {
    const listing = gitIn(fx.dir, [
      'log',
      '--first-parent',
      '--no-renames',
      '--since=2026-01-01T00:00:00Z',
      '--until=2026-06-30T23:59:59Z',
      '--format=C %H',
      '--name-only',
      'HEAD',
      '--',
      'grants/',
    ]);
    let added = 0;
    let removed = 0;
    let modified = 0;
    let sha = '';
    for (const line of listing.split('\n').filter(Boolean)) {
      if (line.startsWith('C ')) {
        sha = line.slice(2);
        continue;
      }
      const before = entriesAt(fx.dir, `${sha}^`, line);
      const after = entriesAt(fx.dir, sha, line);
      for (const k of after.keys()) if (!before.has(k)) added++;
      for (const k of before.keys()) if (!after.has(k)) removed++;
      for (const [k, v] of after) {
        const b = before.get(k);
        if (b) for (const field of new Set([...Object.keys(b), ...Object.keys(v)])) if (JSON.stringify(b[field]) !== JSON.stringify(v[field])) modified++;
      }
    }
    expect(readJson(out, 'populations/additions.json').row_count).toBe(added);
    expect(readJson(out, 'populations/removals.json').row_count).toBe(removed);
    expect(readJson(out, 'populations/modifications.json').row_count).toBe(modified);
    expect([added, removed, modified]).toEqual([3, 1, 1]);
  });

  it('CSV and JSON hold the same rows', () => {
    for (const id of ['additions', 'inventory', 'grant-changes']) {
      const pop = readJson(out, `populations/${id}.json`);
      const lines = readFileSync(join(out, `populations/${id}.csv`), 'utf8')
        .trimEnd()
        .split('\r\n');
      expect(lines[0]).toBe(pop.columns.map((c: { key: string }) => c.key).join(','));
      expect(lines.length - 1).toBe(pop.row_count);
    }
  });
});

describe('populations join the ledger', () => {
  it('a removal names who left, when, and how long removal took', () => {
    const [row] = readJson(out, 'populations/removals.json').rows;
    expect(row).toMatchObject({
      identity: 'bob',
      system: 'prod-db',
      left_org_login: 'bob',
      left_org_at: '2026-03-30T08:00:00Z',
      authorization_ended: '2026-03-30',
      days_to_remove: 3,
      pr: 4,
    });
  });

  it('an addition without a ledger record is kept, its gap named', () => {
    const rows = readJson(out, 'populations/additions.json').rows;
    const deploy = rows.find((r: { identity: string }) => r.identity === 'deploy-token');
    expect(deploy.pr).toBeNull();
    expect(deploy.gaps).toMatch(/no grant-change record/);
  });

  it('the unapproved merge is listed whole, never sampled down', () => {
    const samples = readJson(out, 'samples.json').samples;
    const u = samples.find((s: { population: string }) => s.population === 'unapproved-merges');
    expect(u.size).toBe(1);
    expect(readJson(out, 'populations/unapproved-merges.json').rows[0]).toMatchObject({ pr: 2, cause: 'admin-bypass' });
  });
});

describe('samples', () => {
  async function exportWith(seed: string, extra: string[] = []): Promise<any> {
    const dir = join(work, `s-${seed}-${extra.join('')}-${Math.random().toString(36).slice(2)}`);
    const r = await run(['export', '--repo', fx.dir, ...PERIOD, '--out', dir, '--seed', seed, ...extra]);
    expect(r.code).toBe(0);
    return readJson(dir, 'samples.json');
  }

  it('the same seed draws the same sample; another seed draws another', async () => {
    const a = readJson(out, 'samples.json');
    const b = await exportWith('7', ['--sample', '2']);
    const c = await exportWith('8', ['--sample', '2']);
    expect(b.samples).toEqual(a.samples);
    const rows = (x: any) => x.samples.map((s: { rows: number[] }) => s.rows);
    expect(rows(c)).not.toEqual(rows(a));
    expect(a.seed).toBe(7);
    // Default sizes by frequency: populations smaller than their size are taken whole; the gaps
    // index is never sampled (each gap's row is sampled in its own population).
    const d = await exportWith('7');
    for (const s of d.samples) expect(s.size, s.population).toBe(s.frequency === 'index' ? 0 : s.population_rows);
    expect(d.samples.find((s: { population: string }) => s.population === 'gaps')).toMatchObject({ frequency: 'index', size: 0, rows: [] });
    expect(a.samples.find((s: { population: string }) => s.population === 'gaps').size).toBe(0);
  });
});

describe('evidence chains', () => {
  it('the chain of a sampled addition names its approver, approval time and whether the reviewed commit is the merged head', async () => {
    const dir = join(work, 'all');
    expect((await run(['export', '--repo', fx.dir, ...PERIOD, '--out', dir, '--sample', '50'])).code).toBe(0);
    const chains = readJson(dir, 'chains.json').chains;
    const bob = chains.find((c: any) => c.population === 'additions' && c.item.identity === 'bob');
    expect(bob.request).toMatchObject({ pr: 1, author: 'bob', opened_at: '2026-01-08T09:00:00Z' });
    const approval = bob.approvals.find((a: any) => a.counted);
    expect(approval).toMatchObject({ reviewer: 'carol', at: '2026-01-09T15:00:00Z', reviewed_commit_is_merged_head: true });
    expect(approval.eligible_because).toMatch(/systems\/prod-db\.yaml approvers/);
    expect(bob.approvals.find((a: any) => a.reviewer === 'mallory').counted).toBe(false);
    expect(bob.merge).toMatchObject({ at: '2026-01-10T12:00:00Z', by: 'carol', commit: fx.commits.addBob!.sha });
    expect(bob.provisioning[0]).toMatchObject({ run_id: 111, conclusion: 'success' });
    expect(bob.removal).toMatchObject({ pr: 4, at: '2026-04-02T10:00:00Z' });
    expect(bob.ledger.map((l: any) => l.seq)).toEqual([1, 2, 6]);
    expect(bob.ledger[0].hash).toMatch(/^[0-9a-f]{64}$/);
    const alice = chains.find((c: any) => c.population === 'review-campaigns' && c.item.identity === 'alice');
    expect(alice.reviews_since[0]).toMatchObject({ reviewed_on: '2026-04-15', outcome: 'kept', reviewers: ['carol'] });
  });
});

describe('manifest', () => {
  it('lists the SHA-256 of every other file, and the hashes match', () => {
    const m = readJson(out, 'manifest.json');
    const listed = new Map(m.files.map((f: { path: string; sha256: string }) => [f.path, f.sha256]));
    const files = walk(out)
      .map((f) => relative(out, f))
      .filter((f) => f !== 'manifest.json');
    expect([...listed.keys()].sort()).toEqual(files.sort());
    for (const f of files)
      expect(listed.get(f), f).toBe(
        createHash('sha256')
          .update(readFileSync(join(out, f)))
          .digest('hex'),
      );
  });

  it('a changed file no longer matches', () => {
    const m = readJson(out, 'manifest.json');
    const copy = join(work, 'tampered.csv');
    writeFileSync(copy, readFileSync(join(out, 'populations/additions.csv'), 'utf8').replace('carol', 'mallory'));
    const entry = m.files.find((f: { path: string }) => f.path === 'populations/additions.csv');
    expect(createHash('sha256').update(readFileSync(copy)).digest('hex')).not.toBe(entry.sha256);
  });
});

describe('usage errors exit 2 with one clear line', () => {
  it.each([
    [['--from', '2026-13-01', '--to', '2026-06-30'], /--from must be a date YYYY-MM-DD \(a UTC calendar day\), not "2026-13-01": there is no month 13/],
    [['--from', '2026-06-30', '--to', '2026-01-01'], /is after --to/],
    [['--from', '2026-01-01', '--to', '2026-06-30', '--as-of', 'yesterday'], /--as-of must be a date YYYY-MM-DD \(a UTC calendar day\)/],
  ])('%j', async (args, message) => {
    const r = await run(['export', '--repo', fx.dir, '--out', join(work, 'never'), ...args]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('a missing repo', async () => {
    const r = await run(['export', '--repo', join(work, 'nope'), ...PERIOD, '--out', join(work, 'never')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/is not a directory/);
  });

  it('a clone without the ledger branch says how to fetch it', async () => {
    const bare = buildFixture({ withLedger: false });
    try {
      const r = await run(['export', '--repo', bare.dir, ...PERIOD, '--out', join(work, 'never')]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/no ledger branch access-ledger/i);
      expect(r.stderr).toMatch(/fetch origin access-ledger:access-ledger/);
    } finally {
      bare.cleanup();
    }
  });

  it('a non-empty --out is refused, so binders are never mixed', async () => {
    const r = await run(['export', '--repo', fx.dir, ...PERIOD, '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/is not empty/);
  });
});
