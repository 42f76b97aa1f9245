/**
 * The messages between the main thread and a sweep worker (branch-session.ts and sweep-worker.ts):
 * plain data only, so they cross the thread boundary by structured clone.
 */
import type { RepoConfig } from '../../core/model/types.ts';

/** What the main thread needs to know once the worker has read the branch. */
export interface BranchSummary {
  /** Config, system and grant files read from the archive. */
  files: number;
  grants: number;
  systems: number;
  /** The config file (its data when it parsed and matched its schema), or null without one. */
  config: { path: string; data?: RepoConfig } | null;
  /** Every login the grants name (owners, grantees, shared holders), lower-cased: the membership to look up. */
  logins: string[];
}

export type SessionOp = 'evaluate' | 'addProblems' | 'plan' | 'due' | 'naming' | 'leaver' | 'observedSystems' | 'judgeDrift' | 'campaignListings';

export type SessionRequest = { id: number; op: SessionOp; args: unknown } | { op: 'close' };

export type SessionReply =
  | { progress: number }
  | { loaded: BranchSummary }
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: string };
