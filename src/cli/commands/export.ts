/**
 * `access-ledger export --repo DIR --from DATE --to DATE --out DIR [--sample N --seed S]
 * [--as-of DATE] [--branch NAME] [--ref REF]`: the auditor's binder from a local clone
 * (DESIGN.md §7, docs/binder.md). Exit 0 when written with an intact ledger, 1 when written but
 * the ledger verification failed, 2 on a usage or runtime error (nothing is left half-written).
 */
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import cliProgress from 'cli-progress';
import { isIsoDate } from '../../core/dates.ts';
import { assembleBinder, binderFiles, type BinderVerification } from '../../core/binder/binder.ts';
import { LedgerIndex } from '../../core/binder/ledger-index.ts';
import { parseAccessFile } from '../../core/binder/parse.ts';
import { PopulationBuilder } from '../../core/binder/populations.ts';
import { fnv1a32 } from '../../core/binder/prng.ts';
import type { ExportParams } from '../../core/binder/types.ts';
import { DEFAULT_LEDGER_BRANCH, toTimestamp } from '../../core/ledger/index.ts';
import type { RepoConfig } from '../../core/model/types.ts';
import { builtinRegistry } from '../../core/validate.ts';
import { loadBuiltinPacks } from '../../adapters/fs/packs.ts';
import { LedgerReadError, resolveLedgerRef, verifyLedger, type LedgerVerification } from '../../adapters/git/ledger-reader.ts';
import { CatFile, commitsWithContent, githubRepository, lastCommitOnOrBefore, ledgerRecords, periodCommits, revParse, treeAt } from '../../adapters/git/history.ts';
import { UsageError, type Io } from '../io.ts';
import { VERSION } from '../version.ts';

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

interface Progress {
  phase(name: string, total: number): void;
  tick(n?: number): void;
  stop(): void;
}

function progressFor(io: Io): Progress {
  if (!io.interactive) return { phase() {}, tick() {}, stop() {} };
  const bar = new cliProgress.SingleBar(
    { format: '{phase} [{bar}] {value}/{total}', stream: process.stderr, hideCursor: true, clearOnComplete: true, fps: 10, etaBuffer: 50 },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    phase(name, total) {
      if (!started) {
        bar.start(Math.max(1, total), 0, { phase: name.padEnd(18) });
        started = true;
      } else {
        bar.setTotal(Math.max(1, total));
        bar.update(0, { phase: name.padEnd(18) });
      }
    },
    tick(n = 1) {
      if (started) bar.increment(n);
    },
    stop() {
      if (started) bar.stop();
    },
  };
}

function checkDate(name: string, value: string): string {
  if (!isIsoDate(value)) throw new UsageError(`${name} must be a calendar date YYYY-MM-DD (UTC), not ${JSON.stringify(value)}`);
  return value;
}

export function binderVerification(v: LedgerVerification, branch: string): BinderVerification {
  const first = v.first_problem;
  return {
    ok: v.ok,
    summary: v.ok
      ? `${v.records} records in ${v.commits} commits of ${v.ref} at ${v.tip.slice(0, 12)}: ${v.checks.join(', ')} all check out`
      : `${v.problem_count} problem${v.problem_count === 1 ? '' : 's'} in ${v.ref} at ${v.tip.slice(0, 12)}; first at ${first?.seq !== null && first?.seq !== undefined ? `seq ${first.seq}` : 'a change without a seq'}`,
    records: v.records,
    commits: v.commits,
    first_problem: first ? `${first.seq !== null ? `seq ${first.seq}` : 'no seq'} [${first.check}]${first.path ? ` ${first.path}` : ''}: ${first.problem}` : null,
    problems: v.problems.map((p) => ({ seq: p.seq, check: p.check, problem: p.problem })),
    command: `access-ledger verify --repo . --branch ${branch}`,
    result: v,
  };
}

