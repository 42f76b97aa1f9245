/**
 * The hidden marker the App writes into its sticky PR comment for each record about the PR:
 * an anchor of the record's hash outside the ledger branch, so rewriting the branch (even with
 * every hash recomputed) still disagrees with what GitHub showed on the PR at the time.
 *
 *   <!-- access-ledger:record key=pr-45-merged seq=12 hash=<64 hex> -->
 */
import { HASH_RE } from './record.ts';

export interface RecordMarker {
  key: string;
  seq: number;
  hash: string;
}

export function formatRecordMarker(record: RecordMarker): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(record.key) || !Number.isSafeInteger(record.seq) || !HASH_RE.test(record.hash)) {
    throw new Error(`cannot format a marker for ${JSON.stringify(record.key)}: invalid key, seq or hash`);
  }
  return `<!-- access-ledger:record key=${record.key} seq=${record.seq} hash=${record.hash} -->`;
}

/** A marker exactly as `formatRecordMarker` writes it, alone on its line. */
const MARKER_LINE_RE = /^[ \t]*<!-- access-ledger:record key=([A-Za-z0-9][A-Za-z0-9._-]*) seq=(\d{1,15}) hash=([0-9a-f]{64}) -->[ \t]*$/;

/** The marker a line holds when the line is a marker and nothing else (as the App writes it). */
export function parseRecordMarkerLine(line: string): RecordMarker | undefined {
  const m = MARKER_LINE_RE.exec(line);
  return m ? { key: m[1]!, seq: Number(m[2]), hash: m[3]! } : undefined;
}

/**
 * Every record marker in a comment body, in order: only lines that are a marker and nothing else.
 * A marker-like text inside other text (a quoted or pasted one, text from a grant file) is not one.
 */
export function parseRecordMarkers(body: string): RecordMarker[] {
  const out: RecordMarker[] = [];
  for (const line of body.split(/\r?\n/)) {
    const m = parseRecordMarkerLine(line);
    if (m) out.push(m);
  }
  return out;
}
