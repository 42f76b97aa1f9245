/**
 * One row per changed field of a changed grant file. Access changes only: review bookkeeping that
 * certifies is a review-campaigns row; a review block changed without certifying (a date moved
 * back, a reviewer cleared: the gate needs no approval) stays here, widening nothing.
 */
import { col, gapsCol, GIT_COLUMNS, LEDGER_COLUMNS, PR_COLUMNS } from '../columns.ts';
import type { Column } from '../types.ts';
import type { Row } from '../types.ts';
import { approvalFacts, diffReproduce, isReviewField, ledgerCells, prCells, yesNo } from './shared.ts';
import { definePopulation } from './types.ts';

const columns: Column[] = [
  col('identity', 'Identity', 'identity.id of the grant file.'),
  col('kind', 'Kind', 'Identity kind after the change.'),
  col('system', 'System', 'The access entry edited (empty for a change outside access).'),
  col('role', 'Role', 'Its role.'),
  col(
    'field',
    'Field',
    'The field that changed (dotted path; `(file)` when only formatting changed). A certification of the `review` block is not an access change: it is in review-campaigns (a review block changed without certifying, e.g. a date moved back, stays here).',
  ),
  col('before', 'Before', 'Value before the change.'),
  col('after', 'After', 'Value after the change.'),
  col(
    'widens',
    'Widens access',
    "yes when the gate judged this field's change to need approval: more access for someone (a new principal, role, privilege, later or no expiry, a longer or differently approved JIT window), or a changed authority fact (owner, kind, credential, vendor, shared controls, exception, review). The ledger's grant-change record carries the judgement; docs/gate.md explains it.",
  ),
  ...GIT_COLUMNS,
  ...PR_COLUMNS,
  col('approvers', 'Approved by', 'Approvals the gate counted at merge time (for this system when one is named).'),
  col('merged_at', 'Merged at', 'When the pull request was merged.'),
  ...LEDGER_COLUMNS,
  gapsCol,
];

const meta = {
  title: 'Modifications',
  question: 'Which existing grants were changed, field by field, and who approved each change?',
  unit: 'one row per changed field of a changed grant file (access entries by system and role)',
  frequency: 'event-driven' as const,
  controls: ['SOC2:CC6.3', 'SOC2:CC8.1', 'NIST-CSF-2.0:PR.AA-05', 'ISO27001:A.5.18'],
};

export default definePopulation({
  id: 'modifications',
  meta,
  columns,
  reproduce: (p) => diffReproduce(p, meta.unit),
  start: (ctx) => ({
    onGrantChange({ file, gc, after, identity, kind, unreadable, diff, git, gapsFor, widens, certifies }) {
      const mergedAt = gc?.pr.merged_at ?? null;
      const approvalsFor = (system: string | null): string | null => (gc ? approvalFacts(gc, system).approvers.join(', ') || null : null);
      const modRow = (system: string | null, role: string | null, field: string, b: string | null, a: string | null, widening: boolean): Row => ({
        identity,
        kind,
        system,
        role,
        field,
        before: b,
        after: a,
        widens: yesNo(widening),
        ...git,
        ...prCells(gc),
        approvers: approvalsFor(system),
        merged_at: mergedAt,
        ...ledgerCells(gc),
      });
      let shown = 0;
      for (const m of diff.modified) {
        const index = after?.access.indexOf(m.after) ?? -1;
        for (const f of m.fields) {
          const documentation = f.field === 'justification' || f.field === 'request';
          ctx.emit(
            modRow(m.after.system, m.after.role, f.field, f.before, f.after, !documentation && (widens(`access[${index}]`) || widens('*'))),
            gapsFor(m.after.system),
          );
          shown++;
        }
      }
      for (const f of diff.fields) {
        if (certifies && isReviewField(f.field)) continue;
        ctx.emit(modRow(null, null, f.field, f.before, f.after, widens(f.field)), gapsFor(null));
        shown++;
      }
      // A certification is a row of review-campaigns (or the campaign's record lists it).
      if (certifies && after) shown++;
      // A modified file whose change no row shows (formatting, or a side that cannot be read)
      // still gets a row: every grant change appears in at least one derived population.
      if ((file.action === 'modified' || unreadable) && shown === 0 && diff.added.length === 0 && diff.removed.length === 0) {
        ctx.emit(modRow(null, null, '(file)', file.before_blob, file.after_blob, unreadable || widens('*')), gapsFor(null));
      }
    },
  }),
});
