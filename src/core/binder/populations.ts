/**
 * Builds every population from plain data: the period's commits (fed one at a time, so file
 * contents are dropped as soon as they are read), the tree as of the as-of day, and the ledger
 * index. Populations are complete and unfiltered: a row that lacks evidence is kept and its gap
 * is named in the row, never dropped.
 */
import { judgeGrantChange } from '../access/compare.ts';
import { loginsOf } from '../access/conferral.ts';
import { addDays, daysBetween } from '../dates.ts';
import { fileStem, roleOf } from '../model/snapshot.ts';
import type { Grant, IsoDate, System } from '../model/types.ts';
import { COLUMNS, type PopulationId } from './columns.ts';
import { changeDiffCommand, changeListCommand, exportCommand, inventoryCommand, ledgerSelectCommand, asOfCommitCommand } from './commands.ts';
import { diffGrant, fieldChanges, type EntryRef, type GrantDiff } from './grant-diff.ts';
import type { IndexedCampaign, IndexedGrantChange, LedgerIndex } from './ledger-index.ts';
import { parseAccessFile, type ParsedFile } from './parse.ts';
import { ChartTally } from './charts.ts';
import { EvidenceMapBuilder, type EvidenceMap } from './evidence-map.ts';
import { AsOfTree } from './findings-as-of.ts';
import { PopulationSink, type PopulationOutput, type PopulationTable } from './population-sink.ts';
import { COMPLETENESS_META, type CompletenessRow } from './completeness.ts';
import type { AccessCommit, Cell, ExportParams, Frequency, Population, Row, TreeFile } from './types.ts';
import type { ReviewFlag, ReviewItem } from '../ledger/kinds.ts';
import { gap, gapCell, type Gap, type GapKind } from './gaps.ts';
import { flagWords } from '../reviews/campaign.ts';

export interface InventoryGrant {
  path: string;
  blob: string;
  grant: Grant | null;
  problem: string | null;
}

export interface InventorySystem {
  path: string;
  blob: string;
  system: System | null;
  problem: string | null;
}

interface PopulationMeta {
  title: string;
  question: string;
  unit: string;
  frequency: Frequency;
  controls: string[];
}

export const POPULATION_META: Record<PopulationId, PopulationMeta> = {
  gaps: {
    title: 'Gaps: every exception of the period',
    question: 'What evidence is missing, and where? Every gap of every row of the other populations, so the exceptions can be examined first.',
    unit: 'one row per gap of a row of another population (in the order the rows were made; filter by population or kind)',
    frequency: 'index',
    controls: [],
  },
  'grant-changes': {
    title: 'All grant changes',
    question: 'Which access changes reached the access repo in the period, and was each recorded with its pull request?',
    unit: 'one row per grant file changed per commit on the access branch',
    frequency: 'event-driven',
    controls: ['SOC2:CC6.3', 'SOC2:CC8.1', 'NIST-CSF-2.0:PR.AA-05', 'ISO27001:A.5.18', 'CIS-v8:6.1', 'CIS-v8:6.2'],
  },
  additions: {
    title: 'Additions (new access)',
    question: 'Who was granted what, when was it requested, who approved it and when, and when was it merged and provisioned?',
    unit: 'one row per access entry added (a new file, or a new system and role in an existing file)',
    frequency: 'event-driven',
    controls: ['SOC2:CC6.2', 'SOC2:CC6.3', 'SOC2:CC8.1', 'NIST-CSF-2.0:PR.AA-05', 'ISO27001:A.5.18', 'CIS-v8:6.1'],
  },
  removals: {
    title: 'Removals',
    question: 'What access was removed, when, and how long after it stopped being authorized?',
    unit: 'one row per access entry removed (an entry deleted, or a whole file deleted)',
    frequency: 'event-driven',
    controls: ['SOC2:CC6.2', 'SOC2:CC6.3', 'NIST-CSF-2.0:PR.AA-01', 'NIST-CSF-2.0:GV.RR-04', 'OWASP-NHI:NHI1:2025', 'ISO27001:A.5.18', 'CIS-v8:6.2'],
  },
  modifications: {
    title: 'Modifications',
    question: 'Which existing grants were changed, field by field, and who approved each change?',
    unit: 'one row per changed field of a changed grant file (access entries by system and role)',
    frequency: 'event-driven',
    controls: ['SOC2:CC6.3', 'SOC2:CC8.1', 'NIST-CSF-2.0:PR.AA-05', 'ISO27001:A.5.18'],
  },
  movers: {
    title: 'Movers',
    question: 'Who changed team in the period, which access did they keep, add and lose, and who approved the access they kept?',
    unit: 'one row per change of a person\'s identity.team (a team recorded for the first time is not a move)',
    frequency: 'event-driven',
    controls: ['SOC2:CC6.2', 'SOC2:CC6.3', 'NIST-CSF-2.0:PR.AA-05', 'ISO27001:A.5.18', 'CIS-v8:6.2'],
  },
  privileged: {
    title: 'Privileged access',
    question: 'Who holds privileged access on the as-of day, until when, and where is its approval recorded?',
    unit: 'one row per privileged access entry in the tree as of the as-of day',
    frequency: 'point-in-time',
    controls: ['SOC2:CC6.3', 'NIST-CSF-2.0:PR.AA-05', 'ISO27001:A.8.2', 'OWASP-NHI:NHI5:2025', 'CIS-v8:6.5', 'CIS-v8:6.8'],
  },
  'non-human': {
    title: 'Non-human identities',
    question: 'Which non-human identities exist, who owns each, what credential it uses, and when was it last rotated?',
    unit: 'one row per non-human grant file in the tree as of the as-of day',
    frequency: 'point-in-time',
    controls: ['SOC2:CC6.1', 'NIST-CSF-2.0:PR.AA-01', 'NIST-CSF-2.0:ID.AM-02', 'OWASP-NHI:NHI4:2025', 'OWASP-NHI:NHI7:2025', 'ISO27001:A.5.17', 'CIS-v8:5.5'],
  },
  exceptions: {
    title: 'Exceptions and shared accounts',
    question: 'Which deviations from policy exist, with which compensating controls, approved by whom, and until when?',
    unit: 'one row per exception block and one per shared account, in the tree as of the as-of day',
    frequency: 'point-in-time',
    controls: ['NIST-CSF-2.0:ID.RA-07', 'NIST-CSF-2.0:PR.AA-02', 'OWASP-NHI:NHI10:2025', 'SOC2:CC6.3'],
  },
  'review-campaigns': {
    title: 'Access review items',
    question: 'Which access reviews were completed in the period, by whom, what did each reviewer have to decide on, and what happened to each item?',
    unit: 'one row per item (kept, changed, removed or not reviewed) of each review-campaign record in the period, and per access entry of a grant whose review block was certified outside a campaign',
    frequency: 'quarterly',
    controls: ['SOC2:CC6.2', 'SOC2:CC6.3', 'NIST-CSF-2.0:PR.AA-05', 'OWASP-NHI:NHI5:2025', 'ISO27001:A.5.18', 'CIS-v8:5.5', 'CIS-v8:6.8'],
  },
  'unapproved-merges': {
    title: 'Unapproved merges',
    question: 'Which access changes were merged although the policy would have refused them, and why?',
    unit: 'one row per unapproved-merge record in the period',
    frequency: 'deviation',
    controls: ['SOC2:CC6.2', 'SOC2:CC8.1', 'NIST-CSF-2.0:ID.RA-07', 'ISO27001:A.5.18'],
  },
  'left-org': {
    title: 'People who left the organization',
    question: 'Who left the organization in the period, and which grants named them?',
    unit: 'one row per identity-left-org record in the period',
    frequency: 'event-driven',
    controls: ['SOC2:CC6.2', 'NIST-CSF-2.0:GV.RR-04', 'OWASP-NHI:NHI1:2025', 'CIS-v8:6.2'],
  },
  'system-changes': {
    title: 'System definition changes',
    question: 'Which systems, owners, approver lists and evidence sources changed in the period?',
    unit: 'one row per system file changed per commit on the access branch',
    frequency: 'event-driven',
    controls: ['SOC2:CC8.1', 'NIST-CSF-2.0:GV.RR-02', 'NIST-CSF-2.0:ID.AM-02'],
  },
  inventory: {
    title: 'Inventory as of the as-of day',
    question: 'Who had access to what on the as-of day (from git history, not today\'s files)?',
    unit: 'one row per access entry of every grant file in the tree as of the as-of day (one row with an empty system for a file without entries)',
    frequency: 'point-in-time',
    controls: ['SOC2:CC6.1', 'NIST-CSF-2.0:PR.AA-01', 'NIST-CSF-2.0:ID.AM-02', 'ISO27001:A.5.15', 'ISO27001:A.5.16', 'CIS-v8:5.1'],
  },
  completeness: COMPLETENESS_META,
};

