/**
 * The evidence chain of a sampled item: request → approvals → merge → provisioning → reviews
 * since → removal, each step with its ledger record (seq and hash) and its GitHub link. Steps the
 * evidence does not show are listed as gaps, never left out silently.
 */
import type { System } from '../model/types.ts';
import type { ProvisionedSubject, ReviewState } from '../ledger/kinds.ts';
import type { PopulationId } from './columns.ts';
import type { IndexedGrantChange, LedgerIndex, RecordRef } from './ledger-index.ts';
import { gitLink, type RemovalRef } from './populations/shared.ts';
import { gapsOfCell } from './gaps.ts';
import { notCountedReasons, reasonFromRecord, reasonPhrase, type NotCounted } from '../approvals/reasons.ts';
import type { ExportParams, Row, SampleSpec } from './types.ts';

export interface ChainRecord {
  role: string;
  seq: number;
  hash: string;
  kind: string;
  key: string;
  path: string;
  url: string | null;
}

export interface ChainApproval {
  reviewer: string;
  state: ReviewState;
  at: string;
  commit: string;
  reviewed_commit_is_merged_head: boolean;
  counted: boolean;
  /** Why it counted (the system file that lists the reviewer), or why not, in the gate's words. */
  eligible_because: string;
  /** Why it did not count (src/core/approvals/reasons.ts), when it did not. */
  not_counted?: NotCounted;
}

export interface EvidenceChain {
  population: PopulationId;
  row: number;
  draw: number;
  item: { identity: string | null; kind: string | null; path: string | null; system: string | null; role: string | null; login?: string; account?: string };
  request: { pr: number; title: string; url: string; author: string; opened_at: string } | null;
  approvals: ChainApproval[];
  merge: { at: string | null; by: string | null; commit: string; url: string | null } | null;
  provisioning: { run_id: number; url: string; conclusion: string; completed_at: string; workflow: string }[];
  reviews_since: { reviewed_on: string; system: string; reviewers: string[]; outcome: string; pr: number; url: string; seq: number }[];
  removal: { at: string; commit: string | null; pr: number | null; url: string | null; seq: number | null } | null;
  /** For left-org items: each grant that named the login and what became of it. */
  affected?: { path: string; role: string; removed_at: string | null; pr: number | null }[];
  ledger: ChainRecord[];
  gaps: string[];
}

const str = (c: Row[string] | undefined): string | null => (c === null || c === undefined || c === '' ? null : String(c));

export class ChainBuilder {
  private readonly p: ExportParams;
  private readonly ledger: LedgerIndex;
  private readonly systems: Map<string, System>;
  private readonly removalRows: readonly RemovalRef[];
  private readonly granteeApprovers: ReadonlyMap<string, ReadonlySet<string>>;

  /** `granteeApprovers`: for records without the gate's judgement, the approvers a changed grant names, by merge commit. */
  constructor(
    params: ExportParams,
    ledger: LedgerIndex,
    systems: Map<string, System>,
    removalRows: readonly RemovalRef[],
    granteeApprovers: ReadonlyMap<string, ReadonlySet<string>> = new Map(),
  ) {
    this.p = params;
    this.ledger = ledger;
    this.systems = systems;
    this.removalRows = removalRows;
    this.granteeApprovers = granteeApprovers;
  }

  private recordOf(ref: RecordRef, role: string): ChainRecord {
    return { role, seq: ref.seq, hash: ref.hash, kind: ref.kind, key: ref.key, path: ref.path, url: gitLink(this.p, 'ledger', ref.path) };
  }

  /** The chains of one population's sample; `rows` are the sampled rows, in draw order. */
  chainsFor(population: PopulationId, sample: SampleSpec, rows: readonly Row[]): EvidenceChain[] {
    return sample.rows.map((rowIndex, draw) => this.chain(population, rows[draw]!, rowIndex, draw));
  }

