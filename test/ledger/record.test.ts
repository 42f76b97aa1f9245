import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  LedgerFormatError,
  appendCommitMessage,
  canonicalRecord,
  emptyHead,
  grantChangeKey,
  hashRecord,
  headFor,
  identityLeftOrgKey,
  parseHead,
  provisionedKey,
  RECORD_PATH_RE,
  isMonthRecordPath,
  monthRecordPath,
  recordPath,
  recordPathCandidates,
  reviewCampaignKey,
  sealRecord,
  serializeHead,
  serializeRecord,
  unapprovedMergeKey,
  type RecordDraft,
} from '../../src/core/ledger/index.ts';
import { mergedDraft } from './fixtures.ts';

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

describe('hashRecord', () => {
  it('is SHA-256 of the RFC 8785 form without hash: sorted keys, no spaces', () => {
    const record = { seq: 2, kind: 'x', hash: 'ignored', subject: { b: 1, a: 'é' }, prev_hash: null };
    const canonical = '{"kind":"x","prev_hash":null,"seq":2,"subject":{"a":"é","b":1}}';
    expect(canonicalRecord(record)).toBe(canonical);
    expect(hashRecord(record)).toBe(sha256(canonical));
  });

  it('does not depend on key order or on the hash field', () => {
    expect(hashRecord({ a: 1, b: [1, 2], hash: 'x' })).toBe(hashRecord({ b: [1, 2], a: 1 }));
  });

  it('changes with any field', () => {
    expect(hashRecord({ a: 1 })).not.toBe(hashRecord({ a: 2 }));
  });
});

describe('recordPath', () => {
  it.each([
    [{ key: 'pr-45-merged', occurred_at: '2026-11-20T10:00:00Z' }, 'records/2026/11/20/pr-45-merged.json', 'records/2026/11/pr-45-merged.json'],
    [{ key: 'pr-7-unapproved', occurred_at: '2027-01-01T00:00:00.123Z' }, 'records/2027/01/01/pr-7-unapproved.json', 'records/2027/01/pr-7-unapproved.json'],
    // The event's own day, even one second before midnight UTC at a month's end.
    [
      { key: 'left-bob-20261130T235959Z', occurred_at: '2026-11-30T23:59:59Z', kind: 'identity-left-org' },
      'records/2026/11/30/left-bob-20261130T235959Z.json',
      'records/2026/11/left-bob-20261130T235959Z.json',
    ],
  ])('%o -> %s (before day folders: %s)', (event, path, month) => {
    expect(recordPath(event)).toBe(path);
    expect(monthRecordPath(event)).toBe(month);
    expect(RECORD_PATH_RE.test(path) && RECORD_PATH_RE.test(month)).toBe(true);
    expect([isMonthRecordPath(path), isMonthRecordPath(month)]).toEqual([false, true]);
  });

  const at = (seq: number, day_folders?: { from_seq: number; since: string }) => ({
    format: 'access-ledger/head@1' as const,
    seq,
    hash: seq ? 'a'.repeat(64) : null,
    path: seq ? 'records/2026/11/pr-1-merged.json' : null,
    ...(day_folders ? { day_folders } : {}),
  });
  it.each([
    ['no head read (where to look is unknown): both', null, '2026-01-01T00:00:00Z', 2],
    ['an empty ledger: day folders only', at(0), '2026-01-01T00:00:00Z', 1],
    ['a ledger from before day folders: both, whenever the event happened', at(7), '2030-01-01T00:00:00Z', 2],
    ['day folders from seq 1: day folders only', at(7, { from_seq: 1, since: '2026-11-20T10:00:00Z' }), '2026-01-01T00:00:00Z', 1],
    ['an event before the switch: both', at(9, { from_seq: 8, since: '2026-11-20T10:00:00Z' }), '2026-11-19T10:00:00Z', 2],
    ['an event a day after the switch at most (clock slack): both', at(9, { from_seq: 8, since: '2026-11-20T10:00:00Z' }), '2026-11-21T10:00:00Z', 2],
    ['an event well after the switch: day folders only', at(9, { from_seq: 8, since: '2026-11-20T10:00:00Z' }), '2026-11-21T10:00:01Z', 1],
  ])('recordPathCandidates: %s', (_name, head, occurred_at, count) => {
    const got = recordPathCandidates(head, { key: 'pr-45-merged', occurred_at });
    expect(got).toHaveLength(count);
    expect(got[0]).toBe(recordPath({ key: 'pr-45-merged', occurred_at }));
  });

  it.each([
    [{ key: '../x', occurred_at: '2026-11-20T10:00:00Z' }, /invalid record key/],
    [{ key: 'a/b', occurred_at: '2026-11-20T10:00:00Z' }, /invalid record key/],
    [{ key: '', occurred_at: '2026-11-20T10:00:00Z' }, /invalid record key/],
    [{ key: 'pr-1-merged', occurred_at: '2026-11-20T10:00:00+01:00' }, /invalid occurred_at/],
    [{ key: 'pr-1-merged', occurred_at: '2026-11-20' }, /invalid occurred_at/],
    [{ key: 'pr-1-merged', occurred_at: '2026-02-30T10:00:00Z' }, /invalid occurred_at/],
  ])('refuses %o', (event, message) => {
    expect(() => recordPath(event)).toThrow(message);
  });
});