export const POPULATION_ORDER: readonly PopulationId[] = [
  'gaps',
  'grant-changes',
  'additions',
  'removals',
  'modifications',
  'movers',
  'privileged',
  'non-human',
  'exceptions',
  'review-campaigns',
  'unapproved-merges',
  'left-org',
  'system-changes',
  'inventory',
  'completeness',
];

const yesNo = (b: boolean | null | undefined): Cell => (b === null || b === undefined ? null : b ? 'yes' : 'no');

/** standing, or JIT with its window and who approves each activation: `JIT (max 4 h, approved by @acme/oncall)`. */
export function accessPath(entry: { jit?: { max_duration_hours: number; approvers?: string[] } }): string {
  if (!entry.jit) return 'standing';
  const approvers = entry.jit.approvers?.length ? `, approved by ${entry.jit.approvers.join(', ')}` : '';
  return `JIT (max ${entry.jit.max_duration_hours} h${approvers})`;
}

/** The JIT columns of an entry: its window and its activation approvers. */
function jitCells(entry: { jit?: { max_duration_hours: number; approvers?: string[] } }): Row {
  return { jit_max_hours: entry.jit?.max_duration_hours ?? null, jit_approvers: entry.jit?.approvers?.join(', ') || null };
}

/** Counted approvals for one system from a merge-time verdict, with the time each was given. */
export interface ApprovalFacts {
  approvers: string[];
  approved_at: string | null;
  on_head: boolean | null;
}

export function approvalFacts(gc: IndexedGrantChange, system: string | null): ApprovalFacts {
  const systems = system === null ? gc.approvals : gc.approvals.filter((a) => a.system === system);
  const approvers = [...new Set(systems.flatMap((a) => a.approved_by))].sort();
  if (approvers.length === 0) return { approvers, approved_at: null, on_head: null };
  let approvedAt: string | null = null;
  let onHead = true;
  for (const login of approvers) {
    const theirs = gc.reviews.filter((r) => r.reviewer.toLowerCase() === login.toLowerCase() && r.state === 'APPROVED');
    const best = theirs.filter((r) => r.on_head).at(-1) ?? theirs.at(-1);
    if (!best) continue;
    if (!best.on_head) onHead = false;
    if (!approvedAt || best.submitted_at > approvedAt) approvedAt = best.submitted_at;
  }
  return { approvers, approved_at: approvedAt, on_head: onHead };
}

export interface ApprovalGapOptions {
  /** The change added this access: it needed a counted approval whatever the record required. */
  needsApproval?: boolean;
  /**
   * Provisioning is evidence of this row: a missing or failed provisioning run is a gap. Only where
   * provisioning is recorded at all (a workflow configured, or a run recorded): without one, the
   * summary says once that the ledger holds no provisioning evidence.
   */
  provisioning?: boolean;
  /** An unapproved-merge record of the same merge is a gap (not for the unapproved-merges population itself). */
  unapproved?: boolean;
}

/**
 * What a grant-change record fails to show for one system (or all, for null): a counted approval,
 * every required approval, approvals on the merged head and before the merge, a passing verdict,
 * and, as asked, provisioning and no unapproved-merge record. The populations' rows and the chains
 * of their samples both show these, in these words.
 */
export function approvalGaps(ledger: LedgerIndex, gc: IndexedGrantChange, system: string | null, options: ApprovalGapOptions = {}): Gap[] {
  const gaps: Gap[] = [];
  const relevant = system === null ? gc.approvals : gc.approvals.filter((a) => a.system === system);
  const facts = approvalFacts(gc, system);
  if (facts.approvers.length === 0 && (options.needsApproval || relevant.some((a) => a.required > 0))) gaps.push(gap('no-counted-approval', system ?? 'the systems changed'));
  for (const a of relevant) if (a.missing > 0) gaps.push(gap('approvals-missing', a.system, a.missing, a.required));
  if (facts.on_head === false) gaps.push(gap('approval-on-older-commit'));
  if (facts.approved_at && gc.pr.merged_at && facts.approved_at > gc.pr.merged_at) gaps.push(gap('approved-after-merge'));
  if (gc.verdict === 'fail') gaps.push(gap('gate-failed'));
  if (options.unapproved !== false) {
    const u = ledger.unapprovedByChange.get(gc.ref.key);
    if (u) gaps.push(gap('unapproved-merge', u.subject.cause));
  }
  if (options.provisioning && ledger.provisioningExpected) {
    const provs = ledger.provisionedByChange.get(gc.ref.key) ?? [];
    if (provs.length === 0) gaps.push(gap('no-provisioning-record'));
    else if (!provs.some((pv) => pv.subject.conclusion === 'success')) gaps.push(gap('provisioning-failed'));
  }
  return gaps;
}

/** The review bookkeeping of a grant file (`review.last_reviewed`, `review.reviewer`, `review.campaign`): a certification, not an access change. */
export const isReviewField = (field: string): boolean => field === 'review' || field.startsWith('review.');

export const OUTSIDE_CAMPAIGN = '(outside a campaign)';

/** A review item's flags in words: `grantee eford left the organization; expired on 2026-11-30`. */
export function flagsText(flags: readonly ReviewFlag[]): string | null {
  return flags.map(flagWords).join('; ') || null;
}

function gitLink(p: ExportParams, kind: 'commit' | 'ledger', target: string): string | null {
  if (!p.repository) return null;
  const web = `${(p.serverUrl ?? 'https://github.com').replace(/\/+$/, '')}/${p.repository}`;
  return kind === 'commit' ? `${web}/commit/${target}` : `${web}/blob/${p.ledgerBranch}/${target}`;
}
export { gitLink };

