import { describe, expect, it } from 'vitest';
import {
  HEAD_PATH,
  README_PATH,
  emptyHead,
  hashRecord,
  headFor,
  inspectRecord,
  parseRecordMarkers,
  formatRecordMarker,
  planAppend,
  recordPath,
  serializeHead,
  serializeRecord,
  verifyChain,
  verifyHead,
  verifyHistory,
  verifyLedgerState,
  folderProblems,
  monthRecordPath,
  type FileEntry,
  type HistoryCommit,
  type SealedRecord,
} from '../../src/core/ledger/index.ts';
import { fixedClock, mergedDraft } from './fixtures.ts';

function chain(n: number): SealedRecord[] {
  return planAppend(
    emptyHead(),
    Array.from({ length: n }, (_, i) => mergedDraft(100 + i)),
    fixedClock(),
  ).records;
}
const entry = (r: SealedRecord): FileEntry => ({ path: recordPath(r), content: serializeRecord(r) });
const resealed = (r: Record<string, unknown>) => ({ ...r, hash: hashRecord(r) }) as unknown as SealedRecord;

describe('inspectRecord', () => {
  const [r] = chain(1);
  it('accepts a sealed record at its path', () => {
    const got = inspectRecord(recordPath(r!), serializeRecord(r!));
    expect(got.problem).toBeNull();
    expect(got.summary).toMatchObject({ seq: 1, key: 'pr-100-merged', pr: 100, hash: r!.hash });
  });

  it.each([
    ['records/2026/11/x.txt', '{}', null, /not a record path/],
    ['records/2026/11/pr-100-merged.json', '{', null, /not valid JSON/],
    ['records/2026/11/pr-100-merged.json', '[]', null, /not a JSON object/],
    ['records/2026/11/pr-100-merged.json', '{"seq":0}', null, /seq/],
    ['records/2026/11/pr-100-merged.json', '{"seq":1,"format":"other"}', 1, /format/],
  ])('%s %s', (path, content, seq, message) => {
    const got = inspectRecord(path, content);
    expect(got.problem?.seq).toBe(seq);
    expect(got.problem?.problem).toMatch(message);
  });

  it('catches an edit, keeping the stated hash for the chain check', () => {
    const edited = serializeRecord(r!).replace('"merged_by": "dave"', '"merged_by": "mallory"');
    expect(edited).not.toBe(serializeRecord(r!));
    const got = inspectRecord(recordPath(r!), edited);
    expect(got.problem).toMatchObject({ seq: 1, check: 'record' });
    expect(got.problem?.problem).toMatch(/hash mismatch/);
    expect(got.summary?.hash).toBe(r!.hash);
  });

  it('catches a record moved to another path', () => {
    const got = inspectRecord('records/2026/10/pr-100-merged.json', serializeRecord(r!));
    expect(got.problem?.problem).toMatch(/wrong path.*records\/2026\/11\/pr-100-merged.json/);
    const day = inspectRecord('records/2026/11/21/pr-100-merged.json', serializeRecord(r!));
    expect(day.problem?.problem).toMatch(/wrong path.*records\/2026\/11\/20\/pr-100-merged.json/);
  });
});

