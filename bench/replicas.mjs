// npm run bench:replicas [-- --replicas 3 --merges 100]: App replicas behind a round-robin load
// balancer, each the App's real server (`npm start`) against the stateful fake GitHub on
// 127.0.0.1, and a burst of merges. Run twice: the replicas sharing one Redis (REDIS_URL: one
// ledger append queue and one Octokit pace for all), and without Redis (each replica its own queue
// and pace, meeting on the ledger branch by compare-and-swap). Needs Debian's redis-server.
// Updates the "App: replicas" section of docs/performance.md and prints its target as TARGET lines
// (bench/targets.ts); exits 1 when a merge is lost or recorded twice, the chain does not verify, or
// more than 5% of the shared run's ref updates were refused.
import { cpus, loadavg, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { killAll } from '../test/support/e2e/processes.ts';
import { runReplicas } from '../test/support/e2e/replicas.ts';
import { writeSection } from './report.ts';
import { reportTarget } from './targets.ts';

const { values } = parseArgs({ options: { replicas: { type: 'string', default: '3' }, merges: { type: 'string', default: '100' } } });
const replicas = Number(values.replicas);
const merges = Number(values.merges);
if (!Number.isInteger(replicas) || replicas < 2 || !Number.isInteger(merges) || merges < replicas) {
  process.stderr.write('bench:replicas: --replicas must be a whole number ≥ 2 and --merges at least as many\n');
  process.exit(2);
}

const guard = setTimeout(() => {
  process.stderr.write('bench:replicas: stopped after 30 minutes\n');
  killAll();
  process.exit(2);
}, 30 * 60_000);
guard.unref();

const started = Date.now();
const loadBefore = loadavg()[0];
const log = (line) => process.stdout.write(`[${String(Math.round((Date.now() - started) / 1000)).padStart(4)} s] ${line}\n`);
const runs = [];
try {
  for (const redis of [true, false]) {
    log(`--- ${redis ? 'sharing one Redis' : 'without Redis'} ---`);
    runs.push(await runReplicas({ replicas, merges, redis, log }));
  }
} catch (err) {
  process.stderr.write(`bench:replicas: ${err instanceof Error ? err.message : String(err)}\n`);
  killAll();
  process.exit(2);
}

const [shared, alone] = runs;
const pct = (r) => (r.refUpdates.sent === 0 ? '0%' : `${Math.round((100 * r.refUpdates.refused) / r.refUpdates.sent)}%`);
const row = (label, r) =>
  `| ${label} | ${r.recordedOnce} / ${r.lost} / ${r.duplicateRecords} | ${r.refUpdates.refused} of ${r.refUpdates.sent} (${pct(r)}) | ${r.commits} | ${(r.merges / r.commits).toFixed(1)} | ${r.apiRequests} | ${r.seconds.records.toFixed(0)} s | ${r.chain.ok && r.chain.verifyExit === 0 ? `yes, ${r.chain.records} records` : 'NO'} |`;
const ok =
  runs.every((r) => r.lost === 0 && r.duplicateRecords === 0 && r.chain.ok && r.chain.verifyExit === 0) &&
  shared.refUpdates.refused <= Math.floor(shared.refUpdates.sent * 0.05);
const cmd = `npm run bench:replicas${replicas !== 3 || merges !== 100 ? ` -- --replicas ${replicas} --merges ${merges}` : ''}`;

writeSection('App: replicas', [
  `Command: \`${cmd}\` (${replicas} App processes as \`npm start\` runs them, Probot's retries and throttling on, against the stateful fake GitHub on 127.0.0.1; Debian's redis-server on 127.0.0.1 for the shared run; ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}; load average ${loadBefore.toFixed(2)} before, ${loadavg()[0].toFixed(2)} after: other work shares the machine).`,
  '',
  `${merges} grant pull requests, each approved by an eligible approver, are merged within three seconds; each merge's \`pull_request.closed\` webhook goes to the next replica in turn (${shared.deliveries.perReplica.join(', ')} deliveries). The run ends once every merge is on the ledger branch; the sticky PR comments that follow at GitHub's content-creation pace are not waited for. The first commit creates the branch; "ref updates" are the later commits' compare-and-swaps (\`PATCH\` of the ref), as the fake answered them.`,
  '',
  '| replicas | recorded once / lost / twice | ledger ref updates refused | ledger commits | records per commit | GitHub requests | all on the ledger after | `access-ledger verify` |',
  '|---|---:|---:|---:|---:|---:|---:|---|',
  row(`${replicas}, sharing one Redis (\`REDIS_URL\`)`, shared),
  row(`${replicas}, without Redis`, alone),
  '',
  `Target: every merge recorded exactly once and at most 5% of ref updates refused when the replicas share Redis: ${ok ? 'met' : 'MISSED'}. With \`REDIS_URL\` one replica at a time holds the ledger's lock and commits every replica's records, so the branch has one writer and group commits span replicas; without it each replica groups only its own and loses the compare-and-swap whenever another moved the branch first (each refusal is a re-read and a retry, never a lost or doubled record). The shared run also keeps Probot's pacing of writes through the same Redis (GitHub's limits are per installation, so the replicas' writes together go at about one a second); the merge handler's reads are GraphQL queries that are not paced, so the burst's reads run side by side and the records land in a commit or two.`,
]);
// The target as `ok` judges it, its three parts a TARGET line each (bench/targets.ts).
const mislaid = runs.reduce((sum, r) => sum + r.lost + r.duplicateRecords, 0);
reportTarget({
  bench: 'replicas',
  what: 'both runs: merges lost or recorded twice',
  measured: mislaid,
  unit: 'merges',
  comparison: '<=',
  limit: 0,
  met: mislaid === 0,
  digits: 0,
});
const unverified = runs.filter((r) => !(r.chain.ok && r.chain.verifyExit === 0)).length;
reportTarget({
  bench: 'replicas',
  what: 'both runs: ledgers access-ledger verify refuses',
  measured: unverified,
  unit: 'ledgers',
  comparison: '<=',
  limit: 0,
  met: unverified === 0,
  digits: 0,
});
const refusedPct = shared.refUpdates.sent === 0 ? 0 : (100 * shared.refUpdates.refused) / shared.refUpdates.sent;
reportTarget({
  bench: 'replicas',
  what: 'sharing one Redis: ledger ref updates refused',
  measured: refusedPct,
  unit: '%',
  comparison: '<=',
  limit: 5,
  met: shared.refUpdates.refused <= Math.floor(shared.refUpdates.sent * 0.05),
  digits: 1,
});
process.stdout.write(
  `\n${ok ? 'OK' : 'FAILED'}: shared ${shared.recordedOnce}/${merges} once, ${shared.refUpdates.refused} of ${shared.refUpdates.sent} refused; alone ${alone.recordedOnce}/${merges} once, ${alone.refUpdates.refused} of ${alone.refUpdates.sent} refused\n`,
);
if (!ok) process.exitCode = 1;
