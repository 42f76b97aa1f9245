/**
 * Facts about a pull request, gathered by an adapter (the Action, the App, or a test fake) and
 * judged by the pure pull-request rules. Nothing here talks to GitHub.
 */
import type { Snapshot } from '../model/snapshot.ts';

export type ReviewState = 'APPROVED' | 'CHANGES_REQUESTED' | 'COMMENTED' | 'DISMISSED' | 'PENDING';

export interface PullReview {
  reviewer: string;
  reviewerIsBot: boolean;
  state: ReviewState;
  commitId: string;
  submittedAt: string;
}

export interface ChangedFile {
  path: string;
  status: 'added' | 'modified' | 'removed' | 'renamed';
  previousPath?: string;
}

export interface PullFacts {
  number: number;
  author: string;
  headSha: string;
  baseSha: string;
  files: ChangedFile[];
  /**
   * As they are on the base commit: the config, every system, and the changed grant files
   * (their before-state). The policy and the approver lists come from here, never from the head.
   */
  base: Snapshot;
  /**
   * As they are on the head commit: the changed grant files, and the config and system files when
   * the pull request changes them. Read as data only.
   */
  head: Snapshot;
  reviews: PullReview[];
  /** GitHub logins of the authors and committers of the PR's commits (null where GitHub could not link one). */
  commitAuthors: (string | null)[];
  /** `@org/team` → login → member? Only the pairs the rules need; a missing pair is "could not be determined". */
  teamMembership: Record<string, Record<string, boolean>>;
  /** login → member of the organization? */
  orgMembership: Record<string, boolean>;
  /** Where the repo config lives when it is not `access-ledger.yaml` (the Action's `config` input). */
  configPath?: string;
  /** Whether the PR's author is a bot account (a bot's PR still needs human approvals). */
  authorIsBot?: boolean;
  /**
   * What could not be read (a listing GitHub truncates, a tree too large to list), when the App
   * records a merge anyway. Any gap fails the verdict: the judgement is of an incomplete change.
   */
  gaps?: string[];
}

/** GitHub logins compare case-insensitively; every map in the facts is keyed by the lower-case form. */
export function loginKey(login: string): string {
  return login.replace(/^@/, '').toLowerCase();
}

/** `@Acme/DBA` → `@acme/dba`, the key of `teamMembership`. */
export function teamKey(team: string): string {
  return team.toLowerCase();
}

export function isTeam(principal: string): boolean {
  return /^@[^/]+\/[^/]+$/.test(principal);
}