describe('keys', () => {
  it.each([
    [grantChangeKey(45), 'pr-45-merged'],
    [unapprovedMergeKey(45), 'pr-45-unapproved'],
    [provisionedKey(45, 9001), 'pr-45-provisioned-9001'],
    [reviewCampaignKey(12), 'pr-12-review-campaign'],
    [identityLeftOrgKey('Bob-Smith', '2026-11-20T10:00:00Z'), 'left-bob-smith-20261120T100000Z'],
    [identityLeftOrgKey('bob', '2026-11-20T10:00:00.999Z'), 'left-bob-20261120T100000Z'],
  ])('%s', (key, expected) => {
    expect(key).toBe(expected);
  });

  it('refuses bad inputs', () => {
    expect(() => grantChangeKey(0)).toThrow(LedgerFormatError);
    expect(() => provisionedKey(1, 1.5)).toThrow(LedgerFormatError);
    expect(() => identityLeftOrgKey('../x', '2026-11-20T10:00:00Z')).toThrow(LedgerFormatError);
  });
});

describe('sealRecord', () => {
  it('starts the chain at seq 1 with prev_hash null', () => {
    const r = sealRecord(mergedDraft(45), null, new Date('2026-11-20T10:00:03.456Z'));
    expect(r).toMatchObject({
      format: 'access-ledger/record@1',
      kind: 'grant-change',
      key: 'pr-45-merged',
      seq: 1,
      prev_hash: null,
      recorded_at: '2026-11-20T10:00:03Z',
    });
    expect(r.hash).toBe(hashRecord(r));
    expect(sealRecord(mergedDraft(45), { seq: 0, hash: null }, '2026-11-20T10:00:03Z')).toEqual(r);
  });

  it('chains after the previous record', () => {
    const a = sealRecord(mergedDraft(45), null, '2026-11-20T10:00:03Z');
    const b = sealRecord(mergedDraft(46), a, '2026-11-20T10:00:04Z');
    expect(b.seq).toBe(2);
    expect(b.prev_hash).toBe(a.hash);
  });

  it('writes fields in the documented order and a trailing newline', () => {
    const r = sealRecord(mergedDraft(45), null, '2026-11-20T10:00:03Z');
    const text = serializeRecord(r);
    expect(Object.keys(JSON.parse(text) as object)).toEqual([
      'format',
      'kind',
      'key',
      'seq',
      'prev_hash',
      'occurred_at',
      'recorded_at',
      'repository',
      'controls',
      'subject',
      'hash',
    ]);
    expect(text.endsWith('}\n')).toBe(true);
    expect(text).toContain('\n  "seq": 1,\n');
  });

  it('copies the subject so later mutation cannot change a sealed record', () => {
    const draft = mergedDraft(45);
    const r = sealRecord(draft, null, '2026-11-20T10:00:03Z');
    draft.subject.pr.title = 'changed';
    expect(r.subject.pr.title).not.toBe('changed');
    expect(hashRecord(r)).toBe(r.hash);
  });

  it('drops undefined properties, as the stored JSON would', () => {
    const draft = mergedDraft(45);
    (draft.subject as unknown as Record<string, unknown>).extra = undefined;
    const r = sealRecord(draft, null, '2026-11-20T10:00:03Z');
    expect('extra' in r.subject).toBe(false);
    expect(hashRecord(JSON.parse(serializeRecord(r)) as object)).toBe(r.hash);
  });

  const bad = (patch: (d: RecordDraft<'grant-change'>) => void) => {
    const d = mergedDraft(45);
    patch(d);
    return d;
  };
  it.each([
    ['fractional number', bad((d) => ((d.subject as unknown as Record<string, unknown>).ratio = 0.5)), /only integers/],
    ['unsafe integer', bad((d) => ((d.subject as unknown as Record<string, unknown>).id = 2 ** 60)), /only integers/],
    ['NaN', bad((d) => ((d.subject as unknown as Record<string, unknown>).n = Number.NaN)), /only integers/],
    ['Date', bad((d) => ((d.subject as unknown as Record<string, unknown>).at = new Date())), /not a plain object/],
    ['function', bad((d) => ((d.subject as unknown as Record<string, unknown>).f = () => 1)), /JSON cannot hold/],
    ['lone surrogate', bad((d) => (d.subject.pr.title = '\ud800')), /lone surrogate/],
    ['bad kind', bad((d) => ((d as unknown as Record<string, unknown>).kind = 'Grant Change')), /invalid record kind/],
    ['bad repository', bad((d) => (d.repository = 'access')), /owner\/repo/],
    ['bad controls', bad((d) => (d.controls = [''])), /controls/],
    ['subject array', bad((d) => ((d as unknown as Record<string, unknown>).subject = [])), /subject must be an object/],
  ])('refuses a draft with %s', (_name, draft, message) => {
    expect(() => sealRecord(draft, null, '2026-11-20T10:00:03Z')).toThrow(message);
  });

  it('refuses a previous record without a hash', () => {
    expect(() => sealRecord(mergedDraft(45), { seq: 3, hash: null }, '2026-11-20T10:00:03Z')).toThrow(/no valid hash/);
  });
});

