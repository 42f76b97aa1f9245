/**
 * Reading and verifying the ledger branch of a local clone with plain git, as an auditor would:
 * no GitHub access needed (docs/ledger.md).
 *
 * Cost is a fixed handful of git processes whatever the ledger's size: one rev-list, one
 * diff-tree --stdin for every commit's changes, one ls-tree for the tip, and one
 * cat-file --batch streaming every blob. Record contents are dropped as soon as they are
 * summarised, so 100,000 records verify in bounded memory.
 */
import {
  DEFAULT_LEDGER_BRANCH,
  HEAD_PATH,
  HistoryVerifier,
  chainResult,
  finishSignatureCheck,
  inspectRecord,
  isRecordPath,
  isSnapshotPath,
  parseHead,
  rankProblems,
  recordTimeProblems,
  signatureProblems,
  verifyHead,
  folderProblems,
  type FileVersion,
  type GitPerson,
  type LedgerHead,
  type LedgerProblem,
  type PendingSignature,
  type RecordSummary,
  type SignaturePolicy,
  type SignatureStats,
} from '../../core/ledger/index.ts';
import { createHash, verify as edVerify } from 'node:crypto';
import { GitError, catFileBatch, git } from './git.ts';

/** Signature checks left running while the next records are read (see verifyAt). */
const SIGNATURES_IN_FLIGHT = 256;

/** An Ed25519 verification on libuv's thread pool, so many run side by side off the main thread. */
function verifyAsync(p: PendingSignature): Promise<boolean> {
  return new Promise((resolve, reject) => edVerify(null, p.message, p.key, p.sig, (err, ok) => (err ? reject(err) : resolve(ok))));
}

/** The result of `verify`, shaped for JSON (the binder embeds it as is). */
export interface LedgerVerification {
  ok: boolean;
  repo: string;
  branch: string;
  /** The ref that was read, e.g. refs/heads/access-ledger or refs/remotes/origin/access-ledger. */
  ref: string;
  tip: string;
  records: number;
  commits: number;
  head: LedgerHead | null;
  /** The record with the highest seq. */
  last: { seq: number; hash: string; path: string } | null;
  /** The problem naming the lowest seq: where the ledger first breaks. */
  first_problem: LedgerProblem | null;
  /** Problems in seq order, at most `max_problems` of them. */
  problems: LedgerProblem[];
  problem_count: number;
  checks: string[];
  /** The App login commits were checked against (null when none was configured). */
  app_login: string | null;
  /** The keys signatures were checked against, as listed in access-ledger.yaml. */
  keys: { id: string; from: string; until: string | null }[];
  /** How many records each key signed, and how many were sealed before signing (null: not checked). */
  signatures: SignatureStats | null;
  /** What an auditor should know that is not a failure. */
  warnings: string[];
}

/**
 * Who may have written the ledger: the App's bot login and the ledger's public keys, from
 * access-ledger.yaml (`ledger.app_login`, `ledger.public_keys`) or the command line.
 */
export interface LedgerTrust {
  /** `access-ledger[bot]`; null when neither the config nor the caller names the App (a failure). */
  appLogin: string | null;
  signatures: SignaturePolicy;
}

export interface VerifyLedgerOptions {
  /** Called after each commit is replayed; for a progress line on a terminal. */
  onProgress?: (done: number, total: number) => void;
  /** Problems kept in the result (all are counted). Default 100. */
  maxProblems?: number;
  /** Receives every record summary (for the online cross-check) without holding them twice. */
  onRecord?: (summary: RecordSummary) => void;
  /**
   * Check who wrote each commit, the commit and record times, and every record's signature.
   * Without it only the content, chain, head and append-only history are checked.
   */
  trust?: LedgerTrust;
}

/** The ledger could not be read at all (as opposed to read and found broken). */
export class LedgerReadError extends Error {
  override name = 'LedgerReadError';
  readonly hint: string | null;

  constructor(message: string, hint: string | null = null) {
    super(message);
    this.hint = hint;
  }
}

