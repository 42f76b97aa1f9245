/**
 * Ledger records: sealing, hashing, paths and serialisation (docs/ledger.md,
 * docs/ledger.md). Pure: no I/O. `node:crypto` is used only for SHA-256.
 */
import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import type { RecordKind, SubjectByKind, Timestamp } from './kinds.ts';
import type { LedgerSigner, RecordSignature } from './signing.ts';

export const RECORD_FORMAT = 'access-ledger/record@1' as const;
export const HEAD_FORMAT = 'access-ledger/head@1' as const;
export const HEAD_PATH = 'head.json';
export const README_PATH = 'README.md';
export const RECORDS_DIR = 'records';
export const DEFAULT_LEDGER_BRANCH = 'access-ledger';

/** The time source. Injected everywhere so tests and replays are deterministic. */
export type Clock = () => Date;

/** What a caller hands to the ledger: the event, not yet placed in the chain. */
export interface RecordDraft<K extends RecordKind = RecordKind> {
  kind: K;
  key: string;
  /** When the event itself happened (e.g. the PR's merged_at); it places the record's path. */
  occurred_at: Timestamp;
  /** `owner/repo` of the access repo. */
  repository: string;
  controls: string[];
  subject: SubjectByKind[K];
}

/** A record as stored on the ledger branch. */
export interface SealedRecord<K extends RecordKind = RecordKind> {
  format: typeof RECORD_FORMAT;
  kind: K;
  key: string;
  seq: number;
  prev_hash: string | null;
  occurred_at: Timestamp;
  recorded_at: Timestamp;
  repository: string;
  controls: string[];
  subject: SubjectByKind[K];
  /**
   * The App's signature over the record's content hash (docs/ledger.md, "Signatures"). Absent
   * only in records sealed before records were signed.
   */
  signature?: RecordSignature;
  hash: string;
}

/** `head.json` at the branch root: the end of the chain. seq 0 (hash and path null) when empty. */
export interface LedgerHead {
  format: typeof HEAD_FORMAT;
  seq: number;
  hash: string | null;
  path: string | null;
  /**
   * Where records began to be stored in day folders (`records/<YYYY>/<MM>/<DD>/`): the first
   * such record's seq and recorded_at. Records before it are in month folders
   * (`records/<YYYY>/<MM>/`), where ledgers written before day folders keep them. Absent in an
   * empty head and in a head written before day folders (then every record is in a month folder).
   */
  day_folders?: DayFolders;
}

export interface DayFolders {
  from_seq: number;
  since: Timestamp;
}

/** Where the chain continues from: the previous record's seq and hash (seq 0 / null: empty). */
export interface ChainTip {
  seq: number;
  hash: string | null;
}

/** A draft or record that breaks the format; the message says which field and why. */
export class LedgerFormatError extends Error {
  override name = 'LedgerFormatError';
}

const KEY_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;
const KIND_RE = /^[a-z][a-z0-9-]{0,63}$/;
const REPOSITORY_RE = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/[A-Za-z0-9._-]{1,100}$/;
const TIMESTAMP_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?Z$/;
export const HASH_RE = /^[0-9a-f]{64}$/;
/** `records/<YYYY>/<MM>/<DD>/<key>.json`, or `records/<YYYY>/<MM>/<key>.json` before day folders. */
export const RECORD_PATH_RE = /^records\/(\d{4})\/(\d{2})\/(?:(\d{2})\/)?([A-Za-z0-9][A-Za-z0-9._-]{0,199})\.json$/;

/** True for `YYYY-MM-DDTHH:MM:SS[.fff]Z` naming a real instant (no 2026-02-30). */
export function isTimestamp(value: unknown): value is Timestamp {
  if (typeof value !== 'string') return false;
  const m = TIMESTAMP_RE.exec(value);
  if (!m) return false;
  const at = new Date(value);
  if (Number.isNaN(at.getTime())) return false;
  // Date rolls 2026-02-30 over to March; compare the calendar fields to refuse it.
  return at.toISOString().slice(0, 19) === value.slice(0, 19);
}

/** A Date as `YYYY-MM-DDTHH:MM:SSZ`: the precision GitHub uses for every event time. */
export function toTimestamp(at: Date): Timestamp {
  if (Number.isNaN(at.getTime())) throw new LedgerFormatError('clock returned an invalid Date');
  return at.toISOString().slice(0, 19) + 'Z';
}

