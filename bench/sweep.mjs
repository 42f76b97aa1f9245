// npm run bench:sweep: the sweep over synthetic access repos (default 10,000 and 100,000 grants,
// 1% stale). GitHub is a stand-in that counts every request, served from a process of its own
// (bench/sweep-github.mjs); each sweep is a whole process of its own (bench/sweep-run.mjs), as the
// CLI's scheduled sweep is: its CPU (every thread, the worker's included) and its true peak RSS are
// measured from start to exit (bench/process.ts), as is the floor (bench/sweep-floor.mjs: download,
// inflate, parse and schema-check the same archive, nothing else). Three sweeps a day apart: cold
// (every issue to open), steady (nothing changed), churn (10 grants fixed, 10 newly stale).
// Prints a table and its targets as TARGET lines (bench/targets.ts), and updates the "Sweep"
// section of docs/performance.md.
//   BENCH_SIZES     comma-separated grant counts (default 10000,100000)
//   BENCH_NO_WRITE  1: print only (the test suite's smoke run)
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { cpus, loadavg, totalmem } from 'node:os';
import { addDays } from '../src/core/dates.ts';
import { BENCH_TODAY } from './synthetic-repo.ts';
import { writeSection } from './report.ts';
import { reportTarget } from './targets.ts';
import { measure } from './process.ts';

const sizes = (process.env.BENCH_SIZES ?? '10000,100000').split(',').map(Number);
const RUN = new URL('./sweep-run.mjs', import.meta.url).pathname;
const FLOOR = new URL('./sweep-floor.mjs', import.meta.url).pathname;
const STUB = new URL('./sweep-github.mjs', import.meta.url).pathname;
const loadBefore = loadavg()[0];

