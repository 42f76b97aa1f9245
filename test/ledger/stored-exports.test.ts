/**
 * Raw exports stored beside access-snapshot records (snapshots/<sha256>.csv|json): the history
 * check accepts them only added, named by their SHA-256 and beside a record; the writer refuses
 * anything else before it reaches GitHub.
 */
import { testSigner } from '../support/ledger-keys.ts';
import { createHash } from 'node:crypto';
import { Octokit } from '@octokit/core';
import { describe, expect, it } from 'vitest';
import { LedgerStore, type LedgerOctokit } from '../../src/adapters/github/ledger-store.ts';
import {
  HEAD_PATH,
  README_PATH,
  accessSnapshotKey,
  emptyHead,
  inspectRecord,
  planAppend,
  recordPath,
  serializeHead,
  serializeRecord,
  snapshotPath,
  verifyHistory,
  type HistoryCommit,
} from '../../src/core/ledger/index.ts';
import { snapshotRecordDraft } from '../../src/core/observe/record.ts';
import { OBSERVED_FORMAT, type ObservedSnapshot } from '../../src/core/observe/types.ts';
import { fixedClock } from './fixtures.ts';

const RAW = 'user,arn\nalice,arn:aws:iam::1:user/alice\n';
const SHA = createHash('sha256').update(RAW).digest('hex');

function snapshot(over: Partial<ObservedSnapshot> = {}): ObservedSnapshot {
  return {
    format: OBSERVED_FORMAT,
    system: 'aws-prod',
    connector: 'aws-iam-credential-report',
    scope: '1',
    taken_at: '2026-11-20T10:00:00Z',
    source: { type: 'file', file: 'report.csv', command: 'aws iam get-credential-report', api: null, calls: null },
    row_count: 1,
    raw_sha256: SHA,
    raw_format: 'csv',
    raw_bytes: RAW.length,
    reports: { roles: false, privileged: false, created: true, last_used: true, credentials: true, mfa: true },
    reports_by_kind: {},
    gaps: [],
    accounts: [],
    ...over,
  };
}

function history(extra: { added?: { path: string; content?: string; sha256?: string }[]; later?: HistoryCommit }): ReturnType<typeof verifyHistory> {
  const plan = planAppend(emptyHead(), [snapshotRecordDraft(snapshot(), 'acme/access', 'f'.repeat(64))], fixedClock());
  const record = plan.records[0]!;
  const commits: HistoryCommit[] = [
    {
      sha: 'a'.repeat(40),
      added: [
        { path: README_PATH, content: '#' },
        { path: HEAD_PATH, content: serializeHead(emptyHead()) },
      ],
      modified: [],
      deleted: [],
    },
    {
      sha: 'b'.repeat(40),
      parents: ['a'.repeat(40)],
      added: [{ path: recordPath(record), content: serializeRecord(record) }, ...(extra.added ?? [])],
      modified: [{ path: HEAD_PATH, content: serializeHead(plan.head) }],
      deleted: [],
    },
  ];
  if (extra.later) commits.push(extra.later);
  return verifyHistory(commits);
}

describe('the access-snapshot record', () => {
  it('names the listing and where its raw export is stored; its key is the system and the second it was taken', () => {
    const draft = snapshotRecordDraft(snapshot(), 'acme/access', 'f'.repeat(64));
    expect(draft.key).toBe('snapshot-aws-prod-20261120T100000Z');
    expect(accessSnapshotKey('aws-prod', '2026-11-20T10:00:00Z')).toBe(draft.key);
    expect(recordPath(draft)).toBe('records/2026/11/20/snapshot-aws-prod-20261120T100000Z.json');
    expect(draft.subject).toMatchObject({
      system: 'aws-prod',
      raw_path: `snapshots/${SHA}.csv`,
      raw_sha256: SHA,
      row_count: 1,
      account_count: 0,
      extraction: { type: 'file', command: 'aws iam get-credential-report' },
    });
    const [sealed] = planAppend(emptyHead(), [draft], fixedClock()).records;
    expect(inspectRecord(recordPath(sealed!), serializeRecord(sealed!)).summary?.raw_path).toBe(`snapshots/${SHA}.csv`);
  });

  it.each([
    ['a stored export beside its record', [{ path: snapshotPath(SHA, 'csv'), content: RAW }], []],
    ['one whose digest the reader computed from its bytes', [{ path: snapshotPath(SHA, 'csv'), sha256: SHA }], []],
    ['one whose content is not what its name says', [{ path: snapshotPath(SHA, 'csv'), content: `${RAW}mallory,arn\n` }], [/does not match its name/]],
    ['one under another name', [{ path: 'snapshots/report.csv', content: RAW }], [/stored exports are named snapshots\/<sha256>\.csv or \.json/]],
    ['another file entirely', [{ path: 'notes.txt', content: 'x' }], [/only records\/ files may be added/]],
  ])('history: %s', (_, added, problems) => {
    const r = history({ added });
    expect(r.problems.map((p) => p.problem)).toEqual(problems.map((m) => expect.stringMatching(m)));
  });

  it.each([
    ['edited afterwards', { modified: [{ path: snapshotPath(SHA, 'csv') }], deleted: [], added: [] }, /modifies snapshots\//],
    ['deleted afterwards', { modified: [], deleted: [{ path: snapshotPath(SHA, 'csv') }], added: [] }, /deletes snapshots\//],
    [
      'added later without a record',
      { modified: [], deleted: [], added: [{ path: snapshotPath(createHash('sha256').update('x').digest('hex'), 'json'), content: 'x' }] },
      /without a record/,
    ],
  ])('history: a stored export %s is a problem', (_, change, message) => {
    const r = history({ added: [{ path: snapshotPath(SHA, 'csv'), content: RAW }], later: { sha: 'c'.repeat(40), parents: ['b'.repeat(40)], ...change } });
    expect(r.problems.map((p) => p.problem)).toEqual([expect.stringMatching(message)]);
  });
});

describe('the writer refuses attachments that are not stored exports', () => {
  const octokit = new Octokit({ auth: 'x', request: { retries: 0 } }) as unknown as LedgerOctokit;
  const store = new LedgerStore({ octokit, owner: 'acme', repo: 'attach', clock: fixedClock(), signer: testSigner(), trust: null });
  const draft = snapshotRecordDraft(snapshot(), 'acme/attach', 'f'.repeat(64));

  it.each([
    ['a path outside snapshots/', { path: 'records/x.json', content: Buffer.from(RAW) }, /attachments are snapshots\/<sha256>\.csv or \.json/],
    ['content that is not what its name says', { path: snapshotPath(SHA, 'csv'), content: Buffer.from('other') }, /its content's SHA-256 is/],
  ])('%s', async (_, attachment, message) => {
    await expect(store.append(draft, { attachments: [attachment] })).rejects.toThrow(message);
  });
});
