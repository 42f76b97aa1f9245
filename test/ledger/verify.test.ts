import { execFileSync } from 'node:child_process';
import { Octokit } from '@octokit/core';
import { Command } from 'commander';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { resolveLedgerRef, verifyLedger } from '../../src/adapters/git/ledger-reader.ts';
import { LedgerStore } from '../../src/adapters/github/ledger-store.ts';
import { ledgerTrustOf, registerVerify, runVerify } from '../../src/cli/commands/verify.ts';
import type { Io } from '../../src/cli/io.ts';
import {
  HEAD_PATH,
  formatRecordMarker,
  hashRecord,
  headFor,
  isRecordPath,
  recordPath,
  serializeHead,
  serializeRecord,
  type SealedRecord,
} from '../../src/core/ledger/index.ts';
import { COMMENT_MARKER } from '../../src/core/records/comment.ts';
import { ledgerRepo } from './ledger-repo.ts';
import { startFakeGitHub, type FakeGitHub } from '../support/fake-github/index.ts';
import { buildRepo, cleanupTempDirs, GIT_ENV, ledgerHistory, tempDir, type FixtureCommit } from './git-fixture.ts';
import { fixedClock, mergedDraft } from './fixtures.ts';
import { ledgerYaml } from '../support/ledger-keys.ts';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { testSigner } from '../support/ledger-keys.ts';
import { refuseRealConnections } from '../support/no-network.ts';

refuseRealConnections();

/** Every record at the ledger branch's tip of a clone, parsed, in seq order: what a run left there. */
async function readLedgerRecords(repoDir: string): Promise<{ path: string; record: SealedRecord }[]> {
  const { sha } = await resolveLedgerRef(repoDir);
  const git = (...args: string[]) => execFileSync('git', ['-C', repoDir, ...args], { env: GIT_ENV, encoding: 'utf8' });
  const paths = git('ls-tree', '-r', '--name-only', sha).split('\n').filter(isRecordPath);
  const records = paths.map((path) => ({ path, record: JSON.parse(git('show', `${sha}:${path}`)) as SealedRecord }));
  return records.sort((a, b) => a.record.seq - b.record.seq);
}

afterAll(cleanupTempDirs);
let gh: FakeGitHub | undefined;
afterEach(async () => {
  if (!gh) return;
  expect(gh.errors).toEqual([]);
  await gh.close();
  gh = undefined;
});

function testIo(env: NodeJS.ProcessEnv = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { stdout: (t) => void out.push(t), stderr: (t) => void err.push(t), color: false, interactive: false, now: () => new Date(), env };
  return { io, out: () => out.join(''), err: () => err.join('') };
}

const file = (r: SealedRecord) => ({ [recordPath(r)]: serializeRecord(r) });
const reseal = (r: SealedRecord, patch: Partial<SealedRecord>): SealedRecord => {
  const next = { ...r, ...patch } as SealedRecord;
  return { ...next, hash: hashRecord(next) };
};

// seqs 1 | 2 3 | 4 5: the genesis commit and three appends.
const base = ledgerHistory([1, 2, 2]);
const rec = (seq: number) => base.records[seq - 1]!;

