/**
 * `review-campaign`: a completed periodic access review, merged as a pull request (docs/ledger.md).
 */
import type { IsoDate } from '../../model/types.ts';
import { defineKind, type PullRequestRef, type Timestamp } from './common.ts';

/** One grant entry a review campaign covered. */
export interface ReviewItem {
  path: string;
  identity: string;
  role: string;
  privileged: boolean;
  expires: IsoDate | null;
  /**
   * Who certified this item: the system's approvers whose approval of the head commit counted for
   * it (never the item's own grantees). Absent on records written before per-item sign-off.
   */
  certified_by?: string[];
  /**
   * What a reviewer must not keep blindly, as known at the merge: its grantee, a holder or its owner
   * had left the organization, or the entry had expired. Absent when neither (and on records
   * written before flags were recorded).
   */
  flags?: ReviewFlag[];
}

/** Why a review item needed a decision rather than a keep. */
export type ReviewFlag = { kind: 'left-org'; login: string; as: 'owner' | 'grantee' | 'holder' } | { kind: 'expired'; on: IsoDate };

/**
 * `review-campaign`: a completed periodic access review, merged as a PR.
 * Key `pr-<n>-review-campaign`.
 */
export interface ReviewCampaignSubject {
  system: string;
  pr: PullRequestRef;
  /** The system's approvers who approved the review PR (the sign-off). */
  reviewers: string[];
  /** The review date written into `review.last_reviewed`. */
  reviewed_on: IsoDate;
  items: {
    /** Recertified unchanged. */
    kept: ReviewItem[];
    /** Edited in the review PR (e.g. role narrowed, expiry shortened); the state after. */
    changed: ReviewItem[];
    /** Revoked in the review PR; the state before. */
    removed: ReviewItem[];
  };
  /**
   * Items whose review block the pull request set but that no eligible approver other than their
   * own grantees certified: recorded, and not counted as reviewed.
   */
  not_reviewed?: ReviewItem[];
  /** The campaign id the grant files carry (`<system>/<date>`), when they agree on one. */
  campaign?: string;
  /**
   * The system's listing the review was shown (its latest `access-snapshot` record taken before the
   * review was opened), when it had one. Added after the first release of the format.
   */
  snapshot?: { key: string; raw_sha256: string; taken_at: Timestamp };
}

export default defineKind<ReviewCampaignSubject>()({
  kind: 'review-campaign',
  controls: ['SOC2:CC6.2', 'SOC2:CC6.3', 'NIST-CSF-2.0:PR.AA-05', 'OWASP-NHI:NHI5:2025', 'ISO27001:A.5.18', 'CIS-v8:5.5', 'CIS-v8:6.8'],
});
