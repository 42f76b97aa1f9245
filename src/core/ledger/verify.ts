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
import {
  HASH_RE,
  HEAD_PATH,
  RECORD_FORMAT,
  RECORD_PATH_RE,
  RECORDS_DIR,
  README_PATH,
  dayFoldersFrom,
  isMonthRecordPath,
  isTimestamp,
  monthRecordPath,
  parseHead,
  recordHashes,
  recordPath,
  type LedgerFormatError,
  type LedgerHead,
} from './record.ts';
import {
  finishSignatureCheck,
  prepareSignatureCheck,
  verifyPendingSignature,
  type LedgerPublicKey,
  type PendingSignature,
  type SignatureCheck,
} from './signing.ts';
import { CLOCK_TOLERANCE_MS, authorshipProblem, type GitPerson } from './authorship.ts';

/**
 * Which check found a problem; 'online' is the cross-check against the App's PR comments,
 * 'signature' the records' signatures, 'authorship' who made each ledger commit and 'time' the
 * order of commit and record times.
 */
export type CheckName = 'record' | 'chain' | 'head' | 'history' | 'online' | 'signature' | 'authorship' | 'time';

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
  /** The signature's check against the listed keys; null when signatures were not checked. */
  signature?: SignatureCheck | null;
  /** The stored export an `access-snapshot` record names (subject.raw_path). */
  raw_path?: string;
}

