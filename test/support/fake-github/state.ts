/**
 * The fake's in-memory world: accounts, the App and its installations, repositories with a real git
 * object model, pull requests, reviews, issues and workflow runs. Every operation here is shared by
 * the REST handlers and by tests seeding or inspecting state, so both paths obey the same rules
 * (self-approval refused, non-fast-forward refused, merge creates a real merge commit, ...).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { GitStore, diffTrees, mergeTrees, signedPayload, type CommitObject, type FileDiff, type Person, type Sha, type TreeChange } from './git.ts';
import { HttpError, notFound, validationFailed } from './errors.ts';
import type { ClassicProtection, ClassicProtectionInit, Environment, RepoRole, Ruleset, RulesetInit } from './protection.ts';
import { classicProtection, environment, ruleset } from './protection.ts';

export type AccountType = 'User' | 'Bot' | 'Organization';

export interface User {
  login: string;
  id: number;
  nodeId: string;
  type: AccountType;
  name: string | null;
  email: string;
}

export interface OrgMember {
  role: 'admin' | 'member';
  /** A pending member has been invited but has not accepted: not yet a member. */
  state: 'active' | 'pending';
  /** Publicized membership: visible to callers outside the org. */
  public: boolean;
  /** Whether the member has two-factor authentication on (default true); `filter=2fa_disabled` lists those without. */
  twoFactor?: boolean;
}

export interface Team {
  id: number;
  nodeId: string;
  slug: string;
  name: string;
  description: string | null;
  members: Map<string, 'member' | 'maintainer'>;
  createdAt: string;
  /** Moves when the team's membership changes, as GitHub's `updated_at` does. */
  updatedAt: string;
}

/** A fine-grained personal access token approved for the organization (`GET /orgs/{org}/personal-access-tokens`). */
export interface TokenGrant {
  /** The grant's id (GitHub's `id`); `tokenId` is the token's own. */
  id: number;
  tokenId: number;
  owner: User;
  name: string;
  repositorySelection: 'none' | 'all' | 'subset';
  permissions: { organization?: Record<string, string>; repository?: Record<string, string>; other?: Record<string, string> };
  accessGrantedAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  expired: boolean;
}

export interface Org {
  account: User;
  members: Map<string, OrgMember>;
  teams: Map<string, Team>;
  createdAt: string;
  /** Other GitHub Apps installed on the organization (vendor integrations), beside this App's own installation. */
  vendorApps: Installation[];
  tokens: TokenGrant[];
  /** Outside collaborators without two-factor authentication, by lower-cased login (members keep it on OrgMember). */
  outsideWithoutTwoFactor: Set<string>;
}

export interface Installation {
  id: number;
  /** The App installed: the access-ledger App unless a test installs another (the gate App). */
  app: AppInfo;
  account: User;
  repositorySelection: 'all' | 'selected';
  /** Repository names (without owner) when the selection is `selected`. */
  repositories: Set<string>;
  createdAt: string;
  /** The permissions the installation has accepted (default: what app.yml asks for). */
  permissions: Record<string, string>;
  events: string[];
  suspendedAt: string | null;
}

export interface Label {
  id: number;
  nodeId: string;
  name: string;
  color: string;
  description: string | null;
  default: boolean;
}

export interface Comment {
  id: number;
  nodeId: string;
  issueNumber: number;
  body: string;
  user: User;
  createdAt: string;
  updatedAt: string;
}

export type ReviewState = 'APPROVED' | 'CHANGES_REQUESTED' | 'COMMENTED' | 'DISMISSED' | 'PENDING';

export interface Review {
  id: number;
  nodeId: string;
  user: User;
  body: string;
  state: ReviewState;
  commitId: Sha;
  submittedAt: string | null;
}

export interface Pull {
  headRef: string;
  baseRef: string;
  /** Follows the head branch while open; frozen when the PR closes. */
  headSha: Sha;
  /** The base tip when the PR was opened or last updated; at merge, the merge commit's first parent. */
  baseSha: Sha;
  draft: boolean;
  merged: boolean;
  mergedAt: string | null;
  mergedBy: User | null;
  mergeCommitSha: Sha | null;
  reviews: Review[];
}

export interface Issue {
  number: number;
  id: number;
  nodeId: string;
  title: string;
  body: string | null;
  user: User;
  state: 'open' | 'closed';
  stateReason: 'completed' | 'not_planned' | 'reopened' | null;
  labels: string[];
  assignees: string[];
  locked: boolean;
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
  closedBy: User | null;
  comments: Comment[];
  /** Present when this issue number is a pull request (they share one number sequence, as on GitHub). */
  pull?: Pull;
}

export interface WorkflowRun {
  id: number;
  nodeId: string;
  name: string;
  path: string;
  workflowId: number;
  headSha: Sha;
  headBranch: string | null;
  event: string;
  status: 'queued' | 'in_progress' | 'completed';
  conclusion: 'success' | 'failure' | 'cancelled' | 'skipped' | 'neutral' | 'timed_out' | 'action_required' | null;
  runNumber: number;
  runAttempt: number;
  actor: User;
  createdAt: string;
  updatedAt: string;
}

/** A check run on a commit, e.g. the gate's job as GitHub Actions reports it. */
export interface CheckRun {
  id: number;
  nodeId: string;
  name: string;
  headSha: Sha;
  status: 'queued' | 'in_progress' | 'completed';
  conclusion: 'success' | 'failure' | 'neutral' | 'cancelled' | 'skipped' | 'timed_out' | 'action_required' | null;
  startedAt: string;
  completedAt: string | null;
  /** The App that created it (GitHub Actions unless the test says otherwise). */
  app: AppInfo;
  summary: string | null;
}

/** A commit status (`POST /repos/{owner}/{repo}/statuses/{sha}`); every one is kept, newest last. */
export interface CommitStatus {
  id: number;
  nodeId: string;
  sha: Sha;
  state: 'error' | 'failure' | 'pending' | 'success';
  description: string | null;
  targetUrl: string | null;
  /** As given; GitHub compares contexts case-insensitively. */
  context: string;
  creator: User;
  /**
   * The App whose token set it: an installation token's App, GitHub Actions for a workflow's
   * GITHUB_TOKEN, null for a person's token. A required status check with a source (branch
   * protection's `app_id`, a ruleset's `integration_id`) counts only statuses from that App.
   */
  app: AppInfo | null;
  createdAt: string;
  updatedAt: string;
}

/**
 * An entry of a branch's merge queue: the pull request, and the commit the queue built for it (its
 * merge group) on the commit of the entry ahead of it, or the branch's tip.
 */
export interface MergeQueueEntry {
  id: number;
  nodeId: string;
  number: number;
  /** The branch the queue merges into. */
  branch: string;
  /** The merge group's commit, on `refs/heads/gh-readonly-queue/<branch>/pr-<n>-<base>`. */
  headCommit: Sha;
  headRef: string;
  /** The commit the group was built on. */
  baseCommit: Sha;
  enqueuedAt: string;
  enqueuer: User;
}

/** Settings → Actions → General → Workflow permissions (`GET /repos/{owner}/{repo}/actions/permissions/workflow`). */
export interface WorkflowPermissions {
  /** What a workflow's GITHUB_TOKEN may do when the workflow names no `permissions:`. */
  defaultWorkflowPermissions: 'read' | 'write';
  /** Whether a workflow's GITHUB_TOKEN may approve pull requests. */
  canApprovePullRequestReviews: boolean;
}

