/**
 * The one issue the sweep keeps open while the doctor finds the repository unsafe, found again by
 * a hidden marker whatever people do to its title:
 *
 *   <!-- access-ledger:doctor hash=<content hash> -->
 *
 * Planned like the stale-grant issues (src/core/stale/plan.ts): open it when a check fails, edit
 * it (and say so) when what fails changes, close it with a comment when all pass, reopen the
 * latest closed one when a check fails again, and close the newer of two opened at once. Pure.
 */
import { contentHash } from '../stale/marker.ts';
import type { DoctorReport } from './checks.ts';
import { doctorIssueBody } from './render.ts';

/** Every doctor issue carries this label; the sweep lists them by it. */
export const DOCTOR_LABEL = 'access-ledger-doctor';
export const DOCTOR_TITLE = 'access-ledger: the access repository is not set up safely';

const MARKER_RE = /<!--\s*access-ledger:doctor\s+hash=([0-9a-f]{16})\s*-->/;

export function formatDoctorMarker(hash: string): string {
  if (!/^[0-9a-f]{16}$/.test(hash)) throw new Error(`cannot format a doctor marker for hash ${JSON.stringify(hash)}`);
  return `<!-- access-ledger:doctor hash=${hash} -->`;
}

export function parseDoctorMarker(body: string | null | undefined): { hash: string } | undefined {
  const m = body ? MARKER_RE.exec(body) : null;
  return m ? { hash: m[1]! } : undefined;
}

export interface DesiredDoctorIssue {
  title: string;
  body: string;
  hash: string;
  labels: string[];
  /** One line for comments: which checks fail. */
  summary: string;
}

/** The issue the report calls for, or null when every check passes (a warning alone opens none). `admins` (the config's) are copied. */
export function desiredDoctorIssue(report: DoctorReport, extraLabels: readonly string[] = [], admins: readonly string[] = []): DesiredDoctorIssue | null {
  if (report.ok) return null;
  const cc = admins.filter((a) => /^@?[A-Za-z0-9][A-Za-z0-9-]*(\/[A-Za-z0-9._-]+)?$/.test(a)).map((a) => (a.startsWith('@') ? a : `@${a}`));
  const text = doctorIssueBody(report) + (cc.length ? `\n\ncc ${cc.join(' ')}` : '');
  const hash = contentHash(text);
  const failing = report.checks.filter((c) => c.status === 'fail' || c.status === 'unreadable').map((c) => `\`${c.id}\``);
  return {
    title: DOCTOR_TITLE,
    body: `${formatDoctorMarker(hash)}\n${text}`,
    hash,
    labels: [DOCTOR_LABEL, ...extraLabels.filter((l) => l !== DOCTOR_LABEL)],
    summary: `${failing.length} check${failing.length === 1 ? '' : 's'} fail${failing.length === 1 ? 's' : ''}: ${failing.join(', ')}`,
  };
}

export interface DoctorIssue {
  number: number;
  state: 'open' | 'closed';
  hash: string;
  stateReason?: string | null;
}

export function toDoctorIssue(issue: {
  number: number;
  state: string;
  body?: string | null;
  state_reason?: string | null;
  pull_request?: unknown;
}): DoctorIssue | undefined {
  if (issue.pull_request) return undefined;
  const marker = parseDoctorMarker(issue.body);
  if (!marker) return undefined;
  return { number: issue.number, state: issue.state === 'closed' ? 'closed' : 'open', hash: marker.hash, stateReason: issue.state_reason ?? null };
}

export type DoctorIssueAction =
  | { type: 'create'; desired: DesiredDoctorIssue }
  | { type: 'update'; issue: DoctorIssue; desired: DesiredDoctorIssue; comment: string }
  | { type: 'reopen'; issue: DoctorIssue; desired: DesiredDoctorIssue; comment: string }
  | { type: 'close'; issue: DoctorIssue; comment: string }
  | { type: 'close-duplicate'; issue: DoctorIssue; of: number; comment: string }
  | { type: 'no-op'; issue: DoctorIssue };

export function doctorIssueWrites(a: DoctorIssueAction): number {
  switch (a.type) {
    case 'create':
      return 1;
    case 'no-op':
      return 0;
    default:
      return 2;
  }
}

export function planDoctorIssue(desired: DesiredDoctorIssue | null, existing: readonly DoctorIssue[]): DoctorIssueAction[] {
  const open = existing.filter((i) => i.state === 'open').sort((a, b) => a.number - b.number);
  const actions: DoctorIssueAction[] = [];
  const keeper = open[0];
  for (const dup of open.slice(1)) {
    actions.push({
      type: 'close-duplicate',
      issue: dup,
      of: keeper!.number,
      comment: `Duplicate of #${keeper!.number}, which tracks the same setup (two sweeps ran at once). Closing this one.`,
    });
  }
  if (!desired) {
    if (keeper) actions.push({ type: 'close', issue: keeper, comment: 'Every check of the access-ledger doctor passes now. Closing.' });
    return actions;
  }
  if (keeper) {
    if (keeper.hash === desired.hash) actions.push({ type: 'no-op', issue: keeper });
    else
      actions.push({
        type: 'update',
        issue: keeper,
        desired,
        comment: `What is unsafe changed: ${desired.summary}. The description above now lists each problem and its fix.`,
      });
    return actions;
  }
  // A check fails again: reopen the newest closed issue that was not a duplicate.
  const closed = existing
    .filter((i) => i.state === 'closed')
    .sort((a, b) => (a.stateReason === 'not_planned' ? 1 : 0) - (b.stateReason === 'not_planned' ? 1 : 0) || b.number - a.number);
  const previous = closed[0];
  if (previous)
    actions.push({
      type: 'reopen',
      issue: previous,
      desired,
      comment: `Reopening: a check fails again (${desired.summary}). The description above lists each problem and its fix.`,
    });
  else actions.push({ type: 'create', desired });
  return actions;
}
