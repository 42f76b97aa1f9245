/**
 * A population is a module with metadata beside it, in the manner of a rule
 * (src/core/rules/types.ts): its id, what it answers, the controls it evidences, its columns, the
 * git command that reproduces it, and the hooks that make its rows as the export drives past the
 * period's history, the as-of tree, the systems' listings and the ledger
 * (src/core/binder/export.ts says in which order). Adding a population is one file under
 * src/core/binder/populations/ and one line in its index.
 */
import type { Grant } from '../../model/types.ts';
import type { ChartTally } from '../charts.ts';
import type { PopulationId } from '../columns.ts';
import type { CompletenessRow } from '../completeness.ts';
import type { Gap } from '../gaps.ts';
import type { GrantDiff } from '../grant-diff.ts';
import type { IndexedCampaign, IndexedGrantChange, LedgerIndex } from '../ledger-index.ts';
import type { AccessCommit, ChangedFile, Column, ExportParams, Frequency, InventoryGrant, Row } from '../types.ts';
import type { ApprovalGapOptions, RemovalRef } from './shared.ts';

export interface PopulationMeta {
  title: string;
  /** The auditor's question the population answers. */
  question: string;
  /** "one row per …" */
  unit: string;
  /** How often the control it evidences operates (sets the default sample size). */
  frequency: Frequency;
  /** Control ids from src/core/controls.ts. */
  controls: string[];
}

/** What every population reads while it is built, and where its rows go. */
export interface PopulationContext {
  readonly params: ExportParams;
  readonly ledger: LedgerIndex;
  /** The charts of index.html, fed from the rows that make them. */
  readonly charts: ChartTally;
  /** What the evidence chains of sampled removals look up (the removals population can be as large as the additions). */
  readonly removalRefs: RemovalRef[];
  /**
   * Hands a row to this population; with `gaps`, sets its `gaps` cell and lists each gap as a
   * row of the `gaps` population, pointing at the row by its number.
   */
  emit(row: Row, gaps?: readonly Gap[]): void;
  /** Whether a timestamp's day falls in the period. */
  inPeriod(ts: string): boolean;
}

/** A commit of the period, before its files are handed on (moved grant files paired). */
export interface CommitEvent {
  commit: AccessCommit;
  /** Grant files moved by the commit: new path → old path. */
  moves: ReadonlyMap<string, string>;
}

/** A grant file changed by a commit of the period, read on both sides and compared. */
export interface GrantChangeEvent {
  commit: AccessCommit;
  file: ChangedFile;
  /** The ledger's grant-change record of the merge, if any. */
  gc: IndexedGrantChange | undefined;
  before: Grant | null;
  after: Grant | null;
  /** identity.id, or the file name stem when neither side can be read. */
  identity: string;
  kind: string | null;
  /** A merged file that cannot be read: it confers nothing known, and shows as one widening row. */
  unreadable: boolean;
  diff: GrantDiff;
  /** The review campaign this merge is, if it is one. */
  campaign: IndexedCampaign | undefined;
  /** Gaps of the change itself: no ledger record, a side that cannot be read. */
  changeGaps: Gap[];
  /** The change's gaps with the approval gaps for one system (or all, for null). */
  gapsFor(system: string | null, options?: ApprovalGapOptions): Gap[];
  /** The git cells every row of the change carries. */
  git: { commit: string; changed_at: string; path: string };
  /** Whether a field's change widened access: the gate's judgement, as recorded or made again. */
  widens(field: string): boolean;
  /** The change certifies the grant's review block (a campaign's record lists it, or the gate asked approval of it). */
  certifies: boolean;
}

/** A system file changed by a commit of the period. */
export interface SystemChangeEvent {
  commit: AccessCommit;
  file: ChangedFile;
  gc: IndexedGrantChange | undefined;
}

/** A grant file of the as-of tree, in path order. */
export interface TreeGrantEvent {
  file: InventoryGrant;
  /** Ids of the systems the as-of tree defines. */
  systemIds: ReadonlySet<string>;
  /** The end of the as-of day. */
  until: string;
  /** The grant-change record that approved each access entry, by entry index. */
  approvals: readonly (IndexedGrantChange | null)[];
  /** The gaps of the file as a whole: those of its latest recorded change, or that it has none (a new array each call). */
  fileGaps(): Gap[];
}

/** One access entry of a grant file of the as-of tree. */
export interface TreeEntryEvent {
  grant: TreeGrantEvent;
  data: Grant;
  entry: Grant['access'][number];
  index: number;
  approval: IndexedGrantChange | null;
  /** The entry's gaps: its approval record's, an owner missing, its system undefined. */
  gaps: readonly Gap[];
  /** The cells the inventory and privileged rows share. */
  base: Row;
}

/** What a population does as the export drives past its inputs; each hook is optional. */
export interface PopulationHooks {
  onCommit?(event: CommitEvent): void;
  onGrantChange?(event: GrantChangeEvent): void;
  onSystemChange?(event: SystemChangeEvent): void;
  /** Each access entry of a grant of the as-of tree, before `onTreeGrant` of its file. */
  onTreeEntry?(event: TreeEntryEvent): void;
  onTreeGrant?(event: TreeGrantEvent): void;
  /** A row of the systems' listings against the grants (src/core/binder/completeness.ts). */
  onListing?(row: CompletenessRow): void;
  /** After every input: the rows made from the ledger's records alone. */
  finish?(): void;
  /** What the rows add up to, when a row is not the unit a heading counts. */
  tally?(): string | undefined;
}

export interface PopulationModule {
  id: PopulationId;
  meta: PopulationMeta;
  columns: readonly Column[];
  /** The git command listing the source of the rows, and how the rows tie back to its output. */
  reproduce(params: ExportParams): { git: string; tie_back: string };
  /** The population's hooks for one export, with whatever state it keeps. */
  start(ctx: PopulationContext): PopulationHooks;
}

export const definePopulation = (module: PopulationModule): PopulationModule => module;
