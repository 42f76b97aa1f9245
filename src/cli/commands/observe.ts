/**
 * `access-ledger observe [dir] --system ID [--from FILE] [--out FILE]`: what a system itself lists
 * of who has access, as a snapshot (docs/observed-access.md). The GitHub organization is listed
 * live with a token; any other system is read from its own export, through the connector its
 * system file names. `--record --repo OWNER/NAME` appends the snapshot to the ledger with its raw
 * export.
 *
 * Exit 0 when the snapshot was written (gaps are named in it and on stderr), 2 on a usage or
 * runtime error: an export that cannot be read, a refused permission (named), a missing token.
 */
import { readFile, stat, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { isTimestamp, toTimestamp } from '../../core/ledger/index.ts';
import { buildSnapshot as buildRepoSnapshot, roleOf, type Snapshot } from '../../core/model/snapshot.ts';
import type { System } from '../../core/model/types.ts';
import type { ObserveConfig } from '../../core/observe/mapped.ts';
import { buildSnapshot, connectorOf, extractionCommand, rawFormatOf, runConnector, serializeSnapshot } from '../../core/observe/snapshot.ts';
import { SnapshotConflictError, recordSnapshot } from '../../adapters/github/ledger-snapshots.ts';
import { ObserveError, type ConnectorId, type ObservedSnapshot } from '../../core/observe/types.ts';
import { terminalText } from '../../core/text/escape.ts';
import { listRepoPaths, readRepoFilesSync } from '../../adapters/fs/read-repo.ts';
import type { LedgerOctokit } from '../../adapters/github/ledger-store.ts';
import { DEFAULT_LEDGER_BRANCH } from '../../core/ledger/index.ts';
import { defaultDeps } from '../../app/deps.ts';
import { cliAppLogin, ledgerStoreFor } from '../../app/ledger/trust.ts';
import { observeOrganization, type ObserveOctokit } from '../../adapters/github/observe-org.ts';
import { UsageError, type Io } from '../io.ts';
import { cliOctokit } from './reconcile.ts';
import { DESCRIPTIONS } from './descriptions.ts';

/** An export larger than this is not an account listing; reading it would only exhaust memory. */
export const MAX_EXPORT_BYTES = 512 * 2 ** 20;

export interface ObserveArgs {
  dir: string;
  system: string;
  from?: string;
  out?: string;
  rawOut?: string;
  takenAt?: string;
  token?: string;
  apiUrl?: string;
  skipTokens?: boolean;
  record?: boolean;
  repo?: string;
  /** With --record: the App's bot account (default: ledger.app_login of the config, else GitHub's answer for the token). */
  appLogin?: string;
  /** For tests and embedding: an Octokit to use instead of one built from the token. */
  octokit?: ObserveOctokit & LedgerOctokit;
}

/** The access repo's config and systems (grants are not needed to observe). */
export async function readPolicyFiles(dir: string): Promise<Snapshot> {
  const root = resolve(dir);
  const info = await stat(root).catch(() => undefined);
  if (!info?.isDirectory()) throw new UsageError(`${dir} is not a directory: pass the root of an access repo`);
  const paths = (await listRepoPaths(root)).filter((p) => roleOf(p) === 'config' || roleOf(p) === 'system');
  return buildRepoSnapshot(await readRepoFilesSync(root, paths));
}

export interface ResolvedSystem {
  id: string;
  connector: ConnectorId;
  config: ObserveConfig | undefined;
  file: string | null;
}

/** The system to observe and its connector: from its file's `observe:` block; `github` without a file is the organization. */
export function resolveSystem(repo: Snapshot, id: string): ResolvedSystem {
  const file = repo.systems.find((s) => s.data?.id === id || s.path === `systems/${id}.yaml` || s.path === `systems/${id}.yml`);
  if (file && !file.data) {
    const first = file.problems.find((p) => p.severity === 'error');
    throw new UsageError(`${file.path} cannot be read (line ${first?.line ?? 1}: ${first?.message ?? 'invalid'}): fix it first (access-ledger validate)`);
  }
  const system: System | undefined = file?.data;
  if (!system) {
    if (id === 'github') return { id, connector: 'github-org', config: undefined, file: null };
    const known = repo.systems.map((s) => s.data?.id).filter(Boolean);
    throw new UsageError(
      `there is no system ${JSON.stringify(id)} under systems/${known.length ? ` (the systems are ${known.slice(0, 10).join(', ')}${known.length > 10 ? ', …' : ''})` : ''}`,
    );
  }
  const connector = connectorOf(system.observe) ?? (id === 'github' ? 'github-org' : undefined);
  if (!connector) {
    throw new UsageError(
      `${file!.path} has no observe block, so access-ledger does not know how to read ${id}'s listing: add one, e.g. observe: { connector: aws-iam-credential-report } or observe: { format: csv, columns: { account: email, role: group } } (docs/observed-access.md)`,
    );
  }
  return { id: system.id, connector, config: system.observe, file: file!.path };
}

export async function readExport(path: string): Promise<Uint8Array> {
  const info = await stat(path).catch(() => undefined);
  if (!info?.isFile()) throw new UsageError(`${path} is not a file: pass the system's export with --from`);
  if (info.size > MAX_EXPORT_BYTES) throw new UsageError(`${path} is ${info.size} bytes, over the ${MAX_EXPORT_BYTES / 2 ** 20} MiB an account listing may be`);
  return readFile(path);
}

function summaryLines(s: ObservedSnapshot): string[] {
  const lines = [
    `observed ${s.system} (${s.connector}${s.scope ? `, ${s.scope}` : ''}) at ${s.taken_at}: ${s.accounts.length} account(s) from ${s.row_count} row(s); raw export SHA-256 ${s.raw_sha256} (${s.raw_bytes} bytes)`,
  ];
  if (s.source.calls !== null) lines.push(`GitHub requests: ${s.source.calls}`);
  for (const g of s.gaps) lines.push(`gap: ${g}`);
  return lines;
}

export async function runObserve(args: ObserveArgs, io: Io): Promise<number> {
  if (args.takenAt !== undefined && !isTimestamp(args.takenAt))
    throw new UsageError(`--taken-at must be a UTC time like 2026-11-20T10:00:00Z, not ${args.takenAt}`);
  let repoRef: { owner: string; repo: string } | undefined;
  if (args.record) {
    const m = /^([A-Za-z0-9][A-Za-z0-9-]*)\/([A-Za-z0-9._-]+)$/.exec(args.repo ?? '');
    if (!m)
      throw new UsageError(
        `--record needs --repo OWNER/NAME, the access repo whose ledger records the snapshot${args.repo ? ` (not ${JSON.stringify(args.repo)})` : ''}`,
      );
    repoRef = { owner: m[1]!, repo: m[2]! };
  } else if (args.repo) {
    throw new UsageError('--repo is for --record: pass both to record the snapshot on the ledger');
  }
  const repo = await readPolicyFiles(args.dir);
  const system = resolveSystem(repo, args.system);
  const takenAt = args.takenAt ?? toTimestamp(io.now());
  const token = args.token ?? io.env.GITHUB_TOKEN ?? io.env.GH_TOKEN;
  const apiUrl = args.apiUrl ?? io.env.GITHUB_API_URL ?? 'https://api.github.com';
  const warn = (msg: string) => io.stderr(`access-ledger: ${terminalText(msg)}\n`);
  let octokit = args.octokit;
  const client = (): ObserveOctokit & LedgerOctokit => {
    if (octokit) return octokit;
    if (!token) {
      throw new UsageError(
        system.connector === 'github-org' && !args.from
          ? 'observing the GitHub organization needs a token: pass --token or set GITHUB_TOKEN (members: read and organization_administration: read; organization_personal_access_tokens: read for the tokens, or --skip-tokens)'
          : 'recording needs a GitHub token: pass --token or set GITHUB_TOKEN (contents: write on the access repo)',
      );
    }
    octokit = cliOctokit(token, apiUrl, warn);
    return octokit;
  };

  let raw: Uint8Array;
  let snapshot: ObservedSnapshot;
  try {
    if (system.connector === 'github-org' && !args.from) {
      const organization = system.config?.organization ?? repo.config?.data?.organization;
      if (!organization)
        throw new UsageError(
          `which organization? set organization in access-ledger.yaml, or observe.organization in ${system.file ?? `systems/${system.id}.yaml`}`,
        );
      const listed = await observeOrganization({ octokit: client(), organization, api: apiUrl, ...(args.skipTokens ? { skipTokens: true } : {}) });
      raw = Buffer.from(JSON.stringify(listed.export, null, 2) + '\n');
      const result = runConnector('github-org', raw, `the ${organization} listing`, system.config, takenAt);
      snapshot = buildSnapshot({
        system: system.id,
        connector: 'github-org',
        takenAt,
        source: { type: 'api', file: null, command: `access-ledger observe --system ${system.id}`, api: apiUrl, calls: listed.calls },
        raw,
        rawFormat: 'json',
        result,
      });
    } else {
      if (!args.from)
        throw new UsageError(`${system.id} is read from its own export: pass it with --from FILE (docs/observed-access.md has the command for each system)`);
      if (args.skipTokens) throw new UsageError('--skip-tokens is for listing the GitHub organization live');
      raw = await readExport(args.from);
      const result = runConnector(system.connector, raw, args.from, system.config, takenAt);
      snapshot = buildSnapshot({
        system: system.id,
        connector: system.connector,
        takenAt,
        source: { type: 'file', file: args.from, command: extractionCommand(system.connector, system.config), api: null, calls: null },
        raw,
        rawFormat: rawFormatOf(system.connector, system.config),
        result,
      });
    }
  } catch (err) {
    if (err instanceof ObserveError) throw new UsageError(err.message);
    throw err;
  }

  const text = serializeSnapshot(snapshot);
  if (args.rawOut) await writeFile(args.rawOut, raw);
  if (args.out) {
    await writeFile(args.out, text);
    io.stdout(
      summaryLines(snapshot)
        .map((l) => terminalText(l))
        .join('\n') + `\nwrote ${terminalText(args.out)}\n`,
    );
  } else {
    io.stdout(text);
    io.stderr(
      summaryLines(snapshot)
        .map((l) => `access-ledger: ${terminalText(l)}`)
        .join('\n') + '\n',
    );
  }

  if (args.record && repoRef) {
    const branch = repo.config?.data?.ledger?.branch;
    // Signed with the App's key and checked against the App's own writes, as every ledger append is.
    const octokit = client();
    const deps = { ...defaultDeps(io.env), clock: () => io.now(), appLogin: cliAppLogin(octokit, repoRef, args.appLogin) };
    const store = await ledgerStoreFor(octokit, repoRef, branch ?? DEFAULT_LEDGER_BRANCH, deps, repo.config?.data ?? null);
    let recorded: Awaited<ReturnType<typeof recordSnapshot>>;
    try {
      recorded = await recordSnapshot(store, snapshot, raw, `${repoRef.owner}/${repoRef.repo}`);
    } catch (err) {
      if (err instanceof SnapshotConflictError) throw new UsageError(err.message);
      throw err;
    }
    const line = `recorded seq ${recorded.record.seq} ${recorded.record.key} on ${repoRef.owner}/${repoRef.repo} branch ${store.branch}; raw export at ${recorded.rawPath}`;
    if (args.out) io.stdout(`${terminalText(line)}\n`);
    else io.stderr(`access-ledger: ${terminalText(line)}\n`);
  }
  return 0;
}

export function registerObserve(program: Command, io: Io, setExit: (code: number) => void): void {
  program
    .command('observe')
    .description(DESCRIPTIONS.observe)
    .argument('[dir]', 'root of the access repo (its systems/ say how each system is read)', '.')
    .requiredOption('--system <id>', 'the system, as in systems/<id>.yaml (github: the organization)')
    .option('--from <file>', "the system's export (an IAM credential report, a CSV or JSON export; for github, a raw export written with --raw-out)")
    .option('--out <file>', 'write the snapshot here instead of to standard output')
    .option('--raw-out <file>', 'also write the raw export (for github: what the API listed)')
    .option('--taken-at <time>', 'when the export was taken, as a UTC time (default: now)')
    .option('--token <token>', 'GitHub token (default: GITHUB_TOKEN or GH_TOKEN)')
    .option('--api-url <url>', 'GitHub API URL (default: GITHUB_API_URL or https://api.github.com)')
    .option('--skip-tokens', 'github: do not list fine-grained personal access tokens; record them as a gap')
    .option('--record', 'append the snapshot to the ledger, with its raw export (needs --repo)')
    .option('--repo <owner/name>', 'with --record: the access repo whose ledger records it')
    .option('--app-login <login>', "with --record: the App's bot account, e.g. access-ledger[bot] (default: ledger.app_login of access-ledger.yaml)")
    .action(
      async (
        dir: string,
        opts: {
          system: string;
          from?: string;
          out?: string;
          rawOut?: string;
          takenAt?: string;
          token?: string;
          apiUrl?: string;
          skipTokens?: boolean;
          record?: boolean;
          repo?: string;
          appLogin?: string;
        },
      ) => {
        const args: ObserveArgs = { dir, system: opts.system };
        for (const k of ['from', 'out', 'rawOut', 'takenAt', 'token', 'apiUrl', 'repo', 'appLogin'] as const) if (opts[k] !== undefined) args[k] = opts[k];
        if (opts.skipTokens) args.skipTokens = true;
        if (opts.record) args.record = true;
        setExit(await runObserve(args, io));
      },
    );
}
