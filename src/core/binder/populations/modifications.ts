/**
 * One row per changed field of a changed grant file. Access changes only: review bookkeeping that
 * certifies is a review-campaigns row; a review block changed without certifying (a date moved
 * back, a reviewer cleared: the gate needs no approval) stays here, widening nothing.
 */
import { COLUMNS } from '../columns.ts';
import type { Row } from '../types.ts';
import { approvalFacts, diffReproduce, isReviewField, ledgerCells, prCells, yesNo } from './shared.ts';
import { definePopulation } from './types.ts';

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
  columns: COLUMNS.modifications,
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
          ctx.emit(modRow(m.after.system, m.after.role, f.field, f.before, f.after, !documentation && (widens(`access[${index}]`) || widens('*'))), gapsFor(m.after.system));
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
