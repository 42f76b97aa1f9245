/**
 * What a pull request changes, in the terms the approval policy speaks: per identity and system,
 * does it add or widen access (needs approvals), only narrow or remove it (never blocked for want
 * of approval), or leave it as it was; and which governed files (config, systems/, exceptions)
 * it touches (need the admins). Pure: the facts in, a description out.
 */
import { CONFIG_PATHS, fileStem, roleOf, type LoadedFile } from '../model/snapshot.ts';
import type { AccessEntry, Grant, RepoConfig, System } from '../model/types.ts';
import { loginKey, type ChangedFile, type PullFacts } from './facts.ts';

export type AccessChangeKind = 'adds' | 'widens' | 'narrows' | 'removes' | 'unchanged';

export interface Position {
  file: string;
  line: number;
  column: number;
}

/** One access entry of a changed grant, compared before and after. */
export interface AccessChange extends Position {
  identity: string;
  system: string;
  role: string;
  /** Privileged after the change (before it, for a removal). */
  privileged: boolean;
  kind: AccessChangeKind;
  /** Why it adds or widens ("new entry", "expiry later: 2027-01-31 → 2027-06-30"), or what it narrows. */
  reasons: string[];
  expires?: string;
}

export type GovernedKind = 'config' | 'system' | 'exception';

/** A change only the admins may approve. */
export interface GovernedChange extends Position {
  kind: GovernedKind;
  identity?: string;
  system?: string;
  description: string;
}

export interface ChangedGrant {
  path: string;
  identity: string;
  before?: LoadedFile<Grant>;
  after?: LoadedFile<Grant>;
  /** Whether any entry adds or widens access, or the grantee changes. */
  widens: boolean;
  /** Owner or grantee differ from the base (or the grant is new). */
  accountableChanged: boolean;
}

export interface PullChanges {
  /** Whether the PR touches the config, systems/ or grants/ at all. */
  relevant: boolean;
  configPath: string;
  access: AccessChange[];
  governed: GovernedChange[];
  grants: ChangedGrant[];
  /** Lower-case logins of everyone a changed grant gives or gave access to (grantees, shared holders). */
  grantees: Set<string>;
  /** Nothing adds or widens access and nothing governed changes: revocation is never blocked. */
  removalOnly: boolean;
}

const cache = new WeakMap<PullFacts, PullChanges>();

export function isConfigPath(path: string, configPath: string | undefined): boolean {
  return configPath ? path === configPath : CONFIG_PATHS.includes(path);
}

/** The role a path plays in the access repo, honouring a configured config path. */
export function pullRoleOf(path: string, configPath: string | undefined): ReturnType<typeof roleOf> {
  if (isConfigPath(path, configPath)) return 'config';
  const role = roleOf(path);
  return role === 'config' ? 'other' : role;
}

function pos(file: LoadedFile<unknown>, path: readonly (string | number)[], key = false): Position {
  const p = file.source.locate(path, key);
  return { file: file.path, line: p.line, column: p.column };
}

function top(path: string): Position {
  return { file: path, line: 1, column: 1 };
}

function describeEntry(e: AccessEntry): string {
  return `${e.role}${e.privileged ? ' (privileged)' : ''}`;
}

/** Compares one entry before and after under the same system and role. */
function compareEntry(before: AccessEntry, after: AccessEntry): { widens: { reason: string; at?: string }[]; narrows: string[] } {
  const widens: { reason: string; at?: string }[] = [];
  const narrows: string[] = [];
  if (!before.privileged && after.privileged) widens.push({ reason: 'becomes privileged', at: 'privileged' });
  if (before.privileged && !after.privileged) narrows.push('no longer privileged');
  if (before.expires !== undefined && after.expires === undefined) widens.push({ reason: `expiry ${before.expires} removed` });
  else if (before.expires === undefined && after.expires !== undefined) narrows.push(`now expires ${after.expires}`);
  else if (before.expires !== undefined && after.expires !== undefined && after.expires > before.expires) {
    widens.push({ reason: `expiry later: ${before.expires} → ${after.expires}`, at: 'expires' });
  } else if (before.expires !== undefined && after.expires !== undefined && after.expires < before.expires) {
    narrows.push(`expiry earlier: ${before.expires} → ${after.expires}`);
  }
  if (before.jit && !after.jit) widens.push({ reason: 'just-in-time limit removed (standing access)' });
  else if (!before.jit && after.jit) narrows.push('now just-in-time');
  else if (before.jit && after.jit && after.jit.max_duration_hours > before.jit.max_duration_hours) {
    widens.push({ reason: `just-in-time window longer: ${before.jit.max_duration_hours}h → ${after.jit.max_duration_hours}h`, at: 'jit' });
  } else if (before.jit && after.jit && after.jit.max_duration_hours < before.jit.max_duration_hours) {
    narrows.push(`just-in-time window shorter: ${before.jit.max_duration_hours}h → ${after.jit.max_duration_hours}h`);
  }
  return { widens, narrows };
}

