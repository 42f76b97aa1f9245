/** One row per access entry of every grant file at the as-of commit: who had access to what that day. */
import { fileStem } from '../../model/snapshot.ts';
import { col, gapsCol, JIT_COLUMNS } from '../columns.ts';
import type { Column } from '../types.ts';
import { asOfCommitCommand, inventoryCommand } from '../commands.ts';
import { gap } from '../gaps.ts';
import { definePopulation } from './types.ts';

const columns: Column[] = [
  col('identity', 'Identity', 'identity.id.'),
  col('kind', 'Kind', 'Identity kind.'),
  col('owner', 'Owner', 'identity.owner.'),
  col('grantee', 'Grantee', 'identity.github (humans).'),
  col('system', 'System', 'The system the entry reaches (empty for a file with no access entries).'),
  col('role', 'Role', 'The role.'),
  col('privileged', 'Privileged', 'Whether the entry is privileged.'),
  col('access_path', 'Access path', 'standing, or JIT with its maximum window and who approves each activation.'),
  ...JIT_COLUMNS,
  col('expires', 'Expires', "The entry's expiry day."),
  col('last_reviewed', 'Last reviewed', 'review.last_reviewed.'),
  col('path', 'File', 'The grant file.'),
  col('blob', 'Blob', 'Git blob SHA of the file at the as-of commit.'),
  col('approval_seq', 'Approval record seq', 'Ledger seq of the latest grant-change record that added this entry.'),
  col('approval_pr', 'Approval PR', 'Its pull request.'),
  gapsCol,
];

export default definePopulation({
  id: 'inventory',
  meta: {
    title: 'Inventory as of the as-of day',
    question: "Who had access to what on the as-of day (from git history, not today's files)?",
    unit: 'one row per access entry of every grant file in the tree as of the as-of day (one row with an empty system for a file without entries)',
    frequency: 'point-in-time',
    controls: ['SOC2:CC6.1', 'NIST-CSF-2.0:PR.AA-01', 'NIST-CSF-2.0:ID.AM-02', 'ISO27001:A.5.15', 'ISO27001:A.5.16', 'CIS-v8:5.1'],
  },
  columns,
  reproduce: (p) => ({
    git: `${inventoryCommand(p)}   # as-of commit: ${asOfCommitCommand(p)}`,
    tie_back:
      'the command prints the number of grant files at the as-of commit, which equals the number of distinct files in the rows: one row per access entry of each file (one for a file without entries), each with its file and blob SHA',
  }),
  start: (ctx) => ({
    onTreeEntry({ data, gaps, base, grant }) {
      const row = { ...base, last_reviewed: data.review?.last_reviewed ?? null, blob: grant.file.blob };
      ctx.emit(row, gaps);
      ctx.charts.inventory(row);
    },
    onTreeGrant({ file: g }) {
      // A file that cannot be read, or one without entries, is still a row: every file of the tree is listed.
      if (!g.grant) {
        const row = {
          identity: fileStem(g.path),
          kind: null,
          owner: null,
          grantee: null,
          system: null,
          role: null,
          privileged: null,
          access_path: null,
          jit_max_hours: null,
          jit_approvers: null,
          expires: null,
          last_reviewed: null,
          path: g.path,
          blob: g.blob,
          approval_seq: null,
          approval_pr: null,
        };
        ctx.emit(row, [gap('unreadable-file', g.problem ?? 'cannot be read')]);
        ctx.charts.inventory(row);
        return;
      }
      const id = g.grant.identity;
      if (g.grant.access.length === 0) {
        const row = {
          identity: id.id,
          kind: id.kind,
          owner: id.owner ?? null,
          grantee: id.github ?? null,
          system: null,
          role: null,
          privileged: null,
          access_path: null,
          jit_max_hours: null,
          jit_approvers: null,
          expires: null,
          last_reviewed: g.grant.review?.last_reviewed ?? null,
          path: g.path,
          blob: g.blob,
          approval_seq: null,
          approval_pr: null,
        };
        ctx.emit(row, id.owner ? [] : [gap('no-owner')]);
        ctx.charts.inventory(row);
      }
    },
  }),
});
