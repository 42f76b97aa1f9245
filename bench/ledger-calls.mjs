// npm run bench:ledger: what recording merged access changes costs, with the App's real HTTP
// server and Probot's production Octokit (retries and throttling ON) against the stateful fake
// GitHub on 127.0.0.1, webhooks signed and POSTed as GitHub posts them.
//
// 1. API calls per recorded merge for a PR touching 1, 10 and 100 grants, by purpose (target ≤ 8).
// 2. A burst of 200 merges delivered at once: ledger writes per record (group commits), the wall
//    time until all 200 records are on the ledger branch (target: under 90 s) and until every
//    handler (PR comments included) is done, the least gap between two content-creating requests
//    as the fake GitHub received them (target: at least the pacer's interval), retries; then a
//    burst with 5% of GitHub's answers failing (5xx).
// Updates the "App: ledger appends" section of docs/performance.md and prints its targets as TARGET
// lines (bench/targets.ts). Exit 1 when a target is missed or the ledger does not verify.
//   BENCH_LEDGER_SIZES        grants per merged pull request (default 1,10,100)
//   BENCH_LEDGER_BURST        merges delivered at once (default 200)
//   BENCH_LEDGER_FAULT_BURST  merges in the burst with faults (default 50: its comments alone take
//                             GitHub's content-creation pace, three seconds each)
//   BENCH_NO_WRITE            1: print only (the test suite's smoke run)
import { generateKeyPairSync } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { Probot } from 'probot';
import { startFakeGitHub } from '../test/support/fake-github/index.ts';
import { createApp } from '../src/app/index.ts';
import { createAppOctokit } from '../src/app/octokit.ts';
import { defaultDeps } from '../src/app/deps.ts';
import { createAppServer, listen, shutdown } from '../src/app/server.ts';
import { HEAD_PATH, verifyLedgerState } from '../src/core/ledger/index.ts';
import { addDays, utcDay } from '../src/core/dates.ts';
import { writeSection } from './report.ts';
import { reportTarget } from './targets.ts';
import { MIN_WRITE_INTERVAL_MS } from '../src/adapters/github/pacing.ts';
import { freshSigningKey, withLedgerTrust } from '../test/support/ledger-keys.ts';

const SIZES = (process.env.BENCH_LEDGER_SIZES ?? '1,10,100').split(',').map(Number);
const BURST = Number(process.env.BENCH_LEDGER_BURST ?? 200);
const FAULT_BURST = Number(process.env.BENCH_LEDGER_FAULT_BURST ?? Math.min(BURST, 50));
const TARGET_CALLS = 8;
const TARGET_RECORDED_S = 90;
const loadStart = loadavg()[0].toFixed(2);
const SECRET = 'bench-webhook-secret';
const TODAY = utcDay(new Date());
const EXPIRES = addDays(TODAY, 90);
const privateKey = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
}).privateKey;

// The App's ledger signing key, made as `access-ledger keygen` makes one; the config lists its
// public key and names the App's bot account.
const SIGNING = freshSigningKey();
const CONFIG = withLedgerTrust(
  `version: 1
organization: acme
extends: soc2-baseline
admins: ["@acme/security"]
`,
  [SIGNING.signer],
);
const SYSTEM = `id: db
name: Production database
category: database
owner: carol
approvers: [dave]
review_cadence_days: 90
evidence:
  provisioning: Terraform apply logs
  activity: audit log in the SIEM
`;
/** A service account owned by alice: one membership lookup however many grants a PR adds. */
const grant = (id) => `identity:
  id: ${id}
  kind: service-account
  description: Synthetic workload ${id}
  owner: alice
credential:
  type: oidc-federated
  storage: vault:kv/svc/${id}
  revocation: https://wiki.example/runbooks/${id}
access:
  - system: db
    role: reader
    justification: Reads the rows workload ${id} needs
    expires: ${EXPIRES}
`;