/** SHA-256 hex of the RFC 8785 canonical JSON of the record without its `hash` field. */
export function hashRecord(record: object): string {
  return createHash('sha256').update(canonicalRecord(record), 'utf8').digest('hex');
}

/**
 * The record's hash and its content hash at once, canonicalising each top-level field once: the
 * RFC 8785 form of an object is its members sorted by key (UTF-16 code units) and joined, so both
 * are joins of the same member strings, with and without `signature`. Equal to
 * `hashRecord(record)` and `contentHash(record)`.
 */
export function recordHashes(record: object): { hash: string; content: string } {
  const r = record as Record<string, unknown>;
  const members: [string, string][] = [];
  for (const k of Object.keys(r).sort()) {
    if (k === 'hash') continue;
    const value = canonicalize(r[k]);
    if (value === undefined) continue;
    members.push([k, `${JSON.stringify(k)}:${value}`]);
  }
  const digest = (parts: [string, string][]) =>
    createHash('sha256')
      .update(`{${parts.map((m) => m[1]).join(',')}}`, 'utf8')
      .digest('hex');
  const content = members.filter(([k]) => k !== 'signature');
  const hash = digest(members);
  return { hash, content: content.length === members.length ? hash : digest(content) };
}

/**
 * SHA-256 hex of the RFC 8785 canonical JSON of the record without `hash` and `signature`: what a
 * record's signature covers (src/core/ledger/signing.ts).
 */
