/**
 * Verifying a ledger: every record's hash and path, the prev_hash chain, contiguous seq,
 * head.json, and the branch history (each commit may only append). Pure: the adapters feed file
 * contents and per-commit changes; nothing here reads git or GitHub.
 *
 * Built to stream: `inspectRecord` turns one file into a small summary so a reader can drop the
 * content, and `HistoryVerifier` takes one commit at a time, so 100,000 records never need to be
 * held in memory at once.
 */
import { createHash } from 'node:crypto';
import { SNAPSHOT_PATH_RE, isSnapshotPath } from './snapshots.ts';
import { HASH_RE, HEAD_PATH, RECORD_FORMAT, RECORD_PATH_RE, RECORDS_DIR, README_PATH, hashRecord, isTimestamp, parseHead, recordPath, type LedgerFormatError, type LedgerHead } from './record.ts';

/** Which check found a problem; 'online' is the cross-check against the App's PR comments. */
export type CheckName = 'record' | 'chain' | 'head' | 'history' | 'online';

/** One thing wrong with the ledger. `seq` is the record it concerns, when one can be named. */
export interface LedgerProblem {
  seq: number | null;
  path: string | null;
  check: CheckName;
  problem: string;
  /** The commit that made the change, for history problems. */
  commit?: string;
}

/** What the chain check needs of a record; small enough to keep 100,000 in memory. */
export interface RecordSummary {
  seq: number;
  /** The hash the record states (the recomputed one differs only when the record was edited). */
  hash: string;
  prev_hash: string | null;
  key: string;
  kind: string;
  path: string;
  occurred_at: string;
  recorded_at: string;
  repository: string;
  /** The pull request number for kinds that concern one (subject.pr.number), else null. */
  pr: number | null;
  /** The stored export an `access-snapshot` record names (subject.raw_path). */
  raw_path?: string;
}

export interface RecordInspection {
  /** Null only when the file is too broken to say which seq it claims. */
  summary: RecordSummary | null;
  problem: LedgerProblem | null;
}

export interface FileEntry {
  path: string;
  content: string;
}

const short = (sha: string): string => sha.slice(0, 12);

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export function isRecordPath(path: string): boolean {
  return path.startsWith(`${RECORDS_DIR}/`);
}

/**
 * Checks one record file on its own: JSON, format, fields, hash recomputation, and that it sits
 * at the path its key and occurred_at give (so two files swapped with each other are caught).
 */
export function inspectRecord(path: string, content: string): RecordInspection {
  const fail = (seq: number | null, problem: string, summary: RecordSummary | null = null): RecordInspection => ({
    summary,
    problem: { seq, path, check: 'record', problem },
  });
  if (!RECORD_PATH_RE.test(path)) return fail(null, 'not a record path: only records/<YYYY>/<MM>/<key>.json files belong under records/');
  let value: unknown;
  try {
    value = JSON.parse(content);
  } catch {
    return fail(null, 'not valid JSON');
  }
  if (!isObject(value)) return fail(null, 'not a JSON object');
  const r = value;
  const seq = typeof r.seq === 'number' && Number.isSafeInteger(r.seq) && r.seq >= 1 ? r.seq : null;
  if (seq === null) return fail(null, 'seq is missing or not a positive integer');
  if (r.format !== RECORD_FORMAT) return fail(seq, `format is ${JSON.stringify(r.format)}, expected ${RECORD_FORMAT}`);
  if (typeof r.hash !== 'string' || !HASH_RE.test(r.hash)) return fail(seq, 'hash is missing or not 64 lower-case hex digits');
  if (r.prev_hash !== null && (typeof r.prev_hash !== 'string' || !HASH_RE.test(r.prev_hash))) {
    return fail(seq, 'prev_hash is neither null nor 64 lower-case hex digits');
  }
  for (const field of ['kind', 'key', 'repository'] as const) {
    if (typeof r[field] !== 'string') return fail(seq, `${field} is missing or not a string`);
  }
  for (const field of ['occurred_at', 'recorded_at'] as const) {
    if (!isTimestamp(r[field])) return fail(seq, `${field} is not an ISO 8601 UTC timestamp`);
  }
  if (!Array.isArray(r.controls)) return fail(seq, 'controls is not a list');
  if (!isObject(r.subject)) return fail(seq, 'subject is not an object');
  const pr = isObject(r.subject.pr) && typeof r.subject.pr.number === 'number' ? r.subject.pr.number : null;
  const summary: RecordSummary = {
    seq,
    hash: r.hash,
    prev_hash: (r.prev_hash as string | null) ?? null,
    key: r.key as string,
    kind: r.kind as string,
    path,
    occurred_at: r.occurred_at as string,
    recorded_at: r.recorded_at as string,
    repository: r.repository as string,
    pr,
  };
  if (r.kind === 'access-snapshot' && typeof r.subject.raw_path === 'string') summary.raw_path = r.subject.raw_path;
  let computed: string;
  try {
    computed = hashRecord(r);
  } catch (e) {
    return fail(seq, `cannot be canonicalised: ${(e as Error).message}`, summary);
  }
  if (computed !== r.hash) {
    return fail(seq, `hash mismatch: the content was changed after it was sealed (stored ${r.hash}, recomputed ${computed})`, summary);
  }
  let expected: string;
  try {
    expected = recordPath({ key: summary.key, occurred_at: summary.occurred_at });
  } catch (e) {
    return fail(seq, (e as Error).message, summary);
  }
  if (expected !== path) return fail(seq, `stored at the wrong path: its key and occurred_at place it at ${expected}`, summary);
  return { summary, problem: null };
}

