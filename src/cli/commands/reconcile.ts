/**
 * `access-ledger reconcile --repo owner/name [--token T]`: records every merged access change the
 * ledger is missing (the App was down, a webhook delivery was lost), exactly as the App would have.
 * Exit 0 when the ledger is complete for the window, 1 when a PR could not be recorded or the
 * window could not be covered (the evidence still has a gap), 2 on a usage or runtime error.
 */
import { Octokit } from '@octokit/core';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import type { Command } from 'commander';
import { defaultDeps, type AppDeps } from '../../app/deps.ts';
import { cliAppLogin } from '../../app/ledger/trust.ts';
import { rateLimitHandlers } from '../../app/rate-limits.ts';
import { entryWritePacer, writePacing, type WritePacer } from '../../adapters/github/pacing.ts';
import { gitHubPort, type GitHubPort } from '../../adapters/github/port.ts';
import type { RecordMergeOutcome } from '../../app/ledger/record-merge.ts';
import type { OctokitLike } from '../../adapters/github/pull-facts.ts';
import { reconcile, type ReconcileReport } from '../../app/ledger/reconcile.ts';
import { UsageError, type Io } from '../io.ts';
import { terminalText } from '../../core/text/escape.ts';
import { parseDay } from '../options.ts';
import { DESCRIPTIONS } from './descriptions.ts';

export interface ReconcileArgs {
  repo: string;
  token?: string;
  apiUrl?: string;
  since?: string;
  maxDays?: number;
  maxPulls?: number;
  dryRun?: boolean;
  format?: 'text' | 'json';
  /** The App's bot account (default: ledger.app_login of access-ledger.yaml). */
  appLogin?: string;
  /** For tests and embedding: an Octokit to use instead of one built from the token. */
  octokit?: OctokitLike;
  deps?: Partial<AppDeps>;
}

/**
 * An Octokit with retries and GitHub's rate-limit pacing, as the App has: 5xx answers and network
 * errors retried by the retry plugin, and primary and secondary rate limits retried (honouring
 * retry-after) up to RATE_LIMIT_RETRIES times per request by the same handlers as the App's
 * (src/app/rate-limits.ts), and every write spaced at least a second from the command's others by
 * when it is sent, with `pacer`, the command's (src/adapters/github/pacing.ts). `sweep` uses it
 * too. `throttle` adds options of the throttling plugin (tests shorten the waits with
 * `retryAfterBaseValue`).
 */
export function cliOctokit(
  token: string,
  baseUrl: string,
  warn: (msg: string) => void,
  throttle: Record<string, unknown> = {},
  pacer: WritePacer = entryWritePacer(),
): GitHubPort {
  // Probot's order: the throttling plugin sits next to the request, so a rate limit (403 or 429)
  // is waited out as GitHub asks (retry-after) before the retry plugin's own backoff sees it.
  const CliOctokit = Octokit.plugin(throttling, retry, writePacing(pacer));
  return gitHubPort(
    new CliOctokit({
      auth: token,
      baseUrl,
      userAgent: 'access-ledger-cli',
      throttle: { ...throttle, ...rateLimitHandlers({ warn }) },
    }),
  );
}

