// One benchmark run in a fresh process: a synthetic access repo of N grants with 1% stale, three
// sweeps a day apart against the in-memory GitHub (cold: every issue to open; steady: nothing
// changed; churn: 10 grants fixed and 10 gone stale), then the evaluation alone timed in CPU. Prints JSON.
import { addDays } from '../src/core/dates.ts';
import { buildSnapshot } from '../src/core/model/snapshot.ts';
import { loadBuiltinPacks } from '../src/adapters/fs/packs.ts';
import { desiredIssues, evaluateStale, planIssues } from '../src/core/stale/index.ts';
import { MembershipReader, runSweep } from '../src/adapters/github/sweep.ts';
import { BENCH_TODAY, grantYaml, systemYaml } from './synthetic-repo.ts';
import { StubGitHub } from './sweep-github.mjs';

const N = Number(process.argv[2] ?? 100_000);
const STALE_EVERY = 100; // 1%
const expired = addDays(BENCH_TODAY, -10);

function grant(i, stale) {
  const text = grantYaml(i);
  return stale ? text.replace(/expires: \d{4}-\d{2}-\d{2}/g, `expires: ${expired}`) : text;
}

const files = new Map();
files.set('access-ledger.yaml', 'version: 1\norganization: acme\nextends: soc2-baseline\nadmins: ["@acme/security"]\nstale: { max_writes_per_run: 10000 }\n');
for (let i = 0; i < 20; i++) files.set(`systems/sys-${i}.yaml`, systemYaml(i));
const members = new Set(['security-lead']);
for (let i = 0; i < N; i++) {
  files.set(`grants/team-${Math.floor(i / 1000)}/id-${i}.yaml`, grant(i, i % STALE_EVERY === 0));
  members.add(`owner${i % 500}`);
  if (i % 7 === 0) members.add(`user${i}`); // humans' grantees
  if (i % 7 === 5) (members.add(`user${i}`), members.add(`user${i + 1}`)); // shared-account holders
}

const gh = new StubGitHub({ owner: 'acme', repo: 'access', files, members });
const packs = loadBuiltinPacks();
const noWait = { now: () => 0, sleep: async () => {} };

// One sweep a day, as the schedule runs them.
let day = -1;
async function sweep(label) {
  day++;
  const today = addDays(BENCH_TODAY, day);
  gh.day = today;
  gh.clock = 0;
  gh.reset();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const report = await runSweep({ octokit: gh, repo: { owner: 'acme', repo: 'access' }, packs, now: () => new Date(`${today}T06:00:00Z`), today, pacing: noWait, membership: new MembershipReader() });
  const cpu = process.cpuUsage(cpu0);
  const byRoute = { ...gh.byRoute };
  return {
    label,
    problems: report.problems.length,
    openIssues: [...gh.issues.values()].filter((i) => i.state === 'open').length,
    reads: gh.reads,
    writes: gh.writes,
    memberPages: byRoute['GET /orgs/{org}/members'] ?? 0,
    issuePages: byRoute['GET /repos/{owner}/{repo}/issues'] ?? 0,
    issueRechecks: byRoute['GET /repos/{owner}/{repo}/issues/{issue_number}'] ?? 0,
    byRoute,
    wallMs: performance.now() - t0,
    cpuMs: (cpu.user + cpu.system) / 1000,
  };
}

const runs = [];
runs.push(await sweep('cold: no issue exists yet'));
runs.push(await sweep('steady: nothing changed'));

// Churn: fix 10 stale grants (renewed) and let 10 others expire.
const next = new Map(files);
let fixed = 0;
let broken = 0;
for (let i = 0; i < N && (fixed < 10 || broken < 10); i++) {
  const path = `grants/team-${Math.floor(i / 1000)}/id-${i}.yaml`;
  if (i % STALE_EVERY === 0 && fixed < 10) (next.set(path, grant(i, false)), fixed++);
  else if (i % STALE_EVERY === 1 && broken < 10) (next.set(path, grant(i, true)), broken++);
}
gh.setFiles(next);
runs.push(await sweep('churn: 10 fixed, 10 newly stale'));

// The evaluation alone (rules, grouping, issue text, plan), on the parsed snapshot: CPU time.
const parse0 = process.cpuUsage();
const snapshot = buildSnapshot([...next].map(([path, content]) => ({ path, content })));
const parse = process.cpuUsage(parse0);
const membership = Object.fromEntries([...members].map((m) => [m.toLowerCase(), true]));
const existing = [...gh.issues.values()].filter((i) => i.state === 'open');
const evalCpu0 = process.cpuUsage();
const evaluation = evaluateStale(snapshot, { packs, today: gh.day, membership });
const desired = desiredIssues(evaluation.problems, { repository: 'acme/access', branch: 'main', webUrl: 'https://github.com', configPath: 'access-ledger.yaml', membership });
const { toManagedIssue } = await import('../src/core/stale/plan.ts');
const plan = planIssues({ desired, existing: existing.map(toManagedIssue).filter(Boolean), today: gh.day, reminderDays: 7, grantIds: new Set(), branch: 'main' });
const evalCpu = process.cpuUsage(evalCpu0);

console.log(
  JSON.stringify({
    grants: N,
    stale: evaluation.problems.length,
    members: members.size,
    runs,
    parseCpuMs: (parse.user + parse.system) / 1000,
    evalCpuMs: (evalCpu.user + evalCpu.system) / 1000,
    planned: plan.length,
    maxRssMb: process.memoryUsage.rss() / 2 ** 20,
  }),
);
