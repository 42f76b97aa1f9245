/**
 * Assembling the binder: populations, samples, chains, evidence map, control matrix and the
 * verification result, then the files, each hashed into manifest.json as it is produced. Files
 * are yielded one at a time so the writer can drop each before the next is built.
 */
import { createHash } from 'node:crypto';
import type { Finding } from '../findings.ts';
import { evaluate } from '../engine/evaluate.ts';
import { resolvePolicy, type Pack } from '../engine/policy.ts';
import type { LoadedFile, Snapshot } from '../model/snapshot.ts';
import type { Grant, RepoConfig, System } from '../model/types.ts';
import type { RuleRegistry } from '../rules/index.ts';
import { ChainBuilder, type EvidenceChain } from './chains.ts';
import { buildControlMatrix, type ControlRow } from './control-matrix.ts';
import { toCsv } from './csv.ts';
import { buildEvidenceMap, type EvidenceMap } from './evidence-map.ts';
import type { LedgerIndex } from './ledger-index.ts';
import { lightLoadedFile, parseAccessFile } from './parse.ts';
import type { PopulationBuilder } from './populations.ts';
import { drawPopulationSample } from './sampling.ts';
import { exportCommand } from './commands.ts';
import { renderHtml } from './html.ts';
import { renderSummary } from './summary.ts';
import type { ExportParams, Population, Row, SampleSpec } from './types.ts';

/** The ledger verification as the binder records it (the verify command's result, summarised). */
export interface BinderVerification {
  ok: boolean;
  /** One line: what was checked and the outcome. */
  summary: string;
  records: number | null;
  commits: number | null;
  /** The first problem (lowest seq), when not ok. */
  first_problem: string | null;
  problems: { seq: number | null; check: string; problem: string }[];
  /** The command that re-runs the check. */
  command: string;
  /** The verify command's full result, as it reported it. */
  result: unknown;
}

export interface Binder {
  params: ExportParams;
  populations: Population[];
  samples: SampleSpec[];
  chains: EvidenceChain[];
  evidenceMap: EvidenceMap;
  controlMatrix: ControlRow[];
  verification: BinderVerification;
  ledger: { records: number; by_kind: Record<string, number>; malformed: number };
  asOfFindings: { total: number; by_rule: Record<string, number> };
}

export interface AssembleInput {
  params: ExportParams;
  builder: PopulationBuilder;
  ledger: LedgerIndex;
  verification: BinderVerification;
  registry: RuleRegistry;
  packs: ReadonlyMap<string, Pack>;
}

/** The rules run over the tree as of the as-of day (every scope but pull-request), as the sweep would. */
export function findingsAsOf(builder: PopulationBuilder, registry: RuleRegistry, packs: ReadonlyMap<string, Pack>, today: string): { findings: Finding[]; enabled: (id: string) => boolean } {
  const snapshot: Snapshot = {
    systems: builder.systems.map((s) => lightLoadedFile<System>(s.path, s.system, s.problem, s.blob)),
    grants: builder.grants.map((g) => lightLoadedFile<Grant>(g.path, g.grant, g.problem, g.blob)),
  };
  if (builder.config !== null) {
    const parsed = parseAccessFile<RepoConfig>(builder.config, 'config');
    snapshot.config = lightLoadedFile<RepoConfig>('access-ledger.yaml', parsed.data, parsed.problem) as LoadedFile<RepoConfig>;
  }
  const { policy, findings: policyFindings } = resolvePolicy(snapshot.config, packs, registry);
  const findings = [...policyFindings, ...evaluate({ snapshot, policy, registry, today, scopes: ['file', 'repo', 'time'] })];
  const enabled = (id: string): boolean => {
    const s = policy.rules.get(id)?.severity;
    return s !== undefined && s !== 'off';
  };
  return { findings, enabled };
}

