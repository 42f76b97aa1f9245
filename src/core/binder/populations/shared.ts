/**
 * What several populations (and the evidence chains of their samples) share: the approval facts
 * and gaps of a grant-change record, the cells of a pull request and a ledger record, the access
 * path of an entry, the review flags of an item. Pure.
 */
import type { ReviewFlag } from '../../ledger/kinds.ts';
import { flagWords } from '../../reviews/campaign.ts';
import { asOfCommitCommand, changeDiffCommand, inventoryCommand } from '../commands.ts';
import { gap, type Gap } from '../gaps.ts';
import type { IndexedGrantChange, LedgerIndex } from '../ledger-index.ts';
import type { Cell, ExportParams, Row } from '../types.ts';

export const yesNo = (b: boolean | null | undefined): Cell => (b === null || b === undefined ? null : b ? 'yes' : 'no');

/** standing, or JIT with its window and who approves each activation: `JIT (max 4 h, approved by @acme/oncall)`. */
export function accessPath(entry: { jit?: { max_duration_hours: number; approvers?: string[] } }): string {
  if (!entry.jit) return 'standing';
  const approvers = entry.jit.approvers?.length ? `, approved by ${entry.jit.approvers.join(', ')}` : '';
  return `JIT (max ${entry.jit.max_duration_hours} h${approvers})`;
}

/** The JIT columns of an entry: its window and its activation approvers. */
export function jitCells(entry: { jit?: { max_duration_hours: number; approvers?: string[] } }): Row {
  return { jit_max_hours: entry.jit?.max_duration_hours ?? null, jit_approvers: entry.jit?.approvers?.join(', ') || null };
}

/** Counted approvals for one system from a merge-time verdict, with the time each was given. */
export interface ApprovalFacts {
  approvers: string[];
  approved_at: string | null;
  on_head: boolean | null;
}

export function approvalFacts(gc: IndexedGrantChange, system: string | null): ApprovalFacts {
  const systems = system === null ? gc.approvals : gc.approvals.filter((a) => a.system === system);
  const approvers = [...new Set(systems.flatMap((a) => a.approved_by))].sort();
  if (approvers.length === 0) return { approvers, approved_at: null, on_head: null };
  let approvedAt: string | null = null;
  let onHead = true;
  for (const login of approvers) {
    const theirs = gc.reviews.filter((r) => r.reviewer.toLowerCase() === login.toLowerCase() && r.state === 'APPROVED');
    const best = theirs.filter((r) => r.on_head).at(-1) ?? theirs.at(-1);
    if (!best) continue;
    if (!best.on_head) onHead = false;
    if (!approvedAt || best.submitted_at > approvedAt) approvedAt = best.submitted_at;
  }
  return { approvers, approved_at: approvedAt, on_head: onHead };
}

export interface ApprovalGapOptions {
  /** The change added this access: it needed a counted approval whatever the record required. */
  needsApproval?: boolean;
  /**
   * Provisioning is evidence of this row: a missing or failed provisioning run is a gap. Only where
   * provisioning is recorded at all (a workflow configured, or a run recorded): without one, the
   * summary says once that the ledger holds no provisioning evidence.
   */
  provisioning?: boolean;
  /** An unapproved-merge record of the same merge is a gap (not for the unapproved-merges population itself). */
  unapproved?: boolean;
}

/**
 * What a grant-change record fails to show for one system (or all, for null): a counted approval,
 * every required approval, approvals on the merged head and before the merge, a passing verdict,
 * and, as asked, provisioning and no unapproved-merge record. The populations' rows and the chains
 * of their samples both show these, in these words.
 */
export function approvalGaps(ledger: LedgerIndex, gc: IndexedGrantChange, system: string | null, options: ApprovalGapOptions = {}): Gap[] {
  const gaps: Gap[] = [];
  const relevant = system === null ? gc.approvals : gc.approvals.filter((a) => a.system === system);
  const facts = approvalFacts(gc, system);
  if (facts.approvers.length === 0 && (options.needsApproval || relevant.some((a) => a.required > 0)))
    gaps.push(gap('no-counted-approval', system ?? 'the systems changed'));
  for (const a of relevant) if (a.missing > 0) gaps.push(gap('approvals-missing', a.system, a.missing, a.required));
  if (facts.on_head === false) gaps.push(gap('approval-on-older-commit'));
  if (facts.approved_at && gc.pr.merged_at && facts.approved_at > gc.pr.merged_at) gaps.push(gap('approved-after-merge'));
  if (gc.verdict === 'fail') gaps.push(gap('gate-failed'));
  if (options.unapproved !== false) {
    const u = ledger.unapprovedByChange.get(gc.ref.key);
    if (u) gaps.push(gap('unapproved-merge', u.subject.cause));
  }
  if (options.provisioning && ledger.provisioningExpected) {
    const provs = ledger.provisionedByChange.get(gc.ref.key) ?? [];
    if (provs.length === 0) gaps.push(gap('no-provisioning-record'));
    else if (!provs.some((pv) => pv.subject.conclusion === 'success')) gaps.push(gap('provisioning-failed'));
  }
  return gaps;
}

