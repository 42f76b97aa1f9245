/**
 * One row per item of each review-campaign record in the period, and per access entry of a grant
 * whose review block was certified outside a campaign (a `review` block set in an ordinary pull
 * request, or a new grant file that arrives with one: the admins approve either).
 */
import type { Grant } from '../../model/types.ts';
import type { ReviewItem } from '../../ledger/kinds.ts';
import { col, gapsCol, LEDGER_COLUMNS } from '../columns.ts';
import type { Column } from '../types.ts';
import { ledgerSelectCommand } from '../commands.ts';
import { gap, type Gap } from '../gaps.ts';
import { approvalFacts, approvalGaps, flagsText, keptFlagGaps, ledgerCells, OUTSIDE_CAMPAIGN, reviewFlags, yesNo } from './shared.ts';
import { definePopulation, type GrantChangeEvent } from './types.ts';

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

const columns: Column[] = [
  col('system', 'System', 'The system reviewed.'),
  col(
    'campaign',
    'Campaign',
    'The campaign (`<system>/<date>`, or the review pull request when the files name none); `(outside a campaign)` for a review block certified in an ordinary pull request.',
  ),
  col('reviewed_on', 'Reviewed on', 'The review date written into review.last_reviewed.'),
  col(
    'reviewers',
    'Reviewers',
    "Who certified this item: the system's approvers whose approval of the head commit counted for it, never its own grantees (outside a campaign: the approvals the gate counted for the review block, the admins').",
  ),
  col(
    'outcome',
    'Decision',
    'kept (recertified), changed, removed, or not reviewed (marked reviewed in the pull request, but certified by nobody eligible other than its own grantee).',
  ),
  col(
    'flags',
    'Flags',
    "What the reviewer must not keep blindly: its grantee, a holder or its owner had left the organization, or the entry had expired, by the review's merge.",
  ),
  col('identity', 'Identity', 'The identity reviewed.'),
  col('role', 'Role', 'Its role on the system.'),
  col('privileged', 'Privileged', 'Whether the entry is privileged.'),
  col('expires', 'Expires', "The entry's expiry (after the review; before it for removals)."),
  col('path', 'File', 'The grant file.'),
  col('pr', 'PR', 'The review pull request.'),
  col('pr_url', 'PR link', 'The review pull request on GitHub.'),
  col('merged_at', 'Completed at', 'When the review was merged.'),
  ...LEDGER_COLUMNS,
  gapsCol,
];

