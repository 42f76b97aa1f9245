/**
 * The ledger as the binder needs it: records taken one at a time (so 100,000 never sit in memory
 * as full JSON) and kept as the few fields the populations and chains join on. Pure.
 */
import type {
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
import { recordPath, type SealedRecord } from '../ledger/record.ts';

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
}

export interface IndexedGrantChange {
  ref: RecordRef;
  pr: PullRequestRef;
  merge_sha: string;
  head_sha: string;
  reviews: ReviewRecord[];
  commit_authors: string[];
  approvals: SystemApproval[];
  verdict: 'pass' | 'fail';
  policy_sha: string;
  verdict_findings: { rule: string; severity: string; controls: string[] }[];
  entries: GrantChangeEntry[];
  paths: string[];
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

function refOf(r: SealedRecord): RecordRef {
  let path: string;
  try {
    path = recordPath(r);
  } catch {
    path = `records/?/${r.key}.json`;
  }
  return { seq: r.seq, hash: r.hash, key: r.key, kind: r.kind, path, occurred_at: r.occurred_at };
}

const entryKey = (path: string, system: string, role: string): string => `${path}\u0000${system}\u0000${role}`;

export class LedgerIndex {
  count = 0;
  readonly byKind = new Map<string, number>();
  readonly grantChangeByMergeSha = new Map<string, IndexedGrantChange>();
  readonly grantChangeByKey = new Map<string, IndexedGrantChange>();
  /** Grant-change records naming a path + system + role, in seq order once `finish()` ran. */
  private readonly byEntry = new Map<string, IndexedGrantChange[]>();
  /** Grant-change records naming a file, in seq order once `finish()` ran. */
  private readonly byPath = new Map<string, IndexedGrantChange[]>();
  readonly provisionedByChange = new Map<string, IndexedProvisioned[]>();
  readonly reviewItemsByPath = new Map<string, IndexedReviewItem[]>();
  readonly campaigns: IndexedCampaign[] = [];
  readonly leftByLogin = new Map<string, IndexedLeft[]>();
  readonly leftByPath = new Map<string, IndexedLeft[]>();
  readonly left: IndexedLeft[] = [];
  readonly unapproved: IndexedUnapproved[] = [];
  readonly unapprovedByChange = new Map<string, IndexedUnapproved>();
  /** Records whose subject did not have the shape of its kind (reported as gaps, never dropped silently). */
  readonly malformed: RecordRef[] = [];
  repository: string | null = null;
  private finished = false;

  add(record: SealedRecord): void {
    this.count++;
    this.byKind.set(record.kind, (this.byKind.get(record.kind) ?? 0) + 1);
    if (typeof record.repository === 'string' && !this.repository) this.repository = record.repository;
    const ref = refOf(record);
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
    const entries: GrantChangeEntry[] = [];
    for (const c of s.changes) {
      for (const e of c.entries) {
        entries.push({ path: c.path, identity: c.identity, file_action: c.action, system: e.system, role: e.role, privileged: e.privileged, action: e.action });
      }
    }
    const indexed: IndexedGrantChange = {
      ref,
      pr: s.pr,
      merge_sha: s.merge_sha,
      head_sha: s.head_sha,
      reviews: s.reviews,
      commit_authors: s.commit_authors,
      approvals: s.verdict.approvals,
      verdict: s.verdict.result,
      policy_sha: s.verdict.policy_sha,
      verdict_findings: s.verdict.findings.map((f) => ({ rule: f.rule, severity: f.severity, controls: f.controls })),
      entries,
      paths: s.changes.map((c) => c.path),
    };
    this.grantChangeByMergeSha.set(s.merge_sha, indexed);
    this.grantChangeByKey.set(ref.key, indexed);
    for (const e of entries) push(this.byEntry, entryKey(e.path, e.system, e.role), indexed);
    for (const path of new Set(indexed.paths)) push(this.byPath, path, indexed);
  }

  /** Sorts the per-entry lists by seq; call once after the last `add`. */
  finish(): this {
    if (this.finished) return this;
    this.finished = true;
    for (const list of this.byEntry.values()) list.sort((a, b) => a.ref.seq - b.ref.seq);
    for (const list of this.byPath.values()) list.sort((a, b) => a.ref.seq - b.ref.seq);
    for (const list of this.reviewItemsByPath.values()) list.sort((a, b) => a.ref.seq - b.ref.seq);
    for (const list of this.provisionedByChange.values()) list.sort((a, b) => a.ref.seq - b.ref.seq);
    this.campaigns.sort((a, b) => a.ref.seq - b.ref.seq);
    this.unapproved.sort((a, b) => a.ref.seq - b.ref.seq);
    this.left.sort((a, b) => a.ref.seq - b.ref.seq);
    return this;
  }

  /** Grant-change records that touched this entry (any action), oldest first. */
  entryHistory(path: string, system: string, role: string): IndexedGrantChange[] {
    return this.byEntry.get(entryKey(path, system, role)) ?? [];
  }

  /** Grant-change records that touched this file, oldest first. */
  pathHistory(path: string): IndexedGrantChange[] {
    return this.byPath.get(path) ?? [];
  }

  /** The latest record that added this entry, optionally only up to a point in time. */
  approvalRecord(path: string, system: string, role: string, until?: string): IndexedGrantChange | null {
    let found: IndexedGrantChange | null = null;
    for (const gc of this.entryHistory(path, system, role)) {
      if (until && gc.ref.occurred_at > until) break;
      if (gc.entries.some((e) => e.path === path && e.system === system && e.role === role && e.action === 'added')) found = gc;
    }
    return found;
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
