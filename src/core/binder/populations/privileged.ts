/** One row per privileged access entry of the as-of tree: who holds it, until when, and its approval record. */
import { COLUMNS } from '../columns.ts';
import { asOfReproduce } from './shared.ts';
import { definePopulation } from './types.ts';

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
  columns: COLUMNS.privileged,
  reproduce: (p) => asOfReproduce(p, meta.unit),
  start: (ctx) => ({
    onTreeEntry({ entry, approval, gaps, base }) {
      if (entry.privileged) ctx.emit({ ...base, justification: entry.justification ?? null, approval_hash: approval?.ref.hash ?? null }, gaps);
    },
  }),
});
