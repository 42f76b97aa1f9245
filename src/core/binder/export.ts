/**
 * The export as a use case: plain data streams in (the ledger's records, the period's commits,
 * the as-of tree, the systems' listings) and the binder out, through a writer the adapter
 * provides (src/cli/commands/export.ts writes files). Pure: no git, no file system, no terminal.
 *
 * The order is this module's, not the caller's: `exportBinder` pulls each input when its turn
 * comes, so nothing can be handed in too early or too late.
 *
 *  1. the ledger's records, indexed (the populations join on them);
 *  2. the period's commits, oldest first: each population's `onCommit`, then for every file the
 *     commit changed, `onGrantChange` or `onSystemChange`;
 *  3. the as-of tree: the config and the systems, then the grants in path order; for each grant,
 *     `onTreeEntry` for each access entry, then `onTreeGrant`;
 *  4. the systems' listings against the grants: `onListing`;
 *  5. `finish`: the rows made from the ledger's records alone;
 *  6. the populations' JSON files and their samples, the evidence chains and the evidence map
 *     (after which the ledger index is released);
 *  7. the rules over the as-of tree, then every other file, index.html last but the manifest.
 *
 * Within each step the populations' hooks run in `ROW_ORDER` (src/core/binder/populations/index.ts).
 * What is held at once is kept apart: the ledger index lives until the chains are traced; the
 * history and the tree stream past it, commit by commit and grant by grant, each row written as it
 * is made; the rules, which need every grant of the tree at once, run on the tree as step 3
 * parsed it (kept off the heap), once the index is gone.
 */
import { judgeGrantChange } from '../access/compare.ts';
import { loginsOf } from '../access/conferral.ts';
import type { Pack } from '../engine/policy.ts';
import { fileStem, roleOf } from '../model/snapshot.ts';
import type { Grant, System } from '../model/types.ts';
import type { RuleRegistry } from '../rules/index.ts';
import {
  assembleBinder,
  binderFiles,
  binderPaths,
  drawSamples,
  HTML_PATH,
  ledgerPart,
  MANIFEST_PATH,
  manifestJson,
  populationJsonFrame,
  type Binder,
  type BinderVerification,
  type ManifestEntry,
} from './binder.ts';
import { ChartTally } from './charts.ts';
import type { PopulationId } from './columns.ts';
import { exportCommand } from './commands.ts';
import type { CompletenessRow } from './completeness.ts';
import { EvidenceMapBuilder, evidenceMapCsv, evidenceMapJson, evidenceMapPage } from './evidence-map.ts';
import { AsOfTree, findingsAsOf } from './findings-as-of.ts';
import { gap, gapCell, type Gap, type GapKind } from './gaps.ts';
import { diffGrant } from './grant-diff.ts';
import { HTML_MAP_LIMIT, renderHtml, renderPopulationPage, type HtmlPiece } from './html.ts';
import { LedgerIndex, type IndexedGrantChange } from './ledger-index.ts';
import { hasOwnPage, populationPagePath } from './paging.ts';
import { parseAccessFile } from './parse.ts';
import { PopulationSink, type PopulationOutput } from './population-sink.ts';
import GAPS from './populations/gaps.ts';
import { POPULATIONS, ROW_ORDER } from './populations/index.ts';
import { accessPath, approvalGaps, isReviewField, jitCells, localeOrder, yesNo, type ApprovalGapOptions, type RemovalRef } from './populations/shared.ts';
import type { GrantChangeEvent, PopulationContext, PopulationHooks, PopulationModule, TreeGrantEvent } from './populations/types.ts';
import type { AccessCommit, ChangedFile, ExportParams, InventoryGrant, InventorySystem, Population, Row, TreeFile } from './types.ts';

/** How far the export is: a phase with its size (0 when not known), and a step of it done. */
export interface ExportProgress {
  phase(name: string, total: number): void;
  tick(): void;
}

/** A file of the as-of tree before its content is read. */
export interface TreeEntry {
  path: string;
  blob: string;
}

