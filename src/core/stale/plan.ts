/**
 * Planning the issue lifecycle, after ossf/allstar's: desired issues against the managed issues
 * that exist → create, update (body changed: edit, then say so in a comment), reopen (the problem
 * came back), remind (still open and quiet for `stale.reminder_days`), close (fixed), close the
 * newer of two duplicates, or nothing. Pure: the adapter lists the issues and executes the plan;
 * because the plan is recomputed from GitHub on every run, a run that stops half way (write cap,
 * crash) is resumed by the next one without any state of its own.
 */
import { daysBetween, utcDay } from '../dates.ts';
import type { IsoDate } from '../model/types.ts';
import { KIND_INFO, isDriftKind, type DriftKind, type ProblemKind } from './kinds.ts';
import { parseStaleMarker } from './marker.ts';
import type { DesiredIssue } from './render.ts';
import { mdCode, mention } from '../text/escape.ts';

/** A managed issue as listed from GitHub (only what planning needs). */
export interface ManagedIssue {
  number: number;
  state: 'open' | 'closed';
  kind: ProblemKind;
  id: string;
  /** The hash in the issue's marker. */
  hash: string;
  /** GitHub's updated_at: any activity (ours or people's) restarts the reminder clock. */
  updatedAt: string;
  title: string;
  /** GitHub's state_reason; duplicates are closed as `not_planned`. */
  stateReason?: string | null;
}

/** A listed issue → ManagedIssue, or undefined when its body carries no stale marker. */
export function toManagedIssue(issue: {
  number: number;
  state: string;
  body?: string | null;
  updated_at: string;
  title: string;
  state_reason?: string | null;
  pull_request?: unknown;
}): ManagedIssue | undefined {
  if (issue.pull_request) return undefined;
  const marker = parseStaleMarker(issue.body);
  if (!marker) return undefined;
  return {
    number: issue.number,
    state: issue.state === 'closed' ? 'closed' : 'open',
    kind: marker.kind,
    id: marker.id,
    hash: marker.hash,
    updatedAt: issue.updated_at,
    title: issue.title,
    stateReason: issue.state_reason ?? null,
  };
}

export type IssueAction =
  | { type: 'create'; desired: DesiredIssue }
  | { type: 'update'; issue: ManagedIssue; desired: DesiredIssue }
  | { type: 'reopen'; issue: ManagedIssue; desired: DesiredIssue }
  | { type: 'remind'; issue: ManagedIssue; desired: DesiredIssue }
  | { type: 'close'; issue: ManagedIssue; comment: string }
  | { type: 'close-duplicate'; issue: ManagedIssue; of: number; comment: string }
  | { type: 'no-op'; issue: ManagedIssue; desired: DesiredIssue };

/** API writes each action costs: the budget (`stale.max_writes_per_run`) counts these. */
export function writesOf(action: IssueAction): number {
  switch (action.type) {
    case 'create':
    case 'remind':
      return 1;
    case 'update':
    case 'reopen':
    case 'close':
    case 'close-duplicate':
      return 2;
    case 'no-op':
      return 0;
  }
}

export interface PlanInput {
  desired: readonly DesiredIssue[];
  /** Every open managed issue, plus any closed ones found for desired keys that have no open issue. */
  existing: readonly ManagedIssue[];
  today: IsoDate;
  reminderDays: number;
  /** Identity ids of every grant on the branch (closing text says whether the grant was removed). */
  grantIds: ReadonlySet<string>;
  /** The branch the sweep read (named in closing comments). */
  branch: string;
  /** Systems compared with their latest listing in this sweep (closing text of drift issues). */
  observedSystems?: ReadonlySet<string>;
}

export const keyOf = (x: { kind: ProblemKind; id: string }) => `${x.kind}:${x.id}`;

function closeComment(issue: ManagedIssue, input: PlanInput, desiredKeys: ReadonlySet<string>): string {
  const on = `on ${mdCode(input.branch, 100)}`;
  if (issue.kind === 'left-org') {
    return `No grant ${on} names ${mention(issue.id)} any more: their access is revoked or handed over. Closing.`;
  }
  if (isDriftKind(issue.kind)) {
    if (!input.observedSystems?.has(issue.id)) {
      return `${mdCode(issue.id, 100)} is no longer compared with its listing (its system file ${on} is gone, or says no more how its listing is read). Closing.`;
    }
    return `The latest listing of ${mdCode(issue.id, 100)}, compared with the grants ${on}, shows none of this any more (${DRIFT_FIXED[issue.kind]}). Closing. (If the rule was turned off in the config instead, the issue closes the same way.)`;
  }
  if (!input.grantIds.has(issue.id)) {
    return `The grant ${mdCode(issue.id, 100)} is no longer ${on}: the access is revoked. Closing.`;
  }
  if (issue.kind === 'expiring-soon' && desiredKeys.has(keyOf({ kind: 'expired', id: issue.id }))) {
    return `The access of ${mdCode(issue.id, 100)} has now expired without being renewed; the expiry issue asks for its revocation. Closing this one.`;
  }
  const fixed: Record<Exclude<ProblemKind, DriftKind>, string> = {
    'left-org': '',
    expired: `No access entry of ${mdCode(issue.id, 100)} is past its expiry any more ${on} (renewed or removed).`,
    'expiring-soon': `No access entry of ${mdCode(issue.id, 100)} expires within the warning window any more ${on} (renewed or removed).`,
    'exception-expired': `The exception of ${mdCode(issue.id, 100)} is renewed or removed ${on}.`,
    'unknown-system': `Every system ${mdCode(issue.id, 100)} reaches is defined under systems/ ${on}.`,
    'review-overdue': `${mdCode(issue.id, 100)} is reviewed within its cadence ${on}.`,
    'rotation-overdue': `The credential of ${mdCode(issue.id, 100)} is rotated within its period ${on}.`,
  };
  return `${fixed[issue.kind as Exclude<ProblemKind, DriftKind>]} Closing. (If the rule was turned off in the config instead, the issue closes the same way.)`;
}

