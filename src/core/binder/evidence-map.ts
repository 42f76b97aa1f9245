/**
 * The evidence map, the first thing an auditor is shown: every system in scope with its owner,
 * approvers and evidence sources, and under it every identity with access, its access path, owner,
 * approval record and where its use is logged. Gaps are marked in place.
 */
import { fileStem } from '../model/snapshot.ts';
import type { System } from '../model/types.ts';
import { csvHeader, csvLine } from './csv.ts';
import type { IndexedGrantChange } from './ledger-index.ts';
import { StringPool } from './string-pool.ts';
import { accessPath, localeOrder } from './populations/shared.ts';
import type { InventoryGrant, InventorySystem } from './types.ts';
import type { ExportParams } from './types.ts';
import { maskSecretsDeep } from '../text/mask.ts';

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
  /** The system's own listings of its accounts in the period (access-snapshot records), oldest first. */
  listings?: MapListing[];
}

/** A listing of a system's accounts on the ledger: the evidence that its population is complete. */
export interface MapListing {
  key: string;
  seq: number;
  hash: string;
  taken_at: string;
  raw_sha256: string;
  raw_path: string;
}

/** What index.html and summary.md show of the map: each system with its first identities. */
export interface EvidenceMapPage {
  as_of: string;
  as_of_commit: string | null;
  systems: (MapSystem & { identity_count: number })[];
  unreadable: EvidenceMap['unreadable'];
  gap_counts: Record<string, number>;
}

/** The map as the page shows it (at most `limit` identities per system), without the rest. */
export function evidenceMapPage(map: EvidenceMap, limit: number): EvidenceMapPage {
  return { ...map, systems: map.systems.map((s) => ({ ...s, identities: s.identities.slice(0, limit), identity_count: s.identities.length })) };
}

export interface EvidenceMap {
  as_of: string;
  as_of_commit: string | null;
  systems: MapSystem[];
  /** Grant files at the as-of commit that could not be read (they hold access the map cannot show). */
  unreadable: { path: string; problem: string }[];
  gap_counts: Record<string, number>;
}

const NO_GAPS: string[] = [];

/**
 * The evidence map, built as the as-of tree streams past: every system first (in path order),
 * then every grant (in path order), each turned at once into the entries of the systems it
 * reaches, so the grant itself need not be kept.
 */
export class EvidenceMapBuilder {
  private readonly params: ExportParams;
  private readonly byId = new Map<string, MapSystem>();
  private readonly gapCounts: Record<string, number> = {};
  private readonly unreadable: EvidenceMap['unreadable'] = [];
  /** One citation object per approval record, however many entries cite it. */
  private readonly citations = new Map<IndexedGrantChange, NonNullable<MapIdentity['approval']>>();
  private result: EvidenceMap | null = null;

  private readonly pool: StringPool;

  /** `pool` shares the entries' repeating strings (kinds, owners, roles, days). */
  constructor(params: ExportParams, pool: StringPool = new StringPool()) {
    this.params = params;
    this.pool = pool;
  }

  private gap(list: string[], text: string, kind: string): void {
    list.push(text);
    this.gapCounts[kind] = (this.gapCounts[kind] ?? 0) + 1;
  }

