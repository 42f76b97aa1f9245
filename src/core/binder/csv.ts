/**
 * CSV as RFC 4180 (CRLF rows, quotes doubled). A cell that a spreadsheet would run as a formula
 * (starting with =, +, -, @, tab or carriage return) is prefixed with a single quote, because
 * grant files are written by requesters and the binder is opened by auditors. The JSON file beside
 * each CSV holds the values unaltered.
 */
import type { Cell, Column, Row } from './types.ts';

function cell(value: Cell | undefined): string {
  if (value === null || value === undefined) return '';
  let s = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(columns: readonly Column[], rows: readonly Row[], extra: readonly { key: string; values: readonly Cell[] }[] = []): string {
  const keys = [...extra.map((e) => e.key), ...columns.map((c) => c.key)];
  const out: string[] = [keys.map((k) => cell(k)).join(',')];
  rows.forEach((row, i) => {
    out.push([...extra.map((e) => cell(e.values[i] ?? null)), ...columns.map((c) => cell(row[c.key]))].join(','));
  });
  return out.join('\r\n') + '\r\n';
}