/** Finds the ledger branch: a local branch, else a remote-tracking one (what a fresh clone has). */
export async function resolveLedgerRef(repoDir: string, branch: string = DEFAULT_LEDGER_BRANCH): Promise<{ ref: string; sha: string }> {
  try {
    await git(repoDir, ['rev-parse', '--git-dir']);
  } catch (err) {
    const e = err as GitError;
    throw new LedgerReadError(`${repoDir} is not a git repository: ${e.message}`, e.hint ?? 'Point --repo at a clone of the access repo.');
  }
  if (!/^[A-Za-z0-9._/-]+$/.test(branch) || branch.startsWith('-') || branch.includes('..')) {
    throw new LedgerReadError(`invalid branch name ${JSON.stringify(branch)}`);
  }
  const listed = (await git(repoDir, ['for-each-ref', '--format=%(refname) %(objectname)', `refs/heads/${branch}`, `refs/remotes/*/${branch}`])).toString(
    'utf8',
  );
  const refs = listed
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [ref, sha] = line.split(' ') as [string, string];
      return { ref, sha };
    })
    // for-each-ref matches refs/remotes/*/<branch> by glob; keep exact names only.
    .filter(
      (r) =>
        r.ref === `refs/heads/${branch}` ||
        (/^refs\/remotes\/[^/]+\//.test(r.ref) && r.ref.endsWith(`/${branch}`) && r.ref.split('/').length === 3 + branch.split('/').length),
    );
  const pick = refs.find((r) => r.ref === `refs/heads/${branch}`) ?? refs.find((r) => r.ref === `refs/remotes/origin/${branch}`) ?? refs[0];
  if (!pick) {
    throw new LedgerReadError(
      `There is no ledger branch ${branch} in ${repoDir} (neither refs/heads/${branch} nor a remote-tracking branch).`,
      `Fetch it: git -C ${repoDir} fetch origin ${branch}:${branch}`,
    );
  }
  return pick;
}

interface Change {
  status: string;
  path: string;
  oid: string;
  /** The new mode; a gitlink (160000) names a commit, not content. */
  mode: string;
}

interface CommitChanges {
  sha: string;
  parents: string[];
  author: GitPerson;
  committer: GitPerson;
  changes: Change[];
}

const isoOfSeconds = (s: string): string => new Date(Number(s) * 1000).toISOString().slice(0, 19) + 'Z';

/** Every commit on the branch's first-parent line, oldest first, with its changes to that parent. */
async function readHistory(repoDir: string, tip: string): Promise<CommitChanges[]> {
  // One commit per \x1e-terminated entry: "<sha> <parents>", author name, e-mail, time, committer name, e-mail, time.
  const log = (await git(repoDir, ['log', '--reverse', '--first-parent', '--format=%H %P%x1f%an%x1f%ae%x1f%at%x1f%cn%x1f%ce%x1f%ct%x1e', tip])).toString(
    'utf8',
  );
  const commits: CommitChanges[] = log
    .split('\x1e')
    .map((entry) => entry.replace(/^\n/, ''))
    .filter(Boolean)
    .map((entry) => {
      const [ids, an, ae, at, cn, ce, ct] = entry.split('\x1f') as [string, string, string, string, string, string, string];
      const [sha, ...parents] = ids.trim().split(' ').filter(Boolean) as [string, ...string[]];
      return { sha, parents, author: { name: an, email: ae, date: isoOfSeconds(at) }, committer: { name: cn, email: ce, date: isoOfSeconds(ct) }, changes: [] };
    });
  if (commits.length === 0) return commits;
  // "<sha> <first parent>" diffs against that parent only (a merge is judged as the change it
  // brought onto the line); a bare "<sha>" with --root diffs the root commit against nothing.
  const input = commits.map((c) => (c.parents[0] ? `${c.sha} ${c.parents[0]}` : c.sha)).join('\n') + '\n';
  const out = await git(repoDir, ['diff-tree', '--stdin', '-r', '--raw', '--no-abbrev', '--no-renames', '-z', '--root', '--always'], input);
  const bySha = new Map(commits.map((c) => [c.sha, c]));
  const tokens = out.toString('utf8').split('\0');
  let current: CommitChanges | undefined;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t === '') continue;
    if (t.startsWith(':')) {
      // ":<old mode> <new mode> <old oid> <new oid> <status>" then the path.
      const [, newMode, , newOid, status] = t.slice(1).split(' ');
      const path = tokens[++i]!;
      if (!current) throw new GitError('unexpected git diff-tree output: a change before any commit');
      current.changes.push({ status: status!.charAt(0), path, oid: newOid!, mode: newMode! });
    } else {
      current = bySha.get(t.trim());
      if (!current) throw new GitError(`unexpected git diff-tree output: ${t.slice(0, 80)}`);
    }
  }
  return commits;
}

