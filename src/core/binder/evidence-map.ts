/**
 * The evidence map, the first thing an auditor is shown: every system in scope with its owner,
 * approvers and evidence sources, and under it every identity with access, its access path, owner,
 * approval record and where its use is logged. Gaps are marked in place.
 */
import { fileStem } from '../model/snapshot.ts';
import type { System } from '../model/types.ts';
import type { LedgerIndex } from './ledger-index.ts';
import { accessPath, type InventoryGrant, type InventorySystem } from './populations.ts';
import type { ExportParams } from './types.ts';

export interface MapIdentity {
  identity: string;
  kind: string;
  path: string;
  owner: string | null;
  role: string;
  privileged: boolean;
  access_path: string;
  expires: string | null;
  approval: { seq: number; hash: string; pr: number; url: string } | null;
  log_source: string | null;
  gaps: string[];
}

export interface MapSystem {
  id: string;
  path: string | null;
  name: string | null;
  category: string | null;
  environment: string | null;
  owner: string | null;
  approvers: string[];
  evidence: { provisioning: string | null; activity: string | null; review: string | null; review_cadence_days: number | null };
  gaps: string[];
  identities: MapIdentity[];
}

export interface EvidenceMap {
  as_of: string;
  as_of_commit: string | null;
  systems: MapSystem[];
  /** Grant files at the as-of commit that could not be read (they hold access the map cannot show). */
  unreadable: { path: string; problem: string }[];
  gap_counts: Record<string, number>;
}

export function buildEvidenceMap(params: ExportParams, systems: InventorySystem[], grants: InventoryGrant[], ledger: LedgerIndex): EvidenceMap {
  const until = `${params.asOf}T23:59:59Z`;
  const byId = new Map<string, MapSystem>();
  const gapCounts: Record<string, number> = {};
  const gap = (list: string[], text: string, kind: string): void => {
    list.push(text);
    gapCounts[kind] = (gapCounts[kind] ?? 0) + 1;
  };
  for (const f of systems) {
    const s: System | null = f.system;
    const id = s?.id ?? fileStem(f.path);
    const entry: MapSystem = {
      id,
      path: f.path,
      name: s?.name ?? null,
      category: s?.category ?? null,
      environment: s?.environment ?? null,
      owner: s?.owner ?? null,
      approvers: s?.approvers ?? [],
      evidence: { provisioning: s?.evidence?.provisioning ?? null, activity: s?.evidence?.activity ?? null, review: s?.evidence?.review ?? null, review_cadence_days: s?.review_cadence_days ?? null },
      gaps: [],
      identities: [],
    };
    if (!s) gap(entry.gaps, `system file cannot be read: ${f.problem}`, 'unreadable system file');
    else {
      if (!s.owner) gap(entry.gaps, 'no owner', 'system without owner');
      if (!s.approvers?.length) gap(entry.gaps, 'no approvers', 'system without approvers');
      if (!s.evidence?.provisioning) gap(entry.gaps, 'no provisioning evidence source', 'system without provisioning evidence source');
      if (!s.evidence?.activity) gap(entry.gaps, 'no activity log source', 'system without activity log source');
      if (!s.review_cadence_days) gap(entry.gaps, 'no review cadence', 'system without review cadence');
    }
    byId.set(id, entry);
  }
  const unreadable: EvidenceMap['unreadable'] = [];
  for (const g of grants) {
    if (!g.grant) {
      unreadable.push({ path: g.path, problem: g.problem ?? 'unreadable' });
      gapCounts['unreadable grant file'] = (gapCounts['unreadable grant file'] ?? 0) + 1;
      continue;
    }
    const id = g.grant.identity;
    for (const e of g.grant.access) {
      let sys = byId.get(e.system);
      if (!sys) {
        sys = { id: e.system, path: null, name: null, category: null, environment: null, owner: null, approvers: [], evidence: { provisioning: null, activity: null, review: null, review_cadence_days: null }, gaps: [], identities: [] };
        gap(sys.gaps, 'no file in systems/: the system is granted but not defined', 'system not defined');
        byId.set(e.system, sys);
      }
      const approval = ledger.approvalRecord(g.path, e.system, e.role, until);
      const item: MapIdentity = {
        identity: id.id,
        kind: id.kind,
        path: g.path,
        owner: id.owner ?? null,
        role: e.role,
        privileged: e.privileged ?? false,
        access_path: accessPath(e),
        expires: e.expires ?? null,
        approval: approval ? { seq: approval.ref.seq, hash: approval.ref.hash, pr: approval.pr.number, url: approval.pr.url } : null,
        log_source: sys.evidence.activity,
        gaps: [],
      };
      if (!id.owner) gap(item.gaps, 'no owner', 'identity without owner');
      if (!approval) gap(item.gaps, 'no approval record', 'access without approval record');
      if (!sys.evidence.activity) gap(item.gaps, 'no log source for its use', 'access without log source');
      if (id.kind !== 'human' && g.grant.credential && g.grant.credential.type !== 'oidc-federated' && !g.grant.credential.last_rotated) {
        gap(item.gaps, 'non-human identity without a rotation record', 'non-human identity without rotation record');
      }
      sys.identities.push(item);
    }
  }
  const list = [...byId.values()].sort((a, b) => a.id.localeCompare(b.id));
  for (const s of list) s.identities.sort((a, b) => a.identity.localeCompare(b.identity) || a.role.localeCompare(b.role));
  return { as_of: params.asOf, as_of_commit: params.asOfCommit, systems: list, unreadable, gap_counts: gapCounts };
}
