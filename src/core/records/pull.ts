/**
 * The merged pull request as the webhook (or the pulls API, for a backfill) describes it: the
 * few fields the records need, as plain data. GitHub's `pull_request` payload object and the REST
 * `pulls` item are both structurally assignable to it.
 */
import { toTimestamp, type PullRequestRef, type Timestamp } from '../ledger/index.ts';

export interface MergedPull {
  number: number;
  title: string;
  html_url: string;
  user: { login: string } | null;
  created_at: string;
  merged_at: string | null;
  merged_by?: { login: string } | null;
  merge_commit_sha: string | null;
  base: { sha: string; ref: string };
  head: { sha: string; ref: string };
}

/** GitHub reports `2026-11-20T10:00:00Z`; normalise any ISO form to that (the ledger's Timestamp). */
export function githubTime(value: string, field: string): Timestamp {
  const at = new Date(value);
  if (Number.isNaN(at.getTime())) throw new Error(`pull request ${field} is not a time: ${JSON.stringify(value)}`);
  return toTimestamp(at);
}

/** Whether the payload describes a merge the ledger can record (merged, with a merge commit). */
export function isRecordableMerge<P extends MergedPull>(pr: P): pr is P & { merged_at: string; merge_commit_sha: string } {
  return typeof pr.merged_at === 'string' && typeof pr.merge_commit_sha === 'string' && pr.merge_commit_sha.length > 0;
}

export function pullRequestRef(pr: MergedPull): PullRequestRef {
  return {
    number: pr.number,
    title: pr.title,
    url: pr.html_url,
    // A deleted account shows as null; GitHub itself then shows "ghost".
    author: pr.user?.login ?? 'ghost',
    created_at: githubTime(pr.created_at, 'created_at'),
    merged_at: pr.merged_at === null ? null : githubTime(pr.merged_at, 'merged_at'),
    merged_by: pr.merged_by?.login ?? null,
  };
}
