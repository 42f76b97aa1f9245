/**
 * `access-ledger export --repo DIR --from DATE --to DATE --out DIR [--sample N --seed S]
 * [--as-of DATE] [--branch NAME] [--ref REF]`: the auditor's binder from a local clone
 * (docs/binder.md). Exit 0 when written with an intact ledger, 1 when written but
 * the ledger verification failed, 2 on a usage or runtime error (nothing is left half-written).
 */
import { createHash, type Hash } from 'node:crypto';
import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import {
  HTML_PATH,
  MANIFEST_PATH,
  assembleBinder,
  ledgerPart,
  binderFiles,
  binderPaths,
  drawSamples,
  manifestJson,
  populationCsvPath,
  populationJsonFrame,
  populationJsonPath,
  type LedgerPart,
  type BinderVerification,
  type ManifestEntry,
} from '../../core/binder/binder.ts';
import { evidenceMapCsv, evidenceMapJson, evidenceMapPage, type EvidenceMapPage } from '../../core/binder/evidence-map.ts';
import { HTML_MAP_LIMIT, renderHtml, renderPopulationPage, type HtmlPiece } from '../../core/binder/html.ts';
import { hasOwnPage, populationPagePath } from '../../core/binder/paging.ts';
import { LedgerIndex } from '../../core/binder/ledger-index.ts';
import { parseAccessFile } from '../../core/binder/parse.ts';
import { JSON_ROW_INDENT, type TextSink } from '../../core/binder/population-sink.ts';
import { findingsAsOf, type AsOfFindings, type AsOfTree } from '../../core/binder/findings-as-of.ts';
import { PopulationBuilder, localeOrder } from '../../core/binder/populations.ts';
import { fnv1a32 } from '../../core/binder/prng.ts';
import type { ExportParams, Population, Row, SampleSpec } from '../../core/binder/types.ts';
import { DEFAULT_LEDGER_BRANCH, parseLedgerPublicKeys, toTimestamp } from '../../core/ledger/index.ts';
import type { RepoConfig } from '../../core/model/types.ts';
import { builtinRegistry } from '../../core/validate.ts';
import { roleOf } from '../../core/model/snapshot.ts';
import type { RuleRegistry } from '../../core/rules/index.ts';
import { loadBuiltinPacks } from '../../adapters/fs/packs.ts';
import { LedgerReadError, resolveLedgerRef, verifyLedger, type LedgerTrust, type LedgerVerification } from '../../adapters/git/ledger-reader.ts';
import { GitError } from '../../adapters/git/git.ts';
import { completenessFromClone } from '../../adapters/git/completeness.ts';
import { CatFile, commitsWithContent, lastCommitOnOrBefore, originRepository, ledgerRecords, periodCommits, readTreeFiles, revParse, treeFiles } from '../../adapters/git/history.ts';
import { UsageError, type Io } from '../io.ts';
import { parseDay } from '../options.ts';
import { progressFor, type Progress } from '../progress.ts';
import { VERSION } from '../../core/version.ts';
import { terminalText } from '../../core/text/escape.ts';
import { DESCRIPTIONS } from './descriptions.ts';

export interface ExportArgs {
  repo: string;
  from: string;
  to: string;
  out: string;
  asOf?: string;
  sample?: number;
  seed?: number;
  branch?: string;
  ref?: string;
  /** Web root of the GitHub server for the binder's links (default: GITHUB_SERVER_URL, else the origin remote's host). */
  serverUrl?: string;
  /** The App's bot account the ledger commits are checked against (default: ledger.app_login). */
  appLogin?: string;
}

export interface ExportOutcome {
  out: string;
  files: number;
  params: ExportParams;
  verification: BinderVerification;
  rows: Record<string, number>;
}

/** The default seed when none is given: FNV-1a-32 of "<from>..<to>", so a re-run draws the same sample. */
export function defaultSeed(from: string, to: string): number {
  return fnv1a32(`${from}..${to}`);
}

function checkDate(name: string, value: string): string {
  return parseDay(name, value);
}