/** What the export reads, each pulled when its turn comes. */
export interface ExportSources {
  /** The ledger's records at the tip of its branch, each with its path there (anything that is not a record is counted as unreadable). */
  records(): AsyncIterable<{ path: string; record: unknown }>;
  /** The period's commits on the access branch, oldest first, with the changed files' contents; and how many. */
  history(): Promise<{ total: number; commits: AsyncIterable<AccessCommit> }>;
  /** The grant, system and config files of the as-of tree (none when the period starts before the repo). */
  tree(): Promise<TreeEntry[]>;
  /** The given files of the tree with their contents, in the order given. */
  readTree(files: readonly TreeEntry[]): AsyncIterable<TreeFile>;
  /** The rows of the completeness population: the systems' listings against the grants of their day. */
  listings(input: { ledger: LedgerIndex; systems: readonly InventorySystem[] }): Promise<Iterable<CompletenessRow>>;
  /** Where the binder's links go, when the ledger's records do not name the repository. */
  origin: { repository: string | null; serverUrl: string } | null;
  /** The web root asked for (`--server-url`, GITHUB_SERVER_URL), over the origin's. */
  serverUrl: string | undefined;
  /** The ledger verification, made before the export reads the records. */
  verification: BinderVerification;
  registry: RuleRegistry;
  packs: ReadonlyMap<string, Pack>;
}

/** Where the binder goes: files written in the order given, hashed into the manifest. */
export interface BinderWriter {
  /** Where a population's text goes while its rows are made. */
  population(id: PopulationId): PopulationOutput;
  /** Every row is made: the populations' text is complete. */
  rowsDone(): void;
  /**
   * Writes populations/<id>.json: `frame.before`, the rows the population's `json` output took,
   * `frame.after`; returns the rows at the given 0-based numbers, in the order given.
   */
  populationJson(pop: Population, frame: { before: string; after: string }, rows: readonly number[]): Row[];
  file(path: string, content: Iterable<string>): void;
  /** An HTML page, whose tables' rows are what a population's `html` output took. */
  page(path: string, content: Iterable<HtmlPiece>): void;
  /** The manifest entries of files already written, in the order given. */
  manifest(paths: readonly string[]): ManifestEntry[];
}

export interface ExportResult {
  binder: Binder;
  /** Every file written, manifest.json included. */
  files: number;
}

/** Writes the binder from its sources; `params` gains the repository and server the links go to. */
export async function exportBinder(params: ExportParams, sources: ExportSources, writer: BinderWriter, progress: ExportProgress): Promise<ExportResult> {
  const part = await readBinder(params, sources, writer, progress);
  // The rules over the as-of tree as the tree pass kept it: the one step that needs every grant at once.
  progress.phase('checking the rules', 1);
  let asOf: ReturnType<typeof findingsAsOf>;
  try {
    asOf = findingsAsOf(part.tree, sources.registry, sources.packs, params.asOf);
  } finally {
    part.tree.release();
    progress.tick();
  }
  const binder = assembleBinder(part, asOf, sources.registry);

  progress.phase('writing', 0);
  for (const file of binderFiles(binder)) writer.file(file.path, file.content);
  const paths = binderPaths(binder.populations);
  // A large population's own page, then index.html, which links it.
  for (let i = 0; i < binder.populations.length; i++) {
    if (hasOwnPage(binder.populations[i]!)) writer.page(populationPagePath(binder.populations[i]!.id), renderPopulationPage(binder, i));
  }
  // index.html lists the hashes of every file before it; manifest.json covers index.html too.
  writer.page(HTML_PATH, renderHtml(binder, writer.manifest(paths.filter((p) => p !== HTML_PATH))));
  writer.file(MANIFEST_PATH, [manifestJson(writer.manifest(paths))]);
  return { binder, files: paths.length + 1 };
}

/**
 * Steps 1 to 6: everything that needs the ledger index. The index and the populations' state stay
 * in this function's frame, garbage once it returns.
 */
async function readBinder(params: ExportParams, sources: ExportSources, writer: BinderWriter, progress: ExportProgress) {
  progress.phase('reading ledger', 0);
  const ledger = new LedgerIndex();
  let unreadable = 0;
  for await (const { path, record } of sources.records()) {
    if (record && typeof record === 'object' && typeof (record as { kind?: unknown }).kind === 'string' && (record as { subject?: unknown }).subject)
      ledger.add(record as Parameters<LedgerIndex['add']>[0], path);
    else unreadable++;
    progress.tick();
  }
  ledger.finish();
  params.repository = ledger.repository ?? sources.origin?.repository ?? null;
  // Links go to the server the repository lives on: as asked, as the workflow runs on, or as the clone came from.
  params.serverUrl = sources.serverUrl ?? sources.origin?.serverUrl ?? 'https://github.com';

  const { populations, ...kept } = await buildPopulations(params, ledger, sources, (id) => writer.population(id), progress);
  writer.rowsDone();

  progress.phase('writing populations', populations.length);
  const samples = drawSamples(params, populations);
  const sampledRows = populations.map((pop, i) => {
    const rows = writer.populationJson(pop, populationJsonFrame(pop, params), samples[i]!.rows);
    progress.tick();
    return rows;
  });

  const verification = { ...sources.verification };
  if (unreadable > 0) verification.summary += `; ${unreadable} record files could not be parsed`;

  progress.phase('tracing samples', 1);
  const part = ledgerPart({ params, ledger, populations, samples, sampledRows, verification, ...kept });
  writer.file('evidence-map.json', evidenceMapJson(part.evidenceMap));
  writer.file('evidence-map.csv', evidenceMapCsv(part.evidenceMap));
  ledger.release();
  progress.tick();
  return { ...part, evidenceMap: evidenceMapPage(part.evidenceMap, HTML_MAP_LIMIT) };
}