function granteesOf(g: Grant | undefined): string[] {
  if (!g) return [];
  const out: string[] = [];
  if (g.identity.github) out.push(loginKey(g.identity.github));
  // The holders of a shared account use its credential: they are grantees as much as a human is.
  for (const h of g.shared?.holders ?? []) out.push(loginKey(h));
  return out;
}

function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as object).sort(([a], [b]) => a.localeCompare(b))) : v,
  );
}

function compareGrant(path: string, before: LoadedFile<Grant> | undefined, after: LoadedFile<Grant> | undefined, out: PullChanges): void {
  const b = before?.data;
  const a = after?.data;
  const identity = a?.identity.id ?? b?.identity.id ?? fileStem(path);
  for (const g of granteesOf(b)) out.grantees.add(g);
  for (const g of granteesOf(a)) out.grantees.add(g);
  const changed: ChangedGrant = { path, identity, widens: false, accountableChanged: false };
  if (before) changed.before = before;
  if (after) changed.after = after;
  out.grants.push(changed);

  if (!after) {
    // Deleted: every entry it had is removed.
    b?.access.forEach((e, i) => {
      out.access.push({ ...pos(before!, ['access', i]), identity, system: e.system, role: e.role, privileged: !!e.privileged, kind: 'removes', reasons: ['grant file deleted'] });
    });
    return;
  }
  if (!a) return; // Invalid after the change: its schema findings block it; nothing to compare.

  changed.accountableChanged =
    !b || loginKey(b.identity.owner ?? '') !== loginKey(a.identity.owner ?? '') || loginKey(b.identity.github ?? '') !== loginKey(a.identity.github ?? '');

  // A new grantee is new access, whatever the entries say (and an unreadable before-state too).
  const newGrantee = b && b.identity.github && a.identity.github && loginKey(b.identity.github) !== loginKey(a.identity.github);
  const fresh = !b || newGrantee;
  const used = new Set<number>();
  a.access.forEach((e, i) => {
    const entryAt = pos(after, ['access', i]);
    const base = { identity, system: e.system, role: e.role, privileged: !!e.privileged, ...(e.expires ? { expires: e.expires } : {}) };
    if (fresh) {
      const reason = !b ? (before ? 'new entry (the file could not be read before this change)' : 'new entry') : `new grantee @${a.identity.github} (was @${b.identity.github})`;
      out.access.push({ ...entryAt, ...base, kind: 'adds', reasons: [reason] });
      return;
    }
    let match = b.access.findIndex((x, j) => !used.has(j) && x.system === e.system && x.role === e.role);
    if (match >= 0) {
      used.add(match);
      const { widens, narrows } = compareEntry(b.access[match]!, e);
      if (widens.length > 0) {
        const at = widens[0]!.at;
        out.access.push({ ...(at ? pos(after, ['access', i, at]) : entryAt), ...base, kind: 'widens', reasons: widens.map((w) => w.reason) });
      } else {
        out.access.push({ ...entryAt, ...base, kind: narrows.length > 0 ? 'narrows' : 'unchanged', reasons: narrows });
      }
      return;
    }
    // Same system, another role: prefer a before-entry whose role is gone from the after-state.
    const roles = new Set(a.access.filter((x) => x.system === e.system).map((x) => x.role));
    match = b.access.findIndex((x, j) => !used.has(j) && x.system === e.system && !roles.has(x.role));
    if (match >= 0) {
      used.add(match);
      out.access.push({ ...pos(after, ['access', i, 'role']), ...base, kind: 'widens', reasons: [`role ${b.access[match]!.role} → ${e.role}`] });
      return;
    }
    out.access.push({ ...entryAt, ...base, kind: 'adds', reasons: ['new entry'] });
  });
  if (!fresh) {
    b.access.forEach((e, j) => {
      if (used.has(j)) return;
      out.access.push({ ...pos(after, ['access']), identity, system: e.system, role: e.role, privileged: !!e.privileged, kind: 'removes', reasons: [`entry ${describeEntry(e)} removed`] });
    });
  }

  // An exception is a governed deviation: adding or changing one needs the admins.
  if (a.exception && canonical(a.exception) !== canonical(b?.exception)) {
    out.governed.push({ ...pos(after, ['exception'], true), kind: 'exception', identity, description: b?.exception ? `changes the exception of \`${identity}\`` : `adds an exception to \`${identity}\`` });
  }
}

