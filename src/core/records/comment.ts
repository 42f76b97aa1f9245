/**
 * The sticky PR comment: one comment per pull request, found again by a hidden marker and
 * updated in place, listing every ledger record about the PR with its path, seq and hash. It is
 * the hash's anchor outside the ledger branch: `verify --online` reads the record markers
 * (`<!-- access-ledger:record key=… seq=… hash=… -->`) and compares them with the branch. Pure.
 */
import { formatRecordMarker, parseRecordMarkerLine, storedRecordPath, type RecordMarker, type SealedRecord } from '../ledger/index.ts';
import { summarizeRecord } from './summary.ts';
import { mdCode, urlPath } from '../text/escape.ts';

/** Identifies the App's sticky comment among the PR's comments. */
export const COMMENT_MARKER = '<!-- access-ledger:comment -->';

export interface CommentContext {
  /** The ledger branch the records are on. */
  branch: string;
  /** `https://github.com/owner/repo` (the repository's html_url), for links to the records. */
  repositoryUrl: string;
  /** The seq from which the ledger stores records in day folders (records before it are in month folders). */
  dayFoldersFrom?: number;
}

export interface CommentBlock {
  key: string;
  seq: number;
  hash: string;
  /** The marker line and the visible line, as they appear in the body. */
  marker: string;
  line: string;
}

/** The App's comment starts with its marker; a body that merely contains it is someone else's. */
export function isRecordComment(body: string | null | undefined): boolean {
  return typeof body === 'string' && body.split('\n', 1)[0]!.trim() === COMMENT_MARKER;
}

/** The two lines one record occupies: its marker, then path, seq, hash and the summary. */
export function recordBlock(record: SealedRecord, ctx: CommentContext): CommentBlock {
  const path = storedRecordPath(record, ctx.dayFoldersFrom);
  const url = `${ctx.repositoryUrl.replace(/\/+$/, '')}/blob/${urlPath(ctx.branch)}/${urlPath(path)}`;
  const marker = formatRecordMarker(record);
  const line = `- **seq ${record.seq}** · ${mdCode(record.kind, 40)} · [${mdCode(path, 240)}](${url}) · hash ${mdCode(record.hash)}<br>${summarizeRecord(record)}`;
  return { key: record.key, seq: record.seq, hash: record.hash, marker, line };
}

/**
 * The record blocks of the App's comment (a marker line followed by its visible line), read where
 * the App writes its markers and nowhere else: in its own comment (the one starting with
 * COMMENT_MARKER), on lines that hold a marker and nothing else. A marker-like text inside a line
 * is text, not an anchor; and since every visible line is escaped onto one line with no `<!--`,
 * nothing from a pull request or a grant file can become a marker line.
 */
export function parseCommentBlocks(body: string): CommentBlock[] {
  if (!isRecordComment(body)) return [];
  const lines = body.split(/\r?\n/);
  const out: CommentBlock[] = [];
  for (let i = 1; i < lines.length; i++) {
    const m = parseRecordMarkerLine(lines[i]!);
    if (!m) continue;
    const next = lines[i + 1] ?? '';
    out.push({ key: m.key, seq: m.seq, hash: m.hash, marker: lines[i]!.trim(), line: parseRecordMarkerLine(next) ? '' : next });
  }
  return out;
}

/** The anchors of the App's comment (what `verify --online` compares with the ledger). */
export function recordCommentMarkers(body: string | null | undefined): RecordMarker[] {
  return typeof body === 'string' ? parseCommentBlocks(body).map(({ key, seq, hash }) => ({ key, seq, hash })) : [];
}

export interface CommentUpdate {
  body: string;
  /** False when the existing comment already says exactly this (nothing to write). */
  changed: boolean;
  /**
   * Keys whose anchored hash differs from the record now given. The anchor is kept as it was:
   * the App never overwrites evidence of what the ledger said earlier (verify reports it).
   */
  conflicts: string[];
}

function render(blocks: CommentBlock[], ctx: CommentContext): string {
  const head = [
    COMMENT_MARKER,
    `**Access ledger**: this pull request's evidence is recorded on the ${mdCode(ctx.branch, 100)} branch. ` +
      'Each record carries the hash of the previous one; the hashes below anchor them outside the branch ' +
      '(`npx access-ledger verify --online` compares the two).',
    '',
  ];
  const body = [...blocks].sort((a, b) => a.seq - b.seq).flatMap((b) => [b.marker, b.line]);
  return [...head, ...body].join('\n') + '\n';
}

/**
 * The comment body after adding `records`: existing blocks kept verbatim, one block per new key,
 * ordered by seq. `existing` is the current body (null when there is no comment yet).
 */
export function updateRecordComment(existing: string | null, records: readonly SealedRecord[], ctx: CommentContext): CommentUpdate {
  const blocks = new Map<string, CommentBlock>();
  for (const b of existing ? parseCommentBlocks(existing) : []) if (!blocks.has(b.key)) blocks.set(b.key, b);
  const conflicts: string[] = [];
  for (const r of records) {
    const old = blocks.get(r.key);
    if (old) {
      if (old.hash !== r.hash || old.seq !== r.seq) conflicts.push(r.key);
      continue;
    }
    blocks.set(r.key, recordBlock(r, ctx));
  }
  const body = render([...blocks.values()], ctx);
  return { body, changed: existing === null || body !== existing.replace(/\r\n/g, '\n'), conflicts };
}
