/**
 * The GitHub organization as its REST API lists it, read by the adapter
 * (src/adapters/github/observe-org.ts) into one JSON document, the raw export; this module turns
 * that document into accounts. Pure, so a stored export (the ledger's snapshots/<sha256>.json)
 * gives the same accounts years later.
 *
 * Accounts and their roles:
 * - members: `admin` or `member` (the organization role; admin is privileged), and `team:<slug>`
 *   for each team they belong to;
 * - outside collaborators: `outside-collaborator` and `repo:<name>:<permission>` per repository
 *   (admin on a repository is privileged);
 * - installed GitHub Apps (vendor integrations): `app`, with the installation's permissions;
 * - fine-grained personal access tokens approved for the organization: `token`, with their
 *   permissions, expiry and last use.
 */
import type { AccountKind, ConnectorResult, ObservedAccount, Reports } from './types.ts';
import { ObserveError } from './types.ts';
import { daysSince, parseTime } from './values.ts';

export const GITHUB_EXPORT_FORMAT = 'access-ledger/github-org-export@1' as const;

export interface GithubUser {
  login: string;
  id?: number;
  type?: string;
  site_admin?: boolean;
  name?: string | null;
  email?: string | null;
}

export interface GithubRepoCollaborator extends GithubUser {
  role_name?: string;
  permissions?: Record<string, boolean>;
}

export interface GithubInstallation {
  id: number;
  app_id?: number;
  app_slug: string;
  target_type?: string;
  repository_selection?: string;
  permissions: Record<string, string>;
  events?: string[];
  created_at?: string;
  updated_at?: string;
  suspended_at?: string | null;
}

export interface GithubTokenGrant {
  id: number;
  owner: GithubUser;
  token_id: number;
  token_name: string;
  token_expired: boolean;
  token_expires_at: string | null;
  token_last_used_at: string | null;
  access_granted_at: string;
  repository_selection: string;
  permissions: { organization?: Record<string, string>; repository?: Record<string, string>; other?: Record<string, string> };
}

/** The raw export: what the API answered, trimmed of URLs, one listing per key. */
export interface GithubOrgExport {
  format: typeof GITHUB_EXPORT_FORMAT;
  organization: string;
  api: string;
  /** GET /orgs/{org}/members (every active member). */
  members: GithubUser[];
  /** Logins from GET /orgs/{org}/members?role=admin. */
  admins: string[];
  /** Logins from GET /orgs/{org}/members?filter=2fa_disabled, or null when the token may not ask. */
  members_without_2fa: string[] | null;
  /** GET /orgs/{org}/outside_collaborators. */
  outside_collaborators: GithubUser[];
  outside_collaborators_without_2fa: string[] | null;
  /** Per repository, its outside collaborators and their permission (read only when there are any). */
  repositories: { name: string; outside_collaborators: GithubRepoCollaborator[] }[];
  /** GET /orgs/{org}/teams and each team's members. */
  teams: { slug: string; name: string; members: string[] }[];
  /** GET /orgs/{org}/installations. */
  installations: GithubInstallation[];
  /** GET /orgs/{org}/personal-access-tokens, or null when skipped on purpose (a gap names it). */
  personal_access_tokens: GithubTokenGrant[] | null;
  /** What could not be listed, in words. */
  gaps: string[];
}

/** Permissions that change who can do what in the organization: write on these (or admin on anything) is privileged. */
export const SENSITIVE_PERMISSIONS = new Set([
  'administration',
  'organization_administration',
  'members',
  'secrets',
  'organization_secrets',
  'workflows',
  'environments',
  'organization_personal_access_tokens',
  'organization_personal_access_token_requests',
  'organization_custom_roles',
  'organization_custom_org_roles',
  'organization_self_hosted_runners',
  'organization_user_blocking',
  'organization_hooks',
  'repository_hooks',
]);