export interface RecordInspection {
  /** Null only when the file is too broken to say which seq it claims. */
  summary: RecordSummary | null;
  problem: LedgerProblem | null;
  /**
   * With `deferSignature`: the Ed25519 verification still to run for `summary.signature` (null
   * until then); see `finishSignatureCheck`.
   */
  pendingSignature?: PendingSignature;
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
 * With `keys`, the record's signature is checked too and its outcome kept in the summary
 * (`signatureProblems` judges it, since whether an unsigned record is acceptable depends on the
 * records before it).
 */
export function inspectRecord(path: string, content: string, keys?: readonly LedgerPublicKey[], options: { deferSignature?: boolean } = {}): RecordInspection {
  const fail = (seq: number | null, problem: string, summary: RecordSummary | null = null): RecordInspection => ({
    summary,
    problem: { seq, path, check: 'record', problem },
  });
  if (!RECORD_PATH_RE.test(path))
    return fail(
      null,
      'not a record path: only records/<YYYY>/<MM>/<DD>/<key>.json files (records/<YYYY>/<MM>/<key>.json before day folders) belong under records/',
    );
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
    signature: null,
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
  let pendingSignature: PendingSignature | undefined;
  try {
    const hashes = recordHashes(r);
    computed = hashes.hash;
    if (keys) {
      const prepared = prepareSignatureCheck(r, keys, hashes.content);
      if (!('pending' in prepared)) summary.signature = prepared;
      else if (options.deferSignature) pendingSignature = prepared.pending;
      else summary.signature = finishSignatureCheck(prepared.pending, verifyPendingSignature(prepared.pending));
    }
  } catch (e) {
    return fail(seq, `cannot be canonicalised: ${(e as Error).message}`, summary);
  }
  const pending = pendingSignature ? { pendingSignature } : {};
  if (computed !== r.hash) {
    return { ...fail(seq, `hash mismatch: the content was changed after it was sealed (stored ${r.hash}, recomputed ${computed})`, summary), ...pending };
  }
  let expected: string;
  try {
    // Which of the two layouts a record belongs to depends on its seq (folderProblems judges it).
    const event = { key: summary.key, occurred_at: summary.occurred_at };
    expected = isMonthRecordPath(path) ? monthRecordPath(event) : recordPath(event);
  } catch (e) {
    return { ...fail(seq, (e as Error).message, summary), ...pending };
  }
  if (expected !== path) return { ...fail(seq, `stored at the wrong path: its key and occurred_at place it at ${expected}`, summary), ...pending };
  return { summary, problem: null, ...(pendingSignature ? { pendingSignature } : {}) };
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

/** The keys `verify` checks signatures against: `ledger.public_keys` of access-ledger.yaml, parsed. */
export interface SignaturePolicy {
  keys: readonly LedgerPublicKey[];
  /** What is wrong with the list itself (parseLedgerPublicKeys); each fails verification. */
  keyProblems?: readonly string[];
}

export interface SignatureStats {
  /** Records whose signature verified, by key id. */
  signed: number;
  by_key: Record<string, number>;
  /** Records sealed before records were signed (accepted, reported). */
  unsigned_legacy: number;
  /** The first and last seq of those, when there are any. */
  legacy_seqs: [number, number] | null;
}

export interface SignatureResult {
  problems: LedgerProblem[];
  stats: SignatureStats;
  /** What an auditor should know that is not a failure (unsigned records from before signing). */
  warnings: string[];
}

const CONFIG_FILE = 'access-ledger.yaml';

/**
 * Judges the records' signatures (as `inspectRecord` checked them) in seq order:
 * - a signature that does not verify, names a key that is not listed, or a key that was not valid
 *   at the record's recorded_at fails;
 * - an unsigned record is accepted only as one written before records were signed: before any
 *   signed record of the chain, and with both its times before the earliest listed key's `from`.
 *   Any other unsigned record fails (a stripped signature, or an append by someone without the key).
 * With no keys listed at all, nothing can be checked: that fails too, saying how to fix it.
 */
export function signatureProblems(summaries: readonly RecordSummary[], policy: SignaturePolicy): SignatureResult {
  const problems: LedgerProblem[] = (policy.keyProblems ?? []).map((p) => ({ seq: null, path: CONFIG_FILE, check: 'signature', problem: p }));
  const stats: SignatureStats = { signed: 0, by_key: {}, unsigned_legacy: 0, legacy_seqs: null };
  const sorted = [...summaries].sort((a, b) => a.seq - b.seq);
  if (policy.keys.length === 0) {
    if (sorted.length > 0 && problems.length === 0) {
      problems.push({
        seq: null,
        path: CONFIG_FILE,
        check: 'signature',
        problem:
          "access-ledger.yaml lists no ledger.public_keys, so the records' signatures cannot be checked and anyone could have written them. " +
          "Add the App's public key: `access-ledger keygen` prints the entry for a new key, and the App logs the id of the key it signs with.",
      });
    }
    return { problems, stats, warnings: [] };
  }
  const earliest = Math.min(...policy.keys.map((k) => k.from));
  const firstKey = policy.keys.find((k) => k.from === earliest)!;
  let firstSigned: RecordSummary | null = null;
  for (const s of sorted) {
    const check = s.signature ?? { status: 'unsigned' as const };
    if (check.status === 'valid') {
      stats.signed++;
      stats.by_key[check.key_id] = (stats.by_key[check.key_id] ?? 0) + 1;
      firstSigned ??= s;
      continue;
    }
    if (check.status === 'invalid') {
      firstSigned ??= s;
      problems.push({ seq: s.seq, path: s.path, check: 'signature', problem: check.problem });
      continue;
    }
    if (firstSigned) {
      problems.push({
        seq: s.seq,
        path: s.path,
        check: 'signature',
        problem: `is not signed, but seq ${firstSigned.seq} before it is: the App signs every record once signing began, so this one was not sealed by the App (or its signature was removed)`,
      });
      continue;
    }
    const late = [s.recorded_at, s.occurred_at].filter((t) => Date.parse(t) >= earliest);
    if (late.length > 0) {
      problems.push({
        seq: s.seq,
        path: s.path,
        check: 'signature',
        problem: `is not signed, but it says it was recorded at ${s.recorded_at} (occurred ${s.occurred_at}), after ledger signing began (key ${firstKey.id} from ${firstKey.fromText}): the App signs every record since, so this one was not sealed by the App`,
      });
      continue;
    }
    stats.unsigned_legacy++;
    stats.legacy_seqs = stats.legacy_seqs ? [stats.legacy_seqs[0], s.seq] : [s.seq, s.seq];
  }
  const warnings: string[] = [];
  if (stats.legacy_seqs) {
    const [a, b] = stats.legacy_seqs;
    warnings.push(
      `${stats.unsigned_legacy} record${stats.unsigned_legacy === 1 ? '' : 's'} (${a === b ? `seq ${a}` : `seqs ${a}-${b}`}) ` +
        `${stats.unsigned_legacy === 1 ? 'was' : 'were'} sealed before records were signed (before ${firstKey.fromText}): their hashes chain, but no signature proves the App wrote them`,
    );
  }
  return { problems, stats, warnings };
}

/**
 * A record's recorded_at may not run backwards along the chain (beyond the clock tolerance): the
 * App seals records in the order it appends them. Backdating a record (to pass it off as signed
 * by a retired key, say) therefore needs every later record rewritten too.
 */
export function recordTimeProblems(summaries: readonly RecordSummary[]): LedgerProblem[] {
  const problems: LedgerProblem[] = [];
  let latest: RecordSummary | null = null;
  for (const s of [...summaries].sort((a, b) => a.seq - b.seq)) {
    const t = Date.parse(s.recorded_at);
    if (latest && t < Date.parse(latest.recorded_at) - CLOCK_TOLERANCE_MS) {
      problems.push({
        seq: s.seq,
        path: s.path,
        check: 'time',
        problem: `recorded_at ${s.recorded_at} is before seq ${latest.seq}'s (${latest.recorded_at}): records are sealed in the order they are appended, so this one was backdated`,
      });
      continue;
    }
    if (!latest || t > Date.parse(latest.recorded_at)) latest = s;
  }
  return problems;
}

/**
 * Checks each record's folder against head.json: records before `day_folders.from_seq` in month
 * folders, the rest in day folders (a head without the field: all in month folders, an empty
 * ledger has none); `day_folders.since` is that first record's recorded_at; and no key is stored
 * twice (once in each layout). A head that cannot be read is verifyHead's problem, not this one's.
 */
export function folderProblems(headContent: string | null, summaries: readonly RecordSummary[]): LedgerProblem[] {
  let head: LedgerHead;
  try {
    if (headContent === null) return [];
    head = parseHead(headContent);
  } catch {
    return [];
  }
  const from = dayFoldersFrom(head);
  const problems: LedgerProblem[] = [];
  const byKey = new Map<string, RecordSummary>();
  for (const s of [...summaries].sort((a, b) => a.seq - b.seq)) {
    const month = isMonthRecordPath(s.path);
    if (month && s.seq >= from) {
      problems.push({
        seq: s.seq,
        path: s.path,
        check: 'record',
        problem: `in a month folder, but head.json says records from seq ${from} are in day folders (${recordPath(s)})`,
      });
    } else if (!month && s.seq < from) {
      const why = head.day_folders ? `head.json says day folders start at seq ${from}` : 'head.json names no day folders, so every record is in a month folder';
      problems.push({ seq: s.seq, path: s.path, check: 'record', problem: `in a day folder, but ${why} (${monthRecordPath(s)})` });
    }
    if (head.day_folders && s.seq === head.day_folders.from_seq && s.recorded_at !== head.day_folders.since) {
      problems.push({
        seq: s.seq,
        path: HEAD_PATH,
        check: 'head',
        problem: `head.json day_folders.since is ${head.day_folders.since}, but seq ${s.seq}, the first record in a day folder, was recorded at ${s.recorded_at}`,
      });
    }
    const twin = byKey.get(s.key);
    if (twin) problems.push({ seq: s.seq, path: s.path, check: 'record', problem: `key ${s.key} is stored twice: seq ${twin.seq} is ${twin.path}` });
    else byKey.set(s.key, s);
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
    return problem(
      head.seq + 1,
      `head.json says seq ${head.seq} but the chain goes on to seq ${lastSeq}: records after seq ${head.seq} are not covered by the head`,
    );
  }
  if (head.seq > lastSeq) {
    return problem(lastSeq + 1, `head.json says seq ${head.seq} but the last record is seq ${lastSeq}: records were removed`);
  }
  if (last && (head.hash !== last.hash || head.path !== last.path)) {
    return problem(
      last.seq,
      `head.json names ${head.path ?? 'null'} with hash ${head.hash ?? 'null'}, but seq ${last.seq} is ${last.path} with hash ${last.hash}`,
    );
  }
  return null;
}

/** Old and new content of a file in one commit, as the adapters read it. */
export interface FileVersion {
  path: string;
  /** Needed for records and head.json; may be omitted for other files. */
  content?: string;
  /** A record's seq, stated hash and recorded_at when the caller has read them already (saves parsing `content` again). */
  record?: { seq: number; hash: string; recorded_at: string | null };
  /** SHA-256 of the file's bytes, for stored exports (snapshots/); computed from `content` when absent. */
  sha256?: string;
}

/** One commit of the ledger branch, oldest first, with its changes against its first parent. */
export interface HistoryCommit {
  sha: string;
  parents?: readonly string[];
  /** Who made the commit and when (needed for the authorship and time checks). */
  author?: GitPerson;
  committer?: GitPerson;
  added: readonly FileVersion[];
  modified: readonly FileVersion[];
  deleted: readonly { path: string }[];
}

interface AddedRecord {
  seq: number;
  hash: string;
  path: string;
  recorded_at: string | null;
}

export interface HistoryOptions {
  /**
   * The App's bot login (`access-ledger[bot]`): every commit must be authored by it and committed
   * by it or by GitHub, and commit times must not go backwards nor precede the records they add.
   * Omitted: authorship and time are not checked.
   */
  appLogin?: string;
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
  private readonly appLogin: string | null;
  /** The latest author and committer times seen so far, and the commit they came from. */
  private lastTimes: { author: number; committer: number; sha: string } | null = null;

  constructor(options: HistoryOptions = {}) {
    this.appLogin = options.appLogin ?? null;
  }

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
      const { path, content, record } = version;
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
      const parsed = record ?? (content === undefined ? null : readSeqAndHash(content));
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
    if (exports.length > 0 && added.length === 0)
      report(null, exports[0]!.path, 'adds a stored export without a record: exports are added only with the access-snapshot record that names them');

    added.sort((a, b) => a.seq - b.seq);
    if (this.appLogin !== null) this.checkAuthorship(commit, added);
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

  /** Who made the commit, and whether its times run forward and after the records it adds. */
  private checkAuthorship(commit: HistoryCommit, added: readonly AddedRecord[]): void {
    const seq = added[0]?.seq ?? null;
    const path = added[0]?.path ?? null;
    const at = `commit ${short(commit.sha)}`;
    const report = (check: CheckName, text: string): void => {
      this.problems.push({ seq, path, check, problem: `${at} ${text}`, commit: commit.sha });
    };
    if (!commit.author || !commit.committer) {
      report('authorship', 'has no author or committer to check');
      return;
    }
    const who = authorshipProblem(commit.author, commit.committer, this.appLogin!);
    if (who) report('authorship', `${who}${added.length ? ` (it adds ${added.map((r) => `seq ${r.seq}`).join(', ')})` : ''}`);
    const authorAt = Date.parse(commit.author.date);
    const committerAt = Date.parse(commit.committer.date);
    if (Number.isNaN(authorAt) || Number.isNaN(committerAt)) {
      report('time', 'has an author or commit time that cannot be read');
      return;
    }
    const last = this.lastTimes;
    if (last) {
      const back = [
        authorAt < last.author - CLOCK_TOLERANCE_MS ? `authored ${commit.author.date}` : null,
        committerAt < last.committer - CLOCK_TOLERANCE_MS ? `committed ${commit.committer.date}` : null,
      ].filter(Boolean);
      if (back.length) {
        report(
          'time',
          `was ${back.join(' and ')}, before the commit ${short(last.sha)} it follows (${new Date(last.committer).toISOString().slice(0, 19)}Z): time on the ledger branch only runs forward, so it was written later with its dates set back`,
        );
      }
    }
    for (const r of added) {
      if (r.recorded_at === null) continue;
      const sealed = Date.parse(r.recorded_at);
      const earliest = Math.min(authorAt, committerAt);
      if (!Number.isNaN(sealed) && earliest < sealed - CLOCK_TOLERANCE_MS) {
        this.problems.push({
          seq: r.seq,
          path: r.path,
          check: 'time',
          problem: `${at} is dated ${new Date(earliest).toISOString().slice(0, 19)}Z, before seq ${r.seq} was sealed (recorded_at ${r.recorded_at}): a record cannot be committed before it exists`,
          commit: commit.sha,
        });
      }
    }
    this.lastTimes = {
      author: Math.max(authorAt, last?.author ?? -Infinity),
      committer: Math.max(committerAt, last?.committer ?? -Infinity),
      sha: commit.sha,
    };
  }
}

export interface HistoryResult {
  commits: number;
  maxSeq: number;
  problems: LedgerProblem[];
}

function readSeqAndHash(content: string): { seq: number; hash: string; recorded_at: string | null } | null {
  try {
    const v: unknown = JSON.parse(content);
    if (!isObject(v) || typeof v.seq !== 'number' || !Number.isSafeInteger(v.seq) || typeof v.hash !== 'string') return null;
    return { seq: v.seq, hash: v.hash, recorded_at: isTimestamp(v.recorded_at) ? v.recorded_at : null };
  } catch {
    return null;
  }
}

/** Replays a whole history (oldest commit first). */
export function verifyHistory(commits: readonly HistoryCommit[], options: HistoryOptions = {}): HistoryResult {
  const v = new HistoryVerifier(options);
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

/**
 * Checks record files (any order): each file on its own, then the chain they form.
 * @internal for the tests, which hold record files in memory
 */
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
  /** Check signatures against these keys; omit to leave signatures unchecked. */
  signatures?: SignaturePolicy;
  /** Check the commits' authorship and times against this App login. */
  appLogin?: string;
}

export interface LedgerStateResult {
  ok: boolean;
  records: number;
  commits: number | null;
  last: RecordSummary | null;
  first: LedgerProblem | null;
  problems: LedgerProblem[];
}

/**
 * Every check at once, for callers holding the whole ledger in memory.
 * @internal for the tests and benchmarks, which check what a run left on the ledger
 */
export function verifyLedgerState(state: LedgerState): LedgerStateResult {
  const keys = state.signatures?.keys;
  const summaries: RecordSummary[] = [];
  const recordProblems: LedgerProblem[] = [];
  for (const e of state.records) {
    const { summary, problem } = inspectRecord(e.path, e.content, keys);
    if (problem) recordProblems.push(problem);
    if (summary) summaries.push(summary);
  }
  const chain = chainResult(summaries, recordProblems, state.records.length);
  const head = verifyHead(state.head, chain.last);
  const folders = folderProblems(state.head, summaries);
  const history = state.commits ? verifyHistory(state.commits, state.appLogin ? { appLogin: state.appLogin } : {}) : null;
  const signatures = state.signatures ? signatureProblems(summaries, state.signatures).problems : [];
  const times = state.appLogin || state.signatures ? recordTimeProblems(summaries) : [];
  const problems = rankProblems([...chain.problems, ...(head ? [head] : []), ...folders, ...(history?.problems ?? []), ...signatures, ...times]);
  return {
    ok: problems.length === 0,
    records: chain.count,
    commits: history?.commits ?? null,
    last: chain.last,
    first: problems[0] ?? null,
    problems,
  };
}