/** What the binder says of the records' signatures: how many each key signed, how many predate signing. */
function signatureSummary(v: LedgerVerification): string {
  const s = v.signatures;
  if (!s) return '';
  const byKey = Object.entries(s.by_key).map(([id, n]) => `${n} by key ${id}`).join(', ');
  const unsigned = s.unsigned_legacy > 0 ? `; ${s.unsigned_legacy} unsigned, sealed before records were signed (seqs ${s.legacy_seqs![0]}-${s.legacy_seqs![1]}): nothing but their hash chain vouches for them` : '';
  return `; ${s.signed} record${s.signed === 1 ? '' : 's'} signed${byKey ? ` (${byKey})` : ''}${unsigned}${v.app_login ? `; commits by ${v.app_login}` : ''}`;
}

export function binderVerification(v: LedgerVerification, branch: string): BinderVerification {
  const first = v.first_problem;
  return {
    ok: v.ok,
    summary: v.ok
      ? `${v.records} records in ${v.commits} commits of ${v.ref} at ${v.tip.slice(0, 12)}: ${v.checks.join(', ')} all check out${signatureSummary(v)}`
      : `${v.problem_count} problem${v.problem_count === 1 ? '' : 's'} in ${v.ref} at ${v.tip.slice(0, 12)}; first at ${first?.seq !== null && first?.seq !== undefined ? `seq ${first.seq}` : 'a change without a seq'}${signatureSummary(v)}`,
    warnings: v.warnings,
    records: v.records,
    commits: v.commits,
    first_problem: first ? `${first.seq !== null ? `seq ${first.seq}` : 'no seq'} [${first.check}]${first.path ? ` ${first.path}` : ''}: ${first.problem}` : null,
    problems: v.problems.map((p) => ({ seq: p.seq, check: p.check, problem: p.problem })),
    command: `access-ledger verify --repo . --branch ${branch}`,
    // A copy: strings in the result may be slices of git's whole history listing.
    result: JSON.parse(JSON.stringify(v)) as unknown,
  };
}

async function ensureEmptyOut(out: string): Promise<void> {
  const info = await stat(out).catch(() => undefined);
  if (!info) return;
  if (!info.isDirectory()) throw new UsageError(`--out ${out} exists and is not a directory`);
  if ((await readdir(out)).length > 0) throw new UsageError(`--out ${out} is not empty: give a new directory (a binder is written whole, never mixed with an older one)`);
}

// One buffer that text is encoded into before it is hashed and written, and one that files are
// read back through: a fresh buffer per piece would be hundreds of megabytes of short-lived
// allocations outside the JavaScript heap, which the allocator does not hand back promptly.
const SCRATCH_BYTES = 1 << 18;
const encoded = Buffer.allocUnsafe(SCRATCH_BYTES);
const readBack = Buffer.allocUnsafe(SCRATCH_BYTES);

/** UTF-8 of `text`, in the shared buffer when it fits (valid until the next call). */
function encode(text: string): Buffer {
  if (text.length * 3 <= SCRATCH_BYTES) return encoded.subarray(0, encoded.write(text, 0, 'utf8'));
  const bytes = Buffer.byteLength(text, 'utf8');
  return bytes <= SCRATCH_BYTES ? encoded.subarray(0, encoded.write(text, 0, 'utf8')) : Buffer.from(text, 'utf8');
}

/**
 * A file written as it is produced, hashed on the way (when it belongs in the manifest). Writes
 * are synchronous: each piece goes to the page cache before the next row is built, so nothing
 * queues in memory however fast the rows come.
 */
class OutFile implements TextSink {
  private fd: number | null;
  private readonly hash: Hash | null;
  private bytes = 0;
  private readonly onFinish: (result: { sha256: string; bytes: number }) => void;

  constructor(path: string, hashed: boolean, onFinish: (result: { sha256: string; bytes: number }) => void = () => undefined) {
    this.fd = openSync(path, 'w');
    this.hash = hashed ? createHash('sha256') : null;
    this.onFinish = onFinish;
  }

