/** One row per grant file changed per commit on the access branch. */
import { COLUMNS } from '../columns.ts';
import { changeListCommand } from '../commands.ts';
import { ledgerCells, prCells } from './shared.ts';
import { definePopulation } from './types.ts';

export default definePopulation({
  id: 'grant-changes',
  meta: {
    title: 'All grant changes',
    question: 'Which access changes reached the access repo in the period, and was each recorded with its pull request?',
    unit: 'one row per grant file changed per commit on the access branch',
    frequency: 'event-driven',
    controls: ['SOC2:CC6.3', 'SOC2:CC8.1', 'NIST-CSF-2.0:PR.AA-05', 'ISO27001:A.5.18', 'CIS-v8:6.1', 'CIS-v8:6.2'],
  },
  columns: COLUMNS['grant-changes'],
  reproduce: (p) => ({
    git: changeListCommand(p, 'grants/'),
    tie_back: 'the command prints the row count: one row per A, M or D line of `git log --name-status` (first-parent history, so a merged pull request counts once)',
  }),
  start: (ctx) => ({
    onGrantChange({ commit, file, gc, identity, kind, diff, gapsFor }) {
      ctx.emit(
        {
          commit: commit.sha,
          changed_at: commit.committed_at,
          path: file.path,
          identity,
          kind,
          action: file.action,
          before_blob: file.before_blob,
          after_blob: file.after_blob,
          entries_added: diff.added.length,
          entries_removed: diff.removed.length,
          entries_modified: diff.modified.length,
          ...prCells(gc),
          merged_at: gc?.pr.merged_at ?? null,
          merged_by: gc?.pr.merged_by ?? null,
          gate: gc?.verdict ?? null,
          ...ledgerCells(gc),
        },
        gapsFor(null),
      );
    },
  }),
});
