/**
 * `unapproved-merge`: a merge the policy would have refused (docs/ledger.md). Built by
 * src/core/records/unapproved-merge.ts.
 */
import type { Finding } from '../../findings.ts';
import { defineKind, type PullRequestRef } from './common.ts';
import type { SystemApproval } from './grant-change.ts';

/** Why a merge the policy would have refused happened anyway. */
/**
 * admin-bypass, gate-outage, gate-not-required, unknown: why a refused merge happened;
 * not-a-review: the pull request was marked as an access review (branch or hidden marker) but is
 * not one by its content or was not signed off, so its review blocks certify nothing;
 * too-large: GitHub would not list all of it (3,000+ files, 250+ commits, a tree too large), so
 * no judgement of it is complete.
 */
export type UnapprovedCause = 'admin-bypass' | 'gate-outage' | 'gate-not-required' | 'not-a-review' | 'too-large' | 'unknown';

/**
 * `unapproved-merge`: a merge the policy would have refused. Key `pr-<n>-unapproved`.
 * Always accompanies the PR's `grant-change` record, which holds the full facts.
 */
export interface UnapprovedMergeSubject {
  pr: PullRequestRef;
  /** Key of the `grant-change` record of the same merge, e.g. `pr-45-merged`. */
  grant_change_key: string;
  cause: UnapprovedCause;
  /** What the cause means for this merge, in a sentence (e.g. why it is not an access review). */
  detail?: string;
  /** The systems whose required approvals were missing (`missing > 0`). */
  missing_approvals: SystemApproval[];
  /** The error findings of the merge-time verdict. */
  findings: Finding[];
  /** The issue opened about it, if one was. */
  issue: { number: number; url: string } | null;
}

export default defineKind<UnapprovedMergeSubject>()({
  kind: 'unapproved-merge',
  controls: ['SOC2:CC6.2', 'SOC2:CC8.1', 'NIST-CSF-2.0:ID.RA-07', 'ISO27001:A.5.18'],
});