  write(text: string | Uint8Array): void {
    if (this.fd === null) throw new Error('write to a closed binder file');
    const buf = typeof text === 'string' ? encode(text) : text;
    this.hash?.update(buf);
    for (let off = 0; off < buf.length; ) off += writeSync(this.fd, buf, off);
    this.bytes += buf.length;
  }

  /** Closes the file and reports its hash and size. */
  finish(): void {
    if (this.fd === null) throw new Error('a binder file was finished twice');
    closeSync(this.fd);
    this.fd = null;
    this.onFinish({ sha256: this.hash ? this.hash.digest('hex') : '', bytes: this.bytes });
  }

  /** Closes without a result (after a failure). */
  abandon(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}

/** The binder's staging directory: every file written there, and the manifest entry of each. */
class BinderDir {
  readonly root: string;
  readonly entries = new Map<string, ManifestEntry>();
  private readonly open = new Set<OutFile>();

  constructor(root: string) {
    this.root = root;
  }

  /** A file of the binder (hashed into the manifest) or, `hashed` false, a scratch file. */
  create(path: string, hashed = true): OutFile {
    const file: OutFile = new OutFile(join(this.root, path), hashed, ({ sha256, bytes }) => {
      this.open.delete(file);
      if (hashed) this.entries.set(path, { path, sha256, bytes });
    });
    this.open.add(file);
    return file;
  }

  writeFile(path: string, content: Iterable<string>): void {
    const file = this.create(path);
    for (const piece of content) file.write(piece);
    file.finish();
  }

  /** index.html: its text, with each table's rows copied from where the population put them. */
  writeHtml(path: string, content: Iterable<HtmlPiece>): void {
    const file = this.create(path);
    for (const piece of content) {
      if (typeof piece === 'string') file.write(piece);
      else copyInto(file, join(this.root, SCRATCH, `${piece.rowsOf}.html`));
    }
    file.finish();
  }

  /** Entries in the given order; every path must have been written. */
  manifest(paths: readonly string[]): ManifestEntry[] {
    return paths.map((p) => {
      const e = this.entries.get(p);
      if (!e) throw new Error(`binder file ${p} was not written`);
      return e;
    });
  }

  abandonAll(): void {
    for (const f of this.open) f.abandon();
    this.open.clear();
  }
}

const SCRATCH = '.rows';

/** Appends a file's bytes to a binder file (through the shared read buffer). */
function copyInto(out: OutFile, path: string): void {
  const fd = openSync(path, 'r');
  try {
    for (let n = readSync(fd, readBack, 0, readBack.length, null); n > 0; n = readSync(fd, readBack, 0, readBack.length, null)) out.write(readBack.subarray(0, n));
  } finally {
    closeSync(fd);
  }
}

/**
 * Writes populations/<id>.json: the frame around the rows, and the rows copied from the scratch
 * file the population's sink wrote while the rows were built (the row count comes before the
 * rows, so the file is only written once they are all known). On the way, the sampled rows are
 * picked out by line (one row per line) and parsed back: `wanted` maps a row index to its draw
 * position; the rows come back in draw order.
 */
function writePopulationJson(dir: BinderDir, pop: Population, params: ExportParams, sample: SampleSpec): Row[] {
  const { before, after } = populationJsonFrame(pop, params);
  const out = dir.create(populationJsonPath(pop.id));
  out.write(before);
  const wanted = new Map<number, number>(sample.rows.map((row, draw) => [row, draw]));
  const picked: Row[] = new Array<Row>(sample.rows.length);
  let remaining = wanted.size;
  const scratch = join(dir.root, SCRATCH, `${pop.id}.json`);
  const fd = openSync(scratch, 'r');
  try {
    const buf = readBack;
    let line = 0;
    let parts: Buffer[] | null = wanted.has(0) ? [] : null;
    const take = (): void => {
      const text = Buffer.concat(parts!).toString('utf8');
      // "    {…}," or, for the last row, "    {…}".
      picked[wanted.get(line)!] = JSON.parse(text.slice(JSON_ROW_INDENT.length, text.endsWith(',') ? -1 : undefined)) as Row;
      remaining--;
    };
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      const chunk = buf.subarray(0, n);
      out.write(chunk);
      if (remaining === 0) continue;
      let start = 0;
      for (;;) {
        const nl = chunk.indexOf(0x0a, start);
        if (parts) parts.push(Buffer.from(chunk.subarray(start, nl < 0 ? n : nl)));
        if (nl < 0) break;
        if (parts) take();
        line++;
        parts = wanted.has(line) ? [] : null;
        start = nl + 1;
      }
    }
    if (parts && pop.rowCount > 0) take();
  } finally {
    closeSync(fd);
  }
  out.write(after);
  out.finish();
  for (let i = 0; i < picked.length; i++) if (!picked[i]) throw new Error(`row ${sample.rows[i]! + 1} of ${pop.id} could not be read back`);
  return picked;
}

