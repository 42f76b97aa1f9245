/**
 * `access-ledger verify --repo DIR [--branch NAME] [--online]`: checks the evidence ledger of a
 * local clone. Exit 0 when intact, 1 when broken (naming the first bad seq and what is wrong),
 * 2 when it cannot be read or the command is misused (docs/ledger.md, "Verifying the ledger"; exit codes as every command: README.md).
 */
import { resolve } from 'node:path';
import { Octokit } from '@octokit/core';
import { Option, type Command } from 'commander';
import { DEFAULT_LEDGER_BRANCH, parseLedgerPublicKeys, rankProblems, type LedgerProblem, type RecordSummary } from '../../core/ledger/index.ts';
import { LedgerReadError, verifyLedger, type LedgerTrust, type LedgerVerification } from '../../adapters/git/ledger-reader.ts';
import { crossCheckPrComments, type AnchorCheckResult } from '../../adapters/github/ledger-anchors.ts';
import type { LedgerOctokit } from '../../adapters/github/ledger-store.ts';
import { git } from '../../adapters/git/git.ts';
import { loadFile } from '../../core/model/snapshot.ts';
import type { RepoConfig } from '../../core/model/types.ts';
import { processIo, type Io } from '../io.ts';
import { terminalText } from '../../core/text/escape.ts';
import { maskSecretsDeep } from '../../core/text/mask.ts';
import { CI_PROGRESS_EVERY_MS } from '../progress.ts';
import { DESCRIPTIONS } from './descriptions.ts';

export interface VerifyArgs {
  repo: string;
  branch?: string;
  format?: 'text' | 'json';
  /** Cross-check record hashes against the markers in the App's PR comments. */
  online?: boolean;
  /** Token for --online; else GITHUB_TOKEN or GH_TOKEN from the environment. */
  token?: string;
  apiUrl?: string;
  /**
   * The App's bot account (e.g. access-ledger[bot]): the only author of ledger commits and of the
   * PR comments that anchor them. Default: `ledger.app_login` of access-ledger.yaml.
   */
  appLogin?: string;
  /** For tests and embedding: an Octokit to use instead of one built from the token. */
  octokit?: LedgerOctokit;
}

export type OnlineSummary = Omit<AnchorCheckResult, 'problems'>;

export interface VerifyResult extends LedgerVerification {
  online: OnlineSummary | null;
}

/**
 * The offline verification plus, when an Octokit is given, the cross-check against PR comments;
 * problems of both are merged so `first_problem` is still the lowest seq.
 */
export async function verifyWithAnchors(
  repoDir: string,
  branch: string,
  online: { octokit: LedgerOctokit } | null,
  onProgress?: (text: string) => void,
  trust?: LedgerTrust,
): Promise<VerifyResult> {
  const withPr: RecordSummary[] = [];
  const offline = await verifyLedger(repoDir, branch, {
    onProgress: onProgress ? (done, total) => onProgress(`replaying commit ${done}/${total}`) : undefined,
    onRecord: online ? (s) => void (s.pr !== null && withPr.push(s)) : undefined,
    ...(trust ? { trust } : {}),
  });
  if (!online) return { ...offline, online: null };
  const anchors = await crossCheckPrComments({
    octokit: online.octokit,
    records: withPr,
    appLogin: trust?.appLogin ?? null,
    onProgress: onProgress ? (done, total) => onProgress(`reading PR comments ${done}/${total}`) : undefined,
  });
  const { problems: anchorProblems, ...summary } = anchors;
  const all = rankProblems([...offline.problems, ...anchorProblems]);
  const count = offline.problem_count + anchorProblems.length;
  return {
    ...offline,
    ok: count === 0,
    first_problem: all[0] ?? null,
    problems: all.slice(0, Math.max(offline.problems.length, 100)),
    problem_count: count,
    checks: [...offline.checks, 'PR comment anchors'],
    online: summary,
  };
}

/** The `ledger` settings of the repo's own config (access-ledger.yaml at HEAD), when it has one. */
async function configuredLedger(repoDir: string): Promise<NonNullable<RepoConfig['ledger']> | undefined> {
  for (const path of ['access-ledger.yaml', 'access-ledger.yml']) {
    const text = await git(repoDir, ['show', `HEAD:${path}`]).catch(() => undefined);
    if (text) return loadFile<RepoConfig>({ path, content: text }, 'config').data?.ledger;
  }
  return undefined;
}

