/**
 * Branch protection, rulesets and deployment environments as the fake keeps them: enough of
 * GitHub's model to answer the read endpoints the doctor uses (which rules apply to a branch, who
 * may bypass them, which branches may use an environment). They describe the repository; the fake
 * does not refuse pushes because of them.
 */

export type RepoRole = 'read' | 'triage' | 'write' | 'maintain' | 'admin';

export const ROLE_RANK: Readonly<Record<RepoRole, number>> = { read: 1, triage: 2, write: 3, maintain: 4, admin: 5 };

/** A required status check; `appId` is the App it must come from (the API's `checks[].app_id`), null for any source. */
export interface RequiredCheck {
  context: string;
  appId: number | null;
}

export interface ClassicProtection {
  requiredChecks: RequiredCheck[];
  strict: boolean;
  /** null: no pull request reviews required. */
  reviews: { count: number; codeOwners: boolean; dismissStale: boolean; lastPush: boolean } | null;
  /** Who may push; null: not restricted. */
  restrictions: { users: string[]; teams: string[]; apps: string[] } | null;
  enforceAdmins: boolean;
  allowForcePushes: boolean;
  allowDeletions: boolean;
  blockCreations: boolean;
}

/** Classic protection's settings as tests give them: a required check by its name alone accepts any source. */
export type ClassicProtectionInit = Partial<Omit<ClassicProtection, 'requiredChecks'>> & {
  requiredChecks?: (string | { context: string; appId?: number | null })[];
};

export function classicProtection(init: ClassicProtectionInit): ClassicProtection {
  return {
    requiredChecks: (init.requiredChecks ?? []).map((c) =>
      typeof c === 'string' ? { context: c, appId: null } : { context: c.context, appId: c.appId ?? null },
    ),
    strict: init.strict ?? false,
    reviews: init.reviews ?? null,
    restrictions: init.restrictions ?? null,
    enforceAdmins: init.enforceAdmins ?? false,
    allowForcePushes: init.allowForcePushes ?? false,
    allowDeletions: init.allowDeletions ?? false,
    blockCreations: init.blockCreations ?? false,
  };
}

export interface RuleInit {
  type: string;
  parameters?: Record<string, unknown>;
}

export interface BypassActorInit {
  actorType: 'Integration' | 'OrganizationAdmin' | 'RepositoryRole' | 'Team' | 'DeployKey' | 'User';
  actorId: number | null;
  bypassMode?: 'always' | 'pull_request' | 'exempt';
}

export interface RulesetInit {
  name: string;
  enforcement?: 'active' | 'evaluate' | 'disabled';
  /** Ref patterns, e.g. `refs/heads/access-ledger`, `~DEFAULT_BRANCH`, `~ALL`, `refs/heads/release/*`. */
  include: string[];
  exclude?: string[];
  rules: RuleInit[];
  bypass?: BypassActorInit[];
}

export interface Ruleset extends Required<RulesetInit> {
  id: number;
  createdAt: string;
}

/** GitHub requires these parameters of each rule type; tests may leave them out. */
const DEFAULT_PARAMETERS: Readonly<Record<string, Record<string, unknown>>> = {
  update: { update_allows_fetch_and_merge: false },
  pull_request: {
    dismiss_stale_reviews_on_push: false,
    require_code_owner_review: false,
    require_last_push_approval: false,
    required_approving_review_count: 0,
    required_review_thread_resolution: false,
  },
  required_status_checks: { required_status_checks: [], strict_required_status_checks_policy: false },
};

/**
 * GitHub's shape of a ruleset's required checks: `{ context, integration_id? }`, where
 * `integration_id` is the App the check must come from (absent: any source).
 */
function checkRequiredStatusChecks(rule: RuleInit): void {
  if (rule.type !== 'required_status_checks') return;
  const checks = rule.parameters?.required_status_checks;
  if (checks === undefined) return;
  if (!Array.isArray(checks)) throw new Error('required_status_checks must be a list of { context, integration_id? }');
  for (const c of checks as Record<string, unknown>[]) {
    const extra = Object.keys(c).filter((k) => k !== 'context' && k !== 'integration_id');
    if (typeof c.context !== 'string' || extra.length > 0 || (c.integration_id !== undefined && !Number.isInteger(c.integration_id))) {
      throw new Error(`a required status check is { context, integration_id? }, not ${JSON.stringify(c)}`);
    }
  }
}

export function ruleset(id: number, now: string, init: RulesetInit): Ruleset {
  init.rules.forEach(checkRequiredStatusChecks);
  return {
    id,
    createdAt: now,
    name: init.name,
    enforcement: init.enforcement ?? 'active',
    include: init.include,
    exclude: init.exclude ?? [],
    rules: init.rules.map((r) =>
      DEFAULT_PARAMETERS[r.type] || r.parameters ? { type: r.type, parameters: { ...DEFAULT_PARAMETERS[r.type], ...r.parameters } } : { type: r.type },
    ),
    bypass: init.bypass ?? [],
  };
}

/** fnmatch as rulesets use it: `*` within a segment, `**` across segments. */
function refPattern(pattern: string): RegExp {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '*' && pattern[i + 1] === '*') {
      out += '.*';
      i++;
    } else if (ch === '*') out += '[^/]*';
    else out += ch.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${out}$`);
}

function refMatches(pattern: string, ref: string, defaultBranch: string): boolean {
  if (pattern === '~ALL') return ref.startsWith('refs/heads/');
  if (pattern === '~DEFAULT_BRANCH') return ref === `refs/heads/${defaultBranch}`;
  return refPattern(pattern).test(ref);
}

export function rulesetApplies(r: Ruleset, branch: string, defaultBranch: string): boolean {
  const ref = `refs/heads/${branch}`;
  return r.enforcement === 'active' && r.include.some((p) => refMatches(p, ref, defaultBranch)) && !r.exclude.some((p) => refMatches(p, ref, defaultBranch));
}

export interface Environment {
  id: number;
  name: string;
  createdAt: string;
  /** null: any branch or tag. */
  policy: { protectedBranches: boolean; customBranchPolicies: boolean } | null;
  branchPolicies: { id: number; name: string; type: 'branch' | 'tag' }[];
}

export function environment(
  id: number,
  now: string,
  name: string,
  init: { branches?: string[] | 'protected' | null; tags?: string[] },
  nextId: () => number,
): Environment {
  const branches = init.branches ?? null;
  if (branches === null && !init.tags) return { id, name, createdAt: now, policy: null, branchPolicies: [] };
  if (branches === 'protected') return { id, name, createdAt: now, policy: { protectedBranches: true, customBranchPolicies: false }, branchPolicies: [] };
  const policies = [
    ...(branches ?? []).map((n) => ({ id: nextId(), name: n, type: 'branch' as const })),
    ...(init.tags ?? []).map((n) => ({ id: nextId(), name: n, type: 'tag' as const })),
  ];
  return { id, name, createdAt: now, policy: { protectedBranches: false, customBranchPolicies: true }, branchPolicies: policies };
}
