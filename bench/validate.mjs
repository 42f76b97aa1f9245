// npm run bench:validate: full `validate` against the floor (read + yaml parse + precompiled ajv, no
// rules) on synthetic repos of 1,000, 10,000 and 100,000 grant files; prints a table and updates
// the "Core: validate" section of docs/performance.md.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { ensureSyntheticRepo } from './synthetic-repo.ts';
import { writeSection } from './report.ts';

const root = new URL('../.bench/', import.meta.url).pathname;
mkdirSync(root, { recursive: true });
const sizes = (process.env.BENCH_SIZES ?? '1000,10000,100000').split(',').map(Number);
const reps = Number(process.env.BENCH_REPS ?? 3);

function measure(mode, dir) {
  const out = execFileSync(process.execPath, [new URL('./validate-run.ts', import.meta.url).pathname, mode, dir], { encoding: 'utf8', maxBuffer: 1 << 26 });
  return JSON.parse(out.trim().split('\n').pop());
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const rows = [];
for (const n of sizes) {
  const dir = await ensureSyntheticRepo(root, n);
  const floor = [];
  const full = [];
  let rss = 0;
  for (let r = 0; r < reps; r++) {
    // Alternate so drift on a shared machine hits both sides alike.
    floor.push(measure('floor', dir).ms);
    const f = measure('full', dir);
    full.push(f.ms);
    rss = Math.max(rss, f.maxRssMb);
  }
  const row = { grants: n, floorMs: median(floor), fullMs: median(full), ratio: median(full) / median(floor), peakRssMb: rss };
  rows.push(row);
  console.log(`${n} grants: floor ${row.floorMs.toFixed(0)} ms, validate ${row.fullMs.toFixed(0)} ms, ratio ${row.ratio.toFixed(2)}, peak RSS ${row.peakRssMb.toFixed(0)} MB`);
}

const table = [
  '| grant files | floor (read + parse + schema) | `validate` | ratio | peak RSS of `validate` |',
  '|---:|---:|---:|---:|---:|',
  ...rows.map((r) => `| ${r.grants.toLocaleString('en-US')} | ${(r.floorMs / 1000).toFixed(2)} s | ${(r.fullMs / 1000).toFixed(2)} s | ${r.ratio.toFixed(2)} | ${r.peakRssMb.toFixed(0)} MB |`),
];
writeSection('Core: validate', [
  `Command: \`npm run bench:validate\` (median of ${reps} alternating runs per size, each in a fresh process; ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}).`,
  '',
  'The floor is the least any validator must do: read every file, parse it with `yaml` and check it with the precompiled JSON Schema. `validate` adds positions, the policy and every file, repo and time rule, and the JSON report. Targets: ratio ≤ 1.5 at 10,000 files; 100,000 files in under 20 s with peak memory under 1.5 GB.',
  '',
  ...table,
]);
