/**
 * `access-ledger import [dir] --system ID --from FILE [--out DIR]`: bootstraps grant files from a
 * snapshot (or the system's raw export) for a team adopting access-ledger: one file per account no
 * grant declares yet, with the owner, justification and expiry left empty for a person to fill in.
 * The rules report each empty field, so the gate passes none of these files unfinished.
 * Never overwrites a file. Exit 0 when the files were written, 2 on a usage or runtime error.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import type { Command } from 'commander';
import { isTimestamp, toTimestamp } from '../../core/ledger/index.ts';
import { driftRepo } from '../../core/observe/drift.ts';
import { planImport } from '../../core/observe/import.ts';
import { buildSnapshot, extractionCommand, parseSnapshot, rawFormatOf, runConnector } from '../../core/observe/snapshot.ts';
import { OBSERVED_FORMAT, ObserveError, type ObservedSnapshot } from '../../core/observe/types.ts';
import { terminalText } from '../../core/text/escape.ts';
import { shown } from '../../core/observe/values.ts';
import { readRepoFilesSync } from '../../adapters/fs/read-repo.ts';
import { UsageError, type Io } from '../io.ts';
import { readExport, readPolicyFiles, resolveSystem } from './observe.ts';
import { DESCRIPTIONS } from './descriptions.ts';

export interface ImportArgs {
  dir: string;
  system: string;
  from: string;
  out?: string;
  takenAt?: string;
}

/** A snapshot file as it is, or the system's raw export read through its connector. */
async function snapshotFrom(args: ImportArgs, io: Io): Promise<ObservedSnapshot> {
  const bytes = await readExport(args.from);
  const head = Buffer.from(bytes.subarray(0, 4096)).toString('utf8');
  if (head.includes(`"${OBSERVED_FORMAT}"`)) {
    const snapshot = parseSnapshot(Buffer.from(bytes).toString('utf8'), args.from);
    if (snapshot.system !== args.system) throw new UsageError(`${args.from} is a snapshot of ${snapshot.system}, not ${args.system}`);
    return snapshot;
  }
  const system = resolveSystem(await readPolicyFiles(args.dir), args.system);
  const takenAt = args.takenAt ?? toTimestamp(io.now());
  return buildSnapshot({
    system: system.id,
    connector: system.connector,
    takenAt,
    source: { type: 'file', file: args.from, command: extractionCommand(system.connector, system.config), api: null, calls: null },
    raw: bytes,
    rawFormat: rawFormatOf(system.connector, system.config),
    result: runConnector(system.connector, bytes, args.from, system.config, takenAt),
  });
}

export async function runImport(args: ImportArgs, io: Io): Promise<number> {
  if (args.takenAt !== undefined && !isTimestamp(args.takenAt))
    throw new UsageError(`--taken-at must be a UTC time like 2026-11-20T10:00:00Z, not ${args.takenAt}`);
  const root = resolve(args.dir);
  let snapshot: ObservedSnapshot;
  try {
    snapshot = await snapshotFrom(args, io);
  } catch (err) {
    if (err instanceof ObserveError) throw new UsageError(err.message);
    throw err;
  }
  const outDir = resolve(args.out ?? join(root, 'grants', snapshot.system));
  const folder = relative(root, outDir).split(sep).join('/');
  const repo = driftRepo(await readRepoFilesSync(root));
  const plan = planImport(repo, snapshot, folder);
  await mkdir(outDir, { recursive: true });
  const lines: string[] = [];
  for (const g of plan.written) {
    const target = join(outDir, `${g.id}.yaml`);
    try {
      await writeFile(target, g.content, { flag: 'wx' });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST')
        throw new UsageError(`${target} exists already: import never overwrites a file; move it away or pass another --out`);
      throw err;
    }
    lines.push(`wrote   ${relative(process.cwd(), target) || target}  (${g.account.kind} ${shown(g.account.principal)})`);
  }
  for (const s of plan.skipped) lines.push(`skipped ${shown(s.account.principal)}: ${s.reason}`);
  lines.push(
    `${plan.written.length} grant file(s) written, ${plan.skipped.length} account(s) already declared. Fill in each file's owner, justification and expiry (access-ledger validate lists what is missing), then open a pull request.`,
  );
  io.stdout(lines.map((l) => terminalText(l)).join('\n') + '\n');
  return 0;
}

export function registerImport(program: Command, io: Io, setExit: (code: number) => void): void {
  program
    .command('import')
    .description(DESCRIPTIONS.import)
    .argument('[dir]', 'root of the access repo', '.')
    .requiredOption('--system <id>', 'the system, as in systems/<id>.yaml')
    .requiredOption('--from <file>', "a snapshot written by observe, or the system's own export")
    .option('--out <dir>', 'where to write the files (default: grants/<system>/ in the access repo)')
    .option('--taken-at <time>', 'when the export was taken, as a UTC time (default: now)')
    .action(async (dir: string, opts: { system: string; from: string; out?: string; takenAt?: string }) => {
      const args: ImportArgs = { dir, system: opts.system, from: opts.from };
      if (opts.out) args.out = opts.out;
      if (opts.takenAt) args.takenAt = opts.takenAt;
      setExit(await runImport(args, io));
    });
}
