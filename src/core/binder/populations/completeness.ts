/**
 * The systems' own listings of their accounts against the grants of their day, and how each
 * difference was resolved: its rows are made by src/core/binder/completeness.ts from the
 * listings on the ledger, and handed on here.
 */
import { ledgerSelectCommand } from '../commands.ts';
import { COMPLETENESS_COLUMNS, COMPLETENESS_META } from '../completeness.ts';
import { definePopulation } from './types.ts';

export default definePopulation({
  id: 'completeness',
  meta: COMPLETENESS_META,
  columns: COMPLETENESS_COLUMNS,
  reproduce: (p) => ({
    git: ledgerSelectCommand(p, 'access-snapshot', 'length'),
    tie_back:
      'the command prints the number of listings in the period: one `listing` row each, then one row per difference; each listing reads back with `access-ledger observe --system <system> --from <raw export> --taken-at <taken_at>` ' +
      '(`git show <ledger sha>:snapshots/<raw_sha256>.csv` or `.json` gives the export), and its differences with `access-ledger drift` against the grants at `access_commit`; systems not listed in the period are `no-listing` rows',
  }),
  start: (ctx) => ({
    onListing({ row, gaps }) {
      ctx.emit(row, gaps);
    },
  }),
});
