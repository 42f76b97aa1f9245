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
  /** Config, systems and the changed grant files as they are on the base commit. */
  base: Snapshot;
  /** The changed grant files as they are on the head commit. */
  head: Snapshot;
  reviews: PullReview[];
  /** GitHub logins of the authors and committers of the PR's commits (null where GitHub could not link one). */
  commitAuthors: (string | null)[];
  /** `@org/team` → login → member? Only the pairs the rules need; a missing pair is "could not be determined". */
  teamMembership: Record<string, Record<string, boolean>>;
  /** login → member of the organization? */
  orgMembership: Record<string, boolean>;
}
