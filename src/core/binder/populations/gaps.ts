/** Every gap of every row of the other populations: the export lists them as the rows are made. */
import { col } from '../columns.ts';
import type { Column } from '../types.ts';
import { definePopulation } from './types.ts';

const columns: Column[] = [
  col('population', 'Population', 'The population the gap is counted in.'),
  col('row', 'Row', "The row's number in populations/<population>.csv (1-based, as the samples number rows)."),
  col('identity', 'Identity', "The row's identity (for left-org, the login that left)."),
  col('system', 'System', "The row's system, when it has one."),
  col('role', 'Role', "The row's role, when it has one."),
  col('path', 'File', "The row's grant or system file, when it has one."),
  col('pr', 'PR', "The row's pull request, when it has one."),
  col('ledger_seq', 'Ledger seq', "The row's ledger record, when it has one."),
  col('kind', 'Gap kind', 'The kind of gap (docs/binder.md, "Gaps", lists every kind).'),
  col('gap', 'Gap', "The gap, in the words the row's `gaps` cell and its evidence chain use."),
];

export default definePopulation({
  id: 'gaps',
  meta: {
    title: 'Gaps: every exception of the period',
    question: 'What evidence is missing, and where? Every gap of every row of the other populations, so the exceptions can be examined first.',
    unit: 'one row per gap of a row of another population (in the order the rows were made; filter by population or kind)',
    frequency: 'index',
    controls: [],
  },
  columns,
  reproduce: () => ({
    git: "jq -r '.rows[] | select(.gaps != null) | .gaps' populations/*.json | wc -l   # rows with gaps, across the populations (run in the binder)",
    tie_back:
      'one row per gap of every row whose `gaps` cell is set, in the other populations of this binder; `population` and `row` name that row (its 1-based number in populations/<population>.csv), and the population\'s "rows with gaps" counts the rows',
  }),
  // Its rows come from the other populations' `emit` (src/core/binder/export.ts).
  start: () => ({}),
});
