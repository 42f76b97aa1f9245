/** One row per privileged access entry of the as-of tree: who holds it, until when, and its approval record. */
import { col, ENTRY_COLUMNS, gapsCol, JIT_COLUMNS } from '../columns.ts';
import type { Column } from '../types.ts';
import { asOfReproduce } from './shared.ts';
import { definePopulation } from './types.ts';

const columns: Column[] = [
  ...ENTRY_COLUMNS,
  col('owner', 'Owner', 'identity.owner.'),
  col('grantee', 'Grantee', 'identity.github (humans).'),
  col('access_path', 'Access path', 'standing, or JIT with its maximum window and who approves each activation.'),
  ...JIT_COLUMNS,
  col('expires', 'Expires', "The entry's expiry day."),
  col('justification', 'Justification', 'Why the access is needed.'),
  col('path', 'File', 'The grant file.'),
  col('approval_seq', 'Approval record seq', 'Ledger seq of the latest grant-change record that added this entry.'),
  col('approval_pr', 'Approval PR', 'Its pull request.'),
  col('approval_hash', 'Approval record hash', 'Its hash.'),
  gapsCol,
];

const meta = {
  title: 'Privileged access',
  question: 'Who holds privileged access on the as-of day, until when, and where is its approval recorded?',
  unit: 'one row per privileged access entry in the tree as of the as-of day',
  frequency: 'point-in-time' as const,
  controls: ['SOC2:CC6.3', 'NIST-CSF-2.0:PR.AA-05', 'ISO27001:A.8.2', 'OWASP-NHI:NHI5:2025', 'CIS-v8:6.5', 'CIS-v8:6.8'],
};

export default definePopulation({
  id: 'privileged',
  meta,
  columns,
  reproduce: (p) => asOfReproduce(p, meta.unit),
  start: (ctx) => ({
    onTreeEntry({ entry, approval, gaps, base }) {
      if (entry.privileged) ctx.emit({ ...base, justification: entry.justification ?? null, approval_hash: approval?.ref.hash ?? null }, gaps);
    },
  }),
});
