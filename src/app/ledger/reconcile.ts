/**
 * Reconcile against GitHub: record the merged pull requests the ledger is missing (the App was
 * down, a delivery was lost), so the evidence is complete. Used by `access-ledger reconcile` and,
 * after each sweep, by the App.
 *
 * Reads: the repository, its config (for the ledger branch), the ledger's newest record (two
 * GraphQL reads), closed PRs newest update first until the window is passed (one request per 100),
 * and which of the merged ones already have a record (one GraphQL read per 100). Each missing PR
 * is then recorded exactly as the webhook would have recorded it.
 *
 * A few PRs are recorded at once (`concurrency`, default 4): their reads and the paced writes of
 * their comments overlap, and their records queue while a ledger commit is in flight, so the
 * store's group commit writes them together. The appends still take turns oldest merge first, so
 * the records' seq follows the order of the merges and the ledger never holds a newer backfilled
 * merge while an older one is still missing (short of a failure): a reconcile cut short (a
 * crash, a deploy) leaves no gap before the newest record, which is where the next run's window
 * starts.
 */
import { DEFAULT_LEDGER_BRANCH, HEAD_PATH, checkRecordSignature, parseHead, type Clock } from '../../core/ledger/index.ts';
import { grantChangePaths, missingMerges, reconcileWindow, scanPage, type ReconcileWindow } from '../../core/reconcile.ts';
import type { AppDeps } from '../deps.ts';
import { call, type RepoRef } from '../github.ts';
import { readRepoConfig } from './config.ts';
import { trustedKeys } from './trust.ts';
import { recordMerge, silentLog, type AppendTurn, type Log, type PullPayload, type RecordMergeOutcome } from './record-merge.ts';
import { readObjects } from '../../adapters/github/blobs.ts';
import { gitHubPort } from '../../adapters/github/port.ts';
import type { OctokitLike } from '../../adapters/github/pull-facts.ts';

export interface ReconcileOptions {
  octokit: OctokitLike;
  repo: RepoRef;
  deps: AppDeps;
  /** Look for merges from this time (default: a few days before the ledger's newest record). */
  since?: Date;
  /** Days before the newest record also looked at (default 3). */
  lookbackDays?: number;
  /** Never further back than this many days (default 90). */
  maxDays?: number;
  /** Closed PRs listed at most (default 1,000): past it the listing stops and the report says so. */
  maxPulls?: number;
  /** Report what is missing without recording it. */
  dryRun?: boolean;
  /** Missing PRs recorded at once (default RECONCILE_CONCURRENCY). */
  concurrency?: number;
  log?: Log;
  /** Called as each missing PR is handled (for progress output). */
  onRecorded?: (outcome: RecordMergeOutcome) => void;
}

export interface ReconcileFailure {
  pr: number;
  error: string;
}

export interface ReconcileReport {
  repository: string;
  branch: string;
  window: ReconcileWindow;
  /** Closed PRs read from the listing. */
  listed: number;
  /** Of those, merged into the default branch within the window. */
  merged: number;
  /** Merged PRs without a grant-change record, oldest first. */
  missing: number[];
  /** What recording each missing PR did (empty on a dry run). */
  outcomes: RecordMergeOutcome[];
  failures: ReconcileFailure[];
  /** The listing stopped at maxPulls before reaching the window's start. */
  truncated: boolean;
}

/** Missing PRs recorded at once by default: enough for group commits, gentle on GitHub's limits. */
export const RECONCILE_CONCURRENCY = 4;

/** `count` turns in order: turn i's wait() resolves once every turn before it is released. */
export function turnsInOrder(count: number): AppendTurn[] {
  const out: AppendTurn[] = [];
  let previous: Promise<void> = Promise.resolve();
  for (let i = 0; i < count; i++) {
    const mine = previous;
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    previous = mine.then(() => released);
    out.push({ wait: () => mine, release: () => release() });
  }
  return out;
}

interface RepoData {
  default_branch: string;
  html_url: string;
}

type ListedPullItem = PullPayload & { updated_at: string; merged_at: string | null; base: { ref: string; sha: string } };

/** The newest record's times, read from head.json and the record it names (null: empty ledger). */
async function newestRecord(octokit: OctokitLike, repo: RepoRef, branch: string): Promise<{ occurred_at: string; recorded_at: string } | null> {
  const rev = `refs/heads/${branch}`;
  const head = (await readObjects(octokit, repo, [`${rev}:${HEAD_PATH}`])).get(`${rev}:${HEAD_PATH}`);
  if (head?.kind !== 'blob' || head.text === null) return null;
  const parsed = parseHead(head.text);
  if (parsed.path === null) return null;
  const record = (await readObjects(octokit, repo, [`${rev}:${parsed.path}`])).get(`${rev}:${parsed.path}`);
  if (record?.kind !== 'blob' || record.text === null) {
    throw new Error(`head.json on ${repo.owner}/${repo.repo} branch ${branch} names ${parsed.path}, which is missing: run access-ledger verify`);
  }
  const r = JSON.parse(record.text) as { occurred_at: string; recorded_at: string };
  return { occurred_at: r.occurred_at, recorded_at: r.recorded_at };
}