export function assembleBinder(input: AssembleInput): Binder {
  const { params, builder, ledger } = input;
  ledger.finish();
  const populations = builder.finish();
  const samples = populations.map((p) => drawPopulationSample(p, params.seed, params.sampleSize));
  const systems = new Map(builder.systems.filter((s) => s.system).map((s) => [s.system!.id, s.system!]));
  const removals = populations.find((p) => p.id === 'removals')!.rows;
  const chainBuilder = new ChainBuilder(params, ledger, systems, removals);
  const chains = populations.flatMap((p, i) => chainBuilder.chainsFor(p, samples[i]!));
  const evidenceMap = buildEvidenceMap(params, builder.systems, builder.grants, ledger);
  const { findings, enabled } = findingsAsOf(builder, input.registry, input.packs, params.asOf);
  const rules = [...input.registry.rules.values()].map((r) => r.meta);
  const controlMatrix = buildControlMatrix(params, rules, enabled, populations, ledger, findings);
  const byRule: Record<string, number> = {};
  for (const f of findings) byRule[f.rule] = (byRule[f.rule] ?? 0) + 1;
  return {
    params,
    populations,
    samples,
    chains,
    evidenceMap,
    controlMatrix,
    verification: input.verification,
    ledger: { records: ledger.count, by_kind: Object.fromEntries(ledger.byKind), malformed: ledger.malformed.length },
    asOfFindings: { total: findings.length, by_rule: byRule },
  };
}

export interface BinderFile {
  path: string;
  content: string;
}

export interface ManifestEntry {
  path: string;
  sha256: string;
  bytes: number;
}

export const MANIFEST_PATH = 'manifest.json';

export function sha256(content: string): string {
  return createHash('sha256').update(content, 'utf8').digest('hex');
}

const json = (value: unknown): string => JSON.stringify(value, null, 2) + '\n';

/** Pretty JSON whose `rows` array holds one compact row per line: readable, and a third of the size. */
function jsonWithRows(head: Record<string, unknown>, key: string, rows: readonly unknown[]): string {
  const top = JSON.stringify({ ...head, [key]: [] }, null, 2);
  const at = top.lastIndexOf(`"${key}": []`);
  const body = rows.length === 0 ? '[]' : `[\n    ${rows.map((r) => JSON.stringify(r)).join(',\n    ')}\n  ]`;
  return top.slice(0, at) + `"${key}": ` + body + top.slice(at + key.length + 6) + '\n';
}

