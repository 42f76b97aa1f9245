/**
 * The reliability run behind `npm run reliability` and test/e2e/reliability.test.ts: the App's
 * real server against the fake with a share of GitHub calls failing the ways GitHub fails, a burst
 * of merges whose webhooks arrive twice and out of order, the App killed while it works and kept
 * down for some merges, then restarted with a reconcile. It counts what matters to an auditor:
 * every merged grant PR has exactly one ledger record, the chain verifies, no issue is duplicated.
 */
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { prng } from '../fake-github/faults.ts';
import { startFakeGitHub, type FakeGitHub, type FaultKind } from '../fake-github/index.ts';
import { cloneFromFake } from './clone.ts';
import { duplicateIssues, issues, markerOf, readLedger, recordPr, recordsOf, waitFor, waitQuiet } from './observe.ts';
import { runCli, startApp, tempDir, type AppProcess } from './processes.ts';
import { newGrantFile, seedAcme, type World } from './world.ts';

export interface ReliabilityOptions {
  /** Merged grant PRs in all (default 50). */
  merges?: number;
  /** Of those, merged while the App is down (default 10). */
  downMerges?: number;
  /** Share of the App's GitHub calls that fail transiently (default 0.2). */
  faultRate?: number;
  seed?: number;
  /** Progress lines (default: none). */
  log?: (line: string) => void;
  /** Keep the work directory (App logs, the clone) for inspection. */
  keep?: boolean;
  /** Bound on each wait for the App (default 8 minutes). */
  waitMs?: number;
}

export interface FaultShare {
  kind: FaultKind;
  /** Share of all matching requests. */
  share: number;
  /** What it models, for the report. */
  models: string;
}

/** How the fault rate is split between kinds (shares sum to 1). */
export const FAULT_MIX: ReadonlyArray<FaultShare & { weight: number; holdMs?: number; phase?: 'before' | 'after' }> = [
  { kind: '5xx', weight: 0.45, share: 0, models: 'GitHub answers 502 or 503 (a deploy, a load balancer hiccup); nothing was done' },
  {
    kind: '5xx',
    weight: 0.1,
    phase: 'after',
    share: 0,
    models: 'the request was carried out, but the answer was lost on the way back (a 502 after the write landed)',
  },
  {
    kind: 'secondary-rate-limit',
    weight: 0.2,
    share: 0,
    models: "GitHub's secondary rate limit: 403 with retry-after (too many concurrent or content-creating requests)",
  },
  { kind: '429', weight: 0.1, share: 0, models: 'the same limit as 429 Too Many Requests with retry-after' },
  {
    kind: 'timeout',
    weight: 0.15,
    holdMs: 1500,
    share: 0,
    models: 'the connection hangs, then is cut (a dead proxy or a stalled backend); the client sees a network error',
  },
];

/** The API routes the App calls: repository contents, git data, pulls, issues, org membership, checks, GraphQL. */
const APP_ROUTES = /^(GET|POST|PATCH|PUT|DELETE) (\/api\/v3)?\/(repos|orgs)\/|^POST (\/api)?\/graphql$/;