/** A fake GitHub with acme's access repo, and the App serving webhooks on 127.0.0.1. */
async function world(repoName) {
  const gh = await startFakeGitHub();
  gh.state.createOrg('acme', { members: ['alice', 'carol', 'dave', 'erin'] });
  gh.state.createTeam('acme', 'security', { members: ['erin'] });
  gh.state.createRepo(`acme/${repoName}`, { files: { 'access-ledger.yaml': CONFIG, 'systems/db.yaml': SYSTEM, 'README.md': '# access\n' } });
  // Production settings: the Octokit `npm start` gives Probot (Probot's retry and throttling
  // plugins on, plus the App's bounded retries of rate limits).
  const probot = new Probot({ appId: gh.state.app.id, privateKey, secret: SECRET, baseUrl: gh.url, logLevel: 'fatal', Octokit: createAppOctokit() });
  const deps = defaultDeps({ ACCESS_LEDGER_SIGNING_KEY: SIGNING.pem });
  const server = await createAppServer({ probot, app: createApp(deps) });
  const address = await listen(server, 0, '127.0.0.1');
  return { gh, deps, server, repo: `acme/${repoName}`, url: `http://127.0.0.1:${address.port}/api/github/webhooks` };
}

let serial = 0;
/** Opens, approves and merges a PR adding `n` grants; returns its number. */
function mergeGrantPr(w, n) {
  const files = {};
  const id = ++serial;
  for (let i = 0; i < n; i++) files[`grants/services/pr-${id}/svc-${id}-${i}.yaml`] = grant(`svc-${id}-${i}`);
  const number = w.gh.state.openPullRequest(w.repo, { author: 'alice', title: `Add ${n} service account(s)`, files });
  w.gh.state.submitReview(w.repo, number, { user: 'dave', state: 'APPROVED' });
  w.gh.state.mergePull(w.repo, number, { by: 'carol' });
  return number;
}

function ledgerState(w) {
  const files = w.gh.state.ledger(w.repo) ?? {};
  const records = Object.entries(files)
    .filter(([p]) => p.startsWith('records/'))
    .map(([path, content]) => ({ path, content }));
  return { records, verified: verifyLedgerState({ records, head: files[HEAD_PATH] ?? null }) };
}

/** Waits for the handlers in flight, then for the App to have settled. */
async function settle(w) {
  for (;;) {
    await w.deps.work.drain(600_000);
    await new Promise((r) => setTimeout(r, 50));
    if (w.deps.work.size === 0) return;
  }
}

