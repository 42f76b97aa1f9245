/**
 * The ledger as the binder needs it: records taken one at a time (so 100,000 never sit in memory
 * as full JSON) and kept as the few fields the populations and chains join on, the bulk of each
 * grant change out of the heap (DetailStore). Pure.
 */
import type {
  AccessSnapshotSubject,
  GrantChangeSubject,
  IdentityLeftOrgSubject,
  ProvisionedSubject,
  PullRequestRef,
  ReviewCampaignSubject,
  ReviewItem,
  ReviewRecord,
  SystemApproval,
  UnapprovedMergeSubject,
} from '../ledger/kinds.ts';
import { isMonthRecordPath, monthRecordPath, recordPath, type SealedRecord } from '../ledger/record.ts';
import { StringPool } from './string-pool.ts';
import { TextStore, type TextRef } from './text-store.ts';

export interface RecordRef {
  seq: number;
  hash: string;
  key: string;
  kind: string;
  path: string;
  occurred_at: string;
}

export interface GrantChangeEntry {
  path: string;
  identity: string;
  file_action: string;
  system: string;
  role: string;
  privileged: boolean;
  action: string;
  /** The gate judged the entry to add or widen access (undefined on older records). */
  widens?: boolean;
}

export interface IndexedGrantChange {
  ref: RecordRef;
  pr: PullRequestRef;
  merge_sha: string;
  reviews: ReviewRecord[];
  commit_authors: string[];
  approvals: SystemApproval[];
  verdict: 'pass' | 'fail';
  policy_sha: string;
  verdict_findings: { rule: string; severity: string; controls: string[] }[];
  entries: GrantChangeEntry[];
  paths: string[];
  /** The fields of `path` whose change the gate judged to need approval; undefined when the record predates the judgement. */
  wideningFields(path: string): string[] | undefined;
}

export interface IndexedProvisioned {
  ref: RecordRef;
  subject: ProvisionedSubject;
}

export interface IndexedReviewItem {
  ref: RecordRef;
  system: string;
  pr: PullRequestRef;
  reviewers: string[];
  reviewed_on: string;
  outcome: 'kept' | 'changed' | 'removed';
  item: ReviewItem;
}

export interface IndexedLeft {
  ref: RecordRef;
  subject: IdentityLeftOrgSubject;
}

export interface IndexedUnapproved {
  ref: RecordRef;
  subject: UnapprovedMergeSubject;
}

export interface IndexedCampaign {
  ref: RecordRef;
  subject: ReviewCampaignSubject;
}

export interface IndexedSnapshot {
  ref: RecordRef;
  subject: AccessSnapshotSubject;
}

/** A record's reference; its path is derived when asked (only chains cite it), not stored. */
class Ref implements RecordRef {
  readonly seq: number;
  readonly hash: string;
  readonly key: string;
  readonly kind: string;
  readonly occurred_at: string;
  /** Stored in a month folder (a ledger from before day folders); the path is not kept, it follows from the rest. */
  readonly monthFolder: boolean;

  constructor(r: SealedRecord, kind: string, monthFolder: boolean) {
    this.seq = r.seq;
    this.hash = r.hash;
    this.key = r.key;
    this.kind = kind;
    this.occurred_at = r.occurred_at;
    this.monthFolder = monthFolder;
  }

  get path(): string {
    try {
      return this.monthFolder ? monthRecordPath(this) : recordPath(this);
    } catch {
      return `records/?/${this.key}.json`;
    }
  }
}

const NO_FINDINGS: IndexedGrantChange['verdict_findings'] = Object.freeze([]) as unknown as IndexedGrantChange['verdict_findings'];

/** What a grant-change record holds beyond its reference, merge commit and findings. */
interface GrantChangeDetail {
  pr: PullRequestRef;
  reviews: ReviewRecord[];
  commit_authors: string[];
  approvals: SystemApproval[];
  verdict: 'pass' | 'fail';
  policy_sha: string;
  entries: GrantChangeEntry[];
  paths: string[];
  widening: Map<string, string[]>;
}

