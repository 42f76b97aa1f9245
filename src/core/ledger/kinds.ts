/**
 * The record kinds of the evidence ledger and the shape of each kind's `subject`
 * (docs/ledger.md).
 *
 * Subjects are plain JSON built by the callers (the App's handlers, the sweep, the reconcile). They
 * hold only strings, integers, booleans, null, arrays and objects: the hash is computed over their
 * RFC 8785 canonical form, and keeping numbers integral lets an auditor recompute it with any
 * JSON library. Timestamps are ISO 8601 UTC with a `Z` suffix as GitHub reports them; dates are
 * `YYYY-MM-DD`. Fields are only ever added to a kind, never renamed or re-purposed: records written
 * years ago must keep their meaning.
 */
import type { Finding } from '../findings.ts';
import type { IdentityKind, IsoDate } from '../model/types.ts';
import type { NotCounted } from '../approvals/reasons.ts';

/** An ISO 8601 UTC timestamp, `YYYY-MM-DDTHH:MM:SSZ` (fractional seconds allowed). */
export type Timestamp = string;

/** The pull request an event is about, as GitHub reported it. */
export interface PullRequestRef {
  number: number;
  title: string;
  url: string;
  /** Login of the PR's author. */
  author: string;
  created_at: Timestamp;
  merged_at: Timestamp | null;
  /** Login of whoever merged it (null if GitHub did not say, e.g. a merge queue bot is hidden). */
  merged_by: string | null;
}

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

export type RunConclusion = 'success' | 'failure' | 'cancelled' | 'skipped' | 'timed_out' | 'action_required' | 'neutral' | 'stale' | 'startup_failure';

/**
 * `provisioned`: the configured provisioning workflow's run on the merge commit.
 * Key `pr-<n>-provisioned-<run_id>` for the first attempt and `…-attempt-<k>` for a re-run
 * (GitHub keeps the run id across re-runs and counts `run_attempt`).
 */
export interface ProvisionedSubject {
  pr: { number: number; url: string };
  /** Key of the `grant-change` record this run provisioned, e.g. `pr-45-merged`. */
  grant_change_key: string;
  /** The workflow file, e.g. `.github/workflows/provision.yml`. */
  workflow: string;
  run_id: number;
  run_attempt: number;
  run_url: string;
  /** The commit the run ran on: the PR's merge commit. */
  head_sha: string;
  conclusion: RunConclusion;
  completed_at: Timestamp;
}

/** A grant file that named the departed login (as owner, grantee or shared holder). */
export interface AffectedGrant {
  path: string;
  identity: string;
  /** How the grant names the login. */
  role: 'owner' | 'grantee' | 'holder';
}

/**
 * `identity-left-org`: a login stopped being a member of the organization.
 * Key `left-<login>-<YYYYMMDDTHHMMSSZ>` (the login lower-cased, the time of `left_at`).
 */
export interface IdentityLeftOrgSubject {
  /** The GitHub login, lower-cased (logins are case-insensitive). */
  login: string;
  organization: string;
  left_at: Timestamp;
  /** `member_removed` for the organization webhook, `sweep` when a sweep found the login gone. */
  source: 'member_removed' | 'sweep';
  /** Grants that named the login when it left (from the default branch at `left_at`). */
  affected_grants: AffectedGrant[];
}

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

/** What the App found on the ledger branch that it did not write (as GitHub and the file showed it). */
export interface ForeignRecordFound {
  /** The path and key of the file the App did not write. */
  path: string;
  key: string;
  /** What the file claims, as far as it can be read (null fields when it cannot). */
  kind: string | null;
  seq: number | null;
  hash: string | null;
  /** The key id its signature names, or null when unsigned. */
  signed_by: string | null;
  /** SHA-256 of the file's bytes, so the file can be recognised again whatever its content. */
  content_sha256: string;
}

/**
 * `anomaly`: the App found evidence of tampering with the ledger. Key
 * `foreign-<first 12 hex of the commit>-<key of the foreign record>` (at most 200 characters);
 * `occurred_at` is the time of the event the App was recording when it found it, so a redelivery
 * finds the anomaly already recorded.
 */
export interface AnomalySubject {
  /** `foreign-record`: a record at a path the App was about to write (or to rely on) that the App did not write. */
  type: 'foreign-record';
  found: ForeignRecordFound;
  /** The commit that added the file, as GitHub reports it (null when GitHub lists none). */
  commit: {
    sha: string;
    author: { name: string; email: string; login: string | null; date: string | null };
    committer: { name: string; email: string; login: string | null; date: string | null };
    verified: boolean | null;
    verification_reason: string | null;
  } | null;
  /** Why the App does not accept the file as its own. */
  reason: string;
  /** The key the App recorded the event under instead (e.g. `pr-3-merged-2`), or null. */
  recorded_as: string | null;
  /** The pull request the event is about, when there is one. */
  pr: { number: number; url: string } | null;
}

