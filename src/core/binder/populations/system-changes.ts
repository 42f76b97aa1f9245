/** One row per system file changed per commit on the access branch. */
import type { System } from '../../model/types.ts';
import { fileStem } from '../../model/snapshot.ts';
import { col, gapsCol, LEDGER_COLUMNS } from '../columns.ts';
import type { Column } from '../types.ts';
import { changeListCommand } from '../commands.ts';
import { gap } from '../gaps.ts';
import { fieldChanges } from '../grant-diff.ts';
import { parseAccessFile } from '../parse.ts';
import { approvalGaps, ledgerCells } from './shared.ts';
import { definePopulation } from './types.ts';

const columns: Column[] = [
  col('commit', 'Commit', 'The commit that changed the system file.'),
  col('changed_at', 'Changed at', 'Committer date of the commit.'),
  col('path', 'File', 'The system file.'),
  col('system', 'System', 'The system id.'),
  col('action', 'Action', 'added, modified or removed.'),
  col('fields', 'Fields changed', 'Fields whose value changed (owner, approvers, evidence, cadence, …).'),
  col('pr', 'PR', 'Pull request number, when the merge was recorded.'),
  col('pr_url', 'PR link', 'The pull request on GitHub.'),
  ...LEDGER_COLUMNS,
  gapsCol,
];

export default definePopulation({
  id: 'system-changes',
  meta: {
    title: 'System definition changes',
    question: 'Which systems, owners, approver lists and evidence sources changed in the period?',
    unit: 'one row per system file changed per commit on the access branch',
    frequency: 'event-driven',
    controls: ['SOC2:CC8.1', 'NIST-CSF-2.0:GV.RR-02', 'NIST-CSF-2.0:ID.AM-02'],
  },
  columns,
  reproduce: (p) => ({ git: changeListCommand(p, 'systems/'), tie_back: 'the command prints the row count: one row per A, M or D line' }),
  start: (ctx) => ({
    onSystemChange({ commit, file, gc }) {
      const before = parseAccessFile<System>(file.before, 'system');
      const after = parseAccessFile<System>(file.after, 'system');
      const fields = fieldChanges(before.data ?? {}, after.data ?? {}).map((f) => f.field);
      ctx.emit(
        {
          commit: commit.sha,
          changed_at: commit.committed_at,
          path: file.path,
          system: after.data?.id ?? before.data?.id ?? fileStem(file.path),
          action: file.action,
          fields: fields.join('; ') || '(file)',
          pr: gc?.pr.number ?? null,
          pr_url: gc?.pr.url ?? null,
          ...ledgerCells(gc),
        },
        gc ? approvalGaps(ctx.ledger, gc, null) : [gap('no-ledger-record')],
      );
    },
  }),
});