export async function reconcile(options: ReconcileOptions): Promise<ReconcileReport> {
  const { octokit, repo, deps } = options;
  const log = options.log ?? silentLog;
  const what = (action: string, permission = 'metadata: read') => ({ action, permission, repo });
  const info = await call<RepoData>(octokit, 'GET /repos/{owner}/{repo}', {}, what('reading the repository'));
  const config = await readRepoConfig(octokit, repo, info.default_branch);
  const branch = config?.data?.ledger?.branch ?? DEFAULT_LEDGER_BRANCH;
  const clock: Clock = deps.clock;

  const window = reconcileWindow({
    now: clock(),
    newest: await newestRecord(octokit, repo, branch),
    ...(options.lookbackDays !== undefined ? { lookbackDays: options.lookbackDays } : {}),
    ...(options.maxDays !== undefined ? { maxDays: options.maxDays } : {}),
    ...(options.since ? { since: options.since } : {}),
  });

  const maxPages = Math.max(1, Math.ceil((options.maxPulls ?? 1000) / 100));
  const merged: (ListedPullItem & { merged_at: string })[] = [];
  let truncated = false;
  let pages = 0;
  const pulls = await gitHubPort(octokit).paginate<ListedPullItem>(
    'GET /repos/{owner}/{repo}/pulls',
    { state: 'closed', sort: 'updated', direction: 'desc' },
    what('listing closed pull requests', 'pull_requests: read'),
    {
      maxPages,
      narrow: 'Run reconcile with a later --since.',
      // The listing ends by its content: newest update first, it stops once it is past the window's
      // start. At `maxPages` it stops too, and the report says it was cut short (reconcile records
      // what it found; the next run with an explicit --since covers the rest).
      stop: (page) => {
        const items = page as ListedPullItem[];
        const scan = scanPage(items, window.since, info.default_branch);
        merged.push(...(scan.merged as (ListedPullItem & { merged_at: string })[]));
        if (scan.done || items.length < 100) return true;
        if (++pages >= maxPages) truncated = true;
        return truncated;
      },
    },
  );
  const listed = pulls.length;

  const rev = `refs/heads/${branch}`;
  const exprs = merged.flatMap((p) => grantChangePaths(p).map((path) => `${rev}:${path}`));
  const found = exprs.length > 0 ? await readObjects(octokit, repo, exprs) : new Map();
  // A record counts as there only if it is signed by a key the App trusts; anything else (a record
  // pushed by someone else, or one sealed before signing) goes through recordMerge, which checks
  // who wrote it and records the merge under another key if the App did not.
  const keys = trustedKeys(deps, config?.data);
  const missing = missingMerges(merged, (path) => {
    const obj = found.get(`${rev}:${path}`);
    if (obj === null || obj === undefined || obj.kind !== 'blob' || obj.text === null) return false;
    try {
      return checkRecordSignature(JSON.parse(obj.text) as Record<string, unknown>, keys).status === 'valid';
    } catch {
      return false;
    }
  });
  const report: ReconcileReport = {
    repository: `${repo.owner}/${repo.repo}`,
    branch,
    window,
    listed,
    merged: merged.length,
    missing: missing.map((p) => p.number),
    outcomes: [],
    failures: [],
    truncated,
  };
  if (truncated)
    log.warn(`reconcile stopped after ${listed} closed pull requests before reaching ${window.since}: run it with an explicit --since to cover the rest`);
  if (options.dryRun) return report;

  const complete = async (pull: PullPayload): Promise<PullPayload> =>
    call<PullPayload>(
      octokit,
      'GET /repos/{owner}/{repo}/pulls/{pull_number}',
      { pull_number: pull.number },
      what(`reading pull request #${pull.number}`, 'pull_requests: read'),
    );
  const turns = turnsInOrder(missing.length);
  const outcomes: (RecordMergeOutcome | undefined)[] = [];
  const failures: (ReconcileFailure | undefined)[] = [];
  const recordOne = async (i: number): Promise<void> => {
    const pull = missing[i]!;
    try {
      const outcome = await deps.work.track(
        recordMerge({ octokit, repo, repositoryUrl: info.html_url, defaultBranch: info.default_branch, pull, deps, log, complete, appendTurn: turns[i]! }),
      );
      outcomes[i] = outcome;
      options.onRecorded?.(outcome);
    } catch (err) {
      // One PR failing must not hide the others: report it, go on, and let the caller fail.
      failures[i] = { pr: pull.number, error: err instanceof Error ? err.message : String(err) };
      log.warn(`could not record PR #${pull.number}: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      // A PR that appended nothing (already recorded, not an access change, failed) lets the next one go.
      turns[i]!.release();
    }
  };
  // Workers take the missing PRs oldest first; each waits for its turn only at the append.
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < missing.length) await recordOne(next++);
  };
  const width = Math.max(1, Math.min(options.concurrency ?? RECONCILE_CONCURRENCY, missing.length));
  await Promise.all(Array.from({ length: width }, worker));
  report.outcomes = outcomes.filter((o): o is RecordMergeOutcome => o !== undefined);
  report.failures = failures.filter((f): f is ReconcileFailure => f !== undefined);
  return report;
}