/** The stand-in GitHub in its own process; resolves with its base URL once it listens. */
async function startStub(n) {
  const child = spawn(process.execPath, [STUB, 'serve', String(n)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const line = await new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the stand-in GitHub exited ${code}`)));
    createInterface({ input: child.stdout }).once('line', resolve);
  });
  const { port, members } = JSON.parse(line);
  const base = `http://127.0.0.1:${port}`;
  const control = async (what, body) => (await fetch(`${base}/_bench/${what}`, body ? { method: 'POST', body: JSON.stringify(body) } : {})).json();
  return { base, members, control, stop: () => child.stdin.end() };
}

const results = [];
for (const n of sizes) {
  const stub = await startStub(n);
  try {
    const floor = measure([FLOOR, stub.base]);
    if (Number(floor.stdout.trim()) !== n + 21) throw new Error(`the floor passed ${floor.stdout.trim()} files of ${n + 21}`);
    const runs = [];
    const labels = ['cold: no issue exists yet', 'steady: nothing changed', 'churn: 10 fixed, 10 newly stale'];
    for (let day = 0; day < labels.length; day++) {
      if (day === 2) await stub.control('churn', {});
      const today = addDays(BENCH_TODAY, day);
      await stub.control('day', { day: today });
      const m = measure([RUN, stub.base, today]);
      const out = JSON.parse(m.stdout.trim().split('\n').pop());
      const counts = await stub.control('counts');
      if (counts.reads !== out.reads || counts.writes !== out.writes)
        throw new Error(`the sweep counted ${out.reads} reads and ${out.writes} writes, GitHub saw ${counts.reads} and ${counts.writes}`);
      const by = (route) => counts.byRoute[route] ?? 0;
      runs.push({
        label: labels[day],
        ...out,
        openIssues: counts.openIssues,
        memberPages: by('GET /orgs/{org}/members'),
        issuePages: by('GET /repos/{owner}/{repo}/issues'),
        issueRechecks: by('GET /repos/{owner}/{repo}/issues/{issue_number}'),
        cpuMs: m.cpuMs,
        wallMs: m.wallMs,
        maxRssMb: m.maxRssMb,
      });
      console.log(
        `${n} grants, ${labels[day]}: ${(m.cpuMs / 1000).toFixed(2)} s CPU, ${(m.wallMs / 1000).toFixed(2)} s wall, peak RSS ${m.maxRssMb.toFixed(0)} MB; ${out.problems} problems; ${out.reads} reads, ${out.writes} writes`,
      );
    }
    results.push({ grants: n, members: stub.members, floor, runs, stale: runs[0].problems });
    console.log(`${n} grants: floor ${(floor.cpuMs / 1000).toFixed(2)} s CPU, peak RSS ${floor.maxRssMb.toFixed(0)} MB`);
  } finally {
    stub.stop();
  }
}
const loadAfter = loadavg()[0];

const fmt = (x) => x.toLocaleString('en-US');
const s = (ms) => `${(ms / 1000).toFixed(2)} s`;
const largest = results.at(-1);
const peak = Math.max(...largest.runs.map((r) => r.maxRssMb));
writeSection('Sweep', [
  `Command: \`npm run bench:sweep\` (${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}; load average ${loadBefore.toFixed(2)} before the runs, ${loadAfter.toFixed(2)} after: other work shares the machine). The repo is the validate benchmark's synthetic one with 1% of grants made stale (their access expired 10 days ago; shared accounts among them also get an expired exception). GitHub is a stand-in that counts every request (bench/sweep-github.mjs), served over HTTP from a process of its own, so the measured process holds the sweep alone.`,
  '',
  'Each sweep is a whole process (bench/sweep-run.mjs: `runSweep` with @octokit/core, as `access-ledger sweep` runs it, writes not waited for): its CPU time counts every thread, the worker that reads and judges the branch included, from start to exit, and its peak RSS is the true peak of the process (getrusage). The floor is a whole process measured the same way in the same run (bench/sweep-floor.mjs): download the archive, inflate it entry by entry, parse every file with `yaml` and check it with the JSON Schemas, nothing else. Target: peak RSS under 600 MB at 100,000 grants; the event loop free while the branch is read (the worker does the parsing and the rules: test/sweep/event-loop.test.ts).',
  '',
  '| grants | sweep | CPU | × floor | wall | peak RSS |',
  '|---:|---|---:|---:|---:|---:|',
  ...results.flatMap((r) => [
    `| ${fmt(r.grants)} | floor: read, parse, schema | ${s(r.floor.cpuMs)} | 1.00 | ${s(r.floor.wallMs)} | ${r.floor.maxRssMb.toFixed(0)} MB |`,
    ...r.runs.map(
      (run) =>
        `| ${fmt(r.grants)} | ${run.label} | ${s(run.cpuMs)} | ${(run.cpuMs / r.floor.cpuMs).toFixed(2)} | ${s(run.wallMs)} | ${run.maxRssMb.toFixed(0)} MB |`,
    ),
  ]),
  '',
  `Target: peak RSS under 600 MB at ${fmt(largest.grants)} grants: ${peak < 600 ? 'met' : 'NOT met'} (${peak.toFixed(0)} MB). Problems found: ${results.map((r) => `${fmt(r.stale)} at ${fmt(r.grants)} grants`).join(', ')}. The steady sweep, which writes nothing, shows what a sweep costs beyond the floor: start-up, the worker's start, the membership pages and issue listings, the rules, the issue texts and the plan. How the memory stays bounded: the archive streams from the socket through gunzip and the tar parser to the worker, one file at a time, each parsed as it arrives; the main thread never holds the archive, a file or the parsed repo, and receives only the problems, the issue texts and the plan. The parsed repo shares equal short strings (dates, roles, systems, logins) between files, a seventh less heap, and the worker collects the parsed repo as soon as the sweep no longer needs it, so the writes that follow reuse much of the memory it held instead of adding to it.`,
  '',
  'API requests per sweep. Reads are split as constant (repository, branch, archive, open pull requests) + issue listing pages (the open managed issues; the recently closed ones, only when a problem has no open issue; the check for duplicates after opening issues) + organization member pages + issues re-read before a write. Target: a constant plus one read per 100 open managed issues; writes only for issues whose state changes.',
  '',
  '| grants | sweep | open managed issues after | reads = constant + issue pages + member pages + re-reads | writes |',
  '|---:|---|---:|---|---:|',
  ...results.flatMap((r) =>
    r.runs.map(
      (run) =>
        `| ${fmt(r.grants)} | ${run.label} | ${fmt(run.openIssues)} | ${run.reads} = ${run.reads - run.memberPages - run.issuePages - run.issueRechecks} + ${run.issuePages} + ${run.memberPages} + ${run.issueRechecks} | ${run.writes} |`,
    ),
  ),
  '',
  "Reading: the whole branch is one archive download whatever its size, so reads do not grow with grants. The issue listing grows by one page per 100 open managed issues; a run that opened issues lists again only those updated since it started (one page) to catch a duplicate from a concurrent sweep. A write to an existing issue re-reads it first (so two replicas do not both comment), which is one read per write, never per grant. The steady sweep writes nothing. Every write the sweep makes is counted, the ledger records of leavers it finds included, and each is sent at least a second after the process's previous write (the stand-in has no rate limits, so the benchmark does not wait).",
  '',
  `The other read that grows is organization membership (the leaver check): one page per 100 members of the organization (${results.map((r) => fmt(r.members)).join(' and ')} members in these runs), plus one check per login missing from the list. It depends on the size of the organization, not on the number of grants or issues; the App caches it per organization for ten minutes and drops the cache on \`organization\` member events, and \`--no-membership\` skips it in the CLI.`,
]);
// The targets, one TARGET line each (bench/targets.ts): the peak RSS as the prose judges it, and of
// "writes only for issues whose state changes" the part a figure can hold, the steady sweep (no
// issue changes state) writing nothing. "A constant plus one read per 100 open managed issues"
// names no constant, so it is shown in the table above and not judged here.
reportTarget({
  bench: 'sweep',
  what: `${fmt(largest.grants)} grants: peak RSS of the sweep, highest of its three runs`,
  measured: peak,
  unit: 'MB',
  comparison: '<',
  limit: 600,
  met: peak < 600,
  digits: 0,
});
const steadyWrites = results.reduce((sum, r) => sum + r.runs[1].writes, 0);
reportTarget({
  bench: 'sweep',
  what: 'steady sweep (nothing changed): writes, every size',
  measured: steadyWrites,
  unit: 'writes',
  comparison: '<=',
  limit: 0,
  met: steadyWrites <= 0,
  digits: 0,
});
if (peak >= 600 && largest.grants >= 100000) process.exitCode = 1;
