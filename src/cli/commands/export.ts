/**
 * `access-ledger export --repo DIR --from DATE --to DATE --out DIR [--sample N --seed S]
 * [--as-of DATE] [--branch NAME] [--ref REF]`: the auditor's binder from a local clone
 * (docs/binder.md). Exit 0 when written with an intact ledger, 1 when written but
 * the ledger verification failed, 2 on a usage or runtime error (nothing is left half-written).
 *
 * The adapter of the export use case (src/core/binder/export.ts): the options, git as the
 * sources, the staging directory as the writer, and the progress on the terminal.
 */
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import type { BinderVerification } from '../../core/binder/binder.ts';
import { exportBinder, type ExportSources } from '../../core/binder/export.ts';
import { parseAccessFile } from '../../core/binder/parse.ts';
import { fnv1a32 } from '../../core/binder/prng.ts';
import type { ExportParams } from '../../core/binder/types.ts';
import { DEFAULT_LEDGER_BRANCH, parseLedgerPublicKeys, toTimestamp } from '../../core/ledger/index.ts';
import type { RepoConfig } from '../../core/model/types.ts';
import { builtinRegistry } from '../../core/validate.ts';
import { BinderDir, SCRATCH } from '../../adapters/fs/binder-writer.ts';
import { loadBuiltinPacks } from '../../adapters/fs/packs.ts';
import { LedgerReadError, resolveLedgerRef, verifyLedger, type LedgerTrust, type LedgerVerification } from '../../adapters/git/ledger-reader.ts';
import { GitError } from '../../adapters/git/git.ts';
import { completenessFromClone } from '../../adapters/git/completeness.ts';
import {
  CatFile,
  commitsWithContent,
  lastCommitOnOrBefore,
  originRepository,
  ledgerRecords,
  periodCommits,
  readTreeFiles,
  treeFiles,
  revParse,
} from '../../adapters/git/history.ts';
import { UsageError, type Io } from '../io.ts';
import { parseDay } from '../options.ts';
import { progressFor } from '../progress.ts';
import { VERSION } from '../../core/version.ts';
import { terminalText } from '../../core/text/escape.ts';
import { DESCRIPTIONS } from './descriptions.ts';

export interface ExportArgs {
  repo: string;
  from: string;
  to: string;
  out: string;
  asOf?: string;
  sample?: number;
  seed?: number;
  branch?: string;
  ref?: string;
  /** Web root of the GitHub server for the binder's links (default: GITHUB_SERVER_URL, else the origin remote's host). */
  serverUrl?: string;
  /** The App's bot account the ledger commits are checked against (default: ledger.app_login). */
  appLogin?: string;
}

export interface ExportOutcome {
  out: string;
  files: number;
  params: ExportParams;
  verification: BinderVerification;
  rows: Record<string, number>;
}

/** The default seed when none is given: FNV-1a-32 of "<from>..<to>", so a re-run draws the same sample. */
export function defaultSeed(from: string, to: string): number {
  return fnv1a32(`${from}..${to}`);
}

function checkDate(name: string, value: string): string {
  return parseDay(name, value);
}

/** What the binder says of the records' signatures: how many each key signed, how many predate signing. */
function signatureSummary(v: LedgerVerification): string {
  const s = v.signatures;
  if (!s) return '';
  const byKey = Object.entries(s.by_key)
    .map(([id, n]) => `${n} by key ${id}`)
    .join(', ');
  const unsigned =
    s.unsigned_legacy > 0
      ? `; ${s.unsigned_legacy} unsigned, sealed before records were signed (seqs ${s.legacy_seqs![0]}-${s.legacy_seqs![1]}): nothing but their hash chain vouches for them`
      : '';
  return `; ${s.signed} record${s.signed === 1 ? '' : 's'} signed${byKey ? ` (${byKey})` : ''}${unsigned}${v.app_login ? `; commits by ${v.app_login}` : ''}`;
}

export function binderVerification(v: LedgerVerification, branch: string): BinderVerification {
  const first = v.first_problem;
  return {
    ok: v.ok,
    summary: v.ok
      ? `${v.records} records in ${v.commits} commits of ${v.ref} at ${v.tip.slice(0, 12)}: ${v.checks.join(', ')} all check out${signatureSummary(v)}`
      : `${v.problem_count} problem${v.problem_count === 1 ? '' : 's'} in ${v.ref} at ${v.tip.slice(0, 12)}; first at ${first?.seq !== null && first?.seq !== undefined ? `seq ${first.seq}` : 'a change without a seq'}${signatureSummary(v)}`,
    warnings: v.warnings,
    records: v.records,
    commits: v.commits,
    first_problem: first
      ? `${first.seq !== null ? `seq ${first.seq}` : 'no seq'} [${first.check}]${first.path ? ` ${first.path}` : ''}: ${first.problem}`
      : null,
    problems: v.problems.map((p) => ({ seq: p.seq, check: p.check, problem: p.problem })),
    command: `access-ledger verify --repo . --branch ${branch}`,
    // A copy: strings in the result may be slices of git's whole history listing.
    result: JSON.parse(JSON.stringify(v)) as unknown,
  };
}

