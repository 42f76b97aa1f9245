/**
 * The problems a sweep opens issues about, one issue per (subject, kind). The subject is a grant's
 * identity id, except for `left-org`, whose subject is the departed login: one urgent issue lists
 * every grant that login holds or owns, instead of one issue per grant; and except for the drift
 * kinds (the observed rules' ids), whose subject is a system: one issue per system and kind lists
 * every difference of that kind between the system's latest listing and the grants.
 */
export const DRIFT_KINDS = [
  'observed-leaver-access',
  'observed-undeclared',
  'observed-excess-privilege',
  'observed-mfa-missing',
  'observed-rotation-overdue',
  'observed-unprovisioned',
  'observed-dormant',
] as const;
export type DriftKind = (typeof DRIFT_KINDS)[number];

export const PROBLEM_KINDS = [
  'left-org',
  'expired',
  'exception-expired',
  'unknown-system',
  'rotation-overdue',
  'review-overdue',
  'expiring-soon',
  ...DRIFT_KINDS,
] as const;
export type ProblemKind = (typeof PROBLEM_KINDS)[number];

export function isProblemKind(value: string): value is ProblemKind {
  return (PROBLEM_KINDS as readonly string[]).includes(value);
}

/** Whether issues of this kind are about a system's listing (their subject is the system id). */
export function isDriftKind(value: string): value is DriftKind {
  return (DRIFT_KINDS as readonly string[]).includes(value);
}

export interface KindInfo {
  /** The rule whose findings (and whose severity setting) produce this kind. */
  rule: string;
  /** Lower runs first when a run's write budget cannot cover everything. */
  priority: number;
  urgent: boolean;
}

export const KIND_INFO: Readonly<Record<ProblemKind, KindInfo>> = {
  'left-org': { rule: 'owner-left-org', priority: 0, urgent: true },
  expired: { rule: 'expired', priority: 1, urgent: false },
  'exception-expired': { rule: 'expired', priority: 1, urgent: false },
  'unknown-system': { rule: 'system-known', priority: 1, urgent: false },
  'rotation-overdue': { rule: 'rotation-overdue', priority: 2, urgent: false },
  'review-overdue': { rule: 'review-overdue', priority: 2, urgent: false },
  'expiring-soon': { rule: 'expiring-soon', priority: 3, urgent: false },
  // Someone who left still has an account: as urgent as the leaver issue itself.
  'observed-leaver-access': { rule: 'observed-leaver-access', priority: 0, urgent: true },
  'observed-undeclared': { rule: 'observed-undeclared', priority: 1, urgent: false },
  'observed-excess-privilege': { rule: 'observed-excess-privilege', priority: 1, urgent: false },
  'observed-mfa-missing': { rule: 'observed-mfa-missing', priority: 2, urgent: false },
  'observed-rotation-overdue': { rule: 'observed-rotation-overdue', priority: 2, urgent: false },
  'observed-unprovisioned': { rule: 'observed-unprovisioned', priority: 3, urgent: false },
  'observed-dormant': { rule: 'observed-dormant', priority: 3, urgent: false },
};

/** The rules the sweep evaluates on the files alone (with `validateSnapshot(..., { scopes: ['time', 'file'], only })`); the drift kinds come from `drift`. */
export const SWEEP_RULES: ReadonlySet<string> = new Set(
  Object.entries(KIND_INFO)
    .filter(([kind]) => !isDriftKind(kind))
    .map(([, k]) => k.rule),
);
