/**
 * The approval engine (docs/gate.md, "What it checks"), as a pure function of the pull request's facts.
 *
 * Per reviewer the latest of APPROVED / CHANGES_REQUESTED / DISMISSED counts; COMMENTED and
 * PENDING do not. An approval counts only on the head commit (unless `require_head_sha` is off),
 * and never from the PR's author, an author or committer of one of its commits, a grantee of a
 * changed grant, or a bot. Every system whose access the PR adds or widens needs its own count of
 * such approvals from that system's approvers as listed on the BASE branch; privileged entries
 * need the privileged count; a change request from an eligible approver blocks. Changes to the
 * config, systems/ or an exception need the admins. A PR that only narrows or removes access
 * needs no approval at all.
 */
import type { System } from '../model/types.ts';
import { pullChanges, type AccessChange, type AccessChangeKind, type GovernedKind, type Position } from './changes.ts';
import { isTeam, loginKey, teamKey, type PullFacts } from './facts.ts';
import type { Exclusion } from '../approvals/reasons.ts';

export interface ApprovalOptions {
  /** Approvals needed for a system whose access the PR adds or widens. */
  default: number;
  /** Approvals needed when a privileged entry is added or widened. */
  privileged: number;
  /** Count only approvals of the PR's head commit (a push after an approval needs a new one). */
  require_head_sha: boolean;
}

export const DEFAULT_APPROVAL_OPTIONS: ApprovalOptions = { default: 1, privileged: 2, require_head_sha: true };

/** Why a reviewer may never approve this pull request (the words: src/core/approvals/reasons.ts). */
export type { Exclusion };

export interface LatestReview {
  reviewer: string;
  state: 'APPROVED' | 'CHANGES_REQUESTED' | 'DISMISSED';
  commitId: string;
  onHead: boolean;
  isBot: boolean;
  /** Why this reviewer's approval cannot count, if it cannot. */
  excluded?: Exclusion;
}

export type GroupSource = 'approvers' | 'owner' | 'admins' | 'bootstrap' | 'none';

/** Who may approve one system (or the admins' share of the PR), and how far the PR has got. */
export interface ApproverGroup {
  /** `system:<id>` or `admins`. */
  key: string;
  /** The system id, or `admins`. */
  label: string;
  /** Users and `@org/team`s from the base branch. */
  principals: string[];
  /**
   * approvers: the system's list; owner: the system lists no approvers, its owner approves;
   * admins: the system is not on the base branch, or names neither; bootstrap: the base config
   * names no admins yet, so any reviewer who is not excluded may approve; none: nobody can.
   */
  source: GroupSource;
  required: number;
  approvedBy: string[];
  missing: number;
  /** Eligible reviewers whose latest review requests changes. */
  blockedBy: string[];
  /** Reviewers whose team membership could not be determined (fail closed). */
  undetermined: { login: string; team: string; state: 'APPROVED' | 'CHANGES_REQUESTED' }[];
  /** Eligible reviewers who approved an older commit. */
  stale: string[];
  /** Reviewers who approved but are not on this group's list. */
  outsiders: string[];
}

export type RowKind = AccessChangeKind | GovernedKind;

const ACCESS_KINDS: ReadonlySet<string> = new Set<AccessChangeKind>(['adds', 'widens', 'narrows', 'removes', 'unchanged']);

/** Whether a row is about a file or fact someone other than the system's approvers governs. */
export function isGovernedKind(kind: RowKind): kind is GovernedKind {
  return !ACCESS_KINDS.has(kind);
}

/** One line of the report: an identity's access to a system, or a governed file. */
export interface ApprovalRow extends Position {
  subject: string;
  identity?: string;
  system?: string;
  kind: RowKind;
  /** What the change asks for, e.g. `billing_write (privileged), expires 2027-01-31`. */
  requested: string;
  reasons: string[];
  required: number;
  /** The key of the group whose approvals this row needs (absent when it needs none). */
  group?: string;
  /**
   * Lower-case logins whose approval cannot count for this row only: the item's own grantees in a
   * review campaign (they certify the others, never themselves).
   */
  excluded?: string[];
  /** Eligible approvals that count for this row (the group's, less the row's own exclusions). */
  approvedBy: string[];
  /** Approvals this row still lacks. */
  missing: number;
}

