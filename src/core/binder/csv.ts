/**
 * CSV as RFC 4180 (CRLF rows, quotes doubled). A cell that a spreadsheet would run as a formula
 * (starting with =, +, -, @, tab or carriage return) is prefixed with a single quote, because
 * grant files are written by requesters and the binder is opened by auditors. The JSON file beside
 * each CSV holds the values unaltered.
 *
 * A population is written one line at a time (`csvHeader`, then `csvLine` per row), so a file of
 * 200,000 rows never exists as one string; `toCsv` joins the same lines for the small files.
 */
import type { Cell, Column, Row } from './types.ts';

const NEEDS_QUOTES = /[",\r\n]/;
const QUOTE = /"/g;

function cell(value: Cell | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value !== 'string') return String(value);
  let s = value;
  const first = s.charCodeAt(0);
  // = + - @ tab CR: a formula to a spreadsheet.
  if (first === 61 || first === 43 || first === 45 || first === 64 || first === 9 || first === 13) s = `'${s}`;
  return NEEDS_QUOTES.test(s) ? `"${s.replace(QUOTE, '""')}"` : s;
}

/** The header line (without its CRLF). */
export function csvHeader(keys: readonly string[]): string {
  return keys.map((k) => cell(k)).join(',');
}

/** One row as a CSV line (without its CRLF), cells in the order of `keys`. */
export function csvLine(keys: readonly string[], row: Row): string {
  // Joined, not concatenated: a line built cell by cell is a rope of string pieces until written.
  const cells = new Array<string>(keys.length);
  for (let i = 0; i < keys.length; i++) cells[i] = cell(row[keys[i]!]);
  return cells.join(',');
}

export function toCsv(columns: readonly Column[], rows: readonly Row[], extra: readonly { key: string; values: readonly Cell[] }[] = []): string {
  const keys = [...extra.map((e) => e.key), ...columns.map((c) => c.key)];
  const colKeys = columns.map((c) => c.key);
  const out: string[] = [csvHeader(keys)];
  rows.forEach((row, i) => {
    const lead = extra.map((e) => cell(e.values[i] ?? null));
    const line = csvLine(colKeys, row);
    out.push(lead.length === 0 ? line : colKeys.length === 0 ? lead.join(',') : `${lead.join(',')},${line}`);
  });
  return out.join('\r\n') + '\r\n';
}
