// npm run bench:page: a population's own page of the binder at 100,000 rows, opened and searched
// in Chromium. Exports the synthetic repo of bench/export-repo.ts (BENCH_PAGE_N grants, default
// 50,000: about 100,000 additions, the widest population at 29 columns) in a fresh process, then
// opens populations/additions.html in a fresh Chromium per run and times the open and searches
// over every row, checking each count against the rows of populations/additions.json. Prints the
// figures and writes the "Binder: a population's own page" section of docs/performance.md.
//   BENCH_PAGE_N      grants in the synthetic repo (default 50000)
//   BENCH_REPS        Chromium runs (default 3)
//   BENCH_ROOT        where the repo and the binder are kept (default .bench/)
//   BENCH_NO_WRITE=1  print only, leave docs/performance.md as it is (the test suite's run)
// Exits 1, writing nothing, when a count is wrong, the page is missing, or it logs an error or
// makes a request.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { ensureExportRepo } from './export-repo.ts';
import { writeSection } from './report.ts';
import { pageColumns } from '../src/core/binder/paging.ts';

const root = process.env.BENCH_ROOT ?? new URL('../.bench/', import.meta.url).pathname;
mkdirSync(root, { recursive: true });
const n = Number(process.env.BENCH_PAGE_N ?? 50000);
const reps = Number(process.env.BENCH_REPS ?? 3);
const POP = 'additions';

const loadStart = loadavg()[0].toFixed(2);
const dir = await ensureExportRepo(root, n);
const out = join(root, `page-binder-${n}`);
const exported = JSON.parse(execFileSync(process.execPath, ['--expose-gc', new URL('./export-run.ts', import.meta.url).pathname, 'export', dir, out], { encoding: 'utf8', maxBuffer: 1 << 26 }).trim().split('\n').pop());
console.log(`export: ${(exported.ms / 1000).toFixed(1)} s, ${exported.detail}`);

const failures = [];
const pagePath = join(out, 'populations', `${POP}.html`);
const index = readFileSync(join(out, 'index.html'), 'utf8');
if (!index.includes(`href="populations/${POP}.html"`)) failures.push(`index.html does not link populations/${POP}.html`);
const population = JSON.parse(readFileSync(join(out, 'populations', `${POP}.json`), 'utf8'));
const total = population.rows.length;
const keys = pageColumns(population.columns).map((c) => c.key);
const cells = (row) => keys.map((k) => (row[k] === null || row[k] === undefined ? '' : String(row[k]).toLowerCase()));
/** What the page should report: rows with a cell (or the chosen column's cell) containing the query. */
const expected = ({ q, column }) => population.rows.filter((r) => (column === null ? cells(r).some((c) => c.includes(q)) : cells(r)[column].includes(q))).length;
const last = population.rows.at(-1);
const queries = [
  { label: `the last row's identity`, q: String(last.identity), column: null },
  { label: 'a system, in any column', q: 'sys-3', column: null },
  { label: 'an approver, in its column', q: 'approver7', column: keys.indexOf('approvers') },
  { label: 'nothing', q: 'no such identity', column: null },
];
const want = queries.map(expected);
const bytes = statSync(pagePath).size;
const indexBytes = statSync(join(out, 'index.html')).size;
population.rows = null;

const runs = [];
for (let r = 0; r < reps; r++) {
  const m = JSON.parse(execFileSync(process.execPath, [new URL('./page-run.ts', import.meta.url).pathname, pagePath, JSON.stringify(queries.map(({ q, column }) => ({ q, column })))], { encoding: 'utf8', maxBuffer: 1 << 24 }).trim().split('\n').pop());
  runs.push(m);
  if (m.total !== total) failures.push(`the page holds ${m.total} rows, the population ${total}`);
  for (const p of m.problems) failures.push(`the page: ${p}`);
  m.searches.forEach((s, i) => {
    if (s.matching !== want[i]) failures.push(`search ${JSON.stringify(s.q)}: the page says ${s.matching} matching, the rows hold ${want[i]}`);
  });
  console.log(`run ${r + 1}: open ${m.open_ms.toFixed(0)} ms (load event ends at ${m.load_ms.toFixed(0)} ms); ${m.searches.map((s) => `${JSON.stringify(s.q)} ${s.ms.toFixed(1)} ms`).join(', ')}`);
}
const first = runs[0];
const fmt = (x) => x.toLocaleString('en-US');
const mb = (b) => `${(b / 1e6).toFixed(1)} MB`;
console.log(`open populations/${POP}.html (${fmt(total)} rows, ${mb(bytes)}): status "${first.status}"; index.html ${mb(indexBytes)}`);
queries.forEach((q, i) => console.log(`search ${JSON.stringify(q.q)}${q.column === null ? '' : ` in column ${q.column}`} over all ${fmt(total)} rows: ${first.searches[i].matching} matching (expected ${want[i]}); status "${first.searches[i].status}"`));
console.log(`next page: "${first.paging}"; print: ${first.printed.rows} rows laid out, "${first.printed.text}"`);
if (failures.length > 0) {
  for (const f of failures) process.stderr.write(`bench:page: ${f}\n`);
  process.exit(1);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const cell = (xs) => `${median(xs).toFixed(0)} ms (${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)})`;
const openMs = runs.map((m) => m.open_ms);
const met = (ok) => (ok ? 'met' : 'NOT met');
if (process.env.BENCH_NO_WRITE === '1') process.exit(0);
writeSection("Binder: a population's own page", [
  `Command: \`npm run bench:page\` (${reps} runs, each a fresh Chromium ${'(Debian\'s, driven by playwright-core)'} with a new profile; ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}; load average ${loadStart} before, ${loadavg()[0].toFixed(2)} after: other work shares the machine).`,
  '',
  `The export of bench/export-repo.ts's synthetic repo with ${fmt(n)} grants (a fresh process, ${(exported.ms / 1000).toFixed(1)} s) gives \`${POP}\` ${fmt(total)} rows of ${keys.length} columns; a population of more than 1,000 rows has a page of its own, so \`populations/${POP}.html\` holds every row (${mb(bytes)}, one JSON array of cells per row) and index.html stays ${mb(indexBytes)}. "Open" is from the start of the navigation to the first page of rows shown (the page's script has parsed every row), timed by the process driving Chromium. Each search filters all ${fmt(total)} rows and shows the first page of matches, timed by the page's own clock around the input event; the first search also makes the lower-case text of every row that later searches reuse. Every count was checked against the rows of \`populations/${POP}.json\`.`,
  '',
  '| step | time: median (range) | rows matching |',
  '|---|---:|---:|',
  `| open, to the first rows shown | ${cell(openMs)} | ${fmt(total)} |`,
  ...queries.map((q, i) => `| search ${i === 0 ? '(first) ' : ''}${q.label}: \`${q.q}\` | ${cell(runs.map((m) => m.searches[i].ms))} | ${fmt(want[i])} |`),
  '',
  `Target: the page opens in under 2 s (${met(median(openMs) < 2000)}), and a search covers every row (met: each count above is every matching row of the population, not of a first slice).`,
  '',
  `Before each population had a page of its own, index.html embedded up to 25,000 rows of every population (a binder of 20,000 records made a 27 MB index.html that took about 7 s to open) and a search never saw the rows past the 25,000th.`,
  '',
]);
console.log('wrote the section "Binder: a population\'s own page" of docs/performance.md');
