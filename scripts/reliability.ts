// npm run reliability [-- --merges 50 --down 10 --rate 0.2 --seed N --keep --no-write]:
// the App's real server against the fake GitHub with a share of GitHub calls failing the ways
// GitHub fails, a burst of merges whose webhooks arrive twice and out of order, the App killed
// and kept down for some merges, restarted, and reconcile run. Prints the table, writes
// docs/reliability.md (unless --no-write), and exits 1 unless nothing was lost or duplicated.
import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { killAll } from '../test/support/e2e/processes.ts';
import { FAULT_MIX, reportTable, runReliability, type ReliabilityReport } from '../test/support/e2e/reliability.ts';

const { values } = parseArgs({
  options: {
    merges: { type: 'string', default: '50' },
    down: { type: 'string', default: '10' },
    rate: { type: 'string', default: '0.2' },
    seed: { type: 'string', default: '20261126' },
    keep: { type: 'boolean', default: false },
    'no-write': { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (values.help) {
  process.stdout.write('usage: npm run reliability [-- --merges 50 --down 10 --rate 0.2 --seed N --keep --no-write]\n');
  process.exit(0);
}
const merges = Number(values.merges);
const down = Number(values.down);
const rate = Number(values.rate);
const seed = Number(values.seed);
if (!Number.isInteger(merges) || merges < 2 || !Number.isInteger(down) || down < 0 || down >= merges || !(rate >= 0 && rate < 1) || !Number.isInteger(seed)) {
  process.stderr.write('reliability: --merges must be a whole number ≥ 2, --down smaller than --merges, --rate in [0, 1), --seed a whole number\n');
  process.exit(2);
}

// Self-stopping: whatever happens, the run ends (and its processes with it) within this bound.
const BOUND_MS = 20 * 60_000;
const guard = setTimeout(() => {
  process.stderr.write(`reliability: stopped after ${BOUND_MS / 60_000} minutes\n`);
  killAll();
  process.exit(2);
}, BOUND_MS);
guard.unref();

const started = Date.now();
const log = (line: string) => process.stdout.write(`[${String(Math.round((Date.now() - started) / 1000)).padStart(4)} s] ${line}\n`);
const command = `npm run reliability${merges !== 50 || down !== 10 || rate !== 0.2 ? ` -- --merges ${merges} --down ${down} --rate ${rate}` : ''}`;

let report: ReliabilityReport;
try {
  report = await runReliability({ merges, downMerges: down, faultRate: rate, seed, keep: values.keep, log });
} catch (err) {
  process.stderr.write(`reliability: ${err instanceof Error ? err.message : String(err)}\n`);
  killAll();
  process.exit(2);
}

const table = reportTable(report, rate);
process.stdout.write(`\n${table.join('\n')}\n`);
const ok =
  report.lost === 0 &&
  report.duplicateRecords === 0 &&
  report.duplicateIssues === 0 &&
  report.sweeps.open === report.sweeps.expected &&
  report.sweeps.exits.every((c) => c === 0) &&
  report.chain.ok &&
  report.chain.verifyExit === 0 &&
  report.invalidSignature.status >= 400 &&
  report.invalidSignature.requestsAfter === 0;
process.stdout.write(
  `\n${ok ? 'OK' : 'FAILED'}: ${report.lost} lost, ${report.duplicateRecords} duplicate records, ${report.duplicateIssues} duplicate issues; chain ${report.chain.ok && report.chain.verifyExit === 0 ? 'verifies' : 'BROKEN'}\n`,
);
if (!ok) {
  process.stdout.write(`reconcile said:\n${report.reconcile.output}\nverify said:\n${report.chain.verifyOutput}\nthe sweeps said:\n${report.sweeps.output}\n`);
}
if (values.keep) process.stdout.write(`work files (App logs, the clone): ${report.workDir}\n`);

if (!values['no-write']) {
  const shares = FAULT_MIX.map((f) => {
    const total = FAULT_MIX.reduce((a, x) => a + x.weight, 0);
    return `| ${f.kind}${f.phase === 'after' ? ' (after the write)' : ''} | ${((rate * f.weight * 100) / total).toFixed(1)}% | ${f.models} |`;
  });
  const doc = `# Reliability

Evidence must be complete and written once, whatever GitHub does. \`npm run reliability\` puts the
App's real HTTP server (Probot, as \`npm start\` runs it) against the project's stateful fake of
GitHub on 127.0.0.1 and makes GitHub misbehave the ways it does in production, then counts what an
auditor cares about: every merged access pull request has exactly one ledger record, the hash chain
verifies, and no issue is opened twice.

## The run

Command: \`${command}\` (${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}; seed ${seed}, so a rerun injects the same faults into the same request sequence).

1. Acme's access repo (test/support/e2e/world.ts) with ${merges} pull requests, each adding one
   grant and approved by an eligible approver.
2. A webhook signed with the wrong secret is delivered for the first merge: the App must answer
   400 and call GitHub not once.
3. Faults are switched on for ${Math.round(rate * 100)}% of the App's GitHub calls (every route under
   \`/repos\` and \`/orgs\`, and GraphQL), split as in the table below.
4. ${merges - down} pull requests are merged within three seconds; each \`pull_request.closed\` webhook is
   delivered twice (the second with the same delivery id, as GitHub's redelivery does), in a
   shuffled order, concurrently.
5. While the App works through the burst it is killed (SIGKILL: no chance to finish), and
   ${down} more pull requests are merged while it is down: their deliveries are refused.
6. The App is restarted. While \`access-ledger reconcile\` runs (again while it reports a gap, at
   most three passes, as the daily sweep or a scheduled workflow would), every delivery GitHub
   shows as failed is redelivered to the App, as an operator does from the App's settings after
   an outage: two processes race to record the same merges, still under faults.
7. Two \`access-ledger sweep\` processes run at the same time (two replicas, or a cron that
   overlaps the App's own schedule), with the clock moved past the expiry of one grant in ten,
   still under faults; then a third sweep. Each short grant must end with exactly one open issue.
8. The count: ledger records per pull request, the chain verified in memory and by
   \`access-ledger verify\` on a clone with the same commits, open issues sharing a marker.

## Result

${table.join('\n')}

**${ok ? 'Zero lost and zero duplicate records, no duplicate issue, and the chain verifies.' : 'FAILED: see the table.'}**

A record missing after the burst is not lost evidence: the App answers a failed delivery with an
error (GitHub shows it as failed and can redeliver it), and reconcile lists merged pull requests
since the ledger's newest record and records each one that has none. The counts above are after
reconcile; "recorded by the App from webhooks" shows how much the webhooks alone achieved.

## What each fault models

| fault | share of calls | what it models |
|---|---:|---|
${shares.join('\n')}

Also modelled: every webhook delivered twice (redelivery keeps the delivery id) and out of order
(a later merge's webhook first), a crash in the middle of appends, webhooks lost while the App is
down, and two processes (the App and reconcile; two sweeps) writing to the same repository at
once. Within one App process concurrent deliveries share one queue of appends (a group commit);
across processes each append is a compare-and-swap of the ledger branch's ref, and the loser
re-reads and retries.

## How to read it

- **lost** and **duplicate records** must be 0: that is the ledger's promise (docs/ledger.md).
- **duplicate issues** must be 0: an issue is found again by the hidden marker in its body.
- **retries** counts failed calls the client sent again (Octokit's retry and throttling plugins,
  and the ledger store's compare-and-swap loop); they cost time, not correctness.
- The wall time is dominated by GitHub's pacing, which the App keeps on purpose (about one write a
  second, three seconds between comments), not by computation.
`;
  writeFileSync(new URL('../docs/reliability.md', import.meta.url), doc);
  process.stdout.write('wrote docs/reliability.md\n');
}
clearTimeout(guard);
process.exit(ok ? 0 : 1);