export function contentHash(record: object): string {
  const { hash: _h, signature: _s, ...rest } = record as Record<string, unknown>;
  const text = canonicalize(rest);
  if (text === undefined) throw new LedgerFormatError('record cannot be canonicalised');
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** The exact bytes that are hashed: RFC 8785 canonical JSON of the record minus `hash`. */
export function canonicalRecord(record: object): string {
  const { hash: _omit, ...rest } = record as Record<string, unknown>;
  const text = canonicalize(rest);
  if (text === undefined) throw new LedgerFormatError('record cannot be canonicalised');
  return text;
}

type PathEvent = { key: string; occurred_at: string; kind?: string };

function checkPathEvent(event: PathEvent): void {
  if (!KEY_RE.test(event.key))
    throw new LedgerFormatError(
      `invalid record key ${JSON.stringify(event.key)}: use letters, digits, '.', '_' and '-' (at most 200), starting with a letter or digit`,
    );
  if (!isTimestamp(event.occurred_at))
    throw new LedgerFormatError(`invalid occurred_at ${JSON.stringify(event.occurred_at)}: use an ISO 8601 UTC timestamp like 2026-11-20T10:00:00Z`);
}

/**
 * The record's path on the ledger branch: `records/<YYYY>/<MM>/<DD>/<key>.json`, from occurred_at.
 * The date comes from the event's own time, not the recording time, so a redelivered or
 * backfilled event lands on the same path and is recognised as already recorded. A day's folder
 * stops growing when the day ends, which keeps each commit's change to the tree small: checking
 * that every commit only appended costs the records, not commits × records (docs/ledger.md).
 */
export function recordPath(event: PathEvent): string {
  checkPathEvent(event);
  return `${RECORDS_DIR}/${event.occurred_at.slice(0, 4)}/${event.occurred_at.slice(5, 7)}/${event.occurred_at.slice(8, 10)}/${event.key}.json`;
}

/** Where a ledger written before day folders stored the record: `records/<YYYY>/<MM>/<key>.json`. */
export function monthRecordPath(event: PathEvent): string {
  checkPathEvent(event);
  return `${RECORDS_DIR}/${event.occurred_at.slice(0, 4)}/${event.occurred_at.slice(5, 7)}/${event.key}.json`;
}

/**
 * Where a sealed record is stored, given the seq from which the ledger keeps records in day
 * folders (`dayFoldersFrom` of its head): its month folder before that seq, its day folder from it.
 * Without the seq, its day folder (every record of a ledger started with day folders).
 */
export function storedRecordPath(record: { key: string; occurred_at: string; seq: number }, fromSeq?: number): string {
  return fromSeq !== undefined && record.seq < fromSeq ? monthRecordPath(record) : recordPath(record);
}

/** True for a path in the month layout of ledgers written before day folders. */
export function isMonthRecordPath(path: string): boolean {
  const m = RECORD_PATH_RE.exec(path);
  return m !== null && m[3] === undefined;
}

/** The seq from which records are in day folders under this head (head.seq + 1: none yet). */
export function dayFoldersFrom(head: LedgerHead): number {
  if (head.day_folders) return head.day_folders.from_seq;
  // An empty head: every record to come goes to a day folder. A head without the field written
  // over records: those records are all in month folders.
  return head.seq === 0 ? 1 : head.seq + 1;
}

/** Slack for clocks: an event recorded before day folders may carry an occurred_at a little after the switch. */
const MONTH_LAYOUT_SLACK_MS = 24 * 3600 * 1000;

/**
 * Every path a record of this event may already be stored at under this head, the day folder
 * first: also the month folder when the ledger holds records from before day folders and the
 * event could be one of them (it happened before the switch). A new ledger has one path per event.
 * With no head (not read), both: the one place that decides where to look for an event's record.
 */
export function recordPathCandidates(head: LedgerHead | null, event: PathEvent): string[] {
  const day = recordPath(event);
  if (head === null) return [day, monthRecordPath(event)];
  if (dayFoldersFrom(head) <= 1) return [day];
  const since = head.day_folders ? Date.parse(head.day_folders.since) : Number.POSITIVE_INFINITY;
  if (Date.parse(event.occurred_at) > since + MONTH_LAYOUT_SLACK_MS) return [day];
  return [day, monthRecordPath(event)];
}

/**
 * Places a draft in the chain: assigns seq and prev_hash after `prev`, stamps recorded_at, signs
 * it with `signer` (when given) and computes the hash, which covers the signature. The subject is
 * deep-copied (and checked to be plain JSON) so a caller mutating its object later cannot change
 * a sealed record.
 */
export function sealRecord<K extends RecordKind>(
  draft: RecordDraft<K>,
  prev: ChainTip | null,
  recordedAt: Date | Timestamp,
  signer: LedgerSigner | null = null,
): SealedRecord<K> {
  checkDraft(draft);
  const tipSeq = prev?.seq ?? 0;
  if (!Number.isSafeInteger(tipSeq) || tipSeq < 0) throw new LedgerFormatError(`invalid previous seq ${String(tipSeq)}`);
  const prevHash = tipSeq === 0 ? null : (prev?.hash ?? null);
  if (tipSeq > 0 && (prevHash === null || !HASH_RE.test(prevHash))) {
    throw new LedgerFormatError(`previous record seq ${tipSeq} has no valid hash`);
  }
  const recorded = typeof recordedAt === 'string' ? recordedAt : toTimestamp(recordedAt);
  if (!isTimestamp(recorded)) throw new LedgerFormatError(`invalid recorded_at ${JSON.stringify(recorded)}`);
  // Field order here is only for people reading the file; the hash is over the canonical form.
  const unsealed = {
    format: RECORD_FORMAT,
    kind: draft.kind,
    key: draft.key,
    seq: tipSeq + 1,
    prev_hash: prevHash,
    occurred_at: draft.occurred_at,
    recorded_at: recorded,
    repository: draft.repository,
    controls: plainJson(draft.controls, 'controls') as string[],
    subject: plainJson(draft.subject, 'subject') as SubjectByKind[K],
  };
  if (!signer) return { ...unsealed, hash: hashRecord(unsealed) };
  const signed = { ...unsealed, signature: signer.sign(contentHash(unsealed)) };
  return { ...signed, hash: hashRecord(signed) };
}

/** Throws a LedgerFormatError naming the first field of the draft that breaks the format. */
export function checkDraft(draft: RecordDraft): void {
  if (draft === null || typeof draft !== 'object') throw new LedgerFormatError('draft must be an object');
  if (typeof draft.kind !== 'string' || !KIND_RE.test(draft.kind)) {
    throw new LedgerFormatError(`invalid record kind ${JSON.stringify(draft.kind)}: lower-case words joined by '-'`);
  }
  recordPath(draft); // checks key and occurred_at
  if (typeof draft.repository !== 'string' || !REPOSITORY_RE.test(draft.repository)) {
    throw new LedgerFormatError(`invalid repository ${JSON.stringify(draft.repository)}: expected owner/repo`);
  }
  if (!Array.isArray(draft.controls) || draft.controls.some((c) => typeof c !== 'string' || c.length === 0)) {
    throw new LedgerFormatError('controls must be a list of control ids like "SOC2:CC6.2"');
  }
  if (draft.subject === null || typeof draft.subject !== 'object' || Array.isArray(draft.subject)) {
    throw new LedgerFormatError('subject must be an object');
  }
}

/**
 * A deep copy that is exactly what JSON will hold, refusing anything that would hash one way and
 * read back another: fractional or unsafe numbers (languages disagree on printing them), Dates,
 * class instances, functions, lone surrogates. Properties whose value is undefined are dropped,
 * as JSON.stringify would.
 */
function plainJson(value: unknown, where: string): unknown {
  switch (typeof value) {
    case 'string':
      if (!value.isWellFormed()) throw new LedgerFormatError(`${where} contains a lone surrogate`);
      return value;
    case 'boolean':
      return value;
    case 'number':
      if (!Number.isSafeInteger(value)) {
        throw new LedgerFormatError(`${where} is ${String(value)}: records hold only integers (write fractions and large ids as strings)`);
      }
      return value;
    case 'object': {
      if (value === null) return null;
      if (Array.isArray(value)) {
        return value.map((item, i) => {
          if (item === undefined) throw new LedgerFormatError(`${where}[${i}] is undefined`);
          return plainJson(item, `${where}[${i}]`);
        });
      }
      const proto = Object.getPrototypeOf(value) as unknown;
      if (proto !== Object.prototype && proto !== null) {
        throw new LedgerFormatError(`${where} is not a plain object (convert Dates to ISO strings)`);
      }
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        if (v === undefined) continue;
        if (!k.isWellFormed()) throw new LedgerFormatError(`${where} has a key with a lone surrogate`);
        out[k] = plainJson(v, `${where}.${k}`);
      }
      return out;
    }
    default:
      throw new LedgerFormatError(`${where} is a ${typeof value}, which JSON cannot hold`);
  }
}