/** Every record at the ledger tip, indexed for the joins. */
async function readLedger(repoDir: string, cat: CatFile, ledgerSha: string, progress: Progress): Promise<{ ledger: LedgerIndex; unreadable: number }> {
  const ledger = new LedgerIndex();
  progress.phase('reading ledger', 0);
  let unreadable = 0;
  for await (const { path, record } of ledgerRecords(repoDir, cat, ledgerSha)) {
    if (record && typeof record === 'object' && typeof record.kind === 'string' && record.subject) ledger.add(record, path);
    else unreadable++;
    progress.tick();
  }
  return { ledger: ledger.finish(), unreadable };
}

interface BuildInput {
  repoDir: string;
  cat: CatFile;
  params: ExportParams;
  branch: string;
  trust: LedgerTrust;
  files: BinderDir;
  progress: Progress;
  /** `--server-url` or GITHUB_SERVER_URL, when given. */
  serverUrl: string | undefined;
}

/** The grant, system and config files of the as-of tree (none when the period starts before the repo). */
async function asOfTree(repoDir: string, params: ExportParams): Promise<{ path: string; blob: string }[]> {
  return params.asOfCommit ? await treeFiles(repoDir, params.asOfCommit) : [];
}

/** The rules over the as-of tree, as the tree pass kept it: the one step that needs every grant at once. */
function rulesAsOf(tree: AsOfTree, params: ExportParams, registry: RuleRegistry, progress: Progress): AsOfFindings {
  progress.phase('checking the rules', 1);
  try {
    return findingsAsOf(tree, registry, loadBuiltinPacks(), params.asOf);
  } finally {
    tree.release();
    progress.tick();
  }
}

/**
 * Verifies and reads the ledger, streams the history and the as-of tree past it into every
 * population's files, writes the evidence map, and returns the rest of what the binder needs of
 * them. The ledger index, the history and the builder stay in this function's frame, garbage once
 * it returns.
 *
 * What is held at once is kept apart: the ledger is verified first (the verification holds a
 * summary of every record), then indexed, then the history and the tree stream past the index,
 * commit by commit and grant by grant. The rules, which need every grant of the tree at once,
 * run after this (`rulesAsOf`, on the tree as this pass parsed it), when the index is gone.
 */
