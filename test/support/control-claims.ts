/**
 * What docs/controls.md claims about where each control is cited, read from the page itself (not
 * from the code that generates it): its rules, the ledger record kinds that cite it (always, or
 * "when" some change), and the binder populations that list it.
 */
import { readFileSync } from 'node:fs';

export interface ControlClaim {
  control: string;
  rules: string[];
  /** Record kinds that cite the control: `when` is null when every record of the kind does. */
  records: { kind: string; when: string | null }[];
  populations: string[];
}

const DOC = new URL('../../docs/controls.md', import.meta.url);

export function controlClaims(text = readFileSync(DOC, 'utf8')): Map<string, ControlClaim> {
  const claims = new Map<string, ControlClaim>();
  for (const line of text.split('\n')) {
    if (!line.startsWith('| `') || !line.endsWith(' |')) continue;
    const cells = line.slice(2, -2).split(' | ');
    const id = /^`([^`]+)`$/.exec(cells[0]!)?.[1];
    if (!id) continue;
    if (cells.length !== 5) throw new Error(`docs/controls.md: the row of ${id} does not have five columns`);
    const [, , rules, records, populations] = cells as [string, string, string, string, string];
    const list = (cell: string): string[] => (cell === '—' ? [] : cell.split(', '));
    claims.set(id, {
      control: id,
      rules: list(rules).map((r) => /^\[([^\]]+)\]\(rules\.md#\1\)$/.exec(r)?.[1] ?? fail(id, r)),
      records: splitRecords(records).map((r) => {
        const m = /^`([a-z-]+)`(?: \((when [^)]+)\))?$/.exec(r) ?? fail(id, r);
        return { kind: m[1]!, when: m[2] ?? null };
      }),
      populations: list(populations).map((p) => /^`([a-z-]+)`$/.exec(p)?.[1] ?? fail(id, p)),
    });
  }
  return claims;
}

/** The record kinds of a cell: "`a`, `b` (when x, y)" — commas inside a "when" belong to it. */
function splitRecords(cell: string): string[] {
  return cell === '—' ? [] : cell.split(/, (?=`)/);
}

function fail(id: string, cell: string): never {
  throw new Error(`docs/controls.md: cannot read ${JSON.stringify(cell)} in the row of ${id}`);
}

/** The controls docs/controls.md says a record of `kind` cites: always, and at most. */
export function claimedForKind(claims: Map<string, ControlClaim>, kind: string): { always: Set<string>; atMost: Set<string> } {
  const always = new Set<string>();
  const atMost = new Set<string>();
  for (const c of claims.values()) {
    for (const r of c.records) {
      if (r.kind !== kind) continue;
      atMost.add(c.control);
      if (r.when === null) always.add(c.control);
    }
  }
  return { always, atMost };
}
