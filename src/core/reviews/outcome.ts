/**
 * What a merged review campaign decided: each access entry to the system that was in the review,
 * kept as it was, changed (role, privilege or expiry narrowed or moved), or removed. Compared
 * between the campaign's base and its merge commit, so edits made in the PR count as decisions.
 */
import type { Grant } from '../model/types.ts';
import type { PullRequestRef, ReviewCampaignSubject, ReviewItem, ReviewRecord } from '../ledger/kinds.ts';
import { DEFAULT_CONTROLS } from '../ledger/kinds.ts';
import { reviewCampaignKey, type RecordDraft } from '../ledger/record.ts';
import type { IsoDate } from '../model/types.ts';
import { entryFlags } from './campaign.ts';
import type { CampaignSnapshotRef } from './listing.ts';

export interface CampaignOutcome {
  kept: ReviewItem[];
  changed: ReviewItem[];
  removed: ReviewItem[];
}

function items(path: string, g: Grant | undefined, system: string): ReviewItem[] {
  if (!g) return [];
  return g.access
    .filter((e) => e.system === system)
    .map((e) => ({ path, identity: g.identity.id, role: e.role, privileged: e.privileged === true, expires: e.expires ?? null }));
}

const same = (a: ReviewItem, b: ReviewItem) => a.role === b.role && a.privileged === b.privileged && a.expires === b.expires;

/**
 * `before` and `after` map each grant path the campaign covered to its data at the base and at the
 * merge (undefined: absent or unreadable). Entries are matched by role first, then in order.
 */
export function campaignOutcome(
  system: string,
  before: ReadonlyMap<string, Grant | undefined>,
  after: ReadonlyMap<string, Grant | undefined>,
): CampaignOutcome {
  const out: CampaignOutcome = { kept: [], changed: [], removed: [] };
  const paths = [...new Set([...before.keys(), ...after.keys()])].sort();
  for (const path of paths) {
    const was = items(path, before.get(path), system);
    const now = items(path, after.get(path), system);
    const unmatchedNow = [...now];
    const unmatchedWas: ReviewItem[] = [];
    for (const w of was) {
      const i = unmatchedNow.findIndex((n) => n.role === w.role);
      if (i < 0) {
        unmatchedWas.push(w);
        continue;
      }
      const n = unmatchedNow.splice(i, 1)[0]!;
      (same(w, n) ? out.kept : out.changed).push(n);
    }
    // A role renamed in place is a change; entries with no counterpart left are removals.
    for (const w of unmatchedWas) {
      const n = unmatchedNow.shift();
      if (n) out.changed.push(n);
      else out.removed.push(w);
    }
  }
  return out;
}

/**
 * The sign-off: per reviewer the latest decisive review; those approving (on any commit) who are eligible.
 * @internal for the tests
 */
export function approvingReviewers(reviews: readonly ReviewRecord[], eligible?: (login: string) => boolean): string[] {
  const latest = new Map<string, ReviewRecord>();
  for (const r of reviews) {
    if (r.state === 'COMMENTED') continue;
    const cur = latest.get(r.reviewer.toLowerCase());
    if (!cur || cur.submitted_at <= r.submitted_at) latest.set(r.reviewer.toLowerCase(), r);
  }
  return [...latest.values()]
    .filter((r) => r.state === 'APPROVED' && (!eligible || eligible(r.reviewer)))
    .map((r) => r.reviewer)
    .sort();
}

export function reviewCampaignDraft(input: {
  repository: string;
  system: string;
  pr: PullRequestRef;
  reviewers: string[];
  reviewedOn: IsoDate;
  outcome: CampaignOutcome;
}): RecordDraft<'review-campaign'> {
  const subject: ReviewCampaignSubject = {
    system: input.system,
    pr: input.pr,
    reviewers: input.reviewers,
    reviewed_on: input.reviewedOn,
    items: input.outcome,
  };
  return {
    kind: 'review-campaign',
    key: reviewCampaignKey(input.pr.number),
    occurred_at: input.pr.merged_at ?? input.pr.created_at,
    repository: input.repository,
    controls: [...DEFAULT_CONTROLS['review-campaign']],
    subject,
  };
}

