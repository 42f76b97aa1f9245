/**
 * The `completeness` population: for each system and each of its listings in the period (the
 * `access-snapshot` records), what the grants declared against what the system itself listed, each
 * difference (an account no grant declares, a grant with no account, privilege beyond the grant,
 * dormant or unused access) and how it was resolved: by a later grant change that declares it or
 * revokes it, by a later listing without it, or not at all. A system without a listing in the
 * period is a row of its own, marked as a gap: its population was never tested for completeness.
 *
 * The differences are `drift`'s, computed as `access-ledger drift` computes them: the listing
 * rebuilt from its stored export, against the grants of the access repo's last commit on or
 * before the listing was taken. Pure: the adapter reads the ledger and the history.
 */
import type { Pack } from '../engine/policy.ts';
import type { Finding } from '../findings.ts';
import type { AccessSnapshotSubject } from '../ledger/kinds.ts';
import type { Snapshot } from '../model/snapshot.ts';
import type { Grant } from '../model/types.ts';
import { drift } from '../observe/drift.ts';
import { buildObservedFacts, liveEntries, snapshotDay } from '../observe/match.ts';
import type { ObservedSnapshot } from '../observe/types.ts';
import { accountLabel, nameKey } from '../observe/values.ts';
import type { ValidGrant } from '../rules/types.ts';
import type { Column, Period, Row } from './types.ts';
import { gap, type Gap } from './gaps.ts';

const col = (key: string, title: string, description: string): Column => ({ key, title, description });

export const COMPLETENESS_COLUMNS: Column[] = [
  col('system', 'System', 'The system listed.'),
  col(
    'type',
    'Row',
    'listing (what the grants declared against what the system listed), a difference it showed (undeclared, unprovisioned, excess-privilege, dormant), or no-listing (the system was not listed in the period).',
  ),
  col('taken_at', 'Listed at', "When the system listed its accounts (the listing's taken_at)."),
  col('snapshot', 'Listing record', 'Key of the access-snapshot record on the ledger branch.'),
  col('snapshot_seq', 'Listing seq', 'Its ledger seq.'),
  col('snapshot_hash', 'Listing hash', 'Its hash (RFC 8785 canonical JSON without `hash`).'),
  col('raw_sha256', 'Export SHA-256', 'SHA-256 of the raw export the system produced, stored on the ledger branch at snapshots/<sha256>.csv or .json.'),
  col('access_commit', 'Grants as of', 'The access repo commit the grants were read at: the last on or before the listing.'),
  col('declared', 'Declared', 'listing rows: standing access entries to the system in force when it was listed.'),
  col('observed', 'Listed', 'listing rows: accounts the system listed.'),
  col('matched', 'Matched', 'listing rows: listed accounts that map to exactly one grant with access in force.'),
  col('differences', 'Differences', 'listing rows: how many difference rows follow.'),
  col('account', 'Account', 'The account the system listed (as messages show it: one line, masked, a formula after an apostrophe).'),
  col('identity', 'Identity', 'The grant the difference is about, when there is one.'),
  col('path', 'File', 'Where the difference points: the grant file, or the system file for an account no grant declares.'),
  col(
    'detail',
    'Detail',
    'The difference in the words of its rule (observed-undeclared, observed-unprovisioned, observed-excess-privilege, observed-dormant).',
  ),
  col(
    'resolution',
    'Resolution',
    'grant-change (a later merged change declared the account, or revoked the access), later-listing-without-account, later-listing (listed again without the difference), or open.',
  ),
  col('resolved_at', 'Resolved at', "When: the change's merge, or the later listing's taken_at."),
  col('resolved_by', 'Resolved by', 'The ledger record that shows the resolution (a grant-change or an access-snapshot key).'),
  col('resolved_seq', 'Resolved seq', 'Its ledger seq.'),
  col('resolved_pr', 'Resolved by PR', 'The pull request of the resolving change.'),
  col('resolved_pr_url', 'Resolved PR link', 'That pull request on GitHub.'),
  col('gaps', 'Gaps', 'What evidence is missing for this row.'),
];