/** The detail as stored: [pr, reviews, commit_authors, approvals, verdict, policy_sha, changes]. */
type StoredDetail = [
  PullRequestRef,
  ReviewRecord[],
  string[],
  SystemApproval[],
  'pass' | 'fail',
  string,
  [path: string, identity: string, action: string, entries: [string, string, boolean, string, (boolean | null)?][], widening_fields?: string[] | null][],
];

const CACHED_DETAILS = 8;

/**
 * The details of grant-change records, kept outside the JavaScript heap as compact JSON
 * (TextStore) and parsed again when asked for (the few last used are kept parsed). A ledger of
 * 100,000 records is read on every commit and every inventory entry, but never held as 100,000
 * sets of objects: the heap holds what the joins key on.
 */
class DetailStore {
  private readonly text = new TextStore();
  private readonly cache = new Map<GrantChange, GrantChangeDetail>();

  put(detail: StoredDetail): TextRef {
    return this.text.put(JSON.stringify(detail));
  }

  release(): void {
    this.text.release();
    this.cache.clear();
  }

  detail(gc: GrantChange, ref: TextRef): GrantChangeDetail {
    const cached = this.cache.get(gc);
    if (cached) return cached;
    const [pr, reviews, commit_authors, approvals, verdict, policy_sha, changes] = JSON.parse(this.text.get(ref)) as StoredDetail;
    const entries: GrantChangeEntry[] = [];
    const widening = new Map<string, string[]>();
    for (const [path, identity, file_action, list, fields] of changes) {
      for (const [system, role, privileged, action, widens] of list)
        entries.push({ path, identity, file_action, system, role, privileged, action, ...(typeof widens === 'boolean' ? { widens } : {}) });
      if (Array.isArray(fields)) widening.set(path, fields);
    }
    const detail: GrantChangeDetail = { pr, reviews, commit_authors, approvals, verdict, policy_sha, entries, paths: changes.map((c) => c[0]), widening };
    if (this.cache.size >= CACHED_DETAILS) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(gc, detail);
    return detail;
  }
}

/** A grant-change record: its reference and merge commit on the heap, the rest in the DetailStore. */
class GrantChange implements IndexedGrantChange {
  readonly ref: RecordRef;
  readonly merge_sha: string;
  readonly verdict_findings: IndexedGrantChange['verdict_findings'];
  private readonly store: DetailStore;
  private readonly stored: TextRef;

  constructor(ref: RecordRef, mergeSha: string, findings: IndexedGrantChange['verdict_findings'], store: DetailStore, detail: StoredDetail) {
    this.ref = ref;
    this.merge_sha = mergeSha;
    this.verdict_findings = findings;
    this.store = store;
    this.stored = store.put(detail);
  }

  private get detail(): GrantChangeDetail {
    return this.store.detail(this, this.stored);
  }

  get pr(): PullRequestRef {
    return this.detail.pr;
  }
  get reviews(): ReviewRecord[] {
    return this.detail.reviews;
  }
  get commit_authors(): string[] {
    return this.detail.commit_authors;
  }
  get approvals(): SystemApproval[] {
    return this.detail.approvals;
  }
  get verdict(): 'pass' | 'fail' {
    return this.detail.verdict;
  }
  get policy_sha(): string {
    return this.detail.policy_sha;
  }
  get entries(): GrantChangeEntry[] {
    return this.detail.entries;
  }
  get paths(): string[] {
    return this.detail.paths;
  }
  wideningFields(path: string): string[] | undefined {
    return this.detail.widening.get(path);
  }
}

const namesEntry = (gc: IndexedGrantChange, path: string, system: string, role: string): boolean =>
  gc.entries.some((e) => e.path === path && e.system === system && e.role === role);

