/**
 * `unapproved-merge`: a merge the base policy would have refused (an admin bypass, the gate not
 * running or not required). Exceptions are evidence: the record sits beside the PR's
 * grant-change record and an issue asks the admins to look. Pure.
 */
import {
  DEFAULT_CONTROLS,
  grantChangeKey,
  unapprovedMergeKey,
  type RecordDraft,
  type SystemApproval,
  type UnapprovedCause,
  type UnapprovedMergeSubject,
  type Verdict,
} from '../ledger/index.ts';
import type { Finding } from '../findings.ts';
import { isRecordableMerge, pullRequestRef, type MergedPull } from './pull.ts';
import { mdCode, mdText, mention, plainLine } from '../text/escape.ts';

/** What the App saw of the gate on the merged head commit (null: not looked up). */
export interface GateCheckObservation {
  /** The gate's check runs on the head commit, newest first. */
  runs: { status: string; conclusion: string | null }[];
  /**
   * The latest commit status of the gate's context on the head commit (`access-ledger/gate`, and
   * one named like the check), as branch protection reads it: the gate sets it on
   * `pull_request_target`, whose check run belongs to the base branch's tip.
   */
  statuses?: { context: string; state: 'error' | 'failure' | 'pending' | 'success' }[];
}

type Signal = 'pass' | 'fail' | 'running';

function signals(gate: GateCheckObservation): Signal[] {
  const out: Signal[] = [];
  const latest = gate.runs[0];
  if (latest) {
    const passed = latest.conclusion === 'success' || latest.conclusion === 'neutral' || latest.conclusion === 'skipped';
    out.push(latest.status !== 'completed' ? 'running' : passed ? 'pass' : 'fail');
  }
  for (const s of gate.statuses ?? []) out.push(s.state === 'success' ? 'pass' : s.state === 'pending' ? 'running' : 'fail');
  return out;
}

/**
 * Why the merge happened although the policy refuses it, from what the gate reported on the head
 * (its latest check run, and the latest status of its context):
 * - a failing check or status (failure or error): merged over it, by an admin bypass or because
 *   it is not required: `admin-bypass` (docs/app.md says how to make it required). A failure
 *   anywhere wins: a passing check elsewhere cannot hide the gate's failing status;
 * - nothing reported, or still running (a pending status): the gate did not (or not yet)
 *   decide: `gate-outage`;
 * - passed: the gate passed when it last ran and something changed before the merge (an
 *   approval dismissed, a push): `unknown`, the grant-change record holds the facts.
 */
export function classifyCause(gate: GateCheckObservation | null): UnapprovedCause {
  if (gate === null) return 'unknown';
  const seen = signals(gate);
  if (seen.includes('fail')) return 'admin-bypass';
  if (seen.length === 0 || seen.includes('running')) return 'gate-outage';
  return 'unknown';
}

export interface UnapprovedInput {
  repository: string;
  pull: MergedPull;
  verdict: Verdict;
  cause: UnapprovedCause;
  /** What the cause means for this merge, in a sentence. */
  detail?: string;
  issue: { number: number; url: string } | null;
}

export function missingApprovals(verdict: Verdict): SystemApproval[] {
  return verdict.approvals.filter((a) => a.missing > 0);
}

export function blockingFindings(verdict: Verdict): Finding[] {
  return verdict.findings.filter((f) => f.severity === 'error');
}

export function buildUnapprovedMergeDraft(input: UnapprovedInput): RecordDraft<'unapproved-merge'> {
  const { pull } = input;
  if (!isRecordableMerge(pull)) throw new Error(`pull request #${pull.number} is not merged`);
  const pr = pullRequestRef(pull);
  const subject: UnapprovedMergeSubject = {
    pr,
    grant_change_key: grantChangeKey(pull.number),
    cause: input.cause,
    ...(input.detail ? { detail: input.detail } : {}),
    missing_approvals: missingApprovals(input.verdict),
    findings: blockingFindings(input.verdict),
    issue: input.issue,
  };
  return {
    kind: 'unapproved-merge',
    key: unapprovedMergeKey(pull.number),
    occurred_at: pr.merged_at!,
    repository: input.repository,
    controls: [...DEFAULT_CONTROLS['unapproved-merge']],
    subject,
  };
}

// ---- the issue for the admins ----

export const UNAPPROVED_LABELS = ['access-ledger', 'unapproved-merge'] as const;

/** Found again by this marker, so a redelivered event never opens a second issue. */
export function unapprovedIssueMarker(pr: number): string {
  return `<!-- access-ledger:unapproved-merge pr=${pr} -->`;
}

