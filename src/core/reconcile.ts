/**
 * Reconcile: find merged pull requests that the ledger does not hold yet (the App was down, a
 * webhook delivery was lost) so they can be recorded. Pure planning: which window of time to
 * look at, when a listing of closed PRs (newest update first) can stop, and which of the merged
 * PRs still need a record. The App's use case (src/app/ledger/reconcile.ts) does the reading.
 */
import { grantChangeKey, recordPathCandidates, toTimestamp, type Timestamp } from './ledger/index.ts';

const DAY_MS = 86_400_000;

export interface WindowOptions {
  now: Date;
  /**
   * The newest record on the ledger (head.json's record), or null when the ledger is empty.
   * Its occurred_at and recorded_at both bound the window: a backfilled record can be recorded
   * long after it occurred, and the App may have been down since either.
   */
  newest: { occurred_at: Timestamp; recorded_at: Timestamp } | null;
  /** Look this far before the newest record too: a delivery lost just before it (default 3 days). */
  lookbackDays?: number;
  /** Never look further back than this (default 90 days); also the window of an empty ledger. */
  maxDays?: number;
  /** An explicit start, e.g. from `--since` (still capped by maxDays unless maxDays is raised). */
  since?: Date;
}

export interface ReconcileWindow {
  since: Timestamp;
  /**
   * True when older merges are not looked for: the window was cut to maxDays, or the ledger is
   * empty (merges before the window stay unrecorded unless `since` reaches them).
   */
  capped: boolean;
}

export function reconcileWindow(opts: WindowOptions): ReconcileWindow {
  const lookback = (opts.lookbackDays ?? 3) * DAY_MS;
  const floor = opts.now.getTime() - (opts.maxDays ?? 90) * DAY_MS;
  let start: number;
  if (opts.since) start = opts.since.getTime();
  else if (opts.newest) start = Math.min(Date.parse(opts.newest.occurred_at), Date.parse(opts.newest.recorded_at)) - lookback;
  else start = floor;
  if (Number.isNaN(start)) throw new Error('reconcile window: the newest record has an invalid time');
  return { since: toTimestamp(new Date(Math.max(start, floor))), capped: start < floor || (!opts.since && !opts.newest) };
}

/** The fields of a REST `pulls` list item the planning reads. */
export interface ListedPull {
  number: number;
  updated_at: string;
  merged_at: string | null;
  base: { ref: string };
}

export interface PageScan<P extends ListedPull> {
  /** PRs on this page merged into `branch` within the window. */
  merged: P[];
  /** True when the listing can stop: this page reached PRs last updated before the window. */
  done: boolean;
}

/**
 * One page of `GET /repos/{o}/{r}/pulls?state=closed&sort=updated&direction=desc`. A PR merged at
 * or after `since` was updated at or after it too, so once a page reaches an update older than
 * `since` no later page can hold a merge in the window.
 */
export function scanPage<P extends ListedPull>(page: readonly P[], since: Timestamp, branch: string): PageScan<P> {
  const from = Date.parse(since);
  const merged = page.filter((p) => p.merged_at !== null && Date.parse(p.merged_at) >= from && p.base.ref === branch);
  const done = page.some((p) => Date.parse(p.updated_at) < from);
  return { merged, done };
}

/** Where a PR's grant-change record may be: its day folder, or its month folder in a ledger from before day folders. */
export function grantChangePaths(pr: { number: number; merged_at: string }): string[] {
  const event = { key: grantChangeKey(pr.number), occurred_at: toTimestamp(new Date(pr.merged_at)) };
  return recordPathCandidates(null, event);
}

/**
 * The merged PRs without a grant-change record, oldest merge first (so their records take seq
 * numbers in merge order), each PR once.
 */
export function missingMerges<P extends ListedPull & { merged_at: string }>(merged: readonly P[], recorded: (path: string) => boolean): P[] {
  const seen = new Set<number>();
  const out: P[] = [];
  for (const p of merged) {
    if (seen.has(p.number)) continue;
    seen.add(p.number);
    if (!grantChangePaths(p).some(recorded)) out.push(p);
  }
  return out.sort((a, b) => Date.parse(a.merged_at) - Date.parse(b.merged_at) || a.number - b.number);
}
