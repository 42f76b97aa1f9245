/** `access-ledger validate [dir]`: the whole repo, or only what changed since a git ref. */
import type { Command } from 'commander';
import { resolve } from 'node:path';
import { stat } from 'node:fs/promises';
import { utcDay } from '../../core/dates.ts';
import { buildSnapshot } from '../../core/model/snapshot.ts';
import { builtinRegistry, validateSnapshot } from '../../core/validate.ts';
import type { Scope } from '../../core/rules/types.ts';
import { loadBuiltinPacks } from '../../adapters/fs/packs.ts';
import { readRepoFiles } from '../../adapters/fs/read-repo.ts';
import { changedSince, filesAt } from '../../adapters/fs/changed-since.ts';
import { formatText } from '../format/text.ts';
import { toSarif } from '../format/sarif.ts';
import { UsageError, type Io } from '../io.ts';
import { VERSION } from '../version.ts';
import { maskSecretsDeep } from '../../core/text/mask.ts';

export interface ValidateArgs {
  dir: string;
  format: 'text' | 'json' | 'sarif';
  changedSince?: string;
  today?: string;
  failOn: 'error' | 'warning';
}

export async function runValidate(args: ValidateArgs, io: Io): Promise<number> {
  const dir = resolve(args.dir);
  const info = await stat(dir).catch(() => undefined);
  if (!info?.isDirectory()) throw new UsageError(`${args.dir} is not a directory: pass the root of an access repo`);
  const today = args.today ?? utcDay(io.now());
  let changed: Set<string> | undefined;
  let base;
  // Gate mode: the change is judged as the gate would (no clock rules about unrelated grants).
  let scopes: Scope[] = ['file', 'repo', 'time'];
  if (args.changedSince) {
    changed = await changedSince(dir, args.changedSince);
    base = buildSnapshot(await filesAt(dir, args.changedSince));
    scopes = ['file', 'repo'];
  }
  const files = await readRepoFiles(dir);
  const result = validateSnapshot(buildSnapshot(files), {
    packs: loadBuiltinPacks(),
    today,
    scopes,
    ...(changed ? { changed } : {}),
    ...(base ? { base } : {}),
  });
  if (args.format === 'json') {
    io.stdout(JSON.stringify(maskSecretsDeep({ findings: result.findings, summary: result.summary }), null, 2) + '\n');
  } else if (args.format === 'sarif') {
    io.stdout(JSON.stringify(toSarif(result.findings, builtinRegistry().rules.values(), VERSION), null, 2) + '\n');
  } else {
    io.stdout(formatText(result.findings, result.summary, io.color));
  }
  const failing = args.failOn === 'warning' ? result.summary.errors + result.summary.warnings : result.summary.errors;
  return failing > 0 ? 1 : 0;
}

export function registerValidate(program: Command, io: Io, setExit: (code: number) => void): void {
  program
    .command('validate')
    .description('check an access repo: file formats, owners, expiries, justifications, credentials, secrets')
    .argument('[dir]', 'root of the access repo', '.')
    .option('-f, --format <format>', 'text, json or sarif', 'text')
    .option('--changed-since <ref>', 'report only files changed since this git ref (repo-level rules still see the whole repo)')
    .option('--fail-on <severity>', 'exit 1 on error (default) or on warning too', 'error')
    .option('--today <date>', 'evaluate as of this UTC day (YYYY-MM-DD) instead of today')
    .action(async (dir: string, opts: { format: string; changedSince?: string; failOn: string; today?: string }) => {
      if (!['text', 'json', 'sarif'].includes(opts.format)) throw new UsageError(`--format must be text, json or sarif, not ${opts.format}`);
      if (!['error', 'warning'].includes(opts.failOn)) throw new UsageError(`--fail-on must be error or warning, not ${opts.failOn}`);
      if (opts.today !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(opts.today)) throw new UsageError(`--today must be a date YYYY-MM-DD, not ${opts.today}`);
      const args: ValidateArgs = { dir, format: opts.format as ValidateArgs['format'], failOn: opts.failOn as ValidateArgs['failOn'] };
      if (opts.changedSince) args.changedSince = opts.changedSince;
      if (opts.today) args.today = opts.today;
      setExit(await runValidate(args, io));
    });
}