/** The marker counts only on a line of its own, as the App writes it (never inside other text). */
export function hasUnapprovedIssueMarker(body: string | null | undefined, pr: number): boolean {
  const marker = unapprovedIssueMarker(pr);
  return typeof body === 'string' && body.split(/\r?\n/).some((line) => line.trim() === marker);
}

const CAUSE_TEXT: Record<UnapprovedCause, string> = {
  'admin-bypass':
    "it was merged while the gate's check on its head commit was failing: an administrator bypassed branch protection, or the check is not required",
  'gate-outage': 'the gate did not report a result on its head commit (it did not run, was down, or had not finished)',
  'gate-not-required': 'the gate is not a required check on the base branch',
  'too-large': 'GitHub would not list all of it, so the policy could not judge every change it makes',
  'not-a-review': 'it was marked as an access review, but it is not one by its content or was not signed off as one, so the reviews it writes certify nothing',
  unknown: 'the gate passed when it last ran, but the facts at merge time (reviews, commits) no longer satisfy the policy',
};

/** `@acme/security` stays as is; a bare login gets its `@` so GitHub notifies it; anything else is left out. */
export function mentions(admins: readonly string[] | undefined): string {
  const list = (admins ?? []).filter((a) => /^@?[A-Za-z0-9][A-Za-z0-9-]*(\/[A-Za-z0-9._-]+)?$/.test(a)).map(mention);
  return list.join(' ');
}

export interface UnapprovedIssueInput {
  pull: MergedPull;
  verdict: Verdict;
  cause: UnapprovedCause;
  detail?: string;
  /** `admins` of the base config. */
  admins: readonly string[] | undefined;
  /** Where the records will be: the ledger branch and the grant-change record path. */
  branch: string;
  recordPath: string;
  /** The one-line "what to do next" of the gate, when it gave one. */
  nextStep?: string;
}

export function unapprovedIssueTitle(pull: MergedPull): string {
  return `Access change merged without the required approvals: #${pull.number} ${plainLine(pull.title, 120)}`;
}

export function unapprovedIssueBody(input: UnapprovedIssueInput): string {
  const { pull, verdict } = input;
  const lines: string[] = [unapprovedIssueMarker(pull.number), ''];
  const who = mentions(input.admins);
  lines.push(
    `${who ? `${who}: ` : ''}pull request #${pull.number} (${pull.html_url}) changed access and was merged by ` +
      `${pull.merged_by?.login ? mention(pull.merged_by.login) : 'an unknown user'} at ${mdText(pull.merged_at, 40)}, ` +
      `although the policy of the base branch would have refused it: ${CAUSE_TEXT[input.cause]}.`,
    '',
  );
  if (input.detail) lines.push(mdText(input.detail, 500), '');
  const missing = missingApprovals(verdict);
  if (missing.length > 0) {
    lines.push('**Missing approvals**', '');
    for (const m of missing) {
      const by = m.approved_by.length > 0 ? `approved by ${m.approved_by.map(mention).join(', ')}` : 'no eligible approval';
      lines.push(`- ${mdCode(m.system, 100)}: ${m.required} required, ${by}; ${m.missing} missing`);
    }
    lines.push('');
  }
  const blocking = blockingFindings(verdict);
  if (blocking.length > 0) {
    lines.push('**What the policy refused**', '');
    for (const f of blocking.slice(0, 50)) {
      const at = f.file ? ` ${mdCode(`${f.file}${f.line !== undefined ? `:${f.line}` : ''}`, 200)}` : '';
      lines.push(`- ${mdCode(f.rule, 60)}${at}: ${mdText(f.message, 300)}`);
    }
    if (blocking.length > 50) lines.push(`- and ${blocking.length - 50} more (see the record)`);
    lines.push('');
  }
  if (input.nextStep) lines.push(`The gate's next step was: ${mdText(input.nextStep, 300)}`, '');
  lines.push(
    '**What to do**',
    '',
    '1. Decide whether the change should stand. If not, revert it by a pull request (the revert is recorded too).',
    '2. If it stands, have the missing eligible approvers review the merged pull request, and note the decision here.',
    '3. If the gate was bypassed or not required, make its check required on the base branch (see the gate docs).',
    '',
    `Evidence: the \`grant-change\` and \`unapproved-merge\` records of this merge are on the ${mdCode(input.branch, 100)} branch ` +
      `(${mdCode(input.recordPath, 240)}); close this issue once the admins have decided.`,
  );
  return lines.join('\n') + '\n';
}
