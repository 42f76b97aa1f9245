/**
 * The problems a sweep opens issues about, one issue per (subject, kind). The subject is a grant's
 * identity id, except for `left-org`, whose subject is the departed login: one urgent issue lists
 * every grant that login holds or owns, instead of one issue per grant.
 */
export const PROBLEM_KINDS = [
  'left-org',
  'expired',
  'exception-expired',
  'unknown-system',
  'rotation-overdue',
  'review-overdue',
  'expiring-soon',
] as const;
export type ProblemKind = (typeof PROBLEM_KINDS)[number];

export function isProblemKind(value: string): value is ProblemKind {
  return (PROBLEM_KINDS as readonly string[]).includes(value);
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
};

/** The rules the sweep evaluates (with `validateSnapshot(..., { scopes: ['time', 'file'], only })`). */
export const SWEEP_RULES: ReadonlySet<string> = new Set(Object.values(KIND_INFO).map((k) => k.rule));
