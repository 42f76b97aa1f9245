/**
 * A population streamed row by row gives the same text as the whole population formatted at
 * once: the CSV as toCsv writes it, the JSON rows as one compact row per line, the page's table
 * data as the JSON it embeds. Cells are chosen to be awkward (formulas, quotes, line breaks,
 * characters a <script> or a spreadsheet cares about).
 */
import { describe, expect, it } from 'vitest';
import { populationJsonFrame } from '../../src/core/binder/binder.ts';
import { toCsv } from '../../src/core/binder/csv.ts';
import { htmlDataRow, scriptJson, tableDataFrame } from '../../src/core/binder/html.ts';
import { stripControls } from '../../src/core/text/escape.ts';
import { PopulationSink, type TextSink } from '../../src/core/binder/population-sink.ts';
import type { Column, ExportParams, Population, Row } from '../../src/core/binder/types.ts';

const columns: Column[] = ['identity', 'system', 'note', 'count', 'flag', 'gaps'].map((key) => ({ key, title: key, description: '' }));

const AWKWARD: Row[] = [
  { identity: 'alice', system: 'prod-db', note: 'plain', count: 1, flag: true, gaps: null },
  { identity: '=HYPERLINK("x")', system: '+sum', note: 'say "hi", then\r\nleave', count: -3, flag: false, gaps: 'no owner' },
  { identity: '@me', system: '-1', note: '</script><script>alert(1)</script>', count: 0, flag: null, gaps: null },
  { identity: 'ünïcödé 漢字 🙂', system: '\tTab', note: 'line\u2028separator\u2029', count: 1.5, flag: true, gaps: '' },
  { identity: 'missing cells' },
];

class Collect implements TextSink {
  pieces: string[] = [];
  write(text: string): void {
    this.pieces.push(text);
  }
  get text(): string {
    return this.pieces.join('');
  }
}

function stream(rows: readonly Row[], cols: readonly Column[] = columns) {
  const out = { csv: new Collect(), json: new Collect(), html: new Collect() };
  const sink = new PopulationSink(cols, out);
  for (const r of rows) sink.add(r);
  const table = sink.finish();
  return { out, sink, table };
}

/** The JSON file's `rows` array as populations/<id>.json held it before rows were streamed. */
const rowsBlock = (rows: readonly Row[]): string => (rows.length === 0 ? '[]' : `[\n    ${rows.map((r) => JSON.stringify(r)).join(',\n    ')}\n  ]`);

const many = (n: number): Row[] =>
  Array.from({ length: n }, (_, i) => ({
    identity: `id-${i}`,
    system: `sys-${i % 7}`,
    note: `Needed for workload ${i}, "quoted"`,
    count: i,
    flag: i % 2 === 0,
    gaps: i % 5 === 0 ? 'no approval record in the ledger' : null,
  }));