/**
 * Orders summaries by seq and checks the chain: seq starts at 1 and is contiguous, no seq is
 * claimed twice, and each prev_hash is the previous record's hash. Returns every problem found,
 * without cascades (after a gap or a duplicate the next link is not judged again).
 */
export function chainProblems(summaries: readonly RecordSummary[]): LedgerProblem[] {
  const sorted = [...summaries].sort((a, b) => a.seq - b.seq);
  const problems: LedgerProblem[] = [];
  let prev: RecordSummary | null = null;
  let expected = 1;
  for (const s of sorted) {
    if (prev && s.seq === prev.seq) {
      problems.push({ seq: s.seq, path: s.path, check: 'chain', problem: `seq ${s.seq} is claimed twice: by ${prev.path} and ${s.path}` });
      continue;
    }
    if (s.seq > expected) {
      const missing = s.seq - 1 === expected ? `seq ${expected} is missing` : `seqs ${expected}-${s.seq - 1} are missing`;
      const after = prev ? `after seq ${prev.seq} (${prev.path})` : 'at the start of the chain';
      problems.push({ seq: expected, path: null, check: 'chain', problem: `${missing}: ${after} comes seq ${s.seq} (${s.path})` });
    } else if (s.seq === 1) {
      if (s.prev_hash !== null) problems.push({ seq: 1, path: s.path, check: 'chain', problem: 'seq 1 must have prev_hash null' });
    } else if (prev && s.prev_hash !== prev.hash) {
      problems.push({
        seq: s.seq,
        path: s.path,
        check: 'chain',
        problem: `prev_hash ${s.prev_hash ?? 'null'} does not match the hash of seq ${prev.seq} (${prev.hash})`,
      });
    }
    prev = s;
    expected = s.seq + 1;
  }
  return problems;
}

/** Checks head.json against the last record of the chain. */
export function verifyHead(content: string | null, last: RecordSummary | null): LedgerProblem | null {
  const problem = (seq: number | null, text: string): LedgerProblem => ({ seq, path: HEAD_PATH, check: 'head', problem: text });
  if (content === null) return problem(last ? last.seq : null, 'head.json is missing from the branch root');
  let head: LedgerHead;
  try {
    head = parseHead(content);
  } catch (e) {
    return problem(last ? last.seq : null, (e as Error).message);
  }
  return headMismatch(head, last ? { seq: last.seq, hash: last.hash, path: last.path } : null, problem);
}

function headMismatch(
  head: LedgerHead,
  last: { seq: number; hash: string; path: string } | null,
  problem: (seq: number | null, text: string) => LedgerProblem,
): LedgerProblem | null {
  const lastSeq = last?.seq ?? 0;
  if (head.seq < lastSeq) {
    return problem(head.seq + 1, `head.json says seq ${head.seq} but the chain goes on to seq ${lastSeq}: records after seq ${head.seq} are not covered by the head`);
  }
  if (head.seq > lastSeq) {
    return problem(lastSeq + 1, `head.json says seq ${head.seq} but the last record is seq ${lastSeq}: records were removed`);
  }
  if (last && (head.hash !== last.hash || head.path !== last.path)) {
    return problem(last.seq, `head.json names ${head.path ?? 'null'} with hash ${head.hash ?? 'null'}, but seq ${last.seq} is ${last.path} with hash ${last.hash}`);
  }
  return null;
}

/** Old and new content of a file in one commit, as the adapters read it. */
export interface FileVersion {
  path: string;
  /** Needed for records and head.json; may be omitted for other files. */
  content?: string;
  /** SHA-256 of the file's bytes, for stored exports (snapshots/); computed from `content` when absent. */
  sha256?: string;
}

