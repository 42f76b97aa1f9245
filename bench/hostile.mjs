// npm run bench:hostile: judges each hostile grant file of bench/hostile-grants.ts, and an
// ordinary grant file of the same size, in the `validate` command and in the gate, each in a fresh
// process; prints the time of each against the ordinary file's as a ratio and updates the
// "Hostile grant files" section of docs/performance.md.
//   BENCH_HOSTILE_SIZES  sizes in bytes (default 65536,1048576)
//   BENCH_REPS           runs of each file per size and mode, alternating (default 3)
//   BENCH_NO_WRITE=1     print only, leave docs/performance.md as it is (the test suite's run)
import { spawnSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { HOSTILE } from './hostile-grants.ts';
import { writeSection } from './report.ts';

const sizes = (process.env.BENCH_HOSTILE_SIZES ?? '65536,1048576').split(',').map(Number);
const reps = Number(process.env.BENCH_REPS ?? 3);
const only = process.env.BENCH_HOSTILE_ONLY?.split(',');
const hostile = HOSTILE.filter((h) => !only || only.includes(h.name));
const runner = new URL('./hostile-run.ts', import.meta.url).pathname;
const MODES = ['validate', 'gate'];

/** One whole process: the judging time it reports, its wall time from spawn to exit, its findings. */
function measure(mode, name, bytes) {
  const started = performance.now();
  const r = spawnSync(process.execPath, [runner, mode, name, String(bytes)], { encoding: 'utf8', maxBuffer: 1 << 26, timeout: 600_000 });
  const wallMs = performance.now() - started;
  if (r.status !== 0) throw new Error(`node bench/hostile-run.ts ${mode} ${name} ${bytes} failed (${r.status ?? r.signal}): ${r.stderr.trim().split('\n').pop()}`);
  return { ...JSON.parse(r.stdout.trim().split('\n').pop()), wallMs };
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const kib = (b) => (b >= 1 << 20 ? `${b / (1 << 20)} MiB` : `${b / 1024} KiB`);
const loadBefore = (await import('node:os')).loadavg()[0];

const rows = [];
for (const bytes of sizes) {
  for (const mode of MODES) {
    const runs = new Map([['ordinary', []], ...hostile.map((h) => [h.name, []])]);
    // Alternate, so drift on a shared machine hits every file alike.
    for (let r = 0; r < reps; r++) for (const name of runs.keys()) runs.get(name).push(measure(mode, name, bytes));
    const base = runs.get('ordinary');
    const baseMs = median(base.map((m) => m.ms));
    const baseWall = median(base.map((m) => m.wallMs));
    for (const [name, ms] of runs) {
      const judged = median(ms.map((m) => m.ms));
      const wall = median(ms.map((m) => m.wallMs));
      const row = { bytes, mode, name, judgedMs: judged, wallMs: wall, ratio: judged / baseMs, wallRatio: wall / baseWall, findings: ms[0].findings, rules: ms[0].rules };
      rows.push(row);
      console.log(`${kib(bytes).padStart(8)} ${mode.padEnd(8)} ${name.padEnd(16)} judged ${judged.toFixed(0).padStart(5)} ms (×${row.ratio.toFixed(2)})  process ${wall.toFixed(0).padStart(5)} ms (×${row.wallRatio.toFixed(2)})  ${JSON.stringify(row.rules)}`);
    }
  }
}
const loadAfter = (await import('node:os')).loadavg()[0];

const worst = Math.max(...rows.filter((r) => r.name !== 'ordinary').map((r) => r.judgedMs));
const worstRatio = Math.max(...rows.filter((r) => r.name !== 'ordinary').map((r) => r.ratio));
const what = (r) => Object.entries(r.rules).map(([rule, n]) => `${rule} ×${n}`).join(', ') || 'none';
const table = (mode) => [
  `| file | what it attacks | size | judged | × ordinary | whole process | × ordinary | findings |`,
  '|---|---|---:|---:|---:|---:|---:|---|',
  ...rows
    .filter((r) => r.mode === mode)
    .map((r) => {
      const attacks = r.name === 'ordinary' ? 'nothing: up to 500 access entries that pass every rule' : hostile.find((h) => h.name === r.name).attacks;
      return `| ${r.name} | ${attacks} | ${kib(r.bytes)} | ${r.judgedMs.toFixed(0)} ms | ${r.ratio.toFixed(2)} | ${r.wallMs.toFixed(0)} ms | ${r.wallRatio.toFixed(2)} | ${what(r)} |`;
    }),
];

if (process.env.BENCH_NO_WRITE !== '1') {
  writeSection('Hostile grant files', [
    `Command: \`npm run bench:hostile\` (median of ${reps} alternating runs of each file, size and mode, each in a fresh process; ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}; load average ${loadBefore.toFixed(2)} before the runs, ${loadAfter.toFixed(2)} after).`,
    '',
    'Each file is a grant file an attacker would write to make judging slow (bench/hostile-grants.ts), generated at the size shown, under the 1 MiB limit; the ordinary file is a grant of the same size that passes every rule (up to 500 access entries, the most the schema allows, with longer justifications past that). "Judged" is the time the process spends on the file once its modules are loaded: for `validate`, the command\'s own code path on a repo of the config, 20 systems and the file; for the gate, a pull request that adds the file, judged (parse, schema, every rule, the approval plan) and its report written. "Whole process" is the wall time from spawn to exit, Node\'s start-up included. Target: every file judged in well under a second, at most a small multiple of the ordinary file of its size.',
    '',
    `Slowest hostile file: ${worst.toFixed(0)} ms; largest ratio to the ordinary file: ${worstRatio.toFixed(2)}. Limits that keep them there are listed in [file formats](file-formats.md#limits-on-input).`,
    '',
    '### `validate`',
    '',
    ...table('validate'),
    '',
    '### The gate',
    '',
    ...table('gate'),
  ]);
}