describe('folderProblems: which records are in month folders and which in day folders', () => {
  const rs = chain(4);
  const month = (r: SealedRecord): FileEntry => ({ path: monthRecordPath(r), content: serializeRecord(r) });
  // A ledger written before day folders (records 1-2, head without day_folders), then appended to.
  const oldHead = { format: 'access-ledger/head@1' as const, seq: 2, hash: rs[1]!.hash, path: monthRecordPath(rs[1]!) };
  const upgraded = headFor(rs[3]!, headFor(rs[2]!, oldHead));
  const state = (files: FileEntry[], head: object) => verifyLedgerState({ records: files, head: serializeHead(head as never) });
  it.each([
    ['a new ledger: every record in a day folder', () => state(rs.map(entry), headFor(rs[3]!)), null],
    ['a ledger from before day folders: every record in a month folder', () => state(rs.slice(0, 2).map(month), oldHead), null],
    [
      'an upgraded ledger: month folders up to the switch, day folders after',
      () => state([month(rs[0]!), month(rs[1]!), entry(rs[2]!), entry(rs[3]!)], upgraded),
      null,
    ],
    [
      'a record after the switch in a month folder',
      () => state([month(rs[0]!), month(rs[1]!), month(rs[2]!), entry(rs[3]!)], upgraded),
      /seq 3.*in a month folder, but head.json says records from seq 3 are in day folders/,
    ],
    [
      'a record before the switch in a day folder',
      () => state([month(rs[0]!), entry(rs[1]!), entry(rs[2]!), entry(rs[3]!)], upgraded),
      /seq 2.*in a day folder, but head.json says day folders start at seq 3/,
    ],
    ['a day folder under a head that names none', () => state([month(rs[0]!), entry(rs[1]!)], oldHead), /seq 2.*head.json names no day folders/],
    [
      "a switch whose time is not its record's",
      () => state(rs.map(entry), { ...headFor(rs[3]!), day_folders: { from_seq: 1, since: '2020-01-01T00:00:00Z' } }),
      /day_folders.since is 2020-01-01T00:00:00Z, but seq 1/,
    ],
  ])('%s', (_name, run, message) => {
    const got = run();
    if (message === null) expect(got.problems).toEqual([]);
    else expect(got.problems.map((p) => `seq ${p.seq} ${p.problem}`).join('\n')).toMatch(message);
  });

  it('refuses one key stored twice, once in each layout', () => {
    const twin = planAppend(headFor(rs[1]!), [mergedDraft(100)], fixedClock()).records[0]!;
    // Not the App's behaviour (it finds the month folder's record first); what a forger could leave.
    const summaries = [
      inspectRecord(monthRecordPath(rs[0]!), serializeRecord(rs[0]!)).summary!,
      { ...inspectRecord(recordPath(twin), serializeRecord(twin)).summary!, seq: 2 },
    ];
    const head = serializeHead({ ...headFor(twin), day_folders: { from_seq: 2, since: twin.recorded_at } });
    expect(folderProblems(head, summaries).map((p) => p.problem)).toEqual([`key pr-100-merged is stored twice: seq 1 is ${monthRecordPath(rs[0]!)}`]);
  });
});

describe('verifyChain', () => {
  const rs = chain(5);
  type Case = { name: string; files: () => FileEntry[]; seq: number | null; message: RegExp };
  const cases: Case[] = [
    {
      name: 'an edited record',
      files: () => rs.map((r, i) => (i === 2 ? { ...entry(r), content: entry(r).content.replace('alice', 'mallory') } : entry(r))),
      seq: 3,
      message: /hash mismatch/,
    },
    {
      name: 'an edited record re-hashed',
      files: () => rs.map((r, i) => (i === 2 ? entry(resealed({ ...r, controls: [] })) : entry(r))),
      seq: 4,
      message: /prev_hash .* does not match the hash of seq 3/,
    },
    { name: 'a deleted record', files: () => rs.filter((_, i) => i !== 1).map(entry), seq: 2, message: /seq 2 is missing: after seq 1 .* comes seq 3/ },
    { name: 'the first record deleted', files: () => rs.slice(1).map(entry), seq: 1, message: /seq 1 is missing: at the start/ },
    { name: 'two deleted', files: () => [rs[0]!, rs[3]!, rs[4]!].map(entry), seq: 2, message: /seqs 2-3 are missing/ },
    {
      name: 'an inserted duplicate seq',
      files: () => [...rs.map(entry), entry(resealed({ ...rs[2]!, key: 'pr-999-merged' }))],
      seq: 3,
      message: /seq 3 is claimed twice/,
    },
    {
      name: 'two records swapped between paths',
      files: () =>
        rs.map((r, i) =>
          i === 1 ? { path: entry(r).path, content: entry(rs[2]!).content } : i === 2 ? { path: entry(r).path, content: entry(rs[1]!).content } : entry(r),
        ),
      seq: 2,
      message: /wrong path/,
    },
    {
      name: 'two records with their seqs swapped and re-hashed',
      files: () => rs.map((r, i) => (i === 1 ? entry(resealed({ ...r, seq: 3 })) : i === 2 ? entry(resealed({ ...r, seq: 2 })) : entry(r))),
      seq: 2,
      message: /prev_hash/,
    },
    { name: 'seq 1 with a prev_hash', files: () => [entry(resealed({ ...rs[0]!, prev_hash: 'f'.repeat(64) }))], seq: 1, message: /prev_hash null/ },
  ];

  it('accepts an intact chain in any order', () => {
    const got = verifyChain([...rs].reverse().map(entry));
    expect(got).toMatchObject({ ok: true, count: 5, first: null });
    expect(got.last?.seq).toBe(5);
  });

  it('accepts an empty ledger', () => {
    expect(verifyChain([])).toMatchObject({ ok: true, count: 0, last: null });
  });

  it.each(cases)('finds $name', ({ files, seq, message }) => {
    const got = verifyChain(files());
    expect(got.ok).toBe(false);
    expect(got.first?.seq).toBe(seq);
    expect(got.first?.problem).toMatch(message);
  });
});

