/**
 * `access-ledger serve`: the GitHub App's HTTP server, from the installed package, exactly as
 * `npm start` runs it in a checkout (src/app/server.ts): configured by Probot's environment
 * (APP_ID, PRIVATE_KEY or PRIVATE_KEY_PATH, WEBHOOK_SECRET, PORT, HOST, GHE_HOST …, see
 * docs/app.md "Environment"), with a `.env` in the current folder filling in what is not set.
 *
 * It runs until SIGTERM or SIGINT (then finishes ledger appends in flight). A missing setting is a
 * usage error (exit 2) naming it; so is registering the App without an app.yml to read.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { UsageError, type Io } from '../io.ts';
import { DESCRIPTIONS } from './descriptions.ts';

/** The package's own app.yml (the manifest the App is registered from). */
function packagedManifest(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  // src/cli/commands/ in a checkout; build/src/cli/commands/ in the installed package.
  const root = here.split(sep).slice(-4, -3)[0] === 'build' ? resolve(here, '../../../..') : resolve(here, '../../..');
  return join(root, 'app.yml');
}

export async function runServe(io: Io, cwd: string = process.cwd()): Promise<void> {
  // Loaded only here: the App's dependencies (Probot, its logger) are not needed by the other commands.
  const server = await import('../../app/server.ts');
  server.loadDotEnv(io.env, join(cwd, '.env'));
  if (!server.configured(io.env) && io.env.NODE_ENV !== 'production' && !existsSync(join(cwd, 'app.yml'))) {
    throw new UsageError(
      'APP_ID and PRIVATE_KEY (or PRIVATE_KEY_PATH) are not set. To run a registered App, set them and WEBHOOK_SECRET (docs/app.md, "Environment"). ' +
        `To register the App from its manifest, run \`access-ledger serve\` in a folder holding app.yml (copy ${packagedManifest()}); Probot writes the new App's credentials to .env there`,
    );
  }
  try {
    await server.main(io.env);
  } catch (err) {
    // The App's own checks (a missing WEBHOOK_SECRET, a setting out of range) say what to set.
    throw new UsageError((err as Error).message);
  }
}

export function registerServe(program: Command, io: Io, _setExit: (code: number) => void): void {
  program
    .command('serve')
    .description(DESCRIPTIONS.serve)
    .action(async () => {
      await runServe(io);
    });
}
