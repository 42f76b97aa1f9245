/** One-line, human summaries of sealed records, for the sticky PR comment and logs. Pure. */
import type { AccessEntryChange, AnomalySubject, GrantChangeSubject, ProvisionedSubject, SealedRecord, UnapprovedMergeSubject } from '../ledger/index.ts';
import type { PolicyFileChange } from './changes.ts';
import { mdCode, mdText, mention } from '../text/escape.ts';

const MAX_IDENTITIES = 5;
const MAX_ENTRIES = 4;

function entryText(e: AccessEntryChange): string {
  const sign = e.action === 'added' ? '+' : e.action === 'removed' ? '−' : '~';
  return `${sign}${mdText(e.system, 100)}/${mdText(e.role, 100)}${e.privileged ? ' (privileged)' : ''}`;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function grantChangeSummary(s: GrantChangeSubject & { policy_changes?: PolicyFileChange[] }): string {
  const parts: string[] = [];
  for (const c of s.changes.slice(0, MAX_IDENTITIES)) {
    const entries = c.entries.slice(0, MAX_ENTRIES).map(entryText);
    if (c.entries.length > MAX_ENTRIES) entries.push(`${c.entries.length - MAX_ENTRIES} more`);
    const what = c.action === 'modified' ? '' : ` ${c.action}`;
    parts.push(`${mdCode(c.identity, 60)}${what}${entries.length ? ` (${entries.join(', ')})` : ''}`);
  }
  if (s.changes.length > MAX_IDENTITIES) parts.push(`${plural(s.changes.length - MAX_IDENTITIES, 'more identity', 'more identities')}`);
  const policy = s.policy_changes ?? [];
  if (policy.length > 0) parts.push(`${plural(policy.length, 'policy file')} changed`);
  const approvers = new Set<string>();
  for (const a of s.verdict.approvals) for (const login of a.approved_by) approvers.add(login);
  if (approvers.size === 0) {
    for (const r of s.reviews) if (r.state === 'APPROVED' && r.on_head) approvers.add(r.reviewer);
  }
  const approved = approvers.size > 0 ? `approved by ${[...approvers].sort().map(mention).join(', ')}` : 'no approval on the head commit';
  const merged = s.pr.merged_by ? `merged by ${mention(s.pr.merged_by)}` : 'merged';
  return `${parts.join('; ') || 'no identity changed'}; ${approved}; ${merged}; policy at merge: **${mdText(s.verdict.result, 20)}**`;
}

function unapprovedSummary(s: UnapprovedMergeSubject): string {
  const missing = s.missing_approvals.map((m) => `${mdCode(m.system, 60)} needs ${m.missing} more`);
  const refused = s.findings.length > 0 ? `${plural(s.findings.length, 'policy error')}` : '';
  const what = [...missing, ...(refused ? [refused] : [])].join(', ') || 'the policy refused it';
  const issue = s.issue ? `; issue #${s.issue.number}` : '';
  return `merged although the base policy refuses it (${mdText(s.cause, 40)}): ${what}${issue}`;
}

function provisionedSummary(s: ProvisionedSubject): string {
  const attempt = s.run_attempt > 1 ? ` attempt ${s.run_attempt}` : '';
  return `provisioning workflow ${mdCode(s.workflow, 120)} run ${s.run_id}${attempt} concluded **${mdText(s.conclusion, 40)}** at ${mdText(s.completed_at, 40)}`;
}

export function summarizeRecord(record: SealedRecord): string {
  switch (record.kind) {
    case 'grant-change':
      return grantChangeSummary(record.subject as GrantChangeSubject);
    case 'unapproved-merge':
      return unapprovedSummary(record.subject as UnapprovedMergeSubject);
    case 'provisioned':
      return provisionedSummary(record.subject as ProvisionedSubject);
    case 'anomaly': {
      const a = record.subject as AnomalySubject;
      return `**tampering**: ${mdCode(a.found.path, 200)} on the ledger branch was not written by the App (${mdText(a.reason, 200)})${a.recorded_as ? `; recorded as ${mdCode(a.recorded_as, 120)} instead` : ''}`;
    }
    default:
      return `${mdText(record.kind, 60)} ${mdCode(record.key, 120)}`;
  }
}
