/**
 * `access-ledger <command>`. Exit codes (contract): 0 ok, 1 findings or verification failure,
 * 2 usage or runtime error. Errors are one clear line, never a stack trace (set
 * ACCESS_LEDGER_DEBUG=1 to see one).
 */
import { Command, CommanderError } from 'commander';
import { processIo, UsageError, type Io } from './io.ts';
import { VERSION } from '../core/version.ts';
import { terminalText } from '../core/text/escape.ts';
import { registerCommands } from './commands/registry.ts';
import { addExamples } from './help.ts';

export async function main(argv: string[], io: Io = processIo()): Promise<number> {
  let exitCode = 0;
  const setExit = (code: number) => {
    exitCode = code;
  };
  const program = new Command('access-ledger')
    .description('Access-as-code with evidence an auditor accepts')
    .version(VERSION)
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout(s), writeErr: (s) => io.stderr(s) })
    .showHelpAfterError('(run access-ledger --help for usage)');
  // Only the command being run is loaded (src/cli/commands/registry.ts).
  await registerCommands(program, io, setExit, argv);
  addExamples(program);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return 0;
      return 2;
    }
    // Messages may quote a file name or a value from the repo: no escape sequence, no secret.
    if (err instanceof UsageError) {
      io.stderr(`access-ledger: ${terminalText(err.message)}\n`);
      return 2;
    }
    const e = err as Error;
    io.stderr(`access-ledger: ${terminalText(e.message)}\n`);
    if (io.env.ACCESS_LEDGER_DEBUG) io.stderr(`${e.stack}\n`);
    return 2;
  }
}
