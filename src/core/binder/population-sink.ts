/**
 * A population as a sink: rows go in one at a time and leave at once as text, handed to
 * `TextSink`s the caller provides (the export writes them to files): CSV for
 * populations/<id>.csv, JSON for the `rows` of populations/<id>.json, and every row again as
 * the data of the page's table (cells in the page's column order). What the rest of the binder needs of the rows is counted as they
 * pass. So a population of 200,000 rows costs three write buffers, not 200,000 objects. Pure.
 */
import { csvHeader, csvLine } from './csv.ts';
import { htmlDataRow, htmlTableRow, HTML_FIRST_PAGE } from './html.ts';
import { pageColumns } from './paging.ts';
import type { Column, Row } from './types.ts';
import { maskSecrets } from '../text/mask.ts';

/** Where text goes, in order. */
export interface TextSink {
  write(text: string): void;
}

/** Where a population's text goes. */
export interface PopulationOutput {
  /** The whole CSV file, header first. */
  csv: TextSink;
  /** The rows of the JSON file as they sit between `"rows": [\n` and `\n  ]`: one per line. */
  json: TextSink;
  /** Every row as the page embeds it, between `"r":[` and `]` of the table's data. */
  html: TextSink;
}

/** What index.html shows of a population besides the embedded rows (which went to `html`). */
export interface PopulationTable {
  /** Rows embedded in the page: all of them. */
  embedded: number;
  /** The column keys in the page's order (the `"c"` of the table's data): the lead column first (see pageColumns). */
  keys: string[];
  /** The `<tr>` rows shown before the script runs (at most HTML_FIRST_PAGE). */
  firstPage: string;
}

/** Text is handed on in pieces of about this many characters. */
const FLUSH_AT = 1 << 16;

/** The indentation of a row inside the `rows` array of populations/<id>.json. */
export const JSON_ROW_INDENT = '    ';

export class PopulationSink {
  readonly columns: readonly Column[];
  count = 0;
  gapRows = 0;
  private readonly keys: string[];
  private readonly page: Column[];
  private readonly pageKeys: string[];
  private readonly out: PopulationOutput;
  // Pieces waiting to be handed on, and their length in characters. Kept as lists and joined
  // when handed on: a string grown by += is a rope of every piece until then.
  private csvBuf: string[];
  private jsonBuf: string[] = [];
  private htmlBuf: string[] = [];
  private buffered = 0;
  private firstPage = '';
  private table: PopulationTable | null = null;

  constructor(columns: readonly Column[], out: PopulationOutput) {
    this.columns = columns;
    this.keys = columns.map((c) => c.key);
    this.page = pageColumns(columns);
    this.pageKeys = this.page.map((c) => c.key);
    this.out = out;
    this.csvBuf = [csvHeader(this.keys) + '\r\n'];
  }

  add(input: Row): void {
    if (this.table) throw new Error('a population received a row after it was finished');
    // No secret leaves in the binder: a cell that looks like one is masked in the CSV, the JSON and the page alike.
    const row = maskRow(input);
    const line = csvLine(this.keys, row);
    const json = JSON.stringify(row);
    this.csvBuf.push(line, '\r\n');
    this.jsonBuf.push(this.count === 0 ? JSON_ROW_INDENT : `,\n${JSON_ROW_INDENT}`, json);
    this.buffered += line.length + json.length;
    if (row.gaps !== undefined && row.gaps !== null) this.gapRows++;
    const data = htmlDataRow(this.pageKeys, row);
    this.htmlBuf.push(this.count === 0 ? data : `,${data}`);
    this.buffered += data.length;
    if (this.count < HTML_FIRST_PAGE) this.firstPage += htmlTableRow(this.page, row);
    this.count++;
    if (this.buffered >= FLUSH_AT) this.flush();
  }

  private flush(): void {
    if (this.csvBuf.length > 0) this.out.csv.write(this.csvBuf.join(''));
    if (this.jsonBuf.length > 0) this.out.json.write(this.jsonBuf.join(''));
    if (this.htmlBuf.length > 0) this.out.html.write(this.htmlBuf.join(''));
    this.csvBuf = [];
    this.jsonBuf = [];
    this.htmlBuf = [];
    this.buffered = 0;
  }

  /** Hands on what is buffered; the population takes no more rows. */
  finish(): PopulationTable {
    if (!this.table) {
      this.flush();
      this.table = { embedded: this.count, keys: this.pageKeys, firstPage: this.firstPage };
    }
    return this.table;
  }
}

/** Lower-case hex: the ledger's hashes and commit SHAs, a tenth of all cells and most of the cost of masking. */
const HEX = /^[0-9a-f]+$/;

/**
 * The row with each text cell masked; the same row when no cell needed it. A lower-case hex value
 * is left alone: no known format is one, and sixteen symbols reach the entropy bar only when every
 * one occurs equally often (a hash is not a secret to mask, and checking each costs most of the time).
 */
export function maskRow(row: Row): Row {
  let out: Row | undefined;
  for (const key in row) {
    const value = row[key];
    if (typeof value !== 'string' || value.length < 10 || HEX.test(value)) continue;
    const masked = maskSecrets(value);
    if (masked !== value) (out ??= { ...row })[key] = masked;
  }
  return out ?? row;
}
