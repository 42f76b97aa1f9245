/**
 * `access-ledger sweep --repo owner/name [--dry-run] [--today DATE] [--observe-org]`: the App's
 * sweep from the command line, so a scheduled workflow can run it. It evaluates every grant on the
 * default branch against the clock and organization membership, keeps one issue per stale grant
 * and problem and one per system and kind of difference from its latest recorded listing,
 * opens access-review pull requests for systems that are due, and backfills the ledger (reconcile).
 * `--dry-run` prints what it would open, update, reopen, remind and close, and writes nothing.
 * It also runs the doctor's checks on the repository's setup and keeps one issue open while one
 * fails (`--no-doctor` skips them).
 *
 * Exit 0 when the sweep ran (problems become issues, not a failing exit), 2 on a usage or runtime
 * error (a missing token or permission is named in the message).
 */
import type { Command } from 'commander';
import { toTimestamp } from '../../core/ledger/index.ts';
import { leaverRecordDraft } from '../../core/leavers.ts';
import type { IssueAction } from '../../core/stale/index.ts';
import { defaultDeps } from '../../app/deps.ts';
import { appendWithAnomalyIssues, cliAppLogin, trustFor } from '../../app/ledger/trust.ts';
import type { RepoConfig } from '../../core/model/types.ts';
import { sweepLedgerStore } from '../../app/sweep/run.ts';
import { loadBuiltinPacks } from '../../adapters/fs/packs.ts';
import { reconcile } from '../../app/ledger/reconcile.ts';
import { MembershipReader, runSweep, type SweepDoctor, type SweepOctokit, type SweepReport } from '../../adapters/github/sweep.ts';
import type { DoctorIssueAction } from '../../core/doctor/index.ts';
import { UsageError, type Io } from '../io.ts';
import { terminalText } from '../../core/text/escape.ts';
import { parseDay } from '../options.ts';
import { cliOctokit } from './reconcile.ts';
import { gitHubPort } from '../../adapters/github/port.ts';
import { DESCRIPTIONS } from './descriptions.ts';

export interface SweepArgs {
  repo: string;
  token?: string;
  apiUrl?: string;
  today?: string;
  dryRun?: boolean;
  membership?: boolean;
  maxWrites?: number;
  reconcile?: boolean;
  /** Run the doctor's checks and keep their issue (default true). */
  doctor?: boolean;
  /** List and record the GitHub organization (systems whose file says connector github-org), at most once a day. */
  observeOrg?: boolean;
  format?: 'text' | 'json';
  /** The App's bot account (default: ledger.app_login of access-ledger.yaml). */
  appLogin?: string;
  /** For tests and embedding: an Octokit to use instead of one built from the token. */
  octokit?: SweepOctokit;
  /** For tests: write pacing without real waits. */
  pacing?: { now?: () => number; sleep?: (ms: number) => Promise<void> };
}

function describe(a: IssueAction): string {
  switch (a.type) {
    case 'create':
      return `open    ${a.desired.title} [${a.desired.labels.join(', ')}]${a.desired.assignees.length ? ` → @${a.desired.assignees.join(', @')}` : ''}`;
    case 'update':
      return `update  #${a.issue.number} ${a.desired.title}: ${a.desired.summary}`;
    case 'reopen':
      return `reopen  #${a.issue.number} ${a.desired.title}: ${a.desired.summary}`;
    case 'remind':
      return `remind  #${a.issue.number} ${a.desired.title}`;
    case 'close':
      return `close   #${a.issue.number} ${a.issue.title}: ${a.comment}`;
    case 'close-duplicate':
      return `close   #${a.issue.number} as a duplicate of #${a.of}`;
    case 'no-op':
      return `keep    #${a.issue.number} ${a.issue.title}`;
  }
}

function describeDoctorAction(a: DoctorIssueAction, number?: number): string {
  switch (a.type) {
    case 'create':
      return `open    the setup issue${number ? ` #${number}` : ''}`;
    case 'no-op':
      return `keep    #${a.issue.number}`;
    case 'close-duplicate':
      return `close   #${a.issue.number} as a duplicate of #${a.of}`;
    default:
      return `${a.type.padEnd(7)} #${a.issue.number}`;
  }
}