/** Where each population's text goes (see PopulationOutput). */
export type PopulationOutputs = (id: PopulationId) => PopulationOutput;

/** What chains need of a removal row (the removals population can be as large as the additions). */
export interface RemovalRef {
  path: string;
  system: string;
  role: string;
  removed_at: string;
  commit: string;
  pr: number | null;
  /** The whole grant file was deleted (not only this entry). */
  file_removed: boolean;
}

/** Same order as String#localeCompare (default locale and options), without its per-call cost. */
export const localeOrder = new Intl.Collator().compare;

/**
 * Builds the populations while commits and tree files stream in: first the period's commits
 * (`addCommit`), then the as-of tree (`addSystemFile` for every system, then `addGrantFile` for
 * every grant in path order), then `finish`. Each row is handed to its population's sink as soon
 * as it is made (and so written out), and a grant file is dropped once its rows and evidence-map
 * entries are made; what grows with the repo is the evidence map's entries and the removal
 * references the evidence chains look up.
 *
 * Every row's gaps are named in its `gaps` cell and, as they are made, listed as rows of the
 * `gaps` population (src/core/binder/gaps.ts has the words).
 */
export class PopulationBuilder {
  private readonly sinks: Record<PopulationId, PopulationSink>;
  readonly charts: ChartTally;
  readonly removalRefs: RemovalRef[] = [];
  /** The system files of the as-of tree, in path order. */
  readonly systems: InventorySystem[] = [];
  private readonly systemIds = new Set<string>();
  private treeStarted = false;
  private readonly map: EvidenceMapBuilder;
  /** The as-of tree as parsed here, kept for the rules (which run once the ledger index is gone). */
  readonly tree = new AsOfTree();
  commits = 0;
  /** Grant files removed in the period, by path (for the left-org population). */
  private readonly removedPaths = new Set<string>();
  /** Grant files moved in the period: old path → new path (a leaver's grant is looked for where it went). */
  private readonly movedTo = new Map<string, string>();
  /** `path\0login` of each grant that still names a login of an identity-left-org record on the as-of day. */
  private readonly stillNamed = new Set<string>();
  /** Gaps counted per population and kind. */
  private readonly gapKinds = new Map<PopulationId, Map<GapKind, number>>();
  /** Certifications of review blocks outside a review campaign (rows of review-campaigns). */
  private outsideCampaign = 0;
  /**
   * For records written before the ledger kept the gate's judgement of each review: merge commit →
   * the approving reviewers a changed grant names (who could not approve their own access).
   */
  readonly granteeApprovers = new Map<string, Set<string>>();

  readonly params: ExportParams;
  readonly ledger: LedgerIndex;

  constructor(params: ExportParams, ledger: LedgerIndex, outputs: PopulationOutputs) {
    this.params = params;
    this.ledger = ledger;
    ledger.provisioningExpected ||= Boolean(params.provisioningWorkflow) || ledger.provisionedByChange.size > 0;
    this.sinks = Object.fromEntries(POPULATION_ORDER.map((id) => [id, new PopulationSink(COLUMNS[id], outputs(id))])) as Record<PopulationId, PopulationSink>;
    this.charts = new ChartTally(params.period.from, params.period.to, params.asOf);
    this.map = new EvidenceMapBuilder(params, ledger.pool);
  }

  /**
   * Hands a row to its population; with `gaps`, sets its `gaps` cell and lists each gap in the
   * `gaps` population, pointing at the row by its number.
   */
  private emit(id: PopulationId, row: Row, gaps?: readonly Gap[]): void {
    if (gaps) {
      row.gaps = gapCell(gaps);
      if (gaps.length > 0) {
        const number = this.sinks[id].count + 1;
        let tally = this.gapKinds.get(id);
        if (!tally) this.gapKinds.set(id, (tally = new Map()));
        for (const g of gaps) {
          tally.set(g.kind, (tally.get(g.kind) ?? 0) + 1);
          this.sinks.gaps.add({
            population: id,
            row: number,
            identity: row.identity ?? row.login ?? null,
            system: row.system ?? null,
            role: row.role ?? null,
            path: row.path ?? null,
            pr: row.pr ?? null,
            ledger_seq: row.ledger_seq ?? null,
            kind: g.kind,
            gap: g.text,
          });
        }
      }
    }
    this.sinks[id].add(row);
    if (id === 'additions') this.charts.addition(row);
    else if (id === 'removals') {
      this.charts.removal(row);
      // Pooled: the row's system and role are slices of the grant file's text.
      const pool = this.ledger.pool;
      this.removalRefs.push({
        path: String(row.path),
        system: pool.of(String(row.system)),
        role: pool.of(String(row.role)),
        removed_at: String(row.removed_at),
        commit: String(row.commit),
        pr: typeof row.pr === 'number' ? row.pr : null,
        file_removed: this.fileRemoved,
      });
    } else if (id === 'inventory') this.charts.inventory(row);
  }

  /** Whether the removal being emitted deleted its whole file. */
  private fileRemoved = false;

  /** What the page embeds of a population's rows (after `finish`). */
  table(id: PopulationId): PopulationTable {
    return this.sinks[id].finish();
  }

  private prCells(gc: IndexedGrantChange | undefined): Row {
    return {
      pr: gc?.pr.number ?? null,
      pr_url: gc?.pr.url ?? null,
      pr_author: gc?.pr.author ?? null,
      requested_at: gc?.pr.created_at ?? null,
    };
  }

  private ledgerCells(gc: IndexedGrantChange | undefined): Row {
    return { ledger_seq: gc?.ref.seq ?? null, ledger_hash: gc?.ref.hash ?? null };
  }

  addCommit(commit: AccessCommit): void {
    this.commits++;
    const gc = this.ledger.grantChangeByMergeSha.get(commit.sha);
    const { files, moves } = pairMovedGrants(commit.files);
    for (const [to, from] of moves) {
      this.ledger.moved(to, from);
      this.movedTo.set(from, to);
    }
    for (const file of files) {
      const role = roleOf(file.path);
      if (role === 'grant') this.addGrantFileChange(commit, file, gc);
      else if (role === 'system') this.addSystemFileChange(commit, file, gc);
    }
  }

  private addSystemFileChange(commit: AccessCommit, file: AccessCommit['files'][number], gc: IndexedGrantChange | undefined): void {
    const before = parseAccessFile<System>(file.before, 'system');
    const after = parseAccessFile<System>(file.after, 'system');
    const fields = fieldChanges(before.data ?? {}, after.data ?? {}).map((f) => f.field);
    this.emit(
      'system-changes',
      {
        commit: commit.sha,
        changed_at: commit.committed_at,
        path: file.path,
        system: after.data?.id ?? before.data?.id ?? fileStem(file.path),
        action: file.action,
        fields: fields.join('; ') || '(file)',
        pr: gc?.pr.number ?? null,
        pr_url: gc?.pr.url ?? null,
        ...this.ledgerCells(gc),
      },
      gc ? approvalGaps(this.ledger, gc, null) : [gap('no-ledger-record')],
    );
  }

