/**
 * What a grant file confers: the single source of truth for "does this change widen access"
 * (docs/gate.md, "What a change does"). Pure: a schema-checked grant and the base branch's
 * systems in, plain data out.
 *
 * A grant confers **capabilities**: for each access entry and each principal linked to the
 * identity, `(principal, system, role, privileged, standing | jit, valid until)`. The principals
 * are the identity itself (its account or credential), the grantee's GitHub login and e-mail, every
 * holder of a shared account, and for a non-human identity its owner and any GitHub login linked
 * to it: all of them can use what the file grants.
 *
 * Everything else in the file is an **authority fact** (owner, kind, credential, vendor, shared
 * controls, exception, review) or **documentation** (descriptions, justifications, ticket links,
 * the vendor's contact). The split is by an explicit list of what is capability or documentation;
 * a field in neither list is an authority fact, so a field added to the format later is governed
 * until someone decides otherwise (default deny).
 */
import canonicalize from 'canonicalize';
import { effectivePrivileged } from '../model/roles.ts';
import type { AccessEntry, Grant, IdentityKind, IsoDate, System } from '../model/types.ts';

/** How a principal is linked to the identity whose file grants the access. */
export type PrincipalLink = 'identity' | 'grantee' | 'email' | 'holder' | 'owner' | 'github' | 'account';

export interface Principal {
  /** `identity:<id>`, `login:<login>`, `email:<address>` or `account:<system>:<name>`, lower case. */
  key: string;
  link: PrincipalLink;
  /** The GitHub login, for `login:` principals (as written, without `@`). */
  login?: string;
  /** The text as written in the file, for messages. */
  shown: string;
}

export interface JitMode {
  maxHours: number;
  /** Lower-case, sorted, without `@` for users (teams keep `@org/team`). */
  approvers: string[];
}

/** One thing someone can do because of the file. */
export interface Capability {
  principal: Principal;
  system: string;
  role: string;
  /** Privileged as the entry says or as the system declares the role (the stronger of the two). */
  privileged: boolean;
  /** null: standing access. */
  jit: JitMode | null;
  /** The last day of access; null: no expiry. */
  until: IsoDate | null;
  /** Index of the access entry in the file. */
  entry: number;
}

/** The authority facts, by section, each as canonical JSON (absent section: `null`). */
export type AuthoritySection = 'owner' | 'kind' | 'credential' | 'vendor' | 'shared-controls' | 'other';

export interface Conferral {
  identity: string;
  kind: IdentityKind;
  principals: Principal[];
  capabilities: Capability[];
  authority: Record<AuthoritySection, string>;
  /** The raw authority values, for describing a change. */
  owner: string | null;
  credential: Grant['credential'] | null;
  vendor: Grant['vendor'] | null;
  compensatingControls: string[];
  review: Grant['review'] | null;
  exception: Grant['exception'] | null;
  /** Per entry, fields the semantics do not know (schema-checked files have none): any change widens. */
  entryResidue: string[];
  /** The person's team, trimmed, lower case (null: none recorded). A change is a move. */
  team: string | null;
}

const ENTRY_KNOWN = new Set(['system', 'role', 'privileged', 'expires', 'jit', 'justification', 'request', 'accounts']);

export function lowerLogin(login: string): string {
  return login.replace(/^@/, '').toLowerCase();
}

/** RFC 8785 canonical JSON of a value (undefined as null): equal values, equal text. */
export function canon(value: unknown): string {
  return canonicalize(value === undefined ? null : value) ?? 'null';
}

function jitOf(entry: AccessEntry): JitMode | null {
  if (!entry.jit) return null;
  const approvers = [...new Set((entry.jit.approvers ?? []).map((a) => (a.includes('/') ? a.toLowerCase() : lowerLogin(a))))].sort();
  return { maxHours: entry.jit.max_duration_hours, approvers };
}