describe('verifyHead', () => {
  const rs = chain(3);
  const summaries = verifyChain(rs.map(entry));
  it.each([
    ['matches', serializeHead(headFor(rs[2]!)), null, null],
    ['missing', null, 3, /missing/],
    ['broken', '{', 3, /not valid JSON/],
    ['behind', serializeHead(headFor(rs[1]!)), 3, /says seq 2 but the chain goes on to seq 3/],
    ['ahead', serializeHead({ ...headFor(rs[2]!), seq: 5 }), 4, /records were removed/],
    ['wrong hash', serializeHead({ ...headFor(rs[2]!), hash: 'e'.repeat(64) }), 3, /hash/],
  ])('%s', (_name, content, seq, message) => {
    const got = verifyHead(content, summaries.last);
    if (message === null) expect(got).toBeNull();
    else {
      expect(got?.seq).toBe(seq);
      expect(got?.problem).toMatch(message);
    }
  });

  it('an empty ledger has head seq 0', () => {
    expect(verifyHead(serializeHead(emptyHead()), null)).toBeNull();
  });
});

/** Commits as the store writes them: a genesis commit, then appends of `sizes[i]` records. */
function history(sizes: number[]): { commits: HistoryCommit[]; records: SealedRecord[] } {
  const commits: HistoryCommit[] = [
    { sha: 'g'.repeat(40), parents: [], added: [{ path: README_PATH }, { path: HEAD_PATH, content: serializeHead(emptyHead()) }], modified: [], deleted: [] },
  ];
  let head = emptyHead();
  const records: SealedRecord[] = [];
  let pr = 1;
  sizes.forEach((n, i) => {
    const plan = planAppend(
      head,
      Array.from({ length: n }, () => mergedDraft(pr++)),
      fixedClock(),
    );
    head = plan.head;
    records.push(...plan.records);
    commits.push({
      sha: String(i).padStart(40, '0'),
      parents: [commits[commits.length - 1]!.sha],
      added: plan.records.map(entry),
      modified: [{ path: HEAD_PATH, content: serializeHead(head) }],
      deleted: [],
    });
  });
  return { commits, records };
}