  /**
   * A person changed team (docs/gate.md, "What a change does": a move). The access they keep was
   * approved for the old team; the gate asks its systems' approvers to approve it again, and the
   * row shows whether they did.
   */
  private addMove(git: Row, identity: string, before: Grant | undefined, after: Grant | undefined, diff: GrantDiff, gc: IndexedGrantChange | undefined, gapsFor: (system: string | null, options?: ApprovalGapOptions) => Gap[]): void {
    if (!before || !after || before.identity.kind !== 'human' || after.identity.kind !== 'human') return;
    const team = (g: Grant) => (typeof g.identity.team === 'string' && g.identity.team.trim() !== '' ? g.identity.team.trim() : null);
    const oldTeam = team(before);
    const newTeam = team(after);
    if (oldTeam === null || oldTeam.toLowerCase() === (newTeam ?? '').toLowerCase()) return;
    const entry = (e: { system: string; role: string }) => `${e.system}:${e.role}`;
    const changed = new Set([...diff.added.map((a) => entry(a.entry)), ...diff.removed.map((r) => entry(r.entry))]);
    const kept = after.access.filter((e) => !changed.has(entry(e))).map(entry);
    const systems = [...new Set(after.access.map((e) => e.system))];
    const gaps = gc ? systems.flatMap((s) => gapsFor(s, { needsApproval: true })) : gapsFor(null);
    this.emit(
      'movers',
      {
        identity,
        login: after.identity.github ?? after.identity.email ?? null,
        old_team: oldTeam,
        new_team: newTeam,
        kept: kept.join('; ') || null,
        added: diff.added.map((a) => entry(a.entry)).join('; ') || null,
        removed: diff.removed.map((r) => entry(r.entry)).join('; ') || null,
        approvers: gc ? approvalFacts(gc, null).approvers.join(', ') || null : null,
        gate: gc?.verdict ?? null,
        ...git,
        ...this.prCells(gc),
        merged_at: gc?.pr.merged_at ?? null,
        ...this.ledgerCells(gc),
      },
      [...new Map(gaps.map((g) => [g.text, g])).values()],
    );
  }

  private addGrantFileChange(commit: AccessCommit, file: AccessCommit['files'][number], gc: IndexedGrantChange | undefined): void {
    const before = this.parseGrant(file.before);
    const after = this.parseGrant(file.after);
    const grant = after.data ?? before.data;
    const identity = grant?.identity.id ?? fileStem(file.path);
    const kind = grant?.identity.kind ?? null;
    // A merged file that cannot be read confers nothing known: it neither adds nor removes entries
    // here (the gate asked the admins for it, and the record says so); it shows as one widening row.
    const unreadable = file.after !== null && !after.data;
    const diff = unreadable ? diffGrant(undefined, undefined) : diffGrant(before.data, after.data);
    const merged_at = gc?.pr.merged_at ?? null;
    // The review campaign this merge is, if it is one: its record lists what was certified.
    const campaign = gc ? this.ledger.campaignByPr.get(gc.pr.number) : undefined;
    const changeGaps: Gap[] = [];
    if (!gc) changeGaps.push(gap('no-ledger-record'));
    if (file.before !== null && !before.data) changeGaps.push(gap('unreadable-side', 'before', before.problem ?? 'cannot be read'));
    if (file.after !== null && !after.data) changeGaps.push(gap('unreadable-side', 'after', after.problem ?? 'cannot be read'));
    const gapsFor = (system: string | null, options: ApprovalGapOptions = {}): Gap[] => [...changeGaps, ...(gc ? approvalGaps(this.ledger, gc, system, options) : [])];
    if (gc && !gc.reviews.some((r) => r.not_counted !== undefined)) this.noteGranteeApprovers(gc, before.data, after.data);
    if (file.action === 'removed') this.removedPaths.add(file.path);

    this.emit(
      'grant-changes',
      {
        commit: commit.sha,
        changed_at: commit.committed_at,
        path: file.path,
        identity,
        kind,
        action: file.action,
        before_blob: file.before_blob,
        after_blob: file.after_blob,
        entries_added: diff.added.length,
        entries_removed: diff.removed.length,
        entries_modified: diff.modified.length,
        ...this.prCells(gc),
        merged_at,
        merged_by: gc?.pr.merged_by ?? null,
        gate: gc?.verdict ?? null,
        ...this.ledgerCells(gc),
      },
      gapsFor(null),
    );

    const git = { commit: commit.sha, changed_at: commit.committed_at, path: file.path };
    this.addMove(git, identity, before.data ?? undefined, after.data ?? undefined, diff, gc, gapsFor);
    for (const { entry } of diff.added) this.addAddition(git, identity, after.data!, entry, gc, gapsFor(entry.system, { needsApproval: true, provisioning: true }));
    this.fileRemoved = file.action === 'removed';
    for (const { entry } of diff.removed) this.addRemoval(commit, git, identity, before.data!, entry, gc, campaign);
    this.fileRemoved = false;
    const approvalsFor = (system: string | null): string | null => (gc ? approvalFacts(gc, system).approvers.join(', ') || null : null);
    // What widened: the gate's judgement as the ledger recorded it, else the same judgement made
    // here (src/core/access/compare.ts), so the binder and the gate never disagree.
    const widening =
      gc?.wideningFields(file.path) ??
      judgeGrantChange({
        ...(before.data ? { before: before.data } : {}),
        ...(file.after !== null ? { after: after.data ?? 'unreadable' } : {}),
        systemOf: () => undefined,
        identity,
      }).wideningFields;
    const fieldWidens = (field: string) => widening.some((w) => w === '*' || field === w || field.startsWith(`${w}.`) || field.startsWith(`${w}[`));
    const modRow = (system: string | null, role: string | null, field: string, b: string | null, a: string | null, widens: boolean): Row => ({
      identity,
      kind,
      system,
      role,
      field,
      before: b,
      after: a,
      widens: yesNo(widens),
      ...git,
      ...this.prCells(gc),
      approvers: approvalsFor(system),
      merged_at,
      ...this.ledgerCells(gc),
    });
    let shown = 0;
    for (const m of diff.modified) {
      const index = after.data?.access.indexOf(m.after) ?? -1;
      for (const f of m.fields) {
        const documentation = f.field === 'justification' || f.field === 'request';
        this.emit('modifications', modRow(m.after.system, m.after.role, f.field, f.before, f.after, !documentation && (fieldWidens(`access[${index}]`) || fieldWidens('*'))), gapsFor(m.after.system));
        shown++;
      }
    }
    // Review bookkeeping that certifies (the gate asked for approval of it) is a certification, not
    // an access change: a review campaign's record lists it with who certified each item; outside a
    // campaign it is a review-campaigns row of its own. A review block changed without certifying
    // (a date moved back, a reviewer cleared: the gate needs no approval) stays a modification.
    const certifies = diff.fields.some((f) => isReviewField(f.field)) && (campaign !== undefined || fieldWidens('review'));
    for (const f of diff.fields) {
      if (certifies && isReviewField(f.field)) continue;
      this.emit('modifications', modRow(null, null, f.field, f.before, f.after, fieldWidens(f.field)), gapsFor(null));
      shown++;
    }
    if (certifies && after.data) {
      if (!campaign) this.addCertification(git, after.data, gc, changeGaps);
      shown++;
    }
    // A new grant file that arrives with a review block certifies it as well: the gate asks the
    // admins for it as for any review written outside a campaign, so it is listed the same way.
    if (file.action === 'added' && !campaign && after.data?.review?.last_reviewed && fieldWidens('review')) this.addCertification(git, after.data, gc, changeGaps);
    // A modified file whose change no row above shows (formatting, or a side that cannot be read)
    // still gets a row: every grant change appears in at least one derived population.
    if ((file.action === 'modified' || unreadable) && shown === 0 && diff.added.length === 0 && diff.removed.length === 0) {
      this.emit('modifications', modRow(null, null, '(file)', file.before_blob, file.after_blob, unreadable || fieldWidens('*')), gapsFor(null));
    }
  }