  private chain(population: PopulationId, row: Row, rowIndex: number, draw: number): EvidenceChain {
    const path = str(row.path);
    const system = str(row.system);
    const role = str(row.role);
    const chain: EvidenceChain = {
      population,
      row: rowIndex,
      draw,
      item: { identity: str(row.identity), kind: str(row.kind), path, system, role },
      request: null,
      approvals: [],
      merge: null,
      provisioning: [],
      reviews_since: [],
      removal: null,
      ledger: [],
      // Exactly the row's gaps: what a chain shows missing is what its population counts.
      gaps: gapsOfCell(row.gaps),
    };
    const asOfEnd = `${this.p.asOf}T23:59:59Z`;
    let anchor: IndexedGrantChange | null = null;
    const byCommit = (c: Row[string] | undefined) => (typeof c === 'string' ? (this.ledger.grantChangeByMergeSha.get(c) ?? null) : null);
    switch (population) {
      case 'gaps':
        return chain;
      case 'grant-changes':
      case 'additions':
      case 'modifications':
      case 'movers':
      case 'system-changes':
        anchor = byCommit(row.commit);
        break;
      case 'removals': {
        const removal = byCommit(row.commit);
        anchor = path && system && role ? this.ledger.approvalRecord(path, system, role, str(row.removed_at) ?? undefined) : null;
        chain.removal = {
          at: String(row.removed_at),
          commit: str(row.commit),
          pr: removal?.pr.number ?? null,
          url: removal?.pr.url ?? null,
          seq: removal?.ref.seq ?? null,
        };
        if (removal) chain.ledger.push(this.recordOf(removal.ref, 'removal'));
        const campaign = removal ? this.ledger.campaignByPr.get(removal.pr.number) : undefined;
        if (campaign && path && campaign.subject.items.removed.some((i) => i.path === path && i.role === role))
          chain.ledger.push(this.recordOf(campaign.ref, 'removal (review-campaign)'));
        break;
      }
      case 'inventory':
      case 'privileged':
        anchor = path && system && role ? this.ledger.approvalRecord(path, system, role, asOfEnd) : null;
        break;
      case 'non-human':
      case 'exceptions':
        anchor = path
          ? (this.ledger
              .pathHistory(path)
              .filter((gc) => gc.ref.occurred_at <= asOfEnd)
              .at(-1) ?? null)
          : null;
        break;
      case 'review-campaigns':
        anchor = path && system && role ? this.ledger.approvalRecord(path, system, role, str(row.merged_at) ?? undefined) : null;
        break;
      case 'unapproved-merges': {
        const u = this.ledger.unapproved.find((x) => x.ref.seq === row.ledger_seq);
        anchor = u ? (this.ledger.grantChangeByKey.get(u.subject.grant_change_key) ?? null) : null;
        if (u) chain.ledger.push(this.recordOf(u.ref, 'unapproved-merge'));
        chain.item = { identity: null, kind: null, path: anchor?.paths.join(', ') ?? null, system: null, role: null };
        break;
      }
      case 'completeness': {
        // The listing, and the record that resolved the difference (a grant change, or a later listing).
        chain.item = { identity: str(row.identity), kind: null, path, system, role: null, ...(str(row.account) ? { account: String(row.account) } : {}) };
        const listing = this.ledger.snapshots.find((x) => x.ref.seq === row.snapshot_seq);
        if (listing) chain.ledger.push(this.recordOf(listing.ref, 'listing (access-snapshot)'));
        const resolved = typeof row.resolved_seq === 'number' ? row.resolved_seq : null;
        const change = resolved === null ? undefined : this.ledger.grantChangeByKey.get(String(row.resolved_by));
        if (change) this.fillFromGrantChange(chain, change, system);
        else if (resolved !== null) {
          const later = this.ledger.snapshots.find((x) => x.ref.seq === resolved);
          if (later) chain.ledger.push(this.recordOf(later.ref, 'later listing'));
        }
        return chain;
      }
      case 'left-org': {
        const l = this.ledger.left.find((x) => x.ref.seq === row.ledger_seq);
        chain.item = { identity: null, kind: null, path: null, system: null, role: null, login: String(row.login) };
        if (l) {
          chain.ledger.push(this.recordOf(l.ref, 'identity-left-org'));
          chain.affected = l.subject.affected_grants.map((g) => {
            const removed = this.removalRows.find((r) => r.path === g.path && r.file_removed && r.removed_at >= l.subject.left_at);
            return { path: g.path, role: g.role, removed_at: removed ? removed.removed_at : null, pr: removed?.pr ?? null };
          });
        }
        return chain;
      }
    }
    if (anchor)
      this.fillFromGrantChange(
        chain,
        anchor,
        population === 'grant-changes' || population === 'unapproved-merges' || population === 'system-changes' ? null : system,
      );
    if (population !== 'removals' && path) this.findRemoval(chain, anchor, path, system, role);
    if (path) this.findReviews(chain, anchor, path, system, role);
    return chain;
  }

