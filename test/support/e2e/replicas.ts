/**
 * Several App replicas behind one "load balancer", as `npm run bench:replicas` and
 * test/e2e/replicas.test.ts run them: N App processes (the real server, as `npm start` runs it)
 * against the stateful fake GitHub, sharing one Redis (REDIS_URL, as production would set it for
 * every replica), webhook deliveries spread round-robin over them, and a burst of merges. It
 * counts what the shared append queue promises: every merge recorded exactly once, the ledger ref
 * moved by one writer at a time (few or no refused compare-and-swaps), and a chain that verifies.
 * With `redis: false` the same burst runs without Redis, as replicas did before the shared queue.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { prng } from '../fake-github/faults.ts';
import { startFakeGitHub } from '../fake-github/index.ts';
import { startRedis, type RedisServer } from '../redis.ts';
import { cloneFromFake } from './clone.ts';
import { readLedger, recordPr, recordsOf, tail, waitFor } from './observe.ts';
import { runCli, startApp, tempDir, type AppProcess } from './processes.ts';
import { newGrantFile, seedAcme } from './world.ts';

export interface ReplicasOptions {
  /** App processes (default 3). */
  replicas?: number;
  /** Grant PRs merged in the burst (default 100). */
  merges?: number;
  /** Spread the merges over this many ms (default 3000). */
  spreadMs?: number;
  /** Share one Redis (REDIS_URL) between the replicas (default true). */
  redis?: boolean;
  seed?: number;
  log?: (line: string) => void;
  /** Keep the work directory (App logs, the clone). */
  keep?: boolean;
  /** Bound on the wait for every record (default 6 minutes). */
  waitMs?: number;
}

export interface ReplicasReport {
  replicas: number;
  merges: number;
  redis: boolean;
  /** Merged PRs with exactly one grant-change record; with none; records beyond the first for a PR. */
  recordedOnce: number;
  lost: number;
  duplicateRecords: number;
  grantChangeRecords: number;
  /** Ledger ref updates (PATCH) sent, and those refused as not a fast-forward. */
  refUpdates: { sent: number; refused: number };
  /** Commits on the ledger branch after its first (group commits), and records per commit. */
  commits: number;
  chain: { records: number; ok: boolean; verifyExit: number | null; verifyOutput: string };
  /** Deliveries per replica (round-robin), and the answers that came back before the count. */
  deliveries: { sent: number; perReplica: number[]; answered: Record<string, number> };
  /** GitHub API requests until every merge was on the ledger. */
  apiRequests: number;
  seconds: { records: number; total: number };
  handlerErrors: number;
  workDir: string;
  /** The last lines each replica logged, for failure messages. */
  logTails: string[];
}

/** The ledger ref's updates on the fake: `PATCH /repos/{owner}/{repo}/git/refs/heads%2Faccess-ledger`. */
function ledgerRefUpdates(requests: readonly { route: string; path: string; status: number }[]): { sent: number; refused: number } {
  const patches = requests.filter(
    (r) => r.route === 'PATCH /repos/{owner}/{repo}/git/refs/{ref}' && decodeURIComponent(r.path).endsWith('/git/refs/heads/access-ledger'),
  );
  return { sent: patches.length, refused: patches.filter((r) => r.status === 422).length };
}