/** path -> blob oid of every file in the tip's tree. */
async function readTree(repoDir: string, tip: string): Promise<Map<string, string>> {
  const out = (await git(repoDir, ['ls-tree', '-r', '-z', '--full-tree', tip])).toString('utf8');
  const files = new Map<string, string>();
  for (const entry of out.split('\0')) {
    if (!entry) continue;
    const tab = entry.indexOf('\t');
    const [, type, oid] = entry.slice(0, tab).split(' ');
    if (type === 'blob') files.set(entry.slice(tab + 1), oid!);
  }
  return files;
}

const needsContent = (path: string) => path === HEAD_PATH || isRecordPath(path) || isSnapshotPath(path);

/**
 * Verifies the ledger branch of a local clone: every record's hash and path, the prev_hash
 * chain, contiguous seq, head.json, and that each commit only appended.
 * Throws LedgerReadError when the branch cannot be read (exit 2), returns ok false when it is
 * broken (exit 1).
 */
export async function verifyLedger(repoDir: string, branch: string = DEFAULT_LEDGER_BRANCH, options: VerifyLedgerOptions = {}): Promise<LedgerVerification> {
  const { ref, sha: tip } = await resolveLedgerRef(repoDir, branch);
  try {
    return await verifyAt(repoDir, branch, ref, tip, options);
  } catch (err) {
    if (err instanceof GitError) throw new LedgerReadError(err.message, err.hint);
    throw err;
  }
}