/** The inputs of the populations, each pulled when its turn comes. */
export type PopulationSources = Pick<ExportSources, 'history' | 'tree' | 'readTree' | 'listings'>;

/**
 * Steps 2 to 5: every population's rows from the period's commits, the as-of tree and the
 * listings, joined on the ledger index; each row handed to `outputs` as it is made. Returns the
 * populations described, in binder order, and what the binder keeps beside their rows.
 */
export async function buildPopulations(
  params: ExportParams,
  ledger: LedgerIndex,
  sources: PopulationSources,
  outputs: (id: PopulationId) => PopulationOutput,
  progress: ExportProgress,
) {
  const run = new PopulationRun(params, ledger, outputs);
  const history = await sources.history();
  progress.phase('reading history', history.total);
  for await (const commit of history.commits) {
    run.commit(commit);
    progress.tick();
  }
  // The as-of tree: config and systems first, then grants in path order (the order of the
  // point-in-time populations); each grant becomes its rows and evidence-map entries at once.
  const tree = await sources.tree();
  progress.phase('reading inventory', tree.length);
  const byPath = (a: { path: string }, b: { path: string }): number => localeOrder(a.path, b.path);
  for await (const file of sources.readTree(tree.filter((f) => roleOf(f.path) !== 'grant').sort(byPath))) {
    if (roleOf(file.path) === 'system') run.treeSystem(file);
    else run.treeConfig(file);
  }
  for await (const file of sources.readTree(tree.filter((f) => roleOf(f.path) === 'grant').sort(byPath))) {
    run.treeGrant(file);
    progress.tick();
  }
  progress.phase('comparing listings', 1);
  run.listings(await sources.listings({ ledger, systems: run.systems }));
  progress.tick();
  return { populations: run.finish(), ...run.evidence() };
}

/** A population in one export: its module, the sink of its rows, its hooks, and its gaps counted by kind. */
interface RunEntry {
  module: PopulationModule;
  sink: PopulationSink;
  hooks: PopulationHooks;
  gapKinds: Map<GapKind, number>;
}

/**
 * One export's populations while the inputs stream past: each population's hooks, the sink of
 * its rows, and what the binder keeps beside the rows (the evidence map, the charts, what the
 * evidence chains look up, the as-of tree for the rules). Only `buildPopulations` drives it.
 */
class PopulationRun {
  /** Every population, in binder order. */
  private readonly entries: RunEntry[];
  /** The same, in the order their hooks run (`ROW_ORDER`; a population it does not name runs last). */
  private readonly called: RunEntry[];
  private readonly gaps: PopulationSink;
  private readonly charts: ChartTally;
  private readonly map: EvidenceMapBuilder;
  private readonly removalRefs: RemovalRef[] = [];
  /**
   * For records written before the ledger kept the gate's judgement of each review: merge commit →
   * the approving reviewers a changed grant names (who could not approve their own access).
   */
  private readonly granteeApprovers = new Map<string, Set<string>>();
  /** The system files of the as-of tree, in path order. */
  readonly systems: InventorySystem[] = [];
  private readonly systemIds = new Set<string>();
  /** The as-of tree as parsed here, kept for the rules (which run once the ledger index is gone). */
  private readonly tree = new AsOfTree();

  private readonly params: ExportParams;
  private readonly ledger: LedgerIndex;

  constructor(params: ExportParams, ledger: LedgerIndex, outputs: (id: PopulationId) => PopulationOutput) {
    this.params = params;
    this.ledger = ledger;
    ledger.provisioningExpected ||= Boolean(params.provisioningWorkflow) || ledger.provisionedByChange.size > 0;
    this.charts = new ChartTally(params.period.from, params.period.to, params.asOf);
    this.map = new EvidenceMapBuilder(params, ledger.pool);
    this.entries = POPULATIONS.map((module) => ({ module, sink: new PopulationSink(module.columns, outputs(module.id)), hooks: {}, gapKinds: new Map() }));
    this.gaps = this.entries.find((e) => e.module === GAPS)!.sink;
    for (const entry of this.entries) entry.hooks = entry.module.start(this.context(entry));
    const rank = new Map(ROW_ORDER.map((id, i) => [id, i]));
    this.called = [...this.entries].sort((a, b) => (rank.get(a.module.id) ?? Infinity) - (rank.get(b.module.id) ?? Infinity));
  }