function describe(outcome: RecordMergeOutcome): string {
  switch (outcome.status) {
    case 'recorded':
      return `#${outcome.pr} recorded: ${outcome.records.map((r) => `seq ${r.seq} ${r.key}`).join(', ')}${outcome.verdict === 'fail' ? ` (policy refused it; issue #${outcome.issue?.number})` : ''}`;
    case 'already-recorded':
      return `#${outcome.pr} already recorded (seq ${outcome.records[0]!.seq})`;
    case 'not-access':
      return `#${outcome.pr} changed nothing under grants/, systems/ or the config: nothing to record`;
    default:
      return `#${outcome.pr}: ${outcome.status}`;
  }
}

function textReport(report: ReconcileReport, dryRun: boolean): string {
  const lines = [
    `${report.repository}: ${report.merged} merged pull request(s) since ${report.window.since} (${report.listed} closed listed); ledger branch ${report.branch}`,
  ];
  if (report.missing.length === 0) lines.push('every merge in the window is recorded');
  else if (dryRun) lines.push(`missing a record: ${report.missing.map((n) => `#${n}`).join(', ')} (dry run: nothing recorded)`);
  for (const f of report.failures) lines.push(`#${f.pr} NOT recorded: ${f.error}`);
  if (report.truncated) lines.push(`the listing stopped before ${report.window.since}: run again with --since or a higher --max-pulls`);
  if (report.window.capped) lines.push(`merges before ${report.window.since} were not looked at (pass --since to go further back)`);
  return lines.map((l) => terminalText(l)).join('\n') + '\n';
}

export async function runReconcile(args: ReconcileArgs, io: Io): Promise<number> {
  const m = /^([A-Za-z0-9][A-Za-z0-9-]*)\/([A-Za-z0-9._-]+)$/.exec(args.repo);
  if (!m) throw new UsageError(`--repo must be owner/name, not ${JSON.stringify(args.repo)}`);
  let since: Date | undefined;
  if (args.since !== undefined) {
    // A day or a time, never rolled over: 2026-02-30 is refused, not read as 2 March.
    const day = /^(\d{4}-\d{2}-\d{2})(?:$|T)/.exec(args.since)?.[1];
    if (day) parseDay('--since', day);
    since = new Date(day === args.since ? `${args.since}T00:00:00Z` : args.since);
    if (Number.isNaN(since.getTime())) throw new UsageError(`--since must be a date (YYYY-MM-DD) or an ISO time, not ${args.since}`);
  }
  const token = args.token ?? io.env.GITHUB_TOKEN ?? io.env.GH_TOKEN;
  if (!args.octokit && !token) {
    throw new UsageError(
      'reconcile needs a GitHub token that can read pull requests and write the ledger branch (contents: write, pull_requests: write, issues: write): pass --token or set GITHUB_TOKEN',
    );
  }
  const warn = (msg: string) => io.stderr(`access-ledger: ${terminalText(msg)}\n`);
  // The command's own dependencies: its queues, and one pacer for every write it sends.
  const base = defaultDeps(io.env);
  const octokit = args.octokit ?? cliOctokit(token!, args.apiUrl ?? io.env.GITHUB_API_URL ?? 'https://api.github.com', warn, {}, base.writePacer);
  const repo = { owner: m[1]!, repo: m[2]! };
  const deps: AppDeps = { ...base, clock: () => io.now(), appLogin: cliAppLogin(octokit, repo, args.appLogin), ...args.deps };
  if (!args.dryRun && !deps.signer) {
    throw new UsageError(
      `reconcile writes ledger records, and ${deps.signingKeyProblem ?? 'the ledger signing key cannot be used'}. (--dry-run writes nothing and needs no key.)`,
    );
  }
  const report = await reconcile({
    octokit,
    repo,
    deps,
    ...(since ? { since } : {}),
    ...(args.maxDays !== undefined ? { maxDays: args.maxDays } : {}),
    ...(args.maxPulls !== undefined ? { maxPulls: args.maxPulls } : {}),
    ...(args.dryRun ? { dryRun: true } : {}),
    log: { info: () => undefined, warn },
    onRecorded: args.format === 'json' ? undefined : (o) => io.stdout(`${terminalText(describe(o))}\n`),
  });
  if (args.format === 'json') {
    const json = {
      ...report,
      outcomes: report.outcomes.map((o) =>
        'records' in o
          ? { status: o.status, pr: o.pr, verdict: o.verdict, records: o.records.map((r) => ({ seq: r.seq, key: r.key, hash: r.hash })), issue: o.issue }
          : o,
      ),
    };
    io.stdout(JSON.stringify(json, null, 2) + '\n');
  } else {
    io.stdout(textReport(report, Boolean(args.dryRun)));
  }
  const gap = report.failures.length > 0 || report.truncated || (args.dryRun === true && report.missing.length > 0);
  return gap ? 1 : 0;
}

export function registerReconcile(program: Command, io: Io, setExit: (code: number) => void): void {
  program
    .command('reconcile')
    .description(DESCRIPTIONS.reconcile)
    .requiredOption('--repo <owner/name>', 'the access repository on GitHub')
    .option('--token <token>', 'GitHub token (default: GITHUB_TOKEN or GH_TOKEN)')
    .option('--api-url <url>', 'GitHub API URL (default: GITHUB_API_URL or https://api.github.com)')
    .option('--since <date>', 'look for merges from this date or time (default: shortly before the newest record)')
    .option('--max-days <n>', 'never look further back than this many days (default 90)')
    .option('--max-pulls <n>', 'list at most this many closed pull requests (default 1000)')
    .option('--dry-run', 'report what is missing without recording it')
    .option('--app-login <login>', "the App's bot account, e.g. access-ledger[bot] (default: ledger.app_login of access-ledger.yaml)")
    .option('-f, --format <format>', 'text or json', 'text')
    .action(
      async (opts: {
        repo: string;
        token?: string;
        apiUrl?: string;
        since?: string;
        maxDays?: string;
        maxPulls?: string;
        dryRun?: boolean;
        format: string;
        appLogin?: string;
      }) => {
        if (opts.format !== 'text' && opts.format !== 'json') throw new UsageError(`--format must be text or json, not ${opts.format}`);
        const int = (name: string, v: string | undefined) => {
          if (v === undefined) return undefined;
          const n = Number(v);
          if (!Number.isInteger(n) || n < 1) throw new UsageError(`${name} must be a positive whole number, not ${v}`);
          return n;
        };
        const args: ReconcileArgs = { repo: opts.repo, format: opts.format };
        if (opts.token) args.token = opts.token;
        if (opts.apiUrl) args.apiUrl = opts.apiUrl;
        if (opts.since) args.since = opts.since;
        const maxDays = int('--max-days', opts.maxDays);
        if (maxDays !== undefined) args.maxDays = maxDays;
        const maxPulls = int('--max-pulls', opts.maxPulls);
        if (maxPulls !== undefined) args.maxPulls = maxPulls;
        if (opts.dryRun) args.dryRun = true;
        if (opts.appLogin) args.appLogin = opts.appLogin;
        setExit(await runReconcile(args, io));
      },
    );
}
