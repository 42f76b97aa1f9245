/**
 * `access-ledger doctor --repo owner/name`: reads how the access repository is set up on GitHub
 * and says what lets a person or a pull request get around the gate or the ledger, each with its
 * fix: keys that can write within reach of a branch or a pull request, privileged workflows that
 * check out the head, the gate not required, the ledger branch writable by people, CODEOWNERS
 * missing or not covering the policy and the workflows, Issues off, the App not installed.
 *
 * Exit 0 when every check passes, 1 when one fails or cannot be read (a check that cannot look
 * does not pass), 2 on a usage or runtime error.
 */
import type { Command } from 'commander';
import { formatDoctorText } from '../../core/doctor/index.ts';
import { runDoctor } from '../../adapters/github/doctor.ts';
import type { SweepOctokit } from '../../adapters/github/issues.ts';
import { UsageError, type Io } from '../io.ts';
import { cliOctokit } from './reconcile.ts';
import { DESCRIPTIONS } from './descriptions.ts';

export interface DoctorArgs {
  repo: string;
  token?: string;
  apiUrl?: string;
  format?: 'text' | 'json';
  appSlug?: string;
  gateCheck?: string;
  /** The gate App's App ID; default the config's `gate.app_id`. */
  gateAppId?: number;
  ledgerKeySecrets?: string[];
  /** For tests and embedding: an Octokit to use instead of one built from the token. */
  octokit?: SweepOctokit;
}

export const DOCTOR_TOKEN_HELP =
  "doctor needs a GitHub token: pass --token or set GITHUB_TOKEN. A repository admin's token sees everything it checks (e.g. `GITHUB_TOKEN=$(gh auth token)`); the App's installation token needs Administration: read for branch protection";

export async function runDoctorCommand(args: DoctorArgs, io: Io): Promise<number> {
  const m = /^([A-Za-z0-9][A-Za-z0-9-]*)\/([A-Za-z0-9._-]+)$/.exec(args.repo);
  if (!m) throw new UsageError(`--repo must be owner/name, not ${JSON.stringify(args.repo)}`);
  const token = args.token ?? io.env.GITHUB_TOKEN ?? io.env.GH_TOKEN;
  if (!args.octokit && !token) throw new UsageError(DOCTOR_TOKEN_HELP);
  const warn = (msg: string) => io.stderr(`access-ledger: ${msg}\n`);
  const octokit = args.octokit ?? cliOctokit(token!, args.apiUrl ?? io.env.GITHUB_API_URL ?? 'https://api.github.com', warn);
  const { report } = await runDoctor(
    octokit,
    { owner: m[1]!, repo: m[2]! },
    {
      ...(args.appSlug ? { appSlug: args.appSlug } : {}),
      ...(args.gateCheck ? { gateCheck: args.gateCheck } : {}),
      ...(args.gateAppId !== undefined ? { gateAppId: args.gateAppId } : {}),
      ...(args.ledgerKeySecrets?.length ? { ledgerKeySecrets: args.ledgerKeySecrets } : {}),
    },
  );
  io.stdout(args.format === 'json' ? JSON.stringify(report, null, 2) + '\n' : formatDoctorText(report, io.color));
  return report.ok ? 0 : 1;
}

export function registerDoctor(program: Command, io: Io, setExit: (code: number) => void): void {
  program
    .command('doctor')
    .description(DESCRIPTIONS.doctor)
    .requiredOption('--repo <owner/name>', 'the access repository on GitHub')
    .option('--token <token>', 'GitHub token (default: GITHUB_TOKEN or GH_TOKEN)')
    .option('--api-url <url>', 'GitHub API URL (default: GITHUB_API_URL or https://api.github.com)')
    .option('-f, --format <format>', 'text or json', 'text')
    .option('--app-slug <slug>', "the ledger App's slug, to find its installation (default: ledger.app_login in the config without [bot], else access-ledger)")
    .option('--gate-check <name>', "the gate's check name, when it is not the gate job's name")
    .option('--gate-app-id <id>', "the gate App's App ID, the one source access-ledger/gate may be required from (default: gate.app_id in the config)")
    .option(
      '--ledger-key-secret <name...>',
      "secret names that hold the ledger App's private key (default: ACCESS_LEDGER_APP_PRIVATE_KEY, ACCESS_LEDGER_APP_KEY)",
    )
    .action(
      async (opts: {
        repo: string;
        token?: string;
        apiUrl?: string;
        format: string;
        appSlug?: string;
        gateCheck?: string;
        gateAppId?: string;
        ledgerKeySecret?: string[];
      }) => {
        if (opts.format !== 'text' && opts.format !== 'json') throw new UsageError(`--format must be text or json, not ${opts.format}`);
        if (opts.appSlug !== undefined && !/^[a-z0-9][a-z0-9-]*$/.test(opts.appSlug))
          throw new UsageError(`--app-slug must be an App's slug (lower-case letters, digits, hyphens), not ${JSON.stringify(opts.appSlug)}`);
        for (const s of opts.ledgerKeySecret ?? [])
          if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(s)) throw new UsageError(`--ledger-key-secret must be a secret's name, not ${JSON.stringify(s)}`);
        const args: DoctorArgs = { repo: opts.repo, format: opts.format };
        if (opts.appSlug) args.appSlug = opts.appSlug;
        if (opts.token) args.token = opts.token;
        if (opts.apiUrl) args.apiUrl = opts.apiUrl;
        if (opts.gateCheck) args.gateCheck = opts.gateCheck;
        if (opts.gateAppId !== undefined) {
          if (!/^[1-9][0-9]{0,11}$/.test(opts.gateAppId))
            throw new UsageError(`--gate-app-id must be the gate App's App ID, a number (its settings page shows it), not ${JSON.stringify(opts.gateAppId)}`);
          args.gateAppId = Number(opts.gateAppId);
        }
        if (opts.ledgerKeySecret) args.ledgerKeySecrets = opts.ledgerKeySecret;
        setExit(await runDoctorCommand(args, io));
      },
    );
}