  private fillFromGrantChange(chain: EvidenceChain, gc: IndexedGrantChange, system: string | null): void {
    chain.request = { pr: gc.pr.number, title: gc.pr.title, url: gc.pr.url, author: gc.pr.author, opened_at: gc.pr.created_at };
    chain.merge = { at: gc.pr.merged_at, by: gc.pr.merged_by, commit: gc.merge_sha, url: gitLink(this.p, 'commit', gc.merge_sha) };
    chain.ledger.unshift(this.recordOf(gc.ref, 'approval (grant-change)'));
    const relevant = system === null ? gc.approvals : gc.approvals.filter((a) => a.system === system);
    const countedFor = (login: string) => relevant.filter((a) => a.approved_by.some((l) => l.toLowerCase() === login.toLowerCase())).map((a) => a.system);
    const reasons = reviewReasons(gc, system, relevant, this.granteeApprovers.get(gc.merge_sha));
    gc.reviews.forEach((r, i) => {
      const reason = reasons[i] ?? null;
      const counted = reason === null;
      chain.approvals.push({
        reviewer: r.reviewer,
        state: r.state,
        at: r.submitted_at,
        commit: r.commit_id,
        reviewed_commit_is_merged_head: r.on_head,
        counted,
        eligible_because: counted ? this.eligibility(gc, r.reviewer, countedFor(r.reviewer)) : reasonPhrase(reason, { scope: system ?? 'the systems changed' }),
        ...(reason ? { not_counted: reason } : {}),
      });
    });
    const provs = this.ledger.provisionedByChange.get(gc.ref.key) ?? [];
    chain.provisioning = provs.map((pv) => provisioningStep(pv.subject));
    for (const pv of provs) chain.ledger.push(this.recordOf(pv.ref, 'provisioning'));
    const u = this.ledger.unapprovedByChange.get(gc.ref.key);
    if (u && chain.population !== 'unapproved-merges') chain.ledger.push(this.recordOf(u.ref, 'unapproved-merge'));
  }

  /** Why a counted approval counted: the system file that lists the reviewer, or the team the gate resolved. */
  private eligibility(gc: IndexedGrantChange, reviewer: string, countedFor: string[]): string {
    const login = reviewer.toLowerCase();
    const listed = countedFor.filter((s) => (this.systems.get(s)?.approvers ?? []).some((a) => a.toLowerCase() === login));
    const how =
      listed.length > 0
        ? `listed in ${listed.map((s) => `systems/${s}.yaml`).join(', ')} approvers`
        : 'a member of an approver team of the system (as the gate resolved it at merge)';
    return `counted by the gate's merge-time verdict for ${countedFor.join(', ')} (policy at ${gc.policy_sha.slice(0, 12)}): ${how}`;
  }