  private noteGranteeApprovers(gc: IndexedGrantChange, before: Grant | null, after: Grant | null): void {
    const approving = new Set(gc.reviews.filter((r) => r.state === 'APPROVED').map((r) => r.reviewer.toLowerCase()));
    if (approving.size === 0) return;
    const own = [...loginsOf(before ?? undefined), ...loginsOf(after ?? undefined)].filter((l) => approving.has(l));
    if (own.length === 0) return;
    const set = this.granteeApprovers.get(gc.merge_sha) ?? new Set<string>();
    for (const l of own) set.add(l);
    this.granteeApprovers.set(gc.merge_sha, set);
  }

  /**
   * A grant's review block certified in an ordinary pull request (not a review campaign): the
   * admins approve it (docs/gate.md). One review-campaigns row per access entry, with the
   * approvals the gate counted for it.
   */
  private addCertification(git: Row, grant: Grant, gc: IndexedGrantChange | undefined, changeGaps: Gap[]): void {
    const reviewers = gc ? approvalFacts(gc, 'admins').approvers : [];
    const mergedAt = gc?.pr.merged_at ?? String(git.changed_at);
    const gaps = [...changeGaps, ...(gc ? approvalGaps(this.ledger, gc, 'admins', { needsApproval: true }) : [])];
    const entries: (Grant['access'][number] | null)[] = grant.access.length > 0 ? grant.access : [null];
    for (const entry of entries) {
      const flags = entry ? this.reviewFlags(String(git.path), entry.expires ?? null, mergedAt) : [];
      this.emit(
        'review-campaigns',
        {
          system: entry?.system ?? null,
          campaign: OUTSIDE_CAMPAIGN,
          reviewed_on: grant.review?.last_reviewed ?? null,
          reviewers: reviewers.join(', ') || null,
          outcome: 'kept',
          flags: flagsText(flags),
          identity: grant.identity.id,
          role: entry?.role ?? null,
          privileged: entry ? yesNo(entry.privileged ?? false) : null,
          expires: entry?.expires ?? null,
          path: String(git.path),
          pr: gc?.pr.number ?? null,
          pr_url: gc?.pr.url ?? null,
          merged_at: gc?.pr.merged_at ?? null,
          ...this.ledgerCells(gc),
        },
        [...gaps, ...keptFlagGaps(flags)],
      );
      this.outsideCampaign++;
    }
  }

  /**
   * Why a review item needed a decision, as of its review's merge: an identity-left-org record of
   * a login the grant named that precedes it, and an expiry before it; with what the record says.
   */
  private reviewFlags(path: string, expires: string | null, mergedAt: string, recorded: readonly ReviewFlag[] = []): ReviewFlag[] {
    const flags: ReviewFlag[] = [...recorded];
    const key = (f: ReviewFlag) => (f.kind === 'left-org' ? `left\u0000${f.login.toLowerCase()}` : 'expired');
    const seen = new Set(flags.map(key));
    for (const l of this.ledger.leftByPath.get(path) ?? []) {
      if (l.subject.left_at > mergedAt) continue;
      for (const g of l.subject.affected_grants) {
        if (g.path !== path) continue;
        const f: ReviewFlag = { kind: 'left-org', login: l.subject.login, as: g.role };
        if (!seen.has(key(f))) {
          seen.add(key(f));
          flags.push(f);
        }
      }
    }
    const day = mergedAt.slice(0, 10);
    if (expires && expires < day && !seen.has('expired')) flags.push({ kind: 'expired', on: expires });
    return flags;
  }

  private addAddition(git: Row, identity: string, grant: Grant, entry: EntryRef['entry'], gc: IndexedGrantChange | undefined, gaps: Gap[]): void {
    const facts = gc ? approvalFacts(gc, entry.system) : null;
    const prov = gc ? (this.ledger.provisionedByChange.get(gc.ref.key) ?? []) : [];
    const lastProv = prov.at(-1);
    const approvedBefore = facts?.approved_at && gc?.pr.merged_at ? facts.approved_at <= gc.pr.merged_at : null;
    this.emit(
      'additions',
      {
        identity,
        kind: grant.identity.kind,
        system: entry.system,
        role: entry.role,
        privileged: yesNo(entry.privileged ?? false),
        access_path: accessPath(entry),
        expires: entry.expires ?? null,
        justification: entry.justification ?? null,
        ticket: entry.request ?? null,
        owner: grant.identity.owner ?? null,
        ...git,
        ...this.prCells(gc),
        approvers: facts?.approvers.join(', ') || null,
        approved_at: facts?.approved_at ?? null,
        approval_on_merged_head: yesNo(facts?.on_head),
        approved_before_merge: yesNo(approvedBefore),
        merged_at: gc?.pr.merged_at ?? null,
        merged_by: gc?.pr.merged_by ?? null,
        provisioned_at: lastProv?.subject.completed_at ?? null,
        provisioning_run: lastProv?.subject.run_url ?? null,
        provisioning_conclusion: lastProv?.subject.conclusion ?? null,
        ...this.ledgerCells(gc),
      },
      gaps,
    );
  }

  private addRemoval(commit: AccessCommit, git: Row, identity: string, grant: Grant, entry: EntryRef['entry'], gc: IndexedGrantChange | undefined, byCampaign: IndexedCampaign | undefined): void {
    const removedAt = gc?.pr.merged_at ?? commit.committed_at;
    const removedDay = removedAt.slice(0, 10);
    const path = String(git.path);
    // Who, having left, made this access unauthorized: the owner, the grantee or a shared holder.
    const logins = new Set([grant.identity.owner, grant.identity.github, ...(grant.shared?.holders ?? [])].filter((l): l is string => typeof l === 'string').map((l) => l.toLowerCase()));
    const candidates = [...(this.ledger.leftByPath.get(path) ?? []), ...[...logins].flatMap((l) => this.ledger.leftByLogin.get(l) ?? [])];
    const left = candidates.filter((c) => c.subject.left_at <= removedAt).sort((a, b) => a.subject.left_at.localeCompare(b.subject.left_at))[0];
    const ends: IsoDate[] = [];
    if (entry.expires && entry.expires < removedDay) ends.push(addDays(entry.expires, 1));
    if (left) ends.push(left.subject.left_at.slice(0, 10));
    const ended = ends.sort()[0] ?? null;
    const inCampaign = (c: IndexedCampaign | undefined) => c?.subject.items.removed.some((i) => i.path === path && i.role === entry.role) === true;
    const campaign = inCampaign(byCampaign) ? byCampaign : gc ? undefined : this.ledger.campaigns.find((c) => c.subject.pr.merged_at === removedAt && inCampaign(c));
    const gaps: Gap[] = [];
    if (!gc && !campaign) gaps.push(gap('removal-unrecorded'));
    if (!this.ledger.approvalRecord(path, entry.system, entry.role, removedAt)) gaps.push(gap('no-approval-record'));
    this.emit(
      'removals',
      {
        identity,
        kind: grant.identity.kind,
        system: entry.system,
        role: entry.role,
        privileged: yesNo(entry.privileged ?? false),
        expires: entry.expires ?? null,
        owner: grant.identity.owner ?? null,
        grantee: grant.identity.github ?? null,
        ...git,
        ...this.prCells(gc),
        removed_at: removedAt,
        via: campaign ? 'review-campaign' : 'pull-request',
        left_org_login: left?.subject.login ?? null,
        left_org_at: left?.subject.left_at ?? null,
        left_org_seq: left?.ref.seq ?? null,
        authorization_ended: ended,
        days_to_remove: ended ? Math.max(0, daysBetween(ended, removedDay)) : null,
        ...this.ledgerCells(gc),
      },
      gaps,
    );
  }