function doctorLines(d: SweepDoctor | null, dryRun: boolean): string[] {
  if (!d) return [];
  if ('error' in d) return [`setup not checked: ${d.error}`];
  const failing = d.report.checks.filter((c) => c.status === 'fail' || c.status === 'unreadable').map((c) => c.id);
  const warning = d.report.checks.filter((c) => c.status === 'warn').map((c) => c.id);
  const warns = warning.length ? `; ${warning.length} warn${warning.length === 1 ? 's' : ''}: ${warning.join(', ')}` : '';
  const lines = [
    failing.length === 0
      ? warning.length === 0
        ? `setup: all ${d.report.checks.length} doctor checks pass`
        : `setup: no doctor check fails${warns} (run \`access-ledger doctor\` for the fixes)`
      : `setup: ${failing.length} doctor check(s) fail: ${failing.join(', ')}${warns} (run \`access-ledger doctor\` for the fixes)`,
  ];
  if (d.issuesDisabled) return lines;
  if (dryRun) for (const a of d.plan.filter((x) => x.type !== 'no-op')) lines.push(`  ${describeDoctorAction(a)}`);
  else for (const x of d.done.filter((y) => y.outcome === 'done')) lines.push(`  ${describeDoctorAction(x.action, x.number).replace(/^open {4}/, 'opened  ')}`);
  return lines;
}

function driftJson(d: SweepReport['drift']): unknown {
  if (!d) return null;
  if ('error' in d) return { error: d.error };
  return {
    listings: [...d.listings.entries()].map(([system, l]) => ({
      system,
      key: l.record.key,
      seq: l.record.seq,
      taken_at: l.subject.taken_at,
      raw_sha256: l.subject.raw_sha256,
      compared: d.observed.has(system),
    })),
    problems: [...d.problems.entries()].map(([system, problem]) => ({ system, problem })),
    ignored: d.ignored,
    organization: d.organization,
  };
}

function doctorJson(d: SweepDoctor | null): unknown {
  if (!d) return null;
  if ('error' in d) return { error: d.error };
  return {
    ok: d.report.ok,
    failing: d.report.checks.filter((c) => c.status === 'fail' || c.status === 'unreadable').map((c) => ({ id: c.id, status: c.status })),
    warning: d.report.checks.filter((c) => c.status === 'warn').map((c) => c.id),
    actions: d.done.length
      ? d.done.map((x) => ({ type: x.action.type, issue: x.number || null, outcome: x.outcome }))
      : d.plan.filter((a) => a.type !== 'no-op').map((a) => ({ type: a.type, issue: 'issue' in a ? a.issue.number : null, outcome: 'planned' })),
  };
}

function driftLines(d: SweepReport['drift']): string[] {
  if (!d) return [];
  if ('error' in d) return [`listings not compared: ${d.error}`];
  const lines: string[] = [];
  for (const o of d.organization) {
    if (o.status === 'recorded') lines.push(`organization listed as ${o.system}: recorded seq ${o.seq} ${o.key}`);
    else if (o.status === 'listed-today') lines.push(`organization already listed today as ${o.system} (${o.key})`);
    else lines.push(`organization not listed for ${o.system}: ${o.error}`);
  }
  const compared = [...d.listings.entries()].filter(([system]) => d.observed.has(system));
  if (compared.length) lines.push(`compared with their latest listings: ${compared.map(([system, l]) => `${system} (${l.subject.taken_at})`).join(', ')}`);
  for (const [system, problem] of d.problems) lines.push(`listing of ${system} not used: ${problem}`);
  for (const why of d.ignored) if (![...d.problems.values()].includes(why)) lines.push(`passed over: ${why}`);
  return lines;
}

