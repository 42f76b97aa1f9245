/** One row per access entry added: who was granted what, approved by whom and when, provisioned when. */
import { col, ENTRY_COLUMNS, gapsCol, GIT_COLUMNS, LEDGER_COLUMNS, PR_COLUMNS } from '../columns.ts';
import type { Column } from '../types.ts';
import { accessPath, approvalFacts, diffReproduce, ledgerCells, prCells, yesNo } from './shared.ts';
import { definePopulation } from './types.ts';

const columns: Column[] = [
  ...ENTRY_COLUMNS,
  col('access_path', 'Access path', 'standing, or JIT with its maximum window and who approves each activation.'),
  col('expires', 'Expires', "The entry's expiry day."),
  col('justification', 'Justification', 'Why the access is needed, as written in the file.'),
  col('ticket', 'Ticket', 'The optional request ticket or link in the entry.'),
  col('owner', 'Owner', 'identity.owner: the accountable person.'),
  ...GIT_COLUMNS,
  ...PR_COLUMNS,
  col('approvers', 'Approved by', 'Approvals the gate counted for this system at merge time.'),
  col('approved_at', 'Approved at', 'Time of the last counted approval: when the requirement was met.'),
  col('approval_on_merged_head', 'Approval on merged head', 'yes when every counted approval was given on the commit that was merged.'),
  col('approved_before_merge', 'Approved before merge', 'yes when the approval time precedes the merge.'),
  col('merged_at', 'Merged at', 'When the pull request was merged.'),
  col('merged_by', 'Merged by', 'Who merged it.'),
  col(
    'provisioned_at',
    'Provisioned at',
    'Completion of the provisioning workflow run on the merge commit, when recorded (when not, a gap, where a provisioning workflow is configured or any run is recorded).',
  ),
  col('provisioning_run', 'Provisioning run', 'Link to that workflow run.'),
  col('provisioning_conclusion', 'Provisioning result', "The run's conclusion."),
  ...LEDGER_COLUMNS,
  gapsCol,
];

const meta = {
  title: 'Additions (new access)',
  question: 'Who was granted what, when was it requested, who approved it and when, and when was it merged and provisioned?',
  unit: 'one row per access entry added (a new file, or a new system and role in an existing file)',
  frequency: 'event-driven' as const,
  controls: ['SOC2:CC6.2', 'SOC2:CC6.3', 'SOC2:CC8.1', 'NIST-CSF-2.0:PR.AA-05', 'ISO27001:A.5.18', 'CIS-v8:6.1'],
};

export default definePopulation({
  id: 'additions',
  meta,
  columns,
  reproduce: (p) => diffReproduce(p, meta.unit),
  start: (ctx) => ({
    onGrantChange({ gc, after, identity, diff, git, gapsFor }) {
      for (const { entry } of diff.added) {
        const grant = after!;
        const facts = gc ? approvalFacts(gc, entry.system) : null;
        const prov = gc ? (ctx.ledger.provisionedByChange.get(gc.ref.key) ?? []) : [];
        const lastProv = prov.at(-1);
        const approvedBefore = facts?.approved_at && gc?.pr.merged_at ? facts.approved_at <= gc.pr.merged_at : null;
        const row = {
          identity,
          kind: grant.identity.kind,
          system: entry.system,
          role: entry.role,
          privileged: yesNo(entry.privileged ?? false),
          access_path: accessPath(entry),
          expires: entry.expires ?? null,
          justification: entry.justification ?? null,
          ticket: entry.request ?? null,
          owner: grant.identity.owner ?? null,
          ...git,
          ...prCells(gc),
          approvers: facts?.approvers.join(', ') || null,
          approved_at: facts?.approved_at ?? null,
          approval_on_merged_head: yesNo(facts?.on_head),
          approved_before_merge: yesNo(approvedBefore),
          merged_at: gc?.pr.merged_at ?? null,
          merged_by: gc?.pr.merged_by ?? null,
          provisioned_at: lastProv?.subject.completed_at ?? null,
          provisioning_run: lastProv?.subject.run_url ?? null,
          provisioning_conclusion: lastProv?.subject.conclusion ?? null,
          ...ledgerCells(gc),
        };
        ctx.emit(row, gapsFor(entry.system, { needsApproval: true, provisioning: true }));
        ctx.charts.addition(row);
      }
    },
  }),
});
