/** Every gap of every row of the other populations: the export lists them as the rows are made. */
import { COLUMNS } from '../columns.ts';
import { definePopulation } from './types.ts';

export default definePopulation({
  id: 'gaps',
  meta: {
    title: 'Gaps: every exception of the period',
    question: 'What evidence is missing, and where? Every gap of every row of the other populations, so the exceptions can be examined first.',
    unit: 'one row per gap of a row of another population (in the order the rows were made; filter by population or kind)',
    frequency: 'index',
    controls: [],
  },
  columns: COLUMNS.gaps,
  reproduce: () => ({
    git: 'jq -r \'.rows[] | select(.gaps != null) | .gaps\' populations/*.json | wc -l   # rows with gaps, across the populations (run in the binder)',
    tie_back: 'one row per gap of every row whose `gaps` cell is set, in the other populations of this binder; `population` and `row` name that row (its 1-based number in populations/<population>.csv), and the population\'s "rows with gaps" counts the rows',
  }),
  // Its rows come from the other populations' `emit` (src/core/binder/export.ts).
  start: () => ({}),
});
