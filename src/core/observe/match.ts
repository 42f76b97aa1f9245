/**
 * Identity mapping: which grant each observed account belongs to (docs/observed-access.md,
 * "How accounts map to grants"). An account maps to a grant when one of its names equals,
 * case-insensitively:
 *
 *   1. one of the grant's `accounts` on an access entry for the snapshot's system (strongest),
 *   2. the grant's GitHub login or e-mail,
 *   3. the grant's identity id.
 *
 * The strongest kind of match decides; two grants matching at that strength make the account
 * ambiguous, which the rules report rather than guess. Built once per drift, shared by every
 * observed rule. Pure.
 */
import type { Snapshot } from '../model/snapshot.ts';
import type { AccessEntry, IsoDate } from '../model/types.ts';
import type { ValidGrant } from '../rules/types.ts';
import type { ObservedAccount, ObservedSnapshot } from './types.ts';
import { nameKey } from './values.ts';

export type MatchVia = 'accounts' | 'github' | 'email' | 'identity';

export interface AccountMatch {
  snapshot: ObservedSnapshot;
  account: ObservedAccount;
  /** The grants the account maps to at the strongest kind of match: one, or several when ambiguous; empty when none. */
  grants: ValidGrant[];
  via: MatchVia | null;
  /** The account's name that matched. */
  name: string | null;
}

export interface LiveEntry {
  entry: AccessEntry;
  index: number;
}

export interface Membership {
  organization: string;
  /** The system id of the github-org snapshot. */
  system: string;
  taken_at: string;
  /** Lower-cased logins of members and of outside collaborators. */
  members: ReadonlySet<string>;
  outside: ReadonlySet<string>;
}

export interface ObservedFacts {
  snapshots: readonly ObservedSnapshot[];
  /** Every account of every snapshot with its match, snapshot by snapshot. */
  matches: readonly AccountMatch[];
  /** System id → grant paths some account of that system's snapshots maps to. */
  matchedPaths: ReadonlyMap<string, ReadonlySet<string>>;
  /** System id → the snapshots of that system in this run (usually one). */
  bySystem: ReadonlyMap<string, readonly ObservedSnapshot[]>;
  /** Organization membership, when a github-org snapshot is among the snapshots. */
  membership: Membership | null;
}

const STRENGTH: Record<MatchVia, number> = { accounts: 3, github: 2, email: 2, identity: 1 };

interface Candidate {
  grant: ValidGrant;
  via: MatchVia;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** The day of a snapshot: entries are judged as of the moment the system was listed. */
export function snapshotDay(snapshot: ObservedSnapshot): IsoDate {
  return snapshot.taken_at.slice(0, 10);
}

/** The grant's access entries for `system` that were in force when the snapshot was taken (valid through their expiry day). */
export function liveEntries(grant: ValidGrant, system: string, day: IsoDate): LiveEntry[] {
  const out: LiveEntry[] = [];
  grant.data.access.forEach((entry, index) => {
    if (entry.system !== system) return;
    if (typeof entry.expires === 'string' && entry.expires < day) return;
    out.push({ entry, index });
  });
  return out;
}

/** Every entry of the grant for `system`, in force or not. */
export function entriesFor(grant: ValidGrant, system: string): LiveEntry[] {
  const out: LiveEntry[] = [];
  grant.data.access.forEach((entry, index) => {
    if (entry.system === system) out.push({ entry, index });
  });
  return out;
}

export function buildObservedFacts(repo: Snapshot, snapshots: readonly ObservedSnapshot[]): ObservedFacts {
  const byId = new Map<string, ValidGrant[]>();
  const byLogin = new Map<string, ValidGrant[]>();
  const byEmail = new Map<string, ValidGrant[]>();
  /** `<system>\n<name>` → grants naming the account on an entry of that system. */
  const byAccount = new Map<string, ValidGrant[]>();
  for (const g of repo.grants) {
    if (!g.data) continue;
    const grant = g as ValidGrant;
    const identity = grant.data.identity;
    push(byId, nameKey(identity.id), grant);
    if (identity.github) push(byLogin, nameKey(identity.github.replace(/^@/, '')), grant);
    if (typeof identity.email === 'string' && identity.email.trim() !== '') push(byEmail, nameKey(identity.email), grant);
    for (const entry of grant.data.access) {
      for (const account of entry.accounts ?? []) {
        const list = byAccount.get(`${entry.system}\n${nameKey(account)}`);
        if (!list?.includes(grant)) push(byAccount, `${entry.system}\n${nameKey(account)}`, grant);
      }
    }
  }

  const matches: AccountMatch[] = [];
  const matchedPaths = new Map<string, Set<string>>();
  const bySystem = new Map<string, ObservedSnapshot[]>();
  for (const snapshot of snapshots) {
    push(bySystem, snapshot.system, snapshot);
    let paths = matchedPaths.get(snapshot.system);
    if (!paths) matchedPaths.set(snapshot.system, (paths = new Set()));
    for (const account of snapshot.accounts) {
      let best = 0;
      let found: Candidate[] = [];
      let name: string | null = null;
      const consider = (list: ValidGrant[] | undefined, via: MatchVia, n: string) => {
        if (!list) return;
        const s = STRENGTH[via];
        if (s < best) return;
        if (s > best) {
          best = s;
          found = [];
          name = n;
        }
        for (const grant of list) if (!found.some((c) => c.grant === grant)) found.push({ grant, via });
      };
      for (const n of account.names) {
        const key = nameKey(n);
        consider(byAccount.get(`${snapshot.system}\n${key}`), 'accounts', n);
        consider(byLogin.get(key), 'github', n);
        consider(byEmail.get(key), 'email', n);
        consider(byId.get(key), 'identity', n);
      }
      const grants = found.map((c) => c.grant);
      if (grants.length === 1) paths.add(grants[0]!.path);
      matches.push({ snapshot, account, grants, via: found[0]?.via ?? null, name: grants.length > 0 ? name : null });
    }
  }
  return { snapshots, matches, matchedPaths, bySystem, membership: membershipOf(snapshots) };
}

/** Who belongs to the organization, from the newest github-org snapshot of the run. */
function membershipOf(snapshots: readonly ObservedSnapshot[]): Membership | null {
  let newest: ObservedSnapshot | undefined;
  for (const s of snapshots) if (s.connector === 'github-org' && (!newest || s.taken_at > newest.taken_at)) newest = s;
  if (!newest) return null;
  const members = new Set<string>();
  const outside = new Set<string>();
  for (const a of newest.accounts) {
    if (a.kind !== 'person' && a.kind !== 'service') continue;
    if (a.roles.includes('outside-collaborator')) outside.add(nameKey(a.principal));
    else members.add(nameKey(a.principal));
  }
  return { organization: newest.scope ?? newest.system, system: newest.system, taken_at: newest.taken_at, members, outside };
}
