/**
 * Masking secrets in a binder's rows, as a whole process: reads every row of every population of a
 * binder already written (populations/<id>.json) and, in mode `mask`, puts each through the same
 * masking the export applies to each row as it makes it; mode `read` (the floor) reads them and
 * stops. The difference between the two processes' CPU is the masking. Prints one JSON line.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { maskRow } from '../src/core/binder/population-sink.ts';
import type { Row } from '../src/core/binder/types.ts';

const [binder, mode = 'mask'] = process.argv.slice(2) as [string, ('read' | 'mask')?];
const dir = join(binder, 'populations');
const rows: Row[] = [];
for (const f of readdirSync(dir).filter((x) => x.endsWith('.json'))) rows.push(...(JSON.parse(readFileSync(join(dir, f), 'utf8')) as { rows: Row[] }).rows);
let cells = 0;
for (const r of rows) for (const v of Object.values(r)) if (typeof v === 'string') cells++;
let masked = 0;
if (mode === 'mask') for (const r of rows) if (maskRow(r) !== r) masked++;
console.log(JSON.stringify({ rows: rows.length, cells, masked }));
