/**
 * Assembling the binder. The populations' rows are streamed to their files while they are built
 * (src/core/binder/export.ts drives the population modules, PopulationSink writes); what remains here is drawing the samples from the row
 * counts, the chains of the sampled rows (read back by the caller), the evidence map, the control
 * matrix and the verification result, and the text of every other file, handed on in pieces so
 * that no file of a large binder is ever one string. The caller writes the files and hashes them
 * into manifest.json (`binderPaths` gives the order).
 */
import type { RuleRegistry } from '../rules/index.ts';
import { ChainBuilder, type EvidenceChain } from './chains.ts';
import type { ChartData } from './charts.ts';
import type { PopulationId } from './columns.ts';
import { buildControlMatrix, findingsAtMerge, type ControlRow } from './control-matrix.ts';
import { toCsv } from './csv.ts';
import type { EvidenceMap, EvidenceMapPage } from './evidence-map.ts';
import type { AsOfFindings, AsOfTree } from './findings-as-of.ts';
import type { LedgerIndex } from './ledger-index.ts';
import type { PopulationTable } from './population-sink.ts';
import type { RemovalRef } from './populations/shared.ts';
import { drawPopulationSample } from './sampling.ts';
import { exportCommand } from './commands.ts';
import { hasOwnPage, populationPagePath } from './paging.ts';
import { renderSummary } from './summary.ts';
import type { ExportParams, InventorySystem, Population, Row, SampleSpec } from './types.ts';
import { maskSecretsDeep } from '../text/mask.ts';

/** The ledger verification as the binder records it (the verify command's result, summarised). */
export interface BinderVerification {
  ok: boolean;
  /** One line: what was checked and the outcome. */
  summary: string;
  records: number | null;
  commits: number | null;
  /** The first problem (lowest seq), when not ok. */
  first_problem: string | null;
  /** What an auditor should know that is not a failure (e.g. records sealed before records were signed). */
  warnings?: string[];
  problems: { seq: number | null; check: string; problem: string }[];
  /** The command that re-runs the check. */
  command: string;
  /** The verify command's full result, as it reported it. */
  result: unknown;
}

export interface Binder {
  params: ExportParams;
  populations: Population[];
  /** What index.html embeds of each population, in the order of `populations`. */
  tables: PopulationTable[];
  charts: ChartData[];
  samples: SampleSpec[];
  /** The sampled rows of each population, in draw order (read back from its file). */
  sampledRows: Row[][];
  chains: EvidenceChain[];
  /** What the page and the summary show of the evidence map (its files are written whole beforehand). */
  evidenceMap: EvidenceMapPage;
  controlMatrix: ControlRow[];
  verification: BinderVerification;
  ledger: { records: number; by_kind: Record<string, number>; malformed: number };
  asOfFindings: { total: number; by_rule: Record<string, number> };
}

/**
 * The part of the binder made from the ledger, the history and the tree, once they are all read:
 * the binder's fields but the rules' findings, with the whole evidence map and the as-of tree.
 */
export type LedgerPart = Omit<Binder, 'evidenceMap' | 'controlMatrix' | 'asOfFindings'> & {
  /** The whole map: write its files, then keep `evidenceMapPage` of it. */
  evidenceMap: EvidenceMap;
  atMerge: Map<string, number>;
  /** The as-of tree, for the rules (`findingsAsOf`); release it after. */
  tree: AsOfTree;
};

export interface LedgerPartInput {
  params: ExportParams;
  /** The system files of the as-of tree. */
  systems: readonly InventorySystem[];
  /** What index.html embeds of each population, in binder order. */
  tables: PopulationTable[];
  charts: ChartData[];
  evidenceMap: EvidenceMap;
  /** What the chains of sampled removals look up. */
  removalRefs: readonly RemovalRef[];
  /** For records without the gate's judgement of each review: merge commit → the approvers a changed grant names. */
  granteeApprovers: ReadonlyMap<string, ReadonlySet<string>>;
  /** The as-of tree as the tree pass parsed it, for the rules. */
  tree: AsOfTree;
  populations: Population[];
  samples: SampleSpec[];
  sampledRows: Row[][];
  ledger: LedgerIndex;
  verification: BinderVerification;
}

/** The sample of every population, from the row counts alone. */
export function drawSamples(params: ExportParams, populations: readonly Population[]): SampleSpec[] {
  return populations.map((p) => drawPopulationSample(p, params.seed, params.sampleSize));
}