describe('verifyHistory', () => {
  const base = history([1, 3, 1]); // seqs 1 | 2 3 4 | 5
  const rec = (seq: number) => base.records[seq - 1]!;
  const headAt = (seq: number) => ({ path: HEAD_PATH, content: serializeHead(headFor(rec(seq))) });
  const later = (c: Partial<HistoryCommit>): HistoryCommit[] => [
    ...base.commits,
    { sha: 'f'.repeat(40), parents: ['p'], added: [], modified: [], deleted: [], ...c },
  ];

  it('accepts a history of appends', () => {
    expect(verifyHistory(base.commits)).toEqual({ commits: 4, maxSeq: 5, problems: [] });
  });

  const next = planAppend(headFor(rec(5)), [mergedDraft(900)], fixedClock()).records[0]!;
  it('accepts a further append', () => {
    expect(verifyHistory(later({ added: [entry(next)], modified: [{ path: HEAD_PATH, content: serializeHead(headFor(next)) }] })).problems).toEqual([]);
  });

  it.each([
    {
      name: 'a later commit modifying an earlier record',
      commits: later({ modified: [{ ...entry(rec(2)), content: '{}' }, headAt(5)] }),
      seq: 2,
      message: /modifies a record/,
    },
    {
      name: 'a commit deleting a record',
      commits: later({ deleted: [{ path: entry(rec(3)).path }], modified: [headAt(5)] }),
      seq: 3,
      message: /deletes a record/,
    },
    {
      name: 'a commit inserting a record below the head',
      commits: later({ added: [entry(resealedAt(rec(3), 'pr-999-merged'))], modified: [headAt(5)] }),
      seq: 3,
      message: /inserts seq 3, but the ledger had already reached seq 5/,
    },
    {
      name: 'a commit skipping a seq',
      commits: later({ added: [entry(resealed({ ...next, seq: 7 }))], modified: [{ path: HEAD_PATH, content: serializeHead({ ...headFor(next), seq: 7 }) }] }),
      seq: 6,
      message: /seq 6 was skipped/,
    },
    {
      name: 'a commit rewriting head.json only',
      commits: later({ modified: [headAt(4)] }),
      seq: 5,
      message: /head.json says seq 4 but the chain goes on to seq 5/,
    },
    { name: 'an append that leaves head.json alone', commits: later({ added: [entry(next)] }), seq: 6, message: /without updating head.json/ },
    { name: 'a commit deleting head.json', commits: later({ deleted: [{ path: HEAD_PATH }] }), seq: null, message: /deletes head.json/ },
    { name: 'a commit touching another file', commits: later({ modified: [{ path: README_PATH }] }), seq: null, message: /modifies README.md/ },
    { name: 'a commit adding another file', commits: later({ added: [{ path: '.github/x.yml' }] }), seq: null, message: /adds .github\/x.yml/ },
    { name: 'a merge commit', commits: later({ parents: ['a', 'b'] }), seq: null, message: /is a merge/ },
    {
      name: 'a re-added record',
      commits: [...later({ deleted: [{ path: entry(rec(2)).path }] }), { sha: 'e'.repeat(40), added: [entry(rec(2))], modified: [], deleted: [] }],
      seq: 2,
      message: /deletes a record/,
    },
  ])('finds $name', ({ commits, seq, message }) => {
    const got = verifyHistory(commits);
    expect(got.problems.length).toBeGreaterThan(0);
    expect(got.problems[0]!.seq).toBe(seq);
    expect(got.problems[0]!.problem).toMatch(message);
    expect(got.problems[0]!.commit).toBeDefined();
  });

  it('reports the re-adding commit too', () => {
    const commits = [...later({ deleted: [{ path: entry(rec(2)).path }] }), { sha: 'e'.repeat(40), added: [entry(rec(2))], modified: [], deleted: [] }];
    expect(verifyHistory(commits).problems.map((p) => p.problem)).toContainEqual(expect.stringMatching(/^commit eeeeeeeeeeee re-adds a record/));
  });
});

function resealedAt(r: SealedRecord, key: string): SealedRecord {
  return resealed({ ...r, key });
}

describe('verifyLedgerState', () => {
  it('combines the checks and names the lowest seq first', () => {
    const { commits, records } = history([2, 2]);
    const files = records.map(entry);
    files[1] = { ...files[1]!, content: files[1]!.content.replace('dave', 'mallory') };
    const got = verifyLedgerState({ records: files, head: serializeHead(headFor(records[3]!)), commits });
    expect(got.ok).toBe(false);
    expect(got.first).toMatchObject({ seq: 2, check: 'record' });
    expect(got).toMatchObject({ records: 4, commits: 3 });
  });

  it('passes an intact ledger', () => {
    const { commits, records } = history([2, 2]);
    expect(verifyLedgerState({ records: records.map(entry), head: serializeHead(headFor(records[3]!)), commits })).toMatchObject({
      ok: true,
      records: 4,
      problems: [],
    });
  });
});

describe('record markers', () => {
  it('round-trips and ignores other comments', () => {
    const marker = formatRecordMarker({ key: 'pr-45-merged', seq: 12, hash: 'a'.repeat(64) });
    expect(marker).toBe(`<!-- access-ledger:record key=pr-45-merged seq=12 hash=${'a'.repeat(64)} -->`);
    const body = `Recorded.\n${marker}\n<!-- other -->\n<!-- access-ledger:record key=pr-45-provisioned-7 seq=13 hash=${'b'.repeat(64)} -->`;
    expect(parseRecordMarkers(body)).toEqual([
      { key: 'pr-45-merged', seq: 12, hash: 'a'.repeat(64) },
      { key: 'pr-45-provisioned-7', seq: 13, hash: 'b'.repeat(64) },
    ]);
    expect(() => formatRecordMarker({ key: 'x -->', seq: 1, hash: 'a'.repeat(64) })).toThrow();
  });
});
