/**
 * The gate's verdict on a pull request, as a pure function of its facts, the packs and a day.
 * The Action calls it on every PR event; the App calls it again at merge time to record the
 * verdict. The policy is always the BASE branch's: a pull request cannot loosen the rules that
 * judge it (docs/gate.md).
 */
import { compareFindings, type Finding } from '../findings.ts';
import { evaluate } from '../engine/evaluate.ts';
import { resolvePolicy, type Pack, type Policy } from '../engine/policy.ts';
import type { Snapshot } from '../model/snapshot.ts';
import type { IsoDate } from '../model/types.ts';
import type { RuleRegistry } from '../rules/index.ts';
import { builtinRegistry } from '../validate.ts';
import { needs } from '../rules/approvals.ts';
import { sentence } from '../rules/no-self-approval.ts';
import { plural } from '../rules/helpers.ts';
import { pullChanges, pullRoleOf, type PullChanges } from './changes.ts';
import { loginKey, type PullFacts } from './facts.ts';
import { DEFAULT_APPROVAL_OPTIONS, isGovernedKind, planApprovals, suggestApprovers, type ApprovalOptions, type ApprovalPlan, type RowKind } from './plan.ts';
import type { NotCounted } from '../approvals/reasons.ts';

export interface JudgeOptions {
  packs: ReadonlyMap<string, Pack>;
  today: IsoDate;
  registry?: RuleRegistry;
  /** Fail on errors only (default), or on warnings too. */
  failOn?: 'error' | 'warning';
}

/** One line of the gate's report: an identity's access to a system, or a governed file. */
export interface GateRow {
  subject: string;
  identity?: string;
  system?: string;
  file: string;
  line: number;
  change: RowKind;
  /** What the change asks for, e.g. `billing_write (privileged), expires 2027-01-31`. */
  requested: string;
  reasons: string[];
  /** Approvals this row needs (0: none, e.g. a removal). */
  required: number;
  /** Whose approvals: the system id, or `admins` (absent when the row needs none). */
  group?: string;
  approvedBy: string[];
  missing: number;
  /** Who may approve it, as the base branch lists them, e.g. `@acme/dba or dave`. */
  approvers: string;
  blockedBy: string[];
  controls: string[];
}

/** Per system (or `admins`): how many eligible approvals the policy required and who gave them. */
export interface GateApproval {
  system: string;
  required: number;
  approvedBy: string[];
  /** required − counted approvals, never below 0. */
  missing: number;
  blockedBy: string[];
}

/**
 * A reviewer whose latest review decides something (approve, request changes, dismissed), and
 * whether their approval counted: `notCounted` is null when it counted for at least one system
 * (or the admins), else the reason, in the words of src/core/approvals/reasons.ts.
 */
export interface GateReviewer {
  reviewer: string;
  state: 'APPROVED' | 'CHANGES_REQUESTED' | 'DISMISSED';
  notCounted: NotCounted | null;
}

export interface GateResult {
  verdict: 'pass' | 'fail';
  findings: Finding[];
  rows: GateRow[];
  /** One entry per system whose access the PR adds or widens, and `admins` for governed changes. */
  approvals: GateApproval[];
  /** Per reviewer, whether their approval counted and why not (the ledger records it with each review). */
  reviewers: GateReviewer[];
  /** One line: what to do next, or why it passed. */
  nextStep: string;
  /** The PR changes nothing under grants/, systems/ or the config. */
  nothingToCheck: boolean;
  /** The PR only narrows or removes access: no approval is needed. */
  removalOnly: boolean;
  /** The pack the base config extends. */
  pack: string;
  /** The commit the policy was read from (the PR's base). */
  policySha: string;
  errors: number;
  warnings: number;
}

const ACCESS_CONTROLS = ['SOC2:CC6.2', 'SOC2:CC6.3', 'NIST-CSF-2.0:PR.AA-05', 'ISO27001:A.5.18'];
const GOVERNED_CONTROLS = ['SOC2:CC8.1', 'NIST-CSF-2.0:ID.RA-07', 'NIST-CSF-2.0:GV.RR-02'];

