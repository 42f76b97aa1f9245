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

const MARKER_RE = /<!--\s*access-ledger:record\s+key=([A-Za-z0-9][A-Za-z0-9._-]*)\s+seq=(\d{1,15})\s+hash=([0-9a-f]{64})\s*-->/g;

/** Every record marker in a comment body, in order of appearance. */
export function parseRecordMarkers(body: string): RecordMarker[] {
  const out: RecordMarker[] = [];
  for (const m of body.matchAll(MARKER_RE)) out.push({ key: m[1]!, seq: Number(m[2]), hash: m[3]! });
  return out;
}