function compareSystem(path: string, before: LoadedFile<System> | undefined, after: LoadedFile<System> | undefined, out: PullChanges): void {
  const id = after?.data?.id ?? before?.data?.id ?? fileStem(path);
  let at: Position = after ? top(after.path) : top(path);
  let description: string;
  if (!before) description = `adds system \`${id}\``;
  else if (!after) description = `removes system \`${id}\``;
  else {
    const b = before.data;
    const a = after.data;
    if (b && a && canonical(b.approvers ?? []) !== canonical(a.approvers ?? [])) {
      at = pos(after, ['approvers'], true);
      description = `changes who may approve access to \`${id}\``;
    } else {
      description = `changes system \`${id}\``;
    }
  }
  out.governed.push({ ...at, kind: 'system', system: id, description });
}

function compareConfig(path: string, before: LoadedFile<RepoConfig> | undefined, after: LoadedFile<RepoConfig> | undefined, out: PullChanges): void {
  const description = !before ? 'adds the repo config' : !after ? 'removes the repo config' : 'changes the repo config';
  out.governed.push({ ...top(after?.path ?? path), kind: 'config', description });
}

/** The changes of a pull request. Memoized per facts object: the judge and every rule share one. */
export function pullChanges(facts: PullFacts): PullChanges {
  const hit = cache.get(facts);
  if (hit) return hit;
  const configPath = facts.configPath ?? facts.base.config?.path ?? CONFIG_PATHS[0]!;
  const out: PullChanges = { relevant: false, configPath, access: [], governed: [], grants: [], grantees: new Set(), removalOnly: true };
  const baseGrants = new Map(facts.base.grants.map((g) => [g.path, g]));
  const headGrants = new Map(facts.head.grants.map((g) => [g.path, g]));
  const baseSystems = new Map(facts.base.systems.map((s) => [s.path, s]));
  const headSystems = new Map(facts.head.systems.map((s) => [s.path, s]));

  const seen = new Set<string>();
  for (const f of sortedFiles(facts.files)) {
    const beforePath = f.status === 'renamed' ? (f.previousPath ?? f.path) : f.path;
    const afterRole = f.status === 'removed' ? undefined : pullRoleOf(f.path, facts.configPath);
    const beforeRole = f.status === 'added' ? undefined : pullRoleOf(beforePath, facts.configPath);
    // A rename out of grants/ removes a grant; a rename into grants/ adds one.
    const role = afterRole && afterRole !== 'other' ? afterRole : beforeRole;
    if (!role || role === 'other') continue;
    if (seen.has(f.path)) continue;
    seen.add(f.path);
    out.relevant = true;
    const before = beforeRole === role && f.status !== 'added' ? beforePath : undefined;
    const after = afterRole === role && f.status !== 'removed' ? f.path : undefined;
    if (role === 'grant') {
      compareGrant(after ?? beforePath, before ? baseGrants.get(before) : undefined, after ? headGrants.get(after) : undefined, out);
    } else if (role === 'system') {
      compareSystem(after ?? beforePath, before ? baseSystems.get(before) : undefined, after ? headSystems.get(after) : undefined, out);
    } else {
      const baseConfig = facts.base.config?.path === before ? facts.base.config : undefined;
      const headConfig = facts.head.config?.path === after ? facts.head.config : undefined;
      compareConfig(after ?? beforePath, before ? baseConfig : undefined, after ? headConfig : undefined, out);
    }
  }
  for (const g of out.grants) g.widens = out.access.some((c) => c.identity === g.identity && (c.kind === 'adds' || c.kind === 'widens') && c.file === g.path);
  out.removalOnly = out.governed.length === 0 && !out.access.some((c) => c.kind === 'adds' || c.kind === 'widens');
  cache.set(facts, out);
  return out;
}

function sortedFiles(files: readonly ChangedFile[]): ChangedFile[] {
  return [...files].sort((x, y) => x.path.localeCompare(y.path));
}