export class LedgerIndex {
  count = 0;
  readonly byKind = new Map<string, number>();
  readonly grantChangeByMergeSha = new Map<string, IndexedGrantChange>();
  readonly grantChangeByKey = new Map<string, IndexedGrantChange>();
  /** Grant-change records naming a file, in seq order once `finish()` ran. */
  private readonly byPath = new Map<string, IndexedGrantChange[]>();
  readonly provisionedByChange = new Map<string, IndexedProvisioned[]>();
  readonly reviewItemsByPath = new Map<string, IndexedReviewItem[]>();
  readonly campaigns: IndexedCampaign[] = [];
  /** Review-campaign records by the number of their review pull request. */
  readonly campaignByPr = new Map<number, IndexedCampaign>();
  readonly leftByLogin = new Map<string, IndexedLeft[]>();
  readonly leftByPath = new Map<string, IndexedLeft[]>();
  readonly left: IndexedLeft[] = [];
  readonly unapproved: IndexedUnapproved[] = [];
  readonly unapprovedByChange = new Map<string, IndexedUnapproved>();
  /** access-snapshot records: the systems' own listings, in seq order once `finish()` ran. */
  readonly snapshots: IndexedSnapshot[] = [];
  /** Records whose subject did not have the shape of its kind (reported as gaps, never dropped silently). */
  readonly malformed: RecordRef[] = [];
  repository: string | null = null;
  /**
   * Whether provisioning is evidenced at all (a provisioning workflow configured, or a run
   * recorded): only then is a merge without a provisioning record a gap.
   */
  provisioningExpected = false;
  private finished = false;
  /** Grant files moved under the same name in the period: new path → old path (from git history). */
  private readonly movedFrom = new Map<string, string>();
  /** Shares the records' repeating strings (logins, systems, roles, states); the export's other readers use it too. */
  readonly pool: StringPool;
  private readonly details = new DetailStore();

  constructor(pool: StringPool = new StringPool()) {
    this.pool = pool;
  }

  /** Indexes a record read from `path` on the ledger branch (its day folder when not given). */
  add(record: SealedRecord, path?: string): void {
    this.count++;
    this.byKind.set(record.kind, (this.byKind.get(record.kind) ?? 0) + 1);
    if (typeof record.repository === 'string' && !this.repository) this.repository = record.repository;
    const ref = new Ref(record, this.pool.of(record.kind), path !== undefined && isMonthRecordPath(path));
    try {
      switch (record.kind) {
        case 'grant-change':
          this.addGrantChange(ref, record.subject as GrantChangeSubject);
          break;
        case 'provisioned': {
          const s = record.subject as ProvisionedSubject;
          push(this.provisionedByChange, s.grant_change_key, { ref, subject: s });
          break;
        }
        case 'review-campaign': {
          const s = record.subject as ReviewCampaignSubject;
          this.campaigns.push({ ref, subject: s });
          this.campaignByPr.set(s.pr.number, { ref, subject: s });
          for (const outcome of ['kept', 'changed', 'removed'] as const) {
            for (const item of s.items[outcome]) {
              push(this.reviewItemsByPath, item.path, { ref, system: s.system, pr: s.pr, reviewers: s.reviewers, reviewed_on: s.reviewed_on, outcome, item });
            }
          }
          break;
        }
        case 'identity-left-org': {
          const s = record.subject as IdentityLeftOrgSubject;
          const entry = { ref, subject: s };
          this.left.push(entry);
          push(this.leftByLogin, s.login.toLowerCase(), entry);
          for (const g of s.affected_grants) push(this.leftByPath, g.path, entry);
          break;
        }
        case 'access-snapshot': {
          const s = record.subject as AccessSnapshotSubject;
          if (typeof s.system !== 'string' || typeof s.taken_at !== 'string' || typeof s.raw_path !== 'string')
            throw new Error('not an access-snapshot subject');
          this.snapshots.push({ ref, subject: s });
          break;
        }
        case 'unapproved-merge': {
          const s = record.subject as UnapprovedMergeSubject;
          const entry = { ref, subject: s };
          this.unapproved.push(entry);
          this.unapprovedByChange.set(s.grant_change_key, entry);
          break;
        }
        default:
          break;
      }
    } catch {
      this.malformed.push(ref);
    }
  }