/**
 * Everything that needs the ledger index: the sampled items' evidence chains, the merge-time
 * findings per control, the evidence map. After this the index can go.
 */
export function ledgerPart(input: LedgerPartInput): LedgerPart {
  const { params, ledger, populations, samples, sampledRows } = input;
  ledger.finish();
  const systems = new Map(input.systems.filter((s) => s.system).map((s) => [s.system!.id, s.system!]));
  const chainBuilder = new ChainBuilder(params, ledger, systems, input.removalRefs, input.granteeApprovers);
  return {
    params,
    populations,
    tables: input.tables,
    charts: input.charts,
    samples,
    sampledRows,
    chains: populations.flatMap((p, i) => chainBuilder.chainsFor(p.id as PopulationId, samples[i]!, sampledRows[i]!)),
    evidenceMap: input.evidenceMap,
    atMerge: findingsAtMerge(params, ledger),
    verification: input.verification,
    ledger: { records: ledger.count, by_kind: Object.fromEntries(ledger.byKind), malformed: ledger.malformed.length },
    tree: input.tree,
  };
}

/** The binder, from the ledger part (its evidence map reduced to the page's view) and the rules' findings on the as-of day. */
export function assembleBinder(part: Omit<LedgerPart, 'evidenceMap'> & { evidenceMap: EvidenceMapPage }, asOf: AsOfFindings, registry: RuleRegistry): Binder {
  const { findings, enabled } = asOf;
  const rules = [...registry.rules.values()].map((r) => r.meta);
  const controlMatrix = buildControlMatrix(rules, enabled, part.populations, part.atMerge, findings);
  const byRule: Record<string, number> = {};
  for (const f of findings) byRule[f.rule] = (byRule[f.rule] ?? 0) + 1;
  return {
    params: part.params,
    populations: part.populations,
    tables: part.tables,
    charts: part.charts,
    samples: part.samples,
    sampledRows: part.sampledRows,
    chains: part.chains,
    evidenceMap: part.evidenceMap,
    controlMatrix,
    verification: part.verification,
    ledger: part.ledger,
    asOfFindings: { total: findings.length, by_rule: byRule },
  };
}

/** A file of the binder as text handed on in pieces, in order. */
export interface BinderFile {
  path: string;
  content: Iterable<string>;
}

export interface ManifestEntry {
  path: string;
  sha256: string;
  bytes: number;
}

export const MANIFEST_PATH = 'manifest.json';
export const HTML_PATH = 'index.html';

/** A JSON file of the binder: no secret leaves in it (what looks like one is masked). */
const json = (value: unknown): string => JSON.stringify(maskSecretsDeep(value), null, 2) + '\n';

/** The fields every population file repeats: what was read, as of when. */
function binderHeader(p: ExportParams): Record<string, unknown> {
  return { period: p.period, as_of: p.asOf, as_of_commit: p.asOfCommit, ref: p.ref, ref_sha: p.refSha, ledger_branch: p.ledgerBranch, ledger_sha: p.ledgerSha };
}

export const populationCsvPath = (id: string): string => `populations/${id}.csv`;
export const populationJsonPath = (id: string): string => `populations/${id}.json`;

/**
 * populations/<id>.json around its rows: pretty JSON whose `rows` array holds one compact row per
 * line (readable, and a third of the size). The file is `before` + the rows as the population's
 * sink wrote them + `after`; the row count sits before the rows, so it is written once the rows
 * are all known.
 */
export function populationJsonFrame(pop: Population, params: ExportParams): { before: string; after: string } {
  const top = JSON.stringify(
    {
      id: pop.id,
      title: pop.title,
      question: pop.question,
      unit: pop.unit,
      ...binderHeader(params),
      row_count: pop.rowCount,
      ...(pop.tally ? { tally: pop.tally } : {}),
      ...(pop.columns.some((c) => c.key === 'gaps') ? { rows_with_gaps: pop.gapRows, gaps_by_kind: pop.gapKinds ?? {} } : {}),
      reproduce: pop.reproduce,
      controls: pop.controls,
      columns: pop.columns,
      rows: [],
    },
    null,
    2,
  );
  const at = top.lastIndexOf('"rows": []');
  const rest = top.slice(at + '"rows": []'.length) + '\n';
  return pop.rowCount === 0 ? { before: top.slice(0, at) + '"rows": []', after: rest } : { before: top.slice(0, at) + '"rows": [\n', after: '\n  ]' + rest };
}