export interface ApprovalPlan {
  options: ApprovalOptions;
  groups: ApproverGroup[];
  rows: ApprovalRow[];
  latest: LatestReview[];
  removalOnly: boolean;
}

const RANK: Record<AccessChangeKind, number> = { adds: 4, widens: 3, narrows: 2, removes: 1, unchanged: 0 };

/** Per reviewer, the latest review that decides something (COMMENTED and PENDING never do). */
export function latestReviews(facts: PullFacts): LatestReview[] {
  const ordered = facts.reviews
    .map((r, i) => ({ r, i }))
    .filter(({ r }) => r.state === 'APPROVED' || r.state === 'CHANGES_REQUESTED' || r.state === 'DISMISSED')
    .sort((a, b) => (a.r.submittedAt < b.r.submittedAt ? -1 : a.r.submittedAt > b.r.submittedAt ? 1 : a.i - b.i));
  const latest = new Map<string, LatestReview>();
  for (const { r } of ordered) {
    latest.set(loginKey(r.reviewer), {
      reviewer: r.reviewer,
      state: r.state as LatestReview['state'],
      commitId: r.commitId,
      onHead: r.commitId === facts.headSha,
      isBot: r.reviewerIsBot || /\[bot\]$/i.test(r.reviewer),
    });
  }
  const exclusions = exclusionsOf(facts);
  for (const [key, review] of latest) {
    const why = review.isBot ? 'bot' : exclusions.get(key);
    if (why) review.excluded = why;
  }
  return [...latest.values()];
}

/** Everyone whose approval cannot count, with the most specific reason. */
export function exclusionsOf(facts: PullFacts): Map<string, Exclusion> {
  const out = new Map<string, Exclusion>();
  const add = (login: string | null | undefined, why: Exclusion) => {
    if (!login) return;
    const key = loginKey(login);
    if (!out.has(key)) out.set(key, why);
  };
  for (const g of pullChanges(facts).grantees) add(g, 'grantee');
  add(facts.author, 'author');
  for (const c of facts.commitAuthors) add(c, 'committer');
  return out;
}

function baseSystems(facts: PullFacts): Map<string, System> {
  const out = new Map<string, System>();
  for (const s of facts.base.systems) if (s.data) out.set(s.data.id, s.data);
  return out;
}

function admins(facts: PullFacts): string[] {
  return facts.base.config?.data?.admins ?? [];
}

function groupFor(key: string, label: string, principals: string[], source: GroupSource): ApproverGroup {
  return { key, label, principals, source, required: 0, approvedBy: [], missing: 0, blockedBy: [], undetermined: [], stale: [], outsiders: [] };
}

function systemGroup(facts: PullFacts, systems: Map<string, System>, id: string): ApproverGroup {
  const key = `system:${id}`;
  const system = systems.get(id);
  if (system?.approvers?.length) return groupFor(key, id, system.approvers, 'approvers');
  if (system?.owner) return groupFor(key, id, [system.owner], 'owner');
  const a = admins(facts);
  if (a.length) return groupFor(key, id, a, 'admins');
  return groupFor(key, id, [], facts.base.config?.data ? 'none' : 'bootstrap');
}

function adminGroup(facts: PullFacts): ApproverGroup {
  const a = admins(facts);
  return groupFor('admins', 'admins', a, a.length ? 'admins' : 'bootstrap');
}

export type Eligibility = { eligible: 'yes' | 'no' } | { eligible: 'unknown'; team: string };