  /** A grant of the history: used for its rows and dropped, so not copied out of its text. */
  private parseGrant(content: string | null): ParsedFile<Grant> {
    return parseAccessFile<Grant>(content, 'grant', { detach: false });
  }

  /**
   * A system file of the tree as of the as-of day. Every system comes before the first grant
   * (`addGrantFile`), in path order: the inventory names the systems that have no file.
   */
  addSystemFile(file: TreeFile): void {
    if (this.treeStarted) throw new Error('system files of the tree must come before its grant files');
    this.inPathOrder(file.path);
    const parsed = parseAccessFile<System>(file.content ?? '', 'system');
    const system: InventorySystem = { path: file.path, blob: file.blob, system: parsed.data, problem: parsed.problem };
    this.systems.push(system);
    this.tree.systems.push(system);
    this.systemIds.add(system.system?.id ?? fileStem(system.path));
    this.map.addSystem(system);
    const id = system.system?.id ?? fileStem(system.path);
    const inPeriod = this.ledger.snapshots.filter((l) => l.subject.system === id && this.inPeriod(l.subject.taken_at));
    this.map.addListings(id, inPeriod.map((l) => ({ key: l.ref.key, seq: l.ref.seq, hash: l.ref.hash, taken_at: l.subject.taken_at, raw_sha256: l.subject.raw_sha256, raw_path: l.subject.raw_path })));
  }

  /**
   * A grant file of the tree as of the as-of day, in path order (String#localeCompare, as
   * `localeOrder`): its rows of the point-in-time populations and its entries of the evidence map
   * are made at once, and the file is not kept.
   */
  addGrantFile(file: TreeFile): void {
    if (!this.treeStarted) this.lastPath = null;
    this.treeStarted = true;
    this.inPathOrder(file.path);
    // Detached: the evidence map keeps some of its strings.
    const parsed = parseAccessFile<Grant>(file.content, 'grant');
    const g: InventoryGrant = { path: file.path, blob: file.blob, grant: parsed.data, problem: parsed.problem };
    this.tree.addGrant(g, parsed.json, file.content);
    const asOf = this.params.asOf;
    const until = `${asOf}T23:59:59Z`;
    const grant = g.grant;
    if (!grant) {
      this.map.addGrant(g, () => null);
      this.emit('inventory', { identity: fileStem(g.path), kind: null, owner: null, grantee: null, system: null, role: null, privileged: null, access_path: null, jit_max_hours: null, jit_approvers: null, expires: null, last_reviewed: null, path: g.path, blob: g.blob, approval_seq: null, approval_pr: null }, [gap('unreadable-file', g.problem ?? 'cannot be read')]);
      return;
    }
    this.noteLeavers(g.path, grant);
    // One approval lookup per entry, shared by the inventory and the evidence map.
    const approvals = grant.access.map((entry) => this.ledger.approvalRecord(g.path, entry.system, entry.role, until));
    this.map.addGrant(g, (i) => approvals[i] ?? null);
    const id = grant.identity;
    const nonHuman = id.kind !== 'human';
    if (grant.access.length === 0) {
      this.emit('inventory', { identity: id.id, kind: id.kind, owner: id.owner ?? null, grantee: id.github ?? null, system: null, role: null, privileged: null, access_path: null, jit_max_hours: null, jit_approvers: null, expires: null, last_reviewed: grant.review?.last_reviewed ?? null, path: g.path, blob: g.blob, approval_seq: null, approval_pr: null }, id.owner ? [] : [gap('no-owner')]);
    }
    grant.access.forEach((entry, i) => {
      const approval = approvals[i] ?? null;
      const gaps: Gap[] = approval ? approvalGaps(this.ledger, approval, entry.system, { needsApproval: true, provisioning: true }) : [gap('no-approval-record')];
      if (!id.owner) gaps.push(gap('no-owner'));
      if (!this.systemIds.has(entry.system)) gaps.push(gap('system-undefined', entry.system));
      const base = {
        identity: id.id,
        kind: id.kind,
        system: entry.system,
        role: entry.role,
        privileged: yesNo(entry.privileged ?? false),
        owner: id.owner ?? null,
        grantee: id.github ?? null,
        access_path: accessPath(entry),
        ...jitCells(entry),
        expires: entry.expires ?? null,
        path: g.path,
        approval_seq: approval?.ref.seq ?? null,
        approval_pr: approval?.pr.number ?? null,
      };
      this.emit('inventory', { ...base, last_reviewed: grant.review?.last_reviewed ?? null, blob: g.blob }, gaps);
      if (entry.privileged) {
        this.emit('privileged', { ...base, justification: entry.justification ?? null, approval_hash: approval?.ref.hash ?? null }, gaps);
      }
    });
    // The ledger record of the file's latest change (what the chains of the file's rows start from).
    const latest = nonHuman || grant.exception || grant.shared || id.kind === 'shared-account' ? this.ledger.pathHistory(g.path).filter((gc) => gc.ref.occurred_at <= until).at(-1) : undefined;
    const fileGaps = (): Gap[] => (latest ? approvalGaps(this.ledger, latest, null) : [gap('file-unrecorded')]);
    if (nonHuman) {
      const cred = grant.credential;
      const gaps: Gap[] = fileGaps();
      if (!id.owner) gaps.push(gap('no-owner'));
      if (!cred) gaps.push(gap('no-credential'));
      else {
        if (cred.type !== 'oidc-federated' && !cred.last_rotated) gaps.push(gap('no-rotation-record'));
        if (cred.type !== 'oidc-federated' && !cred.storage?.trim()) gaps.push(gap('no-storage'));
        if (!cred.revocation?.trim()) gaps.push(gap('no-revocation'));
      }
      if (id.kind === 'integration') {
        if (!grant.vendor) gaps.push(gap('no-vendor'));
        else {
          if (!grant.vendor.data_scope?.trim()) gaps.push(gap('no-data-scope'));
          if (!grant.vendor.offboarding?.trim()) gaps.push(gap('no-offboarding'));
        }
      }
      const privileged = grant.access.filter((e) => e.privileged);
      this.emit(
        'non-human',
        {
          identity: id.id,
          kind: id.kind,
          owner: id.owner ?? null,
          description: id.description ?? null,
          credential_type: cred?.type ?? null,
          rotation_days: cred?.rotation_days ?? null,
          last_rotated: cred?.last_rotated ?? null,
          rotation_age_days: cred?.last_rotated ? daysBetween(cred.last_rotated, asOf) : null,
          storage: cred?.storage ?? null,
          revocation: cred?.revocation ?? null,
          vendor: grant.vendor?.name ?? null,
          data_scope: grant.vendor?.data_scope ?? null,
          offboarding: grant.vendor?.offboarding ?? null,
          systems: grant.access.map((e) => `${e.system}:${e.role}`).join('; ') || null,
          privileged: yesNo(privileged.length > 0),
          privileged_access: privileged.map((e) => `${e.system}:${e.role} (${accessPath(e)})`).join('; ') || null,
          path: g.path,
        },
        gaps,
      );
    }
    if (grant.exception) {
      const e = grant.exception;
      const gaps: Gap[] = fileGaps();
      if (!e.expires) gaps.push(gap('exception-no-expiry'));
      else if (e.expires < asOf) gaps.push(gap('exception-expired', e.expires));
      if (!e.approved_by?.length) gaps.push(gap('exception-no-approver'));
      this.emit('exceptions', { identity: id.id, kind: id.kind, type: 'exception', reason: e.reason, compensating_controls: e.compensating_controls.join(', '), holders: null, waived_rules: e.rules?.join(', ') ?? null, approved_by: e.approved_by?.join(', ') ?? null, expires: e.expires ?? null, owner: id.owner ?? null, path: g.path }, gaps);
    }
    if (grant.shared || id.kind === 'shared-account') {
      const s = grant.shared;
      const gaps: Gap[] = fileGaps();
      if (!s) gaps.push(gap('shared-no-block'));
      else if (s.compensating_controls.length === 0) gaps.push(gap('shared-no-controls'));
      this.emit('exceptions', { identity: id.id, kind: id.kind, type: 'shared-account', reason: grant.exception?.reason ?? null, compensating_controls: s?.compensating_controls.join(', ') ?? null, holders: s?.holders.join(', ') ?? null, waived_rules: null, approved_by: null, expires: grant.exception?.expires ?? null, owner: id.owner ?? null, path: g.path }, gaps);
    }
  }

