/**
 * Why a review did not count as an approval, in one vocabulary: the gate's messages, the ledger's
 * grant-change records and the auditor's binder all say it with these words, so the three never
 * describe the same approval differently. Pure.
 *
 * A reason is kept as its id (the ledger records the id, `reviews[].not_counted`); its words are
 * made here, as a predicate without the reviewer's name ("cannot approve their own access"), which
 * the gate puts after the login and the binder after "not counted:".
 */

/** Who may never approve a pull request, whatever list they are on. */
export const EXCLUSIONS = ['author', 'committer', 'grantee', 'bot'] as const;
/**
 * author: opened the pull request; committer: authored or committed one of its commits; grantee:
 * receives the access (a human grantee, a shared account's holder, the owner of a non-human
 * identity); bot: a bot account.
 */
export type Exclusion = (typeof EXCLUSIONS)[number];

/** Every reason a review does not count, the exclusions first. */
export const NOT_COUNTED = [
  ...EXCLUSIONS,
  'not-eligible',
  'undetermined',
  'not-required',
  'older-commit',
  'dismissed',
  'superseded',
  'changes-requested',
  'commented',
] as const;
export type NotCounted = (typeof NOT_COUNTED)[number];

export interface ReasonContext {
  /** What the approval was for: a system id, `admins`, or a phrase ("the systems changed"). */
  scope?: string;
  /** In an access review the grantee certifies, rather than approves. */
  review?: boolean;
}

function scopeOf(ctx: ReasonContext): string {
  const s = ctx.scope;
  if (!s) return 'the systems changed';
  return s === 'admins' ? 'the admins' : s;
}

/** The words of each reason: a predicate without a subject. */
const PHRASES: Record<NotCounted, (ctx: ReasonContext) => string> = {
  author: () => 'opened this pull request and cannot approve it',
  committer: () => 'committed to this pull request and cannot approve it',
  grantee: (ctx) => (ctx.review ? 'cannot certify their own access' : 'cannot approve their own access'),
  bot: () => 'is a bot and cannot approve',
  'not-eligible': (ctx) => (ctx.scope === 'admins' ? 'is not one of the admins' : `is not an eligible approver of ${scopeOf(ctx)}`),
  undetermined: (ctx) => `could not be confirmed as a member of an approver team of ${scopeOf(ctx)}`,
  'not-required': () => 'approved a change that needed no approval',
  'older-commit': () => 'approved an older commit',
  dismissed: () => 'had the review dismissed',
  superseded: () => 'superseded by their later review',
  'changes-requested': () => 'requested changes, which is not an approval',
  commented: () => 'commented, which is not an approval',
};

/** The reason as a predicate: "cannot approve their own access". */
export function reasonPhrase(reason: NotCounted, ctx: ReasonContext = {}): string {
  return PHRASES[reason](ctx);
}

/** The reason about a reviewer: "bob cannot approve their own access". */
export function reasonSentence(login: string, reason: NotCounted, ctx: ReasonContext = {}): string {
  return `${login} ${reasonPhrase(reason, ctx)}`;
}

/** One review as the gate reads it and the ledger records it. */
export interface ReviewLike {
  reviewer: string;
  state: string;
  submitted_at: string;
  on_head: boolean;
}

/**
 * Why a reviewer's approval, on the review that decides for them, did not count: null when it
 * counted. The gate answers it from its plan (src/core/pull/judge.ts `reviewers`); for records
 * written before the ledger kept the gate's answer, the binder answers it from the record.
 */
export type DecidingReason = (review: ReviewLike) => NotCounted | null;

const DECISIVE = new Set(['APPROVED', 'CHANGES_REQUESTED', 'DISMISSED']);
const key = (login: string): string => login.replace(/^@/, '').toLowerCase();

/**
 * Per review, in the order given: null when it counted, else why not. Per reviewer only the latest
 * decisive review (approve, request changes, dismissed) decides, as the gate judges; their earlier
 * ones are superseded and a comment decides nothing. So each reviewer's reason is given once, on
 * the review that decided it.
 */
export function notCountedReasons(reviews: readonly ReviewLike[], deciding: DecidingReason): (NotCounted | null)[] {
  const latest = new Map<string, number>();
  reviews
    .map((r, i) => ({ r, i }))
    .filter(({ r }) => DECISIVE.has(r.state))
    .sort((a, b) => (a.r.submitted_at < b.r.submitted_at ? -1 : a.r.submitted_at > b.r.submitted_at ? 1 : a.i - b.i))
    .forEach(({ r, i }) => {
      latest.set(key(r.reviewer), i);
    });
  return reviews.map((r, i) => {
    if (!DECISIVE.has(r.state)) return 'commented';
    if (latest.get(key(r.reviewer)) !== i) return 'superseded';
    if (r.state === 'DISMISSED') return 'dismissed';
    if (r.state === 'CHANGES_REQUESTED') return 'changes-requested';
    return deciding(r);
  });
}

/** What is known of a reviewer when no judgement was recorded: what the record itself says. */
export interface RecordedFacts {
  /** Why the reviewer may never approve, as far as the record tells (author, committer, grantee, bot). */
  excluded(login: string): Exclusion | undefined;
  /** Whether the verdict lists the reviewer among the approvals that counted (for the scope at hand). */
  counted(login: string): boolean;
  /** Whether the change needed any approval (for the scope at hand). */
  required: boolean;
  /** Approvals count only on the head commit (the `approvals` rule's `require_head_sha`, default true). */
  requireHead?: boolean;
}

/** The deciding reason from a record's facts, in the gate's order: excluded, counted, head, list. */
export function reasonFromRecord(facts: RecordedFacts): DecidingReason {
  return (r) => {
    const excluded = facts.excluded(r.reviewer);
    if (excluded) return excluded;
    if (facts.counted(r.reviewer)) return null;
    if (!facts.required) return 'not-required';
    if (!r.on_head && facts.requireHead !== false) return 'older-commit';
    return 'not-eligible';
  };
}