/** Everyone who can use what the file grants. */
export function principalsOf(grant: Grant): Principal[] {
  const out = new Map<string, Principal>();
  const add = (p: Principal) => {
    if (!out.has(p.key)) out.set(p.key, p);
  };
  add({ key: `identity:${grant.identity.id.toLowerCase()}`, link: 'identity', shown: grant.identity.id });
  const human = grant.identity.kind === 'human';
  if (grant.identity.github) {
    const login = grant.identity.github.replace(/^@/, '');
    add({ key: `login:${lowerLogin(login)}`, link: human ? 'grantee' : 'github', login, shown: `@${login}` });
  }
  if (typeof grant.identity.email === 'string' && grant.identity.email.trim() !== '') {
    add({ key: `email:${grant.identity.email.trim().toLowerCase()}`, link: 'email', shown: grant.identity.email.trim() });
  }
  if (!human && grant.identity.owner) {
    const login = grant.identity.owner.replace(/^@/, '');
    add({ key: `login:${lowerLogin(login)}`, link: 'owner', login, shown: `@${login}` });
  }
  for (const h of grant.shared?.holders ?? []) {
    const login = h.replace(/^@/, '');
    add({ key: `login:${lowerLogin(login)}`, link: 'holder', login, shown: `@${login}` });
  }
  return [...out.values()];
}

/** The logins of everyone the file gives access to (they cannot approve it). */
export function loginsOf(grant: Grant | undefined): string[] {
  if (!grant) return [];
  return principalsOf(grant)
    .filter((p) => p.login !== undefined)
    .map((p) => lowerLogin(p.login!));
}

/**
 * What the grant confers. `systemOf` looks up a system on the BASE branch (declared roles decide
 * `privileged` there, never in the pull request).
 */
export function conferral(grant: Grant, systemOf: (id: string) => System | undefined): Conferral {
  const principals = principalsOf(grant);
  const capabilities: Capability[] = [];
  const entryResidue: string[] = [];
  grant.access.forEach((entry, i) => {
    const system = systemOf(entry.system);
    const privileged = effectivePrivileged(entry, system);
    const jit = jitOf(entry);
    const until = typeof entry.expires === 'string' ? entry.expires : null;
    // The system's own accounts this entry names (an IAM user ARN, a database role) can use it too.
    const accounts: Principal[] = [...new Set((entry.accounts ?? []).map((a) => a.trim()).filter((a) => a !== ''))].map((a) => ({
      key: `account:${entry.system.toLowerCase()}:${a.toLowerCase()}`,
      link: 'account' as const,
      shown: a,
    }));
    for (const principal of [...principals, ...accounts])
      capabilities.push({ principal, system: entry.system, role: entry.role, privileged, jit, until, entry: i });
    const residue = Object.fromEntries(Object.entries(entry).filter(([k]) => !ENTRY_KNOWN.has(k)));
    entryResidue.push(canon(residue));
  });

  const { identity, credential, vendor, shared, review, exception, access: _access, ...rest } = grant;
  const { id: _id, kind, owner, github: _github, email: _email, description: _description, team: _team, ...identityRest } = identity;
  const { contact: _contact, ...vendorRest } = vendor ?? ({} as NonNullable<Grant['vendor']>);
  const { holders: _holders, compensating_controls: controls, ...sharedRest } = shared ?? ({} as NonNullable<Grant['shared']>);
  const authority: Record<AuthoritySection, string> = {
    owner: canon(owner ? lowerLogin(owner) : null),
    kind: canon(kind),
    credential: canon(credential ?? null),
    vendor: canon(vendor ? vendorRest : null),
    'shared-controls': canon([...new Set(controls ?? [])].sort()),
    // Whatever the lists above do not name: unknown to the semantics, so governed.
    other: canon({ grant: rest, identity: identityRest, shared: shared ? sharedRest : null }),
  };
  return {
    identity: identity.id,
    kind,
    principals,
    capabilities,
    authority,
    owner: owner ? owner.replace(/^@/, '') : null,
    credential: credential ?? null,
    vendor: vendor ?? null,
    compensatingControls: controls ?? [],
    review: review ?? null,
    exception: exception ?? null,
    entryResidue,
    team: typeof identity.team === 'string' && identity.team.trim() !== '' ? identity.team.trim().toLowerCase() : null,
  };
}

/**
 * Whether `wide` allows everything `narrow` does: same principal, system and role; no more
 * privileged; valid no longer; standing only if `wide` is standing, else a JIT window no longer
 * and approved by exactly the same people.
 */
export function dominates(wide: Capability, narrow: Capability): boolean {
  if (wide.principal.key !== narrow.principal.key || wide.system !== narrow.system || wide.role !== narrow.role) return false;
  if (narrow.privileged && !wide.privileged) return false;
  if (wide.until !== null && (narrow.until === null || narrow.until > wide.until)) return false;
  if (narrow.jit === null) return wide.jit === null;
  if (wide.jit === null) return true;
  return narrow.jit.maxHours <= wide.jit.maxHours && canon(narrow.jit.approvers) === canon(wide.jit.approvers);
}
