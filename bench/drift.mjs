// npm run bench:drift: `access-ledger drift` of N observed accounts against N grants, each
// measurement a whole process (median of BENCH_REPS, default 3, alternating with the floor), on
// the synthetic repo and planted snapshots of bench/drift-snapshots.ts. Prints a table and updates the "Drift" section of docs/performance.md.
// Target: 100,000 accounts against 100,000 grants in under 10 s and 1 GB; printed as TARGET lines
// (bench/targets.ts), `not measured` when BENCH_SIZES leaves out 100,000.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { ensureDriftRepo, ensureSnapshots } from './drift-snapshots.ts';
import { writeSection } from './report.ts';
import { reportTarget } from './targets.ts';

const root = new URL('../.bench/', import.meta.url).pathname;
mkdirSync(root, { recursive: true });
const sizes = (process.env.BENCH_SIZES ?? '10000,100000').split(',').map(Number);
const reps = Number(process.env.BENCH_REPS ?? 3);

function measure(mode, dir, snapshots) {
  const out = execFileSync(process.execPath, [new URL('./drift-run.ts', import.meta.url).pathname, mode, dir, ...snapshots], {
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  return JSON.parse(out.trim().split('\n').pop());
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const load = loadavg()[0].toFixed(2);
const rows = [];
for (const n of sizes) {
  const dir = await ensureDriftRepo(root, n);
  const snapshots = await ensureSnapshots(dir, n);
  const floor = [];
  const full = [];
  let rss = 0;
  let accounts = 0;
  let findings = 0;
  for (let r = 0; r < reps; r++) {
    floor.push(measure('floor', dir, snapshots).ms);
    const f = measure('full', dir, snapshots);
    full.push(f.ms);
    rss = Math.max(rss, f.maxRssMb);
    accounts = f.output;
    findings = f.findings;
  }
  const row = { grants: n, accounts, findings, floorMs: median(floor), fullMs: median(full), range: [Math.min(...full), Math.max(...full)], peakRssMb: rss };
  rows.push(row);
  console.log(
    `${n} grants, ${accounts} accounts: floor ${row.floorMs.toFixed(0)} ms, drift ${row.fullMs.toFixed(0)} ms (${findings} findings), peak RSS ${rss.toFixed(0)} MB`,
  );
}

const big = rows.find((r) => r.grants === 100000);
const verdict = big
  ? `Target (100,000 accounts against 100,000 grants in under 10 s and 1 GB): ${big.fullMs < 10000 && big.peakRssMb < 1024 ? 'met' : 'NOT met'} (${(big.fullMs / 1000).toFixed(2)} s, ${big.peakRssMb.toFixed(0)} MB).`
  : 'Target not measured at 100,000 in this run (set BENCH_SIZES to include it).';
writeSection('Drift', [
  `Command: \`npm run bench:drift\` (median of ${reps} runs per size, each a fresh process, alternating with the floor; ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}; load average ${load} before the runs).`,
  '',
  "The repo and the snapshots are synthetic (bench/drift-snapshots.ts, written once): N grant files of every identity kind with one access entry each over 20 systems, and one snapshot per system, written through the mapped connector, listing one account per grant with drift planted in each: 1% of accounts no grant declares, 1% of grants without an account, 0.5% with a role beyond the grant, 2% dormant, 1% of people without MFA. The floor is the least any comparison must do: read every grant file, parse it with the fast reader and check it against the schema, and parse every snapshot. `drift` adds the mapping of every account to its grant, every observed rule under the policy, the positions of the findings' lines and the JSON report.",
  '',
  '| grants | observed accounts | findings | floor | `drift`: median (range) | peak RSS of `drift` |',
  '|---:|---:|---:|---:|---:|---:|',
  ...rows.map(
    (r) =>
      `| ${r.grants.toLocaleString('en-US')} | ${r.accounts.toLocaleString('en-US')} | ${r.findings.toLocaleString('en-US')} | ${(r.floorMs / 1000).toFixed(2)} s | ${(r.fullMs / 1000).toFixed(2)} s (${(r.range[0] / 1000).toFixed(1)}–${(r.range[1] / 1000).toFixed(1)}) | ${r.peakRssMb.toFixed(0)} MB |`,
  ),
  '',
  verdict,
]);

// The target as the verdict above judges it, its time and its memory a TARGET line each (bench/targets.ts).
reportTarget({
  bench: 'drift',
  what: '100,000 accounts against 100,000 grants: wall time of drift, median',
  measured: big ? big.fullMs / 1000 : null,
  unit: 's',
  comparison: '<',
  limit: 10,
  met: big ? big.fullMs < 10000 : null,
});
reportTarget({
  bench: 'drift',
  what: '100,000 accounts against 100,000 grants: peak RSS of drift',
  measured: big ? big.peakRssMb : null,
  unit: 'MB',
  comparison: '<',
  limit: 1024,
  met: big ? big.peakRssMb < 1024 : null,
  digits: 0,
});
