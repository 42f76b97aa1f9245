/**
 * The `grant-change` record of a merged pull request: who changed which access, who approved it
 * on which commit, and what the policy of the base branch said at merge time. Pure.
 */
import { DEFAULT_CONTROLS, grantChangeKey, type GrantChangeSubject, type RecordDraft, type ReviewRecord, type Verdict } from '../ledger/index.ts';
import type { PullFacts, PullReview } from '../pull/facts.ts';
import type { GateReviewer } from '../pull/judge.ts';
import { loginKey } from '../pull/facts.ts';
import { notCountedReasons } from '../approvals/reasons.ts';
import { grantChanges, policyChanges, type BlobShas, type FileJudgement, type PolicyFileChange, type RecordedGrantFileChange } from './changes.ts';
import { githubTime, isRecordableMerge, pullRequestRef, type MergedPull } from './pull.ts';

/** The subject as this App writes it: always with `policy_changes`. */
export type GrantChangeRecordSubject = GrantChangeSubject & { policy_changes: PolicyFileChange[] };

/** The facts the record is built from: those the gate judged (same gatherer, same shapes). */
export type GrantChangeFacts = Pick<PullFacts, 'files' | 'base' | 'head' | 'reviews' | 'commitAuthors' | 'gaps'>;

export interface GrantChangeInput {
  /** `owner/repo` of the access repo. */
  repository: string;
  pull: MergedPull;
  facts: GrantChangeFacts;
  /** The gate's verdict re-evaluated at merge time with the base policy (see verdict.ts). */
  verdict: Verdict;
  /** Blob SHAs at the merge commit, when read; otherwise the head commit's are recorded. */
  mergeBlobs?: BlobShas;
  /** The gate's judgement per grant path (src/core/records/changes.ts fileJudgements). */
  judgement?: ReadonlyMap<string, FileJudgement>;
  /** The merge-time verdict's judgement of each reviewer (GateResult.reviewers): recorded with each review. */
  reviewers?: readonly GateReviewer[];
}

/**
 * The reviews as recorded; with the gate's judgement of the reviewers, each says whether it counted
 * and why not (`not_counted`), in the vocabulary the gate and the binder use.
 */
export function reviewRecords(reviews: readonly PullReview[], headSha: string, reviewers?: readonly GateReviewer[]): ReviewRecord[] {
  // A PENDING review is a draft only its author sees: not a sign-off.
  const records: ReviewRecord[] = reviews
    .filter((r): r is PullReview & { state: ReviewRecord['state'] } => r.state !== 'PENDING')
    .map((r) => ({
      reviewer: r.reviewer,
      state: r.state,
      submitted_at: githubTime(r.submittedAt, 'review submitted_at'),
      commit_id: r.commitId,
      on_head: r.commitId === headSha,
    }));
  if (!reviewers) return records;
  const judged = new Map(reviewers.map((r) => [loginKey(r.reviewer), r.notCounted]));
  const reasons = notCountedReasons(records, (r) => {
    const reason = judged.get(loginKey(r.reviewer));
    return reason === undefined ? 'not-eligible' : reason;
  });
  return records.map((r, i) => ({ ...r, not_counted: reasons[i]! }));
}

export function commitAuthorLogins(authors: readonly (string | null)[]): string[] {
  return [...new Set(authors.filter((a): a is string => typeof a === 'string' && a.length > 0))].sort();
}

/** The kind's default controls, plus those the particular change is evidence for. */
export function grantChangeControls(changes: readonly RecordedGrantFileChange[]): string[] {
  const controls = [...DEFAULT_CONTROLS['grant-change']];
  const removes = changes.some((c) => c.action === 'removed' || c.entries.some((e) => e.action === 'removed'));
  if (removes) controls.push('CIS-v8:6.2');
  if (removes && changes.some((c) => c.kind !== null && c.kind !== 'human' && (c.action === 'removed' || c.entries.some((e) => e.action === 'removed')))) {
    controls.push('OWASP-NHI:NHI1:2025');
  }
  if (changes.some((c) => c.entries.some((e) => e.privileged))) controls.push('ISO27001:A.8.2');
  return [...new Set(controls)];
}

export function buildGrantChangeSubject(input: GrantChangeInput): GrantChangeRecordSubject {
  const { pull, facts } = input;
  if (!isRecordableMerge(pull)) throw new Error(`pull request #${pull.number} is not merged: only merged pull requests are recorded`);
  const changeInput = {
    files: facts.files,
    base: facts.base,
    head: facts.head,
    ...(input.mergeBlobs ? { mergeBlobs: input.mergeBlobs } : {}),
    ...(input.judgement ? { judgement: input.judgement } : {}),
  };
  return {
    pr: pullRequestRef(pull),
    base_sha: pull.base.sha,
    head_sha: pull.head.sha,
    merge_sha: pull.merge_commit_sha,
    changes: grantChanges(changeInput),
    policy_changes: policyChanges(changeInput),
    reviews: reviewRecords(facts.reviews, pull.head.sha, input.reviewers),
    commit_authors: commitAuthorLogins(facts.commitAuthors),
    verdict: input.verdict,
    ...(facts.gaps?.length ? { gaps: [...facts.gaps] } : {}),
  };
}

export function buildGrantChangeDraft(input: GrantChangeInput): RecordDraft<'grant-change'> {
  const subject = buildGrantChangeSubject(input);
  return {
    kind: 'grant-change',
    key: grantChangeKey(input.pull.number),
    occurred_at: subject.pr.merged_at!,
    repository: input.repository,
    controls: grantChangeControls(subject.changes),
    subject,
  };
}