export const COMPLETENESS_META = {
  title: 'Completeness against what the systems list',
  question: "Does each system's own listing of accounts match the grants, and how was every difference resolved?",
  unit: 'one row per listing of a system in the period (declared against listed), one per difference it showed, and one per system not listed in the period',
  frequency: 'point-in-time' as const,
  controls: [
    'SOC2:CC6.1',
    'SOC2:CC6.2',
    'SOC2:CC6.3',
    'NIST-CSF-2.0:PR.AA-05',
    'NIST-CSF-2.0:ID.AM-02',
    'CIS-v8:5.1',
    'CIS-v8:5.3',
    'CIS-v8:5.5',
    'ISO27001:A.5.18',
  ],
};

/** A listing on the ledger, as the adapter read it. */
export interface ListingInput {
  record: { seq: number; hash: string; key: string; occurred_at: string };
  subject: AccessSnapshotSubject;
  /** The listing rebuilt from its stored export; null when it could not be (`problem` says why). */
  snapshot: ObservedSnapshot | null;
  problem: string | null;
  /** The access repo at `commit`, the last commit on or before the listing; null before the repo existed. */
  repo: Snapshot | null;
  commit: string | null;
}

/** An access entry a grant-change record changed on a listed system, with the grant as merged. */
export interface ChangeInput {
  seq: number;
  key: string;
  occurred_at: string;
  pr: number;
  pr_url: string;
  path: string;
  system: string;
  role: string;
  action: string;
  /** The grant file at the merge commit (null when removed, or unreadable). */
  grant: Grant | null;
}

export interface CompletenessInput {
  period: Period;
  /** The systems of the as-of tree, and whether each says how its listing is read. */
  systems: { id: string; observed: boolean }[];
  /** Every listing on the ledger, in and after the period (later ones resolve differences). */
  listings: ListingInput[];
  changes: ChangeInput[];
  packs: ReadonlyMap<string, Pack>;
}

export const DIFFERENCE_RULES: Readonly<Record<string, string>> = {
  'observed-undeclared': 'undeclared',
  'observed-unprovisioned': 'unprovisioned',
  'observed-excess-privilege': 'excess-privilege',
  'observed-dormant': 'dormant',
};

interface Difference {
  type: string;
  key: string;
  finding: Finding;
  /** Every name of the account (from the listing), for matching grants declared later. */
  names: string[];
  /** The entry's role, for an unprovisioned grant. */
  role: string | null;
}

interface Judged {
  listing: ListingInput;
  compared: boolean;
  differences: Difference[];
  declared: number | null;
  matched: number | null;
  /** Lower-cased account labels the listing holds. */
  accounts: Set<string>;
  gaps: Gap[];
}

const inPeriod = (ts: string, p: Period): boolean => ts.slice(0, 10) >= p.from && ts.slice(0, 10) <= p.to;
const labelKey = (name: string): string => nameKey(accountLabel(name));

