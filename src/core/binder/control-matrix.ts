/**
 * The control matrix: for each control the rules support (ids of src/core/controls.ts, from the
 * rule registry's metadata), which rules, which ledger record kinds cite it (always, or for some
 * changes: CONDITIONAL_CONTROLS), which populations, and how
 * many findings in the period: at merge time (the gate's verdicts recorded in the ledger) and on
 * the as-of day (the rules run over the tree as it was then).
 */
import type { Finding } from '../findings.ts';
import { CONDITIONAL_CONTROLS, DEFAULT_CONTROLS, RECORD_KINDS } from '../ledger/kinds.ts';
import type { RuleMeta } from '../rules/types.ts';
import { compareControls, controlInfo } from './catalog.ts';
import type { LedgerIndex } from './ledger-index.ts';
import type { ExportParams, Population } from './types.ts';

export interface ControlRow {
  control: string;
  framework: string;
  title: string;
  rules: string[];
  record_kinds: string[];
  populations: { id: string; rows: number }[];
  findings_at_merge: number;
  findings_as_of: number;
}

/** Findings of the gate's merge-time verdicts recorded in the period, per control. */
export function findingsAtMerge(params: ExportParams, ledger: LedgerIndex): Map<string, number> {
  const counts = new Map<string, number>();
  for (const gc of ledger.grantChangeByKey.values()) {
    const day = gc.ref.occurred_at.slice(0, 10);
    if (day < params.period.from || day > params.period.to) continue;
    for (const f of gc.verdict_findings) for (const c of new Set(f.controls)) counts.set(c, (counts.get(c) ?? 0) + 1);
  }
  return counts;
}

export function buildControlMatrix(
  rules: readonly Pick<RuleMeta, 'id' | 'controls'>[],
  enabled: (ruleId: string) => boolean,
  populations: readonly Pick<Population, 'id' | 'controls' | 'rowCount'>[],
  atMerge: ReadonlyMap<string, number>,
  asOfFindings: readonly Finding[],
): ControlRow[] {
  const ids = new Set<string>();
  for (const r of rules) for (const c of r.controls) ids.add(c);
  const rows = new Map<string, ControlRow>();
  for (const id of ids) {
    const info = controlInfo(id);
    rows.set(id, {
      control: id,
      framework: info.framework,
      title: info.title,
      rules: [],
      record_kinds: [],
      populations: [],
      findings_at_merge: 0,
      findings_as_of: 0,
    });
  }
  for (const r of rules) for (const c of r.controls) rows.get(c)!.rules.push(enabled(r.id) ? r.id : `${r.id} (off)`);
  for (const kind of RECORD_KINDS) {
    const cited = new Set([...DEFAULT_CONTROLS[kind], ...(CONDITIONAL_CONTROLS[kind] ?? []).map((x) => x.control)]);
    for (const c of cited) rows.get(c)?.record_kinds.push(kind);
  }
  for (const p of populations) for (const c of p.controls) rows.get(c)?.populations.push({ id: p.id, rows: p.rowCount });
  for (const [c, n] of atMerge) {
    const row = rows.get(c);
    if (row) row.findings_at_merge += n;
  }
  for (const f of asOfFindings)
    for (const c of new Set(f.controls)) {
      const row = rows.get(c);
      if (row) row.findings_as_of++;
    }
  return [...rows.values()].sort((a, b) => compareControls(a.control, b.control));
}