/**
 * `access-snapshot`: what a system itself listed of who has access, at one moment: the evidence
 * that populations are complete. Key `snapshot-<system>-<YYYYMMDDTHHMMSSZ>` (of `taken_at`);
 * `occurred_at` is `taken_at`. The raw export is stored beside the records at `raw_path`, named
 * by its SHA-256, so `access-ledger observe --from` on it gives the same accounts again.
 */
export interface AccessSnapshotSubject {
  /** The system id (systems/<id>.yaml). */
  system: string;
  /** `github-org`, `aws-iam-credential-report` or `mapped`. */
  connector: string;
  /** What the listing covers, when known: the organization, the AWS account id. */
  scope: string | null;
  /** How the raw export was obtained: `file` (exported by a person or a job) or `api` (listed live). */
  extraction: {
    type: 'file' | 'api';
    /** The command that produces the export, when known. */
    command: string | null;
    /** The file name as given to observe (type file). */
    file: string | null;
    /** The API root (type api). */
    api: string | null;
    /** API requests made (type api). */
    calls: number | null;
  };
  taken_at: Timestamp;
  /** Rows (CSV) or items (JSON) of the raw export. */
  row_count: number;
  /** Accounts the connector read from it. */
  account_count: number;
  /** SHA-256 of the raw export's bytes. */
  raw_sha256: string;
  raw_bytes: number;
  /** `snapshots/<raw_sha256>.csv` or `.json` on the ledger branch, added in the same commit as the record. */
  raw_path: string;
  /** SHA-256 of the snapshot as observe wrote it (the normalized accounts). */
  snapshot_sha256: string;
  /** What the listing could not cover, in words; empty when complete. */
  gaps: string[];
}

/** Subject type per kind. A new kind is added here, never by changing an existing one. */
export interface SubjectByKind {
  'grant-change': GrantChangeSubject;
  'unapproved-merge': UnapprovedMergeSubject;
  'review-campaign': ReviewCampaignSubject;
  'identity-left-org': IdentityLeftOrgSubject;
  provisioned: ProvisionedSubject;
  anomaly: AnomalySubject;
  'access-snapshot': AccessSnapshotSubject;
}

export type RecordKind = keyof SubjectByKind;

export const RECORD_KINDS: readonly RecordKind[] = [
  'grant-change',
  'unapproved-merge',
  'review-campaign',
  'identity-left-org',
  'provisioned',
  'anomaly',
  'access-snapshot',
];

/**
 * Controls each kind is evidence for (ids as in src/core/controls.ts, listed in docs/controls.md). Callers may pass their own
 * list; these are the defaults so every record is mapped even when a caller does not care.
 */
export const DEFAULT_CONTROLS: Readonly<Record<RecordKind, readonly string[]>> = {
  'grant-change': ['SOC2:CC6.2', 'SOC2:CC6.3', 'SOC2:CC8.1', 'NIST-CSF-2.0:PR.AA-01', 'NIST-CSF-2.0:PR.AA-05', 'ISO27001:A.5.18', 'CIS-v8:6.1'],
  'unapproved-merge': ['SOC2:CC6.2', 'SOC2:CC8.1', 'NIST-CSF-2.0:ID.RA-07', 'ISO27001:A.5.18'],
  'review-campaign': ['SOC2:CC6.2', 'SOC2:CC6.3', 'NIST-CSF-2.0:PR.AA-05', 'OWASP-NHI:NHI5:2025', 'ISO27001:A.5.18', 'CIS-v8:5.5', 'CIS-v8:6.8'],
  'identity-left-org': ['SOC2:CC6.2', 'NIST-CSF-2.0:GV.RR-04', 'NIST-CSF-2.0:PR.AA-01', 'OWASP-NHI:NHI1:2025', 'CIS-v8:6.2'],
  provisioned: ['SOC2:CC6.2', 'SOC2:CC8.1', 'NIST-CSF-2.0:PR.AA-05', 'CIS-v8:6.1'],
  anomaly: ['SOC2:CC7.2', 'NIST-CSF-2.0:DE.CM-03', 'NIST-CSF-2.0:ID.RA-07'],
  'access-snapshot': ['SOC2:CC6.1', 'SOC2:CC6.2', 'NIST-CSF-2.0:PR.AA-05', 'NIST-CSF-2.0:ID.AM-02', 'CIS-v8:5.1', 'CIS-v8:5.5', 'ISO27001:A.5.18'],
};

/**
 * Controls a record cites beyond its kind's defaults, and when: a grant-change record adds these
 * for the change it records (grantChangeControls in src/core/records/grant-change.ts).
 * docs/controls.md and the binder's control matrix list them with the kind.
 */
export const CONDITIONAL_CONTROLS: Readonly<Partial<Record<RecordKind, readonly { control: string; when: string }[]>>> = {
  'grant-change': [
    { control: 'CIS-v8:6.2', when: 'when the change removes access' },
    { control: 'OWASP-NHI:NHI1:2025', when: "when the change removes a non-human identity's access" },
    { control: 'ISO27001:A.8.2', when: 'when the change touches a privileged access entry' },
  ],
};
