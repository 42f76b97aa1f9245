/**
 * The finding: the one shape every check returns (docs/rules.md).
 * It is also the JSON output of `access-ledger validate`.
 */
export type Severity = 'error' | 'warning';
export type SeveritySetting = Severity | 'off';

export interface Finding {
  rule: string;
  severity: Severity;
  /** Repo-relative path with forward slashes. */
  file?: string;
  /** 1-based line and column of the offending node. */
  line?: number;
  column?: number;
  /** What is wrong and what to do about it. Never echoes a secret. */
  message: string;
  controls: string[];
  identity?: string;
  system?: string;
  /**
   * The account a system listed, as it names it (its principal), for findings of the observed
   * rules about one account. Added after the first release of the shape: absent elsewhere.
   */
  account?: string;
}

export function compareFindings(a: Finding, b: Finding): number {
  return (
    (a.file ?? '').localeCompare(b.file ?? '') ||
    (a.line ?? 0) - (b.line ?? 0) ||
    (a.column ?? 0) - (b.column ?? 0) ||
    a.rule.localeCompare(b.rule) ||
    a.message.localeCompare(b.message)
  );
}

export interface FindingSummary {
  errors: number;
  warnings: number;
  files: number;
  grants: number;
  systems: number;
}

export function summarize(findings: readonly Finding[], counts: { files: number; grants: number; systems: number }): FindingSummary {
  let errors = 0;
  let warnings = 0;
  for (const f of findings) {
    if (f.severity === 'error') errors++;
    else warnings++;
  }
  return { errors, warnings, ...counts };
}