/** Whether `login` is on the group's list: a listed user, or a member of a listed team. */
export function eligibility(facts: PullFacts, group: ApproverGroup, login: string): Eligibility {
  if (group.source === 'bootstrap') return { eligible: 'yes' };
  const key = loginKey(login);
  let unknown: string | undefined;
  for (const p of group.principals) {
    if (!isTeam(p)) {
      if (loginKey(p) === key) return { eligible: 'yes' };
      continue;
    }
    const member = facts.teamMembership[teamKey(p)]?.[key];
    if (member === true) return { eligible: 'yes' };
    if (member === undefined) unknown ??= p;
  }
  return unknown ? { eligible: 'unknown', team: unknown } : { eligible: 'no' };
}

function describeRequested(changes: AccessChange[]): string {
  return changes
    .map((c) => `${c.role}${c.privileged ? ' (privileged)' : ''}${c.expires ? `, expires ${c.expires}` : ''}`)
    .filter((v, i, all) => all.indexOf(v) === i)
    .join('; ');
}

function accessRows(facts: PullFacts, options: ApprovalOptions): ApprovalRow[] {
  const byKey = new Map<string, AccessChange[]>();
  for (const c of pullChanges(facts).access) {
    const k = `${c.file}\u0000${c.identity}\u0000${c.system}`;
    const list = byKey.get(k) ?? [];
    list.push(c);
    byKey.set(k, list);
  }
  const rows: ApprovalRow[] = [];
  for (const list of byKey.values()) {
    const strongest = list.reduce((a, b) => (RANK[b.kind] > RANK[a.kind] ? b : a));
    const widening = list.filter((c) => c.kind === 'adds' || c.kind === 'widens');
    const required = widening.length === 0 ? 0 : widening.some((c) => c.privileged) ? options.privileged : options.default;
    // A role change is the old role's removal and the new role's addition: the row shows the new one.
    const shown = strongest.kind === 'removes' ? list : list.filter((c) => c.kind !== 'removes');
    const row: ApprovalRow = {
      approvedBy: [],
      missing: 0,
      file: strongest.file,
      line: strongest.line,
      column: strongest.column,
      subject: strongest.identity,
      identity: strongest.identity,
      system: strongest.system,
      kind: strongest.kind,
      requested: strongest.kind === 'removes' ? `removes ${describeRequested(list)}` : describeRequested(shown),
      reasons: shown.flatMap((c) => c.reasons),
      required,
    };
    if (required > 0) row.group = `system:${strongest.system}`;
    rows.push(row);
  }
  return rows;
}

const planCache = new WeakMap<PullFacts, Map<string, ApprovalPlan>>();

/** The approval plan for a PR. Memoized per facts and options, so the rules and the judge share it. */
export function planApprovals(facts: PullFacts, options: ApprovalOptions = DEFAULT_APPROVAL_OPTIONS): ApprovalPlan {
  const optionsKey = JSON.stringify([options.default, options.privileged, options.require_head_sha]);
  let perFacts = planCache.get(facts);
  const hit = perFacts?.get(optionsKey);
  if (hit) return hit;

  const changes = pullChanges(facts);
  const { rows, groups } = rowsAndGroups(facts, options);

  const latest = latestReviews(facts);
  for (const group of groups.values()) {
    for (const r of latest) {
      if (r.excluded || r.state === 'DISMISSED') continue;
      const e = eligibility(facts, group, r.reviewer);
      if (r.state === 'CHANGES_REQUESTED') {
        // A change request blocks whatever commit it was made on, until it is dismissed or replaced.
        if (e.eligible === 'yes') group.blockedBy.push(r.reviewer);
        else if (e.eligible === 'unknown') group.undetermined.push({ login: r.reviewer, team: e.team, state: r.state });
        continue;
      }
      if (!r.onHead && options.require_head_sha) {
        if (e.eligible !== 'no') group.stale.push(r.reviewer);
        continue;
      }
      if (e.eligible === 'yes') group.approvedBy.push(r.reviewer);
      else if (e.eligible === 'unknown') group.undetermined.push({ login: r.reviewer, team: e.team, state: r.state });
      else group.outsiders.push(r.reviewer);
    }
    group.missing = 0;
    for (const row of rows) {
      if (row.group !== group.key) continue;
      const own = new Set(row.excluded ?? []);
      row.approvedBy = group.approvedBy.filter((login) => !own.has(loginKey(login)));
      row.missing = Math.max(0, (row.excluded ? row.required : group.required) - row.approvedBy.length);
      group.missing = Math.max(group.missing, row.missing);
    }
  }

  const plan: ApprovalPlan = { options, groups: [...groups.values()], rows, latest, removalOnly: changes.removalOnly };
  if (!perFacts) {
    perFacts = new Map();
    planCache.set(facts, perFacts);
  }
  perFacts.set(optionsKey, plan);
  return plan;
}