async function ensureEmptyOut(out: string): Promise<void> {
  const info = await stat(out).catch(() => undefined);
  if (!info) return;
  if (!info.isDirectory()) throw new UsageError(`--out ${out} exists and is not a directory`);
  if ((await readdir(out)).length > 0) throw new UsageError(`--out ${out} is not empty: give a new directory (a binder is written whole, never mixed with an older one)`);
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
    if (!isRepo && ref === 'HEAD') throw new UsageError(`${args.repo} is not a git clone with commits: pass --repo a clone of the access repo (git clone <url>)`);
    throw new UsageError(`--ref ${ref} is not a commit in ${args.repo}: fetch it first (git fetch origin ${ref})`);
  }

  const cat = new CatFile(repoDir);
  const progress = progressFor(io);
  try {
    const configBlob = await cat.read(`${refSha}:access-ledger.yaml`);
    const config = configBlob ? parseAccessFile<RepoConfig>(configBlob.toString('utf8'), 'config').data : null;
    const branch = args.branch ?? config?.ledger?.branch ?? DEFAULT_LEDGER_BRANCH;
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
      generatedAt: toTimestamp(io.now()),
      tool: { name: 'access-ledger', version: VERSION },
    };

    // Verification replays the ledger branch in git processes of its own; it runs while the
    // records and the history are read, and the binder waits for it only at the end.
    const verifying = verifyLedger(repoDir, branch).catch((err: unknown) => {
      if (err instanceof LedgerReadError) throw new UsageError(`${err.message}${err.hint ? ` ${err.hint}` : ''}`);
      throw err;
    });
    verifying.catch(() => undefined);
    // The ledger first: the populations join on it as the commits stream past.
    const ledger = new LedgerIndex();
    progress.phase('reading ledger', 0);
    let unreadable = 0;
    for await (const { record } of ledgerRecords(repoDir, cat, ledgerRef.sha)) {
      if (record && typeof record === 'object' && typeof record.kind === 'string' && record.subject) ledger.add(record);
      else unreadable++;
      progress.tick();
    }
    ledger.finish();
    params.repository = ledger.repository ?? (await githubRepository(repoDir));

    const builder = new PopulationBuilder(params, ledger);
    const raw = await periodCommits(repoDir, params);
    progress.phase('reading history', raw.length);
    for await (const commit of commitsWithContent(cat, raw)) {
      builder.addCommit(commit);
      progress.tick();
    }
    if (asOfCommit) {
      progress.phase('reading inventory', 0);
      for await (const file of treeAt(repoDir, cat, asOfCommit.sha, builder.knowsBlob)) builder.addTreeFile(file);
    }
    progress.phase('verifying ledger', 1);
    const ledgerOut = await verifying;
    progress.tick();
    const verification = binderVerification(ledgerOut, branch);
    if (unreadable > 0) verification.summary += `; ${unreadable} record files could not be parsed`;

    progress.phase('assembling', 1);
    const binder = assembleBinder({ params, builder, ledger, verification, registry: builtinRegistry(), packs: loadBuiltinPacks() });
    progress.tick();

    // Written beside the target and renamed at the end, so a failed export leaves no partial binder.
    const staging = `${out}.partial-${process.pid}`;
    await rm(staging, { recursive: true, force: true });
    await mkdir(staging, { recursive: true });
    let files = 0;
    progress.phase('writing', 0);
    try {
      for (const file of binderFiles(binder)) {
        const target = join(staging, file.path);
        await mkdir(dirname(target), { recursive: true });
        await writeFile(target, file.content);
        files++;
      }
      await rm(out, { recursive: true, force: true });
      await mkdir(dirname(out), { recursive: true });
      await rename(staging, out);
    } catch (err) {
      await rm(staging, { recursive: true, force: true });
      throw err;
    }
    progress.stop();
    const rows = Object.fromEntries(binder.populations.map((p) => [p.id, p.rows.length]));
    return { out, files, params, verification, rows };
  } finally {
    progress.stop();
    cat.close();
  }
}

const integer = (name: string, min: number, max: number) => (value: string): number => {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`${name} must be a whole number`);
  const n = Number(value);
  if (n < min || n > max) throw new InvalidArgumentError(`${name} must be between ${min} and ${max}`);
  return n;
};

export function registerExport(program: Command, io: Io, setExit: (code: number) => void): void {
  program
    .command('export')
    .description("write the auditor's binder for a period: evidence map, populations, samples, evidence chains, control matrix, ledger verification")
    .requiredOption('--repo <dir>', 'a local clone of the access repo (with its ledger branch fetched)')
    .requiredOption('--from <date>', 'first day of the period, YYYY-MM-DD (UTC)')
    .requiredOption('--to <date>', 'last day of the period, YYYY-MM-DD (UTC), inclusive')
    .requiredOption('--out <dir>', 'directory to write the binder to (new or empty)')
    .option('--as-of <date>', 'day of the point-in-time inventory (default: --to)')
    .option('--sample <n>', 'sample size for every population (default: by control frequency, see docs/binder.md)', integer('--sample', 1, 100_000))
    .option('--seed <s>', 'seed of the sampling generator, 0 to 4294967295 (default: derived from the period)', integer('--seed', 0, 0xffffffff))
    .option('--branch <name>', 'the ledger branch (default: ledger.branch of access-ledger.yaml, else access-ledger)')
    .option('--ref <ref>', 'the access repo branch or commit whose history is read', 'HEAD')
    .action(async (opts: { repo: string; from: string; to: string; out: string; asOf?: string; sample?: number; seed?: number; branch?: string; ref: string }) => {
      const args: ExportArgs = { repo: opts.repo, from: opts.from, to: opts.to, out: opts.out, ref: opts.ref };
      if (opts.asOf !== undefined) args.asOf = opts.asOf;
      if (opts.sample !== undefined) args.sample = opts.sample;
      if (opts.seed !== undefined) args.seed = opts.seed;
      if (opts.branch !== undefined) args.branch = opts.branch;
      const started = Date.now();
      const r = await runExport(args, io);
      const pops = Object.entries(r.rows).map(([id, n]) => `${id} ${n}`).join(', ');
      io.stdout(
        `Binder written to ${r.out} (${r.files} files, ${((Date.now() - started) / 1000).toFixed(1)} s)\n` +
          `  period ${r.params.period.from} to ${r.params.period.to}, inventory as of ${r.params.asOf}, seed ${r.params.seed}\n` +
          `  populations: ${pops}\n` +
          `  ledger verification: ${r.verification.ok ? 'passed' : 'FAILED'}: ${r.verification.summary}\n` +
          `  open ${join(r.out, 'index.html')}; paste ${join(r.out, 'summary.md')} into the audit request\n`,
      );
      if (!r.verification.ok) io.stderr(`access-ledger export: the ledger failed verification (${r.verification.first_problem ?? 'see verification.json'}); the binder records it\n`);
      setExit(r.verification.ok ? 0 : 1);
    });
}