/** One commit of the ledger branch, oldest first, with its changes against its first parent. */
export interface HistoryCommit {
  sha: string;
  parents?: readonly string[];
  added: readonly FileVersion[];
  modified: readonly FileVersion[];
  deleted: readonly { path: string }[];
}

interface AddedRecord {
  seq: number;
  hash: string;
  path: string;
}

/**
 * Replays the branch history one commit at a time and reports every commit that does anything
 * but append: editing, deleting, re-adding or inserting a record (a seq at or below the previous
 * maximum), skipping seqs, touching other files, merging, or moving head.json anywhere but to the
 * newest record it adds.
 */
export class HistoryVerifier {
  readonly problems: LedgerProblem[] = [];
  private readonly seqByPath = new Map<string, number>();
  private maxSeq = 0;
  private tip: AddedRecord | null = null;
  private commits = 0;

  get commitCount(): number {
    return this.commits;
  }

  addCommit(commit: HistoryCommit): void {
    const root = this.commits === 0;
    this.commits++;
    const at = `commit ${short(commit.sha)}`;
    const report = (seq: number | null, path: string | null, text: string): void => {
      this.problems.push({ seq, path, check: 'history', problem: `${at} ${text}`, commit: commit.sha });
    };

    if (commit.parents && commit.parents.length > 1) {
      report(null, null, 'is a merge: the ledger branch is a single line of appends, so another line of history was joined into it');
    }

    for (const { path } of commit.deleted) {
      if (isRecordPath(path)) report(this.seqByPath.get(path) ?? null, path, 'deletes a record');
      else if (path === HEAD_PATH) report(null, path, 'deletes head.json');
      else report(null, path, `deletes ${path}: only appends are allowed on the ledger branch`);
    }

    let headContent: string | undefined;
    let headTouched = false;
    for (const { path, content } of commit.modified) {
      if (path === HEAD_PATH) {
        headTouched = true;
        headContent = content;
      } else if (isRecordPath(path)) report(this.seqByPath.get(path) ?? null, path, 'modifies a record');
      else report(null, path, `modifies ${path}: only appends and head.json updates are allowed`);
    }

    const added: AddedRecord[] = [];
    const exports: FileVersion[] = [];
    for (const version of commit.added) {
      const { path, content } = version;
      if (isSnapshotPath(path) && !root) {
        exports.push(version);
        continue;
      }
      if (path === HEAD_PATH) {
        headTouched = true;
        headContent = content;
        if (!root) report(null, path, 'adds head.json again after it had been removed');
        continue;
      }
      if (!isRecordPath(path)) {
        if (!(root && path === README_PATH)) report(null, path, `adds ${path}: only records/ files may be added after the first commit`);
        continue;
      }
      if (this.seqByPath.has(path)) {
        report(this.seqByPath.get(path) ?? null, path, 're-adds a record that an earlier commit had deleted');
        continue;
      }
      const parsed = content === undefined ? null : readSeqAndHash(content);
      if (!parsed) {
        report(null, path, 'adds a record that is not valid JSON with a seq and hash');
        continue;
      }
      added.push({ ...parsed, path });
    }

    // Raw exports of access snapshots: named by the SHA-256 of their bytes, and only beside a record.
    for (const { path, content, sha256 } of exports) {
      const m = SNAPSHOT_PATH_RE.exec(path);
      if (!m) {
        report(null, path, `adds ${path}: stored exports are named snapshots/<sha256>.csv or .json`);
        continue;
      }
      const digest = sha256 ?? (content === undefined ? undefined : createHash('sha256').update(content, 'utf8').digest('hex'));
      if (digest === undefined) report(null, path, `adds the stored export ${path} but its content is unavailable`);
      else if (digest !== m[1]) report(null, path, `adds a stored export whose content does not match its name (its SHA-256 is ${digest})`);
    }
    if (exports.length > 0 && added.length === 0) report(null, exports[0]!.path, 'adds a stored export without a record: exports are added only with the access-snapshot record that names them');

    added.sort((a, b) => a.seq - b.seq);
    for (const r of added) {
      const before = this.tip?.seq ?? 0;
      if (r.seq <= this.maxSeq) {
        report(r.seq, r.path, `inserts seq ${r.seq}, but the ledger had already reached seq ${this.maxSeq}: records may only be appended`);
      } else if (r.seq !== before + 1) {
        report(before + 1, r.path, `adds seq ${r.seq} after seq ${before}: seq ${before + 1} was skipped`);
      }
      this.seqByPath.set(r.path, r.seq);
      if (r.seq > (this.tip?.seq ?? 0)) this.tip = r;
    }
    this.maxSeq = this.tip?.seq ?? 0;

    if (added.length > 0 && !headTouched) {
      report(this.maxSeq, HEAD_PATH, `adds records up to seq ${this.maxSeq} without updating head.json`);
      return;
    }
    if (!headTouched) return;
    if (!root && added.length === 0) report(null, HEAD_PATH, 'rewrites head.json without adding a record');
    if (headContent === undefined) {
      report(null, HEAD_PATH, 'changes head.json but its content is unavailable');
      return;
    }
    let head: LedgerHead;
    try {
      head = parseHead(headContent);
    } catch (e) {
      report(null, HEAD_PATH, `writes a head.json that is not valid: ${(e as LedgerFormatError).message}`);
      return;
    }
    // After this commit head.json must name the newest record (the one with the highest seq).
    const p = headMismatch(head, this.tip, (seq, text) => ({ seq, path: HEAD_PATH, check: 'history', problem: `${at}: ${text}`, commit: commit.sha }));
    if (p) this.problems.push(p);
  }

