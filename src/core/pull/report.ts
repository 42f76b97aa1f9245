/**
 * The gate's report as text: the job summary (Markdown with an HTML table, as GitHub renders job
 * summaries) and the JSON report. Pure. Every value that comes from the pull request's files is
 * escaped by the escaping module: a grant file is data, and must not be able to inject markup,
 * a mention, a link or a line break into the summary; and no secret is echoed, in either.
 */
import type { Finding } from '../findings.ts';
import { inlineCode, mdText } from '../text/escape.ts';
import { maskSecretsDeep } from '../text/mask.ts';
import type { GateResult, GateRow } from './judge.ts';

export interface ReportContext {
  owner: string;
  repo: string;
  number: number;
  headSha: string;
  baseSha: string;
  /** The event that ran the gate, e.g. `pull_request/opened`. */
  event?: string;
}

const CHANGE_LABEL: Record<GateRow['change'], string> = {
  adds: 'adds',
  widens: 'widens',
  narrows: 'narrows',
  removes: 'removes',
  unchanged: 'unchanged',
  config: 'config',
  system: 'system',
  exception: 'exception',
  authority: 'authority',
  review: 'review',
  unreadable: 'unreadable',
  path: 'path',
};

/** Values a user wrote (job ids, environment names, paths) are inert inline code: one escaper for every report. */
const code = inlineCode;

/** A cell of the HTML table: one line of inert text, so no value can end the table's HTML block. */
function cell(text: string): string {
  return `<td>${mdText(text, 1000)}</td>`;
}

function missingText(row: GateRow): string {
  if (row.required === 0) return row.change === 'removes' || row.change === 'narrows' ? 'none (removal)' : 'none';
  const parts: string[] = [];
  if (row.missing > 0) parts.push(`${row.missing} of ${row.required} from ${row.approvers || 'nobody eligible'}`);
  if (row.blockedBy.length > 0) parts.push(`changes requested by ${row.blockedBy.join(', ')}`);
  return parts.length ? parts.join('; ') : '✓';
}

/** The job summary: verdict and next step, a table per identity and system, and the findings. */
export function summaryMarkdown(result: GateResult, ctx: ReportContext): string {
  const lines: string[] = [];
  const mark = result.verdict === 'pass' ? '✅' : '❌';
  lines.push(`## ${mark} access-ledger gate: ${result.verdict}`, '');
  lines.push(mdText(result.nextStep, 2000), '');
  lines.push(
    `Pull request #${ctx.number} at ${code(ctx.headSha.slice(0, 7))}, judged with the policy of its base ${code(ctx.baseSha.slice(0, 7))} (pack ${code(result.pack)})${ctx.event ? `, on ${mdText(ctx.event, 100)}` : ''}.`,
    '',
  );
  if (result.nothingToCheck) return lines.join('\n') + '\n';

  if (result.rows.length > 0) {
    lines.push('<table>');
    lines.push('<tr><th>Identity or file</th><th>System</th><th>Change</th><th>Requested</th><th>Approved by</th><th>Missing</th><th>Controls</th></tr>');
    for (const row of result.rows) {
      lines.push(
        '<tr>' +
          cell(row.subject) +
          cell(row.system ?? '') +
          cell(`${CHANGE_LABEL[row.change]}${row.reasons.length && row.change !== 'removes' ? `: ${row.reasons.join(', ')}` : ''}`) +
          cell(row.requested) +
          cell(row.approvedBy.join(', ')) +
          cell(missingText(row)) +
          cell(row.controls.join(' ')) +
          '</tr>',
      );
    }
    lines.push('</table>', '');
  }
  if (result.findings.length > 0) {
    lines.push(`### Findings (${result.errors} error${result.errors === 1 ? '' : 's'}, ${result.warnings} warning${result.warnings === 1 ? '' : 's'})`, '');
    for (const f of result.findings) lines.push(`- ${findingLine(f)}`);
    lines.push('');
  }
  return lines.join('\n') + '\n';
}

function findingLine(f: Finding): string {
  const where = f.file ? `${code(`${f.file}${f.line ? `:${f.line}` : ''}`)} ` : '';
  return `**${f.severity}** ${where}${mdText(f.message, 2000)} <sub>(${mdText(f.rule, 100)}; ${mdText(f.controls.join(', '), 500)})</sub>`;
}

/** The JSON report (the `report-json` output): everything the summary shows, as data, secrets masked. */
export function reportJson(result: GateResult, ctx: ReportContext): object {
  return maskSecretsDeep({
    tool: 'access-ledger gate',
    pull_request: { owner: ctx.owner, repo: ctx.repo, number: ctx.number, head_sha: ctx.headSha, base_sha: ctx.baseSha },
    ...(ctx.event ? { event: ctx.event } : {}),
    verdict: result.verdict,
    next_step: result.nextStep,
    nothing_to_check: result.nothingToCheck,
    removal_only: result.removalOnly,
    policy: { pack: result.pack, sha: result.policySha },
    summary: { errors: result.errors, warnings: result.warnings },
    approvals: result.approvals,
    rows: result.rows,
    findings: result.findings,
  });
}

/** A merge group the gate judged: its commit and branch, and each pull request in it with its result. */
export interface GroupReportContext {
  owner: string;
  repo: string;
  /** The group's commit. */
  headSha: string;
  /** The group's branch, `gh-readonly-queue/...`. */
  headRef: string;
  /** The branch the queue merges into, and the commit of it the queue built on. */
  baseBranch: string;
  baseSha: string;
  event?: string;
  members: { ctx: ReportContext; result: GateResult }[];
}

/** The job summary for a merge group: its verdict and next step, then each pull request's own summary. */
export function groupSummaryMarkdown(verdict: { verdict: 'pass' | 'fail'; nextStep: string }, group: GroupReportContext): string {
  const mark = verdict.verdict === 'pass' ? '✅' : '❌';
  const lines = [`## ${mark} access-ledger gate: merge group ${verdict.verdict}`, '', mdText(verdict.nextStep, 2000), ''];
  const numbers = group.members.map((m) => `#${m.ctx.number}`).join(', ');
  lines.push(
    `Merge group ${code(group.headSha.slice(0, 7))} (${mdText(group.headRef, 300)}) into ${mdText(group.baseBranch, 200)} at ${code(group.baseSha.slice(0, 7))}, holding ${group.members.length} pull request${group.members.length === 1 ? '' : 's'} (${numbers}), each judged as on its own${group.event ? `, on ${mdText(group.event, 100)}` : ''}.`,
    '',
  );
  const body = group.members.map((m) =>
    summaryMarkdown(m.result, m.ctx)
      .replace(/^## /gm, '### ')
      .replace(/^### Findings/gm, '#### Findings'),
  );
  return lines.join('\n') + '\n' + body.join('\n');
}

/** The JSON report for a merge group: the group, its verdict, and each pull request's report. */
export function groupReportJson(verdict: { verdict: 'pass' | 'fail'; nextStep: string }, group: GroupReportContext): object {
  return maskSecretsDeep({
    tool: 'access-ledger gate',
    merge_group: {
      owner: group.owner,
      repo: group.repo,
      head_sha: group.headSha,
      head_ref: group.headRef,
      base_branch: group.baseBranch,
      base_sha: group.baseSha,
    },
    ...(group.event ? { event: group.event } : {}),
    verdict: verdict.verdict,
    next_step: verdict.nextStep,
    pull_requests: group.members.map((m) => reportJson(m.result, m.ctx)),
  });
}