/** Every file of the binder except manifest.json, in the manifest's order (a population's own page, when it has one, just before index.html). */
export function binderPaths(populations: readonly Pick<Population, 'id' | 'rowCount'>[]): string[] {
  return [
    'binder.json',
    'evidence-map.json',
    'evidence-map.csv',
    ...populations.flatMap((p) => [populationCsvPath(p.id), populationJsonPath(p.id)]),
    ...populations.map((p) => `samples/${p.id}.csv`),
    'samples.json',
    'chains.json',
    'control-matrix.json',
    'control-matrix.csv',
    'verification.json',
    'summary.md',
    ...populations.filter(hasOwnPage).map((p) => populationPagePath(p.id)),
    HTML_PATH,
  ];
}

/**
 * The files made from the assembled binder: everything but the population files (streamed while
 * the rows were built), the evidence map's files (`evidenceMapJson`, `evidenceMapCsv`: written
 * while the whole map is at hand), index.html (it lists the hashes of all the others:
 * `renderHtml`) and manifest.json (`manifestJson`).
 */
export function* binderFiles(b: Binder): Generator<BinderFile> {
  const p = b.params;
  yield {
    path: 'binder.json',
    content: [
      json({
        format: 'access-ledger/binder@1',
        generated_at: p.generatedAt,
        tool: p.tool,
        repository: p.repository,
        ...binderHeader(p),
        seed: p.seed,
        sample_size: p.sampleSize,
        reproduce: exportCommand(p),
        populations: b.populations.map((pop) => ({
          id: pop.id,
          title: pop.title,
          rows: pop.rowCount,
          ...(pop.tally ? { tally: pop.tally } : {}),
          files: [populationCsvPath(pop.id), populationJsonPath(pop.id)],
        })),
        ledger: b.ledger,
        verification: { ok: b.verification.ok, summary: b.verification.summary },
      }),
    ],
  };
  for (let i = 0; i < b.populations.length; i++) {
    const pop = b.populations[i]!;
    const s = b.samples[i]!;
    yield {
      path: `samples/${pop.id}.csv`,
      content: [
        toCsv(pop.columns, b.sampledRows[i]!, [
          { key: 'draw', values: s.rows.map((_, k) => k + 1) },
          { key: 'row', values: s.rows.map((r) => r + 1) },
        ]),
      ],
    };
  }
  yield {
    path: 'samples.json',
    content: [
      json({
        generator:
          'mulberry32; per population, stream seed = seed XOR FNV-1a-32(population id); k rows drawn by the first k steps of a Fisher-Yates shuffle (see docs/binder.md)',
        seed: p.seed,
        samples: b.samples.map((s) => ({ ...s, rows: s.rows.map((r) => r + 1), row_numbering: '1-based, in the order of populations/<id>.csv' })),
      }),
    ],
  };
  yield { path: 'chains.json', content: [json({ chains: b.chains })] };
  yield { path: 'control-matrix.json', content: [json({ controls: b.controlMatrix })] };
  yield {
    path: 'control-matrix.csv',
    content: [
      toCsv(
        ['control', 'framework', 'title', 'rules', 'record_kinds', 'populations', 'findings_at_merge', 'findings_as_of'].map((key) => ({
          key,
          title: key,
          description: '',
        })),
        b.controlMatrix.map((c) => ({
          ...c,
          rules: c.rules.join('; '),
          record_kinds: c.record_kinds.join('; '),
          populations: c.populations.map((x) => `${x.id} (${x.rows})`).join('; '),
        })),
      ),
    ],
  };
  yield { path: 'verification.json', content: [json(b.verification)] };
  yield { path: 'summary.md', content: [renderSummary(b)] };
}

/** manifest.json: the SHA-256 and size of every other file, in `binderPaths` order. */
export function manifestJson(files: readonly ManifestEntry[]): string {
  return json({
    format: 'access-ledger/manifest@1',
    algorithm: 'sha256',
    note: 'SHA-256 of every file in the binder except this one, over its exact bytes; check with: sha256sum -c <(jq -r \'.files[] | "\\(.sha256)  \\(.path)"\' manifest.json)',
    files,
  });
}
