/** One row per access entry added: who was granted what, approved by whom and when, provisioned when. */
import { COLUMNS } from '../columns.ts';
import { accessPath, approvalFacts, diffReproduce, ledgerCells, prCells, yesNo } from './shared.ts';
import { definePopulation } from './types.ts';

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
  columns: COLUMNS.additions,
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
