/** Doctor facts for a repository set up the way `access-ledger init` and the docs set it up, to vary one thing at a time. */
import { scaffold } from '../../src/cli/commands/init.ts';
import type { BranchRule, DoctorFacts, Ruleset, WorkflowFile } from '../../src/core/doctor/index.ts';

export const APP_ID = 4242;
/** The organization's gate App (gate-app.yml): the one source of the required status access-ledger/gate. */
export const GATE_APP_ID = 1093412;
export const FILES = scaffold('2027-01-20', 'acme');

export function initWorkflows(): WorkflowFile[] {
  return Object.entries(FILES)
    .filter(([p]) => p.startsWith('.github/workflows/'))
    .map(([path, text]) => ({ path, text }));
}

/** The default branch's ruleset: the gate required, code owners' review required. */
export const MAIN_RULES: BranchRule[] = [
  {
    type: 'pull_request',
    rulesetId: 1,
    parameters: { required_approving_review_count: 1, require_code_owner_review: true, dismiss_stale_reviews_on_push: true },
  },
  {
    type: 'required_status_checks',
    rulesetId: 1,
    parameters: { strict_required_status_checks_policy: true, required_status_checks: [{ context: 'access-ledger/gate', integration_id: GATE_APP_ID }] },
  },
];

/** The ledger branch's two rulesets from docs/ledger.md. */
export const LEDGER_RULES: BranchRule[] = [
  { type: 'creation', rulesetId: 2 },
  { type: 'update', rulesetId: 2, parameters: { update_allows_fetch_and_merge: false } },
  { type: 'deletion', rulesetId: 3 },
  { type: 'non_fast_forward', rulesetId: 3 },
];

export const RULESETS: Record<number, Ruleset> = {
  1: { id: 1, name: 'main', bypass: [] },
  2: { id: 2, name: 'access-ledger: only the App writes', bypass: [{ type: 'Integration', id: APP_ID, mode: 'always' }] },
  3: { id: 3, name: 'access-ledger: history is permanent', bypass: [] },
};

export function safeFacts(): DoctorFacts {
  return {
    repository: 'acme/access',
    defaultBranch: 'main',
    hasIssues: true,
    configPath: 'access-ledger.yaml',
    ledgerBranch: 'access-ledger',
    workflows: initWorkflows(),
    environments: {
      'access-ledger-gate': {
        exists: true,
        policy: { protectedBranches: false, customBranchPolicies: true },
        branchPolicies: [{ name: 'main', type: 'branch' }],
      },
      'access-ledger-sweep': {
        exists: true,
        policy: { protectedBranches: false, customBranchPolicies: true },
        branchPolicies: [{ name: 'main', type: 'branch' }],
      },
    },
    codeowners: { path: '.github/CODEOWNERS', text: FILES['.github/CODEOWNERS']!, errors: [] },
    defaultBranchProtection: { rules: structuredClone(MAIN_RULES), classic: null },
    ledgerBranchProtection: { rules: structuredClone(LEDGER_RULES), classic: null },
    rulesets: structuredClone(RULESETS),
    pushers: ['alice', 'carol', 'dave'],
    app: { via: 'installation-token', coversRepo: true },
    workflowToken: { defaultPermissions: 'read', canApprovePullRequests: false },
  };
}

/** The options the doctor runs with when the config names the gate App (`gate: { app_id }`). */
export const GATE_OPTIONS = { gateAppId: GATE_APP_ID } as const;

export const ADMIN_READ = { unreadable: true as const, permission: 'Administration: read', message: 'GitHub answered 403' };

/** A workflow file from YAML lines. */
export function wf(path: string, yaml: string): WorkflowFile {
  return { path: `.github/workflows/${path}`, text: yaml };
}
