/**
 * Real git repositories for the verify tests, built with one `git fast-import` per repo so a
 * ledger of thousands of records is quick to make. Identity comes from the environment so git
 * works without any global config.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  HEAD_PATH,
  README_PATH,
  emptyHead,
  planAppend,
  recordPath,
  serializeHead,
  serializeRecord,
  type LedgerHead,
  type RecordDraft,
  type SealedRecord,
} from '../../src/core/ledger/index.ts';
import { fixedClock, mergedDraft } from './fixtures.ts';
import { APP_LOGIN, ledgerYaml, testSigner } from '../support/ledger-keys.ts';

/** The App's bot identity, as GitHub writes it on the commits the App makes. */
export const APP_COMMITTER = `${APP_LOGIN} <4243+${APP_LOGIN}@users.noreply.github.com>`;

/** The access repo's config: it names the App and lists the test signing key. */
export const TRUSTING_CONFIG = `version: 1\n${ledgerYaml()}`;

export const GIT_ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: 'access-ledger test',
  GIT_AUTHOR_EMAIL: 'test@example.invalid',
  GIT_COMMITTER_NAME: 'access-ledger test',
  GIT_COMMITTER_EMAIL: 'test@example.invalid',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
};

/** One commit: files to write (null deletes); `merge` joins another branch's tip into it. */
export interface FixtureCommit {
  files: Record<string, string | null>;
  message?: string;
  merge?: string;
  /** `Name <email>` of author and committer (default: the App's bot on the ledger branch). */
  who?: string;
  /** Unix seconds of the commit (default: one second after the previous commit). */
  time?: number;
}

const dirs: string[] = [];

export function tempDir(prefix = 'ledger-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

export function cleanupTempDirs(): void {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

/**
 * A repo with a `main` branch holding the config (`config`, by default one that names the App and
 * lists the test key), and `branch` built from the commits, committed by the App's bot unless a
 * commit says otherwise.
 */
export function buildRepo(
  commits: readonly FixtureCommit[],
  branch = 'access-ledger',
  extraBranches: Record<string, readonly FixtureCommit[]> = {},
  config = TRUSTING_CONFIG,
): string {
  const dir = tempDir();
  execFileSync('git', ['init', '-q', '-b', 'main', dir], { env: GIT_ENV });
  let stream = '';
  let mark = 0;
  // After fixedClock's 2026-11-20T10:00:03Z: a commit is never older than the records it adds.
  let time = 1_795_687_200;
  const write = (ref: string, list: readonly FixtureCommit[], marks: Map<string, number>) => {
    let prev: number | null = null;
    for (const c of list) {
      const msg = c.message ?? 'commit';
      const who = c.who ?? (ref === 'refs/heads/main' ? 'access-ledger test <test@example.invalid>' : APP_COMMITTER);
      const at = c.time ?? time++;
      stream += `commit ${ref}\nmark :${++mark}\nauthor ${who} ${at} +0000\ncommitter ${who} ${at} +0000\ndata ${Buffer.byteLength(msg)}\n${msg}\n`;
      if (prev !== null) stream += `from :${prev}\n`;
      if (c.merge) stream += `merge :${marks.get(`refs/heads/${c.merge}`)}\n`;
      for (const [path, content] of Object.entries(c.files)) {
        if (content === null) stream += `D ${path}\n`;
        else stream += `M 100644 inline ${path}\ndata ${Buffer.byteLength(content)}\n${content}\n`;
      }
      prev = mark;
    }
    if (prev !== null) marks.set(ref, prev);
  };
  const marks = new Map<string, number>();
  write('refs/heads/main', [{ files: { 'access-ledger.yaml': config }, message: 'access repo' }], marks);
  for (const [name, list] of Object.entries(extraBranches)) write(`refs/heads/${name}`, list, marks);
  write(`refs/heads/${branch}`, commits, marks);
  execFileSync('git', ['-C', dir, 'fast-import', '--quiet'], { env: GIT_ENV, input: stream });
  return dir;
}

/** A well-formed ledger history: genesis, then one commit per entry of `sizes`. */
export function ledgerHistory(sizes: readonly number[], draft: (n: number) => RecordDraft = (n) => mergedDraft(n, minute(n))) {
  const commits: FixtureCommit[] = [{ files: { [README_PATH]: '# ledger\n', [HEAD_PATH]: serializeHead(emptyHead()) }, message: 'Start' }];
  const records: SealedRecord[] = [];
  let head: LedgerHead = emptyHead();
  let n = 1;
  for (const size of sizes) {
    const plan = planAppend(
      head,
      Array.from({ length: size }, () => draft(n++)),
      fixedClock(),
      new Set(),
      testSigner(),
    );
    head = plan.head;
    records.push(...plan.records);
    const files: Record<string, string> = {};
    for (const r of plan.records) files[recordPath(r)] = serializeRecord(r);
    files[HEAD_PATH] = serializeHead(head);
    commits.push({ files, message: `Record seq ${plan.records[0]!.seq}` });
  }
  return { commits, records, head };
}

/** Spreads PR numbers over time so records land in several months. */
export function minute(n: number): string {
  return new Date(Date.UTC(2026, 9, 1) + n * 3_600_000).toISOString().slice(0, 19) + 'Z';
}
