/**
 * `access-ledger keygen --out FILE [--from DATE]`: a new ledger signing key (Ed25519). The private
 * key goes to FILE (created with mode 0600, never overwritten) for the App's environment
 * (ACCESS_LEDGER_SIGNING_KEY); the public key is printed as the `ledger.public_keys` entry to add
 * to access-ledger.yaml (docs/ledger.md, "Signatures").
 */
import { type FileHandle, open } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { isIsoDate } from '../../core/dates.ts';
import { generateLedgerKey, toTimestamp } from '../../core/ledger/index.ts';
import { UsageError, type Io } from '../io.ts';
import { DESCRIPTIONS } from './descriptions.ts';

export interface KeygenArgs {
  out: string;
  /** The first day the App will sign with the key (default today, UTC). */
  from?: string;
}

export async function runKeygen(args: KeygenArgs, io: Io): Promise<number> {
  const from = args.from ?? toTimestamp(io.now()).slice(0, 10);
  if (!isIsoDate(from)) throw new UsageError(`--from must be a date YYYY-MM-DD, not ${JSON.stringify(from)}`);
  const key = generateLedgerKey();
  const path = resolve(args.out);
  let file: FileHandle;
  try {
    // 'wx': fail if it exists, so an existing key (and the evidence it signs) is never replaced by accident.
    file = await open(path, 'wx', 0o600);
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'EEXIST') throw new UsageError(`${args.out} already exists: choose another file (a signing key is never overwritten)`);
    throw new UsageError(`cannot create ${args.out}: ${(err as Error).message}`);
  }
  try {
    await file.writeFile(key.privateKeyPem);
  } finally {
    await file.close();
  }
  io.stdout(
    `Wrote the private key of ledger key ${key.keyId} to ${path} (mode 0600).\n` +
      `Keep it secret: give it to the App as ACCESS_LEDGER_SIGNING_KEY (the PEM itself), and to the scheduled sweep as the secret ACCESS_LEDGER_SIGNING_KEY of the environment access-ledger-sweep, and to nothing else.\n\n` +
      `Add the public key to access-ledger.yaml (keep the entries of earlier keys, with their until):\n\n` +
      `ledger:\n  public_keys:\n    - id: ${key.keyId}\n      key: ${key.publicKey}\n      from: ${from}\n`,
  );
  return 0;
}

export function registerKeygen(program: Command, io: Io, setExit: (code: number) => void): void {
  program
    .command('keygen')
    .description(DESCRIPTIONS.keygen)
    .requiredOption('--out <file>', 'where to write the private key (PEM; created with mode 0600, never overwritten)')
    .option('--from <date>', 'the first day (UTC) the App signs with this key (default: today)')
    .action(async (opts: { out: string; from?: string }) => {
      setExit(await runKeygen({ out: opts.out, ...(opts.from ? { from: opts.from } : {}) }, io));
    });
}