describe('verifyLedger on an intact ledger', () => {
  it('passes and reports what it read', async () => {
    const dir = buildRepo(base.commits);
    const result = await verifyLedger(dir, 'access-ledger');
    expect(result).toMatchObject({ ok: true, records: 5, commits: 4, ref: 'refs/heads/access-ledger', first_problem: null, problem_count: 0 });
    expect(result.last).toEqual({ seq: 5, hash: rec(5).hash, path: recordPath(rec(5)) });
    expect(result.head).toEqual(headFor(rec(5)));
    expect(result.tip).toBe(execFileSync('git', ['-C', dir, 'rev-parse', 'access-ledger'], { env: GIT_ENV, encoding: 'utf8' }).trim());

    const t = testIo();
    expect(await runVerify({ repo: dir }, t.io)).toBe(0);
    expect(t.out()).toMatch(/5 records in 4 commits/);
    expect(t.out()).toMatch(/^OK: /m);
  });

  it('reads the remote-tracking branch of a fresh clone', async () => {
    const origin = buildRepo(base.commits);
    const clone = tempDir();
    execFileSync('git', ['clone', '-q', origin, clone], { env: GIT_ENV });
    const result = await verifyLedger(clone, 'access-ledger');
    expect(result).toMatchObject({ ok: true, ref: 'refs/remotes/origin/access-ledger', records: 5 });
    const read = await readLedgerRecords(clone);
    expect(read.map((r) => r.record.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(read[2]!.record).toEqual(rec(3));
  });

  it('finds the ledger branch the repo config names when --branch is not given', async () => {
    const dir = buildRepo(base.commits, 'evidence');
    execFileSync('git', ['-C', dir, 'checkout', '-q', 'main'], { env: GIT_ENV });
    writeFileSync(join(dir, 'access-ledger.yaml'), `version: 1\n${ledgerYaml({ branch: 'evidence' })}`);
    execFileSync('git', ['commit', '-qam', 'ledger on evidence'], { cwd: dir, env: GIT_ENV });
    const t = testIo();
    expect(await runVerify({ repo: dir }, t.io)).toBe(0);
    expect(t.out()).toMatch(/Ledger evidence of /);
    // An explicit --branch still wins.
    expect(await runVerify({ repo: dir, branch: 'access-ledger' }, testIo().io)).toBe(2);
  });

  it('prints JSON for machines', async () => {
    const dir = buildRepo(base.commits);
    const t = testIo();
    expect(await runVerify({ repo: dir, format: 'json' }, t.io)).toBe(0);
    expect(JSON.parse(t.out())).toMatchObject({ ok: true, records: 5, online: null });
  });
});

describe('verifyLedger finds tampering', () => {
  const later = (files: Record<string, string | null>): FixtureCommit[] => [...base.commits, { files, message: 'tamper' }];

  // A full re-seal from seq 3 on: every hash consistent, so only the history can tell.
  const resealedFrom3 = (() => {
    let prev = rec(2);
    const out: SealedRecord[] = [];
    for (let s = 3; s <= 5; s++) {
      const r = reseal(rec(s), { prev_hash: prev.hash, ...(s === 3 ? { controls: [] } : {}) });
      out.push(r);
      prev = r;
    }
    return out;
  })();

  const cases: { name: string; commits: () => FixtureCommit[]; seq: number | null; check: string; message: RegExp }[] = [
    {
      name: 'an edited record (history rewritten so no later commit shows it)',
      commits: () =>
        base.commits.map((c) =>
          recordPath(rec(3)) in c.files
            ? { ...c, files: { ...c.files, [recordPath(rec(3))]: serializeRecord(rec(3)).replace('"merged_by": "dave"', '"merged_by": "eve"') } }
            : c,
        ),
      seq: 3,
      check: 'record',
      message: /hash mismatch/,
    },
    { name: 'a deleted record', commits: () => later({ [recordPath(rec(3))]: null }), seq: 3, check: 'chain', message: /seq 3 is missing/ },
    {
      name: 'an inserted record',
      commits: () => later(file(reseal(rec(3), { key: 'pr-999-merged' }))),
      seq: 3,
      check: 'chain',
      message: /seq 3 is claimed twice/,
    },
    {
      name: 'two records reordered',
      commits: () => later({ [recordPath(rec(2))]: serializeRecord(rec(3)), [recordPath(rec(3))]: serializeRecord(rec(2)) }),
      seq: 2,
      check: 'record',
      message: /wrong path/,
    },
    {
      name: 'a rewritten head.json',
      commits: () => later({ [HEAD_PATH]: serializeHead(headFor(rec(3))) }),
      seq: 4,
      check: 'head',
      message: /head.json says seq 3 but the chain goes on to seq 5/,
    },
    {
      name: 'a later commit that modifies an earlier record (re-sealed, chain and head made consistent)',
      commits: () => later({ ...Object.assign({}, ...resealedFrom3.map(file)), [HEAD_PATH]: serializeHead(headFor(resealedFrom3[2]!)) }),
      seq: 3,
      check: 'history',
      message: /modifies a record/,
    },
  ];

  it.each(cases)('$name -> seq $seq', async ({ commits, seq, check, message }) => {
    const dir = buildRepo(commits());
    const result = await verifyLedger(dir, 'access-ledger');
    expect(result.ok).toBe(false);
    expect(result.first_problem).toMatchObject({ seq, check });
    expect(result.first_problem!.problem).toMatch(message);

    const t = testIo();
    expect(await runVerify({ repo: dir }, t.io)).toBe(1);
    expect(t.out()).toMatch(new RegExp(`^BROKEN at seq ${seq}: `, 'm'));
  });

  it('the fully re-sealed ledger passes every offline check but the history', async () => {
    const rewritten = base.commits.map((c, i) =>
      i === 2
        ? { ...c, files: { ...file(rec(2)), ...file(resealedFrom3[0]!), [HEAD_PATH]: serializeHead(headFor(resealedFrom3[0]!)) } }
        : i === 3
          ? { ...c, files: { ...file(resealedFrom3[1]!), ...file(resealedFrom3[2]!), [HEAD_PATH]: serializeHead(headFor(resealedFrom3[2]!)) } }
          : c,
    );
    const dir = buildRepo(rewritten);
    // A force-pushed rewrite is consistent with itself; only the PR anchors can tell (below).
    expect((await verifyLedger(dir, 'access-ledger')).ok).toBe(true);
  });

  it('a merge into the ledger branch', async () => {
    const dir = buildRepo([...base.commits, { files: { 'x.txt': 'x\n' }, message: 'merge', merge: 'side' }], 'access-ledger', {
      side: [{ files: { 'x.txt': 'x\n' } }],
    });
    const result = await verifyLedger(dir, 'access-ledger');
    expect(result.ok).toBe(false);
    expect(result.problems.map((p) => p.problem)).toContainEqual(expect.stringMatching(/is a merge/));
    expect(result.problems.map((p) => p.problem)).toContainEqual(expect.stringMatching(/adds x.txt/));
  });

  it('records the commit that did it', async () => {
    const dir = buildRepo(later({ [recordPath(rec(3))]: null }));
    const tamper = execFileSync('git', ['-C', dir, 'rev-parse', 'access-ledger'], { env: GIT_ENV, encoding: 'utf8' }).trim();
    const result = await verifyLedger(dir, 'access-ledger');
    expect(result.problems.find((p) => p.check === 'history')).toMatchObject({ seq: 3, commit: tamper });
  });
});

describe('verify usage and runtime errors', () => {
  it('exits 2 and says how to fetch a missing branch', async () => {
    const dir = buildRepo(base.commits);
    const t = testIo();
    expect(await runVerify({ repo: dir, branch: 'evidence' }, t.io)).toBe(2);
    expect(t.err()).toMatch(/no ledger branch evidence/);
    expect(t.err()).toMatch(/git -C .* fetch origin evidence:evidence/);
  });

  it('exits 2 for a directory that is not a repository', async () => {
    const t = testIo();
    expect(await runVerify({ repo: tempDir() }, t.io)).toBe(2);
    expect(t.err()).toMatch(/not a git repository/);
  });

  it('exits 2 when --online has no token', async () => {
    const dir = buildRepo(base.commits);
    const t = testIo({});
    expect(await runVerify({ repo: dir, online: true }, t.io)).toBe(2);
    expect(t.err()).toMatch(/--online needs a GitHub token.*--token or set GITHUB_TOKEN/);
  });

  it('registers with commander and sets the exit code', async () => {
    const dir = buildRepo(ledgerHistory([1]).commits);
    const t = testIo();
    let code = -1;
    const program = new Command('access-ledger').exitOverride();
    registerVerify(program, t.io, (c) => (code = c));
    await program.parseAsync(['verify', '--repo', dir, '--format', 'json'], { from: 'user' });
    expect(code).toBe(0);
    expect(JSON.parse(t.out())).toMatchObject({ ok: true, records: 1 });
  });
});

describe('verify --online', () => {
  /** The App's sticky comment: its own marker first, then one anchor line per record. */
  interface Said {
    login: string;
    type?: 'User' | 'Bot';
    body: string;
  }
  const markerComment = (records: SealedRecord[]): Said => ({
    login: 'access-ledger[bot]',
    type: 'Bot',
    body: `${COMMENT_MARKER}\nRecorded in the evidence ledger.\n${records.map((r) => formatRecordMarker(r)).join('\n')}`,
  });

  /**
   * acme/access on the fake GitHub with pull requests #1-#5, each with a reviewer's comment and the
   * App's comment anchoring its record, unless `overrides` says what was said on it instead. Returns
   * the environment an auditor's shell would have, and a client.
   */
  async function api(overrides: Record<number, Said[]> = {}) {
    gh = await startFakeGitHub();
    gh.state.createOrg('acme', { members: ['alice', 'auditor'] });
    gh.state.createRepo('acme/access');
    for (let pr = 1; pr <= 5; pr++) {
      const number = gh.state.openPullRequest('acme/access', {
        author: 'alice',
        title: `Access change ${pr}`,
        files: { [`grants/people/p${pr}.yaml`]: `identity:\n  id: p${pr}\n` },
      });
      for (const c of overrides[pr] ?? [{ login: 'alice', body: 'lgtm' }, markerComment([rec(pr)])]) {
        gh.state.createUser(c.login, { type: c.type ?? 'User' });
        gh.state.addComment('acme/access', number, { user: c.login, body: c.body });
      }
    }
    const token = gh.createToken('auditor');
    return { env: { GITHUB_TOKEN: token, GITHUB_API_URL: gh.url }, octokit: new Octokit({ baseUrl: gh.url, auth: token }), fake: gh };
  }
  const COMMENT_READS = 'GET /repos/{owner}/{repo}/issues/{issue_number}/comments';

  it('passes when every anchor matches', async () => {
    const dir = buildRepo(base.commits);
    const { env, fake } = await api();
    const t = testIo(env);
    expect(await runVerify({ repo: dir, online: true }, t.io)).toBe(0);
    expect(t.out()).toMatch(/PR comments: 5 pull requests read, 5\/5 anchors match/);
    expect(fake.callCount(COMMENT_READS)).toBe(5);
  });

  it('catches a force-pushed rewrite that is consistent with itself', async () => {
    let prev = rec(2);
    const resealed: SealedRecord[] = [];
    for (let s = 3; s <= 5; s++) {
      const r = reseal(rec(s), { prev_hash: prev.hash, ...(s === 3 ? { controls: [] } : {}) });
      resealed.push(r);
      prev = r;
    }
    const commits = base.commits.map((c, i) =>
      i === 2
        ? { ...c, files: { ...file(rec(2)), ...file(resealed[0]!), [HEAD_PATH]: serializeHead(headFor(resealed[0]!)) } }
        : i === 3
          ? { ...c, files: { ...file(resealed[1]!), ...file(resealed[2]!), [HEAD_PATH]: serializeHead(headFor(resealed[2]!)) } }
          : c,
    );
    const dir = buildRepo(commits);
    // A human's comment with a marker is not trusted: anyone can comment.
    const { octokit } = await api({
      2: [{ login: 'mallory', body: formatRecordMarker({ key: 'pr-2-merged', seq: 2, hash: 'f'.repeat(64) }) }, markerComment([rec(2)])],
    });
    const t = testIo();
    const code = await runVerify({ repo: dir, online: true, octokit }, t.io);
    expect(code).toBe(1);
    // Offline already: the re-sealed records carry signatures that no longer verify.
    expect(t.out()).toMatch(/BROKEN at seq 3: the signature by key [0-9a-f]{16} does not verify/);
    // And the anchors disagree.
    expect(t.out()).toMatch(
      /seq 3 \[online\] records\/\S+: the ledger's pr-3-merged is seq 3 with hash [0-9a-f]{64}, but the comment by access-ledger\[bot\] on acme\/access#3/,
    );
    expect(t.out()).toMatch(/2\/5 anchors match/);
    expect(t.out()).toMatch(/1 comment with markers by other accounts ignored/);
  });

  it('reads anchors only where the App writes them: not inside a line of its comment, not in a comment that does not start with its marker', async () => {
    const dir = buildRepo(base.commits);
    const spoof = formatRecordMarker({ key: 'pr-1-merged', seq: 1, hash: 'f'.repeat(64) });
    // An older comment whose visible line quoted a role with a marker in it; another bot quoting one on its own line.
    const inline = { ...markerComment([rec(1)]), body: `${markerComment([rec(1)]).body}\n- **seq 1** · (+db/admin ${spoof})` };
    const otherBot: Said = { login: 'quote-bot[bot]', type: 'Bot', body: `Requested role:\n${spoof}` };
    const { env } = await api({ 1: [inline, otherBot] });
    const t = testIo(env);
    expect(await runVerify({ repo: dir, online: true }, t.io)).toBe(0);
    expect(t.out()).toMatch(/5\/5 anchors match/);
  });

  it('catches a record removed from the ledger that a PR comment anchors', async () => {
    const short = ledgerHistory([1, 2]); // seqs 1-3: the same records as the base ledger
    const dir = buildRepo(short.commits);
    const removed = { key: 'pr-3-provisioned-77', seq: 4, hash: 'e'.repeat(64) };
    const { env } = await api({
      1: [markerComment([rec(1)])],
      2: [markerComment([rec(2)])],
      3: [{ ...markerComment([rec(3)]), body: `${COMMENT_MARKER}\n${formatRecordMarker(rec(3))}\n${formatRecordMarker(removed)}` }],
    });
    const t = testIo(env);
    expect(await runVerify({ repo: dir, online: true }, t.io)).toBe(1);
    expect(t.out()).toMatch(
      /BROKEN at seq 4: the comment by access-ledger\[bot\] on acme\/access#3 .*anchors pr-3-provisioned-77 at seq 4 .* the ledger has no record with that key/,
    );
  });
});

describe('a ledger written by LedgerStore verifies with git', () => {
  it('round-trips through the Git Data API fake into a real repository', async () => {
    const fake = await ledgerRepo('roundtrip');
    try {
      const store = new LedgerStore({
        octokit: fake.octokit,
        owner: 'acme',
        repo: 'roundtrip',
        clock: fixedClock(),
        signer: testSigner(),
        trust: null,
        sleep: async () => {},
      });
      const draft = (n: number) => ({
        ...mergedDraft(n, new Date(Date.UTC(2026, 10, 28) + n * 86_400_000).toISOString().slice(0, 19) + 'Z'),
        repository: 'acme/roundtrip',
      });
      await store.append(draft(1));
      await Promise.all(Array.from({ length: 20 }, (_, i) => store.append(draft(2 + i))));
      await store.append([draft(30), draft(31)]);
      await store.append(draft(1)); // redelivery

      // Replay the fake's commits into git, file changes only.
      const shas = fake.history('access-ledger');
      const commits: FixtureCommit[] = shas.map((sha, i) => {
        const before = i === 0 ? new Map<string, string>() : fake.files(shas[i - 1]!);
        const files: Record<string, string | null> = {};
        for (const [p, c] of fake.files(sha)) if (before.get(p) !== c) files[p] = c;
        for (const p of before.keys()) if (!fake.files(sha).has(p)) files[p] = null;
        return { files, message: fake.commit(sha).message };
      });
      const dir = buildRepo(commits);
      const result = await verifyLedger(dir, 'access-ledger');
      expect(result).toMatchObject({ ok: true, records: 23, problem_count: 0 });
      expect(result.commits).toBeLessThanOrEqual(5);
      // Records from November and December: the path follows each event's own month.
      const paths = (await readLedgerRecords(dir)).map((r) => r.path);
      expect(paths.some((p) => p.startsWith('records/2026/11/'))).toBe(true);
      expect(paths.some((p) => p.startsWith('records/2026/12/'))).toBe(true);
    } finally {
      expect(fake.gh.errors).toEqual([]);
      await fake.gh.close();
    }
  });
});

describe('records checked on worker threads', () => {
  const cases: [string, () => FixtureCommit[]][] = [
    ['an intact ledger', () => base.commits],
    ['a record signed for another record', () => [...base.commits, { files: file(reseal(rec(3), { signature: rec(4).signature })), message: 'forge' }]],
    ['a record that is not JSON', () => [...base.commits, { files: { [recordPath(rec(2))]: '{"seq": 2,' }, message: 'break' }]],
    [
      'an edited record',
      () => [...base.commits, { files: { [recordPath(rec(4))]: serializeRecord(rec(4)).replace('"merged_by": "dave"', '"merged_by": "eve"') } }],
    ],
    ['a record added twice under two names', () => [...base.commits, { files: file(reseal(rec(5), { key: 'pr-998-merged' })) }]],
  ];

  it.each(cases)('%s: the same result as on this thread', async (_name, commits) => {
    const dir = buildRepo(commits());
    const { trust } = await ledgerTrustOf(dir);
    const inPlace = await verifyLedger(dir, 'access-ledger', { trust, threads: 0 });
    const onWorkers = await verifyLedger(dir, 'access-ledger', { trust, threads: 2 });
    expect(onWorkers).toEqual(inPlace);
    expect(inPlace.records).toBeGreaterThan(0);
  });

  it.each([0, 2])('a clone missing a record it lists fails to read, naming the fix, and stops (threads: %i)', async (threads) => {
    const dir = buildRepo(base.commits);
    // The loose object of seq 3's record, removed as a broken or partial clone would lack it.
    const blob = execFileSync('git', ['-C', dir, 'rev-parse', `access-ledger:${recordPath(rec(3))}`], { env: GIT_ENV, encoding: 'utf8' }).trim();
    const packDir = join(dir, '.git', 'objects', 'pack');
    for (const pack of readdirSync(packDir).filter((f) => f.endsWith('.pack'))) {
      const bytes = readFileSync(join(packDir, pack));
      rmSync(join(packDir, pack));
      rmSync(join(packDir, pack.replace(/\.pack$/, '.idx')));
      execFileSync('git', ['-C', dir, 'unpack-objects', '-q'], { env: GIT_ENV, input: bytes });
    }
    rmSync(join(dir, '.git', 'objects', blob.slice(0, 2), blob.slice(2)), { force: true });
    const { trust } = await ledgerTrustOf(dir);
    await expect(verifyLedger(dir, 'access-ledger', { trust, threads })).rejects.toThrow(/missing from the clone/);
  });

  it('a file named like a record after a newline is not taken for that record', async () => {
    const next = reseal(rec(5), { seq: 6, prev_hash: rec(5).hash, key: 'pr-996-merged' });
    // fast-import's C-style quoting: the name is a newline, then a record's path.
    const dir = buildRepo([...base.commits, { files: { [`"\\n${recordPath(next)}"`]: serializeRecord(next) } }]);
    const result = await verifyLedger(dir, 'access-ledger');
    expect(result.ok).toBe(false);
    expect(result.problems.map((p) => p.problem)).toContainEqual(expect.stringMatching(/only records\/ files may be added/));
  });

  it('a forged signature fails on workers too', async () => {
    const dir = buildRepo(cases[1]![1]());
    const { trust } = await ledgerTrustOf(dir);
    const result = await verifyLedger(dir, 'access-ledger', { trust, threads: 2 });
    expect(result.ok).toBe(false);
    expect(result.problems.map((p) => p.problem)).toContainEqual(expect.stringMatching(/signature by key \w+ does not verify/));
  });
});

describe('verify at scale', () => {
  it('checks 5,000 records in 500 commits with a fixed number of git processes', async () => {
    const big = ledgerHistory(Array.from({ length: 500 }, () => 10));
    const dir = buildRepo(big.commits);
    const started = Date.now();
    const result = await verifyLedger(dir, 'access-ledger');
    const elapsed = Date.now() - started;
    expect(result).toMatchObject({ ok: true, records: 5000, commits: 501 });
    expect(elapsed).toBeLessThan(15_000);
  }, 60_000);
});
