// npm run bench:validate: `access-ledger validate` against its floor (bench/validate-floor.mjs:
// read + yaml.parse + the ajv schemas, nothing else) on synthetic repos of 1,000, 10,000 and
// 100,000 grant files. Both are whole processes, measured the same way (bench/process.ts: CPU of
// the whole process from start to exit, peak RSS, wall time), alternating, in the same run.
// Prints both and the ratio, and updates the "Core: validate" section of docs/performance.md.
//   BENCH_SIZES     comma-separated grant counts (default 1000,10000,100000)
//   BENCH_REPS      runs of each per size (default 3)
//   BENCH_NO_WRITE  1: print only (the test suite's smoke run)
// Prints its targets as TARGET lines (bench/targets.ts), `not measured` for a size not run.
import { mkdirSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { ensureSyntheticRepo, BENCH_TODAY } from './synthetic-repo.ts';
import { writeSection } from './report.ts';
import { reportTarget } from './targets.ts';
import { measure, median } from './process.ts';

const root = new URL('../.bench/', import.meta.url).pathname;
mkdirSync(root, { recursive: true });
const sizes = (process.env.BENCH_SIZES ?? '1000,10000,100000').split(',').map(Number);
const reps = Number(process.env.BENCH_REPS ?? 3);
const BIN = new URL('../bin/access-ledger.js', import.meta.url).pathname;
const FLOOR = new URL('./validate-floor.mjs', import.meta.url).pathname;
const loadBefore = loadavg()[0];

const rows = [];
for (const n of sizes) {
  const dir = await ensureSyntheticRepo(root, n);
  const floor = [];
  const full = [];
  for (let r = 0; r < reps; r++) {
    // Alternate, so drift on a shared machine hits both alike.
    const f = measure([FLOOR, dir]);
    if (Number(f.stdout.trim()) !== n + 21) throw new Error(`the floor passed ${f.stdout.trim()} files of ${n + 21}`);
    floor.push(f);
    const v = measure([BIN, 'validate', dir, '--format', 'json', '--today', BENCH_TODAY]);
    if (!v.stdout.includes('"errors": 0')) throw new Error(`validate found errors in the synthetic repo:\n${v.stdout.slice(0, 2000)}`);
    full.push(v);
  }
  const row = {
    grants: n,
    floorCpu: median(floor.map((m) => m.cpuMs)),
    fullCpu: median(full.map((m) => m.cpuMs)),
    floorWall: median(floor.map((m) => m.wallMs)),
    fullWall: median(full.map((m) => m.wallMs)),
    floorRss: Math.max(...floor.map((m) => m.maxRssMb)),
    fullRss: Math.max(...full.map((m) => m.maxRssMb)),
  };
  row.ratio = row.fullCpu / row.floorCpu;
  rows.push(row);
  console.log(
    `${n} grants: floor ${row.floorCpu.toFixed(0)} ms CPU (${row.floorWall.toFixed(0)} ms wall), validate ${row.fullCpu.toFixed(0)} ms CPU (${row.fullWall.toFixed(0)} ms wall), ratio ${row.ratio.toFixed(2)}, peak RSS ${row.fullRss.toFixed(0)} MB`,
  );
}
const loadAfter = loadavg()[0];

const s = (ms) => `${(ms / 1000).toFixed(2)} s`;
const at = (n) => rows.find((r) => r.grants === n);
const met = (ok) => (ok ? 'met' : 'NOT met');
const targets = [];
if (at(10000)) targets.push(`ratio ≤ 1.3 at 10,000 files: ${met(at(10000).ratio <= 1.3)} (${at(10000).ratio.toFixed(2)})`);
if (at(100000)) targets.push(`100,000 files in under 20 s: ${met(at(100000).fullWall < 20000)}; peak memory under 1.5 GB: ${met(at(100000).fullRss < 1536)}`);
writeSection('Core: validate', [
  `Command: \`npm run bench:validate\` (median of ${reps} alternating runs per size, each a whole process; ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}; load average ${loadBefore.toFixed(2)} before the runs, ${loadAfter.toFixed(2)} after: other work shares the machine).`,
  '',
  'Both columns are whole processes, from start to exit, measured the same way in the same run (bench/process.ts: CPU time of every thread of the process, its peak resident memory, and wall time). The floor (bench/validate-floor.mjs) is the least any validator must do: start Node, read every file, parse it with `yaml` and check it with the JSON Schemas compiled by ajv. `validate` is `access-ledger validate <repo> --format json` as a user runs it: start-up and loading its modules (only the command being run is loaded), positions, the policy, every file, repo and time rule, and the JSON report. The ratio is of CPU times. Targets: ratio ≤ 1.3 at 10,000 files; 100,000 files in under 20 s with peak memory under 1.5 GB.',
  '',
  '| grant files | floor: CPU | `validate`: CPU | ratio | floor: wall | `validate`: wall | peak RSS: floor | peak RSS: `validate` |',
  '|---:|---:|---:|---:|---:|---:|---:|---:|',
  ...rows.map(
    (r) =>
      `| ${r.grants.toLocaleString('en-US')} | ${s(r.floorCpu)} | ${s(r.fullCpu)} | **${r.ratio.toFixed(2)}** | ${s(r.floorWall)} | ${s(r.fullWall)} | ${r.floorRss.toFixed(0)} MB | ${r.fullRss.toFixed(0)} MB |`,
  ),
  '',
  `Targets: ${targets.join('; ')}.`,
  '',
  "Before the CLI loaded only the command it runs, `validate` started Octokit, Probot and the binder's modules too: about a second of CPU before reading the first file (1.79 times the floor at 10,000 files, measured the same way).",
]);

// The targets as the prose above judges them, one TARGET line each (bench/targets.ts).
const mid = at(10000);
const big = at(100000);
reportTarget({
  bench: 'validate',
  what: '10,000 files: CPU of validate / CPU of the floor, medians',
  measured: mid ? mid.ratio : null,
  unit: '× floor',
  comparison: '<=',
  limit: 1.3,
  met: mid ? mid.ratio <= 1.3 : null,
});
reportTarget({
  bench: 'validate',
  what: '100,000 files: wall time of validate, median',
  measured: big ? big.fullWall / 1000 : null,
  unit: 's',
  comparison: '<',
  limit: 20,
  met: big ? big.fullWall < 20000 : null,
});
reportTarget({
  bench: 'validate',
  what: '100,000 files: peak RSS of validate',
  measured: big ? big.fullRss : null,
  unit: 'MB',
  comparison: '<',
  limit: 1536,
  met: big ? big.fullRss < 1536 : null,
  digits: 0,
});