  /** Whether a grant of the as-of tree still names a login an identity-left-org record says left. */
  private noteLeavers(path: string, grant: Grant): void {
    const from = this.ledger.previousPath(path);
    const records = [...(this.ledger.leftByPath.get(path) ?? []), ...(from ? (this.ledger.leftByPath.get(from) ?? []) : [])];
    if (records.length === 0) return;
    const named = new Set([grant.identity.owner, grant.identity.github, ...(grant.shared?.holders ?? [])].filter((l): l is string => typeof l === 'string').map((l) => l.toLowerCase()));
    for (const l of records) if (named.has(l.subject.login.toLowerCase())) this.stillNamed.add(`${path}\u0000${l.subject.login.toLowerCase()}`);
  }

  /** Where a grant file is on the as-of day, following the moves of the period. */
  private currentPath(path: string): string {
    const seen = new Set<string>();
    let at = path;
    while (this.movedTo.has(at) && !seen.has(at)) {
      seen.add(at);
      at = this.movedTo.get(at)!;
    }
    return at;
  }

  private lastPath: string | null = null;

  /** The point-in-time populations list files in path order: the caller must feed them so. */
  private inPathOrder(path: string): void {
    if (this.lastPath !== null && localeOrder(this.lastPath, path) > 0) throw new Error(`tree files out of path order: ${path} after ${this.lastPath}`);
    this.lastPath = path;
  }

  /** The rows of the completeness population (src/core/binder/completeness.ts), once made. */
  addCompleteness(rows: Iterable<CompletenessRow>): void {
    for (const { row, gaps } of rows) this.emit('completeness', row, gaps);
  }

  /** The config file of the tree as of the as-of day (for the rules). */
  addConfigFile(file: TreeFile): void {
    this.tree.config = file.content;
  }

  /** The evidence map of the tree (after `finish`). */
  evidenceMap(): EvidenceMap {
    return this.map.finish();
  }

  /**
   * Builds the ledger populations, hands on every population's last text, and returns all of
   * them, in binder order.
   */
  finish(): Population[] {
    this.buildLedgerPopulations();
    return POPULATION_ORDER.map((id) => this.population(id));
  }

  private inPeriod(ts: string): boolean {
    const day = ts.slice(0, 10);
    return day >= this.params.period.from && day <= this.params.period.to;
  }

  private campaignsInPeriod = 0;
  private campaignItems = 0;

  private buildLedgerPopulations(): void {
    for (const c of this.ledger.campaigns) {
      if (!this.inPeriod(c.ref.occurred_at)) continue;
      this.campaignsInPeriod++;
      const s = c.subject;
      const mergedAt = s.pr.merged_at ?? c.ref.occurred_at;
      const lists: Record<string, ReviewItem[]> = { kept: s.items.kept, changed: s.items.changed, removed: s.items.removed, 'not reviewed': s.not_reviewed ?? [] };
      for (const outcome of ['kept', 'changed', 'removed', 'not reviewed'] as const) {
        for (const item of lists[outcome]!) {
          this.campaignItems++;
          const flags = this.reviewFlags(item.path, item.expires, mergedAt, item.flags ?? []);
          const gaps: Gap[] = [];
          if (!this.ledger.approvalRecord(item.path, s.system, item.role, mergedAt)) gaps.push(gap('no-approval-record'));
          if (outcome === 'not reviewed') gaps.push(gap('not-reviewed'));
          if (outcome === 'kept' || outcome === 'changed') gaps.push(...keptFlagGaps(flags));
          this.emit(
            'review-campaigns',
            {
              system: s.system,
              campaign: s.campaign ?? `PR #${s.pr.number}`,
              reviewed_on: s.reviewed_on,
              // Who certified this item (never its own grantee); records before per-item sign-off name the campaign's reviewers.
              reviewers: outcome === 'not reviewed' ? null : (item.certified_by ?? s.reviewers).join(', ') || null,
              outcome,
              flags: flagsText(flags),
              identity: item.identity,
              role: item.role,
              privileged: yesNo(item.privileged),
              expires: item.expires,
              path: item.path,
              pr: s.pr.number,
              pr_url: s.pr.url,
              merged_at: s.pr.merged_at,
              ledger_seq: c.ref.seq,
              ledger_hash: c.ref.hash,
            },
            gaps,
          );
        }
      }
    }
    for (const u of this.ledger.unapproved) {
      if (!this.inPeriod(u.ref.occurred_at)) continue;
      const s = u.subject;
      const gc = this.ledger.grantChangeByKey.get(s.grant_change_key);
      this.emit(
        'unapproved-merges',
        {
          occurred_at: u.ref.occurred_at,
          pr: s.pr.number,
          pr_url: s.pr.url,
          title: s.pr.title,
          author: s.pr.author,
          merged_by: s.pr.merged_by,
          cause: s.cause,
          detail: s.detail ?? null,
          missing_approvals: s.missing_approvals.map((a) => `${a.system}: ${a.missing} of ${a.required}`).join('; ') || null,
          findings: s.findings.map((f) => `${f.rule}: ${f.message}`).join(' | ') || null,
          issue: s.issue?.url ?? null,
          grant_change_seq: gc?.ref.seq ?? null,
          ledger_seq: u.ref.seq,
          ledger_hash: u.ref.hash,
        },
        [gap('unapproved', s.cause), ...(gc ? approvalGaps(this.ledger, gc, null, { unapproved: false }) : [])],
      );
    }
    const asOf = this.params.asOf;
    for (const l of this.ledger.left) {
      if (!this.inPeriod(l.ref.occurred_at)) continue;
      const s = l.subject;
      const login = s.login.toLowerCase();
      const gaps: Gap[] = [];
      // A leaver's grant still naming them on the as-of day (wherever it was moved) is a gap, once they had left by then.
      for (const g of s.affected_grants) {
        if (s.left_at.slice(0, 10) <= asOf && this.stillNamed.has(`${this.currentPath(g.path)}\u0000${login}`)) gaps.push(gap('still-named', this.currentPath(g.path), s.login, g.role, asOf));
      }
      this.emit(
        'left-org',
        {
          login: s.login,
          left_at: s.left_at,
          source: s.source,
          affected_grants: s.affected_grants.map((g) => `${g.path} (${g.role})`).join('; ') || null,
          removed: s.affected_grants.filter((g) => this.removedPaths.has(g.path)).length,
          still_named: gaps.length,
          ledger_seq: l.ref.seq,
          ledger_hash: l.ref.hash,
        },
        gaps,
      );
    }
  }