export interface Repo {
  id: number;
  nodeId: string;
  owner: User;
  name: string;
  fullName: string;
  description: string | null;
  private: boolean;
  hasIssues: boolean;
  defaultBranch: string;
  createdAt: string;
  pushedAt: string;
  git: GitStore;
  /** Full ref name (`refs/heads/main`) to commit SHA. */
  refs: Map<string, Sha>;
  issues: Map<number, Issue>;
  /** Keyed by lower-cased name: GitHub label names are case-insensitive. */
  labels: Map<string, Label>;
  nextNumber: number;
  runs: WorkflowRun[];
  workflows: Map<string, number>;
  checkRuns: CheckRun[];
  statuses: CommitStatus[];
  /** Direct collaborators by lower-cased login (organization admins have admin access besides). */
  collaborators: Map<string, RepoRole>;
  /** Classic branch protection by branch name. Described for the API; pushes are not refused by it. */
  protection: Map<string, ClassicProtection>;
  /** Repository rulesets. Described for the API; pushes are not refused by them. */
  rulesets: Ruleset[];
  /** Deployment environments by lower-cased name. */
  environments: Map<string, Environment>;
  /** GitHub's default for a new repository: read, and no approvals by workflows. */
  workflowPermissions: WorkflowPermissions;
  /** Merge queue entries, in queue order, of every branch. */
  mergeQueue: MergeQueueEntry[];
}

export interface AppInfo {
  id: number;
  slug: string;
  name: string;
  owner: User;
  bot: User;
  createdAt: string;
}

/** File contents for seeding: a string (UTF-8), bytes, or null to delete the path. */
export type Files = Record<string, string | Buffer | null>;

export interface StateOptions {
  /** The clock for every timestamp; defaults to the wall clock. */
  now?: () => Date;
  appId?: number;
  appSlug?: string;
  appName?: string;
}

/** GitHub's committer identity for the commits it makes and signs (the `web-flow` account). */
export const GITHUB_WEB_FLOW: Omit<Person, 'date'> = { name: 'GitHub', email: 'noreply@github.com' };

/**
 * Stands in for web-flow's GPG key: GitHub signs the commits it makes (merges, and API commits made
 * without a custom author or committer) and reports them verified. The fake's "signature" is an
 * HMAC over the commit payload in PGP armour, so a copied or edited signature does not verify.
 */
const WEB_FLOW_KEY = 'fake-github web-flow signing key';

function webFlowMac(payload: string): string {
  return createHmac('sha256', WEB_FLOW_KEY).update(payload, 'utf8').digest('base64');
}

/** The `gpgsig` GitHub would add to this commit. */
export function webFlowSignature(commit: Omit<CommitObject, 'type' | 'gpgsig'>): string {
  return `-----BEGIN PGP SIGNATURE-----\n\nwsBc${webFlowMac(signedPayload(commit))}\n-----END PGP SIGNATURE-----`;
}

/** GitHub's verdict on a commit's signature, as the REST API's `verification` reports it. */
export function commitVerification(commit: Omit<CommitObject, 'type'>): {
  verified: boolean;
  reason: string;
  signature: string | null;
  payload: string | null;
  verified_at: string | null;
} {
  if (!commit.gpgsig) return { verified: false, reason: 'unsigned', signature: null, payload: null, verified_at: null };
  const payload = signedPayload(commit);
  const m = /^-----BEGIN PGP SIGNATURE-----\n\nwsBc([A-Za-z0-9+/=]+)\n-----END PGP SIGNATURE-----$/.exec(commit.gpgsig);
  if (!m) return { verified: false, reason: 'unknown_signature_type', signature: commit.gpgsig, payload, verified_at: null };
  const want = Buffer.from(webFlowMac(payload));
  const got = Buffer.from(m[1]!);
  if (got.length !== want.length || !timingSafeEqual(got, want))
    return { verified: false, reason: 'invalid', signature: commit.gpgsig, payload, verified_at: null };
  // web-flow's key signs only for GitHub's own committer identity.
  if (commit.committer.email !== GITHUB_WEB_FLOW.email) return { verified: false, reason: 'bad_email', signature: commit.gpgsig, payload, verified_at: null };
  return { verified: true, reason: 'valid', signature: commit.gpgsig, payload, verified_at: commit.committer.date };
}

