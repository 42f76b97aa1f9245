/**
 * The binder's core without git: a history of commits (path → content), the ledger's records and
 * an as-of day in; every population's rows, the summary and the evidence chain of every row out.
 * The same population modules, index and chains the export runs, fed plain data, so the tables of cases in
 * test/binder/ run in milliseconds.
 */
import { createHash } from 'node:crypto';
import { drawSamples, type Binder } from '../../src/core/binder/binder.ts';
import { ChainBuilder, type EvidenceChain } from '../../src/core/binder/chains.ts';
import type { PopulationId } from '../../src/core/binder/columns.ts';
import { LedgerIndex } from '../../src/core/binder/ledger-index.ts';
import { buildPopulations } from '../../src/core/binder/export.ts';
import type { TextSink } from '../../src/core/binder/population-sink.ts';
import { renderSummary } from '../../src/core/binder/summary.ts';
import type { AccessCommit, ChangedFile, ExportParams, Population, Row } from '../../src/core/binder/types.ts';
import {
  DEFAULT_CONTROLS,
  emptyHead,
  grantChangeKey,
  planAppend,
  type GrantChangeSubject,
  type GrantFileChange,
  type RecordDraft,
  type ReviewRecord,
  type SealedRecord,
} from '../../src/core/ledger/index.ts';

export const REPOSITORY = 'acme/access';
const blob = (content: string): string => createHash('sha1').update(content).digest('hex');

export interface HistoryCommit {
  sha: string;
  at: string;
  /** path → the file's new content, or null when the commit deletes it. */
  files: Record<string, string | null>;
}

export interface CoreBinder {
  populations: Map<string, Population>;
  rows: Map<string, Row[]>;
  /** The evidence chain of every row of a population, in row order. */
  chains(id: PopulationId): EvidenceChain[];
  summary: string;
  records: SealedRecord[];
}

const sink = (): TextSink & { text: string } => {
  const s = { text: '', write: (t: string) => void (s.text += t) };
  return s;
};

/** Builds every population from a history, the records (sealed in order) and the as-of day. */
export async function buildCore(input: {
  history: HistoryCommit[];
  records: RecordDraft[];
  from: string;
  to: string;
  asOf?: string;
  provisioningWorkflow?: string;
}): Promise<CoreBinder> {
  const records = planAppend(emptyHead(), input.records, () => new Date('2026-12-31T00:00:00Z')).records;
  const ledger = new LedgerIndex();
  for (const r of records) ledger.add(r);
  ledger.finish();
  const asOf = input.asOf ?? input.to;
  const tree = new Map<string, string>();
  const asOfTree = new Map<string, string>();
  const commits: AccessCommit[] = [];
  let asOfCommit: HistoryCommit | null = null;
  for (const c of [...input.history].sort((a, b) => a.at.localeCompare(b.at))) {
    const files: ChangedFile[] = [];
    for (const [path, after] of Object.entries(c.files)) {
      const before = tree.get(path) ?? null;
      if (after === null) tree.delete(path);
      else tree.set(path, after);
      files.push({
        path,
        action: before === null ? 'added' : after === null ? 'removed' : 'modified',
        before,
        after,
        before_blob: before === null ? null : blob(before),
        after_blob: after === null ? null : blob(after),
      });
    }
    const day = c.at.slice(0, 10);
    if (day >= input.from && day <= input.to) commits.push({ sha: c.sha, committed_at: c.at, files });
    if (day <= asOf) {
      asOfCommit = c;
      asOfTree.clear();
      for (const [p, t] of tree) asOfTree.set(p, t);
    }
  }
  const params: ExportParams = {
    period: { from: input.from, to: input.to },
    asOf,
    ref: 'HEAD',
    refSha: 'f'.repeat(40),
    ledgerBranch: 'access-ledger',
    ledgerSha: 'e'.repeat(40),
    asOfCommit: asOfCommit?.sha ?? null,
    asOfCommittedAt: asOfCommit?.at ?? null,
    seed: 1,
    sampleSize: null,
    repository: REPOSITORY,
    serverUrl: 'https://github.com',
    provisioningWorkflow: input.provisioningWorkflow ?? null,
    generatedAt: '2026-12-31T00:00:00Z',
    tool: { name: 'access-ledger', version: 'test' },
  };
  const outputs = new Map<string, { json: ReturnType<typeof sink> }>();
  const files = [...asOfTree].map(([path, content]) => ({ path, blob: blob(content), content }));
  const built = await buildPopulations(
    params,
    ledger,
    {
      history: async () => ({
        total: commits.length,
        commits: (async function* () {
          yield* commits;
        })(),
      }),
      tree: async () => files.map(({ path, blob }) => ({ path, blob })),
      readTree: async function* (list) {
        for (const f of list) yield files.find((x) => x.path === f.path)!;
      },
      listings: async () => [],
    },
    (id) => {
      const out = { csv: sink(), json: sink(), html: sink() };
      outputs.set(id, out);
      return out;
    },
    { phase: () => undefined, tick: () => undefined },
  );
  const populations = built.populations;
  const rows = new Map(populations.map((p) => [p.id, JSON.parse(`[${outputs.get(p.id)!.json.text}]`) as Row[]]));
  const systems = new Map(built.systems.filter((s) => s.system).map((s) => [s.system!.id, s.system!]));
  const chainBuilder = new ChainBuilder(params, ledger, systems, built.removalRefs, built.granteeApprovers);
  const samples = drawSamples(params, populations);
  const binder = {
    params,
    populations,
    samples,
    chains: [],
    evidenceMap: { ...built.evidenceMap, systems: [] },
    controlMatrix: [],
    verification: {
      ok: true,
      summary: 'ok',
      records: records.length,
      commits: 1,
      first_problem: null,
      problems: [],
      command: 'access-ledger verify',
      result: null,
    },
    ledger: { records: records.length, by_kind: Object.fromEntries(ledger.byKind), malformed: 0 },
    asOfFindings: { total: 0, by_rule: {} },
  } as unknown as Binder;
  return {
    populations: new Map(populations.map((p) => [p.id, p])),
    rows,
    chains: (id) => {
      const all = rows.get(id)!;
      return chainBuilder.chainsFor(id, { ...samples[0]!, population: id, rows: all.map((_, i) => i) }, all);
    },
    summary: renderSummary(binder),
    records,
  };
}