async function verifyAt(repoDir: string, branch: string, ref: string, tip: string, options: VerifyLedgerOptions): Promise<LedgerVerification> {
  const trust = options.trust;
  // Two git processes side by side: the history's changes and the tip's tree.
  const [commits, tree] = await Promise.all([readHistory(repoDir, tip), readTree(repoDir, tip)]);

  // Each (path, oid) of the tip is summarised once, when the commit that wrote it is replayed.
  const summaries: RecordSummary[] = [];
  const recordProblems: LedgerProblem[] = [];
  const inspected = new Set<string>();
  const signing: Promise<void>[] = [];
  let settled = 0;
  let headContent: string | null = null;
  const inspectIfTip = (path: string, oid: string, content: string): RecordSummary | null => {
    if (tree.get(path) !== oid || inspected.has(path)) return null;
    inspected.add(path);
    if (path === HEAD_PATH) {
      headContent = content;
      return null;
    }
    const { summary, problem, pendingSignature } = inspectRecord(path, content, trust?.signatures.keys, { deferSignature: true });
    if (problem) recordProblems.push(problem);
    if (summary) {
      summaries.push(summary);
      options.onRecord?.(summary);
      // Ed25519 verifications run on libuv's thread pool while the next blobs are read.
      if (pendingSignature) signing.push(verifyAsync(pendingSignature).then((ok) => void (summary.signature = finishSignatureCheck(pendingSignature, ok))));
    }
    return summary;
  };

  const wanted = commits.map((c) => c.changes.filter((ch) => ch.status !== 'D' && ch.mode !== '160000' && needsContent(ch.path)));
  const blobs = catFileBatch(
    repoDir,
    wanted.flat().map((ch) => ch.oid),
  )[Symbol.asyncIterator]();
  const history = new HistoryVerifier(trust?.appLogin ? { appLogin: trust.appLogin } : {});
  for (let i = 0; i < commits.length; i++) {
    const c = commits[i]!;
    const contents = new Map<Change, string>();
    const read = new Map<Change, RecordSummary>();
    const digests = new Map<Change, string>();
    for (const ch of wanted[i]!) {
      const next = await blobs.next();
      if (next.done || next.value.oid !== ch.oid) throw new GitError('git cat-file answered out of order');
      if (isSnapshotPath(ch.path)) {
        // A stored export is checked against its name by the SHA-256 of its bytes; its text is not kept.
        digests.set(ch, createHash('sha256').update(next.value.content).digest('hex'));
        continue;
      }
      const text = next.value.content.toString('utf8');
      contents.set(ch, text);
      const summary = inspectIfTip(ch.path, ch.oid, text);
      if (summary) read.set(ch, summary);
    }
    // Enough checks in flight to keep the thread pool busy, few enough that a whole ledger's
    // pending checks (messages, signatures, closures) do not sit on the heap at once.
    while (signing.length - settled > SIGNATURES_IN_FLIGHT) await signing[settled++];
    const version = (ch: Change): FileVersion => {
      if (digests.has(ch)) return { path: ch.path, sha256: digests.get(ch)! };
      if (!contents.has(ch)) return { path: ch.path };
      const s = read.get(ch);
      // The history replay needs only seq, hash and recorded_at: reuse what the record check parsed.
      return s
        ? { path: ch.path, content: contents.get(ch)!, record: { seq: s.seq, hash: s.hash, recorded_at: s.recorded_at } }
        : { path: ch.path, content: contents.get(ch)! };
    };
    history.addCommit({
      sha: c.sha,
      parents: c.parents,
      author: c.author,
      committer: c.committer,
      added: c.changes.filter((ch) => ch.status === 'A').map(version),
      modified: c.changes.filter((ch) => ch.status !== 'A' && ch.status !== 'D').map(version),
      deleted: c.changes.filter((ch) => ch.status === 'D').map((ch) => ({ path: ch.path })),
    });
    options.onProgress?.(i + 1, commits.length);
  }
  await blobs.return?.(undefined);

  // Anything at the tip no replayed commit wrote (not expected from a first-parent walk).
  const leftovers = [...tree].filter(([path]) => needsContent(path) && !isSnapshotPath(path) && !inspected.has(path));
  if (leftovers.length > 0) {
    const byOid = new Map(leftovers.map(([path, oid]) => [oid, path]));
    for await (const obj of catFileBatch(repoDir, byOid.keys())) inspectIfTip(byOid.get(obj.oid)!, obj.oid, obj.content.toString('utf8'));
  }

  await Promise.all(signing);
  // An access-snapshot record names its raw export: it must be on the branch, so drift reproduces from git alone.
  for (const s of summaries) {
    if (s.raw_path !== undefined && !tree.has(s.raw_path)) {
      recordProblems.push({ seq: s.seq, path: s.path, check: 'record', problem: `names the stored export ${s.raw_path}, which is not on the branch` });
    }
  }
  const chain = chainResult(summaries, recordProblems, summaries.length + recordProblems.filter((p) => p.seq === null).length);
  const headProblem = verifyHead(headContent, chain.last);
  const folders = folderProblems(headContent, summaries);
  const trustProblems: LedgerProblem[] = [];
  let signatures: SignatureStats | null = null;
  const warnings: string[] = [];
  if (trust) {
    if (trust.appLogin === null) {
      trustProblems.push({
        seq: null,
        path: 'access-ledger.yaml',
        check: 'authorship',
        problem:
          'no App login to check the ledger commits against, so anyone could have written them: set ledger.app_login in access-ledger.yaml ' +
          "to the App's bot account (e.g. access-ledger[bot], the App's slug followed by [bot]) or pass --app-login",
      });
    }
    const judged = signatureProblems(summaries, trust.signatures);
    trustProblems.push(...judged.problems, ...recordTimeProblems(summaries));
    signatures = judged.stats;
    warnings.push(...judged.warnings);
  }
  const all = rankProblems([...chain.problems, ...(headProblem ? [headProblem] : []), ...folders, ...history.result().problems, ...trustProblems]);
  let head: LedgerHead | null = null;
  try {
    head = headContent === null ? null : parseHead(headContent);
  } catch {
    head = null;
  }
  const max = options.maxProblems ?? 100;
  return {
    ok: all.length === 0,
    repo: repoDir,
    branch,
    ref,
    tip,
    records: chain.count,
    commits: commits.length,
    head,
    last: chain.last ? { seq: chain.last.seq, hash: chain.last.hash, path: chain.last.path } : null,
    first_problem: all[0] ?? null,
    problems: all.slice(0, max),
    problem_count: all.length,
    checks: [
      'record hashes and paths',
      'prev_hash chain and contiguous seq',
      'head.json',
      'append-only history',
      'stored exports named by their SHA-256',
      ...(trust ? ['record signatures', 'commit authorship', 'commit and record times'] : []),
    ],
    app_login: trust?.appLogin ?? null,
    keys: (trust?.signatures.keys ?? []).map((k) => ({ id: k.id, from: k.fromText, until: k.untilText })),
    signatures,
    warnings,
  };
}