  private addGrantChange(ref: RecordRef, s: GrantChangeSubject): void {
    const I = this.pool;
    const detail: StoredDetail = [
      s.pr,
      s.reviews,
      s.commit_authors,
      s.verdict.approvals,
      s.verdict.result,
      s.verdict.policy_sha,
      s.changes.map((c) => [
        c.path,
        c.identity,
        c.action,
        c.entries.map((e) => [e.system, e.role, e.privileged, e.action, e.widens ?? null] as [string, string, boolean, string, boolean | null]),
        c.widening_fields ?? null,
      ]),
    ];
    const findings =
      s.verdict.findings.length === 0
        ? NO_FINDINGS
        : s.verdict.findings.map((f) => ({ rule: I.of(f.rule), severity: I.of(f.severity), controls: I.all(f.controls) }));
    const indexed = new GrantChange(ref, s.merge_sha, findings, this.details, detail);
    this.grantChangeByMergeSha.set(s.merge_sha, indexed);
    this.grantChangeByKey.set(ref.key, indexed);
    for (const path of new Set(s.changes.map((c) => c.path))) push(this.byPath, path, indexed);
  }

  /**
   * Frees the memory of the grant-change details outside the heap, once the binder needs nothing
   * more from the index (reading a detail afterwards throws).
   */
  release(): void {
    this.details.release();
  }

  /** Sorts the per-entry lists by seq; call once after the last `add`. */
  finish(): this {
    if (this.finished) return this;
    this.finished = true;
    for (const list of this.byPath.values()) list.sort((a, b) => a.ref.seq - b.ref.seq);
    for (const list of this.reviewItemsByPath.values()) list.sort((a, b) => a.ref.seq - b.ref.seq);
    for (const list of this.provisionedByChange.values()) list.sort((a, b) => a.ref.seq - b.ref.seq);
    this.campaigns.sort((a, b) => a.ref.seq - b.ref.seq);
    this.unapproved.sort((a, b) => a.ref.seq - b.ref.seq);
    this.left.sort((a, b) => a.ref.seq - b.ref.seq);
    this.snapshots.sort((a, b) => a.ref.seq - b.ref.seq);
    return this;
  }

  /** Grant-change records that touched this entry (any action), oldest first. */
  entryHistory(path: string, system: string, role: string): IndexedGrantChange[] {
    // From the file's own history (a handful of records), rather than an index of its own: an
    // index by entry costs a key string and a list for each of 200,000 entries.
    return this.pathHistory(path).filter((gc) => namesEntry(gc, path, system, role));
  }

  /** Grant-change records that touched this file, oldest first. */
  pathHistory(path: string): IndexedGrantChange[] {
    return this.byPath.get(path) ?? [];
  }

  /**
   * A grant file moved to `to` from `from` under the same name (git history shows it; the ledger
   * records the move as a change of the new path only): the record that added an entry before the
   * move is found under the old path.
   */
  moved(to: string, from: string): void {
    if (to !== from && !this.movedFrom.has(to)) this.movedFrom.set(to, from);
  }

  /** The path a file had before it was moved to `path`, if it was. */
  previousPath(path: string): string | undefined {
    return this.movedFrom.get(path);
  }

  /**
   * The latest record that added this entry, optionally only up to a point in time; for a file
   * moved under the same name, the record that added it at its earlier path.
   */
  approvalRecord(path: string, system: string, role: string, until?: string): IndexedGrantChange | null {
    const seen = new Set<string>();
    for (let at: string | undefined = path; at !== undefined && !seen.has(at); at = this.movedFrom.get(at)) {
      seen.add(at);
      let found: IndexedGrantChange | null = null;
      for (const gc of this.pathHistory(at)) {
        if (!namesEntry(gc, at, system, role)) continue;
        if (until && gc.ref.occurred_at > until) break;
        if (gc.entries.some((e) => e.path === at && e.system === system && e.role === role && e.action === 'added')) found = gc;
      }
      if (found) return found;
    }
    return null;
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