  /**
   * The removal of what the chain follows, when it was removed: the ledger's record of it, found
   * by the entry (or, for a whole file, the file's deletion), else by the commit that removed it,
   * so a removal made by a recorded pull request always links its record (a role change, a move,
   * a deleted file, an entry removed in a review campaign).
   */
  private findRemoval(chain: EvidenceChain, anchor: IndexedGrantChange | null, path: string, system: string | null, role: string | null): void {
    const after = anchor?.ref.seq ?? 0;
    const history = system && role ? this.ledger.entryHistory(path, system, role) : this.ledger.pathHistory(path);
    const gc = history.find(
      (h) =>
        h.ref.seq > after &&
        h.entries.some(
          (e) => e.path === path && (system && role ? e.system === system && e.role === role && e.action === 'removed' : e.file_action === 'removed'),
        ),
    );
    if (gc) {
      chain.removal = { at: gc.pr.merged_at ?? gc.ref.occurred_at, commit: gc.merge_sha, pr: gc.pr.number, url: gc.pr.url, seq: gc.ref.seq };
      chain.ledger.push(this.recordOf(gc.ref, 'removal'));
      return;
    }
    const since = anchor?.pr.merged_at ?? '';
    // Without an entry (a file's chain), only the file's deletion ends it: a role changed in it does not.
    const row = this.removalRows.find(
      (r) => r.path === path && (system && role ? r.system === system && r.role === role : r.file_removed) && r.removed_at > since,
    );
    if (!row) return;
    const record = this.ledger.grantChangeByMergeSha.get(row.commit);
    chain.removal = {
      at: row.removed_at,
      commit: row.commit || null,
      pr: record?.pr.number ?? row.pr,
      url: record?.pr.url ?? gitLink(this.p, 'commit', row.commit),
      seq: record?.ref.seq ?? null,
    };
    if (record) chain.ledger.push(this.recordOf(record.ref, 'removal'));
  }

  private findReviews(chain: EvidenceChain, anchor: IndexedGrantChange | null, path: string, system: string | null, role: string | null): void {
    const after = anchor?.ref.seq ?? 0;
    for (const r of this.ledger.reviewItemsByPath.get(path) ?? []) {
      if (r.ref.seq <= after) continue;
      if (system && (r.system !== system || r.item.role !== role)) continue;
      chain.reviews_since.push({
        reviewed_on: r.reviewed_on,
        system: r.system,
        reviewers: r.item.certified_by ?? r.reviewers,
        outcome: r.outcome,
        pr: r.pr.number,
        url: r.pr.url,
        seq: r.ref.seq,
      });
      if (!chain.ledger.some((l) => l.seq === r.ref.seq)) chain.ledger.push(this.recordOf(r.ref, 'review'));
    }
  }
}

/**
 * Why each review of a grant-change record did or did not count, for one system (or all): as the
 * gate judged it at merge when the record says (`not_counted`), else from what the record holds
 * (the author, the committers, bots, the head commit, the approvals the verdict counted).
 */
export function reviewReasons(
  gc: IndexedGrantChange,
  system: string | null,
  relevant = system === null ? gc.approvals : gc.approvals.filter((a) => a.system === system),
  grantees: ReadonlySet<string> = new Set(),
): (NotCounted | null)[] {
  const countedHere = new Set(relevant.flatMap((a) => a.approved_by.map((l) => l.toLowerCase())));
  const required = relevant.some((a) => a.required > 0);
  const recorded = gc.reviews.some((r) => r.not_counted !== undefined);
  if (recorded) {
    // The gate's judgement is about the whole pull request: an approval that counted for another
    // system, or for an item other than this one, does not count for this scope.
    return gc.reviews.map((r) => {
      const reason = r.not_counted ?? null;
      if (reason !== null) return reason;
      if (countedHere.has(r.reviewer.toLowerCase())) return null;
      return required ? 'not-eligible' : 'not-required';
    });
  }
  const author = gc.pr.author.toLowerCase();
  const committers = new Set(gc.commit_authors.map((a) => a.toLowerCase()));
  return notCountedReasons(
    gc.reviews,
    reasonFromRecord({
      excluded: (login) => {
        const l = login.toLowerCase();
        if (/\[bot\]$/.test(l)) return 'bot';
        if (grantees.has(l)) return 'grantee';
        if (l === author) return 'author';
        if (committers.has(l)) return 'committer';
        return undefined;
      },
      counted: (login) => countedHere.has(login.toLowerCase()),
      required,
    }),
  );
}

function provisioningStep(s: ProvisionedSubject): EvidenceChain['provisioning'][number] {
  return { run_id: s.run_id, url: s.run_url, conclusion: s.conclusion, completed_at: s.completed_at, workflow: s.workflow };
}
