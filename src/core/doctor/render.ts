/** The doctor's report for a terminal, and as the body of the one issue the sweep keeps while a check fails. */
import type { CheckResult, DoctorProblem, DoctorReport } from './checks.ts';

function where(p: DoctorProblem): string {
  if (!p.file) return '';
  return p.line ? `${p.file}:${p.line}: ` : `${p.file}: `;
}

function tally(report: DoctorReport): string {
  const failing = report.checks.filter((c) => c.status === 'fail').length;
  const unread = report.checks.filter((c) => c.status === 'unreadable').length;
  const warning = report.checks.filter((c) => c.status === 'warn').length;
  const passing = report.checks.length - failing - unread - warning;
  const warns = warning ? `${warning} warn${warning === 1 ? 's' : ''}` : '';
  if (failing + unread === 0) return warning ? `${passing} of ${report.checks.length} checks pass, ${warns}` : `all ${report.checks.length} checks pass`;
  const parts = [`${passing} of ${report.checks.length} checks pass`];
  if (warning) parts.push(warns);
  if (failing) parts.push(`${failing} fail${failing === 1 ? 's' : ''}`);
  if (unread) parts.push(`${unread} cannot be read and fail${unread === 1 ? 's' : ''} closed`);
  return parts.join(', ');
}

const MARK: Readonly<Record<string, [number, string]>> = { fail: [31, '✖'], unreadable: [33, '?'], warn: [33, '!'] };

export function formatDoctorText(report: DoctorReport, color: boolean): string {
  const c = (code: number, s: string) => (color ? `\x1b[${code}m${s}\x1b[0m` : s);
  const lines = [`access-ledger doctor ${report.repository} (default branch ${report.defaultBranch}, ledger branch ${report.ledgerBranch})`, ''];
  for (const check of report.checks) {
    if (check.status === 'pass') {
      lines.push(`${c(32, '✔')} ${check.id}${check.detail ? c(2, `  ${check.detail}`) : ''}`);
      continue;
    }
    const [color, mark] = MARK[check.status]!;
    lines.push(`${c(color, mark)} ${check.id}  ${c(2, check.title)}`);
    for (const p of check.problems) {
      lines.push(`    ${check.status !== 'warn' && p.warning ? 'warning: ' : ''}${where(p)}${p.message}`);
      lines.push(c(2, `      fix: ${p.fix}`));
    }
  }
  lines.push('');
  lines.push(report.ok ? c(32, `✔ ${tally(report)}`) : c(31, `✖ ${tally(report)}`));
  return lines.join('\n') + '\n';
}

function mdEscape(s: string): string {
  return s.replace(/[<>]/g, (ch) => (ch === '<' ? '&lt;' : '&gt;'));
}

function problemMd(p: DoctorProblem): string {
  const at = p.file ? `\`${p.file}${p.line ? `:${p.line}` : ''}\`: ` : '';
  return `- ${p.warning ? '(warning) ' : ''}${at}${mdEscape(p.message)}\n  **Fix:** ${mdEscape(p.fix)}`;
}

function checkMd(check: CheckResult): string {
  const head =
    check.status === 'fail'
      ? `### ✖ \`${check.id}\`: ${check.title}`
      : check.status === 'warn'
        ? `### ! \`${check.id}\`: ${check.title} (a warning)`
        : `### ? \`${check.id}\`: ${check.title} (cannot be read)`;
  return [head, '', ...check.problems.map(problemMd)].join('\n');
}

/**
 * The issue's body below its marker. Holds nothing that changes by itself (no date, no commit),
 * so an unchanged setup keeps an unchanged issue.
 */
export function doctorIssueBody(report: DoctorReport): string {
  // Failures first, then warnings: the issue opens for a failure, and then lists the warnings too.
  const failing = [...report.checks.filter((c) => c.status === 'fail' || c.status === 'unreadable'), ...report.checks.filter((c) => c.status === 'warn')];
  const passing = report.checks.filter((c) => c.status === 'pass');
  return [
    `The access-ledger sweep checked how **${report.repository}** is set up and found something that lets a person or a pull request get around the gate or the ledger. Fix each point below; the sweep closes this issue when every check passes, and reopens it if one fails again.`,
    '',
    ...failing.flatMap((c) => [checkMd(c), '']),
    passing.length ? `Passing: ${passing.map((c) => `\`${c.id}\``).join(', ')}.` : 'No check passes yet.',
    '',
    `Run \`npx access-ledger doctor --repo ${report.repository}\` with an admin's token to see the same report (exit 1 while a check fails). A check GitHub would not let the App read fails closed: it names the permission that would read it.`,
  ].join('\n');
}