/** The file content of a record: pretty-printed JSON with a trailing newline. */
export function serializeRecord(record: SealedRecord): string {
  return JSON.stringify(record, null, 2) + '\n';
}

export function emptyHead(): LedgerHead {
  return { format: HEAD_FORMAT, seq: 0, hash: null, path: null };
}

/** The head after appending `record` (stored in its day folder) to a ledger whose head was `previous`. */
export function headFor(record: SealedRecord, previous: LedgerHead = emptyHead()): LedgerHead {
  const day_folders = previous.day_folders ?? { from_seq: dayFoldersFrom(previous), since: record.recorded_at };
  return { format: HEAD_FORMAT, seq: record.seq, hash: record.hash, path: recordPath(record), day_folders };
}

export function serializeHead(head: LedgerHead): string {
  const fields = {
    format: HEAD_FORMAT,
    seq: head.seq,
    hash: head.hash,
    path: head.path,
    ...(head.day_folders ? { day_folders: { from_seq: head.day_folders.from_seq, since: head.day_folders.since } } : {}),
  };
  return JSON.stringify(fields, null, 2) + '\n';
}

/** Parses head.json; throws LedgerFormatError saying what is wrong. */
export function parseHead(content: string): LedgerHead {
  let value: unknown;
  try {
    value = JSON.parse(content);
  } catch {
    throw new LedgerFormatError('head.json is not valid JSON');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new LedgerFormatError('head.json is not a JSON object');
  const h = value as Record<string, unknown>;
  if (h.format !== HEAD_FORMAT) throw new LedgerFormatError(`head.json has format ${JSON.stringify(h.format)}, expected ${HEAD_FORMAT}`);
  if (typeof h.seq !== 'number' || !Number.isSafeInteger(h.seq) || h.seq < 0) throw new LedgerFormatError('head.json seq is not a non-negative integer');
  if (h.seq === 0) {
    if (h.hash !== null || h.path !== null) throw new LedgerFormatError('head.json with seq 0 must have hash and path null');
  } else {
    if (typeof h.hash !== 'string' || !HASH_RE.test(h.hash)) throw new LedgerFormatError('head.json hash is not 64 lower-case hex digits');
    if (typeof h.path !== 'string' || !RECORD_PATH_RE.test(h.path)) throw new LedgerFormatError('head.json path is not a record path');
  }
  const head: LedgerHead = { format: HEAD_FORMAT, seq: h.seq, hash: (h.hash as string | null) ?? null, path: (h.path as string | null) ?? null };
  if (h.day_folders !== undefined) {
    const d = h.day_folders as Record<string, unknown> | null;
    if (d === null || typeof d !== 'object' || Array.isArray(d)) throw new LedgerFormatError('head.json day_folders is not an object');
    if (typeof d.from_seq !== 'number' || !Number.isSafeInteger(d.from_seq) || d.from_seq < 1 || d.from_seq > h.seq) {
      throw new LedgerFormatError('head.json day_folders.from_seq is not the seq of a record in the chain');
    }
    if (!isTimestamp(d.since)) throw new LedgerFormatError('head.json day_folders.since is not an ISO 8601 UTC timestamp');
    head.day_folders = { from_seq: d.from_seq, since: d.since };
  }
  return head;
}

// ---- keys: one per event, so a redelivered event maps to the same path ----

function prNumber(n: number): number {
  if (!Number.isSafeInteger(n) || n <= 0) throw new LedgerFormatError(`invalid pull request number ${String(n)}`);
  return n;
}

export function grantChangeKey(pr: number): string {
  return `pr-${prNumber(pr)}-merged`;
}

export function unapprovedMergeKey(pr: number): string {
  return `pr-${prNumber(pr)}-unapproved`;
}

/** A re-run keeps its run id and counts attempts, so each attempt after the first gets its own key. */
export function provisionedKey(pr: number, runId: number, attempt = 1): string {
  if (!Number.isSafeInteger(runId) || runId <= 0) throw new LedgerFormatError(`invalid workflow run id ${String(runId)}`);
  if (!Number.isSafeInteger(attempt) || attempt <= 0) throw new LedgerFormatError(`invalid workflow run attempt ${String(attempt)}`);
  const base = `pr-${prNumber(pr)}-provisioned-${runId}`;
  return attempt === 1 ? base : `${base}-attempt-${attempt}`;
}

export function reviewCampaignKey(pr: number): string {
  return `pr-${prNumber(pr)}-review-campaign`;
}

/**
 * `left-<login>-<YYYYMMDDTHHMMSSZ>`. The login is lower-cased: GitHub logins are
 * case-insensitive, and two keys differing only in case would collide on case-insensitive file
 * systems when an auditor checks the branch out.
 */
export function identityLeftOrgKey(login: string, leftAt: Timestamp): string {
  if (!/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/.test(login)) throw new LedgerFormatError(`invalid GitHub login ${JSON.stringify(login)}`);
  if (!isTimestamp(leftAt)) throw new LedgerFormatError(`invalid left_at ${JSON.stringify(leftAt)}`);
  const compact = leftAt.slice(0, 19).replace(/[-:]/g, '') + 'Z';
  return `left-${login.toLowerCase()}-${compact}`;
}

/**
 * The key an event is recorded under when the path of its own key holds a record the App did not
 * write: `<key>-<n>` for n = 2, 3, … (the first whose path is free or holds the App's own record).
 */
export function alternateKey(key: string, n: number): string {
  if (!Number.isSafeInteger(n) || n < 2) throw new LedgerFormatError(`invalid alternate key number ${String(n)}`);
  return `${key}-${n}`;
}

/**
 * `foreign-<first 12 hex of the commit>-<key>`: the anomaly record about a record at `key` that
 * the App did not write (the commit that added it, or the file's SHA-256 when GitHub names no
 * commit), cut to the 200 characters a key may have.
 */
export function anomalyKey(foreignKey: string, commitOrContentSha: string): string {
  if (!/^[0-9a-f]{12,}$/.test(commitOrContentSha)) throw new LedgerFormatError(`invalid commit or content SHA ${JSON.stringify(commitOrContentSha)}`);
  return `foreign-${commitOrContentSha.slice(0, 12)}-${foreignKey}`.slice(0, 200);
}

/** The commit message of an append: names every seq and key it adds. */
export function appendCommitMessage(records: readonly SealedRecord[]): string {
  if (records.length === 0) throw new LedgerFormatError('an append commit needs at least one record');
  const first = records[0]!;
  const last = records[records.length - 1]!;
  const title = records.length === 1 ? `Record seq ${first.seq}: ${first.key}` : `Record seq ${first.seq}-${last.seq}: ${records.length} records`;
  const lines = records.map((r) => `seq ${r.seq} ${r.key} ${r.hash}`);
  return `${title}\n\n${lines.join('\n')}\n`;
}
