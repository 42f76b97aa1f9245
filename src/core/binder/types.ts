/**
 * The binder's plain data: what the adapters hand in (history, inventory, ledger, verification)
 * and what the core hands back (populations, samples, chains, files). No I/O here.
 */
import type { Grant, IsoDate, System } from '../model/types.ts';
import type { Timestamp } from '../ledger/kinds.ts';

/** A grant or system file changed by one commit, with its content before and after. */
export interface ChangedFile {
  path: string;
  action: 'added' | 'modified' | 'removed';
  before_blob: string | null;
  after_blob: string | null;
  before: string | null;
  after: string | null;
}

/** One commit on the access repo's branch (first-parent), with its grant and system changes. */
export interface AccessCommit {
  sha: string;
  committed_at: Timestamp;
  files: ChangedFile[];
}

/** A file of the access repo as of a commit. */
export interface TreeFile {
  path: string;
  blob: string;
  content: string | null;
}

/** A grant file of the as-of tree as read: its data, or why it cannot be read. */
export interface InventoryGrant {
  path: string;
  blob: string;
  grant: Grant | null;
  problem: string | null;
}

/** A system file of the as-of tree as read. */
export interface InventorySystem {
  path: string;
  blob: string;
  system: System | null;
  problem: string | null;
}

export interface Period {
  from: IsoDate;
  to: IsoDate;
}

/** What the command was asked, as the binder records and prints it back. */
export interface ExportParams {
  period: Period;
  asOf: IsoDate;
  /** The access repo branch or ref the history was read from (e.g. HEAD, main). */
  ref: string;
  refSha: string;
  ledgerBranch: string;
  /** The ledger branch tip the records were read from. */
  ledgerSha: string | null;
  /** Commit the inventory was read from: the last commit of `ref` on or before the as-of day. */
  asOfCommit: string | null;
  asOfCommittedAt: Timestamp | null;
  seed: number;
  /** `--sample N`: one size for every population; null for the default table. */
  sampleSize: number | null;
  /** `owner/repo` for GitHub links, when known. */
  repository: string | null;
  /** Web root of the GitHub server the links go to (`https://github.com`, or a GitHub Enterprise Server's). */
  serverUrl?: string;
  /** `ledger.provisioning_workflow` of the config at `ref`, when it names one: provisioning is then expected on every merge. */
  provisioningWorkflow?: string | null;
  generatedAt: Timestamp;
  tool: { name: string; version: string };
}

export type Cell = string | number | boolean | null;
export type Row = Record<string, Cell>;

export interface Column {
  key: string;
  title: string;
  description: string;
}

/**
 * How often the control a population evidences operates: it sets the default sample size. `index`
 * is no control: a population that points at other populations' rows (the `gaps`), never sampled.
 */
export type Frequency = 'event-driven' | 'point-in-time' | 'quarterly' | 'deviation' | 'index';

export interface Reproduce {
  /** A git command, run inside the clone, listing the source of the rows. */
  git: string;
  /** The access-ledger command that rewrites this file. */
  access_ledger: string;
  /** How the rows relate to the git command's output. */
  tie_back: string;
}

/**
 * One population as the binder describes it. Its rows are not here: they are streamed to
 * populations/<id>.csv and .json as they are built, so 200,000 rows never sit in memory; what the
 * rest of the binder needs of them (counts, the page's table, the charts, the sampled rows) is
 * kept beside them.
 */
export interface Population {
  id: string;
  title: string;
  /** The auditor's question this population answers. */
  question: string;
  /** "one row per …" */
  unit: string;
  frequency: Frequency;
  controls: string[];
  columns: Column[];
  rowCount: number;
  /** Rows whose `gaps` cell is set. */
  gapRows: number;
  /** What the rows add up to, in the population's own words, when a row is not the unit a heading counts (e.g. "1 review campaign, 4 items"). */
  tally?: string;
  /** Gaps of its rows, by kind (docs/binder.md, "Gaps"): how many rows name each. */
  gapKinds?: Record<string, number>;
  reproduce: Reproduce;
}

export interface SampleSpec {
  population: string;
  frequency: Frequency;
  population_rows: number;
  size: number;
  /** Why this size: the default table entry, or --sample. */
  basis: string;
  seed: number;
  /** The population's own stream seed (seed XOR FNV-1a of the population id). */
  stream_seed: number;
  /** Row indices (0-based, in the population's file order) in draw order. */
  rows: number[];
}
