/**
 * What the doctor knows about an access repository's settings: plain data an adapter reads from
 * the GitHub API (src/adapters/github/doctor.ts). A fact the token could not read is kept as
 * `Unreadable`, naming the permission, so the check that needs it fails closed instead of passing.
 */
import type { WorkflowFile } from './workflows.ts';

export interface Unreadable {
  unreadable: true;
  /** The permission or kind of token that would read it, e.g. `Administration: read`. */
  permission: string;
  /** What could not be read and why, in one line. */
  message: string;
}

export type Fact<T> = T | Unreadable;

export function isUnreadable<T>(f: Fact<T>): f is Unreadable {
  return typeof f === 'object' && f !== null && (f as Unreadable).unreadable === true;
}

/** One active rule that applies to a branch (`GET /repos/{owner}/{repo}/rules/branches/{branch}`). */
export interface BranchRule {
  type: string;
  parameters?: Record<string, unknown>;
  rulesetId: number;
  /** `Repository` or `Organization`. */
  source?: string;
}

export interface BypassActor {
  /** `Integration`, `OrganizationAdmin`, `RepositoryRole`, `Team`, `DeployKey`, `User`, `EnterpriseOwner`... */
  type: string;
  id: number | null;
  mode?: string;
}

export interface Ruleset {
  id: number;
  name: string;
  /** Who may bypass it; unreadable when GitHub hides the list from the token (it shows it only to callers who can edit the ruleset). */
  bypass: Fact<BypassActor[]>;
}

/**
 * A required status check and the source it accepts: `appId` is the App the check must come from
 * (branch protection's `checks[].app_id`, a ruleset's `integration_id`); null accepts any source.
 */
export interface RequiredCheck {
  context: string;
  appId: number | null;
}

/** Classic branch protection, the parts the doctor judges (`GET .../branches/{branch}/protection`). */
export interface ClassicProtection {
  /** Required checks; a bare name accepts any source. */
  requiredChecks: (string | RequiredCheck)[];
  requireCodeOwnerReviews: boolean;
  /** Who may push; null when pushes are not restricted (everyone with write access may push). */
  restrictions: { users: string[]; teams: string[]; apps: string[] } | null;
  enforceAdmins: boolean;
  allowForcePushes: boolean;
  allowDeletions: boolean;
}

/** A branch's protection: its active rules and, when it has any, its classic protection (null: none). */
export interface BranchProtection {
  rules: Fact<BranchRule[]>;
  classic: Fact<ClassicProtection | null>;
}

export interface DeploymentBranchPolicy {
  name: string;
  /** `branch` or `tag`. */
  type: string;
}

export interface EnvironmentFacts {
  exists: boolean;
  /** null: any branch (and tag) may use the environment. */
  policy: { protectedBranches: boolean; customBranchPolicies: boolean } | null;
  /** With custom policies: the branch and tag name patterns allowed. */
  branchPolicies: DeploymentBranchPolicy[];
}

export interface CodeownersFacts {
  path: string;
  text: string;
  /** Errors GitHub found in the file (`GET /repos/{owner}/{repo}/codeowners/errors`). */
  errors: Fact<{ line: number; message: string }[]>;
}

export interface AppInstallation {
  id: number;
  slug: string;
  appId: number;
  suspended: boolean;
  repositorySelection: 'all' | 'selected';
  /** Whether the installation covers this repository; undefined when the token could not list its repositories. */
  coversRepo: boolean | undefined;
  permissions: Record<string, string>;
  events: string[];
}

export type AppFacts =
  /** The doctor ran with an installation token: the App behind it is installed on the repository (or not, when it does not list it). */
  | { via: 'installation-token'; coversRepo: boolean }
  /** The doctor ran with a person's token and found the App's installation (or none) among those the person can see. */
  | { via: 'user-token'; slug: string; installation: AppInstallation | null }
  | Unreadable;

/** Settings → Actions → General → Workflow permissions (`GET /repos/{owner}/{repo}/actions/permissions/workflow`). */
export interface WorkflowTokenFacts {
  /** What a workflow's GITHUB_TOKEN may do when the workflow names no `permissions:`: `read` or `write`. */
  defaultPermissions: string;
  /** Whether a workflow's GITHUB_TOKEN may approve pull requests. */
  canApprovePullRequests: boolean;
}

export interface DoctorFacts {
  /** `owner/name`. */
  repository: string;
  defaultBranch: string;
  hasIssues: boolean;
  /** The config's path on the default branch. */
  configPath: string;
  /** The ledger branch the config names. */
  ledgerBranch: string;
  workflows: Fact<WorkflowFile[]>;
  /** The environments that jobs holding a key run in, by name. */
  environments: Record<string, Fact<EnvironmentFacts>>;
  /** null: no CODEOWNERS file in any of GitHub's three places. */
  codeowners: Fact<CodeownersFacts | null>;
  defaultBranchProtection: BranchProtection;
  ledgerBranchProtection: BranchProtection;
  /** The rulesets the rules above come from, by id. */
  rulesets: Record<number, Fact<Ruleset>>;
  /** Logins with push access to the repository, to name who could write an unprotected branch. */
  pushers: Fact<string[]>;
  app: AppFacts;
  /** The default permissions of every workflow's GITHUB_TOKEN. */
  workflowToken: Fact<WorkflowTokenFacts>;
}

export interface DoctorOptions {
  /** Secret names that hold the ledger App's private key. */
  ledgerKeySecrets?: readonly string[];
  /** The gate's check name, when it is not the gate job's name (the App's ACCESS_LEDGER_GATE_CHECK). */
  gateCheck?: string;
  /**
   * The gate App's id (its App ID, from `gate.app_id` in the config or `--gate-app-id`): the one
   * source the required status `access-ledger/gate` may accept.
   */
  gateAppId?: number;
}

/** GitHub Actions' App id: the source of every status a workflow's GITHUB_TOKEN sets, on any branch. */
export const GITHUB_ACTIONS_APP_ID = 15368;

/** The secrets `init` and the docs name for the ledger App's key (the sweep's scheduled workflow once used the second). */
export const DEFAULT_LEDGER_KEY_SECRETS = ['ACCESS_LEDGER_APP_PRIVATE_KEY', 'ACCESS_LEDGER_APP_KEY'] as const;

/** The permissions app.yml asks for: an installation that lacks one has not accepted them. */
export const LEDGER_APP_PERMISSIONS: Readonly<Record<string, 'read' | 'write'>> = {
  contents: 'write',
  pull_requests: 'write',
  issues: 'write',
  members: 'read',
  checks: 'read',
  statuses: 'read',
  actions: 'read',
  administration: 'read',
  metadata: 'read',
};

/** The events app.yml subscribes to. */
export const LEDGER_APP_EVENTS = ['pull_request', 'workflow_run', 'organization'] as const;