/** What app.yml asks for: an installation's permissions and events unless a test says otherwise. */
export const APP_MANIFEST_PERMISSIONS: Readonly<Record<string, string>> = {
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
export const APP_MANIFEST_EVENTS: readonly string[] = ['pull_request', 'workflow_run', 'organization'];

/** What gate-app.yml asks for: reads, and commit statuses (the gate's verdict on the head commit). */
export const GATE_APP_MANIFEST_PERMISSIONS: Readonly<Record<string, string>> = {
  contents: 'read',
  pull_requests: 'read',
  members: 'read',
  statuses: 'write',
  metadata: 'read',
};

export function iso(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function nodeId(kind: string, id: number): string {
  return Buffer.from(`0:${kind}${id}`).toString('base64').replace(/=+$/, '');
}

export class State {
  now: () => Date;
  private nextId = 1000;
  readonly users = new Map<string, User>();
  readonly orgs = new Map<string, Org>();
  readonly repos = new Map<string, Repo>();
  readonly installations = new Map<number, Installation>();
  /** The access-ledger App: the JWT's App, and the App of every installation a test does not say otherwise of. */
  readonly app: AppInfo;
  /** Every App by id: the access-ledger App, GitHub Actions, and those tests register (`createApp`). */
  readonly apps = new Map<number, AppInfo>();
  /** The GitHub Actions app, which owns the check runs of workflow jobs. */
  readonly actionsApp: AppInfo;
  /** GitHub truncates recursive tree listings beyond this many entries; lower it to exercise `truncated: true`. */
  treeEntryLimit = 100_000;

  constructor(opts: StateOptions = {}) {
    this.now = opts.now ?? (() => new Date());
    const slug = opts.appSlug ?? 'access-ledger';
    const owner = this.createUser('access-ledger-dev', { type: 'Organization' });
    const bot = this.createUser(`${slug}[bot]`, { type: 'Bot' });
    this.app = { id: opts.appId ?? 4242, slug, name: opts.appName ?? 'access-ledger', owner, bot, createdAt: this.timestamp() };
    const github = this.createUser('github', { type: 'Organization' });
    this.actionsApp = {
      id: 15368,
      slug: 'github-actions',
      name: 'GitHub Actions',
      owner: github,
      bot: this.createUser('github-actions[bot]', { type: 'Bot' }),
      createdAt: this.timestamp(),
    };
    this.apps.set(this.app.id, this.app);
    this.apps.set(this.actionsApp.id, this.actionsApp);
  }

  timestamp(): string {
    return iso(this.now());
  }

  id(): number {
    return this.nextId++;
  }

  // ---- accounts -------------------------------------------------------------------------------

  createUser(login: string, init: { type?: AccountType; name?: string; email?: string } = {}): User {
    const existing = this.users.get(login.toLowerCase());
    if (existing) return existing;
    const id = this.id();
    const user: User = {
      login,
      id,
      nodeId: nodeId(init.type ?? 'User', id),
      type: init.type ?? 'User',
      name: init.name ?? null,
      email: init.email ?? `${id}+${login}@users.noreply.github.com`,
    };
    this.users.set(login.toLowerCase(), user);
    return user;
  }

  /** The user with this login, created on first mention so seeding stays short. */
  user(login: string): User {
    return this.users.get(login.toLowerCase()) ?? this.createUser(login);
  }

  userByEmail(email: string): User | undefined {
    for (const u of this.users.values()) if (u.email.toLowerCase() === email.toLowerCase()) return u;
    return undefined;
  }

  person(login: string, date = this.timestamp()): Person {
    const u = this.user(login);
    return { name: u.name ?? u.login, email: u.email, date };
  }

  createOrg(login: string, init: { members?: string[]; admins?: string[]; install?: boolean } = {}): Org {
    const account = this.createUser(login, { type: 'Organization' });
    if (account.type !== 'Organization') throw new Error(`${login} already exists as a ${account.type}`);
    const org: Org = this.orgs.get(login.toLowerCase()) ?? {
      account,
      members: new Map(),
      teams: new Map(),
      createdAt: this.timestamp(),
      vendorApps: [],
      tokens: [],
      outsideWithoutTwoFactor: new Set(),
    };
    this.orgs.set(login.toLowerCase(), org);
    for (const m of init.members ?? []) this.addOrgMember(login, m);
    for (const m of init.admins ?? []) this.addOrgMember(login, m, { role: 'admin' });
    if (init.install !== false && !this.installationFor(login)) this.install(login);
    return org;
  }

  org(login: string): Org | undefined {
    return this.orgs.get(login.toLowerCase());
  }

  private requireOrg(login: string): Org {
    const org = this.org(login);
    if (!org) throw notFound();
    return org;
  }

  addOrgMember(org: string, login: string, opts: Partial<OrgMember> = {}): void {
    this.user(login);
    this.requireOrg(org).members.set(login.toLowerCase(), { role: opts.role ?? 'member', state: opts.state ?? 'active', public: opts.public ?? false });
  }

  /** Removes the member from the org and from all of its teams, as GitHub does. */
  removeOrgMember(org: string, login: string): void {
    const o = this.requireOrg(org);
    o.members.delete(login.toLowerCase());
    for (const t of o.teams.values()) if (t.members.delete(login.toLowerCase())) t.updatedAt = this.timestamp();
  }

  isOrgMember(org: string, login: string): boolean {
    return this.org(org)?.members.get(login.toLowerCase())?.state === 'active';
  }

  /** Turns a member's (or an outside collaborator's) two-factor authentication on or off. */
  setTwoFactor(org: string, login: string, enabled: boolean): void {
    const o = this.requireOrg(org);
    const m = o.members.get(login.toLowerCase());
    if (m) m.twoFactor = enabled;
    else if (enabled) o.outsideWithoutTwoFactor.delete(login.toLowerCase());
    else o.outsideWithoutTwoFactor.add(login.toLowerCase());
  }

  /** Users with a direct role on one of the organization's repositories who are not its members, by login. */
  outsideCollaborators(org: string): string[] {
    const o = this.requireOrg(org);
    const out = new Set<string>();
    for (const r of this.repos.values()) {
      if (r.owner.id !== o.account.id) continue;
      for (const login of r.collaborators.keys()) if (!this.isOrgMember(org, login)) out.add(login);
    }
    return [...out].sort();
  }

  /** Installs a vendor's GitHub App on the organization (it shows in `GET /orgs/{org}/installations`). */
  installVendorApp(
    org: string,
    init: { slug: string; name?: string; permissions: Record<string, string>; repositories?: string[]; suspended?: boolean; events?: string[] },
  ): Installation {
    const o = this.requireOrg(org);
    const id = this.id();
    const owner = this.createUser(`${init.slug}-vendor`, { type: 'Organization' });
    const app: AppInfo = {
      id,
      slug: init.slug,
      name: init.name ?? init.slug,
      owner,
      bot: this.createUser(`${init.slug}[bot]`, { type: 'Bot' }),
      createdAt: this.timestamp(),
    };
    const inst: Installation = {
      id: this.id(),
      account: o.account,
      repositorySelection: init.repositories ? 'selected' : 'all',
      repositories: new Set((init.repositories ?? []).map((r) => r.toLowerCase())),
      createdAt: this.timestamp(),
      permissions: { ...init.permissions },
      events: [...(init.events ?? [])],
      suspendedAt: init.suspended ? this.timestamp() : null,
      app,
    };
    o.vendorApps.push(inst);
    return inst;
  }

  /** Approves a fine-grained personal access token of `owner` for the organization. */
  grantToken(
    org: string,
    init: {
      owner: string;
      name: string;
      permissions?: TokenGrant['permissions'];
      expiresAt?: string | null;
      lastUsedAt?: string | null;
      expired?: boolean;
      grantedAt?: string;
      repositorySelection?: TokenGrant['repositorySelection'];
    },
  ): TokenGrant {
    const o = this.requireOrg(org);
    const grant: TokenGrant = {
      id: this.id(),
      tokenId: this.id(),
      owner: this.user(init.owner),
      name: init.name,
      repositorySelection: init.repositorySelection ?? 'all',
      permissions: init.permissions ?? { repository: { contents: 'read', metadata: 'read' } },
      accessGrantedAt: init.grantedAt ?? this.timestamp(),
      expiresAt: init.expiresAt === undefined ? null : init.expiresAt,
      lastUsedAt: init.lastUsedAt === undefined ? null : init.lastUsedAt,
      expired: init.expired ?? false,
    };
    o.tokens.push(grant);
    return grant;
  }

  createTeam(org: string, slug: string, init: { name?: string; description?: string; members?: string[]; maintainers?: string[] } = {}): Team {
    const o = this.requireOrg(org);
    const id = this.id();
    const now = this.timestamp();
    const team: Team = {
      id,
      nodeId: nodeId('Team', id),
      slug,
      name: init.name ?? slug,
      description: init.description ?? null,
      members: new Map(),
      createdAt: now,
      updatedAt: now,
    };
    o.teams.set(slug.toLowerCase(), team);
    for (const m of init.members ?? []) this.addTeamMember(org, slug, m);
    for (const m of init.maintainers ?? []) this.addTeamMember(org, slug, m, 'maintainer');
    return team;
  }

  team(org: string, slug: string): Team | undefined {
    return this.org(org)?.teams.get(slug.toLowerCase());
  }

  /** Adds to the team and, like GitHub, to the org if the user was not a member yet. */
  addTeamMember(org: string, slug: string, login: string, role: 'member' | 'maintainer' = 'member'): void {
    const team = this.team(org, slug);
    if (!team) throw notFound();
    if (!this.isOrgMember(org, login)) this.addOrgMember(org, login);
    team.members.set(login.toLowerCase(), role);
    team.updatedAt = this.timestamp();
  }

  removeTeamMember(org: string, slug: string, login: string): void {
    const team = this.team(org, slug);
    if (team?.members.delete(login.toLowerCase())) team.updatedAt = this.timestamp();
  }

  // ---- the App --------------------------------------------------------------------------------

  /**
   * Registers another GitHub App (e.g. an organization's gate App, from gate-app.yml), with its
   * bot account `<slug>[bot]`. Install it with `install(account, { app })`.
   */
  createApp(init: { slug: string; name?: string; id?: number; owner?: string }): AppInfo {
    const id = init.id ?? this.id();
    if (this.apps.has(id)) throw new Error(`an App with id ${id} already exists`);
    if ([...this.apps.values()].some((a) => a.slug === init.slug)) throw new Error(`an App with slug ${init.slug} already exists`);
    const owner = init.owner ? this.user(init.owner) : this.app.owner;
    const app: AppInfo = {
      id,
      slug: init.slug,
      name: init.name ?? init.slug,
      owner,
      bot: this.createUser(`${init.slug}[bot]`, { type: 'Bot' }),
      createdAt: this.timestamp(),
    };
    this.apps.set(id, app);
    return app;
  }

  appBySlug(slug: string): AppInfo | undefined {
    for (const a of this.apps.values()) if (a.slug === slug.toLowerCase()) return a;
    return undefined;
  }

  install(account: string, opts: { repositories?: string[]; permissions?: Record<string, string>; events?: string[]; app?: AppInfo } = {}): Installation {
    const acct = this.users.get(account.toLowerCase()) ?? this.createUser(account);
    const inst: Installation = {
      id: this.id(),
      app: opts.app ?? this.app,
      account: acct,
      repositorySelection: opts.repositories ? 'selected' : 'all',
      repositories: new Set((opts.repositories ?? []).map((r) => r.toLowerCase())),
      createdAt: this.timestamp(),
      permissions: { ...(opts.permissions ?? APP_MANIFEST_PERMISSIONS) },
      events: [...(opts.events ?? APP_MANIFEST_EVENTS)],
      suspendedAt: null,
    };
    this.installations.set(inst.id, inst);
    return inst;
  }

  uninstall(id: number): void {
    this.installations.delete(id);
  }

  /** The installation of `app` (the access-ledger App unless given) on an account. */
  installationFor(account: string, app: AppInfo = this.app): Installation | undefined {
    for (const i of this.installations.values()) if (i.app === app && i.account.login.toLowerCase() === account.toLowerCase()) return i;
    return undefined;
  }

  /** The installations of one App (the access-ledger App unless given), oldest first. */
  installationsOf(app: AppInfo = this.app): Installation[] {
    return [...this.installations.values()].filter((i) => i.app === app);
  }

  installationCovers(inst: Installation, repo: Repo): boolean {
    if (inst.account.id !== repo.owner.id) return false;
    return inst.repositorySelection === 'all' || inst.repositories.has(repo.name.toLowerCase());
  }

  /**
   * The repositories an installation covers, oldest first (GitHub does not document the order of
   * `GET /installation/repositories`; clients must read every page rather than rely on it).
   */
  installationRepos(inst: Installation): Repo[] {
    return [...this.repos.values()].filter((r) => this.installationCovers(inst, r)).sort((a, b) => a.id - b.id);
  }

  // ---- access, protection and environments ---------------------------------------------------

  /** Gives `login` a role on the repository, as a direct collaborator. */
  addCollaborator(fullName: string, login: string, role: RepoRole = 'write'): void {
    this.user(login);
    this.repo(fullName).collaborators.set(login.toLowerCase(), role);
  }

  /** A user's role on the repository: its owner, a direct collaborator, or an organization member (admins: admin; members: read). */
  roleOf(repo: Repo, login: string): RepoRole | null {
    const key = login.toLowerCase();
    if (repo.owner.login.toLowerCase() === key) return 'admin';
    const org = this.org(repo.owner.login);
    const member = org?.members.get(key);
    if (member?.state === 'active' && member.role === 'admin') return 'admin';
    const direct = repo.collaborators.get(key);
    if (direct) return direct;
    return member?.state === 'active' ? 'read' : null;
  }

  /** Protects a branch the classic way; the options are GitHub's settings of that name. */
  protectBranch(fullName: string, branch: string, init: ClassicProtectionInit = {}): ClassicProtection {
    const p = classicProtection(init);
    this.repo(fullName).protection.set(branch, p);
    return p;
  }

  /** Adds a repository ruleset; returns its id. */
  addRuleset(fullName: string, init: RulesetInit): Ruleset {
    const repo = this.repo(fullName);
    const r = ruleset(this.id(), this.timestamp(), init);
    repo.rulesets.push(r);
    return r;
  }

  /** Settings → Actions → General → Workflow permissions of the repository. */
  setWorkflowPermissions(fullName: string, init: Partial<WorkflowPermissions>): WorkflowPermissions {
    const repo = this.repo(fullName);
    repo.workflowPermissions = { ...repo.workflowPermissions, ...init };
    return repo.workflowPermissions;
  }

  /** Creates a deployment environment; `branches` limits which branches (and `tags` which tags) may use it. */
  createEnvironment(fullName: string, name: string, init: { branches?: string[] | 'protected' | null; tags?: string[] } = {}): Environment {
    const env = environment(this.id(), this.timestamp(), name, init, () => this.id());
    this.repo(fullName).environments.set(name.toLowerCase(), env);
    return env;
  }

  // ---- repositories and git -------------------------------------------------------------------

  createRepo(
    fullName: string,
    init: { files?: Files; defaultBranch?: string; private?: boolean; hasIssues?: boolean; description?: string; author?: string } = {},
  ): Repo {
    const [ownerLogin, name] = splitName(fullName);
    if (this.repos.has(fullName.toLowerCase()))
      throw validationFailed({ resource: 'Repository', field: 'name', code: 'custom', message: 'name already exists on this account' });
    const owner = this.users.get(ownerLogin.toLowerCase()) ?? this.createUser(ownerLogin);
    const id = this.id();
    const now = this.timestamp();
    const repo: Repo = {
      id,
      nodeId: nodeId('Repository', id),
      owner,
      name,
      fullName: `${owner.login}/${name}`,
      description: init.description ?? null,
      private: init.private ?? true,
      hasIssues: init.hasIssues ?? true,
      defaultBranch: init.defaultBranch ?? 'main',
      createdAt: now,
      pushedAt: now,
      git: new GitStore(),
      refs: new Map(),
      issues: new Map(),
      labels: new Map(),
      nextNumber: 1,
      runs: [],
      workflows: new Map(),
      checkRuns: [],
      statuses: [],
      collaborators: new Map(),
      protection: new Map(),
      rulesets: [],
      environments: new Map(),
      workflowPermissions: { defaultWorkflowPermissions: 'read', canApprovePullRequestReviews: false },
      mergeQueue: [],
    };
    this.repos.set(fullName.toLowerCase(), repo);
    const tree = repo.git.updateTree(undefined, this.fileChanges(repo, init.files ?? { 'README.md': `# ${name}\n` }));
    const author = this.person(init.author ?? owner.login);
    const sha = repo.git.writeCommit({ tree, parents: [], author, committer: author, message: 'Initial commit' });
    repo.refs.set(`refs/heads/${repo.defaultBranch}`, sha);
    return repo;
  }

  /** The repository, or a 404 `HttpError`. */
  repo(fullName: string): Repo {
    const r = this.repos.get(fullName.toLowerCase());
    if (!r) throw notFound();
    return r;
  }

  private fileChanges(repo: Repo, files: Files): TreeChange[] {
    return Object.entries(files).map(([path, content]) => ({
      path,
      mode: '100644',
      type: 'blob' as const,
      sha: content === null ? null : repo.git.writeBlob(content),
    }));
  }

  /** A commit SHA from a SHA, a full ref (`refs/heads/x`), `heads/x`, `tags/x`, or a bare branch or tag name. */
  resolve(repo: Repo, rev: string): Sha | undefined {
    if (/^[0-9a-f]{40}$/i.test(rev) && repo.git.has(rev.toLowerCase())) return rev.toLowerCase();
    for (const candidate of [rev, `refs/${rev}`, `refs/heads/${rev}`, `refs/tags/${rev}`]) {
      const sha = repo.refs.get(candidate);
      if (sha) return sha;
    }
    return undefined;
  }

  branchTip(repo: Repo, branch: string): Sha {
    const sha = repo.refs.get(`refs/heads/${branch}`);
    if (!sha) throw new HttpError(404, 'Branch not found');
    return sha;
  }

  /**
   * Moves a ref with GitHub's rules: the target must be a commit in this repo; without force the
   * move must be a fast-forward. Open pull requests follow their head branch; deleting a PR's head
   * branch closes the PR, as on GitHub.
   */
  setRef(repo: Repo, ref: string, sha: Sha | null, opts: { force?: boolean; create?: boolean } = {}): void {
    const current = repo.refs.get(ref);
    if (sha === null) {
      if (!current) throw new HttpError(422, 'Reference does not exist');
      repo.refs.delete(ref);
      for (const issue of repo.issues.values()) {
        const p = issue.pull;
        if (p && issue.state === 'open' && `refs/heads/${p.headRef}` === ref) this.closeIssue(issue, null);
      }
      return;
    }
    if (!repo.git.commit(sha)) throw new HttpError(422, 'Object does not exist');
    if (opts.create) {
      if (current) throw new HttpError(422, 'Reference already exists');
    } else {
      if (!current) throw new HttpError(422, 'Reference does not exist');
      if (!opts.force && current !== sha && !repo.git.isAncestor(current, sha)) {
        throw new HttpError(422, 'Update is not a fast forward', { documentationUrl: 'https://docs.github.com/rest/git/refs#update-a-reference' });
      }
    }
    repo.refs.set(ref, sha);
    if (ref.startsWith('refs/heads/')) repo.pushedAt = this.timestamp();
    const now = this.timestamp();
    for (const issue of repo.issues.values()) {
      const p = issue.pull;
      if (!p || issue.state !== 'open') continue;
      if (`refs/heads/${p.headRef}` === ref && p.headSha !== sha) {
        p.headSha = sha;
        p.baseSha = repo.refs.get(`refs/heads/${p.baseRef}`) ?? p.baseSha;
        issue.updatedAt = now;
        // A push to a queued pull request takes it out of the queue, as on GitHub.
        if (repo.mergeQueue.some((e) => e.number === issue.number)) this.dequeue(repo.fullName, issue.number);
      }
    }
  }

  createBranch(fullName: string, branch: string, from?: string): Sha {
    const repo = this.repo(fullName);
    const sha = this.resolve(repo, from ?? repo.defaultBranch);
    if (!sha) throw new HttpError(422, `Unknown ref ${from}`);
    this.setRef(repo, `refs/heads/${branch}`, sha, { create: true });
    return sha;
  }

  /**
   * Commits file changes on top of a branch (creating the branch from the default branch if
   * absent), as a `git push` by a person would: unsigned, with the author (a login, or any git
   * identity a pusher could write, e.g. one impersonating a bot) as committer too unless
   * `committer` says otherwise. `force` moves the branch even when the commit does not descend
   * from its tip (`parent` then names what to build on; null: a new root).
   */
  commitFiles(
    fullName: string,
    branch: string,
    files: Files,
    opts: { author?: string | Person; committer?: Person; message?: string; date?: string; parent?: Sha | null; force?: boolean } = {},
  ): Sha {
    const repo = this.repo(fullName);
    if (!repo.refs.has(`refs/heads/${branch}`) && opts.parent === undefined) this.createBranch(fullName, branch);
    const parent = opts.parent === undefined ? this.branchTip(repo, branch) : opts.parent;
    const base = parent ? repo.git.commit(parent) : undefined;
    const tree = repo.git.updateTree(base?.tree, this.fileChanges(repo, files));
    const author = typeof opts.author === 'object' ? opts.author : this.person(opts.author ?? repo.owner.login, opts.date);
    const sha = repo.git.writeCommit({
      tree,
      parents: parent ? [parent] : [],
      author,
      committer: opts.committer ?? author,
      message: opts.message ?? `Update ${Object.keys(files).join(', ')}`,
    });
    this.setRef(repo, `refs/heads/${branch}`, sha, { force: opts.force === true, create: !repo.refs.has(`refs/heads/${branch}`) });
    return sha;
  }

  /** A commit GitHub makes itself: committed by web-flow and signed, as merges and author-less API commits are. */
  writeGitHubCommit(repo: Repo, c: Omit<CommitObject, 'type' | 'gpgsig' | 'committer'> & { committer?: Person }): Sha {
    const unsigned = { ...c, committer: c.committer ?? { ...GITHUB_WEB_FLOW, date: c.author.date } };
    return repo.git.writeCommit({ ...unsigned, gpgsig: webFlowSignature(unsigned) });
  }

  treeOf(repo: Repo, rev: string): Sha | undefined {
    const sha = this.resolve(repo, rev);
    return sha ? repo.git.commit(sha)?.tree : undefined;
  }

  readFile(fullName: string, rev: string, path: string): string | undefined {
    const repo = this.repo(fullName);
    const tree = this.treeOf(repo, rev);
    const e = tree ? repo.git.entryAt(tree, path) : undefined;
    return e?.type === 'blob' ? repo.git.blob(e.sha)?.content.toString('utf8') : undefined;
  }

  /** Every file at a revision, as UTF-8 text; undefined when the revision does not exist. */
  readTree(fullName: string, rev: string): Record<string, string> | undefined {
    const repo = this.repo(fullName);
    const tree = this.treeOf(repo, rev);
    if (!tree) return undefined;
    const out: Record<string, string> = {};
    for (const [path, e] of repo.git.files(tree)) out[path] = repo.git.blob(e.sha)?.content.toString('utf8') ?? '';
    return out;
  }

  /** The evidence ledger branch's files (see DESIGN §6), or undefined before the first append. */
  ledger(fullName: string, branch = 'access-ledger'): Record<string, string> | undefined {
    return this.repo(fullName).refs.has(`refs/heads/${branch}`) ? this.readTree(fullName, `refs/heads/${branch}`) : undefined;
  }

  /** Commits reachable from a revision, newest first. */
  log(fullName: string, rev: string): Array<{ sha: Sha; message: string; parents: Sha[]; author: Person }> {
    const repo = this.repo(fullName);
    const tip = this.resolve(repo, rev);
    if (!tip) return [];
    return repo.git
      .commitsBetween(undefined, tip)
      .reverse()
      .map((sha) => {
        const c = repo.git.commit(sha) as NonNullable<ReturnType<GitStore['commit']>>;
        return { sha, message: c.message, parents: c.parents, author: c.author };
      });
  }

  // ---- pull requests --------------------------------------------------------------------------

  private newIssue(repo: Repo, user: User, title: string, body: string | null): Issue {
    const now = this.timestamp();
    const id = this.id();
    return {
      number: repo.nextNumber++,
      id,
      nodeId: nodeId('Issue', id),
      title,
      body,
      user,
      state: 'open',
      stateReason: null,
      labels: [],
      assignees: [],
      locked: false,
      createdAt: now,
      updatedAt: now,
      closedAt: null,
      closedBy: null,
      comments: [],
    };
  }

  createPull(repo: Repo, init: { head: string; base: string; title: string; body?: string | null; user: User; draft?: boolean }): Issue {
    const head = init.head.includes(':') ? (init.head.split(':')[1] as string) : init.head;
    const baseSha = repo.refs.get(`refs/heads/${init.base}`);
    const headSha = repo.refs.get(`refs/heads/${head}`);
    if (!baseSha) throw validationFailed({ resource: 'PullRequest', field: 'base', code: 'invalid' });
    if (!headSha) throw validationFailed({ resource: 'PullRequest', field: 'head', code: 'invalid' });
    for (const i of repo.issues.values()) {
      if (i.pull && i.state === 'open' && i.pull.headRef === head && i.pull.baseRef === init.base) {
        throw validationFailed({ resource: 'PullRequest', code: 'custom', message: `A pull request already exists for ${repo.owner.login}:${head}.` });
      }
    }
    if (repo.git.isAncestor(headSha, baseSha)) {
      throw validationFailed({ resource: 'PullRequest', code: 'custom', message: `No commits between ${init.base} and ${head}` });
    }
    const issue = this.newIssue(repo, init.user, init.title, init.body ?? null);
    issue.pull = {
      headRef: head,
      baseRef: init.base,
      headSha,
      baseSha,
      draft: init.draft ?? false,
      merged: false,
      mergedAt: null,
      mergedBy: null,
      mergeCommitSha: null,
      reviews: [],
    };
    repo.issues.set(issue.number, issue);
    return issue;
  }

  /**
   * Seeds a pull request: branches `head` off `base`, commits the changes (one commit from `files`,
   * or one per entry of `commits`), and opens the PR. Returns its number.
   */
  openPullRequest(
    fullName: string,
    init: {
      author: string;
      title: string;
      body?: string;
      head?: string;
      base?: string;
      files?: Files;
      commits?: Array<{ files: Files; author?: string; message?: string }>;
      draft?: boolean;
    },
  ): number {
    const repo = this.repo(fullName);
    const base = init.base ?? repo.defaultBranch;
    const head = init.head ?? `pr-${repo.nextNumber}`;
    if (!repo.refs.has(`refs/heads/${head}`)) this.createBranch(fullName, head, base);
    const commits = init.commits ?? (init.files ? [{ files: init.files }] : []);
    for (const c of commits) this.commitFiles(fullName, head, c.files, { author: c.author ?? init.author, message: c.message ?? init.title });
    return this.createPull(repo, { head, base, title: init.title, body: init.body ?? null, user: this.user(init.author) }).number;
  }

  /** Pushes a commit to an open PR's head branch (what a `synchronize` event reports). Returns the new head SHA. */
  pushToPullRequest(fullName: string, number: number, files: Files, opts: { author?: string; message?: string } = {}): Sha {
    const { pull, issue } = this.pullOf(fullName, number);
    return this.commitFiles(fullName, pull.headRef, files, { author: opts.author ?? issue.user.login, message: opts.message });
  }

  pullOf(fullName: string, number: number): { repo: Repo; issue: Issue; pull: Pull } {
    const repo = this.repo(fullName);
    const issue = repo.issues.get(number);
    if (!issue?.pull) throw notFound();
    return { repo, issue, pull: issue.pull };
  }

  /**
   * The base side of the PR's three-dot diff: the current base tip while open (GitHub recomputes
   * when either branch moves), the recorded base once closed (at a merge, the merge's first parent).
   */
  private diffBase(repo: Repo, issue: Issue, pull: Pull): Sha {
    return (issue.state === 'open' ? repo.refs.get(`refs/heads/${pull.baseRef}`) : undefined) ?? pull.baseSha;
  }

  /** The PR's files as GitHub lists them: the diff from the merge base to the head. */
  pullFiles(repo: Repo, issue: Issue): FileDiff[] {
    const pull = issue.pull as Pull;
    const base = repo.git.mergeBase(this.diffBase(repo, issue, pull), pull.headSha);
    return diffTrees(repo.git, base ? repo.git.commit(base)?.tree : undefined, repo.git.commit(pull.headSha)?.tree as Sha);
  }

  /** The PR's commits, oldest first. */
  pullCommits(repo: Repo, issue: Issue): Sha[] {
    const pull = issue.pull as Pull;
    return repo.git.commitsBetween(this.diffBase(repo, issue, pull), pull.headSha);
  }

  /** Whether the head merges cleanly into the current base tip (file-level three-way merge). */
  mergeable(repo: Repo, pull: Pull): boolean {
    const baseTip = repo.refs.get(`refs/heads/${pull.baseRef}`);
    if (!baseTip) return false;
    const mb = repo.git.mergeBase(baseTip, pull.headSha);
    const res = mergeTrees(
      repo.git,
      mb ? repo.git.commit(mb)?.tree : undefined,
      repo.git.commit(baseTip)?.tree as Sha,
      repo.git.commit(pull.headSha)?.tree as Sha,
    );
    return 'tree' in res;
  }

  submitReview(fullName: string, number: number, init: { user: string; state: Exclude<ReviewState, 'DISMISSED'>; body?: string; commitId?: Sha }): Review {
    const { repo, issue, pull } = this.pullOf(fullName, number);
    const user = this.user(init.user);
    if (user.id === issue.user.id && init.state === 'APPROVED')
      throw new HttpError(422, 'Unprocessable Entity', { errors: ['Can not approve your own pull request'] });
    if (user.id === issue.user.id && init.state === 'CHANGES_REQUESTED')
      throw new HttpError(422, 'Unprocessable Entity', { errors: ['Can not request changes on your own pull request'] });
    const commitId = init.commitId ?? pull.headSha;
    if (!repo.git.commit(commitId)) throw new HttpError(422, 'Unprocessable Entity', { errors: ['Commit id is not part of the pull request'] });
    const id = this.id();
    const review: Review = {
      id,
      nodeId: nodeId('PullRequestReview', id),
      user,
      body: init.body ?? '',
      state: init.state,
      commitId,
      submittedAt: init.state === 'PENDING' ? null : this.timestamp(),
    };
    pull.reviews.push(review);
    issue.updatedAt = this.timestamp();
    return review;
  }

  dismissReview(fullName: string, number: number, reviewId: number, message = 'Dismissed'): Review {
    const { pull } = this.pullOf(fullName, number);
    const review = pull.reviews.find((r) => r.id === reviewId);
    if (!review) throw notFound();
    if (review.state !== 'APPROVED' && review.state !== 'CHANGES_REQUESTED') {
      throw new HttpError(422, `Can not dismiss a ${review.state.toLowerCase().replace('_', ' ')} pull request review`);
    }
    review.state = 'DISMISSED';
    review.body = review.body || message;
    return review;
  }

  /**
   * Merges like GitHub: `merge` writes a two-parent merge commit (first parent the base tip, second
   * the PR head) committed by "GitHub"; `squash` one commit with the base tip as parent; `rebase`
   * replays each PR commit onto the base. Conflicts refuse with 405.
   */
  mergePull(
    fullName: string,
    number: number,
    opts: { by: string; method?: 'merge' | 'squash' | 'rebase'; sha?: Sha; commitTitle?: string; commitMessage?: string },
  ): { sha: Sha } {
    const { repo, issue, pull } = this.pullOf(fullName, number);
    if (issue.state !== 'open') throw new HttpError(405, 'Pull Request is not mergeable');
    if (opts.sha && opts.sha !== pull.headSha) throw new HttpError(409, 'Head branch was modified. Review and try the merge again.');
    const baseTip = this.branchTip(repo, pull.baseRef);
    const git = repo.git;
    const treeOf = (sha: Sha | undefined): Sha | undefined => (sha ? git.commit(sha)?.tree : undefined);
    const mb = git.mergeBase(baseTip, pull.headSha);
    const merged = mergeTrees(git, treeOf(mb), treeOf(baseTip) as Sha, treeOf(pull.headSha) as Sha);
    if (!('tree' in merged)) throw new HttpError(405, 'Pull Request is not mergeable');
    const now = this.timestamp();
    const by = this.user(opts.by);
    const committer = { ...GITHUB_WEB_FLOW, date: now };
    const method = opts.method ?? 'merge';
    let sha: Sha;
    if (method === 'merge') {
      const title = opts.commitTitle ?? `Merge pull request #${number} from ${repo.owner.login}/${pull.headRef}`;
      sha = this.writeGitHubCommit(repo, {
        tree: merged.tree,
        parents: [baseTip, pull.headSha],
        author: this.person(by.login, now),
        committer,
        message: `${title}\n\n${opts.commitMessage ?? issue.title}`,
      });
    } else if (method === 'squash') {
      const title = opts.commitTitle ?? `${issue.title} (#${number})`;
      const body =
        opts.commitMessage ??
        this.pullCommits(repo, issue)
          .map((c) => `* ${git.commit(c)?.message ?? ''}`)
          .join('\n\n');
      sha = this.writeGitHubCommit(repo, {
        tree: merged.tree,
        parents: [baseTip],
        author: this.person(issue.user.login, now),
        committer,
        message: `${title}\n\n${body}`,
      });
    } else {
      sha = baseTip;
      for (const c of this.pullCommits(repo, issue)) {
        const commit = git.commit(c) as NonNullable<ReturnType<GitStore['commit']>>;
        const step = mergeTrees(git, treeOf(commit.parents[0]), treeOf(sha) as Sha, commit.tree);
        if (!('tree' in step)) throw new HttpError(405, 'Pull Request is not mergeable');
        sha = this.writeGitHubCommit(repo, { tree: step.tree, parents: [sha], author: commit.author, committer, message: commit.message });
      }
    }
    this.setRef(repo, `refs/heads/${pull.baseRef}`, sha);
    pull.merged = true;
    pull.mergedAt = now;
    pull.mergedBy = by;
    pull.mergeCommitSha = sha;
    pull.baseSha = baseTip;
    this.closeIssue(issue, by);
    return { sha };
  }

  // ---- merge queues ---------------------------------------------------------------------------

  /**
   * Adds a pull request to its base branch's merge queue, as GitHub does when someone queues it:
   * builds its merge group, a merge commit (committed by GitHub) of the pull request's head onto
   * the commit of the entry ahead of it or the branch's tip, on a branch
   * `gh-readonly-queue/<branch>/pr-<n>-<that commit>`. What the queue would require first is the
   * test's to decide. Conflicts refuse with 405.
   */
  enqueue(fullName: string, number: number, opts: { by: string }): MergeQueueEntry {
    const { repo, issue, pull } = this.pullOf(fullName, number);
    if (issue.state !== 'open') throw new HttpError(405, 'Pull Request is not open');
    if (repo.mergeQueue.some((e) => e.number === number)) throw new HttpError(405, 'Pull Request is already queued');
    const ahead = repo.mergeQueue.filter((e) => e.branch === pull.baseRef).at(-1);
    return this.buildGroup(repo, issue, pull, ahead ? ahead.headCommit : this.branchTip(repo, pull.baseRef), this.user(opts.by));
  }

  private buildGroup(repo: Repo, issue: Issue, pull: Pull, base: Sha, enqueuer: User, enqueuedAt = this.timestamp()): MergeQueueEntry {
    const git = repo.git;
    const treeOf = (sha: Sha | undefined): Sha | undefined => (sha ? git.commit(sha)?.tree : undefined);
    const mb = git.mergeBase(base, pull.headSha);
    const merged = mergeTrees(git, treeOf(mb), treeOf(base) as Sha, treeOf(pull.headSha) as Sha);
    if (!('tree' in merged)) throw new HttpError(405, 'Pull Request is not mergeable');
    const committer = { ...GITHUB_WEB_FLOW, date: this.timestamp() };
    const headCommit = this.writeGitHubCommit(repo, {
      tree: merged.tree,
      parents: [base, pull.headSha],
      author: committer,
      committer,
      message: `Merge pull request #${issue.number} from ${repo.owner.login}/${pull.headRef}\n\n${issue.title}`,
    });
    const headRef = `gh-readonly-queue/${pull.baseRef}/pr-${issue.number}-${base}`;
    this.setRef(repo, `refs/heads/${headRef}`, headCommit, { create: true });
    const id = this.id();
    const entry: MergeQueueEntry = {
      id,
      nodeId: nodeId('MergeQueueEntry', id),
      number: issue.number,
      branch: pull.baseRef,
      headCommit,
      headRef,
      baseCommit: base,
      enqueuedAt,
      enqueuer,
    };
    repo.mergeQueue.push(entry);
    return entry;
  }

  /**
   * Takes a pull request out of the queue (a failed check, a push, someone removing it): its group
   * branch goes, and the groups of the entries behind it are built again on what is left ahead.
   */
  dequeue(fullName: string, number: number): void {
    const repo = this.repo(fullName);
    const at = repo.mergeQueue.findIndex((e) => e.number === number);
    if (at < 0) throw new HttpError(404, 'Pull Request is not queued');
    const branch = repo.mergeQueue[at]!.branch;
    const behind = repo.mergeQueue.filter((e, i) => i > at && e.branch === branch);
    for (const e of [repo.mergeQueue[at]!, ...behind]) repo.refs.delete(`refs/heads/${e.headRef}`);
    repo.mergeQueue = repo.mergeQueue.filter((e) => e.number !== number && !behind.includes(e));
    for (const e of behind) {
      const { issue, pull } = this.pullOf(fullName, e.number);
      const ahead = repo.mergeQueue.filter((x) => x.branch === branch).at(-1);
      this.buildGroup(repo, issue, pull, ahead ? ahead.headCommit : this.branchTip(repo, branch), e.enqueuer, e.enqueuedAt);
    }
  }

  /** The merge queue of a branch, in queue order. */
  mergeQueueOf(fullName: string, branch: string): MergeQueueEntry[] {
    return this.repo(fullName).mergeQueue.filter((e) => e.branch === branch);
  }

  closeIssue(issue: Issue, by: User | null, reason: Issue['stateReason'] = 'completed'): void {
    const now = this.timestamp();
    issue.state = 'closed';
    issue.stateReason = issue.pull ? null : reason;
    issue.closedAt = now;
    issue.closedBy = by;
    issue.updatedAt = now;
  }

  closePullRequest(fullName: string, number: number, by?: string): void {
    const { issue } = this.pullOf(fullName, number);
    this.closeIssue(issue, by ? this.user(by) : null);
  }

  // ---- issues, comments, labels ---------------------------------------------------------------

  /** Assignable users: the owner account itself, or the owning org's active members. */
  isAssignable(repo: Repo, login: string): boolean {
    if (repo.owner.login.toLowerCase() === login.toLowerCase()) return repo.owner.type === 'User';
    return this.isOrgMember(repo.owner.login, login);
  }

  /** GitHub creates unknown labels on the fly when an issue is labelled by someone with push access. */
  ensureLabel(repo: Repo, name: string): Label {
    const existing = repo.labels.get(name.toLowerCase());
    if (existing) return existing;
    return this.createLabel(repo.fullName, name);
  }

  createLabel(fullName: string, name: string, init: { color?: string; description?: string } = {}): Label {
    const repo = this.repo(fullName);
    if (repo.labels.has(name.toLowerCase())) throw validationFailed({ resource: 'Label', code: 'already_exists', field: 'name' });
    const id = this.id();
    const label: Label = {
      id,
      nodeId: nodeId('Label', id),
      name,
      color: (init.color ?? 'ededed').replace(/^#/, ''),
      description: init.description ?? null,
      default: false,
    };
    repo.labels.set(name.toLowerCase(), label);
    return label;
  }

  createIssue(fullName: string, init: { author: string; title: string; body?: string | null; labels?: string[]; assignees?: string[] }): Issue {
    const repo = this.repo(fullName);
    if (!repo.hasIssues) throw new HttpError(410, 'Issues are disabled for this repo');
    if (!init.title) throw validationFailed({ resource: 'Issue', field: 'title', code: 'missing_field' });
    for (const a of init.assignees ?? []) {
      if (!this.isAssignable(repo, a)) throw validationFailed({ value: a, resource: 'Issue', field: 'assignees', code: 'invalid' });
    }
    const issue = this.newIssue(repo, this.user(init.author), init.title, init.body ?? null);
    issue.labels = (init.labels ?? []).map((l) => this.ensureLabel(repo, l).name);
    issue.assignees = (init.assignees ?? []).map((a) => this.user(a).login);
    repo.issues.set(issue.number, issue);
    return issue;
  }

  issue(fullName: string, number: number): Issue {
    const issue = this.repo(fullName).issues.get(number);
    if (!issue) throw notFound();
    return issue;
  }

  /** Issues (not pull requests, unless asked) with their comments, oldest first. */
  listIssues(fullName: string, filter: { state?: 'open' | 'closed' | 'all'; labels?: string[]; pullRequests?: boolean } = {}): Issue[] {
    const state = filter.state ?? 'all';
    return [...this.repo(fullName).issues.values()].filter(
      (i) =>
        (filter.pullRequests || !i.pull) &&
        (state === 'all' || i.state === state) &&
        (filter.labels ?? []).every((l) => i.labels.some((x) => x.toLowerCase() === l.toLowerCase())),
    );
  }

  addComment(fullName: string, number: number, init: { user: string; body: string }): Comment {
    const issue = this.issue(fullName, number);
    const now = this.timestamp();
    const id = this.id();
    const comment: Comment = {
      id,
      nodeId: nodeId('IssueComment', id),
      issueNumber: number,
      body: init.body,
      user: this.user(init.user),
      createdAt: now,
      updatedAt: now,
    };
    issue.comments.push(comment);
    issue.updatedAt = now;
    return comment;
  }

  deleteComment(repo: Repo, id: number): boolean {
    for (const issue of repo.issues.values()) {
      const i = issue.comments.findIndex((x) => x.id === id);
      if (i >= 0) {
        issue.comments.splice(i, 1);
        return true;
      }
    }
    return false;
  }

  findComment(repo: Repo, id: number): Comment | undefined {
    for (const issue of repo.issues.values()) {
      const c = issue.comments.find((x) => x.id === id);
      if (c) return c;
    }
    return undefined;
  }

  // ---- actions --------------------------------------------------------------------------------

  addWorkflowRun(
    fullName: string,
    init: {
      headSha: Sha;
      name?: string;
      path?: string;
      event?: string;
      status?: WorkflowRun['status'];
      conclusion?: WorkflowRun['conclusion'];
      headBranch?: string | null;
      actor?: string;
    },
  ): WorkflowRun {
    const repo = this.repo(fullName);
    const path = init.path ?? '.github/workflows/provision.yml';
    let workflowId = repo.workflows.get(path);
    if (workflowId === undefined) {
      workflowId = this.id();
      repo.workflows.set(path, workflowId);
    }
    const now = this.timestamp();
    const id = this.id();
    const status = init.status ?? 'completed';
    const run: WorkflowRun = {
      id,
      nodeId: nodeId('WorkflowRun', id),
      name: init.name ?? 'provision',
      path,
      workflowId,
      headSha: init.headSha,
      headBranch: init.headBranch === undefined ? repo.defaultBranch : init.headBranch,
      event: init.event ?? 'push',
      status,
      conclusion: init.conclusion === undefined ? (status === 'completed' ? 'success' : null) : init.conclusion,
      runNumber: repo.runs.filter((r) => r.workflowId === workflowId).length + 1,
      runAttempt: 1,
      actor: this.user(init.actor ?? repo.owner.login),
      createdAt: now,
      updatedAt: now,
    };
    repo.runs.push(run);
    return run;
  }

  /** Records a check run on a commit; `app: 'self'` attributes it to this App instead of GitHub Actions. */
  addCheckRun(
    fullName: string,
    init: { headSha: Sha; name: string; status?: CheckRun['status']; conclusion?: CheckRun['conclusion']; summary?: string; app?: 'actions' | 'self' },
  ): CheckRun {
    const repo = this.repo(fullName);
    const id = this.id();
    const now = this.timestamp();
    const status = init.status ?? 'completed';
    const run: CheckRun = {
      id,
      nodeId: nodeId('CheckRun', id),
      name: init.name,
      headSha: init.headSha,
      status,
      conclusion: init.conclusion === undefined ? (status === 'completed' ? 'success' : null) : init.conclusion,
      startedAt: now,
      completedAt: status === 'completed' ? now : null,
      app: init.app === 'self' ? this.app : this.actionsApp,
      summary: init.summary ?? null,
    };
    repo.checkRuns.push(run);
    return run;
  }

  /**
   * Sets a commit status with GitHub's rules: the commit must exist, the state is one of four,
   * the description at most 140 characters, the context defaults to `default`, and a commit and
   * context keep at most 1000 statuses.
   */
  createStatus(
    fullName: string,
    init: {
      sha: string;
      state: string;
      context?: string | null;
      description?: string | null;
      targetUrl?: string | null;
      creator: string;
      app?: AppInfo | null;
    },
  ): CommitStatus {
    const repo = this.repo(fullName);
    const sha = /^[0-9a-f]{40}$/i.test(init.sha) && repo.git.commit(init.sha.toLowerCase()) ? init.sha.toLowerCase() : undefined;
    if (!sha) throw new HttpError(422, `No commit found for SHA: ${init.sha}`);
    if (!STATUS_STATES.has(init.state))
      throw validationFailed({ resource: 'Status', field: 'state', code: 'custom', message: 'state is not included in the list' });
    if (init.description && [...init.description].length > 140) {
      throw validationFailed({ resource: 'Status', field: 'description', code: 'custom', message: 'description is too long (maximum is 140 characters)' });
    }
    const context = init.context || 'default';
    const same = repo.statuses.filter((x) => x.sha === sha && x.context.toLowerCase() === context.toLowerCase());
    if (same.length >= MAX_STATUSES_PER_CONTEXT)
      throw validationFailed({ resource: 'Status', code: 'custom', message: 'This SHA and context has reached the maximum number of statuses.' });
    const id = this.id();
    const now = this.timestamp();
    const status: CommitStatus = {
      id,
      nodeId: nodeId('StatusContext', id),
      sha,
      state: init.state as CommitStatus['state'],
      description: init.description ?? null,
      targetUrl: init.targetUrl ?? null,
      context,
      creator: this.user(init.creator),
      app: init.app ?? null,
      createdAt: now,
      updatedAt: now,
    };
    repo.statuses.push(status);
    return status;
  }

  /** A commit's statuses, newest first (`GET .../commits/{ref}/statuses`). */
  statusesOf(repo: Repo, sha: Sha): CommitStatus[] {
    return repo.statuses.filter((x) => x.sha === sha).reverse();
  }

  /**
   * The combined status (`GET .../commits/{ref}/status`): the latest status of each context, and
   * `failure` if one is error or failure, else `pending` if there is none or one is pending, else
   * `success`.
   */
  combinedStatus(repo: Repo, sha: Sha): { state: 'failure' | 'pending' | 'success'; latest: CommitStatus[] } {
    const seen = new Set<string>();
    const latest = this.statusesOf(repo, sha).filter((x) => {
      const key = x.context.toLowerCase();
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
    const state = latest.some((x) => x.state === 'error' || x.state === 'failure')
      ? 'failure'
      : latest.length === 0 || latest.some((x) => x.state === 'pending')
        ? 'pending'
        : 'success';
    return { state, latest };
  }
}

const STATUS_STATES: ReadonlySet<string> = new Set(['error', 'failure', 'pending', 'success']);
/** GitHub keeps at most this many statuses per commit and context. */
export const MAX_STATUSES_PER_CONTEXT = 1000;

export function splitName(fullName: string): [string, string] {
  const [owner, name, extra] = fullName.split('/');
  if (!owner || !name || extra !== undefined) throw new Error(`expected "owner/name", got ${JSON.stringify(fullName)}`);
  return [owner, name];
}