export function privilegedPermissions(permissions: Record<string, string>): boolean {
  return Object.entries(permissions).some(
    ([key, level]) => level === 'admin' || (level === 'write' && SENSITIVE_PERMISSIONS.has(key.slice(key.lastIndexOf('.') + 1))),
  );
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function checkExport(doc: unknown, label: string): GithubOrgExport {
  if (!isObject(doc) || doc.format !== GITHUB_EXPORT_FORMAT) {
    throw new ObserveError(
      `${label} is not a GitHub organization export (format ${GITHUB_EXPORT_FORMAT}): write one with access-ledger observe --system <id> --raw-out FILE`,
    );
  }
  for (const key of ['members', 'admins', 'outside_collaborators', 'repositories', 'teams', 'installations', 'gaps'] as const) {
    if (!Array.isArray(doc[key])) throw new ObserveError(`${label}: ${key} is not a list`);
  }
  if (typeof doc.organization !== 'string') throw new ObserveError(`${label}: organization is missing`);
  return doc as unknown as GithubOrgExport;
}

const lower = (s: string) => s.toLowerCase();

export function parseGithubOrgExport(doc: unknown, label: string, takenAt: string): ConnectorResult {
  const ex = checkExport(doc, label);
  const admins = new Set(ex.admins.map(lower));
  const noMfa = ex.members_without_2fa ? new Set(ex.members_without_2fa.map(lower)) : null;
  const outsideNoMfa = ex.outside_collaborators_without_2fa ? new Set(ex.outside_collaborators_without_2fa.map(lower)) : null;
  const teamsOf = new Map<string, string[]>();
  for (const t of ex.teams) for (const m of t.members) teamsOf.set(lower(m), [...(teamsOf.get(lower(m)) ?? []), `team:${t.slug}`]);
  const reposOf = new Map<string, { roles: string[]; admin: boolean; rows: { ref: string; row: Record<string, unknown> }[] }>();
  ex.repositories.forEach((r, ri) => {
    r.outside_collaborators.forEach((c, ci) => {
      const entry = reposOf.get(lower(c.login)) ?? { roles: [], admin: false, rows: [] };
      const permission =
        c.role_name ??
        (c.permissions?.admin ? 'admin' : c.permissions?.maintain ? 'maintain' : c.permissions?.push ? 'write' : c.permissions?.triage ? 'triage' : 'read');
      entry.roles.push(`repo:${r.name}:${permission}`);
      entry.admin ||= permission === 'admin';
      entry.rows.push({ ref: `/repositories/${ri}/outside_collaborators/${ci}`, row: { repository: r.name, ...c } });
      reposOf.set(lower(c.login), entry);
    });
  });

  const accounts: ObservedAccount[] = [];
  const person = (u: GithubUser): AccountKind => (u.type === 'Bot' ? 'service' : 'person');
  const names = (u: GithubUser) => (u.email?.trim() ? [u.login, u.email.trim()] : [u.login]);
  ex.members.forEach((m, i) => {
    const admin = admins.has(lower(m.login));
    accounts.push({
      principal: m.login,
      names: names(m),
      kind: person(m),
      roles: [admin ? 'admin' : 'member', ...(teamsOf.get(lower(m.login)) ?? [])],
      permissions: null,
      privileged: admin,
      created: null,
      last_used: null,
      credentials: [],
      credential_age_days: null,
      mfa: noMfa ? !noMfa.has(lower(m.login)) : null,
      expires_at: null,
      owner: null,
      source: [{ ref: `/members/${i}`, row: m as unknown as Record<string, unknown> }],
    });
  });
  ex.outside_collaborators.forEach((c, i) => {
    const repos = reposOf.get(lower(c.login));
    accounts.push({
      principal: c.login,
      names: names(c),
      kind: person(c),
      roles: ['outside-collaborator', ...(repos?.roles ?? [])],
      permissions: null,
      privileged: repos?.admin ?? false,
      created: null,
      last_used: null,
      credentials: [],
      credential_age_days: null,
      mfa: outsideNoMfa ? !outsideNoMfa.has(lower(c.login)) : null,
      expires_at: null,
      owner: null,
      source: [{ ref: `/outside_collaborators/${i}`, row: c as unknown as Record<string, unknown> }, ...(repos?.rows ?? [])],
    });
  });
  let rows = ex.members.length + ex.outside_collaborators.length + ex.installations.length;
  ex.installations.forEach((inst, i) => {
    // A suspended installation can do nothing until it is unsuspended: counted, not an account.
    if (inst.suspended_at) return;
    accounts.push({
      principal: `app:${inst.app_slug}`,
      names: [`app:${inst.app_slug}`, inst.app_slug, `installation:${inst.id}`],
      kind: 'app',
      roles: ['app'],
      permissions: { ...inst.permissions },
      privileged: privilegedPermissions(inst.permissions),
      created: parseTime(inst.created_at ?? null, `${label} /installations/${i}/created_at`),
      last_used: null,
      credentials: [],
      credential_age_days: null,
      mfa: null,
      expires_at: null,
      owner: null,
      source: [{ ref: `/installations/${i}`, row: inst as unknown as Record<string, unknown> }],
    });
  });
  for (const [i, t] of (ex.personal_access_tokens ?? []).entries()) {
    rows++;
    // An expired token opens nothing; the listing keeps it until the grant is revoked.
    if (t.token_expired) continue;
    const permissions: Record<string, string> = {};
    for (const [scope, perms] of Object.entries(t.permissions ?? {})) for (const [k, v] of Object.entries(perms ?? {})) permissions[`${scope}.${k}`] = v;
    const at = (f: string) => `${label} /personal_access_tokens/${i}/${f}`;
    const granted = parseTime(t.access_granted_at, at('access_granted_at'));
    const lastUsed = parseTime(t.token_last_used_at, at('token_last_used_at'));
    const expires = parseTime(t.token_expires_at, at('token_expires_at'));
    accounts.push({
      principal: `pat:${t.token_id}`,
      names: [`pat:${t.token_id}`, t.token_name],
      kind: 'key',
      roles: ['token'],
      permissions,
      privileged: privilegedPermissions(permissions),
      created: granted,
      last_used: lastUsed,
      credentials: [{ name: 'token', type: 'token', active: true, rotated_at: granted, last_used: lastUsed, expires_at: expires }],
      credential_age_days: granted === null ? null : Math.max(0, daysSince(granted, takenAt)),
      mfa: null,
      expires_at: expires,
      owner: t.owner?.login ?? null,
      source: [{ ref: `/personal_access_tokens/${i}`, row: t as unknown as Record<string, unknown> }],
    });
  }
  const reports: Reports = { roles: true, privileged: true, created: false, last_used: false, credentials: false, mfa: noMfa !== null };
  return {
    scope: ex.organization,
    row_count: rows,
    reports,
    // GitHub lists use, creation and expiry for tokens only, and creation for installations.
    reports_by_kind: { key: { created: true, last_used: true, credentials: true, mfa: false }, app: { created: true, mfa: false } },
    gaps: [...ex.gaps],
    accounts,
  };
}