async function readBinder({ repoDir, cat, params, branch, trust, files, progress, serverUrl }: BuildInput): Promise<Omit<LedgerPart, 'evidenceMap'> & { evidenceMap: EvidenceMapPage }> {
  // git walks the period's history (it needs only the period) meanwhile.
  const walking = periodCommits(repoDir, params);
  walking.catch(() => undefined);
  progress.phase('verifying ledger', 1);
  let verification: BinderVerification;
  try {
    verification = binderVerification(await verifyLedger(repoDir, branch, { trust }), branch);
  } catch (err) {
    if (err instanceof LedgerReadError) throw new UsageError(`${err.message}${err.hint ? ` ${err.hint}` : ''}`);
    throw err;
  }
  progress.tick();
  // Then the ledger: the populations join on it as the commits stream past.
  const { ledger, unreadable } = await readLedger(repoDir, cat, params.ledgerSha!, progress);
  const origin = await originRepository(repoDir);
  params.repository = ledger.repository ?? origin?.repository ?? null;
  // Links go to the server the repository lives on: as asked, as the workflow runs on, or as the clone came from.
  params.serverUrl = serverUrl ?? origin?.serverUrl ?? 'https://github.com';

  // Each population streams to its CSV (final, hashed), and to scratch files of its JSON rows
  // and of the rows the page embeds.
  const streams: OutFile[] = [];
  const builder = new PopulationBuilder(params, ledger, (id) => {
    const out = { csv: files.create(populationCsvPath(id)), json: files.create(`${SCRATCH}/${id}.json`, false), html: files.create(`${SCRATCH}/${id}.html`, false) };
    streams.push(out.csv, out.json, out.html);
    return out;
  });
  const history = await walking;
  progress.phase('reading history', history.length);
  for await (const commit of commitsWithContent(cat, history)) {
    builder.addCommit(commit);
    progress.tick();
  }
  // The as-of tree: config and systems first, then grants in path order (the order of the
  // point-in-time populations); each grant becomes its rows and evidence-map entries at once.
  const tree = await asOfTree(repoDir, params);
  progress.phase('reading inventory', tree.length);
  const byPath = (a: { path: string }, b: { path: string }): number => localeOrder(a.path, b.path);
  for await (const file of readTreeFiles(cat, tree.filter((f) => roleOf(f.path) !== 'grant').sort(byPath))) {
    if (roleOf(file.path) === 'system') builder.addSystemFile(file);
    else builder.addConfigFile(file);
  }
  for await (const file of readTreeFiles(cat, tree.filter((f) => roleOf(f.path) === 'grant').sort(byPath))) {
    builder.addGrantFile(file);
    progress.tick();
  }
  // The systems' own listings against the grants of their day, and how each difference was resolved.
  progress.phase('comparing listings', 1);
  builder.addCompleteness(await completenessFromClone({ repoDir, cat, params, ledger, systems: builder.systems, packs: loadBuiltinPacks() }));
  progress.tick();
  const populations = builder.finish();
  for (const f of streams) f.finish();

  progress.phase('writing populations', populations.length);
  const samples = drawSamples(params, populations);
  const sampledRows = populations.map((pop, i) => {
    const rows = writePopulationJson(files, pop, params, samples[i]!);
    progress.tick();
    return rows;
  });

  if (unreadable > 0) verification.summary += `; ${unreadable} record files could not be parsed`;

  progress.phase('tracing samples', 1);
  const part = ledgerPart({ params, builder, populations, samples, sampledRows, ledger, verification });
  files.writeFile('evidence-map.json', evidenceMapJson(part.evidenceMap));
  files.writeFile('evidence-map.csv', evidenceMapCsv(part.evidenceMap));
  ledger.release();
  progress.tick();
  return { ...part, evidenceMap: evidenceMapPage(part.evidenceMap, HTML_MAP_LIMIT) };
}

