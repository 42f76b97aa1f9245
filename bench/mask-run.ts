/**
 * Masking secrets in a binder's rows, timed alone: every row of every population of a binder
 * already written (populations/<id>.json) goes through the same masking the export applies to
 * each row as it makes it. Prints one JSON line: cells, rows, and the milliseconds of each pass.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { maskRow } from '../src/core/binder/population-sink.ts';
import type { Row } from '../src/core/binder/types.ts';

const [binder, passes = '3'] = process.argv.slice(2) as [string, string?];
const dir = join(binder, 'populations');
const rows: Row[] = [];
for (const f of readdirSync(dir).filter((x) => x.endsWith('.json'))) rows.push(...(JSON.parse(readFileSync(join(dir, f), 'utf8')) as { rows: Row[] }).rows);
let cells = 0;
for (const r of rows) for (const v of Object.values(r)) if (typeof v === 'string') cells++;
const ms: number[] = [];
let masked = 0;
for (let p = 0; p < Number(passes); p++) {
  masked = 0;
  const t = performance.now();
  for (const r of rows) if (maskRow(r) !== r) masked++;
  ms.push(performance.now() - t);
}
console.log(JSON.stringify({ rows: rows.length, cells, masked, ms }));
