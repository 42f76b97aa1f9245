/** `access-ledger validate [dir]`: the whole repo, or only what changed since a git ref. */
import type { Command } from 'commander';
import { dirname, join, resolve } from 'node:path';
import { mkdir, stat, writeFile } from 'node:fs/promises';
import type { FindingSummary } from '../../core/findings.ts';
import { utcDay } from '../../core/dates.ts';
import { buildSnapshot, CONFIG_PATHS } from '../../core/model/snapshot.ts';
import { builtinRegistry, validateSnapshot } from '../../core/validate.ts';
import type { Scope } from '../../core/rules/types.ts';
import { loadBuiltinPacks } from '../../adapters/fs/packs.ts';
import { judgeRepo } from '../../adapters/fs/judge-repo.ts';
import { changedSince, filesAt, GitUnavailable } from '../../adapters/fs/changed-since.ts';
import { formatText } from '../format/text.ts';
import { toSarif } from '../../core/report/sarif.ts';
import { UsageError, type Io } from '../io.ts';
import { VERSION } from '../../core/version.ts';
import { maskSecretsDeep } from '../../core/text/mask.ts';
import { parseDay } from '../options.ts';
import { DESCRIPTIONS } from './descriptions.ts';

export interface ValidateArgs {
  dir: string;
  format: 'text' | 'json' | 'sarif';
  changedSince?: string;
  today?: string;
  failOn: 'error' | 'warning';
  /** Write the report here and print only the one-line summary. */
  output?: string;
}

/** One line for a terminal or a CI log when the report itself went to a file. */
export function summaryLine(summary: FindingSummary): string {
  const n = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;
  const verdict = summary.errors > 0 || summary.warnings > 0 ? `${n(summary.errors, 'error')}, ${n(summary.warnings, 'warning')}` : 'no problems';
  return `${verdict} in ${n(summary.files, 'file')} (${n(summary.grants, 'grant')}, ${n(summary.systems, 'system')})`;
}

/**
 * ACCESS_LEDGER_PARALLEL_FILES: from how many files validate reads and judges the repo on worker
 * threads (judge-repo.ts chooses by default); for tests and tuning.
 */
function parallelFrom(env: NodeJS.ProcessEnv): { parallelFrom?: number } {
  const value = env.ACCESS_LEDGER_PARALLEL_FILES;
  if (value === undefined || value === '') return {};
  if (!/^\d+$/.test(value)) throw new UsageError(`ACCESS_LEDGER_PARALLEL_FILES must be a number of files, not ${value}`);
  return { parallelFrom: Number(value) };
}

export async function hasConfig(dir: string): Promise<boolean> {
  for (const name of CONFIG_PATHS) if ((await stat(join(dir, name)).catch(() => undefined))?.isFile()) return true;
  return false;
}

export async function runValidate(args: ValidateArgs, io: Io): Promise<number> {
  const dir = resolve(args.dir);
  const info = await stat(dir).catch(() => undefined);
  if (!info?.isDirectory()) throw new UsageError(`${args.dir} is not a directory: pass the root of an access repo`);
  if (!(await hasConfig(dir))) {
    throw new UsageError(
      `${dir} has no access-ledger.yaml: pass the root of an access repo (the folder holding access-ledger.yaml, grants/ and systems/), ` +
        `or start one with \`access-ledger init ${args.dir} --org <your-org>\``,
    );
  }
  const today = args.today ?? utcDay(io.now());
  let changed: Set<string> | undefined;
  let base: ReturnType<typeof buildSnapshot> | undefined;
  // Gate mode: the change is judged as the gate would (no clock rules about unrelated grants).
  let scopes: Scope[] = ['file', 'repo', 'time'];
  if (args.changedSince) {
    try {
      changed = await changedSince(dir, args.changedSince);
      base = buildSnapshot(await filesAt(dir, args.changedSince));
    } catch (err) {
      if (err instanceof GitUnavailable) throw new UsageError(err.message);
      throw err;
    }
    scopes = ['file', 'repo'];
  }
  const repo = await judgeRepo(dir, { today, ...(changed ? { changed } : {}), ...parallelFrom(io.env) });
  const result = validateSnapshot(repo.snapshot, {
    packs: loadBuiltinPacks(),
    today,
    scopes,
    ...(changed ? { changed } : {}),
    ...(base ? { base } : {}),
    ...(repo.fileFindings ? { fileFindings: repo.fileFindings } : {}),
  });
  let report: string;
  if (args.format === 'json') {
    report = JSON.stringify(maskSecretsDeep({ findings: result.findings, summary: result.summary }), null, 2) + '\n';
  } else if (args.format === 'sarif') {
    report = JSON.stringify(toSarif(result.findings, builtinRegistry().rules.values(), VERSION), null, 2) + '\n';
  } else {
    report = formatText(result.findings, result.summary, Boolean(io.color && !args.output));
  }
  if (args.output) {
    const target = resolve(args.output);
    try {
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, report);
    } catch (err) {
      throw new UsageError(
        `--output ${args.output} cannot be written (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}): give a path in a folder you can write to`,
      );
    }
    io.stdout(`${summaryLine(result.summary)}; ${args.format} report written to ${args.output}\n`);
  } else {
    io.stdout(report);
  }
  const failing = args.failOn === 'warning' ? result.summary.errors + result.summary.warnings : result.summary.errors;
  return failing > 0 ? 1 : 0;
}

export function registerValidate(program: Command, io: Io, setExit: (code: number) => void): void {
  program
    .command('validate')
    .description(DESCRIPTIONS.validate)
    .argument('[dir]', 'root of the access repo', '.')
    .option('-f, --format <format>', 'text, json or sarif', 'text')
    .option('--changed-since <ref>', 'report only files changed since this git ref (repo-level rules still see the whole repo)')
    .option('--fail-on <severity>', 'exit 1 on error (default) or on warning too', 'error')
    .option('--today <date>', 'evaluate as of this UTC day (YYYY-MM-DD) instead of today')
    .option('-o, --output <file>', 'write the report to this file and print only a one-line summary')
    .action(async (dir: string, opts: { format: string; changedSince?: string; failOn: string; today?: string; output?: string }) => {
      if (!['text', 'json', 'sarif'].includes(opts.format)) throw new UsageError(`--format must be text, json or sarif, not ${opts.format}`);
      if (!['error', 'warning'].includes(opts.failOn)) throw new UsageError(`--fail-on must be error or warning, not ${opts.failOn}`);
      if (opts.today !== undefined) parseDay('--today', opts.today);
      const args: ValidateArgs = { dir, format: opts.format as ValidateArgs['format'], failOn: opts.failOn as ValidateArgs['failOn'] };
      if (opts.changedSince) args.changedSince = opts.changedSince;
      if (opts.today) args.today = opts.today;
      if (opts.output) args.output = opts.output;
      setExit(await runValidate(args, io));
    });
}
