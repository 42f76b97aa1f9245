/**
 * What a review is shown of the system's own listing: for each grant, the accounts the system
 * lists for it (last use, MFA where reported), and the accounts no grant declares, with why, to be
 * resolved in the review. Accounts map to grants as drift maps them (src/core/observe/match.ts).
 * Pure.
 */
import type { Snapshot } from '../model/snapshot.ts';
import { buildObservedFacts, entriesFor, liveEntries, snapshotDay } from '../observe/match.ts';
import type { RecordedSnapshot } from '../observe/record.ts';
import { reported, type AccountKind } from '../observe/types.ts';

export interface ListedAccount {
  principal: string;
  kind: AccountKind;
  roles: string[];
  privileged: boolean | null;
  /** The last use; null when never used, or when the system does not report use (`lastUsedReported`). */
  last_used: string | null;
  lastUsedReported: boolean;
  mfa: boolean | null;
}

export interface UndeclaredAccount extends ListedAccount {
  /** Why no grant declares it: no grant names it, several do, or the grant it maps to has no access in force. */
  why: string;
}

export interface CampaignListing {
  system: string;
  key: string;
  seq: number;
  taken_at: string;
  raw_sha256: string;
  raw_path: string;
  gaps: string[];
  /** Grant path → the accounts the listing shows for that grant on the system. */
  byGrant: ReadonlyMap<string, ListedAccount[]>;
  undeclared: UndeclaredAccount[];
}

/** The reference a `review-campaign` record keeps of the listing the review was shown. */
export interface CampaignSnapshotRef {
  key: string;
  raw_sha256: string;
  taken_at: string;
}

export function campaignListing(repo: Snapshot, listed: Pick<RecordedSnapshot, 'record' | 'subject' | 'snapshot'>): CampaignListing {
  const s = listed.snapshot;
  const facts = buildObservedFacts(repo, [s]);
  const byGrant = new Map<string, ListedAccount[]>();
  const undeclared: UndeclaredAccount[] = [];
  const day = snapshotDay(s);
  for (const m of facts.matches) {
    const a = m.account;
    const view: ListedAccount = {
      principal: a.principal,
      kind: a.kind,
      roles: [...a.roles],
      privileged: a.privileged,
      last_used: a.last_used,
      lastUsedReported: reported(s, a, 'last_used'),
      mfa: reported(s, a, 'mfa') ? a.mfa : null,
    };
    if (m.grants.length === 0) {
      undeclared.push({ ...view, why: 'no grant declares it' });
      continue;
    }
    if (m.grants.length > 1) {
      undeclared.push({ ...view, why: `${m.grants.length} grants claim it (${m.grants.map((g) => g.path).join(', ')})` });
      continue;
    }
    const grant = m.grants[0]!;
    const id = grant.data.identity.id;
    if (entriesFor(grant, s.system).length === 0) {
      undeclared.push({ ...view, why: `it maps to ${id}, whose grant has no access to ${s.system}` });
      continue;
    }
    if (liveEntries(grant, s.system, day).length === 0) {
      undeclared.push({ ...view, why: `the access of ${id} had expired when the system listed it` });
      continue;
    }
    const list = byGrant.get(grant.path) ?? [];
    list.push(view);
    byGrant.set(grant.path, list);
  }
  undeclared.sort((x, y) => x.principal.localeCompare(y.principal));
  return {
    system: s.system,
    key: listed.record.key,
    seq: listed.record.seq,
    taken_at: listed.subject.taken_at,
    raw_sha256: listed.subject.raw_sha256,
    raw_path: listed.subject.raw_path,
    gaps: [...listed.subject.gaps],
    byGrant,
    undeclared,
  };
}
