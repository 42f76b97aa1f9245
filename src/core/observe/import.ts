/**
 * Day-one bootstrap (`access-ledger import`): one grant file per account a snapshot lists that no
 * grant declares yet, with what the system said filled in (kind, roles, privilege, the account's
 * name, a credential's last rotation) and what only a person can say left empty: the owner, the
 * justification, the expiry. The rules report each empty field, so the gate passes none of these
 * files until someone completes them. Pure.
 */
import { Document } from 'yaml';
import { declaredRole } from '../model/roles.ts';
import type { Snapshot } from '../model/snapshot.ts';
import type { IdentityKind, System } from '../model/types.ts';
import { plainLine } from '../text/escape.ts';
import { buildObservedFacts } from './match.ts';
import type { AccountKind, ObservedAccount, ObservedSnapshot } from './types.ts';

export const GRANT_SCHEMA_URL = 'https://raw.githubusercontent.com/access-ledger/access-ledger/main/policies/schemas/grant.schema.json';

const KIND: Record<AccountKind, IdentityKind> = { person: 'human', service: 'service-account', key: 'api-key', app: 'integration' };

export interface ImportedGrant {
  /** Repo-relative path of the new file. */
  path: string;
  id: string;
  content: string;
  account: ObservedAccount;
}

export interface ImportPlan {
  written: ImportedGrant[];
  /** Accounts left alone because a grant already declares them (or claims them ambiguously). */
  skipped: { account: ObservedAccount; reason: string }[];
}

/** An identity id from a name: lower-case letters, digits, `.`, `_`, `-`, starting with a letter or digit, at most 100. */
export function idFrom(name: string): string {
  const slug = name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[^a-z0-9]+/, '')
    .slice(0, 100)
    .replace(/[^a-z0-9]+$/, '');
  return slug;
}

function baseName(account: ObservedAccount): string {
  // A token or an App is best known by its name, not its number.
  if ((account.kind === 'key' || account.kind === 'app') && account.names[1]) return account.names[1];
  if (account.principal === '<root_account>') return 'root';
  return account.principal;
}

/**
 * The grant files to write for the accounts of `snapshot` that no grant of `repo` declares, under
 * `folder` (e.g. `grants/aws-prod`). Ids never collide with an existing grant or each other.
 */
export function planImport(repo: Snapshot, snapshot: ObservedSnapshot, folder: string): ImportPlan {
  const facts = buildObservedFacts(repo, [snapshot]);
  const system = repo.systems.find((s) => s.data?.id === snapshot.system)?.data;
  const taken = new Set(
    repo.grants.map((g) => g.data?.identity.id ?? g.path.slice(g.path.lastIndexOf('/') + 1).replace(/\.ya?ml$/i, '')).map((id) => id.toLowerCase()),
  );
  const paths = new Set(repo.grants.map((g) => g.path.toLowerCase()));
  const plan: ImportPlan = { written: [], skipped: [] };
  facts.matches.forEach((m, n) => {
    if (m.grants.length > 0) {
      plan.skipped.push({ account: m.account, reason: m.grants.length === 1 ? `declared by ${m.grants[0]!.path}` : `claimed by ${m.grants.length} grants` });
      return;
    }
    let id = idFrom(baseName(m.account)) || `account-${n + 1}`;
    // A file at the path an earlier import wrote (perhaps not complete, so not yet a valid grant) is left alone.
    if (paths.has(`${folder}/${id}.yaml`.toLowerCase())) {
      plan.skipped.push({ account: m.account, reason: `${folder}/${id}.yaml exists already` });
      return;
    }
    if (taken.has(id)) {
      let k = 2;
      while (taken.has(`${id.slice(0, 95)}-${k}`) || paths.has(`${folder}/${id.slice(0, 95)}-${k}.yaml`.toLowerCase())) k++;
      id = `${id.slice(0, 95)}-${k}`;
    }
    taken.add(id);
    const path = `${folder}/${id}.yaml`;
    paths.add(path.toLowerCase());
    plan.written.push({ path, id, content: grantYaml(id, m.account, snapshot, system), account: m.account });
  });
  return plan;
}

function grantYaml(id: string, account: ObservedAccount, snapshot: ObservedSnapshot, system: System | undefined): string {
  const root = account.principal === '<root_account>';
  const kind: IdentityKind = root
    ? 'shared-account'
    : account.kind === 'person' && account.roles.includes('outside-collaborator')
      ? 'human'
      : KIND[account.kind];
  const github = snapshot.connector === 'github-org' && kind === 'human';
  const identity: Record<string, unknown> = {
    id,
    kind,
    description: plainLine(`Imported from ${snapshot.system}: ${account.principal}`, 300),
    owner: null,
  };
  if (kind === 'human') identity.github = github ? account.principal : null;
  const email = account.names.find((n) => /^[^@\s]+@[^@\s]+$/.test(n));
  if (email && email.length <= 320) identity.email = email;

  const grant: Record<string, unknown> = { identity };
  if (kind !== 'human') {
    const keys = account.credentials.filter((c) => c.active && c.type !== 'password' && c.rotated_at !== null);
    const oldest = keys.reduce<string | null>((min, c) => (min === null || c.rotated_at! < min ? c.rotated_at! : min), null);
    const credential: Record<string, unknown> = { type: kind === 'integration' ? 'key-pair' : kind === 'shared-account' ? 'password' : 'static-secret' };
    if (oldest) credential.last_rotated = oldest.slice(0, 10);
    // storage and revocation are left out: credential-required names them.
    grant.credential = credential;
  }
  const roles = account.roles.length > 0 ? account.roles : ['account'];
  const entries = roles.map((role) => {
    const entry: Record<string, unknown> = { system: snapshot.system, role };
    const privileged =
      declaredRole(system, role)?.privileged === true || (account.privileged === true && (account.roles.length <= 1 || /admin|owner|super|root/i.test(role)));
    if (privileged) entry.privileged = true;
    entry.justification = null;
    entry.expires = null;
    // The GitHub login maps a person's account already; anything else is named explicitly.
    if (!github) entry.accounts = [account.principal];
    return entry;
  });
  // The system says the account is privileged: at least one entry says so too.
  if (account.privileged === true && !entries.some((e) => e.privileged === true)) {
    const first = entries[0]!;
    entries[0] = {
      system: first.system,
      role: first.role,
      privileged: true,
      ...Object.fromEntries(Object.entries(first).filter(([k]) => k !== 'system' && k !== 'role')),
    };
  }
  grant.access = entries;
  if (kind === 'integration') grant.vendor = { name: plainLine(baseName(account), 200) || id };
  if (kind === 'shared-account') grant.shared = { holders: [], compensating_controls: [] };

  const doc = new Document(grant);
  const listed = plainLine(account.principal, 200);
  doc.commentBefore = [
    ` yaml-language-server: $schema=${GRANT_SCHEMA_URL}`,
    ` Imported by access-ledger import from ${snapshot.system} (${snapshot.connector}, listed ${snapshot.taken_at}): ${listed}.`,
    ' Complete it before it can merge: the owner, a justification and an expiry for each entry,',
    ` and what access-ledger validate names (the gate refuses the file until then).`,
  ].join('\n');
  return doc.toString({ nullStr: '', lineWidth: 0 });
}