export default definePopulation({
  id: 'review-campaigns',
  meta: {
    title: 'Access review items',
    question: 'Which access reviews were completed in the period, by whom, what did each reviewer have to decide on, and what happened to each item?',
    unit: 'one row per item (kept, changed, removed or not reviewed) of each review-campaign record in the period, and per access entry of a grant whose review block was certified outside a campaign',
    frequency: 'quarterly',
    controls: ['SOC2:CC6.2', 'SOC2:CC6.3', 'NIST-CSF-2.0:PR.AA-05', 'OWASP-NHI:NHI5:2025', 'ISO27001:A.5.18', 'CIS-v8:5.5', 'CIS-v8:6.8'],
  },
  columns,
  reproduce: (p) => ({
    git: ledgerSelectCommand(p, 'review-campaign', 'map(.subject | (.items | .kept + .changed + .removed) + (.not_reviewed // []) | length) | add // 0'),
    tie_back: `the command prints the number of rows of review-campaign records: the items of every review-campaign record whose occurred_at falls in the period; rows whose campaign is ${OUTSIDE_CAMPAIGN} come from the history (the grant-changes whose diff sets a grant's review block in a pull request that is no review campaign), one per access entry of the grant`,
  }),
  start: (ctx) => {
    let campaigns = 0;
    let items = 0;
    let outside = 0;

    /** One row per access entry of a grant certified outside a campaign, with the approvals the gate counted for it. */
    const certification = ({ gc, git, changeGaps }: GrantChangeEvent, grant: Grant): void => {
      const reviewers = gc ? approvalFacts(gc, 'admins').approvers : [];
      const mergedAt = gc?.pr.merged_at ?? git.changed_at;
      const gaps = [...changeGaps, ...(gc ? approvalGaps(ctx.ledger, gc, 'admins', { needsApproval: true }) : [])];
      const entries: (Grant['access'][number] | null)[] = grant.access.length > 0 ? grant.access : [null];
      for (const entry of entries) {
        const flags = entry ? reviewFlags(ctx.ledger, git.path, entry.expires ?? null, mergedAt) : [];
        ctx.emit(
          {
            system: entry?.system ?? null,
            campaign: OUTSIDE_CAMPAIGN,
            reviewed_on: grant.review?.last_reviewed ?? null,
            reviewers: reviewers.join(', ') || null,
            outcome: 'kept',
            flags: flagsText(flags),
            identity: grant.identity.id,
            role: entry?.role ?? null,
            privileged: entry ? yesNo(entry.privileged ?? false) : null,
            expires: entry?.expires ?? null,
            path: git.path,
            pr: gc?.pr.number ?? null,
            pr_url: gc?.pr.url ?? null,
            merged_at: gc?.pr.merged_at ?? null,
            ...ledgerCells(gc),
          },
          [...gaps, ...keptFlagGaps(flags)],
        );
        outside++;
      }
    };

    return {
      onGrantChange(event) {
        const { file, after, campaign, certifies, widens } = event;
        if (certifies && after && !campaign) certification(event, after);
        // A new grant file that arrives with a review block certifies it as well: the gate asks the
        // admins for it as for any review written outside a campaign, so it is listed the same way.
        if (file.action === 'added' && !campaign && after?.review?.last_reviewed && widens('review')) certification(event, after);
      },
      finish() {
        for (const c of ctx.ledger.campaigns) {
          if (!ctx.inPeriod(c.ref.occurred_at)) continue;
          campaigns++;
          const s = c.subject;
          const mergedAt = s.pr.merged_at ?? c.ref.occurred_at;
          const lists: Record<string, ReviewItem[]> = {
            kept: s.items.kept,
            changed: s.items.changed,
            removed: s.items.removed,
            'not reviewed': s.not_reviewed ?? [],
          };
          for (const outcome of ['kept', 'changed', 'removed', 'not reviewed'] as const) {
            for (const item of lists[outcome]!) {
              items++;
              const flags = reviewFlags(ctx.ledger, item.path, item.expires, mergedAt, item.flags ?? []);
              const gaps: Gap[] = [];
              if (!ctx.ledger.approvalRecord(item.path, s.system, item.role, mergedAt)) gaps.push(gap('no-approval-record'));
              if (outcome === 'not reviewed') gaps.push(gap('not-reviewed'));
              if (outcome === 'kept' || outcome === 'changed') gaps.push(...keptFlagGaps(flags));
              ctx.emit(
                {
                  system: s.system,
                  campaign: s.campaign ?? `PR #${s.pr.number}`,
                  reviewed_on: s.reviewed_on,
                  // Who certified this item (never its own grantee); records before per-item sign-off name the campaign's reviewers.
                  reviewers: outcome === 'not reviewed' ? null : (item.certified_by ?? s.reviewers).join(', ') || null,
                  outcome,
                  flags: flagsText(flags),
                  identity: item.identity,
                  role: item.role,
                  privileged: yesNo(item.privileged),
                  expires: item.expires,
                  path: item.path,
                  pr: s.pr.number,
                  pr_url: s.pr.url,
                  merged_at: s.pr.merged_at,
                  ledger_seq: c.ref.seq,
                  ledger_hash: c.ref.hash,
                },
                gaps,
              );
            }
          }
        }
      },
      /** Campaigns and their items, and certifications outside one. */
      tally() {
        const parts = [`${plural(campaigns, 'review campaign')} (${plural(items, 'item')})`];
        if (outside > 0) parts.push(`${plural(outside, 'entry', 'entries')} certified outside a campaign`);
        return parts.join(', ');
      },
    };
  },
});
