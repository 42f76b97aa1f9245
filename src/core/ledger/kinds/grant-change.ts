/**
 * `grant-change`: a merged pull request that adds, modifies or removes grants, with every review
 * and the gate's verdict at merge (docs/ledger.md). Built by src/core/records/grant-change.ts.
 */
import type { Finding } from '../../findings.ts';
import type { IdentityKind, IsoDate } from '../../model/types.ts';
import type { NotCounted } from '../../approvals/reasons.ts';
import { defineKind, type PullRequestRef, type Timestamp } from './common.ts';

export type ChangeAction = 'added' | 'modified' | 'removed';

/** One access entry of a changed grant file. */
export interface AccessEntryChange {
  system: string;
  role: string;
  privileged: boolean;
  action: ChangeAction;
  /** The entry's expiry after the change (before it, for a removal); null if none was set. */
  expires: IsoDate | null;
  /** The gate judged this entry to add or widen access (absent on records written before the judgement was recorded). */
  widens?: boolean;
}

/** One grant file the PR added, modified or removed. */
export interface GrantFileChange {
  /** Repo-relative path, e.g. `grants/services/billing-exporter.yaml`. */
  path: string;
  /** The identity id (the file name stem). */
  identity: string;
  /** The identity kind; null when the merged file is not a readable grant (a merge that bypassed the gate can land one: it is recorded, not dropped). */
  kind: IdentityKind | null;
  action: ChangeAction;
  /** Git blob SHA of the file at the base commit (null when added). */
  before_blob: string | null;
  /**
   * Git blob SHA of the file at the PR's head commit, the content the approvers approved (null
   * when removed). It equals the merged blob unless the base changed the same file meanwhile and
   * git merged both; `merge_sha` names where it landed.
   */
  after_blob: string | null;
  entries: AccessEntryChange[];
  /**
   * The gate's judgement of this file's change (docs/gate.md, "What a change does"): whether it
   * needed approval, why, and which fields. Absent on records written before it was recorded.
   */
  widens?: boolean;
  widening?: string[];
  widening_fields?: string[];
}

/** A change to the policy itself: the repo config or a system file (judged with the admins). */
export interface PolicyFileChange {
  path: string;
  role: 'config' | 'system';
  action: ChangeAction;
  before_blob: string | null;
  after_blob: string | null;
}

export type ReviewState = 'APPROVED' | 'CHANGES_REQUESTED' | 'COMMENTED' | 'DISMISSED';

/** Every review on the PR, in the order GitHub lists them (not only the ones that counted). */
export interface ReviewRecord {
  reviewer: string;
  state: ReviewState;
  submitted_at: Timestamp;
  /** The commit the review was submitted against. */
  commit_id: string;
  /** Whether `commit_id` is the PR's head SHA at merge: approvals of older commits may not count. */
  on_head: boolean;
  /**
   * The gate's judgement of this review at merge: null when it counted as an approval (for at least
   * one system or the admins), else why not (src/core/approvals/reasons.ts: author, committer,
   * grantee, bot, not-eligible, undetermined, not-required, older-commit, dismissed, superseded,
   * changes-requested, commented). Absent on records written before it was recorded.
   */
  not_counted?: NotCounted | null;
}

/** Per system: how many eligible approvals the policy required and who gave them. */
export interface SystemApproval {
  system: string;
  required: number;
  approved_by: string[];
  /** required - counted approvals, never below 0. */
  missing: number;
}

/** The gate's verdict re-evaluated at merge time with the base branch's policy. */
export interface Verdict {
  result: 'pass' | 'fail';
  evaluated_at: Timestamp;
  /** The commit the policy (config, packs, systems) was read from: the PR's base. */
  policy_sha: string;
  findings: Finding[];
  approvals: SystemApproval[];
}

/** `grant-change`: a merged PR that adds, modifies or removes grants. Key `pr-<n>-merged`. */
export interface GrantChangeSubject {
  pr: PullRequestRef;
  base_sha: string;
  head_sha: string;
  merge_sha: string;
  changes: GrantFileChange[];
  /** Config and system files the PR changed (added to the format after its first release; may be absent in old records). */
  policy_changes?: PolicyFileChange[];
  reviews: ReviewRecord[];
  /** Logins of the authors of the PR's commits (they may not approve it). */
  commit_authors: string[];
  verdict: Verdict;
  /**
   * What the App could not read of this merge (a listing GitHub truncates): the changes above are
   * what could be read, and the verdict fails. Absent when nothing is missing.
   */
  gaps?: string[];
}

export default defineKind<GrantChangeSubject>()({
  kind: 'grant-change',
  controls: ['SOC2:CC6.2', 'SOC2:CC6.3', 'SOC2:CC8.1', 'NIST-CSF-2.0:PR.AA-01', 'NIST-CSF-2.0:PR.AA-05', 'ISO27001:A.5.18', 'CIS-v8:6.1'],
  /** A grant-change record adds these for the change it records (grantChangeControls in src/core/records/grant-change.ts). */
  conditionalControls: [
    { control: 'CIS-v8:6.2', when: 'when the change removes access' },
    { control: 'OWASP-NHI:NHI1:2025', when: "when the change removes a non-human identity's access" },
    { control: 'ISO27001:A.8.2', when: 'when the change touches a privileged access entry' },
  ],
});