  result(): HistoryResult {
    return { commits: this.commits, maxSeq: this.maxSeq, problems: rankProblems(this.problems) };
  }
}

export interface HistoryResult {
  commits: number;
  maxSeq: number;
  problems: LedgerProblem[];
}

function readSeqAndHash(content: string): { seq: number; hash: string } | null {
  try {
    const v: unknown = JSON.parse(content);
    if (!isObject(v) || typeof v.seq !== 'number' || !Number.isSafeInteger(v.seq) || typeof v.hash !== 'string') return null;
    return { seq: v.seq, hash: v.hash };
  } catch {
    return null;
  }
}

/** Replays a whole history (oldest commit first). */
export function verifyHistory(commits: readonly HistoryCommit[]): HistoryResult {
  const v = new HistoryVerifier();
  for (const c of commits) v.addCommit(c);
  return v.result();
}

/**
 * Orders problems so the first names the lowest seq (problems no seq can be given to come last),
 * keeping the order of checks for equal seqs: a record's own problem before its chain link.
 */
export function rankProblems(problems: readonly LedgerProblem[]): LedgerProblem[] {
  return [...problems].sort((a, b) => (a.seq ?? Number.MAX_SAFE_INTEGER) - (b.seq ?? Number.MAX_SAFE_INTEGER));
}

export interface ChainResult {
  ok: boolean;
  /** Records inspected. */
  count: number;
  /** The record with the highest seq, if any. */
  last: RecordSummary | null;
  /** The problem naming the lowest seq, or null when the chain is sound. */
  first: LedgerProblem | null;
  problems: LedgerProblem[];
}

/** Checks record files (any order): each file on its own, then the chain they form. */
export function verifyChain(entries: readonly FileEntry[]): ChainResult {
  const summaries: RecordSummary[] = [];
  const problems: LedgerProblem[] = [];
  for (const e of entries) {
    const { summary, problem } = inspectRecord(e.path, e.content);
    if (problem) problems.push(problem);
    if (summary) summaries.push(summary);
  }
  return chainResult(summaries, problems, entries.length);
}

/** Finishes a chain check from summaries gathered elsewhere (the streaming readers). */
export function chainResult(summaries: readonly RecordSummary[], recordProblems: readonly LedgerProblem[] = [], files = summaries.length): ChainResult {
  const problems = rankProblems([...recordProblems, ...chainProblems(summaries)]);
  let last: RecordSummary | null = null;
  for (const s of summaries) if (!last || s.seq > last.seq) last = s;
  return { ok: problems.length === 0, count: files, last, first: problems[0] ?? null, problems };
}

export interface LedgerState {
  /** All record files on the branch tip (paths under records/). */
  records: readonly FileEntry[];
  /** head.json content at the tip, null if absent. */
  head: string | null;
  /** The branch history, oldest first; omit to check the tip only. */
  commits?: readonly HistoryCommit[];
}

export interface LedgerStateResult {
  ok: boolean;
  records: number;
  commits: number | null;
  last: RecordSummary | null;
  first: LedgerProblem | null;
  problems: LedgerProblem[];
}

/** Every check at once, for callers holding the whole ledger in memory (tests, the binder). */
export function verifyLedgerState(state: LedgerState): LedgerStateResult {
  const chain = verifyChain(state.records);
  const head = verifyHead(state.head, chain.last);
  const history = state.commits ? verifyHistory(state.commits) : null;
  const problems = rankProblems([...chain.problems, ...(head ? [head] : []), ...(history?.problems ?? [])]);
  return {
    ok: problems.length === 0,
    records: chain.count,
    commits: history?.commits ?? null,
    last: chain.last,
    first: problems[0] ?? null,
    problems,
  };
}
