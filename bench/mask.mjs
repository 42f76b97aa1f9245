// npm run bench:mask: what masking secrets costs the export. Exports the synthetic repo of
// bench:export (BENCH_MASK_N grants, default 20,000) as a whole process, then measures the binder's
// row masking as the difference of two whole processes, each measured the same way
// (bench/process.ts): one reading every row the export wrote and masking each, one only reading
// them (the floor). Writes the "Binder: masking secrets" section of docs/performance.md.
//   BENCH_NO_WRITE  1: print only (the test suite's smoke run)
import { mkdirSync, rmSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { ensureExportRepo } from './export-repo.ts';
import { writeSection } from './report.ts';
import { measure, median } from './process.ts';

const root = new URL('../.bench/', import.meta.url).pathname;
mkdirSync(root, { recursive: true });
const n = Number(process.env.BENCH_MASK_N ?? 20000);
const reps = Number(process.env.BENCH_REPS ?? 3);
const loadStart = loadavg()[0].toFixed(2);
const dir = await ensureExportRepo(root, n);
const out = `${root}mask-binder-${n}`;
rmSync(out, { recursive: true, force: true });
const BIN = new URL('../bin/access-ledger.js', import.meta.url).pathname;
const RUN = new URL('./mask-run.ts', import.meta.url).pathname;
const exported = measure([BIN, 'export', '--repo', dir, '--from', '2025-12-01', '--to', '2026-11-30', '--out', out, '--seed', '20261126'], {
  env: { CI: 'true' },
});
const read = [];
const masked = [];
let mask;
for (let r = 0; r < reps; r++) {
  read.push(measure([RUN, out, 'read']).cpuMs);
  const m = measure([RUN, out, 'mask']);
  masked.push(m.cpuMs);
  mask = JSON.parse(m.stdout.trim().split('\n').pop());
}
const maskMs = Math.max(0, median(masked) - median(read));
console.log(
  `export ${(exported.cpuMs / 1000).toFixed(2)} s CPU; masking ${mask.rows} rows, ${mask.cells} text cells: ${maskMs.toFixed(0)} ms CPU (reading and masking ${median(masked).toFixed(0)} ms, reading alone ${median(read).toFixed(0)} ms)`,
);

writeSection('Binder: masking secrets', [
  `Command: \`npm run bench:mask\` (${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}; load average ${loadStart} before, ${loadavg()[0].toFixed(2)} after: other work shares the machine).`,
  '',
  `Every row of every population is masked as it is made (whatever looks like a secret becomes \`ghp_…(masked)\` in the CSV, the JSON and the page). Over the binder of the synthetic repo of ${n.toLocaleString('en-US')} grants (bench/export-repo.ts): ${mask.rows.toLocaleString('en-US')} rows, ${mask.cells.toLocaleString('en-US')} text cells, ${mask.masked} masked. Masking them all costs ${maskMs.toFixed(0)} ms of CPU: a whole process that reads every row and masks it (${median(masked).toFixed(0)} ms, median of ${reps}) less one that only reads them (${median(read).toFixed(0)} ms), against ${(exported.cpuMs / 1000).toFixed(2)} s of CPU for the whole export process in the same run: ${((maskMs / exported.cpuMs) * 100).toFixed(1)}% of it. Lower-case hex cells (hashes, commit SHAs) are skipped: they were a tenth of the cells and most of the cost.`,
  '',
]);
