/** One row per grant file changed per commit on the access branch. */
import { col, gapsCol, GIT_COLUMNS, LEDGER_COLUMNS, PR_COLUMNS } from '../columns.ts';
import type { Column } from '../types.ts';
import { changeListCommand } from '../commands.ts';
import { ledgerCells, prCells } from './shared.ts';
import { definePopulation } from './types.ts';

const columns: Column[] = [
  ...GIT_COLUMNS,
  col('identity', 'Identity', 'identity.id (the file name stem when the file cannot be read).'),
  col('kind', 'Kind', 'Identity kind after the change (before it, for a removal).'),
  col('action', 'Action', 'added, modified or removed: what the commit did to the file.'),
  col('before_blob', 'Blob before', 'Git blob SHA of the file before the commit.'),
  col('after_blob', 'Blob after', 'Git blob SHA of the file after the commit.'),
  col('entries_added', 'Entries added', 'Access entries this change added.'),
  col('entries_removed', 'Entries removed', 'Access entries this change removed.'),
  col('entries_modified', 'Entries modified', 'Access entries this change edited.'),
  ...PR_COLUMNS,
  col('merged_at', 'Merged at', 'When the pull request was merged.'),
  col('merged_by', 'Merged by', 'Who merged it.'),
  col('gate', 'Gate at merge', 'The gate verdict re-evaluated at merge time: pass or fail.'),
  ...LEDGER_COLUMNS,
  gapsCol,
];

export default definePopulation({
  id: 'grant-changes',
  meta: {
    title: 'All grant changes',
    question: 'Which access changes reached the access repo in the period, and was each recorded with its pull request?',
    unit: 'one row per grant file changed per commit on the access branch',
    frequency: 'event-driven',
    controls: ['SOC2:CC6.3', 'SOC2:CC8.1', 'NIST-CSF-2.0:PR.AA-05', 'ISO27001:A.5.18', 'CIS-v8:6.1', 'CIS-v8:6.2'],
  },
  columns,
  reproduce: (p) => ({
    git: changeListCommand(p, 'grants/'),
    tie_back:
      'the command prints the row count: one row per A, M or D line of `git log --name-status` (first-parent history, so a merged pull request counts once)',
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