/** The review bookkeeping of a grant file (`review.last_reviewed`, `review.reviewer`, `review.campaign`): a certification, not an access change. */
export const isReviewField = (field: string): boolean => field === 'review' || field.startsWith('review.');

export const OUTSIDE_CAMPAIGN = '(outside a campaign)';

/** A review item's flags in words: `grantee eford left the organization; expired on 2026-11-30`. */
export function flagsText(flags: readonly ReviewFlag[]): string | null {
  return flags.map(flagWords).join('; ') || null;
}

/** The gaps of an item a review kept (or changed but kept) although it was flagged. */
export function keptFlagGaps(flags: readonly ReviewFlag[]): Gap[] {
  return flags.map((f) => (f.kind === 'left-org' ? gap('kept-after-leaving', f.as, f.login) : gap('kept-after-expiry', f.on)));
}

/**
 * Why a review item needed a decision, as of its review's merge: an identity-left-org record of
 * a login the grant named that precedes it, and an expiry before it; with what the record says.
 */
export function reviewFlags(ledger: LedgerIndex, path: string, expires: string | null, mergedAt: string, recorded: readonly ReviewFlag[] = []): ReviewFlag[] {
  const flags: ReviewFlag[] = [...recorded];
  const key = (f: ReviewFlag) => (f.kind === 'left-org' ? `left\u0000${f.login.toLowerCase()}` : 'expired');
  const seen = new Set(flags.map(key));
  for (const l of ledger.leftByPath.get(path) ?? []) {
    if (l.subject.left_at > mergedAt) continue;
    for (const g of l.subject.affected_grants) {
      if (g.path !== path) continue;
      const f: ReviewFlag = { kind: 'left-org', login: l.subject.login, as: g.role };
      if (!seen.has(key(f))) {
        seen.add(key(f));
        flags.push(f);
      }
    }
  }
  const day = mergedAt.slice(0, 10);
  if (expires && expires < day && !seen.has('expired')) flags.push({ kind: 'expired', on: expires });
  return flags;
}

/** The pull request cells of a change's rows. */
export function prCells(gc: IndexedGrantChange | undefined): Row {
  return {
    pr: gc?.pr.number ?? null,
    pr_url: gc?.pr.url ?? null,
    pr_author: gc?.pr.author ?? null,
    requested_at: gc?.pr.created_at ?? null,
  };
}

/** The ledger record cells of a change's rows. */
export function ledgerCells(gc: IndexedGrantChange | undefined): Row {
  return { ledger_seq: gc?.ref.seq ?? null, ledger_hash: gc?.ref.hash ?? null };
}

export function gitLink(p: ExportParams, kind: 'commit' | 'ledger', target: string): string | null {
  if (!p.repository) return null;
  const web = `${(p.serverUrl ?? 'https://github.com').replace(/\/+$/, '')}/${p.repository}`;
  return kind === 'commit' ? `${web}/commit/${target}` : `${web}/blob/${p.ledgerBranch}/${target}`;
}

/** What chains need of a removal row (the removals population can be as large as the additions). */
export interface RemovalRef {
  path: string;
  system: string;
  role: string;
  removed_at: string;
  commit: string;
  pr: number | null;
  /** The whole grant file was deleted (not only this entry). */
  file_removed: boolean;
}

/** Same order as String#localeCompare (default locale and options), without its per-call cost. */
export const localeOrder = new Intl.Collator().compare;

/** How the rows of a population derived from the history's diffs tie back to git. */
export function diffReproduce(p: ExportParams, unit: string): { git: string; tie_back: string } {
  return {
    git: changeDiffCommand(p),
    tie_back: `rows are derived from the diffs this command prints (the same commits as grant-changes): ${unit}; each row names its commit and file, so \`git show <commit>:<file>\` and \`git show <commit>^:<file>\` show both sides`,
  };
}

/** How the rows of a point-in-time population tie back to the files at the as-of commit. */
export function asOfReproduce(p: ExportParams, unit: string): { git: string; tie_back: string } {
  return { git: `${inventoryCommand(p)}   # as-of commit: ${asOfCommitCommand(p)}`, tie_back: `rows are selected from the files at the as-of commit: ${unit}` };
}
