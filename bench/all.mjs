// npm run bench: runs every benchmark declared in package.json as `bench:<name>`, one after the
// other (they measure time and memory, so never two at once), each writing its own section of
// docs/performance.md. `npm run bench -- gate ledger` runs only those. Each benchmark's output is
// shown as it runs and read for the TARGET lines it prints (bench/targets.ts: one per target it
// states, with the measured figure, the limit, their ratio and whether it is met). At the end it
// prints one line per benchmark (ok or failed), then the table of every target and "N of M
// targets met".
// Exit status: 1 when any benchmark failed, naming it and the command that reproduces the
// failure; a target NOT met does not by itself fail the run (a benchmark run is a measurement,
// not a test: the table says which targets are missed). Some benchmarks do exit 1 themselves on
// a missed target (gate, ledger, replicas, sweep at 100,000 grants); those runs then fail as any
// failed benchmark does.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { TargetCollector, targetSummary, targetTable } from './targets.ts';

const root = new URL('../', import.meta.url);
const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8'));
// The order of the product's flow: what a pull request meets first comes first.
const ORDER = ['validate', 'hostile', 'gate', 'ledger', 'sweep', 'observe', 'drift', 'export', 'page'];
const declared = Object.keys(pkg.scripts ?? {})
  .filter((name) => name.startsWith('bench:'))
  .map((name) => name.slice('bench:'.length))
  .sort((a, b) => {
    const ia = ORDER.indexOf(a) < 0 ? ORDER.length : ORDER.indexOf(a);
    const ib = ORDER.indexOf(b) < 0 ? ORDER.length : ORDER.indexOf(b);
    return ia - ib || a.localeCompare(b);
  });

const wanted = process.argv.slice(2);
const unknown = wanted.filter((w) => !declared.includes(w));
if (unknown.length > 0) {
  process.stderr.write(`bench: no benchmark named ${unknown.join(', ')}; declared: ${declared.join(', ') || '(none)'}\n`);
  process.exit(2);
}
const selected = wanted.length > 0 ? declared.filter((d) => wanted.includes(d)) : declared;
const missing = ORDER.filter((name) => !declared.includes(name));
if (wanted.length === 0 && missing.length > 0) {
  process.stdout.write(`bench: not declared in package.json (skipped): ${missing.map((m) => `bench:${m}`).join(', ')}\n`);
}

/**
 * `npm run <script>` with the npm that runs us when there is one, so no shell is involved. Its
 * stdout is passed on as it comes and read for TARGET lines; stdin and stderr are its own.
 */
function runScript(name) {
  const npmCli = process.env.npm_execpath;
  const [cmd, args] = npmCli && /\.[cm]?js$/.test(npmCli) ? [process.execPath, [npmCli, 'run', '--silent', name]] : ['npm', ['run', '--silent', name]];
  return new Promise((resolve) => {
    const started = Date.now();
    const collector = new TargetCollector();
    const child = spawn(cmd, args, { cwd: root, stdio: ['inherit', 'pipe', 'inherit'] });
    child.stdout.on('data', (chunk) => {
      process.stdout.write(chunk);
      collector.push(chunk);
    });
    const done = (outcome) => {
      collector.end();
      resolve({ ...outcome, ms: Date.now() - started, targets: collector.targets, problems: collector.problems });
    };
    child.on('error', (err) => done({ code: null, error: err.message }));
    child.on('close', (code, signal) => done({ code, signal }));
  });
}

const results = [];
for (const name of selected) {
  process.stdout.write(`\n== bench:${name} ==\n`);
  const r = await runScript(`bench:${name}`);
  results.push({ name, ...r });
}

const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;
process.stdout.write('\nbenchmark   result   time\n');
for (const r of results) {
  const outcome = r.code === 0 ? 'ok' : r.error ? `failed: ${r.error}` : r.signal ? `killed (${r.signal})` : `failed (exit ${r.code})`;
  process.stdout.write(`${r.name.padEnd(11)} ${outcome.padEnd(8)} ${seconds(r.ms)}\n`);
}

const targets = results.flatMap((r) => r.targets);
process.stdout.write('\nTargets\n');
if (targets.length > 0) process.stdout.write(`${targetTable(targets).join('\n')}\n`);
const silent = results.filter((r) => r.targets.length === 0).map((r) => r.name);
if (silent.length > 0)
  process.stdout.write(
    `Printed no target: ${silent.join(', ')} (a benchmark that states no target prints none; a failed one may have stopped before its targets).\n`,
  );
for (const r of results) for (const p of r.problems) process.stdout.write(`bench:${r.name}: ${p}\n`);
process.stdout.write(`${targetSummary(targets).join('\n')}\n`);

const failed = results.filter((r) => r.code !== 0);
if (failed.length > 0) {
  process.stderr.write(
    `\n${failed.length} of ${results.length} benchmarks failed; rerun one with: ${failed.map((f) => `npm run bench:${f.name}`).join(' ; ')}\n`,
  );
  process.exit(1);
}
process.stdout.write(`\nAll ${results.length} benchmarks ran; figures are in docs/performance.md.\n`);