export const review = (
  reviewer: string,
  at: string,
  onHead = true,
  state: ReviewRecord['state'] = 'APPROVED',
  notCounted?: ReviewRecord['not_counted'],
): ReviewRecord => ({
  reviewer,
  state,
  submitted_at: at,
  commit_id: onHead ? 'b'.repeat(40) : 'c'.repeat(40),
  on_head: onHead,
  ...(notCounted !== undefined ? { not_counted: notCounted } : {}),
});

/** A grant-change record of a merge. */
export function grantChange(o: {
  pr: number;
  sha: string;
  at: string;
  author: string;
  changes: GrantFileChange[];
  reviews?: ReviewRecord[];
  approvals?: GrantChangeSubject['verdict']['approvals'];
  result?: 'pass' | 'fail';
  commitAuthors?: string[];
}): RecordDraft<'grant-change'> {
  return {
    kind: 'grant-change',
    key: grantChangeKey(o.pr),
    occurred_at: o.at,
    repository: REPOSITORY,
    controls: [...DEFAULT_CONTROLS['grant-change']],
    subject: {
      pr: {
        number: o.pr,
        title: `Access change #${o.pr}`,
        url: `https://github.com/${REPOSITORY}/pull/${o.pr}`,
        author: o.author,
        created_at: o.at.replace(/T.*/, 'T08:00:00Z'),
        merged_at: o.at,
        merged_by: 'carol',
      },
      base_sha: 'a'.repeat(40),
      head_sha: 'b'.repeat(40),
      merge_sha: o.sha,
      changes: o.changes,
      reviews: o.reviews ?? [],
      commit_authors: o.commitAuthors ?? [o.author],
      verdict: { result: o.result ?? 'pass', evaluated_at: o.at, policy_sha: 'a'.repeat(40), findings: [], approvals: o.approvals ?? [] },
    },
  };
}

/** One grant file's change as the record lists it. */
export function fileChange(
  path: string,
  action: GrantFileChange['action'],
  entries: [system: string, role: string, action: GrantFileChange['action'], privileged?: boolean][],
  kind: GrantFileChange['kind'] = 'human',
): GrantFileChange {
  const identity = path.replace(/^.*\//, '').replace(/\.ya?ml$/, '');
  return {
    path,
    identity,
    kind,
    action,
    before_blob: action === 'added' ? null : '1'.repeat(40),
    after_blob: action === 'removed' ? null : '2'.repeat(40),
    entries: entries.map(([system, role, a, privileged]) => ({ system, role, privileged: privileged ?? false, action: a, expires: '2026-12-31' })),
  };
}