describe('PopulationSink', () => {
  it.each([
    ['no rows', [] as Row[]],
    ['awkward cells', AWKWARD],
    ['enough rows to be handed on in many pieces', many(3000)],
  ])('%s: the CSV is toCsv of the rows, the JSON rows are one per line', (_, rows) => {
    const { out, sink } = stream(rows);
    expect(out.csv.text).toBe(toCsv(columns, rows));
    if (rows.length === 0) expect(out.json.text).toBe('');
    else expect('[\n' + out.json.text + '\n  ]').toBe(rowsBlock(rows));
    expect(sink.count).toBe(rows.length);
    expect(sink.gapRows).toBe(rows.filter((r) => r.gaps !== undefined && r.gaps !== null).length);
  });

  it('quotes and defuses cells as RFC 4180 and a spreadsheet need', () => {
    const lines = stream(AWKWARD).out.csv.text.split('\r\n');
    expect(lines[0]).toBe('identity,system,note,count,flag,gaps');
    expect(lines[2]).toBe(`"'=HYPERLINK(""x"")",'+sum,"say ""hi"", then`);
    expect(lines[3]).toBe(`leave",-3,false,no owner`);
    expect(lines[4]).toBe(`'@me,'-1,</script><script>alert(1)</script>,0,,`);
    expect(lines[6]).toBe('missing cells,,,,,');
  });

  it('hands text on in pieces of bounded size, never the whole population at once', () => {
    const { out } = stream(many(3000));
    expect(out.csv.pieces.length).toBeGreaterThan(5);
    expect(Math.max(...out.csv.pieces.map((p) => p.length))).toBeLessThan(80_000);
  });

  it('the page data is every row as the script reads them, however many; the first page is 25 rows', () => {
    const rows = many(30_000);
    const { out, table } = stream(rows);
    const keys = columns.map((c) => c.key);
    const frame = tableDataFrame(keys);
    const data = frame.before + out.html.text + frame.after;
    expect(data).toBe(scriptJson({ c: keys, r: rows.map((r) => keys.map((k) => r[k] ?? null)) }));
    expect(JSON.parse(data).r).toHaveLength(30_000);
    expect(table.embedded).toBe(30_000);
    expect(table.firstPage.match(/<tr>/g)).toHaveLength(25);
    expect(table.firstPage).toContain('<td data-label="identity">id-0</td>');
  });

  it.each([
    ['identity', ['commit', 'path', 'identity', 'kind'], ['identity', 'commit', 'path', 'kind']],
    ['login', ['login', 'left_at'], ['login', 'left_at']],
    ['system', ['commit', 'changed_at', 'system', 'action'], ['system', 'commit', 'changed_at', 'action']],
    ['pr', ['occurred_at', 'pr', 'title'], ['pr', 'occurred_at', 'title']],
    ['identity before system', ['system', 'reviewed_on', 'identity'], ['identity', 'system', 'reviewed_on']],
    ['the first column when none names the row', ['a', 'b'], ['a', 'b']],
  ])('the page shows the column naming the row first (%s); the CSV and JSON keep their order', (_, keys, page) => {
    const cols = keys.map((key) => ({ key, title: key.toUpperCase(), description: '' }));
    const row = Object.fromEntries(keys.map((k) => [k, `${k}-value`]));
    const { out, table } = stream([row], cols);
    expect(table.keys).toEqual(page);
    expect(JSON.parse(`[${out.html.text}]`)).toEqual([page.map((k) => `${k}-value`)]);
    expect(table.firstPage).toBe(`<tr>${page.map((k) => `<td data-label="${k.toUpperCase()}">${k}-value</td>`).join('')}</tr>`);
    expect(out.csv.text.split('\r\n')[0]).toBe(keys.join(','));
    expect(Object.keys(JSON.parse(out.json.text.trim()))).toEqual(keys);
  });

  it('the page data cannot close its <script>', () => {
    const { out } = stream(AWKWARD);
    expect(out.html.text).not.toMatch(/<\/script/i);
    expect(out.html.text).not.toMatch(/[\u2028\u2029]/);
  });

  it.each([
    ['plain text', 'Needed for the on-call rotation'],
    ['an ANSI colour', 'red \u001b[31malert\u001b[0m'],
    ['C0 and C1 controls', 'a\u0000b\u0007c\u007fd\u0085e\u009bf'],
    ['a carriage return', 'line\r\nnext'],
    ['bidi overrides', 'admin\u202eresu\u202c \u2066x\u2069 \u200e\u200f\u061c'],
    ['what a script cares about', '</script>\u2028\u2029'],
    ['tab and line feed, kept', 'a\tb\nc'],
  ])('a page cell with %s is the text stripControls leaves, escaped for a <script>', (_, text) => {
    const row = { identity: text, system: 1, note: null };
    expect(htmlDataRow(['identity', 'system', 'note'], row)).toBe(scriptJson([stripControls(text), 1, null]));
  });

  it('refuses rows after it is finished', () => {
    const { sink } = stream(AWKWARD);
    expect(() => sink.add({ identity: 'late' })).toThrow(/after it was finished/);
  });
});

describe('populations/<id>.json around the streamed rows', () => {
  const params = {
    period: { from: '2026-01-01', to: '2026-06-30' },
    asOf: '2026-06-30',
    asOfCommit: 'c'.repeat(40),
    ref: 'HEAD',
    refSha: 'c'.repeat(40),
    ledgerBranch: 'access-ledger',
    ledgerSha: 'd'.repeat(40),
  } as ExportParams;
  const pop = (rowCount: number): Population => ({
    id: 'additions',
    title: 'Additions',
    question: 'Who?',
    unit: 'one row per entry',
    frequency: 'event-driven',
    controls: ['SOC2:CC6.3'],
    columns,
    rowCount,
    gapRows: 0,
    reproduce: { git: 'git log', access_ledger: 'access-ledger export', tie_back: 'rows' },
  });

  it.each([
    ['rows', AWKWARD],
    ['no rows', [] as Row[]],
  ])('with %s: pretty JSON, the row count before the rows, each row compact on its own line', (_, rows) => {
    const { out } = stream(rows);
    const { before, after } = populationJsonFrame(pop(rows.length), params);
    const text = before + out.json.text + after;
    const parsed = JSON.parse(text);
    expect(parsed.row_count).toBe(rows.length);
    expect(parsed.rows).toEqual(JSON.parse(JSON.stringify(rows)));
    const head = {
      id: 'additions',
      title: 'Additions',
      question: 'Who?',
      unit: 'one row per entry',
      period: params.period,
      as_of: params.asOf,
      as_of_commit: params.asOfCommit,
      ref: 'HEAD',
      ref_sha: params.refSha,
      ledger_branch: 'access-ledger',
      ledger_sha: params.ledgerSha,
      row_count: rows.length,
      ...(columns.some((c) => c.key === 'gaps') ? { rows_with_gaps: 0, gaps_by_kind: {} } : {}),
      reproduce: pop(0).reproduce,
      controls: ['SOC2:CC6.3'],
      columns,
    };
    const top = JSON.stringify({ ...head, rows: [] }, null, 2);
    const at = top.lastIndexOf('"rows": []');
    expect(text).toBe(top.slice(0, at) + '"rows": ' + rowsBlock(rows) + top.slice(at + 10) + '\n');
  });
});