  private population(id: PopulationId): Population {
    const p = this.params;
    const meta = POPULATION_META[id];
    let git: string;
    let tie: string;
    switch (id) {
      case 'gaps':
        git = 'jq -r \'.rows[] | select(.gaps != null) | .gaps\' populations/*.json | wc -l   # rows with gaps, across the populations (run in the binder)';
        tie = 'one row per gap of every row whose `gaps` cell is set, in the other populations of this binder; `population` and `row` name that row (its 1-based number in populations/<population>.csv), and the population\'s "rows with gaps" counts the rows';
        break;
      case 'grant-changes':
        git = changeListCommand(p, 'grants/');
        tie = 'the command prints the row count: one row per A, M or D line of `git log --name-status` (first-parent history, so a merged pull request counts once)';
        break;
      case 'system-changes':
        git = changeListCommand(p, 'systems/');
        tie = 'the command prints the row count: one row per A, M or D line';
        break;
      case 'additions':
      case 'removals':
      case 'modifications':
      case 'movers':
        git = changeDiffCommand(p);
        tie = `rows are derived from the diffs this command prints (the same commits as grant-changes): ${meta.unit}; each row names its commit and file, so \`git show <commit>:<file>\` and \`git show <commit>^:<file>\` show both sides`;
        break;
      case 'privileged':
      case 'non-human':
      case 'exceptions':
      case 'inventory':
        git = `${inventoryCommand(p)}   # as-of commit: ${asOfCommitCommand(p)}`;
        tie =
          id === 'inventory'
            ? 'the command prints the number of grant files at the as-of commit, which equals the number of distinct files in the rows: one row per access entry of each file (one for a file without entries), each with its file and blob SHA'
            : `rows are selected from the files at the as-of commit: ${meta.unit}`;
        break;
      case 'review-campaigns':
        git = ledgerSelectCommand(p, 'review-campaign', 'map(.subject | (.items | .kept + .changed + .removed) + (.not_reviewed // []) | length) | add // 0');
        tie = `the command prints the number of rows of review-campaign records: the items of every review-campaign record whose occurred_at falls in the period; rows whose campaign is ${OUTSIDE_CAMPAIGN} come from the history (the grant-changes whose diff sets a grant's review block in a pull request that is no review campaign), one per access entry of the grant`;
        break;
      case 'unapproved-merges':
        git = ledgerSelectCommand(p, 'unapproved-merge', 'length');
        tie = 'the command prints the row count: unapproved-merge records whose occurred_at falls in the period';
        break;
      case 'left-org':
        git = ledgerSelectCommand(p, 'identity-left-org', 'length');
        tie = 'the command prints the row count: identity-left-org records whose occurred_at falls in the period';
        break;
      case 'completeness':
        git = ledgerSelectCommand(p, 'access-snapshot', 'length');
        tie =
          'the command prints the number of listings in the period: one `listing` row each, then one row per difference; each listing reads back with `access-ledger observe --system <system> --from <raw export> --taken-at <taken_at>` ' +
          '(`git show <ledger sha>:snapshots/<raw_sha256>.csv` or `.json` gives the export), and its differences with `access-ledger drift` against the grants at `access_commit`; systems not listed in the period are `no-listing` rows';
        break;
    }
    const sink = this.sinks[id];
    sink.finish();
    const kinds = this.gapKinds.get(id);
    const tally = id === 'review-campaigns' ? campaignTally(this.campaignsInPeriod, this.campaignItems, this.outsideCampaign) : undefined;
    return {
      id,
      ...meta,
      columns: COLUMNS[id],
      rowCount: sink.count,
      gapRows: sink.gapRows,
      ...(tally ? { tally } : {}),
      ...(kinds ? { gapKinds: Object.fromEntries([...kinds].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))) } : {}),
      reproduce: { git, access_ledger: `${exportCommand(p)}   # writes binder/populations/${id}.csv and .json`, tie_back: tie },
    };
  }
}

/** The gaps of an item a review kept (or changed but kept) although it was flagged. */
function keptFlagGaps(flags: readonly ReviewFlag[]): Gap[] {
  return flags.map((f) => (f.kind === 'left-org' ? gap('kept-after-leaving', f.as, f.login) : gap('kept-after-expiry', f.on)));
}

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

/** What the review-campaigns rows add up to: campaigns, their items, and certifications outside one. */
function campaignTally(campaigns: number, items: number, outside: number): string {
  const parts = [`${plural(campaigns, 'review campaign')} (${plural(items, 'item')})`];
  if (outside > 0) parts.push(`${plural(outside, 'entry', 'entries')} certified outside a campaign`);
  return parts.join(', ');
}

/**
 * Git lists a grant moved to another folder as one file deleted and one added (history is read
 * without rename detection, so the selection is exact); under the same name it is one identity,
 * as the gate judges it: one modified file at its new path. The moves are returned too (new path
 * → old path): the ledger records a move under the new path only.
 */
function pairMovedGrants(files: AccessCommit['files']): { files: AccessCommit['files']; moves: Map<string, string> } {
  const removed = new Map<string, AccessCommit['files'][number]>();
  for (const f of files) if (f.action === 'removed' && roleOf(f.path) === 'grant') removed.set(fileStem(f.path).toLowerCase(), f);
  const paired = new Set<AccessCommit['files'][number]>();
  const out: AccessCommit['files'] = [];
  const moves = new Map<string, string>();
  for (const f of files) {
    if (f.action !== 'added' || roleOf(f.path) !== 'grant') continue;
    const from = removed.get(fileStem(f.path).toLowerCase());
    if (!from || paired.has(from)) continue;
    paired.add(from);
    paired.add(f);
    out.push({ ...f, action: 'modified', before: from.before, before_blob: from.before_blob });
    moves.set(f.path, from.path);
  }
  return { files: [...files.filter((f) => !paired.has(f)), ...out], moves };
}