function textReport(r: SweepReport, dryRun: boolean): string {
  const lines: string[] = [];
  const verb = dryRun ? 'would' : 'will';
  lines.push(`${r.repository}@${r.branch} (${r.sha.slice(0, 12)}) as of ${r.today}: ${r.grants} grant file(s), ${r.problems.length} problem(s)`);
  if (r.membership === 'skipped') lines.push('leavers not checked (--no-membership): open leaver issues are left as they are');
  if (r.membership === 'no-organization') lines.push('leavers not checked: access-ledger.yaml names no organization');
  if (r.issuesDisabled) lines.push('Issues are disabled in the repository: no issues can be opened (turn Issues on in its settings)');
  const changes = r.plan.filter((a) => a.type !== 'no-op');
  const deferred = new Set(r.deferred);
  if (dryRun) {
    lines.push(changes.length ? `issues it ${verb} change (${changes.length}):` : 'no issue to open, update or close');
    for (const a of changes) lines.push(`  ${describe(a)}${deferred.has(a) ? '   (next run: write budget)' : ''}`);
    for (const d of r.dueSystems)
      lines.push(`  review  ${d.system}: open an access review pull request (${d.grants.length} grant file(s), due ${d.due ?? 'now: never reviewed'})`);
  } else {
    const done = r.executed?.results.filter((x) => x.outcome === 'done') ?? [];
    lines.push(done.length ? `issues changed (${done.length}):` : 'no issue needed a change');
    for (const x of done) lines.push(`  ${describe(x.action).replace(/^open {3}/, `opened #${x.number ?? '?'}`)}`);
    for (const c of r.campaigns) lines.push(`  review  ${c.system}: ${c.status}${c.number ? ` #${c.number}` : ''}`);
    if (r.executed?.duplicatesClosed.length)
      lines.push(`  closed duplicate(s) opened by a concurrent sweep: ${r.executed.duplicatesClosed.map((n) => `#${n}`).join(', ')}`);
  }
  lines.push(...driftLines(r.drift));
  lines.push(...doctorLines(r.doctor, dryRun));
  if (r.deferred.length) lines.push(`${r.deferred.length} change(s) left for the next run (stale.max_writes_per_run)`);
  lines.push(`GitHub requests: ${r.requests.reads} reads, ${r.requests.writes} writes`);
  // Issue titles and summaries quote grant files and whatever people retitled an issue to.
  return lines.map((l) => terminalText(l)).join('\n') + '\n';
}

export async function runSweepCommand(args: SweepArgs, io: Io): Promise<number> {
  const m = /^([A-Za-z0-9][A-Za-z0-9-]*)\/([A-Za-z0-9._-]+)$/.exec(args.repo);
  if (!m) throw new UsageError(`--repo must be owner/name, not ${JSON.stringify(args.repo)}`);
  if (args.today !== undefined) parseDay('--today', args.today);
  const token = args.token ?? io.env.GITHUB_TOKEN ?? io.env.GH_TOKEN;
  if (!args.octokit && !token) {
    throw new UsageError(
      'sweep needs a GitHub token: pass --token or set GITHUB_TOKEN. It reads the repository (contents: read), writes issues (issues: write) and review pull requests (contents, pull_requests: write), and checks organization membership (members: read, e.g. an App installation token)',
    );
  }
  const warn = (msg: string) => io.stderr(`access-ledger: ${terminalText(msg)}\n`);
  const apiUrl = args.apiUrl ?? io.env.GITHUB_API_URL ?? 'https://api.github.com';
  // The command's own dependencies: its queues, and one pacer for every write it sends.
  const base = defaultDeps(io.env);
  const octokit = args.octokit ?? cliOctokit(token!, apiUrl, warn, {}, base.writePacer);
  const repo = { owner: m[1]!, repo: m[2]! };
  const deps = { ...base, clock: () => io.now(), appLogin: cliAppLogin(octokit, repo, args.appLogin) };
  if (!args.dryRun && !deps.signer) {
    throw new UsageError(
      `sweep records leavers and backfills merges on the ledger, and ${deps.signingKeyProblem ?? 'the ledger signing key cannot be used'}. (--dry-run writes nothing and needs no key.)`,
    );
  }
  const report = await runSweep({
    octokit,
    repo,
    pacer: deps.writePacer,
    packs: loadBuiltinPacks(),
    now: () => io.now(),
    ...(args.today ? { today: args.today } : {}),
    ...(args.dryRun ? { dryRun: true } : {}),
    membership: args.membership === false ? false : new MembershipReader(),
    ...(args.maxWrites !== undefined ? { maxWrites: args.maxWrites } : {}),
    ...(args.pacing ? { pacing: args.pacing } : {}),
    log: { info: () => undefined, warn },
    ...(args.doctor === false ? {} : { doctor: {} }),
    observed: {
      trust: (config) => trustFor(octokit, repo, deps, config),
      ...(args.observeOrg
        ? { organization: { store: (config: RepoConfig) => sweepLedgerStore(octokit, repo, config.ledger?.branch, deps, config), api: apiUrl } }
        : {}),
    },
    onNewLeaver: async ({ login, organization, affected, ledgerBranch, octokit: swept }) => {
      const leftAt = `${toTimestamp(io.now()).slice(0, 10)}T00:00:00Z`;
      const store = await sweepLedgerStore(swept, repo, ledgerBranch, deps);
      await appendWithAnomalyIssues(
        store,
        [leaverRecordDraft({ repository: `${repo.owner}/${repo.repo}`, organization, login, leftAt, source: 'sweep', affected })],
        { octokit: swept, repo, deps },
      );
    },
    ...(args.reconcile === false || args.dryRun
      ? {}
      : {
          afterSweep: async (swept: SweepOctokit) => {
            const r = await reconcile({ octokit: gitHubPort(swept), repo, deps, log: { info: () => undefined, warn } });
            if (r.failures.length)
              warn(
                `reconcile could not record ${r.failures.map((f) => `#${f.pr} (${f.error})`).join(', ')}: run \`access-ledger reconcile --repo ${args.repo}\``,
              );
          },
        }),
  });
  if (args.format === 'json') {
    io.stdout(
      JSON.stringify(
        {
          repository: report.repository,
          branch: report.branch,
          sha: report.sha,
          today: report.today,
          dryRun: Boolean(args.dryRun),
          problems: report.problems.map((p) => ({ kind: p.kind, id: p.id, severity: p.severity })),
          actions: report.plan
            .filter((a) => a.type !== 'no-op')
            .map((a) => ({
              type: a.type,
              key: 'desired' in a ? a.desired.key : `${a.issue.kind}:${a.issue.id}`,
              issue: 'issue' in a ? a.issue.number : null,
              deferred: report.deferred.includes(a),
            })),
          reviews: args.dryRun ? report.dueSystems.map((d) => ({ system: d.system, due: d.due, grants: d.grants.length })) : report.campaigns,
          membership: report.membership,
          issuesDisabled: report.issuesDisabled,
          doctor: doctorJson(report.doctor),
          drift: driftJson(report.drift),
          requests: { reads: report.requests.reads, writes: report.requests.writes },
        },
        null,
        2,
      ) + '\n',
    );
  } else {
    io.stdout(textReport(report, Boolean(args.dryRun)));
  }
  return 0;
}

export function registerSweep(program: Command, io: Io, setExit: (code: number) => void): void {
  program
    .command('sweep')
    .description(DESCRIPTIONS.sweep)
    .requiredOption('--repo <owner/name>', 'the access repository on GitHub')
    .option('--dry-run', 'print what it would open, update and close; write nothing')
    .option('--today <date>', 'evaluate as of this UTC day (YYYY-MM-DD) instead of today')
    .option('--token <token>', 'GitHub token (default: GITHUB_TOKEN or GH_TOKEN)')
    .option('--api-url <url>', 'GitHub API URL (default: GITHUB_API_URL or https://api.github.com)')
    .option('--no-membership', 'skip the leaver check (for a token that cannot read organization membership)')
    .option('--max-writes <n>', 'override stale.max_writes_per_run for this run')
    .option('--no-reconcile', 'do not backfill missing ledger records after the sweep')
    .option('--no-doctor', "do not check the repository's setup (the doctor's checks and their issue)")
    .option('--observe-org', 'list and record the GitHub organization first (systems whose file says observe: { connector: github-org }), at most once a day')
    .option('--app-login <login>', "the App's bot account, e.g. access-ledger[bot] (default: ledger.app_login of access-ledger.yaml)")
    .option('-f, --format <format>', 'text or json', 'text')
    .action(
      async (opts: {
        repo: string;
        dryRun?: boolean;
        today?: string;
        token?: string;
        apiUrl?: string;
        membership: boolean;
        maxWrites?: string;
        reconcile: boolean;
        doctor: boolean;
        observeOrg?: boolean;
        format: string;
        appLogin?: string;
      }) => {
        if (opts.format !== 'text' && opts.format !== 'json') throw new UsageError(`--format must be text or json, not ${opts.format}`);
        const args: SweepArgs = { repo: opts.repo, format: opts.format, membership: opts.membership, reconcile: opts.reconcile, doctor: opts.doctor };
        if (opts.appLogin) args.appLogin = opts.appLogin;
        if (opts.observeOrg) args.observeOrg = true;
        if (opts.dryRun) args.dryRun = true;
        if (opts.today) args.today = opts.today;
        if (opts.token) args.token = opts.token;
        if (opts.apiUrl) args.apiUrl = opts.apiUrl;
        if (opts.maxWrites !== undefined) {
          const n = Number(opts.maxWrites);
          if (!Number.isInteger(n) || n < 0) throw new UsageError(`--max-writes must be a whole number, not ${opts.maxWrites}`);
          args.maxWrites = n;
        }
        setExit(await runSweepCommand(args, io));
      },
    );
}