/** How a drift issue's differences went away, in the closing comment. */
const DRIFT_FIXED: Readonly<Record<DriftKind, string>> = {
  'observed-leaver-access': 'their accounts are removed, or their grants revoked',
  'observed-undeclared': 'each account is declared by a grant, or removed from the system',
  'observed-excess-privilege': 'the extra roles and privilege are removed, or granted by pull request',
  'observed-mfa-missing': 'each account has MFA, or is gone',
  'observed-rotation-overdue': 'the keys are rotated, or gone',
  'observed-unprovisioned': 'each grant has its account, or the entry is removed',
  'observed-dormant': 'the accounts are used again, removed, or their access revoked',
};

function remindDue(issue: ManagedIssue, today: IsoDate, reminderDays: number): boolean {
  const last = utcDay(new Date(issue.updatedAt));
  return daysBetween(last, today) >= reminderDays;
}

/** Order in which a limited budget is spent: urgent first, then fixes, new problems by severity, edits, reminders. */
function rank(a: IssueAction): number {
  const kind = 'desired' in a ? a.desired.kind : a.issue.kind;
  const p = KIND_INFO[kind].priority;
  switch (a.type) {
    case 'create':
    case 'reopen':
      return p === 0 ? 0 : 20 + p;
    case 'close-duplicate':
      return 1;
    case 'update':
      return p === 0 ? 2 : 40 + p;
    case 'close':
      return 10;
    case 'remind':
      return 60 + p;
    case 'no-op':
      return 100;
  }
}

function reopenPreference(a: ManagedIssue, b: ManagedIssue): number {
  const dup = (x: ManagedIssue) => (x.stateReason === 'not_planned' ? 1 : 0);
  return dup(a) - dup(b) || b.number - a.number;
}

const numberOf = (a: IssueAction) => ('issue' in a ? a.issue.number : 0);
const keyOfAction = (a: IssueAction) => ('desired' in a ? a.desired.key : keyOf(a.issue));

export function planIssues(input: PlanInput): IssueAction[] {
  const actions: IssueAction[] = [];
  const desiredKeys = new Set(input.desired.map((d) => d.key));
  const open = new Map<string, ManagedIssue[]>();
  const closed = new Map<string, ManagedIssue>();
  for (const issue of input.existing) {
    const key = keyOf(issue);
    if (issue.state === 'open') {
      const list = open.get(key) ?? [];
      list.push(issue);
      open.set(key, list);
    } else {
      // Of several closed issues for one key, reopen the newest that was not closed as a duplicate.
      const cur = closed.get(key);
      if (!cur || reopenPreference(issue, cur) < 0) closed.set(key, issue);
    }
  }

  // Two sweeps at once may both have created an issue: keep the oldest, close the newer ones.
  const keeper = new Map<string, ManagedIssue>();
  for (const [key, list] of open) {
    list.sort((a, b) => a.number - b.number);
    keeper.set(key, list[0]!);
    for (const dup of list.slice(1)) {
      actions.push({
        type: 'close-duplicate',
        issue: dup,
        of: list[0]!.number,
        comment: `Duplicate of #${list[0]!.number}, which tracks the same problem (two sweeps ran at once). Closing this one.`,
      });
    }
  }

  for (const d of input.desired) {
    const issue = keeper.get(d.key);
    if (issue) {
      if (issue.hash !== d.hash) actions.push({ type: 'update', issue, desired: d });
      else if (remindDue(issue, input.today, input.reminderDays)) actions.push({ type: 'remind', issue, desired: d });
      else actions.push({ type: 'no-op', issue, desired: d });
      continue;
    }
    const old = closed.get(d.key);
    if (old) actions.push({ type: 'reopen', issue: old, desired: d });
    else actions.push({ type: 'create', desired: d });
  }

  for (const [key, issue] of keeper) {
    if (!desiredKeys.has(key)) actions.push({ type: 'close', issue, comment: closeComment(issue, input, desiredKeys) });
  }

  return actions.sort((a, b) => rank(a) - rank(b) || keyOfAction(a).localeCompare(keyOfAction(b)) || numberOf(a) - numberOf(b));
}

/** Counts per action type, for logs and the dry run. */
export function summarizePlan(actions: readonly IssueAction[]): Record<IssueAction['type'], number> {
  const out: Record<IssueAction['type'], number> = { create: 0, update: 0, reopen: 0, remind: 0, close: 0, 'close-duplicate': 0, 'no-op': 0 };
  for (const a of actions) out[a.type]++;
  return out;
}
