/** The report a person reads at a glance: one line per finding, grouped by file, colour on a terminal. */
import type { Finding, FindingSummary } from '../../core/findings.ts';
import { BUILTIN_RULES } from '../../core/rules/index.ts';
import { terminalText } from '../../core/text/escape.ts';

const FIX = new Map(BUILTIN_RULES.map((r) => [r.meta.id, r.meta.fix]));

export function formatText(findings: readonly Finding[], summary: FindingSummary, color: boolean): string {
  const c = (code: number, s: string) => (color ? `\x1b[${code}m${s}\x1b[0m` : s);
  const lines: string[] = [];
  let lastFile: string | undefined;
  for (const f of findings) {
    // File names and messages quote what people wrote: no escape sequence reaches the terminal, no secret is shown.
    const file = terminalText(f.file ?? '(repository)');
    if (file !== lastFile) {
      if (lastFile !== undefined) lines.push('');
      lines.push(c(4, file));
      lastFile = file;
    }
    const where = f.line ? `${f.line}:${f.column ?? 1}` : '-';
    const sev = f.severity === 'error' ? c(31, 'error  ') : c(33, 'warning');
    lines.push(`  ${where.padEnd(8)} ${sev} ${terminalText(f.message)}  ${c(2, terminalText(f.rule))}`);
  }
  if (findings.length > 0) lines.push('');
  const seen = new Set(findings.map((f) => f.rule));
  if (seen.size > 0 && seen.size <= 6) {
    for (const id of seen) {
      const fix = FIX.get(id);
      if (fix) lines.push(c(2, `  ${id}: ${fix}`));
    }
    lines.push('');
  }
  const verdict =
    summary.errors > 0
      ? c(31, `✖ ${summary.errors} error${summary.errors === 1 ? '' : 's'}, ${summary.warnings} warning${summary.warnings === 1 ? '' : 's'}`)
      : summary.warnings > 0
        ? c(33, `⚠ 0 errors, ${summary.warnings} warning${summary.warnings === 1 ? '' : 's'}`)
        : c(32, '✔ no problems');
  const n = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;
  lines.push(`${verdict} in ${n(summary.files, 'file')} (${n(summary.grants, 'grant')}, ${n(summary.systems, 'system')})`);
  return lines.join('\n') + '\n';
}