export async function runExport(args: ExportArgs, io: Io): Promise<ExportOutcome> {
  const from = checkDate('--from', args.from);
  const to = checkDate('--to', args.to);
  if (from > to) throw new UsageError(`--from ${from} is after --to ${to}`);
  const asOf = checkDate('--as-of', args.asOf ?? to);
  const repoDir = resolve(args.repo);
  const out = resolve(args.out);
  const repoInfo = await stat(repoDir).catch(() => undefined);
  if (!repoInfo?.isDirectory()) throw new UsageError(`--repo ${args.repo} is not a directory: pass a local clone of the access repo`);
  await ensureEmptyOut(out);
  const ref = args.ref ?? 'HEAD';
  const refSha = await revParse(repoDir, ref);
  if (!refSha) {
    const isRepo = await revParse(repoDir, 'HEAD');
    if (!isRepo && ref === 'HEAD') throw new UsageError(`${args.repo} is not a git clone with commits: pass --repo a clone of the access repo (git clone <url>)`);
    throw new UsageError(`--ref ${ref} is not a commit in ${args.repo}: fetch it first (git fetch origin ${ref})`);
  }

  const cat = new CatFile(repoDir);
  const progress = progressFor(io, 'access-ledger export');
  // Written beside the target and renamed at the end, so a failed export leaves no partial binder.
  const staging = `${out}.partial-${process.pid}`;
  let files: BinderDir | null = null;
  try {
    const configBlob = await cat.read(`${refSha}:access-ledger.yaml`);
    const config = configBlob !== null ? parseAccessFile<RepoConfig>(configBlob, 'config').data : null;
    const branch = args.branch ?? config?.ledger?.branch ?? DEFAULT_LEDGER_BRANCH;
    const keys = parseLedgerPublicKeys(config?.ledger?.public_keys);
    const trust: LedgerTrust = { appLogin: args.appLogin ?? config?.ledger?.app_login ?? null, signatures: { keys: keys.keys, keyProblems: keys.problems } };
    let ledgerRef: { ref: string; sha: string };
    try {
      ledgerRef = await resolveLedgerRef(repoDir, branch);
    } catch (err) {
      if (err instanceof LedgerReadError) throw new UsageError(`${err.message}${err.hint ? ` ${err.hint}` : ''}`);
      throw err;
    }
    const asOfCommit = await lastCommitOnOrBefore(repoDir, refSha, asOf);
    const params: ExportParams = {
      period: { from, to },
      asOf,
      ref,
      refSha,
      ledgerBranch: branch,
      ledgerSha: ledgerRef.sha,
      asOfCommit: asOfCommit?.sha ?? null,
      asOfCommittedAt: asOfCommit?.committed_at ?? null,
      seed: args.seed ?? defaultSeed(from, to),
      sampleSize: args.sample ?? null,
      repository: null,
      provisioningWorkflow: config?.ledger?.provisioning_workflow ?? null,
      generatedAt: toTimestamp(io.now()),
      tool: { name: 'access-ledger', version: VERSION },
    };

    await rm(staging, { recursive: true, force: true });
    for (const sub of ['populations', 'samples', SCRATCH]) await mkdir(join(staging, sub), { recursive: true });
    files = new BinderDir(staging);
    const part = await readBinder({ repoDir, cat, params, branch, trust, files, progress, serverUrl: args.serverUrl ?? (io.env.GITHUB_SERVER_URL || undefined) });
    const registry = builtinRegistry();
    const binder = assembleBinder(part, rulesAsOf(part.tree, params, registry, progress), registry);

    progress.phase('writing', 0);
    for (const file of binderFiles(binder)) files.writeFile(file.path, file.content);
    const paths = binderPaths(binder.populations);
    // A large population's own page, then index.html, which links it.
    for (let i = 0; i < binder.populations.length; i++) {
      if (hasOwnPage(binder.populations[i]!)) files.writeHtml(populationPagePath(binder.populations[i]!.id), renderPopulationPage(binder, i));
    }
    // index.html lists the hashes of every file before it; manifest.json covers index.html too.
    files.writeHtml(HTML_PATH, renderHtml(binder, files.manifest(paths.filter((p) => p !== HTML_PATH))));
    files.writeFile(MANIFEST_PATH, [manifestJson(files.manifest(paths))]);
    await rm(join(staging, SCRATCH), { recursive: true, force: true });

    await rm(out, { recursive: true, force: true });
    await mkdir(dirname(out), { recursive: true });
    await rename(staging, out);
    progress.stop();
    const rows = Object.fromEntries(binder.populations.map((p) => [p.id, p.rowCount]));
    return { out, files: paths.length + 1, params, verification: binder.verification, rows };
  } catch (err) {
    if (files) {
      files.abandonAll();
      await rm(staging, { recursive: true, force: true });
    }
    // A git failure names what to do about it (fetch the full history, point at a clone…).
    if (err instanceof GitError) throw new UsageError(`${err.message}${err.hint ? ` ${err.hint}` : ''}`);
    throw err;
  } finally {
    progress.stop();
    cat.close();
  }
}

