/**
 * Reading a system's CSV export with csv-parse (RFC 4180: quotes, doubled quotes, line breaks
 * inside quoted cells, a byte-order mark). A malformed file is an error naming its line: an export
 * half read would hide accounts. Pure.
 */
import { parse } from 'csv-parse/sync';
import { ObserveError } from './types.ts';
import { shown } from './values.ts';

/** No single row of an account listing comes near this; a larger one is not a listing. */
export const MAX_RECORD_BYTES = 1 << 20;

export interface CsvRow {
  /** The line the row starts on (the header is line 1). */
  line: number;
  /** Header name → cell. */
  values: Record<string, string>;
}

export interface CsvTable {
  header: string[];
  rows: CsvRow[];
}

/** UTF-8 text of the export, or an error: a mis-decoded name would never match its grant. */
export function decodeUtf8(bytes: Uint8Array, label: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new ObserveError(`${label} is not UTF-8 text: export it again as UTF-8 (CSV UTF-8 in a spreadsheet, or iconv -t UTF-8)`);
  }
}

interface Parsed {
  record: string[];
  info: { lines: number; empty_lines: number };
}

export function readCsv(bytes: Uint8Array, label: string): CsvTable {
  const text = decodeUtf8(bytes, label);
  let records: Parsed[];
  try {
    records = parse(text, { bom: true, info: true, skip_empty_lines: true, max_record_size: MAX_RECORD_BYTES }) as unknown as Parsed[];
  } catch (err) {
    const e = err as { message?: string; lines?: number; code?: string };
    const line = typeof e.lines === 'number' ? ` at line ${e.lines}` : '';
    const why = String(e.message ?? err)
      .replace(/\s+on line \d+$/, '')
      .replace(/\s+at line \d+$/, '');
    throw new ObserveError(
      `${label} is not a well-formed CSV file${line} (${why}): export it again; every row needs as many cells as the header, and a quote that opens a cell must close it`,
    );
  }
  if (records.length === 0) throw new ObserveError(`${label} is empty: an export has a header row naming its columns`);
  const first = records[0]!;
  const header = first.record.map((h) => h.trim());
  const seen = new Set<string>();
  header.forEach((h, i) => {
    if (h === '') throw new ObserveError(`${label} line 1: column ${i + 1} of the header has no name`);
    if (seen.has(h)) throw new ObserveError(`${label} line 1: the header names the column ${shown(h)} twice`);
    seen.add(h);
  });
  const rows: CsvRow[] = [];
  let prevEnd = first.info.lines;
  let prevEmpty = first.info.empty_lines;
  for (let i = 1; i < records.length; i++) {
    const { record, info } = records[i]!;
    const line = prevEnd + 1 + (info.empty_lines - prevEmpty);
    prevEnd = info.lines;
    prevEmpty = info.empty_lines;
    // No prototype: a column named `__proto__` is a column like any other.
    const values = Object.create(null) as Record<string, string>;
    for (let c = 0; c < header.length; c++) values[header[c]!] = record[c] ?? '';
    rows.push({ line, values });
  }
  return { header, rows };
}

/** Fails unless every column in `required` is in the header; the message lists what is missing. */
export function requireColumns(table: CsvTable, required: readonly string[], label: string, hint: string): void {
  const have = new Set(table.header);
  const missing = required.filter((c) => !have.has(c));
  if (missing.length > 0) {
    throw new ObserveError(
      `${label} has no column ${missing.map((m) => shown(m)).join(', ')} (it has ${table.header
        .slice(0, 12)
        .map((h) => shown(h))
        .join(', ')}${table.header.length > 12 ? ', …' : ''}): ${hint}`,
    );
  }
}