/**
 * Where verify reads who may write the ledger: `ledger.app_login` and `ledger.public_keys` of
 * access-ledger.yaml at the clone's HEAD (the default branch, whose changes the gate makes admins
 * approve), with `--app-login` taking precedence. Also the ledger branch the config names.
 */
export async function ledgerTrustOf(repoDir: string, appLogin?: string): Promise<{ branch: string | undefined; trust: LedgerTrust }> {
  const ledger = await configuredLedger(repoDir).catch(() => undefined);
  const { keys, problems } = parseLedgerPublicKeys(ledger?.public_keys);
  return { branch: ledger?.branch, trust: { appLogin: appLogin ?? ledger?.app_login ?? null, signatures: { keys, keyProblems: problems } } };
}

export async function runVerify(args: VerifyArgs, io: Io = processIo()): Promise<number> {
  const repoDir = resolve(args.repo);
  const configured = await ledgerTrustOf(repoDir, args.appLogin);
  const branch = args.branch ?? configured.branch ?? DEFAULT_LEDGER_BRANCH;
  const format = args.format ?? 'text';
  let online: { octokit: LedgerOctokit } | null = null;
  if (args.online) {
    const token = args.token ?? io.env.GITHUB_TOKEN ?? io.env.GH_TOKEN;
    if (!args.octokit && !token) {
      io.stderr(
        "access-ledger verify: --online needs a GitHub token to read the App's pull request comments: pass --token or set GITHUB_TOKEN " +
          "(read access to the access repo's pull requests is enough).\n",
      );
      return 2;
    }
    const octokit = args.octokit ?? (new Octokit({ auth: token, baseUrl: args.apiUrl ?? io.env.GITHUB_API_URL ?? 'https://api.github.com' }) as LedgerOctokit);
    online = { octokit };
  }

  const progress = io.interactive ? progressLine(io) : periodicLine(io);
  let result: VerifyResult;
  try {
    result = await verifyWithAnchors(repoDir, branch, online, progress?.update, configured.trust);
  } catch (err) {
    progress?.clear();
    const e = err as Error & { hint?: string | null };
    io.stderr(`access-ledger verify: ${terminalText(e.message)}\n`);
    if (err instanceof LedgerReadError && e.hint) io.stderr(`  ${terminalText(e.hint)}\n`);
    return 2;
  }
  progress?.clear();

  if (format === 'json') io.stdout(JSON.stringify(maskSecretsDeep(result), null, 2) + '\n');
  else io.stdout(formatReport(result));
  return result.ok ? 0 : 1;
}

/** Not on a terminal (CI): one line every 10 seconds while verification lasts, nothing for a short run. */
function periodicLine(io: Io): { update: (text: string) => void; clear: () => void } {
  const started = io.now().getTime();
  let last = started;
  let latest = 'reading the ledger';
  const check = (): void => {
    const now = io.now().getTime();
    if (now - last < CI_PROGRESS_EVERY_MS) return;
    last = now;
    io.stderr(`access-ledger verify: ${latest} (${Math.round((now - started) / 1000)} s elapsed)\n`);
  };
  const timer = setInterval(check, CI_PROGRESS_EVERY_MS);
  timer.unref();
  return {
    update(text) {
      latest = text;
      check();
    },
    clear() {
      clearInterval(timer);
    },
  };
}

function progressLine(io: Io): { update: (text: string) => void; clear: () => void } {
  let last = 0;
  let shown = false;
  return {
    update(text) {
      const now = Date.now();
      if (now - last < 100) return;
      last = now;
      shown = true;
      io.stderr(`\r\x1b[2Kverifying: ${terminalText(text)}`);
    },
    clear() {
      if (shown) io.stderr('\r\x1b[2K');
    },
  };
}

function describe(p: LedgerProblem): string {
  const where = p.seq !== null ? `seq ${p.seq}` : 'no seq';
  return `${where} [${p.check}]${p.path ? ` ${p.path}` : ''}: ${p.problem}`;
}

