// npm run bench:mask: what masking secrets costs the export. Exports the synthetic repo of
// bench:export (BENCH_MASK_N grants, default 20,000) once, then times the binder's row masking
// alone over every row it wrote, in a fresh process, and writes the "Binder: masking secrets"
// section of docs/performance.md: the masking's share of the export's time, measured in one run.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { ensureExportRepo } from './export-repo.ts';
import { writeSection } from './report.ts';

const root = new URL('../.bench/', import.meta.url).pathname;
mkdirSync(root, { recursive: true });
const n = Number(process.env.BENCH_MASK_N ?? 20000);
const loadStart = loadavg()[0].toFixed(2);
const dir = await ensureExportRepo(root, n);
const out = `${root}mask-binder-${n}`;
const node = (script, args) => JSON.parse(execFileSync(process.execPath, ['--expose-gc', new URL(script, import.meta.url).pathname, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 }).trim().split('\n').pop());
const exported = node('./export-run.ts', ['export', dir, out]);
const mask = node('./mask-run.ts', [out, '3']);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const maskMs = median(mask.ms);
console.log(`export ${(exported.ms / 1000).toFixed(2)} s; masking ${mask.rows} rows, ${mask.cells} text cells: ${maskMs.toFixed(0)} ms (${mask.ms.map((m) => m.toFixed(0)).join(', ')})`);

writeSection('Binder: masking secrets', [
  `Command: \`npm run bench:mask\` (${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}; load average ${loadStart} before, ${loadavg()[0].toFixed(2)} after: other work shares the machine).`,
  '',
  `Every row of every population is masked as it is made (whatever looks like a secret becomes \`ghp_…(masked)\` in the CSV, the JSON and the page). Over the binder of the synthetic repo of ${n.toLocaleString('en-US')} grants (bench/export-repo.ts): ${mask.rows.toLocaleString('en-US')} rows, ${mask.cells.toLocaleString('en-US')} text cells, ${mask.masked} masked. Masking them all alone, in a fresh process: ${maskMs.toFixed(0)} ms (median of 3: ${mask.ms.map((m) => m.toFixed(0)).join(', ')} ms), against ${(exported.ms / 1000).toFixed(2)} s for the whole export in the same run: ${((maskMs / exported.ms) * 100).toFixed(1)}% of it. Lower-case hex cells (hashes, commit SHAs) are skipped: they were a tenth of the cells and most of the cost.`,
  '',
]);
