// npm run bench: runs every benchmark declared in package.json as `bench:<name>`, one after the
// other (they measure time and memory, so never two at once), each writing its own section of
// docs/performance.md. `npm run bench -- gate ledger` runs only those. Prints one line per
// benchmark and exits 1 when any failed, naming it and the command that reproduces the failure.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

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

/** `npm run <script>` with the npm that runs us when there is one, so no shell is involved. */
function runScript(name) {
  const npmCli = process.env.npm_execpath;
  const [cmd, args] = npmCli && /\.[cm]?js$/.test(npmCli) ? [process.execPath, [npmCli, 'run', '--silent', name]] : ['npm', ['run', '--silent', name]];
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(cmd, args, { cwd: root, stdio: 'inherit' });
    child.on('error', (err) => resolve({ code: null, error: err.message, ms: Date.now() - started }));
    child.on('close', (code, signal) => resolve({ code, signal, ms: Date.now() - started }));
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
const failed = results.filter((r) => r.code !== 0);
if (failed.length > 0) {
  process.stderr.write(
    `\n${failed.length} of ${results.length} benchmarks failed; rerun one with: ${failed.map((f) => `npm run bench:${f.name}`).join(' ; ')}\n`,
  );
  process.exit(1);
}
process.stdout.write(`\nAll ${results.length} benchmarks ran; figures are in docs/performance.md.\n`);