export interface ReliabilityReport {
  merges: number;
  mergedWhileDown: number;
  grantChangeRecords: number;
  /** Merged PRs with exactly one grant-change record. */
  recordedOnce: number;
  /** Records beyond the first for the same PR (any kind). */
  duplicateRecords: number;
  /** Merged PRs with no grant-change record. */
  lost: number;
  unapprovedRecords: number;
  /** Open issues sharing a marker with another (the same problem opened twice). */
  duplicateIssues: number;
  /** PRs with more than one App comment (the comment is sticky: one per PR). */
  duplicateComments: number;
  chain: { records: number; ok: boolean; verifyExit: number | null; verifyOutput: string };
  deliveries: { sent: number; redeliveries: number; outOfOrder: number; refused: number; redeliveredAfterRestart: number; byStatus: Record<string, number> };
  invalidSignature: { status: number; requestsAfter: number; recorded: boolean };
  faults: { total: number; byKind: Record<string, number>; writesLandedAnswerLost: number };
  /** Failed requests the client sent again (same method and path, later). */
  retries: number;
  /** Ledger ref updates refused as not a fast-forward (each is re-read and retried). */
  casConflicts: number;
  apiRequests: number;
  reconcile: { exit: number | null; passes: number; output: string; ms: number };
  /** Two sweeps at once (two replicas), then a third: the issues they keep. */
  sweeps: { exits: Array<number | null>; expected: number; open: number; duplicatesClosed: number; seconds: number; output: string };
  /** Merges the App recorded from webhooks before it was killed (the rest came from reconcile). */
  recordedByApp: number;
  /** Deliveries the App answered with an error (a handler that failed after retries). */
  failedDeliveries: number;
  seconds: { burst: number; reconcile: number; total: number };
  handlerErrors: number;
  workDir: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Adds the fault rules so that `rate` of matching requests fail, split by FAULT_MIX (rules fire first-match). */
export function addFaults(fake: FakeGitHub, rate: number): Array<{ rule: { injected: number; kind: FaultKind; phase?: string }; models: string }> {
  const total = FAULT_MIX.reduce((a, f) => a + f.weight, 0);
  let remaining = 1;
  const rules: Array<{ rule: { injected: number; kind: FaultKind; phase?: string }; models: string }> = [];
  for (const f of FAULT_MIX) {
    const share = (rate * f.weight) / total;
    // Conditional probability given no earlier rule fired, so the shares come out as asked.
    const p = Math.min(1, share / remaining);
    remaining -= share;
    const spec = { route: APP_ROUTES, kind: f.kind, rate: p, ...(f.holdMs ? { holdMs: f.holdMs } : {}), ...(f.phase ? { phase: f.phase } : {}) };
    rules.push({ rule: fake.faults.add(spec), models: f.models });
  }
  return rules;
}

interface Scheduled {
  pr: number;
  /** GitHub's delivery id: a redelivery repeats it. */
  id: string;
  at: number;
  redelivery: boolean;
}

/** Requests that failed (fault or 5xx/403/429) and were sent again later with the same method and path. */
function countRetries(fake: FakeGitHub): number {
  let retries = 0;
  const reqs = fake.requests;
  const later = new Map<string, number>();
  for (let i = reqs.length - 1; i >= 0; i--) {
    const r = reqs[i]!;
    const key = `${r.method} ${r.path}`;
    const failed = r.fault !== undefined || r.status >= 500 || r.status === 429 || (r.status === 403 && r.fault !== undefined) || r.status === 0;
    if (failed && (later.get(key) ?? 0) > 0) retries++;
    later.set(key, (later.get(key) ?? 0) + 1);
  }
  return retries;
}

/** The PRs (by index) whose grant expires in 20 days rather than 60. */
const expiresSoon = (i: number): boolean => i % 10 === 4;

export async function runReliability(options: ReliabilityOptions = {}): Promise<ReliabilityReport> {
  const merges = options.merges ?? 50;
  const down = options.downMerges ?? 10;
  const rate = options.faultRate ?? 0.2;
  const seed = options.seed ?? 20261126;
  const log = options.log ?? (() => undefined);
  const waitMs = options.waitMs ?? 8 * 60_000;
  const random = prng(seed);
  const started = Date.now();
  const workDir = tempDir('reliability');
  const logins = Array.from({ length: merges }, (_, i) => `eng-${String(i + 1).padStart(2, '0')}`);

  const fake = await startFakeGitHub({ seed });
  let app: AppProcess | undefined;
  try {
    const world: World = seedAcme(fake, { extraMembers: logins });
    const token = fake.createInstallationToken(world.installationId);
    // Every PR is opened and approved by an eligible approver of prod-postgres before the burst.
    const prs = logins.map((login, i) => {
      const pr = fake.state.openPullRequest(world.repo, {
        author: login,
        title: `Grant ${login} read-only access to prod-postgres`,
        head: `grant-${login}`,
        // One grant in ten is short-lived: the sweeps at the end find it expired.
        files: { [`grants/people/${login}.yaml`]: newGrantFile(login, world.day(expiresSoon(i) ? 20 : 60), { request: `DATA-${2000 + i}` }) },
      });
      fake.state.submitReview(world.repo, pr, { user: 'sbrandt', state: 'APPROVED' });
      return pr;
    });
    app = await startApp({ fake, dir: workDir });
    const target = () => ({ url: (app as AppProcess).webhookUrl, secret: (app as AppProcess).secret });
    log(`App started (pid ${app.pid}); ${merges} grant PRs open and approved`);

    // ---- an invalid signature writes nothing ----
    const first = prs[0] as number;
    fake.state.mergePull(world.repo, first, { by: 'sbrandt' });
    const before = fake.requests.length;
    const forged = await fake.deliver('pull_request', fake.payloads.pullRequest('closed', world.repo, first), {
      url: app.webhookUrl,
      secret: 'not-the-secret',
    });
    await sleep(1500);
    const invalidSignature = {
      status: forged.status,
      requestsAfter: fake.requests.length - before,
      recorded: recordsOf(readLedger(fake, world.repo), 'grant-change', first).length > 0,
    };
    log(`forged signature: HTTP ${forged.status}, ${invalidSignature.requestsAfter} GitHub requests after it`);

    // ---- faults on, then the burst: merges with each webhook twice, in a shuffled order ----
    const rules = addFaults(fake, rate);
    fake.faults.reset();
    const upCount = merges - down;
    const schedule: Scheduled[] = [];
    for (let i = 0; i < upCount; i++) {
      const pr = prs[i] as number;
      const id = randomUUID();
      schedule.push({ pr, id, at: Math.floor(random() * 3000), redelivery: false });
      schedule.push({ pr, id, at: Math.floor(random() * 6000), redelivery: true });
    }
    schedule.sort((a, b) => a.at - b.at);
    const byStatus: Record<string, number> = {};
    let refused = 0;
    /** Deliveries GitHub shows as failed (refused, or answered with an error): PR → delivery id. */
    const failed = new Map<number, string>();
    const deliveredOrder: number[] = [];
    const deliver = async (s: Scheduled): Promise<void> => {
      await sleep(s.at);
      if (s.pr !== first && !s.redelivery) fake.state.mergePull(world.repo, s.pr, { by: 'sbrandt' });
      // The redelivery of a PR not merged yet waits for its merge (GitHub sends nothing before).
      if (fake.state.pullOf(world.repo, s.pr).pull.merged === false)
        await waitFor(() => fake.state.pullOf(world.repo, s.pr).pull.merged, { what: `merge of #${s.pr}`, timeoutMs: 10_000 });
      deliveredOrder.push(s.pr);
      try {
        const d = await fake.deliver('pull_request', fake.payloads.pullRequest('closed', world.repo, s.pr), { ...target(), deliveryId: s.id });
        byStatus[String(d.status)] = (byStatus[String(d.status)] ?? 0) + 1;
        if (d.status >= 400) failed.set(s.pr, s.id);
      } catch {
        refused++;
        failed.set(s.pr, s.id);
      }
    };
    const burstStart = Date.now();
    await Promise.all(schedule.map(deliver));
    const outOfOrder = deliveredOrder.filter((pr, i) => deliveredOrder.slice(0, i).some((p) => p > pr)).length;
    log(`${upCount} merges, ${schedule.length} deliveries sent (${outOfOrder} after a later PR's); waiting for the App to record`);

    // Kill the App while it works: once most of the burst is recorded, or once it has given up on
    // what it could not record (no GitHub call for a while), or after a bound.
    const recordedSoFar = () => new Set(recordsOf(readLedger(fake, world.repo), 'grant-change').map(recordPr)).size;
    const killAt = Math.max(1, Math.floor(upCount * 0.8));
    let lastCount = fake.requests.length;
    let lastChange = Date.now();
    const killDeadline = Date.now() + Math.min(waitMs, 4 * 60_000);
    await waitFor(
      () => {
        if (fake.requests.length !== lastCount) {
          lastCount = fake.requests.length;
          lastChange = Date.now();
        }
        return recordedSoFar() >= killAt || Date.now() - lastChange > 5000 || Date.now() > killDeadline || undefined;
      },
      { what: 'the App to record the burst', timeoutMs: waitMs, intervalMs: 200 },
    );
    const recordedByApp = recordedSoFar();
    await app.kill();
    log(`App killed (SIGKILL) with ${recordedByApp} of ${upCount} merges recorded`);

    // ---- merges while the App is down: their deliveries are refused ----
    for (let i = upCount; i < merges; i++) {
      const pr = prs[i] as number;
      fake.state.mergePull(world.repo, pr, { by: 'sbrandt' });
      deliveredOrder.push(pr);
      const id = randomUUID();
      try {
        await fake.deliver('pull_request', fake.payloads.pullRequest('closed', world.repo, pr), { url: app.webhookUrl, secret: app.secret, deliveryId: id });
      } catch {
        refused++;
        failed.set(pr, id);
      }
    }
    log(`${down} merges while the App was down (${refused} deliveries refused)`);
    const burstSeconds = (Date.now() - burstStart) / 1000;

    // ---- restart; an operator redelivers the failed deliveries while reconcile runs ----
    // Two processes then race to record the same merges: the restarted App from the redeliveries,
    // reconcile from the pull request listing. Each append is a compare-and-swap of the ledger ref.
    app = await startApp({ fake, dir: workDir });
    log(`App restarted (pid ${app.pid}); redelivering ${failed.size} failed deliveries while access-ledger reconcile runs`);
    const reconcileStart = Date.now();
    const restarted = app;
    const redelivering = Promise.all(
      [...failed].map(async ([pr, id]) => {
        await sleep(Math.floor(random() * 2000));
        const d = await fake.deliver('pull_request', fake.payloads.pullRequest('closed', world.repo, pr), {
          url: restarted.webhookUrl,
          secret: restarted.secret,
          deliveryId: id,
        });
        byStatus[String(d.status)] = (byStatus[String(d.status)] ?? 0) + 1;
      }),
    );
    // Like a scheduled workflow, reconcile runs again while it reports a gap (at most 3 passes).
    let reconcile = await runCli(['reconcile', '--repo', world.repo], { env: { GITHUB_TOKEN: token, GITHUB_API_URL: fake.url }, timeoutMs: waitMs });
    let passes = 1;
    while (reconcile.code === 1 && passes < 3) {
      log(`reconcile pass ${passes} left a gap; running it again`);
      reconcile = await runCli(['reconcile', '--repo', world.repo], { env: { GITHUB_TOKEN: token, GITHUB_API_URL: fake.url }, timeoutMs: waitMs });
      passes++;
    }
    await redelivering;
    const reconcileMs = Date.now() - reconcileStart;
    log(`reconcile exited ${reconcile.code} after ${passes} pass(es), ${(reconcileMs / 1000).toFixed(1)} s`);
    await waitQuiet(fake, { quietMs: 4000, timeoutMs: waitMs });

    // ---- two replicas sweep at once (still under faults), past the short grants' expiry ----
    const sweepArgs = ['sweep', '--repo', world.repo, '--today', world.day(21)];
    const sweepEnv = { env: { GITHUB_TOKEN: token, GITHUB_API_URL: fake.url }, timeoutMs: waitMs };
    const sweepStart = Date.now();
    const concurrent = await Promise.all([runCli(sweepArgs, sweepEnv), runCli(sweepArgs, sweepEnv)]);
    const settle = await runCli(sweepArgs, sweepEnv);
    const sweepMs = Date.now() - sweepStart;
    const expectedIssues = logins.filter((_, i) => expiresSoon(i)).length;
    const expiredOpen = issues(fake, world.repo, 'open').filter((i) => /kind=expired/.test(i.body ?? '')).length;
    const duplicatesClosed = issues(fake, world.repo, 'closed').filter((c) =>
      issues(fake, world.repo, 'open').some((o) => o.body && markerOf(o.body) === markerOf(c.body)),
    ).length;
    log(
      `two concurrent sweeps exited ${concurrent.map((c) => c.code).join(' and ')}, a third ${settle.code}: ${expiredOpen} expired-grant issues open (expected ${expectedIssues}), ${duplicatesClosed} duplicates closed`,
    );
    await waitQuiet(fake, { quietMs: 2000, timeoutMs: waitMs });

    // ---- the count ----
    fake.faults.clear();
    const ledger = readLedger(fake, world.repo);
    const merged = new Set(prs);
    let recordedOnce = 0;
    let lost = 0;
    for (const pr of merged) {
      const n = recordsOf(ledger, 'grant-change', pr).length;
      if (n === 1) recordedOnce++;
      if (n === 0) lost++;
    }
    const perPrKind = new Map<string, number>();
    for (const r of ledger.records) {
      const pr = recordPr(r);
      if (pr === null) continue;
      const k = `${r.kind}#${pr}`;
      perPrKind.set(k, (perPrKind.get(k) ?? 0) + 1);
    }
    const duplicateRecords = [...perPrKind.values()].reduce((a, n) => a + Math.max(0, n - 1), 0);
    const bot = fake.state.app.bot.login.toLowerCase();
    const duplicateComments = prs.filter((pr) => fake.state.issue(world.repo, pr).comments.filter((c) => c.user.login.toLowerCase() === bot).length > 1).length;
    const cloneDir = join(workDir, 'clone');
    cloneFromFake(fake, world.repo, cloneDir);
    const verify = await runCli(['verify', '--repo', cloneDir]);
    const byKind: Record<string, number> = {};
    let landed = 0;
    for (const { rule } of rules) {
      byKind[rule.kind] = (byKind[rule.kind] ?? 0) + rule.injected;
      if (rule.phase === 'after') landed += rule.injected;
    }
    const report: ReliabilityReport = {
      merges,
      mergedWhileDown: down,
      grantChangeRecords: recordsOf(ledger, 'grant-change').length,
      recordedOnce,
      duplicateRecords,
      lost,
      unapprovedRecords: recordsOf(ledger, 'unapproved-merge').length,
      duplicateIssues: duplicateIssues(fake, world.repo).reduce((a, g) => a + g.length - 1, 0),
      duplicateComments,
      chain: { records: ledger.records.length, ok: ledger.verification.ok, verifyExit: verify.code, verifyOutput: (verify.stdout + verify.stderr).trim() },
      deliveries: {
        sent: deliveredOrder.length,
        redeliveries: schedule.filter((s) => s.redelivery).length,
        outOfOrder,
        refused,
        redeliveredAfterRestart: failed.size,
        byStatus,
      },
      invalidSignature,
      faults: { total: Object.values(byKind).reduce((a, b) => a + b, 0), byKind, writesLandedAnswerLost: landed },
      retries: countRetries(fake),
      casConflicts: fake.requests.filter((r) => r.method === 'PATCH' && r.route.includes('/git/refs/') && r.status === 422).length,
      apiRequests: fake.requests.length,
      reconcile: { exit: reconcile.code, passes, output: (reconcile.stdout + reconcile.stderr).trim(), ms: reconcileMs },
      recordedByApp,
      sweeps: {
        exits: [...concurrent.map((c) => c.code), settle.code],
        expected: expectedIssues,
        open: expiredOpen,
        duplicatesClosed,
        seconds: sweepMs / 1000,
        output: [...concurrent, settle].map((c) => (c.stdout + c.stderr).trim()).join('\n---\n'),
      },
      failedDeliveries: Object.entries(byStatus)
        .filter(([st]) => Number(st) >= 400)
        .reduce((a, [, n]) => a + n, 0),
      seconds: { burst: burstSeconds, reconcile: reconcileMs / 1000, total: (Date.now() - started) / 1000 },
      handlerErrors: fake.errors.length,
      workDir,
    };
    return report;
  } finally {
    await app?.stop().catch(() => undefined);
    await fake.close();
    if (!options.keep) rmSync(workDir, { recursive: true, force: true });
  }
}

/** The report as the table `npm run reliability` prints and docs/reliability.md shows. */
export function reportTable(r: ReliabilityReport, rate: number): string[] {
  const row = (what: string, value: string | number) => `| ${what} | ${value} |`;
  const kinds = Object.entries(r.faults.byKind)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
  return [
    '| measure | value |',
    '|---|---:|',
    row('grant PRs merged', r.merges),
    row('… of which while the App was down', r.mergedWhileDown),
    row('merged PRs with exactly one grant-change record', r.recordedOnce),
    row('**lost** (merged, no record)', `**${r.lost}**`),
    row('**duplicate records** (same PR and kind twice)', `**${r.duplicateRecords}**`),
    row('**duplicate issues** (same marker open twice)', `**${r.duplicateIssues}**`),
    row('expired-grant issues open after two concurrent sweeps and a third (expected)', `${r.sweeps.open} (${r.sweeps.expected})`),
    row('… duplicates a sweep opened and closed again', r.sweeps.duplicatesClosed),
    row('PRs with more than one App comment', r.duplicateComments),
    row('unapproved-merge records (all PRs were approved)', r.unapprovedRecords),
    row('records on the ledger / chain verifies (`access-ledger verify`)', `${r.chain.records} / ${r.chain.ok && r.chain.verifyExit === 0 ? 'yes' : 'NO'}`),
    row(
      "webhook deliveries (redeliveries; after a later PR's; refused while down)",
      `${r.deliveries.sent} (${r.deliveries.redeliveries}; ${r.deliveries.outOfOrder}; ${r.deliveries.refused})`,
    ),
    row('forged signature: HTTP status / GitHub calls after it', `${r.invalidSignature.status} / ${r.invalidSignature.requestsAfter}`),
    row(`faults injected (${Math.round(rate * 100)}% of the App's calls)`, `${r.faults.total} (${kinds})`),
    row('… of which the write landed but the answer was lost', r.faults.writesLandedAnswerLost),
    row('failed calls retried by the client', r.retries),
    row('ledger compare-and-swap conflicts (re-read and retried)', r.casConflicts),
    row('GitHub API requests in all', r.apiRequests),
    row('merges recorded by the App from webhooks before it was killed', r.recordedByApp),
    row('deliveries the App answered with an error (handler failed after retries)', r.failedDeliveries),
    row('failed deliveries redelivered to the restarted App while reconcile ran', r.deliveries.redeliveredAfterRestart),
    row('reconcile after the restart', `exit ${r.reconcile.exit}, ${r.reconcile.passes} pass(es), ${r.seconds.reconcile.toFixed(1)} s`),
    row('wall time (burst / whole run)', `${r.seconds.burst.toFixed(0)} s / ${r.seconds.total.toFixed(0)} s`),
  ];
}
