/**
 * Sweeping from the App: every installation, every access repo in it (a repository with an
 * access-ledger.yaml, or the ones ACCESS_LEDGER_REPOSITORIES names), one at a time. A failure in
 * one repository is logged and the others are still swept. Runs never overlap in one process;
 * across replicas the sweep itself is safe to run twice (see src/adapters/github/issues.ts).
 */
import type { Probot } from 'probot';
import { toTimestamp } from '../../core/ledger/index.ts';
import { leaverRecordDraft } from '../../core/leavers.ts';
import { DEFAULT_LEDGER_BRANCH } from '../../core/ledger/record.ts';
import type { LedgerStore } from '../../adapters/github/ledger-store.ts';
import type { RepoConfig } from '../../core/model/types.ts';
import { appendWithAnomalyIssues, ledgerStoreFor, trustFor } from '../ledger/trust.ts';
import { type MembershipReader, runSweep, type SweepOctokit, type SweepReport } from '../../adapters/github/sweep.ts';
import { listAll, type RepoRef } from '../../adapters/github/issues.ts';
import type { AppDeps } from '../deps.ts';
import { gitHubPort } from '../../adapters/github/port.ts';
import { CONFIG_PATHS } from '../../core/model/snapshot.ts';
import type { SweepSettings } from './settings.ts';

