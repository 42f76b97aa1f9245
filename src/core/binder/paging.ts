/**
 * Which population is shown where, and in what column order. A population of up to
 * HTML_INLINE_ROWS rows is a table inside index.html; a larger one gets a page of its own,
 * populations/<id>.html, which index.html links: every row embedded (one JSON array of cells per
 * row), shown a page at a time, and filtered over all of them, so index.html stays small and
 * opens at once whatever the size of the binder. No row is left out of either.
 */
import type { Column } from './types.ts';

/** Populations with more rows than this get a page of their own. */
export const HTML_INLINE_ROWS = 1_000;

export const hasOwnPage = (pop: { rowCount: number }): boolean => pop.rowCount > HTML_INLINE_ROWS;

export const populationPagePath = (id: string): string => `populations/${id}.html`;

/**
 * The column that names a row: the identity of an access entry, the login of someone who left,
 * the system of a system change, the pull request of an unapproved merge. The page shows it
 * first and holds it in place while the table scrolls sideways.
 */
const LEAD_KEYS = ['identity', 'login', 'system', 'pr'];

/** A population's columns in the order its page shows them: the lead column first, the rest as in the CSV. */
export function pageColumns<C extends Pick<Column, 'key'>>(columns: readonly C[]): C[] {
  for (const key of LEAD_KEYS) {
    const at = columns.findIndex((c) => c.key === key);
    if (at >= 0) return [columns[at]!, ...columns.slice(0, at), ...columns.slice(at + 1)];
  }
  return [...columns];
}
