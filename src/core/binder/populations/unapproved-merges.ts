/** One row per unapproved-merge record in the period: merges the policy would have refused, and why. */
import { col, gapsCol, LEDGER_COLUMNS } from '../columns.ts';
import type { Column } from '../types.ts';
import { ledgerSelectCommand } from '../commands.ts';
import { gap } from '../gaps.ts';
import { approvalGaps } from './shared.ts';
import { definePopulation } from './types.ts';

const columns: Column[] = [
  col('occurred_at', 'Merged at', 'When the merge happened.'),
  col('pr', 'PR', 'Pull request number.'),
  col('pr_url', 'PR link', 'The pull request on GitHub.'),
  col('title', 'Title', 'Pull request title.'),
  col('author', 'Author', 'Pull request author.'),
  col('merged_by', 'Merged by', 'Who merged it.'),
  col('cause', 'Cause', 'admin-bypass, gate-outage, gate-not-required, not-a-review, too-large or unknown.'),
  col('detail', 'Detail', 'What the cause means for this merge, when the record says.'),
  col('missing_approvals', 'Missing approvals', 'Systems whose required approvals were missing (system: missing of required).'),
  col('findings', 'Findings', 'Error findings of the merge-time verdict.'),
  col('issue', 'Follow-up issue', 'The issue opened about it.'),
  col('grant_change_seq', 'Grant-change seq', 'Seq of the grant-change record of the same merge.'),
  ...LEDGER_COLUMNS,
  gapsCol,
];

export default definePopulation({
  id: 'unapproved-merges',
  meta: {
    title: 'Unapproved merges',
    question: 'Which access changes were merged although the policy would have refused them, and why?',
    unit: 'one row per unapproved-merge record in the period',
    frequency: 'deviation',
    controls: ['SOC2:CC6.2', 'SOC2:CC8.1', 'NIST-CSF-2.0:ID.RA-07', 'ISO27001:A.5.18'],
  },
  columns,
  reproduce: (p) => ({
    git: ledgerSelectCommand(p, 'unapproved-merge', 'length'),
    tie_back: 'the command prints the row count: unapproved-merge records whose occurred_at falls in the period',
  }),
  start: (ctx) => ({
    finish() {
      for (const u of ctx.ledger.unapproved) {
        if (!ctx.inPeriod(u.ref.occurred_at)) continue;
        const s = u.subject;
        const gc = ctx.ledger.grantChangeByKey.get(s.grant_change_key);
        ctx.emit(
          {
            occurred_at: u.ref.occurred_at,
            pr: s.pr.number,
            pr_url: s.pr.url,
            title: s.pr.title,
            author: s.pr.author,
            merged_by: s.pr.merged_by,
            cause: s.cause,
            detail: s.detail ?? null,
            missing_approvals: s.missing_approvals.map((a) => `${a.system}: ${a.missing} of ${a.required}`).join('; ') || null,
            findings: s.findings.map((f) => `${f.rule}: ${f.message}`).join(' | ') || null,
            issue: s.issue?.url ?? null,
            grant_change_seq: gc?.ref.seq ?? null,
            ledger_seq: u.ref.seq,
            ledger_hash: u.ref.hash,
          },
          [gap('unapproved', s.cause), ...(gc ? approvalGaps(ctx.ledger, gc, null, { unapproved: false }) : [])],
        );
      }
    },
  }),
});