export async function runReplicas(options: ReplicasOptions = {}): Promise<ReplicasReport> {
  const n = options.replicas ?? 3;
  const merges = options.merges ?? 100;
  const spread = options.spreadMs ?? 3000;
  const useRedis = options.redis ?? true;
  const log = options.log ?? (() => undefined);
  const waitMs = options.waitMs ?? 6 * 60_000;
  const random = prng(options.seed ?? 20261206);
  const started = Date.now();
  const workDir = tempDir('replicas');
  const logins = Array.from({ length: merges }, (_, i) => `eng-${String(i + 1).padStart(3, '0')}`);

  let redis: RedisServer | undefined;
  const apps: AppProcess[] = [];
  const fake = await startFakeGitHub({ seed: options.seed ?? 20261206 });
  try {
    if (useRedis) redis = await startRedis();
    const world = seedAcme(fake, { extraMembers: logins });
    const prs = logins.map((login, i) => {
      const pr = fake.state.openPullRequest(world.repo, {
        author: login,
        title: `Grant ${login} read-only access to prod-postgres`,
        head: `grant-${login}`,
        files: { [`grants/people/${login}.yaml`]: newGrantFile(login, world.day(60), { request: `DATA-${3000 + i}` }) },
      });
      fake.state.submitReview(world.repo, pr, { user: 'sbrandt', state: 'APPROVED' });
      return pr;
    });
    for (let i = 0; i < n; i++) apps.push(await startApp({ fake, dir: workDir, env: redis ? { REDIS_URL: redis.url } : {} }));
    log(
      `${n} App replicas started (pids ${apps.map((a) => a.pid).join(', ')})${redis ? `, sharing Redis at ${redis.url}` : ', without Redis'}; ${merges} grant PRs open and approved`,
    );

    // ---- the burst: merges spread over a few seconds, each webhook to the next replica in turn ----
    const answered: Record<string, number> = {};
    const perReplica = apps.map(() => 0);
    const burstStart = Date.now();
    const deliveries = prs.map(async (pr, i) => {
      await new Promise((r) => setTimeout(r, Math.floor(random() * spread)));
      fake.state.mergePull(world.repo, pr, { by: 'sbrandt' });
      const app = apps[i % n]!;
      perReplica[i % n]!++;
      try {
        const d = await fake.deliver('pull_request', fake.payloads.pullRequest('closed', world.repo, pr), {
          url: app.webhookUrl,
          secret: app.secret,
          deliveryId: randomUUID(),
        });
        answered[String(d.status)] = (answered[String(d.status)] ?? 0) + 1;
      } catch {
        answered.unanswered = (answered.unanswered ?? 0) + 1;
      }
    });
    const recorded = () => new Set(recordsOf(readLedger(fake, world.repo), 'grant-change').map(recordPr)).size;
    let last = -1;
    await waitFor(
      () => {
        const now = recorded();
        if (now !== last && (now === merges || now % 10 === 0)) log(`${now} of ${merges} merges on the ledger`);
        last = now;
        return now >= merges || undefined;
      },
      {
        what: `all ${merges} merges on the ledger`,
        timeoutMs: waitMs,
        intervalMs: 250,
        detail: () => apps.map((a, i) => `replica ${i + 1}:\n${tail(a.log, 15)}`).join('\n'),
      },
    );
    const recordsSeconds = (Date.now() - burstStart) / 1000;
    log(`every merge on the ledger after ${recordsSeconds.toFixed(1)} s; stopping the replicas (their PR comments are still paced)`);
    const requestsAtCount = [...fake.requests];
    await Promise.all(apps.map((a) => a.kill()));
    await Promise.allSettled(deliveries);

    // ---- the count ----
    const ledger = readLedger(fake, world.repo);
    let recordedOnce = 0;
    let lost = 0;
    for (const pr of prs) {
      const c = recordsOf(ledger, 'grant-change', pr).length;
      if (c === 1) recordedOnce++;
      if (c === 0) lost++;
    }
    const perPrKind = new Map<string, number>();
    for (const r of ledger.records) {
      const pr = recordPr(r);
      if (pr === null) continue;
      perPrKind.set(`${r.kind}#${pr}`, (perPrKind.get(`${r.kind}#${pr}`) ?? 0) + 1);
    }
    const cloneDir = join(workDir, 'clone');
    const clone = cloneFromFake(fake, world.repo, cloneDir);
    const verify = await runCli(['verify', '--repo', cloneDir]);
    return {
      replicas: n,
      merges,
      redis: useRedis,
      recordedOnce,
      lost,
      duplicateRecords: [...perPrKind.values()].reduce((a, c) => a + Math.max(0, c - 1), 0),
      grantChangeRecords: recordsOf(ledger, 'grant-change').length,
      refUpdates: ledgerRefUpdates(requestsAtCount),
      commits: Number(execFileSync('git', ['-C', cloneDir, 'rev-list', '--count', clone.branches['access-ledger']!], { encoding: 'utf8' }).trim()) - 1,
      chain: { records: ledger.records.length, ok: ledger.verification.ok, verifyExit: verify.code, verifyOutput: (verify.stdout + verify.stderr).trim() },
      deliveries: { sent: prs.length, perReplica, answered },
      apiRequests: requestsAtCount.length,
      seconds: { records: recordsSeconds, total: (Date.now() - started) / 1000 },
      handlerErrors: fake.errors.length,
      workDir,
      logTails: apps.map((a) => tail(a.log, 20)),
    };
  } finally {
    await Promise.allSettled(apps.map((a) => a.kill()));
    await redis?.stop();
    await fake.close();
    if (!options.keep) rmSync(workDir, { recursive: true, force: true });
  }
}
