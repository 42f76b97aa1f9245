// npm run bench:sweep: the sweep over synthetic access repos (default 10,000 and 100,000 grants,
// 1% stale) against an in-memory GitHub that counts requests. Each size runs in a fresh process:
// a cold sweep (every issue to open), a steady one (nothing changed) and a churn one (10 grants
// fixed, 10 newly stale). Prints a table and updates the "Sweep" section of docs/performance.md.
import { execFileSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { writeSection } from './report.ts';

const sizes = (process.env.BENCH_SIZES ?? '10000,100000').split(',').map(Number);
const results = [];
for (const n of sizes) {
  const out = execFileSync(process.execPath, [new URL('./sweep-run.mjs', import.meta.url).pathname, String(n)], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const r = JSON.parse(out.trim().split('\n').pop());
  results.push(r);
  console.log(`${n} grants (${r.stale} stale, ${r.members} org members): evaluation ${(r.evalCpuMs / 1000).toFixed(2)} s CPU, parse ${(r.parseCpuMs / 1000).toFixed(2)} s CPU`);
  for (const run of r.runs) console.log(`  ${run.label}: ${run.reads} reads (${run.memberPages} member pages, ${run.issuePages} issue pages, ${run.issueRechecks} re-reads), ${run.writes} writes`);
}

const fmt = (n) => n.toLocaleString('en-US');
const s = (ms) => `${(ms / 1000).toFixed(2)} s`;
const rows = [];
for (const r of results) {
  for (const run of r.runs) {
    const constant = run.reads - run.memberPages - run.issuePages - run.issueRechecks;
    rows.push(`| ${fmt(r.grants)} | ${run.label} | ${fmt(run.openIssues)} | ${run.reads} = ${constant} + ${run.issuePages} + ${run.memberPages} + ${run.issueRechecks} | ${run.writes} |`);
  }
}
writeSection('Sweep', [
  `Command: \`npm run bench:sweep\` (each size in a fresh process; ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}). The repo is the validate benchmark's synthetic one with 1% of grants made stale (their access expired 10 days ago; shared accounts among them also get an expired exception); GitHub is an in-memory stand-in that counts every request (bench/sweep-github.mjs).`,
  '',
  'Evaluation, in CPU time: the sweep\'s rules, grouping into problems, the issue texts and the plan against the open issues, on the parsed repo. Target: under 5 s at 100,000 grants. Parsing (YAML with positions and the schema, the same floor as `validate`) is shown apart.',
  '',
  '| grants | stale problems | evaluation (CPU) | parse (CPU) | peak RSS |',
  '|---:|---:|---:|---:|---:|',
  ...results.map((r) => `| ${fmt(r.grants)} | ${fmt(r.stale)} | ${s(r.evalCpuMs)} | ${s(r.parseCpuMs)} | ${r.maxRssMb.toFixed(0)} MB |`),
  '',
  'API requests per sweep. Reads are split as constant (repository, branch, archive, open pull requests) + issue listing pages (the open managed issues; the recently closed ones, only when a problem has no open issue; the check for duplicates after opening issues) + organization member pages + issues re-read before a write. Target: a constant plus one read per 100 open managed issues; writes only for issues whose state changes.',
  '',
  '| grants | sweep | open managed issues after | reads = constant + issue pages + member pages + re-reads | writes |',
  '|---:|---|---:|---|---:|',
  ...rows,
  '',
  'Reading: the whole branch is one archive download whatever its size, so reads do not grow with grants. The issue listing grows by one page per 100 open managed issues; a run that opened issues lists again only those updated since it started (one page) to catch a duplicate from a concurrent sweep. A write to an existing issue re-reads it first (so two replicas do not both comment), which is one read per write, never per grant. The steady sweep writes nothing.',
  '',
  `The other read that grows is organization membership (the leaver check): one page per 100 members of the organization (${results.map((r) => fmt(r.members)).join(' and ')} members in these runs), plus one check per login missing from the list. It depends on the size of the organization, not on the number of grants or issues; the App caches it per organization for ten minutes and drops the cache on \`organization\` member events, and \`--no-membership\` skips it in the CLI.`,
]);