async function ensureEmptyOut(out: string): Promise<void> {
  const info = await stat(out).catch(() => undefined);
  if (!info) return;
  if (!info.isDirectory()) throw new UsageError(`--out ${out} exists and is not a directory`);
  if ((await readdir(out)).length > 0)
    throw new UsageError(`--out ${out} is not empty: give a new directory (a binder is written whole, never mixed with an older one)`);
}

/** The ledger verification, as the binder records it; a ledger that cannot be read is a usage error naming the fix. */
async function verification(repoDir: string, branch: string, trust: LedgerTrust): Promise<BinderVerification> {
  try {
    return binderVerification(await verifyLedger(repoDir, branch, { trust }), branch);
  } catch (err) {
    if (err instanceof LedgerReadError) throw new UsageError(`${err.message}${err.hint ? ` ${err.hint}` : ''}`);
    throw err;
  }
}

export async function runExport(args: ExportArgs, io: Io): Promise<ExportOutcome> {
  const from = checkDate('--from', args.from);
  const to = checkDate('--to', args.to);
  if (from > to) throw new UsageError(`--from ${from} is after --to ${to}`);
  const asOf = checkDate('--as-of', args.asOf ?? to);
  const repoDir = resolve(args.repo);
  const out = resolve(args.out);
  const repoInfo = await stat(repoDir).catch(() => undefined);
  if (!repoInfo?.isDirectory()) throw new UsageError(`--repo ${args.repo} is not a directory: pass a local clone of the access repo`);
  await ensureEmptyOut(out);
  const ref = args.ref ?? 'HEAD';
  const refSha = await revParse(repoDir, ref);
  if (!refSha) {
    const isRepo = await revParse(repoDir, 'HEAD');
    if (!isRepo && ref === 'HEAD')
      throw new UsageError(`${args.repo} is not a git clone with commits: pass --repo a clone of the access repo (git clone <url>)`);
    throw new UsageError(`--ref ${ref} is not a commit in ${args.repo}: fetch it first (git fetch origin ${ref})`);
  }

  const cat = new CatFile(repoDir);
  const progress = progressFor(io, 'access-ledger export');
  // Written beside the target and renamed at the end, so a failed export leaves no partial binder.
  const staging = `${out}.partial-${process.pid}`;
  let files: BinderDir | null = null;
  try {
    const configBlob = await cat.read(`${refSha}:access-ledger.yaml`);
    const config = configBlob !== null ? parseAccessFile<RepoConfig>(configBlob, 'config').data : null;
    const branch = args.branch ?? config?.ledger?.branch ?? DEFAULT_LEDGER_BRANCH;
    const keys = parseLedgerPublicKeys(config?.ledger?.public_keys);
    const trust: LedgerTrust = { appLogin: args.appLogin ?? config?.ledger?.app_login ?? null, signatures: { keys: keys.keys, keyProblems: keys.problems } };
    let ledgerRef: { ref: string; sha: string };
    try {
      ledgerRef = await resolveLedgerRef(repoDir, branch);
    } catch (err) {
      if (err instanceof LedgerReadError) throw new UsageError(`${err.message}${err.hint ? ` ${err.hint}` : ''}`);
      throw err;
    }
    const asOfCommit = await lastCommitOnOrBefore(repoDir, refSha, asOf);
    const params: ExportParams = {
      period: { from, to },
      asOf,
      ref,
      refSha,
      ledgerBranch: branch,
      ledgerSha: ledgerRef.sha,
      asOfCommit: asOfCommit?.sha ?? null,
      asOfCommittedAt: asOfCommit?.committed_at ?? null,
      seed: args.seed ?? defaultSeed(from, to),
      sampleSize: args.sample ?? null,
      repository: null,
      provisioningWorkflow: config?.ledger?.provisioning_workflow ?? null,
      generatedAt: toTimestamp(io.now()),
      tool: { name: 'access-ledger', version: VERSION },
    };

    await rm(staging, { recursive: true, force: true });
    for (const sub of ['populations', 'samples', SCRATCH]) await mkdir(join(staging, sub), { recursive: true });
    files = new BinderDir(staging);
    // git walks the period's history (it needs only the period) while the ledger is verified.
    const walking = periodCommits(repoDir, params);
    walking.catch(() => undefined);
    progress.phase('verifying ledger', 1);
    const verified = await verification(repoDir, branch, trust);
    progress.tick();
    const sources: ExportSources = {
      records: async function* () {
        yield* ledgerRecords(repoDir, cat, params.ledgerSha!);
      },
      history: async () => {
        const history = await walking;
        return { total: history.length, commits: commitsWithContent(cat, history) };
      },
      tree: async () => (params.asOfCommit ? await treeFiles(repoDir, params.asOfCommit) : []),
      readTree: (list) => readTreeFiles(cat, [...list]),
      listings: ({ ledger, systems }) => completenessFromClone({ repoDir, cat, params, ledger, systems, packs: loadBuiltinPacks() }),
      origin: await originRepository(repoDir),
      serverUrl: args.serverUrl ?? (io.env.GITHUB_SERVER_URL || undefined),
      verification: verified,
      registry: builtinRegistry(),
      packs: loadBuiltinPacks(),
    };
    const { binder, files: written } = await exportBinder(params, sources, files, progress);
    await rm(join(staging, SCRATCH), { recursive: true, force: true });

    await rm(out, { recursive: true, force: true });
    await mkdir(dirname(out), { recursive: true });
    await rename(staging, out);
    progress.stop();
    const rows = Object.fromEntries(binder.populations.map((p) => [p.id, p.rowCount]));
    return { out, files: written, params, verification: binder.verification, rows };
  } catch (err) {
    if (files) {
      files.abandonAll();
      await rm(staging, { recursive: true, force: true });
    }
    // A git failure names what to do about it (fetch the full history, point at a clone…).
    if (err instanceof GitError) throw new UsageError(`${err.message}${err.hint ? ` ${err.hint}` : ''}`);
    throw err;
  } finally {
    progress.stop();
    cat.close();
  }
}