function judge(l: ListingInput, packs: ReadonlyMap<string, Pack>): Judged {
  const out: Judged = { listing: l, compared: false, differences: [], declared: null, matched: null, accounts: new Set(), gaps: [] };
  const s = l.snapshot;
  if (!s) {
    out.gaps.push(gap('listing-unreadable', l.problem ?? 'unknown'));
    return out;
  }
  for (const a of s.accounts) out.accounts.add(labelKey(a.principal));
  if (s.gaps.length) out.gaps.push(gap('listing-incomplete', s.gaps.join(', ')));
  if (!l.repo) {
    out.gaps.push(gap('listing-before-repo'));
    return out;
  }
  if (!l.repo.systems.some((f) => f.data?.id === s.system)) {
    out.gaps.push(gap('listing-not-compared', s.system, l.commit?.slice(0, 12) ?? 'that time'));
    return out;
  }
  out.compared = true;
  const day = snapshotDay(s);
  let declared = 0;
  for (const g of l.repo.grants) {
    if (!g.data) continue;
    for (const e of g.data.access) if (e.system === s.system && !e.jit && (typeof e.expires !== 'string' || e.expires >= day)) declared++;
  }
  out.declared = declared;
  const facts = buildObservedFacts(l.repo, [s]);
  out.matched = facts.matches.filter((m) => m.grants.length === 1 && liveEntries(m.grants[0] as ValidGrant, s.system, day).length > 0).length;
  const names = new Map(s.accounts.map((a) => [labelKey(a.principal), a.names]));
  const { findings } = drift(l.repo, [s], { packs, today: day });
  for (const f of findings) {
    const type = DIFFERENCE_RULES[f.rule];
    if (!type || f.system !== s.system) continue;
    const account = f.account ? nameKey(f.account) : '';
    const role = f.rule === 'observed-unprovisioned' ? (/is granted `([^`]*)`/.exec(f.message)?.[1] ?? null) : null;
    out.differences.push({
      type,
      key: `${type}\0${account}\0${f.identity ?? ''}\0${account ? '' : `${f.file ?? ''}\0${role ?? ''}`}`,
      finding: f,
      names: names.get(account) ?? (f.account ? [f.account] : []),
      role,
    });
  }
  return out;
}

interface Resolution {
  resolution: string;
  resolved_at: string | null;
  resolved_by: string | null;
  resolved_seq: number | null;
  resolved_pr: number | null;
  resolved_pr_url: string | null;
}

const OPEN: Resolution = { resolution: 'open', resolved_at: null, resolved_by: null, resolved_seq: null, resolved_pr: null, resolved_pr_url: null };

/** Whether a grant as merged declares an account of `system` by one of `names` (as drift maps accounts). */
function declares(grant: Grant, system: string, names: readonly string[]): boolean {
  const keys = new Set(names.map(nameKey));
  if (!grant.access.some((e) => e.system === system)) return false;
  const id = grant.identity;
  if (keys.has(nameKey(id.id))) return true;
  if (id.github && keys.has(nameKey(id.github.replace(/^@/, '')))) return true;
  if (typeof id.email === 'string' && keys.has(nameKey(id.email))) return true;
  return grant.access.some((e) => e.system === system && (e.accounts ?? []).some((a) => keys.has(nameKey(a))));
}

/** The change that resolves `d` after `from` and before `until` (exclusive), if any. */
function resolvingChange(d: Difference, system: string, changes: readonly ChangeInput[], from: string, until: string | null): ChangeInput | null {
  for (const c of changes) {
    if (c.system !== system || c.occurred_at <= from || (until !== null && c.occurred_at >= until)) continue;
    const f = d.finding;
    switch (d.type) {
      case 'undeclared':
        if ((c.action === 'added' || c.action === 'modified') && c.grant && declares(c.grant, system, d.names)) return c;
        break;
      case 'unprovisioned':
      case 'dormant':
        if (c.action === 'removed' && c.path === f.file && (d.role === null || c.role === d.role)) return c;
        break;
      case 'excess-privilege':
        if ((c.action === 'added' || c.action === 'modified') && c.path === f.file) return c;
        break;
    }
  }
  return null;
}

function byChange(c: ChangeInput): Resolution {
  return { resolution: 'grant-change', resolved_at: c.occurred_at, resolved_by: c.key, resolved_seq: c.seq, resolved_pr: c.pr, resolved_pr_url: c.pr_url };
}

function resolve(d: Difference, at: Judged, later: readonly Judged[], changes: readonly ChangeInput[]): Resolution {
  const system = at.listing.subject.system;
  let since = at.listing.subject.taken_at;
  for (const next of later) {
    if (!next.compared && !next.listing.snapshot) continue;
    const until = next.listing.subject.taken_at;
    const change = resolvingChange(d, system, changes, since, until);
    if (change) return byChange(change);
    const still = next.compared ? next.differences.some((x) => x.key === d.key) : true;
    if (!still) {
      const account = d.finding.account ? nameKey(d.finding.account) : null;
      const gone = account !== null && !next.accounts.has(account);
      return {
        resolution: gone ? 'later-listing-without-account' : 'later-listing',
        resolved_at: until,
        resolved_by: next.listing.record.key,
        resolved_seq: next.listing.record.seq,
        resolved_pr: null,
        resolved_pr_url: null,
      };
    }
    since = until;
  }
  const change = resolvingChange(d, system, changes, since, null);
  return change ? byChange(change) : OPEN;
}

/** A row of the completeness population, and its gaps (its `gaps` cell is written from them). */
export interface CompletenessRow {
  row: Row;
  gaps: Gap[];
}

export function completenessRows(input: CompletenessInput): CompletenessRow[] {
  const bySystem = new Map<string, ListingInput[]>();
  for (const l of input.listings) {
    const list = bySystem.get(l.subject.system) ?? [];
    list.push(l);
    bySystem.set(l.subject.system, list);
  }
  const changes = [...input.changes].sort((a, b) => a.occurred_at.localeCompare(b.occurred_at) || a.seq - b.seq);
  const rows: CompletenessRow[] = [];
  const listed = new Set<string>();
  for (const system of [...bySystem.keys()].sort()) {
    const all = bySystem.get(system)!.sort((a, b) => a.subject.taken_at.localeCompare(b.subject.taken_at) || a.record.seq - b.record.seq);
    const first = all.findIndex((l) => inPeriod(l.subject.taken_at, input.period));
    if (first < 0) continue;
    // Listings before the period are not judged; those in it and after it are (the later ones resolve).
    const judged = all.slice(first).map((l) => judge(l, input.packs));
    judged.forEach((j, i) => {
      const l = j.listing;
      if (!inPeriod(l.subject.taken_at, input.period)) return;
      listed.add(system);
      const base = {
        system,
        taken_at: l.subject.taken_at,
        snapshot: l.record.key,
        snapshot_seq: l.record.seq,
        snapshot_hash: l.record.hash,
        raw_sha256: l.subject.raw_sha256,
        access_commit: l.commit,
      };
      rows.push({
        gaps: j.gaps,
        row: {
          ...base,
          type: 'listing',
          declared: j.declared,
          observed: l.snapshot ? l.snapshot.accounts.length : l.subject.account_count,
          matched: j.matched,
          differences: j.differences.length,
          account: null,
          identity: null,
          path: null,
          detail: null,
          ...OPEN,
          resolution: null,
        },
      });
      for (const d of j.differences) {
        const r = resolve(d, j, judged.slice(i + 1), changes);
        rows.push({
          gaps: r.resolution === 'open' ? [gap('difference-open', d.type)] : [],
          row: {
            ...base,
            type: d.type,
            declared: null,
            observed: null,
            matched: null,
            differences: null,
            account: d.finding.account ?? null,
            identity: d.finding.identity ?? null,
            path: d.finding.file ?? null,
            detail: d.finding.message,
            ...r,
          },
        });
      }
    });
  }
  for (const s of [...input.systems].sort((a, b) => a.id.localeCompare(b.id))) {
    if (listed.has(s.id)) continue;
    rows.push({
      gaps: [gap('no-listing', s.id, Boolean(s.observed))],
      row: {
        system: s.id,
        type: 'no-listing',
        taken_at: null,
        snapshot: null,
        snapshot_seq: null,
        snapshot_hash: null,
        raw_sha256: null,
        access_commit: null,
        declared: null,
        observed: null,
        matched: null,
        differences: null,
        account: null,
        identity: null,
        path: null,
        detail: null,
        ...OPEN,
        resolution: null,
      },
    });
  }
  return rows;
}