  private context(entry: RunEntry): PopulationContext {
    const { from, to } = this.params.period;
    return {
      params: this.params,
      ledger: this.ledger,
      charts: this.charts,
      removalRefs: this.removalRefs,
      emit: (row, gaps) => this.emit(entry, row, gaps),
      inPeriod: (ts) => {
        const day = ts.slice(0, 10);
        return day >= from && day <= to;
      },
    };
  }

  /**
   * Hands a row to its population; with `gaps`, sets its `gaps` cell and lists each gap in the
   * `gaps` population, pointing at the row by its number.
   */
  private emit(entry: RunEntry, row: Row, gaps?: readonly Gap[]): void {
    if (gaps) {
      row.gaps = gapCell(gaps);
      if (gaps.length > 0) {
        const number = entry.sink.count + 1;
        for (const g of gaps) {
          entry.gapKinds.set(g.kind, (entry.gapKinds.get(g.kind) ?? 0) + 1);
          this.gaps.add({
            population: entry.module.id,
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
    entry.sink.add(row);
  }

  commit(commit: AccessCommit): void {
    const gc = this.ledger.grantChangeByMergeSha.get(commit.sha);
    const { files, moves } = pairMovedGrants(commit.files);
    for (const [to, from] of moves) this.ledger.moved(to, from);
    for (const { hooks } of this.called) hooks.onCommit?.({ commit, moves });
    for (const file of files) {
      const role = roleOf(file.path);
      if (role === 'grant') {
        const event = this.grantChange(commit, file, gc);
        for (const { hooks } of this.called) hooks.onGrantChange?.(event);
      } else if (role === 'system') {
        for (const { hooks } of this.called) hooks.onSystemChange?.({ commit, file, gc });
      }
    }
  }

  /** A grant file's change read on both sides and compared: what every population of changes starts from. */
  private grantChange(commit: AccessCommit, file: ChangedFile, gc: IndexedGrantChange | undefined): GrantChangeEvent {
    // Used for its rows and dropped, so not copied out of its text.
    const before = parseAccessFile<Grant>(file.before, 'grant', { detach: false });
    const after = parseAccessFile<Grant>(file.after, 'grant', { detach: false });
    const grant = after.data ?? before.data;
    const identity = grant?.identity.id ?? fileStem(file.path);
    // A merged file that cannot be read confers nothing known: it neither adds nor removes entries
    // here (the gate asked the admins for it, and the record says so); it shows as one widening row.
    const unreadable = file.after !== null && !after.data;
    const diff = unreadable ? diffGrant(undefined, undefined) : diffGrant(before.data, after.data);
    const changeGaps: Gap[] = [];
    if (!gc) changeGaps.push(gap('no-ledger-record'));
    if (file.before !== null && !before.data) changeGaps.push(gap('unreadable-side', 'before', before.problem ?? 'cannot be read'));
    if (file.after !== null && !after.data) changeGaps.push(gap('unreadable-side', 'after', after.problem ?? 'cannot be read'));
    const ledger = this.ledger;
    const gapsFor = (system: string | null, options: ApprovalGapOptions = {}): Gap[] => [
      ...changeGaps,
      ...(gc ? approvalGaps(ledger, gc, system, options) : []),
    ];
    if (gc && !gc.reviews.some((r) => r.not_counted !== undefined)) this.noteGranteeApprovers(gc, before.data, after.data);
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
    const widens = (field: string): boolean => widening.some((w) => w === '*' || field === w || field.startsWith(`${w}.`) || field.startsWith(`${w}[`));
    // The review campaign this merge is, if it is one: its record lists what was certified.
    const campaign = gc ? this.ledger.campaignByPr.get(gc.pr.number) : undefined;
    return {
      commit,
      file,
      gc,
      before: before.data,
      after: after.data,
      identity,
      kind: grant?.identity.kind ?? null,
      unreadable,
      diff,
      campaign,
      changeGaps,
      gapsFor,
      git: { commit: commit.sha, changed_at: commit.committed_at, path: file.path },
      widens,
      // Review bookkeeping that certifies (the gate asked for approval of it) is a certification, not an access change.
      certifies: diff.fields.some((f) => isReviewField(f.field)) && (campaign !== undefined || widens('review')),
    };
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

  /** The config file of the as-of tree (for the rules). */
  treeConfig(file: TreeFile): void {
    this.tree.config = file.content;
  }

  /** A system file of the as-of tree: every one comes before the first grant, in path order. */
  treeSystem(file: TreeFile): void {
    const parsed = parseAccessFile<System>(file.content ?? '', 'system');
    const system: InventorySystem = { path: file.path, blob: file.blob, system: parsed.data, problem: parsed.problem };
    this.systems.push(system);
    this.tree.systems.push(system);
    const id = system.system?.id ?? fileStem(system.path);
    this.systemIds.add(id);
    this.map.addSystem(system);
    const { from, to } = this.params.period;
    const inPeriod = this.ledger.snapshots.filter(
      (l) => l.subject.system === id && l.subject.taken_at.slice(0, 10) >= from && l.subject.taken_at.slice(0, 10) <= to,
    );
    this.map.addListings(
      id,
      inPeriod.map((l) => ({
        key: l.ref.key,
        seq: l.ref.seq,
        hash: l.ref.hash,
        taken_at: l.subject.taken_at,
        raw_sha256: l.subject.raw_sha256,
        raw_path: l.subject.raw_path,
      })),
    );
  }

  /**
   * A grant file of the as-of tree, in path order: its rows of the point-in-time populations and
   * its entries of the evidence map are made at once, and the file is not kept.
   */
  treeGrant(file: TreeFile): void {
    // Detached: the evidence map keeps some of its strings.
    const parsed = parseAccessFile<Grant>(file.content, 'grant');
    const g: InventoryGrant = { path: file.path, blob: file.blob, grant: parsed.data, problem: parsed.problem };
    this.tree.addGrant(g, parsed.json, file.content);
    const until = `${this.params.asOf}T23:59:59Z`;
    const grant = g.grant;
    // One approval lookup per entry, shared by the populations and the evidence map.
    const approvals = grant ? grant.access.map((entry) => this.ledger.approvalRecord(g.path, entry.system, entry.role, until)) : [];
    this.map.addGrant(g, (i) => approvals[i] ?? null);
    let latest: IndexedGrantChange | undefined | null = null;
    const event: TreeGrantEvent = {
      file: g,
      systemIds: this.systemIds,
      until,
      approvals,
      fileGaps: () => {
        // The ledger record of the file's latest change (what the chains of the file's rows start from).
        if (latest === null)
          latest = this.ledger
            .pathHistory(g.path)
            .filter((gc) => gc.ref.occurred_at <= until)
            .at(-1);
        return latest ? approvalGaps(this.ledger, latest, null) : [gap('file-unrecorded')];
      },
    };
    if (grant) {
      const id = grant.identity;
      grant.access.forEach((entry, index) => {
        const approval = approvals[index] ?? null;
        const gaps: Gap[] = approval
          ? approvalGaps(this.ledger, approval, entry.system, { needsApproval: true, provisioning: true })
          : [gap('no-approval-record')];
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
        for (const { hooks } of this.called) hooks.onTreeEntry?.({ grant: event, data: grant, entry, index, approval, gaps, base });
      });
    }
    for (const { hooks } of this.called) hooks.onTreeGrant?.(event);
  }

  listings(rows: Iterable<CompletenessRow>): void {
    for (const row of rows) for (const { hooks } of this.called) hooks.onListing?.(row);
  }

  /** Every population's last rows, and each described, in binder order. */
  finish(): Population[] {
    for (const { hooks } of this.called) hooks.finish?.();
    return this.entries.map(({ module, sink, hooks, gapKinds }) => {
      sink.finish();
      const tally = hooks.tally?.();
      const { git, tie_back } = module.reproduce(this.params);
      return {
        id: module.id,
        ...module.meta,
        columns: [...module.columns],
        rowCount: sink.count,
        gapRows: sink.gapRows,
        ...(tally ? { tally } : {}),
        ...(gapKinds.size > 0 ? { gapKinds: Object.fromEntries([...gapKinds].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))) } : {}),
        reproduce: { git, access_ledger: `${exportCommand(this.params)}   # writes binder/populations/${module.id}.csv and .json`, tie_back },
      };
    });
  }

  /** What the binder keeps beside the rows (after `finish`). */
  evidence() {
    return {
      systems: this.systems,
      tables: this.entries.map((e) => e.sink.finish()),
      charts: this.charts.charts(),
      evidenceMap: this.map.finish(),
      removalRefs: this.removalRefs,
      granteeApprovers: this.granteeApprovers,
      tree: this.tree,
    };
  }
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