/** Every file of the binder, manifest.json last (it lists the SHA-256 of all the others). */
export function* binderFiles(b: Binder): Generator<BinderFile> {
  const manifest: ManifestEntry[] = [];
  const emit = (path: string, content: string): BinderFile => {
    manifest.push({ path, sha256: sha256(content), bytes: Buffer.byteLength(content, 'utf8') });
    return { path, content };
  };
  const p = b.params;
  const header = { period: p.period, as_of: p.asOf, as_of_commit: p.asOfCommit, ref: p.ref, ref_sha: p.refSha, ledger_branch: p.ledgerBranch, ledger_sha: p.ledgerSha };

  yield emit('binder.json', json({
    format: 'access-ledger/binder@1',
    generated_at: p.generatedAt,
    tool: p.tool,
    repository: p.repository,
    ...header,
    seed: p.seed,
    sample_size: p.sampleSize,
    reproduce: exportCommand(p),
    populations: b.populations.map((pop) => ({ id: pop.id, title: pop.title, rows: pop.rows.length, files: [`populations/${pop.id}.csv`, `populations/${pop.id}.json`] })),
    ledger: b.ledger,
    verification: { ok: b.verification.ok, summary: b.verification.summary },
  }));
  yield emit('evidence-map.json', jsonWithRows({ as_of: b.evidenceMap.as_of, as_of_commit: b.evidenceMap.as_of_commit, unreadable: b.evidenceMap.unreadable, gap_counts: b.evidenceMap.gap_counts }, 'systems', b.evidenceMap.systems));
  const mapRows: Row[] = b.evidenceMap.systems.flatMap((s): Row[] =>
    s.identities.length === 0
      ? [{ system: s.id, category: s.category, environment: s.environment, system_owner: s.owner, approvers: s.approvers.join(', '), provisioning: s.evidence.provisioning, activity_log: s.evidence.activity, review_cadence_days: s.evidence.review_cadence_days, system_gaps: s.gaps.join('; ') || null, identity: null, kind: null, role: null, privileged: null, access_path: null, expires: null, owner: null, approval_seq: null, approval_pr: null, path: null, gaps: null }]
      : s.identities.map((i) => ({ system: s.id, category: s.category, environment: s.environment, system_owner: s.owner, approvers: s.approvers.join(', '), provisioning: s.evidence.provisioning, activity_log: s.evidence.activity, review_cadence_days: s.evidence.review_cadence_days, system_gaps: s.gaps.join('; ') || null, identity: i.identity, kind: i.kind, role: i.role, privileged: i.privileged ? 'yes' : 'no', access_path: i.access_path, expires: i.expires, owner: i.owner, approval_seq: i.approval?.seq ?? null, approval_pr: i.approval?.pr ?? null, path: i.path, gaps: i.gaps.join('; ') || null })),
  );
  const mapCols = Object.keys(mapRows[0] ?? { system: null }).map((key) => ({ key, title: key, description: '' }));
  yield emit('evidence-map.csv', toCsv(mapCols, mapRows));

  for (const pop of b.populations) {
    yield emit(`populations/${pop.id}.csv`, toCsv(pop.columns, pop.rows));
    yield emit(`populations/${pop.id}.json`, jsonWithRows({
      id: pop.id,
      title: pop.title,
      question: pop.question,
      unit: pop.unit,
      ...header,
      row_count: pop.rows.length,
      reproduce: pop.reproduce,
      controls: pop.controls,
      columns: pop.columns,
    }, 'rows', pop.rows));
  }
  for (let i = 0; i < b.populations.length; i++) {
    const pop = b.populations[i]!;
    const s = b.samples[i]!;
    const rows = s.rows.map((r) => pop.rows[r]!);
    yield emit(`samples/${pop.id}.csv`, toCsv(pop.columns, rows, [{ key: 'draw', values: s.rows.map((_, k) => k + 1) }, { key: 'row', values: s.rows.map((r) => r + 1) }]));
  }
  yield emit('samples.json', json({
    generator: 'mulberry32; per population, stream seed = seed XOR FNV-1a-32(population id); k rows drawn by the first k steps of a Fisher-Yates shuffle (see docs/binder.md)',
    seed: p.seed,
    samples: b.samples.map((s) => ({ ...s, rows: s.rows.map((r) => r + 1), row_numbering: '1-based, in the order of populations/<id>.csv' })),
  }));
  yield emit('chains.json', json({ chains: b.chains }));
  yield emit('control-matrix.json', json({ controls: b.controlMatrix }));
  yield emit('control-matrix.csv', toCsv(
    ['control', 'framework', 'title', 'rules', 'record_kinds', 'populations', 'findings_at_merge', 'findings_as_of'].map((key) => ({ key, title: key, description: '' })),
    b.controlMatrix.map((c) => ({ ...c, rules: c.rules.join('; '), record_kinds: c.record_kinds.join('; '), populations: c.populations.map((x) => `${x.id} (${x.rows})`).join('; ') })),
  ));
  yield emit('verification.json', json(b.verification));
  yield emit('summary.md', renderSummary(b));
  // index.html lists the hashes of every file before it; manifest.json covers index.html too.
  yield emit('index.html', renderHtml(b, [...manifest]));
  const manifestContent = json({
    format: 'access-ledger/manifest@1',
    algorithm: 'sha256',
    note: 'SHA-256 of every file in the binder except this one, over its exact bytes; check with: sha256sum -c <(jq -r \'.files[] | "\\(.sha256)  \\(.path)"\' manifest.json)',
    files: manifest,
  });
  yield { path: MANIFEST_PATH, content: manifestContent };
}