describe('head.json', () => {
  it('round-trips the empty head and a record head', () => {
    expect(parseHead(serializeHead(emptyHead()))).toEqual(emptyHead());
    const r = sealRecord(mergedDraft(45), null, '2026-11-20T10:00:03Z');
    const head = headFor(r);
    expect(head).toEqual({
      format: 'access-ledger/head@1',
      seq: 1,
      hash: r.hash,
      path: 'records/2026/11/20/pr-45-merged.json',
      day_folders: { from_seq: 1, since: '2026-11-20T10:00:03Z' },
    });
    expect(parseHead(serializeHead(head))).toEqual(head);
    // A head written before day folders has no day_folders; the first append after it names where they start.
    const old = { format: 'access-ledger/head@1' as const, seq: 1, hash: r.hash, path: 'records/2026/11/pr-45-merged.json' };
    expect(parseHead(JSON.stringify(old))).toEqual(old);
    const next = sealRecord(mergedDraft(46), r, '2026-12-01T08:00:00Z');
    expect(headFor(next, old).day_folders).toEqual({ from_seq: 2, since: '2026-12-01T08:00:00Z' });
    expect(headFor(sealRecord(mergedDraft(47), next, '2026-12-02T08:00:00Z'), headFor(next, old)).day_folders).toEqual({
      from_seq: 2,
      since: '2026-12-01T08:00:00Z',
    });
  });

  it.each([
    ['{', /not valid JSON/],
    ['[]', /not a JSON object/],
    ['{"format":"x","seq":0,"hash":null,"path":null}', /format/],
    ['{"format":"access-ledger/head@1","seq":-1,"hash":null,"path":null}', /seq/],
    ['{"format":"access-ledger/head@1","seq":0,"hash":"ab","path":null}', /seq 0/],
    ['{"format":"access-ledger/head@1","seq":2,"hash":"ab","path":"records/2026/11/a.json"}', /hash/],
    [
      `{"format":"access-ledger/head@1","seq":2,"hash":"${'a'.repeat(64)}","path":"records/2026/11/02/a.json","day_folders":null}`,
      /day_folders is not an object/,
    ],
    [
      `{"format":"access-ledger/head@1","seq":2,"hash":"${'a'.repeat(64)}","path":"records/2026/11/02/a.json","day_folders":{"from_seq":3,"since":"2026-11-02T00:00:00Z"}}`,
      /from_seq/,
    ],
    [
      `{"format":"access-ledger/head@1","seq":2,"hash":"${'a'.repeat(64)}","path":"records/2026/11/02/a.json","day_folders":{"from_seq":1,"since":"yesterday"}}`,
      /since/,
    ],
  ])('refuses %s', (content, message) => {
    expect(() => parseHead(content)).toThrow(message);
  });
});

describe('appendCommitMessage', () => {
  it('names every seq and key', () => {
    const a = sealRecord(mergedDraft(45), null, '2026-11-20T10:00:03Z');
    const b = sealRecord(mergedDraft(46), a, '2026-11-20T10:00:03Z');
    expect(appendCommitMessage([a])).toBe(`Record seq 1: pr-45-merged\n\nseq 1 pr-45-merged ${a.hash}\n`);
    expect(appendCommitMessage([a, b])).toMatch(/^Record seq 1-2: 2 records\n\nseq 1 pr-45-merged [0-9a-f]{64}\nseq 2 pr-46-merged [0-9a-f]{64}\n$/);
  });
});

describe('the hand recipe in docs/ledger.md', () => {
  it('reproduces the hash with JSON.stringify of deep-sorted keys, even for awkward strings', () => {
    const d = mergedDraft(45);
    d.subject.pr.title = 'Grant é — 日本 😀 \t "quoted" \\ \u0001 \u007f \u2028 </script>';
    const r = sealRecord(d, { seq: 11, hash: 'a'.repeat(64) }, '2026-11-20T10:00:03Z');
    const { hash, ...rest } = JSON.parse(serializeRecord(r)) as Record<string, unknown>;
    const sort = (v: unknown): unknown =>
      Array.isArray(v)
        ? v.map(sort)
        : v !== null && typeof v === 'object'
          ? Object.fromEntries(
              Object.keys(v)
                .sort()
                .map((k) => [k, sort((v as Record<string, unknown>)[k])]),
            )
          : v;
    expect(sha256(JSON.stringify(sort(rest)))).toBe(hash);
    expect(JSON.stringify(sort(rest))).toBe(canonicalRecord(r));
  });
});