export interface Log {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface SweepFeature {
  settings: SweepSettings;
  membership: MembershipReader;
  /** Write pacing; tests inject a clock and a sleep. */
  pacing?: { minIntervalMs?: number; now?: () => number; sleep?: (ms: number) => Promise<void> };
  /** Finds the access repos an installation covers (default: list them and look for the config). */
  discover?: (octokit: SweepOctokit, installationId: number) => Promise<RepoRef[]>;
  /** The ledger's reconcile for one repo, when the App has it. */
  reconcile?: (octokit: SweepOctokit, repo: RepoRef) => Promise<void>;
  /** Told how many files of a repo the sweep's worker has read, every thousand. */
  onProgress?: (repo: RepoRef, files: number) => void;
}

interface InstallationRepo {
  name: string;
  full_name: string;
  archived?: boolean;
  owner: { login: string };
}

async function hasConfig(octokit: SweepOctokit, repo: RepoRef): Promise<boolean> {
  const port = gitHubPort(octokit);
  for (const path of CONFIG_PATHS) {
    const file = await port.callOrNull(
      'GET /repos/{owner}/{repo}/contents/{path}',
      { path },
      { action: `looking for ${path}`, permission: 'contents: read', repo },
    );
    if (file !== null) return true;
  }
  return false;
}

/** The access repos of an installation: those named in settings, or every repo with an access-ledger.yaml. */
export async function discoverAccessRepos(octokit: SweepOctokit, feature: SweepFeature, installationId: number): Promise<RepoRef[]> {
  if (feature.discover) return feature.discover(octokit, installationId);
  const port = gitHubPort(octokit);
  if (feature.settings.repositories) {
    // Named repos: this installation's token sees the ones it covers (404 for the others).
    const out: RepoRef[] = [];
    for (const full of feature.settings.repositories) {
      const [owner, name] = full.split('/') as [string, string];
      const data = await port.callOrNull<{ archived?: boolean; owner: { login: string }; name: string }>(
        'GET /repos/{owner}/{repo}',
        {},
        { action: `reading ${full}`, permission: 'metadata: read', repo: { owner, repo: name } },
      );
      if (data && !data.archived) out.push({ owner: data.owner.login, repo: data.name });
    }
    return out;
  }
  // GitHub wraps this listing (`{ total_count, repositories }`); the port's pagination unwraps it.
  const all = await port.paginate<InstallationRepo>(
    'GET /installation/repositories',
    {},
    {
      action: `listing the repositories of installation ${installationId}`,
      subject: `installation ${installationId}`,
      permission: 'metadata: read',
      notFound:
        'the installation was removed, or the call was not made with its installation token; reinstall the App or set ACCESS_LEDGER_REPOSITORIES to the access repos',
    },
    { maxPages: 1000, narrow: 'Set ACCESS_LEDGER_REPOSITORIES to the access repos instead of looking through every repository of the installation.' },
  );
  const out: RepoRef[] = [];
  for (const r of all) {
    if (r.archived) continue;
    const ref = { owner: r.owner.login, repo: r.name };
    if (await hasConfig(octokit, ref)) out.push(ref);
  }
  return out;
}

/** The ledger store of an access repo for the sweep's writers (signed, never adopting a foreign record). */
export function sweepLedgerStore(
  octokit: SweepOctokit,
  repo: RepoRef,
  branch: string | undefined,
  deps: AppDeps,
  config?: RepoConfig | null,
): Promise<LedgerStore> {
  return ledgerStoreFor(octokit, repo, branch ?? DEFAULT_LEDGER_BRANCH, deps, config);
}

/** Sweeps one repo with the App's installation token; a leaver the sweep finds first is recorded with the day it was found. */
export async function sweepRepo(octokit: SweepOctokit, repo: RepoRef, deps: AppDeps, feature: SweepFeature, log: Log): Promise<SweepReport> {
  const report = await runSweep({
    octokit,
    repo,
    packs: deps.packs(),
    now: deps.clock,
    membership: feature.membership,
    log,
    ...(feature.pacing ? { pacing: feature.pacing } : {}),
    pacer: deps.writePacer,
    onNewLeaver: async ({ login, organization, affected, ledgerBranch, octokit: swept }) => {
      // Day precision: the sweep only knows the day it noticed, and two replicas noticing on the
      // same day then write the same record path, which the ledger deduplicates.
      const leftAt = `${toTimestamp(deps.clock()).slice(0, 10)}T00:00:00Z`;
      const store = await sweepLedgerStore(swept, repo, ledgerBranch, deps);
      await appendWithAnomalyIssues(
        store,
        [leaverRecordDraft({ repository: `${repo.owner}/${repo.repo}`, organization, login, leftAt, source: 'sweep', affected })],
        { octokit: swept, repo, deps },
      );
    },
    ...(feature.reconcile ? { afterSweep: (swept: SweepOctokit) => feature.reconcile!(swept, repo) } : {}),
    ...(feature.onProgress ? { onProgress: (files: number) => feature.onProgress!(repo, files) } : {}),
    ...(feature.settings.doctor === false ? {} : { doctor: { asApp: true, ...(deps.gateCheckName !== 'gate' ? { gateCheck: deps.gateCheckName } : {}) } }),
    // Drift issues from the systems' recorded listings; the organization listed at most once a day.
    observed: {
      trust: (config) => trustFor(octokit, repo, deps, config),
      organization: {
        store: (config) => sweepLedgerStore(octokit, repo, config.ledger?.branch, deps, config),
        api: feature.settings.apiUrl ?? 'https://api.github.com',
      },
    },
  });
  return report;
}

/** Sweeps every access repo of every installation, one after the other. */
export function createSweepRunner(app: Probot, deps: AppDeps, feature: SweepFeature, log: Log) {
  let running: Promise<SweepReport[]> | null = null;

  async function sweepInstallation(installationId: number): Promise<SweepReport[]> {
    const octokit = gitHubPort(await app.auth(installationId));
    const reports: SweepReport[] = [];
    for (const repo of await discoverAccessRepos(octokit, feature, installationId)) {
      try {
        reports.push(await sweepRepo(octokit, repo, deps, feature, log));
      } catch (err) {
        log.error(`sweep of ${repo.owner}/${repo.repo} failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    return reports;
  }

  async function sweepAll(): Promise<SweepReport[]> {
    const appOctokit = gitHubPort(await app.auth());
    const installations = await listAll<{ id: number; account?: { login?: string } }>(
      appOctokit,
      'GET /app/installations',
      {},
      { owner: 'app', repo: 'installations' },
      "listing the App's installations",
      100,
      "the App's own credentials",
    );
    const reports: SweepReport[] = [];
    for (const inst of installations) {
      try {
        reports.push(...(await sweepInstallation(inst.id)));
      } catch (err) {
        log.error(`sweep of installation ${inst.id} (${inst.account?.login ?? '?'}) failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    return reports;
  }

  return {
    sweepInstallation,
    sweepAll,
    /** Starts a sweep of everything unless one is running; the promise settles when it ends. */
    trigger(): { started: boolean; done: Promise<SweepReport[]> } {
      if (running) return { started: false, done: running };
      const done = deps.work.track(sweepAll()).finally(() => {
        running = null;
      });
      running = done;
      return { started: true, done };
    },
  };
}