const integer = (name: string, min: number, max: number) => (value: string): number => {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`${name} must be a whole number`);
  const n = Number(value);
  if (n < min || n > max) throw new InvalidArgumentError(`${name} must be between ${min} and ${max}`);
  return n;
};

export function registerExport(program: Command, io: Io, setExit: (code: number) => void): void {
  program
    .command('export')
    .description(DESCRIPTIONS.export)
    .requiredOption('--repo <dir>', 'a local clone of the access repo (with its ledger branch fetched)')
    .requiredOption('--from <date>', 'first day of the period, YYYY-MM-DD (UTC)')
    .requiredOption('--to <date>', 'last day of the period, YYYY-MM-DD (UTC), inclusive')
    .requiredOption('--out <dir>', 'directory to write the binder to (new or empty)')
    .option('--as-of <date>', 'day of the point-in-time inventory (default: --to)')
    .option('--sample <n>', 'sample size for every population (default: by control frequency, see docs/binder.md)', integer('--sample', 1, 100_000))
    .option('--seed <s>', 'seed of the sampling generator, 0 to 4294967295 (default: derived from the period)', integer('--seed', 0, 0xffffffff))
    .option('--branch <name>', 'the ledger branch (default: ledger.branch of access-ledger.yaml, else access-ledger)')
    .option('--ref <ref>', 'the access repo branch or commit whose history is read', 'HEAD')
    .option('--server-url <url>', "web root of the GitHub server for the binder's links, e.g. https://github.acme.internal (default: GITHUB_SERVER_URL, else the host of the clone's origin)")
    .option('--app-login <login>', "the App's bot account the ledger commits are checked against (default: ledger.app_login of access-ledger.yaml)")
    .action(async (opts: { repo: string; from: string; to: string; out: string; asOf?: string; sample?: number; seed?: number; branch?: string; ref: string; serverUrl?: string; appLogin?: string }) => {
      if (opts.serverUrl !== undefined && !/^https?:\/\/[^/\s]+\/?$/.test(opts.serverUrl)) throw new UsageError(`--server-url must be the web root of a GitHub server, like https://github.acme.internal, not ${JSON.stringify(opts.serverUrl)}`);
      const args: ExportArgs = { repo: opts.repo, from: opts.from, to: opts.to, out: opts.out, ref: opts.ref };
      if (opts.appLogin !== undefined) args.appLogin = opts.appLogin;
      if (opts.asOf !== undefined) args.asOf = opts.asOf;
      if (opts.sample !== undefined) args.sample = opts.sample;
      if (opts.seed !== undefined) args.seed = opts.seed;
      if (opts.branch !== undefined) args.branch = opts.branch;
      if (opts.serverUrl !== undefined) args.serverUrl = opts.serverUrl;
      const started = Date.now();
      const r = await runExport(args, io);
      const pops = Object.entries(r.rows).map(([id, n]) => `${id} ${n}`).join(', ');
      io.stdout(
        terminalText(
          `Binder written to ${r.out} (${r.files} files, ${((Date.now() - started) / 1000).toFixed(1)} s)\n` +
            `  period ${r.params.period.from} to ${r.params.period.to}, inventory as of ${r.params.asOf}, seed ${r.params.seed}\n` +
            `  populations: ${pops}\n` +
            `  ledger verification: ${r.verification.ok ? 'passed' : 'FAILED'}: ${r.verification.summary}\n` +
            `  open ${join(r.out, 'index.html')}; paste ${join(r.out, 'summary.md')} into the audit request\n`,
          { multiline: true },
        ),
      );
      if (!r.verification.ok) io.stderr(`access-ledger export: the ledger failed verification (${terminalText(r.verification.first_problem ?? 'see verification.json')}); the binder records it\n`);
      setExit(r.verification.ok ? 0 : 1);
    });
}
