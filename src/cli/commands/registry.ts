/**
 * Every command of the CLI, each in its own module, loaded only when it runs: `validate` does not
 * pay for Octokit, Probot or the binder. The top-level help lists every command from this table
 * without loading any (each entry's `term` is what commander would print for the loaded command; a
 * test keeps the two equal), and a command's own help (`access-ledger verify --help`,
 * `access-ledger help verify`) loads that command, so it is exactly what it was.
 */
import type { Command } from 'commander';
import type { Io } from '../io.ts';
import { DESCRIPTIONS, type CommandName } from './descriptions.ts';

export type RegisterCommand = (program: Command, io: Io, setExit: (code: number) => void) => unknown;

export interface CommandEntry {
  name: CommandName;
  /** The command as the top-level help lists it: its name, `[options]` when it has any, its arguments. */
  term: string;
  load: () => Promise<RegisterCommand>;
}

/** In the order the help lists them. */
export const COMMANDS: readonly CommandEntry[] = [
  { name: 'validate', term: 'validate [options] [dir]', load: async () => (await import('./validate.ts')).registerValidate },
  { name: 'init', term: 'init [options] [dir]', load: async () => (await import('./init.ts')).registerInit },
  { name: 'verify', term: 'verify [options]', load: async () => (await import('./verify.ts')).registerVerify },
  { name: 'export', term: 'export [options]', load: async () => (await import('./export.ts')).registerExport },
  { name: 'reconcile', term: 'reconcile [options]', load: async () => (await import('./reconcile.ts')).registerReconcile },
  { name: 'sweep', term: 'sweep [options]', load: async () => (await import('./sweep.ts')).registerSweep },
  { name: 'doctor', term: 'doctor [options]', load: async () => (await import('./doctor.ts')).registerDoctor },
  { name: 'observe', term: 'observe [options] [dir]', load: async () => (await import('./observe.ts')).registerObserve },
  { name: 'drift', term: 'drift [options] [dir]', load: async () => (await import('./drift.ts')).registerDrift },
  { name: 'import', term: 'import [options] [dir]', load: async () => (await import('./import.ts')).registerImport },
  { name: 'serve', term: 'serve', load: async () => (await import('./serve.ts')).registerServe },
  { name: 'keygen', term: 'keygen [options]', load: async () => (await import('./keygen.ts')).registerKeygen },
];

/**
 * The command `argv` runs, or whose help it asks for (`help <command>`): the first argument that
 * is not an option. The program's own options (`--help`, `--version`) take no value, so nothing
 * before the command can be an option's value.
 */
export function commandOf(argv: readonly string[]): CommandName | undefined {
  const words = argv.filter((a) => !a.startsWith('-'));
  const name = words[0] === 'help' ? words[1] : words[0];
  return COMMANDS.find((c) => c.name === name)?.name;
}

/**
 * Registers the command `argv` names (or every command, with `load: 'all'`), and a stand-in for
 * each of the others that only the top-level help and commander's "did you mean" see.
 */
export async function registerCommands(
  program: Command,
  io: Io,
  setExit: (code: number) => void,
  argv: readonly string[],
  load: 'named' | 'all' = 'named',
): Promise<void> {
  const wanted = load === 'all' ? undefined : commandOf(argv);
  const terms = new Map<Command, string>();
  for (const entry of COMMANDS) {
    if (load === 'all' || entry.name === wanted) {
      (await entry.load())(program, io, setExit);
      continue;
    }
    const stand = program
      .command(entry.name)
      .description(DESCRIPTIONS[entry.name])
      .allowUnknownOption()
      .allowExcessArguments()
      .action(() => {
        // Never reached when commandOf agrees with commander; if it ever does not, fail loudly.
        throw new Error(`the ${entry.name} command was not loaded; run it as \`access-ledger ${entry.name} …\` with its options after the name`);
      });
    terms.set(stand, entry.term);
  }
  if (terms.size > 0) {
    const listed = program.createHelp();
    program.configureHelp({ subcommandTerm: (cmd) => terms.get(cmd) ?? listed.subcommandTerm(cmd) });
  }
}