export function judgePull(facts: PullFacts, opts: JudgeOptions): GateResult {
  const changes = pullChanges(facts);
  const registry = opts.registry ?? builtinRegistry();
  const { policy, findings: basePolicyFindings } = resolvePolicy(facts.base.config, opts.packs, registry);
  if (!changes.relevant && !facts.gaps?.length) {
    return {
      verdict: 'pass',
      findings: [],
      rows: [],
      approvals: [],
      reviewers: [],
      nextStep: 'nothing to check: this pull request changes nothing under grants/, systems/ or the config',
      nothingToCheck: true,
      removalOnly: false,
      pack: policy.pack,
      policySha: facts.baseSha,
      errors: 0,
      warnings: 0,
    };
  }

  const approvalOptions = approvalsOptionsOf(policy);
  const { snapshot, changed } = headView(facts, changes);
  const only = registry.ids();
  only.delete('mass-removal');
  const findings = evaluate({
    snapshot,
    policy,
    registry,
    today: opts.today,
    scopes: ['file', 'repo', 'pull-request'],
    changed,
    base: facts.base,
    pull: facts,
    only,
    // An exception takes effect once merged: the pull request's own exceptions waive nothing.
    exceptionsFrom: facts.base,
  });
  findings.push(
    ...configFindings(facts, changes, opts, registry, basePolicyFindings),
    ...massRemovalByCount(changes, policy, registry),
    ...gapFindings(facts, registry),
  );
  findings.sort(compareFindings);

  const plan = planApprovals(facts, approvalOptions);
  const rows = gateRows(facts, plan);
  const errors = findings.filter((f) => f.severity === 'error').length;
  const warnings = findings.length - errors;
  const failing = errors > 0 || (opts.failOn === 'warning' && warnings > 0);
  return {
    verdict: failing ? 'fail' : 'pass',
    findings,
    rows,
    approvals: plan.groups.map((g) => ({ system: g.label, required: g.required, approvedBy: g.approvedBy, missing: g.missing, blockedBy: g.blockedBy })),
    reviewers: gateReviewers(plan),
    nextStep: failing ? nextStepOnFailure(facts, plan, findings, policy, opts.failOn ?? 'error') : nextStepOnPass(plan, changes, warnings),
    nothingToCheck: false,
    removalOnly: changes.removalOnly,
    pack: policy.pack,
    policySha: facts.baseSha,
    errors,
    warnings,
  };
}

/**
 * What could not be read (a listing GitHub cut short) makes the judgement incomplete: whatever the
 * rest says, the verdict fails, under `approvals` (no approval can cover a change nobody saw).
 */
function gapFindings(facts: PullFacts, registry: RuleRegistry): Finding[] {
  return (facts.gaps ?? []).map((gap) => ({
    rule: 'approvals',
    severity: 'error' as const,
    message: `too large to evaluate: ${gap}`,
    controls: registry.get('approvals')?.meta.controls ?? [],
  }));
}

function approvalsOptionsOf(policy: Policy): ApprovalOptions {
  return { ...DEFAULT_APPROVAL_OPTIONS, ...(policy.rules.get('approvals')?.options as Partial<ApprovalOptions> | undefined) };
}

/**
 * The gate reads only the changed files, never the whole repo (its API calls must not grow with
 * the repo), so it cannot know what share of all access a change removes: it runs `mass-removal`
 * by the number of entries alone, here, instead of through the rule (which needs the whole base).
 */
function massRemovalByCount(changes: PullChanges, policy: Policy, registry: RuleRegistry): Finding[] {
  const setting = policy.rules.get('mass-removal');
  const rule = registry.get('mass-removal');
  if (!setting || setting.severity === 'off' || !rule) return [];
  const max = Number(setting.options.max_entries ?? 25);
  const removed = changes.access.filter((c) => c.kind === 'removes').length;
  if (removed <= max) return [];
  const deleted = changes.grants.filter((g) => !g.after).length;
  return [
    {
      rule: 'mass-removal',
      severity: setting.severity,
      message: `this change removes ${removed} access entries (${plural(deleted, 'grant file')} deleted), over the limit of ${max}: split it, or confirm it is intended and have the admins approve`,
      controls: rule.meta.controls,
    },
  ];
}

