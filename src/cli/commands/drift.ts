/**
 * `access-ledger drift [dir] --snapshot FILE... [--format text|json|sarif]`: the grant files
 * against what the systems list (snapshots written by `observe`), judged by the observed rules.
 * Exit codes as `validate`: 0 no errors, 1 findings (errors, or warnings with --fail-on warning),
 * 2 a usage or runtime error (an unreadable snapshot is named).
 */
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { utcDay } from '../../core/dates.ts';
import { drift, driftRepo } from '../../core/observe/drift.ts';
import { parseSnapshot } from '../../core/observe/snapshot.ts';
import { ObserveError, type ObservedSnapshot } from '../../core/observe/types.ts';
import { builtinRegistry } from '../../core/validate.ts';
import { maskSecretsDeep } from '../../core/text/mask.ts';
import { terminalText } from '../../core/text/escape.ts';
import { loadBuiltinPacks } from '../../adapters/fs/packs.ts';
import { readRepoFilesSync } from '../../adapters/fs/read-repo.ts';
import { formatText } from '../format/text.ts';
import { toSarif } from '../../core/report/sarif.ts';
import { UsageError, type Io } from '../io.ts';
import { VERSION } from '../../core/version.ts';
import { MAX_EXPORT_BYTES } from './observe.ts';
import { hasConfig, summaryLine } from './validate.ts';
import { parseDay } from '../options.ts';
import { DESCRIPTIONS } from './descriptions.ts';

export interface DriftArgs {
  dir: string;
  snapshots: string[];
  format: 'text' | 'json' | 'sarif';
  today?: string;
  failOn: 'error' | 'warning';
  /** Write the report here and print only a one-line summary (as validate). */
  output?: string;
}

export async function readSnapshotFile(path: string): Promise<ObservedSnapshot> {
  const info = await stat(path).catch(() => undefined);
  if (!info?.isFile()) throw new UsageError(`${path} is not a file: pass a snapshot written by access-ledger observe`);
  if (info.size > MAX_EXPORT_BYTES * 4) throw new UsageError(`${path} is ${info.size} bytes, larger than any snapshot observe writes`);
  try {
    return parseSnapshot(await readFile(path, 'utf8'), path);
  } catch (err) {
    if (err instanceof ObserveError) throw new UsageError(err.message);
    throw err;
  }
}

export async function runDrift(args: DriftArgs, io: Io): Promise<number> {
  const dir = resolve(args.dir);
  const info = await stat(dir).catch(() => undefined);
  if (!info?.isDirectory()) throw new UsageError(`${args.dir} is not a directory: pass the root of an access repo`);
  if (!(await hasConfig(dir)))
    throw new UsageError(`${dir} has no access-ledger.yaml: pass the root of an access repo (the folder holding access-ledger.yaml, grants/ and systems/)`);
  if (args.snapshots.length === 0) throw new UsageError('drift needs at least one --snapshot FILE (written by access-ledger observe)');
  const snapshots: ObservedSnapshot[] = [];
  for (const path of args.snapshots) snapshots.push(await readSnapshotFile(path));
  const repo = driftRepo(await readRepoFilesSync(dir));
  const result = drift(repo, snapshots, { packs: loadBuiltinPacks(), today: args.today ?? utcDay(io.now()) });
  let report: string;
  if (args.format === 'json') {
    report =
      JSON.stringify(
        maskSecretsDeep({
          findings: result.findings,
          summary: result.summary,
          snapshots: snapshots.map((s) => ({
            system: s.system,
            connector: s.connector,
            taken_at: s.taken_at,
            raw_sha256: s.raw_sha256,
            accounts: s.accounts.length,
            gaps: s.gaps,
          })),
        }),
        null,
        2,
      ) + '\n';
  } else if (args.format === 'sarif') {
    // A category of its own: drift's alerts and validate's never close each other.
    const rules = [...builtinRegistry().rules.values()].filter((r) => r.meta.scope === 'observed' || r.meta.id === 'schema');
    report = JSON.stringify(toSarif(result.findings, rules, VERSION, { category: 'access-ledger/drift/' }), null, 2) + '\n';
  } else {
    const listed = snapshots.map((s) => `${s.system} (${s.accounts.length} accounts, listed ${s.taken_at})`).join(', ');
    report = `compared with ${terminalText(listed)}\n` + formatText(result.findings, result.summary, Boolean(io.color && !args.output));
  }
  if (args.output) {
    try {
      await mkdir(dirname(resolve(args.output)), { recursive: true });
      await writeFile(resolve(args.output), report);
    } catch (err) {
      throw new UsageError(
        `--output ${args.output} cannot be written (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}): give a path in a folder you can write to`,
      );
    }
    io.stdout(
      `${summaryLine(result.summary)} against ${result.summary.accounts} observed account(s); ${args.format} report written to ${terminalText(args.output)}\n`,
    );
  } else {
    io.stdout(report);
  }
  const failing = args.failOn === 'warning' ? result.summary.errors + result.summary.warnings : result.summary.errors;
  return failing > 0 ? 1 : 0;
}

export function registerDrift(program: Command, io: Io, setExit: (code: number) => void): void {
  program
    .command('drift')
    .description(DESCRIPTIONS.drift)
    .argument('[dir]', 'root of the access repo', '.')
    .requiredOption('--snapshot <file...>', 'snapshots written by access-ledger observe (one or more)')
    .option('-f, --format <format>', 'text, json or sarif', 'text')
    .option('--fail-on <severity>', 'exit 1 on error (default) or on warning too', 'error')
    .option('--today <date>', 'judge the clock as of this UTC day (YYYY-MM-DD) instead of today')
    .option('-o, --output <file>', 'write the report to this file and print only a one-line summary')
    .action(async (dir: string, opts: { snapshot: string[]; format: string; failOn: string; today?: string; output?: string }) => {
      if (!['text', 'json', 'sarif'].includes(opts.format)) throw new UsageError(`--format must be text, json or sarif, not ${opts.format}`);
      if (!['error', 'warning'].includes(opts.failOn)) throw new UsageError(`--fail-on must be error or warning, not ${opts.failOn}`);
      if (opts.today !== undefined) parseDay('--today', opts.today);
      const args: DriftArgs = { dir, snapshots: opts.snapshot, format: opts.format as DriftArgs['format'], failOn: opts.failOn as DriftArgs['failOn'] };
      if (opts.today) args.today = opts.today;
      if (opts.output) args.output = opts.output;
      setExit(await runDrift(args, io));
    });
}