  addSystem(f: InventorySystem): void {
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
      evidence: {
        provisioning: s?.evidence?.provisioning ?? null,
        activity: s?.evidence?.activity ?? null,
        review: s?.evidence?.review ?? null,
        review_cadence_days: s?.review_cadence_days ?? null,
      },
      gaps: [],
      identities: [],
    };
    if (!s) this.gap(entry.gaps, `system file cannot be read: ${f.problem}`, 'unreadable system file');
    else {
      if (!s.owner) this.gap(entry.gaps, 'no owner', 'system without owner');
      if (!s.approvers?.length) this.gap(entry.gaps, 'no approvers', 'system without approvers');
      if (!s.evidence?.provisioning) this.gap(entry.gaps, 'no provisioning evidence source', 'system without provisioning evidence source');
      if (!s.evidence?.activity) this.gap(entry.gaps, 'no activity log source', 'system without activity log source');
      if (!s.review_cadence_days) this.gap(entry.gaps, 'no review cadence', 'system without review cadence');
    }
    this.byId.set(id, entry);
  }

  /**
   * The system's listings in the period (every access-snapshot record of it): their hashes go in
   * the map, and a system listed never in the period is a gap.
   */
  addListings(id: string, listings: readonly MapListing[]): void {
    const sys = this.byId.get(id);
    if (!sys) return;
    sys.listings = [...listings];
    if (listings.length === 0)
      this.gap(
        sys.gaps,
        'no listing of its accounts in the period: the completeness of its population was not tested',
        'system without a listing in the period',
      );
  }

  /** A grant file; `approvalOf(i)` is the ledger record that added its i-th access entry, if any. */
  addGrant(g: InventoryGrant, approvalOf: (entry: number) => IndexedGrantChange | null): void {
    if (!g.grant) {
      this.unreadable.push({ path: g.path, problem: g.problem ?? 'unreadable' });
      this.gapCounts['unreadable grant file'] = (this.gapCounts['unreadable grant file'] ?? 0) + 1;
      return;
    }
    const id = g.grant.identity;
    const credential = g.grant.credential;
    g.grant.access.forEach((e, i) => {
      let sys = this.byId.get(e.system);
      if (!sys) {
        sys = {
          id: e.system,
          path: null,
          name: null,
          category: null,
          environment: null,
          owner: null,
          approvers: [],
          evidence: { provisioning: null, activity: null, review: null, review_cadence_days: null },
          gaps: [],
          identities: [],
        };
        this.gap(sys.gaps, 'no file in systems/: the system is granted but not defined', 'system not defined');
        this.byId.set(e.system, sys);
      }
      const approval = approvalOf(i);
      let gaps = NO_GAPS;
      const gap = (text: string, kind: string): void => {
        if (gaps === NO_GAPS) gaps = [];
        this.gap(gaps, text, kind);
      };
      if (!id.owner) gap('no owner', 'identity without owner');
      if (!approval) gap('no approval record', 'access without approval record');
      if (!sys.evidence.activity) gap('no log source for its use', 'access without log source');
      if (id.kind !== 'human' && credential && credential.type !== 'oidc-federated' && !credential.last_rotated) {
        gap('non-human identity without a rotation record', 'non-human identity without rotation record');
      }
      const P = this.pool;
      sys.identities.push({
        identity: id.id,
        kind: P.of(id.kind),
        path: g.path,
        owner: P.of(id.owner ?? null),
        role: P.of(e.role),
        privileged: e.privileged ?? false,
        access_path: P.of(accessPath(e)),
        expires: P.of(e.expires ?? null),
        approval: approval ? this.citation(approval) : null,
        log_source: sys.evidence.activity,
        gaps,
      });
    });
  }

  private citation(gc: IndexedGrantChange): NonNullable<MapIdentity['approval']> {
    let c = this.citations.get(gc);
    if (!c) {
      c = { seq: gc.ref.seq, hash: gc.ref.hash, pr: gc.pr.number, url: gc.pr.url };
      this.citations.set(gc, c);
    }
    return c;
  }

  /** The map, systems by id and identities by identity and role. */
  finish(): EvidenceMap {
    if (!this.result) {
      this.citations.clear();
      const list = [...this.byId.values()].sort((a, b) => localeOrder(a.id, b.id));
      for (const s of list) s.identities.sort((a, b) => localeOrder(a.identity, b.identity) || localeOrder(a.role, b.role));
      this.result = { as_of: this.params.asOf, as_of_commit: this.params.asOfCommit, systems: list, unreadable: this.unreadable, gap_counts: this.gapCounts };
    }
    return this.result;
  }
}

/** A system's JSON without its identities: everything up to the `[` of `"identities":[…]}`. */
function systemJsonHead(s: MapSystem): string {
  const head = JSON.stringify(
    maskSecretsDeep({
      id: s.id,
      path: s.path,
      name: s.name,
      category: s.category,
      environment: s.environment,
      owner: s.owner,
      approvers: s.approvers,
      evidence: s.evidence,
      gaps: s.gaps,
      listings: s.listings ?? [],
      identities: [],
    }),
  );
  return head.slice(0, -3) + '[';
}