/**
 * What the repo looks like after the change, as far as the gate reads it: the base's config and
 * systems with the PR's versions of the ones it changes, and the changed grants at the head.
 */
function headView(facts: PullFacts, changes: PullChanges): { snapshot: Snapshot; changed: Set<string> } {
  const changed = new Set<string>();
  const replaced = new Set<string>();
  for (const f of facts.files) {
    const before = f.status === 'renamed' ? (f.previousPath ?? f.path) : f.path;
    const role = pullRoleOf(f.path, facts.configPath);
    const beforeRole = pullRoleOf(before, facts.configPath);
    if (role !== 'other') changed.add(f.path);
    if (beforeRole !== 'other') {
      changed.add(before);
      if (f.status !== 'added') replaced.add(before);
    }
  }
  const snapshot: Snapshot = {
    systems: [...facts.base.systems.filter((s) => !replaced.has(s.path)), ...facts.head.systems].sort((a, b) => a.path.localeCompare(b.path)),
    grants: [...facts.head.grants],
  };
  const configTouched = changed.has(changes.configPath) || (facts.base.config && changed.has(facts.base.config.path));
  const config = configTouched ? facts.head.config : facts.base.config;
  if (config) snapshot.config = config;
  return { snapshot, changed };
}

/** Problems in the PR's own config (an unknown pack or rule) and, as warnings, in the base's. */
function configFindings(facts: PullFacts, changes: PullChanges, opts: JudgeOptions, registry: RuleRegistry, baseFindings: Finding[]): Finding[] {
  const out: Finding[] = [];
  const headConfig = facts.head.config;
  if (headConfig?.data && changes.governed.some((g) => g.kind === 'config')) {
    out.push(...resolvePolicy(headConfig, opts.packs, registry).findings);
  } else {
    for (const f of baseFindings) {
      out.push({ ...f, severity: 'warning', message: `on the base branch: ${f.message} (the gate used the defaults in its place)` });
    }
  }
  return out;
}

function gateRows(facts: PullFacts, plan: ApprovalPlan): GateRow[] {
  const excluded = excludedLogins(facts, plan);
  const groups = new Map(plan.groups.map((g) => [g.key, g]));
  return plan.rows.map((row) => {
    const group = row.group ? groups.get(row.group) : undefined;
    const governed = isGovernedKind(row.kind);
    const privileged = /\(privileged\)/.test(row.requested);
    const own = row.excluded ? new Set([...excluded, ...row.excluded]) : excluded;
    return {
      subject: row.subject,
      ...(row.identity ? { identity: row.identity } : {}),
      ...(row.system ? { system: row.system } : {}),
      file: row.file,
      line: row.line,
      change: row.kind,
      requested: row.requested,
      reasons: row.reasons,
      required: group ? (row.excluded ? row.required : group.required) : 0,
      ...(group ? { group: group.label } : {}),
      approvedBy: group ? row.approvedBy : [],
      missing: group ? row.missing : 0,
      approvers: group ? suggestApprovers(group, own) : '',
      blockedBy: group?.blockedBy ?? [],
      controls: governed ? GOVERNED_CONTROLS : privileged ? [...ACCESS_CONTROLS, 'ISO27001:A.8.2'] : ACCESS_CONTROLS,
    };
  });
}