const PURPOSE = [
  ['installation token', (k) => k.startsWith('POST /app/installations/')],
  ['gate facts: REST listings', (k) => /^GET \/repos\/\{owner\}\/\{repo\}\/pulls\/\{pull_number\}\/(files|reviews|commits)$/.test(k)],
  ['GraphQL queries', (k) => k === 'POST /graphql'],
  ['gate facts: membership', (k) => k.startsWith('GET /orgs/')],
  ['ledger: reads', (k) => /^GET \/repos\/\{owner\}\/\{repo\}\/(contents|git)\//.test(k)],
  ['ledger: writes', (k) => /^(POST|PATCH) \/repos\/\{owner\}\/\{repo\}\/git\//.test(k)],
  ['PR comment', (k) => k.includes('/comments')],
];

function byPurpose(calls) {
  const out = Object.fromEntries(PURPOSE.map(([name]) => [name, 0]));
  let other = 0;
  for (const [route, n] of Object.entries(calls)) {
    const hit = PURPOSE.find(([, test]) => test(route));
    if (hit) out[hit[0]] += n;
    else other += n;
  }
  return { ...out, other };
}

// ---- 1. calls per recorded merge ------------------------------------------------------------------

const perMerge = [];
{
  const w = await world('access');
  // The first merge after start also creates the ledger branch and mints a token: shown apart.
  for (const [label, n] of [['first merge after start (creates the branch)', 1], ...SIZES.map((s) => [`${s} grant${s === 1 ? '' : 's'}`, s])]) {
    const number = mergeGrantPr(w, n);
    w.gh.resetCalls();
    await w.gh.deliver('pull_request', w.gh.payloads.pullRequest('closed', w.repo, number), { url: w.url, secret: SECRET });
    await settle(w);
    const calls = w.gh.calls();
    const total = Object.values(calls).reduce((a, b) => a + b, 0);
    const purpose = byPurpose(calls);
    perMerge.push({
      label,
      n,
      total,
      purpose,
      reads: Object.entries(calls)
        .filter(([k]) => k.startsWith('GET'))
        .reduce((a, [, v]) => a + v, 0),
    });
    console.log(`${label}: ${total} calls ${JSON.stringify(purpose)}`);
  }
  const { records, verified } = ledgerState(w);
  if (!verified.ok || records.length !== SIZES.length + 1)
    throw new Error(`ledger after the per-merge runs: ${records.length} records, ${JSON.stringify(verified.first)}`);
  await shutdown(w.server, w.deps.work);
  await w.gh.close();
}

// ---- 2. a burst of concurrent merges ----------------------------------------------------------------

/** The least time between two content-creating requests as the fake received them (ms), and how many there were. */
function writeGaps(requests) {
  const writes = requests.filter((r) => r.contentCreating).sort((a, b) => a.at - b.at);
  let min = Infinity;
  let pair = null;
  for (let i = 1; i < writes.length; i++) {
    const gap = writes[i].at - writes[i - 1].at;
    if (gap < min) [min, pair] = [gap, `${writes[i - 1].route} → ${writes[i].route}`];
  }
  return { writes: writes.length, minGapMs: writes.length > 1 ? min : null, minGapBetween: pair };
}

async function burst(label, faultRate, size) {
  const BURST = size;
  const w = await world(`burst-${faultRate ? 'faults' : 'clean'}`);
  // Warm up: the branch exists and a token is cached, as in a running App.
  const first = mergeGrantPr(w, 1);
  await w.gh.deliver('pull_request', w.gh.payloads.pullRequest('closed', w.repo, first), { url: w.url, secret: SECRET });
  await settle(w);
  const numbers = Array.from({ length: BURST }, () => mergeGrantPr(w, 1));
  // Reads (REST and GraphQL) and writes alike.
  if (faultRate > 0) w.gh.faults.add({ route: /^(GET|POST|PATCH) \/(repos\/|graphql$)/, kind: '5xx', rate: faultRate });
  w.gh.resetCalls();
  const queue = w.deps.ledgerQueues.queueFor('acme', w.repo.split('/')[1], 'access-ledger');
  const statsBefore = { ...queue.stats };
  const commitsBefore = w.gh.state.log(w.repo, 'refs/heads/access-ledger').length;
  const started = Date.now();
  let recordedMs = null;
  const poll = setInterval(() => {
    if (recordedMs === null && ledgerState(w).records.length >= BURST + 1) recordedMs = Date.now() - started;
  }, 100);
  const deliveries = await Promise.all(
    numbers.map((n) => w.gh.deliver('pull_request', w.gh.payloads.pullRequest('closed', w.repo, n), { url: w.url, secret: SECRET })),
  );
  await settle(w);
  const doneMs = Date.now() - started;
  clearInterval(poll);
  if (recordedMs === null && ledgerState(w).records.length >= BURST + 1) recordedMs = doneMs;
  const calls = w.gh.calls();
  const ledgerWrites = Object.entries(calls)
    .filter(([k]) => /^(POST|PATCH) \/repos\/\{owner\}\/\{repo\}\/git\//.test(k))
    .reduce((a, [, v]) => a + v, 0);
  const commits = w.gh.state.log(w.repo, 'refs/heads/access-ledger').length - commitsBefore;
  const errors = w.gh.requests.filter((r) => r.status >= 500 || r.status === 429).length;
  const gaps = writeGaps(w.gh.requests);
  const { records, verified } = ledgerState(w);
  const statuses = deliveries.map((d) => d.status);
  const row = {
    label,
    merges: BURST,
    recordedS: recordedMs === null ? null : recordedMs / 1000,
    doneS: doneMs / 1000,
    ledgerWrites,
    perRecord: ledgerWrites / BURST,
    commits,
    retries: errors,
    faults: w.gh.faults.total,
    records: records.length - 1,
    verified: verified.ok,
    accepted: statuses.filter((s) => s === 200 || s === 202).length,
    writes: gaps.writes,
    refused: queue.stats.conflicts - statsBefore.conflicts,
    flushes: queue.stats.flushes - statsBefore.flushes,
    minGapMs: gaps.minGapMs,
    minGapBetween: gaps.minGapBetween,
    comments: w.gh.state.pullOf(w.repo, numbers[numbers.length - 1]).issue.comments.length,
    commented: numbers.filter((n) => w.gh.state.pullOf(w.repo, n).issue.comments.length === 1).length,
  };
  console.log(`${label}: ${JSON.stringify(row)}`);
  await shutdown(w.server, w.deps.work);
  await w.gh.close();
  return row;
}

const bursts = [await burst('no faults', 0, BURST), await burst('5% of answers fail with 5xx', 0.05, FAULT_BURST)];

// ---- report -----------------------------------------------------------------------------------------

const names = PURPOSE.map(([name]) => name);
const steady = perMerge.filter((r) => !r.label.startsWith('first'));
const callsWithin = steady.every((r) => r.total <= TARGET_CALLS);
const ledgerCalls = (r) => r.purpose['ledger: reads'] + r.purpose['ledger: writes'];
const clean = bursts[0];
const burstWithin = clean.recordedS !== null && clean.recordedS < TARGET_RECORDED_S && clean.perRecord < 1;
const paced = bursts.every((b) => b.minGapMs === null || b.minGapMs >= MIN_WRITE_INTERVAL_MS);
const allDone = bursts.every((b) => b.accepted === b.merges && b.commented === b.merges);
const intact = bursts.every((b) => b.verified && b.records === b.merges);
const s = (x) => (x === null ? 'not reached' : `${x.toFixed(1)} s`);
const gap = (b) => (b.minGapMs === null ? 'n/a' : `${(b.minGapMs / 1000).toFixed(3)} s`);
console.log(`calls per merge: ${steady.map((r) => r.total).join(', ')} (target ≤ ${TARGET_CALLS}: ${callsWithin ? 'met' : 'MISSED'})`);
for (const b of bursts)
  console.log(
    `${b.label}: ${b.merges} recorded in ${s(b.recordedS)}, all handlers done in ${s(b.doneS)}, least gap between two writes ${gap(b)} (pacer ${MIN_WRITE_INTERVAL_MS / 1000} s)`,
  );
console.log(
  `burst target (${BURST} recorded in under ${TARGET_RECORDED_S} s): ${burstWithin ? 'met' : 'MISSED'}; writes paced: ${paced ? 'yes' : 'NO'}; every handler done: ${allDone ? 'yes' : 'NO'}`,
);

writeSection('App: ledger appends', [
  `Command: \`npm run bench:ledger\` (the App's HTTP server and the Octokit \`npm start\` runs, retries and throttling on, against the stateful fake GitHub on 127.0.0.1; webhooks signed and POSTed; ${cpus().length} cores, Node ${process.version}; load average ${loadStart} before the run, ${loadavg()[0].toFixed(2)} after: other work shares the machine).`,
  '',
  '### API calls per recorded merge',
  '',
  "Each pull request adds N service-account grants owned by one person, approved by the system's approver. The merge handler folds its reads into two GraphQL queries: the first lists the pull request's changed files, reviews, commits and comments and reads the base config and systems (paged again only when a page of 100 is full); the second reads the access files it changed and, from the ledger branch named by that config, the tip commit, head.json and this merge's record paths (the redelivery check). \"Membership\" is the owner's organization membership (one per distinct owner). The append builds on the tip the query saw, so it needs no read of its own (tree, commit and ref writes); when the branch moved meanwhile, the ref update is refused and the append reads the branch again. \"PR comment\" is the comment written and one more look for a second writer's comment posted at the same moment (the lookup by marker before writing comes with the first query). The first merge after start also mints an installation token, creates the ledger branch and asks GitHub once for the App's bot account (`GET /app`, counted in the total only), whose commits and comments alone the App takes for its own.",
  '',
  `| merge | calls | of which reads | ${names.join(' | ')} |`,
  `|---|---:|---:|${names.map(() => '---:').join('|')}|`,
  ...perMerge.map((r) => `| ${r.label} | **${r.total}** | ${r.reads} | ${names.map((n) => r.purpose[n]).join(' | ')} |`),
  '',
  `Calls per merge: ${steady.map((r) => r.total).join(', ')} for ${SIZES.join(', ')} grants; target ≤ ${TARGET_CALLS}: ${callsWithin ? 'met' : 'MISSED'}. Ledger calls (reads and writes): ${steady.map((r) => ledgerCalls(r)).join(', ')}. Neither grows with the number of grants: the files are read 100 to a query, and all of a merge's records go into one tree with inline content. A renamed access file adds one REST listing of the files (GraphQL does not say where a file was renamed from), and every further distinct owner one membership lookup.`,
  '',
  `### A burst of merges delivered at once`,
  '',
  '| run | merges | records on the ledger | every handler done (comments too) | ledger writes | writes per record | commits | ref updates refused | content-creating requests | least gap between two | retried answers | ledger verifies |',
  '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|',
  ...bursts.map(
    (b) =>
      `| ${b.label} | ${b.merges} | ${s(b.recordedS)} | ${s(b.doneS)} | ${b.ledgerWrites} | **${b.perRecord.toFixed(2)}** | ${b.commits} | ${b.refused} | ${b.writes} | ${gap(b)} | ${b.retries} | ${b.verified && b.records === b.merges ? `yes, ${b.records} records` : `NO (${b.records} records)`} |`,
  ),
  '',
  `Targets: all ${BURST} recorded in under ${TARGET_RECORDED_S} s, well under one ledger write per record: ${burstWithin ? 'met' : 'MISSED'}; every handler done, each pull request with exactly one comment: ${allDone ? 'met' : 'MISSED'}; no two content-creating requests (POST, PATCH, PUT, DELETE, GraphQL mutations) closer than the pacer's ${MIN_WRITE_INTERVAL_MS / 1000} s as GitHub received them: ${paced ? 'met' : 'MISSED'}. GraphQL queries are reads: they go around Octokit's write queue (which would space them a second apart, process-wide) and are not paced, so a burst's reads run side by side and the records land after a few group commits; the first commit takes what queued in the first moment, the next one everything that queued while it was in flight. Writes keep GitHub's content-creation pace: every write waits for the process's pacer (one every 1.1 s, measured when sent: a second plus a tenth for the way to GitHub) and Octokit's write queue, and each new comment also for Octokit's notification queue (one every three seconds), so the sticky comments are what takes the burst's time once the records are written (${BURST} comments at three seconds each). "Ref updates refused" are commits built on a tip that another commit had moved by the time the ref was updated (the append then reads the branch and retries). "Retried answers" are the fake's 5xx answers, each retried by Octokit's retry plugin; the ledger still holds every merge exactly once.`,
]);

// The targets as the prose above judges them, one TARGET line each (bench/targets.ts); the burst's
// target (recorded in time, under one write per record) is two lines, its two figures.
reportTarget({
  bench: 'ledger',
  what: 'calls per recorded merge, most',
  measured: Math.max(...steady.map((r) => r.total)),
  unit: 'calls',
  comparison: '<=',
  limit: TARGET_CALLS,
  met: callsWithin,
  digits: 0,
});
reportTarget({
  bench: 'ledger',
  what: `burst of ${BURST} merges: all recorded on the ledger after`,
  measured: clean.recordedS,
  unit: 's',
  comparison: '<',
  limit: TARGET_RECORDED_S,
  met: clean.recordedS !== null && clean.recordedS < TARGET_RECORDED_S,
  digits: 1,
});
reportTarget({
  bench: 'ledger',
  what: `burst of ${BURST} merges: ledger writes per record`,
  measured: clean.perRecord,
  unit: 'writes',
  comparison: '<',
  limit: 1,
  met: clean.perRecord < 1,
});
const handled = bursts.reduce((sum, b) => sum + Math.min(b.accepted, b.commented), 0);
const delivered = bursts.reduce((sum, b) => sum + b.merges, 0);
reportTarget({
  bench: 'ledger',
  what: 'both bursts: merges handled, each pull request with exactly one comment',
  measured: handled,
  unit: 'merges',
  comparison: '>=',
  limit: delivered,
  met: allDone,
  digits: 0,
});
const gaps = bursts.map((b) => b.minGapMs).filter((g) => g !== null);
reportTarget({
  bench: 'ledger',
  what: 'both bursts: least gap between two content-creating requests',
  measured: gaps.length > 0 ? Math.min(...gaps) / 1000 : null,
  unit: 's',
  comparison: '>=',
  limit: MIN_WRITE_INTERVAL_MS / 1000,
  met: gaps.length > 0 ? paced : null,
  digits: 3,
});
if (!callsWithin || (BURST >= 200 && !burstWithin) || !paced || !allDone || !intact) process.exitCode = 1;
