/**
 * The sweep's pure core: a snapshot, the packs, a day and membership in; problems, the issues
 * that should exist, and the plan against the issues that do exist out.
 */
import type { Finding } from '../findings.ts';
import type { Pack, Policy } from '../engine/policy.ts';
import type { Snapshot } from '../model/snapshot.ts';
import type { IsoDate, RepoConfig } from '../model/types.ts';
import { validateSnapshot } from '../validate.ts';
import { detectProblems, type Problem } from './detect.ts';
import { SWEEP_RULES } from './kinds.ts';
import { DEFAULT_EXTRA_LABELS, DEFAULT_MAX_WRITES, DEFAULT_REMINDER_DAYS, renderIssue, type DesiredIssue, type RenderContext } from './render.ts';

export * from './kinds.ts';
export * from './marker.ts';
export * from './detect.ts';
export * from './render.ts';
export * from './plan.ts';
export * from './drift.ts';

export interface StaleSettings {
  labels: string[];
  reminderDays: number;
  maxWritesPerRun: number;
  assignOwner: boolean;
}

/** `stale:` in access-ledger.yaml, with defaults. */
export function staleSettings(config: RepoConfig | undefined): StaleSettings {
  const s = config?.stale ?? {};
  return {
    labels: s.labels ?? DEFAULT_EXTRA_LABELS,
    reminderDays: s.reminder_days ?? DEFAULT_REMINDER_DAYS,
    maxWritesPerRun: s.max_writes_per_run ?? DEFAULT_MAX_WRITES,
    assignOwner: s.assign_owner ?? true,
  };
}

export interface StaleEvaluation {
  findings: Finding[];
  problems: Problem[];
  policy: Policy;
}

/** Evaluates the sweep's rules (time rules plus `system-known`) and groups the findings into problems. */
export function evaluateStale(
  snapshot: Snapshot,
  options: { packs: ReadonlyMap<string, Pack>; today: IsoDate; membership?: Readonly<Record<string, boolean>> },
): StaleEvaluation {
  const result = validateSnapshot(snapshot, {
    packs: options.packs,
    today: options.today,
    scopes: ['time', 'file'],
    only: SWEEP_RULES,
    ...(options.membership ? { facts: { orgMembership: options.membership } } : {}),
  });
  const findings = result.findings.filter((f) => SWEEP_RULES.has(f.rule));
  const problems = detectProblems({
    snapshot,
    findings,
    policy: result.policy,
    today: options.today,
    ...(options.membership ? { membership: options.membership } : {}),
  });
  return { findings, problems, policy: result.policy };
}

export function desiredIssues(problems: readonly Problem[], ctx: RenderContext): DesiredIssue[] {
  return problems.map((p) => renderIssue(p, ctx));
}