/** Why each reviewer's deciding review counted or not, in the gate's order: excluded, counted, head, list. */
function gateReviewers(plan: ApprovalPlan): GateReviewer[] {
  const counted = new Set(plan.rows.flatMap((r) => r.approvedBy.map(loginKey)));
  const undetermined = new Set(plan.groups.flatMap((g) => g.undetermined.map((u) => loginKey(u.login))));
  return plan.latest.map((r) => {
    const login = loginKey(r.reviewer);
    let notCounted: NotCounted | null;
    if (r.state === 'DISMISSED') notCounted = 'dismissed';
    else if (r.state === 'CHANGES_REQUESTED') notCounted = 'changes-requested';
    else if (r.excluded) notCounted = r.excluded;
    else if (counted.has(login)) notCounted = null;
    else if (plan.groups.length === 0) notCounted = 'not-required';
    else if (!r.onHead && plan.options.require_head_sha) notCounted = 'older-commit';
    else if (undetermined.has(login)) notCounted = 'undetermined';
    else notCounted = 'not-eligible';
    return { reviewer: r.reviewer, state: r.state, notCounted };
  });
}

function excludedLogins(facts: PullFacts, plan: ApprovalPlan): Set<string> {
  const out = new Set(plan.latest.filter((r) => r.excluded).map((r) => loginKey(r.reviewer)));
  for (const g of pullChanges(facts).grantees) out.add(g);
  out.add(loginKey(facts.author));
  for (const c of facts.commitAuthors) if (c) out.add(loginKey(c));
  return out;
}

function nextStepOnPass(plan: ApprovalPlan, changes: PullChanges, warnings: number): string {
  const warned = warnings > 0 ? ` (${plural(warnings, 'warning')} to look at)` : '';
  if (changes.removalOnly) return `removal only: no approval needed${warned}`;
  const approved = [...new Set(plan.groups.flatMap((g) => g.approvedBy))];
  if (plan.groups.length === 0) return `no access added or widened: no approval needed${warned}`;
  if (approved.length === 0) return `passes: the base policy does not require the approvals listed in the report${warned}`;
  return `approved by ${approved.join(', ')}${warned}`;
}

/** One line, the most useful first: fix the files, then who must approve and who cannot. */
function nextStepOnFailure(facts: PullFacts, plan: ApprovalPlan, findings: Finding[], policy: Policy, failOn: 'error' | 'warning'): string {
  const parts: string[] = [];
  const approvalRules = new Set(['approvals', 'no-self-approval']);
  const other = findings.filter((f) => (f.severity === 'error' || failOn === 'warning') && !approvalRules.has(f.rule));
  const failingApprovals = findings.some((f) => approvalRules.has(f.rule) && (f.severity === 'error' || failOn === 'warning'));
  if (other.length > 0) {
    const first = other[0]!;
    const where = first.file ? `${first.file}${first.line ? `:${first.line}` : ''}: ` : '';
    const more = other.length > 1 ? ` (and ${plural(other.length - 1, 'more problem')})` : '';
    parts.push(`fix ${where}${first.message}${more}`);
  }
  const approvalsOn = policy.rules.get('approvals')?.severity !== 'off';
  if (failingApprovals || (approvalsOn && other.length > 0)) {
    const excluded = excludedLogins(facts, plan);
    const short = plan.groups.filter((g) => g.missing > 0);
    const selfSeverity = policy.rules.get('no-self-approval')?.severity;
    if (short.length > 0 && selfSeverity !== 'off') {
      for (const r of plan.latest) {
        if (r.state === 'APPROVED' && r.excluded && r.excluded !== 'bot') parts.push(sentence(r.reviewer, r.excluded));
      }
    }
    for (const g of plan.groups) for (const b of g.blockedBy) parts.push(`${b} requested changes: address them, or have the review dismissed`);
    for (const g of plan.groups) {
      for (const u of g.undetermined)
        if (u.state === 'CHANGES_REQUESTED' || g.missing > 0)
          parts.push(`could not determine whether ${u.login} is a member of ${u.team}: use a token with members: read`);
    }
    for (const g of short) {
      // In a review campaign the items still short exclude their own grantees from the suggestion too.
      const own = new Set(excluded);
      for (const row of plan.rows) if (row.group === g.key && row.missing > 0) for (const l of row.excluded ?? []) own.add(l);
      parts.push(`${needs(g, own)}${short.length > 1 ? ` for ${g.label === 'admins' ? 'the governed changes' : g.label}` : ''}`);
    }
  }
  if (parts.length === 0) parts.push('see the findings');
  return [...new Set(parts)].join('; ');
}
