/**
 * The hidden marker that ties an issue to its (subject, kind), so the sweep finds the issue again
 * however people retitle it, and knows without another read whether its content is current:
 *
 *   <!-- access-ledger:stale id=<identity> kind=<problem> hash=<content hash> -->
 */
import { createHash } from 'node:crypto';
import { isProblemKind, type ProblemKind } from './kinds.ts';

export interface StaleMarker {
  id: string;
  kind: ProblemKind;
  hash: string;
}

const ID_RE = /^[A-Za-z0-9][A-Za-z0-9._[\]-]{0,99}$/;
const HASH_RE = /^[0-9a-f]{16}$/;
/** A marker alone on its line, as `formatStaleMarker` writes it: never one inside other text. */
const MARKER_RE = /^[ \t]*<!-- access-ledger:stale id=([A-Za-z0-9][A-Za-z0-9._[\]-]{0,99}) kind=([a-z-]{1,40}) hash=([0-9a-f]{16}) -->[ \t]*\r?$/m;

export function formatStaleMarker(m: StaleMarker): string {
  if (!ID_RE.test(m.id) || !isProblemKind(m.kind) || !HASH_RE.test(m.hash)) {
    throw new Error(`cannot format a stale-issue marker for ${JSON.stringify(m)}: invalid id, kind or hash`);
  }
  return `<!-- access-ledger:stale id=${m.id} kind=${m.kind} hash=${m.hash} -->`;
}

/** The first marker line of an issue body, or undefined when the body has none (not a managed issue). */
export function parseStaleMarker(body: string | null | undefined): StaleMarker | undefined {
  if (!body) return undefined;
  const m = MARKER_RE.exec(body);
  if (!m || !isProblemKind(m[2]!)) return undefined;
  return { id: m[1]!, kind: m[2], hash: m[3]! };
}

/** 16 hex digits of SHA-256: enough to tell one version of an issue's text from the next. */
export function contentHash(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex').slice(0, 16);
}