/** Who could still approve for a group, for a message: `@acme/dba or dave` (excluded people left out). */
export function suggestApprovers(group: ApproverGroup, excluded: ReadonlySet<string>): string {
  if (group.source === 'bootstrap') return 'any reviewer who did not author or commit to this pull request';
  const names = group.principals.filter((p) => isTeam(p) || !excluded.has(loginKey(p))).map((p) => (isTeam(p) ? p : p.replace(/^@/, '')));
  if (names.length === 0) return '';
  if (names.length === 1) return names[0]!;
  return `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}`;
}

/**
 * The rows of the report and the groups whose approvals they need. Access rows go to their
 * system's approvers; governed rows to the admins, except the review blocks of a review campaign,
 * which go to the approvers of the system under review (the policy's default count, item by item).
 */
function rowsAndGroups(facts: PullFacts, options: ApprovalOptions): { rows: ApprovalRow[]; groups: Map<string, ApproverGroup> } {
  const changes = pullChanges(facts);
  const systems = baseSystems(facts);
  const rows = accessRows(facts, options);
  for (const g of changes.governed) {
    rows.push({
      file: g.file,
      line: g.line,
      column: g.column,
      subject: g.identity ?? g.system ?? g.file,
      ...(g.identity ? { identity: g.identity } : {}),
      ...(g.system ? { system: g.system } : {}),
      kind: g.kind,
      requested: g.description,
      reasons: [g.description],
      required: g.reviewOf ? options.default : 1,
      group: g.reviewOf ? `system:${g.reviewOf}` : 'admins',
      ...(g.excluded ? { excluded: g.excluded } : {}),
      approvedBy: [],
      missing: 0,
    });
  }
  const groups = new Map<string, ApproverGroup>();
  for (const row of rows) {
    if (!row.group) continue;
    let group = groups.get(row.group);
    if (!group) {
      group = row.group === 'admins' ? adminGroup(facts) : systemGroup(facts, systems, row.group.slice('system:'.length));
      groups.set(row.group, group);
    }
    group.required = Math.max(group.required, row.required);
  }
  return { rows, groups };
}

/**
 * The team-membership lookups the plan needs: each (team, reviewer) pair where the reviewer's
 * approval or change request could count and the reviewer is not already listed by name.
 */
export function neededTeamLookups(facts: PullFacts): { team: string; login: string }[] {
  const changes = pullChanges(facts);
  if (changes.removalOnly) return [];
  const groups = [...rowsAndGroups(facts, DEFAULT_APPROVAL_OPTIONS).groups.values()];
  const pairs = new Map<string, { team: string; login: string }>();
  for (const r of latestReviews(facts)) {
    if (r.excluded || r.state === 'DISMISSED') continue;
    const login = loginKey(r.reviewer);
    for (const group of groups) {
      if (group.principals.some((p) => !isTeam(p) && loginKey(p) === login)) continue;
      for (const p of group.principals) if (isTeam(p)) pairs.set(`${teamKey(p)} ${login}`, { team: teamKey(p), login });
    }
  }
  return [...pairs.values()];
}