const integer =
  (name: string, min: number, max: number) =>
  (value: string): number => {
    if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`${name} must be a whole number`);
    const n = Number(value);
    if (n < min || n > max) throw new InvalidArgumentError(`${name} must be between ${min} and ${max}`);
    return n;
  };

export function registerExport(program: Command, io: Io, setExit: (code: number) => void): void {
  program
    .command('export')
    .description(DESCRIPTIONS.export)
    .requiredOption('--repo <dir>', 'a local clone of the access repo (with its ledger branch fetched)')
    .requiredOption('--from <date>', 'first day of the period, YYYY-MM-DD (UTC)')
    .requiredOption('--to <date>', 'last day of the period, YYYY-MM-DD (UTC), inclusive')
    .requiredOption('--out <dir>', 'directory to write the binder to (new or empty)')
    .option('--as-of <date>', 'day of the point-in-time inventory (default: --to)')
    .option('--sample <n>', 'sample size for every population (default: by control frequency, see docs/binder.md)', integer('--sample', 1, 100_000))
    .option('--seed <s>', 'seed of the sampling generator, 0 to 4294967295 (default: derived from the period)', integer('--seed', 0, 0xffffffff))
    .option('--branch <name>', 'the ledger branch (default: ledger.branch of access-ledger.yaml, else access-ledger)')
    .option('--ref <ref>', 'the access repo branch or commit whose history is read', 'HEAD')
    .option(
      '--server-url <url>',
      "web root of the GitHub server for the binder's links, e.g. https://github.acme.internal (default: GITHUB_SERVER_URL, else the host of the clone's origin)",
    )
    .option('--app-login <login>', "the App's bot account the ledger commits are checked against (default: ledger.app_login of access-ledger.yaml)")
    .action(
      async (opts: {
        repo: string;
        from: string;
        to: string;
        out: string;
        asOf?: string;
        sample?: number;
        seed?: number;
        branch?: string;
        ref: string;
        serverUrl?: string;
        appLogin?: string;
      }) => {
        if (opts.serverUrl !== undefined && !/^https?:\/\/[^/\s]+\/?$/.test(opts.serverUrl))
          throw new UsageError(
            `--server-url must be the web root of a GitHub server, like https://github.acme.internal, not ${JSON.stringify(opts.serverUrl)}`,
          );
        const args: ExportArgs = { repo: opts.repo, from: opts.from, to: opts.to, out: opts.out, ref: opts.ref };
        if (opts.appLogin !== undefined) args.appLogin = opts.appLogin;
        if (opts.asOf !== undefined) args.asOf = opts.asOf;
        if (opts.sample !== undefined) args.sample = opts.sample;
        if (opts.seed !== undefined) args.seed = opts.seed;
        if (opts.branch !== undefined) args.branch = opts.branch;
        if (opts.serverUrl !== undefined) args.serverUrl = opts.serverUrl;
        const started = Date.now();
        const r = await runExport(args, io);
        const pops = Object.entries(r.rows)
          .map(([id, n]) => `${id} ${n}`)
          .join(', ');
        io.stdout(
          terminalText(
            `Binder written to ${r.out} (${r.files} files, ${((Date.now() - started) / 1000).toFixed(1)} s)\n` +
              `  period ${r.params.period.from} to ${r.params.period.to}, inventory as of ${r.params.asOf}, seed ${r.params.seed}\n` +
              `  populations: ${pops}\n` +
              `  ledger verification: ${r.verification.ok ? 'passed' : 'FAILED'}: ${r.verification.summary}\n` +
              `  open ${join(r.out, 'index.html')}; paste ${join(r.out, 'summary.md')} into the audit request\n`,
            { multiline: true },
          ),
        );
        if (!r.verification.ok)
          io.stderr(
            `access-ledger export: the ledger failed verification (${terminalText(r.verification.first_problem ?? 'see verification.json')}); the binder records it\n`,
          );
        setExit(r.verification.ok ? 0 : 1);
      },
    );
}