/**
 * Each item with what a reviewer must not keep blindly: its grantee, a holder or its owner had
 * left the organization (as far as `membership` knows), or it had expired by the merge. A kept or
 * changed item is judged as it is after the review, a removed one as it was.
 */
function flagged(
  outcome: CampaignOutcome,
  input: {
    before: ReadonlyMap<string, Grant | undefined>;
    after: ReadonlyMap<string, Grant | undefined>;
    membership?: Readonly<Record<string, boolean>>;
    mergedOn?: IsoDate;
  },
): CampaignOutcome {
  const mark =
    (side: ReadonlyMap<string, Grant | undefined>) =>
    (item: ReviewItem): ReviewItem => {
      const g = side.get(item.path);
      const who = { owner: g?.identity.owner ?? null, github: g?.identity.github ?? null, holders: g?.shared?.holders ?? [] };
      const flags = entryFlags(who, item, input.membership, input.mergedOn);
      return flags.length > 0 ? { ...item, flags } : item;
    };
  return { kept: outcome.kept.map(mark(input.after)), changed: outcome.changed.map(mark(input.after)), removed: outcome.removed.map(mark(input.before)) };
}

/** The gate's rows a review-campaign record needs (src/core/pull/judge.ts GateRow). */
export interface CampaignGateRow {
  identity?: string;
  change: string;
  group?: string;
  approvedBy: string[];
  missing: number;
}

/**
 * The `review-campaign` record of a pull request the gate judged to be a review campaign by its
 * content (src/core/pull/changes.ts): each item kept or changed carries who certified it (the
 * system's approvers whose approval counted for that item, never its own grantees); items the
 * pull request marked as reviewed without such a sign-off are `not_reviewed`.
 */
export function campaignRecordDraft(input: {
  repository: string;
  system: string;
  campaign?: string;
  pr: PullRequestRef;
  reviewedOn: IsoDate;
  before: ReadonlyMap<string, Grant | undefined>;
  after: ReadonlyMap<string, Grant | undefined>;
  rows: readonly CampaignGateRow[];
  /** Lower-case login → member of the organization, as the merge-time gate read it (false: has left). */
  membership?: Readonly<Record<string, boolean>>;
  /** The day of the merge: an item that expired before it is flagged. */
  mergedOn?: IsoDate;
  /** The system's listing the review was shown, when it had one. */
  snapshot?: CampaignSnapshotRef | null;
}): RecordDraft<'review-campaign'> {
  const outcome = flagged(campaignOutcome(input.system, input.before, input.after), input);
  const certifiers = new Map<string, string[] | null>();
  for (const row of input.rows) {
    if (row.change !== 'review' || row.group !== input.system || !row.identity) continue;
    certifiers.set(row.identity, row.missing === 0 ? [...row.approvedBy].sort() : null);
  }
  const notReviewed: ReviewItem[] = [];
  const signed = (list: ReviewItem[]): ReviewItem[] =>
    list.flatMap((item) => {
      const by = certifiers.get(item.identity);
      if (by === undefined) return [item];
      if (by === null) {
        notReviewed.push(item);
        return [];
      }
      return [{ ...item, certified_by: by }];
    });
  const items = { kept: signed(outcome.kept), changed: signed(outcome.changed), removed: outcome.removed };
  const reviewers = [...new Set([...items.kept, ...items.changed].flatMap((i) => i.certified_by ?? []))].sort();
  const draft = reviewCampaignDraft({
    repository: input.repository,
    system: input.system,
    pr: input.pr,
    reviewers,
    reviewedOn: input.reviewedOn,
    outcome: items,
  });
  if (notReviewed.length > 0) draft.subject.not_reviewed = notReviewed;
  if (input.campaign) draft.subject.campaign = input.campaign;
  if (input.snapshot) draft.subject.snapshot = { key: input.snapshot.key, raw_sha256: input.snapshot.raw_sha256, taken_at: input.snapshot.taken_at };
  return draft;
}
