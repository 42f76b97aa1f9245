/**
 * Which systems are due for a periodic access review. A system is due when the oldest review of
 * any grant that reaches it (the grant's `review.last_reviewed`, or the system's last completed
 * review campaign if that is later) plus the system's `review_cadence_days` falls within the lead
 * window: the campaign opens a little before the review is late, as an expiry warning does.
 */
import { addDays } from '../dates.ts';
import type { Snapshot } from '../model/snapshot.ts';
import type { Grant, IdentityKind, IsoDate, System } from '../model/types.ts';

export interface CampaignEntry {
  role: string;
  privileged: boolean;
  expires: IsoDate | null;
}

/** A grant to the system under review, with its entries to that system. */
export interface CampaignGrant {
  path: string;
  identity: string;
  kind: IdentityKind;
  owner: string | null;
  github: string | null;
  /** A shared account's holders (the people who use it). */
  holders: string[];
  entries: CampaignEntry[];
  lastReviewed: IsoDate | null;
  revocation: string | null;
}

export interface DueSystem {
  system: string;
  name: string;
  owner: string | null;
  approvers: string[];
  cadenceDays: number;
  /** The last day the review is on time; null for a system never reviewed at all. */
  due: IsoDate | null;
  /** The oldest review the due day was computed from. */
  lastReviewed: IsoDate | null;
  grants: CampaignGrant[];
}

export interface DueInput {
  snapshot: Snapshot;
  today: IsoDate;
  /** Open the campaign this many days before the review is due (`stale.expiring_within_days`). */
  leadDays: number;
  /** Cadence for systems without `review_cadence_days` (the `review-overdue` rule's option). */
  defaultCadenceDays: number;
  /** System id → `reviewed_on` of its latest `review-campaign` ledger record, when known. */
  lastCampaign?: ReadonlyMap<string, IsoDate>;
  /** Systems that already have an open campaign pull request: never a second one. */
  openCampaigns?: ReadonlySet<string>;
}

function campaignGrant(path: string, g: Grant, entries: Grant['access']): CampaignGrant {
  return {
    path,
    identity: g.identity.id,
    kind: g.identity.kind,
    owner: g.identity.owner ?? null,
    github: g.identity.github ?? null,
    holders: g.shared?.holders ?? [],
    entries: entries.map((e) => ({ role: e.role, privileged: e.privileged === true, expires: e.expires ?? null })),
    lastReviewed: g.review?.last_reviewed ?? null,
    revocation: g.credential?.revocation ?? null,
  };
}

export function dueSystems(input: DueInput): DueSystem[] {
  const bySystem = new Map<string, CampaignGrant[]>();
  for (const f of input.snapshot.grants) {
    const g = f.data;
    if (!g) continue;
    const systems = new Set(g.access.map((e) => e.system));
    for (const s of systems) {
      const list = bySystem.get(s) ?? [];
      list.push(
        campaignGrant(
          f.path,
          g,
          g.access.filter((e) => e.system === s),
        ),
      );
      bySystem.set(s, list);
    }
  }
  const horizon = addDays(input.today, input.leadDays);
  const out: DueSystem[] = [];
  for (const file of input.snapshot.systems) {
    const sys: System | undefined = file.data;
    if (!sys || input.openCampaigns?.has(sys.id)) continue;
    const grants = bySystem.get(sys.id);
    if (!grants?.length) continue; // nothing to review
    const cadence = sys.review_cadence_days ?? input.defaultCadenceDays;
    const campaign = input.lastCampaign?.get(sys.id) ?? null;
    // A grant with no review date is new since the last review: it joins the next campaign but
    // does not make one due. A system with no review date at all has never been reviewed: due now.
    let oldest: IsoDate | null = null;
    for (const g of grants) {
      const since = maxDate(g.lastReviewed, campaign);
      if (since && (!oldest || since < oldest)) oldest = since;
    }
    const due = oldest ? addDays(oldest, cadence) : null;
    if (due && due > horizon) continue;
    grants.sort((a, b) => a.path.localeCompare(b.path));
    out.push({
      system: sys.id,
      name: sys.name,
      owner: sys.owner ?? null,
      approvers: sys.approvers ?? [],
      cadenceDays: cadence,
      due,
      lastReviewed: oldest,
      grants,
    });
  }
  return out.sort((a, b) => (a.due ?? '').localeCompare(b.due ?? '') || a.system.localeCompare(b.system));
}

function maxDate(a: IsoDate | null, b: IsoDate | null): IsoDate | null {
  if (!a) return b;
  if (!b) return a;
  return a > b ? a : b;
}