/** The short human report. */
export function formatReport(r: VerifyResult): string {
  const lines: string[] = [];
  lines.push(`Ledger ${r.branch} of ${r.repo}`);
  lines.push(
    `  read from ${r.ref} at ${r.tip.slice(0, 12)}: ${r.records} record${r.records === 1 ? '' : 's'} in ${r.commits} commit${r.commits === 1 ? '' : 's'}`,
  );
  if (r.last) lines.push(`  last record seq ${r.last.seq}: ${r.last.path} ${r.last.hash}`);
  if (r.app_login) lines.push(`  commits checked against the App ${r.app_login}`);
  if (r.signatures) {
    const byKey = Object.entries(r.signatures.by_key).map(([id, n]) => `${n} by key ${id}`);
    lines.push(
      `  signatures: ${r.signatures.signed} record${r.signatures.signed === 1 ? '' : 's'} signed${byKey.length ? ` (${byKey.join(', ')})` : ''}` +
        (r.signatures.unsigned_legacy > 0 ? `, ${r.signatures.unsigned_legacy} sealed before signing` : '') +
        `; keys listed: ${r.keys.map((k) => `${k.id} from ${k.from}${k.until ? ` until ${k.until}` : ''}`).join(', ') || 'none'}`,
    );
  }
  for (const w of r.warnings.slice(0, 10)) lines.push(`  warning: ${w}`);
  if (r.online) {
    lines.push(
      `  PR comments: ${r.online.prs} pull request${r.online.prs === 1 ? '' : 's'} read, ${r.online.matched}/${r.online.anchors} anchors match` +
        (r.online.unanchored > 0 ? `, ${r.online.unanchored} record${r.online.unanchored === 1 ? '' : 's'} without an anchor` : '') +
        (r.online.ignored > 0 ? `; ${r.online.ignored} comment${r.online.ignored === 1 ? '' : 's'} with markers by other accounts ignored` : ''),
    );
    for (const w of r.online.warnings.slice(0, 10)) lines.push(`  warning: ${w}`);
  }
  if (r.ok) {
    lines.push(`OK: ${r.checks.join(', ')} all check out.`);
    return lines.map((l) => terminalText(l)).join('\n') + '\n';
  }
  const first = r.first_problem!;
  lines.push(`BROKEN at ${first.seq !== null ? `seq ${first.seq}` : 'a change no seq can be given to'}: ${first.problem}`);
  lines.push(
    `${r.problem_count} problem${r.problem_count === 1 ? '' : 's'} found${r.problem_count > r.problems.length ? ` (first ${r.problems.length} shown)` : ''}:`,
  );
  for (const p of r.problems.slice(0, 20)) lines.push(`  ${describe(p)}`);
  if (r.problems.length > 20) lines.push(`  … ${r.problem_count - 20} more (use --format json for all)`);
  return lines.map((l) => terminalText(l)).join('\n') + '\n';
}

/**
 * Adds `verify` to the CLI. `io` and `setExit` follow the other commands; without them the
 * process's terminal and process.exitCode are used.
 */
export function registerVerify(program: Command, io: Io = processIo(), setExit: (code: number) => void = (code) => void (process.exitCode = code)): Command {
  return program
    .command('verify')
    .description(DESCRIPTIONS.verify)
    .option('--repo <dir>', 'a local clone of the access repo', '.')
    .option(
      '--branch <name>',
      'the ledger branch, a local branch or origin/<name> as a fresh clone has it (default: ledger.branch of access-ledger.yaml, else access-ledger)',
    )
    .addOption(new Option('-f, --format <format>', 'report format').choices(['text', 'json']).default('text'))
    .option('--online', "also cross-check hashes against the App's pull request comments (needs a token)")
    .option('--token <token>', 'GitHub token for --online (default: GITHUB_TOKEN or GH_TOKEN)')
    .option('--api-url <url>', 'GitHub API URL for --online (default: GITHUB_API_URL or https://api.github.com)')
    .option(
      '--app-login <login>',
      "the App's bot account, e.g. access-ledger[bot]: the only author of ledger commits and anchoring comments (default: ledger.app_login of access-ledger.yaml)",
    )
    .action(async (opts: { repo: string; branch?: string; format: 'text' | 'json'; online?: boolean; token?: string; apiUrl?: string; appLogin?: string }) => {
      const args: VerifyArgs = { repo: opts.repo, format: opts.format };
      if (opts.branch !== undefined) args.branch = opts.branch;
      if (opts.online) args.online = true;
      if (opts.token) args.token = opts.token;
      if (opts.apiUrl) args.apiUrl = opts.apiUrl;
      if (opts.appLogin) args.appLogin = opts.appLogin;
      setExit(await runVerify(args, io));
    });
}