/** Text is handed on in pieces of about this many characters. */
const PIECE = 1 << 16;

/**
 * evidence-map.json, in pieces: pretty JSON whose `systems` array holds one compact system per
 * line (with all its identities), as the population files hold their rows. A system of 100,000
 * identities is handed on in pieces, never as one string.
 */
export function* evidenceMapJson(map: EvidenceMap): Generator<string> {
  const top = JSON.stringify(
    { as_of: map.as_of, as_of_commit: map.as_of_commit, unreadable: map.unreadable, gap_counts: map.gap_counts, systems: [] },
    null,
    2,
  );
  const at = top.lastIndexOf('"systems": []');
  let piece = top.slice(0, at) + '"systems": ';
  if (map.systems.length === 0) piece += '[]';
  else {
    piece += '[\n    ';
    for (let i = 0; i < map.systems.length; i++) {
      const s = map.systems[i]!;
      if (i > 0) piece += ',\n    ';
      piece += systemJsonHead(s);
      for (let k = 0; k < s.identities.length; k++) {
        piece += (k > 0 ? ',' : '') + JSON.stringify(maskSecretsDeep(s.identities[k]!));
        if (piece.length >= PIECE) {
          yield piece;
          piece = '';
        }
      }
      piece += ']}';
    }
    piece += '\n  ]';
  }
  yield piece + top.slice(at + '"systems": []'.length) + '\n';
}

const MAP_CSV_KEYS = [
  'system',
  'category',
  'environment',
  'system_owner',
  'approvers',
  'provisioning',
  'activity_log',
  'review_cadence_days',
  'system_gaps',
  'identity',
  'kind',
  'role',
  'privileged',
  'access_path',
  'expires',
  'owner',
  'approval_seq',
  'approval_pr',
  'path',
  'gaps',
  'system_listings',
];

/** evidence-map.csv, in pieces: one row per access entry, or one per system without any. */
export function* evidenceMapCsv(map: EvidenceMap): Generator<string> {
  // With no system at all the file is a bare header, as a table without rows.
  const keys = map.systems.length === 0 ? ['system'] : MAP_CSV_KEYS;
  let piece = csvHeader(keys) + '\r\n';
  for (const s of map.systems) {
    // No secret leaves in the binder: what the files say is masked where it looks like one.
    const system = maskSecretsDeep({
      system: s.id,
      category: s.category,
      environment: s.environment,
      system_owner: s.owner,
      approvers: s.approvers.join(', '),
      provisioning: s.evidence.provisioning,
      activity_log: s.evidence.activity,
      review_cadence_days: s.evidence.review_cadence_days,
      system_gaps: s.gaps.join('; ') || null,
      system_listings: (s.listings ?? []).map((l) => `${l.key} (seq ${l.seq}, export SHA-256 ${l.raw_sha256})`).join('; ') || null,
    });
    if (s.identities.length === 0) {
      piece +=
        csvLine(keys, {
          ...system,
          identity: null,
          kind: null,
          role: null,
          privileged: null,
          access_path: null,
          expires: null,
          owner: null,
          approval_seq: null,
          approval_pr: null,
          path: null,
          gaps: null,
        }) + '\r\n';
    }
    for (const i of s.identities) {
      piece +=
        csvLine(keys, {
          ...system,
          ...maskSecretsDeep({
            identity: i.identity,
            kind: i.kind,
            role: i.role,
            privileged: i.privileged ? 'yes' : 'no',
            access_path: i.access_path,
            expires: i.expires,
            owner: i.owner,
            approval_seq: i.approval?.seq ?? null,
            approval_pr: i.approval?.pr ?? null,
            path: i.path,
            gaps: i.gaps.join('; ') || null,
          }),
        }) + '\r\n';
      if (piece.length >= PIECE) {
        yield piece;
        piece = '';
      }
    }
  }
  yield piece;
}
