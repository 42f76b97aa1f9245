/**
 * The gate's result, as the ledger records it: the same judge the Action runs (core/pull/judge),
 * run again by the App at merge time on the merged PR's facts with the BASE branch's policy.
 * Pure: it only reshapes a GateResult.
 */
import { toTimestamp, type SystemApproval, type Verdict } from '../ledger/index.ts';
import type { GateResult, GateRow } from '../pull/judge.ts';

const GOVERNED = new Set(['config', 'system', 'exception', 'authority', 'review', 'unreadable', 'path']);

/**
 * Approvals per system (and `admins` for config, systems/ and exceptions): how many the policy
 * required, who gave them, how many are missing. Rows that needed no approval (removals,
 * unchanged entries) add nothing.
 */
export function systemApprovals(rows: readonly GateRow[]): SystemApproval[] {
  const by = new Map<string, SystemApproval>();
  for (const row of rows) {
    if (row.required === 0 && row.approvedBy.length === 0) continue;
    const system = row.group ?? (GOVERNED.has(row.change) ? 'admins' : (row.system ?? row.subject));
    const seen = by.get(system);
    if (!seen) {
      by.set(system, { system, required: row.required, approved_by: [...new Set(row.approvedBy)].sort(), missing: Math.max(0, row.missing) });
      continue;
    }
    seen.required = Math.max(seen.required, row.required);
    seen.approved_by = [...new Set([...seen.approved_by, ...row.approvedBy])].sort();
    seen.missing = Math.max(seen.missing, row.missing);
  }
  return [...by.values()].sort((a, b) => (a.system === 'admins' ? 1 : b.system === 'admins' ? -1 : a.system.localeCompare(b.system)));
}

export function mergeVerdict(result: GateResult, evaluatedAt: Date): Verdict {
  return {
    result: result.verdict,
    evaluated_at: toTimestamp(evaluatedAt),
    policy_sha: result.policySha,
    findings: result.findings,
    approvals: systemApprovals(result.rows),
  };
}
