/**
 * Reading and verifying the ledger branch of a local clone with plain git, as an auditor would:
 * no GitHub access needed (docs/ledger.md).
 *
 * Cost is a fixed handful of git processes whatever the ledger's size: one ls-tree for the tip,
 * one `git log` listing every commit with its changes, and one cat-file --batch streaming every
 * blob, the three working side by side: the log is parsed as git writes it, each blob asked for
 * as soon as its commit is listed. The records' checks (their hashes and signatures: most of the
 * work) run on worker threads, one per core, in batches (record-inspection.ts), while this thread
 * replays the history in order. Record contents are dropped as soon as they are summarised, so
 * 100,000 records verify in bounded memory.
 */
import {
  DEFAULT_LEDGER_BRANCH,
  HEAD_PATH,
  HistoryVerifier,
  chainResult,
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
  type RecordSummary,
  type SignaturePolicy,
  type SignatureStats,
} from '../../core/ledger/index.ts';
import { createHash } from 'node:crypto';
import { GitError, MAX_TEXT_BYTES, catFileBatch, git, gitFields } from './git.ts';
import { RecordInspector, type InspectedRecord } from './record-inspection.ts';

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
  /**
   * Worker threads that check the records (0: on this thread). Default: one per core for a ledger
   * of 2,000 records or more, none below (record-inspection.ts).
   */
  threads?: number;
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

/**
 * Every commit on the branch's first-parent line, oldest first, with its changes to that parent,
 * as git produces them: one `git log` whose diffs are parsed while git is still walking, so the
 * records of the first commits are being checked before the last are listed.
 */
async function* ledgerCommits(repoDir: string, tip: string): AsyncGenerator<CommitChanges> {
  // "\x01<sha> <parents>" then author name, e-mail, time, committer name, e-mail, time, each
  // closed by \x1f; then each change as ":<old mode> <new mode> <old oid> <new oid> <status>"
  // and its path. A merge is diffed against its first parent only (the change it brought onto
  // the line); the root commit against nothing.
  const fields = gitFields(repoDir, [
    'log',
    '--reverse',
    '--first-parent',
    '--diff-merges=first-parent',
    '--root',
    '--raw',
    '--no-abbrev',
    '--no-renames',
    '--no-show-signature',
    '-z',
    '--format=%x01%H %P%x1f%an%x1f%ae%x1f%at%x1f%cn%x1f%ce%x1f%ct%x1f',
    tip,
    '--',
  ]);
  let current: CommitChanges | null = null;
  let change: string | null = null;
  for await (const raw of fields) {
    if (change !== null) {
      // ":<old mode> <new mode> <old oid> <new oid> <status>" then the path, exactly as named: a
      // file whose name starts with a newline is not the record its name would be without it.
      const [, newMode, , newOid, status] = change.slice(1).split(' ');
      current!.changes.push({ status: status!.charAt(0), path: raw, oid: newOid!, mode: newMode! });
      change = null;
      continue;
    }
    // git puts a newline between a commit's header and its first change.
    const t = raw.charCodeAt(0) === 0x0a ? raw.slice(1) : raw;
    if (t.charCodeAt(0) === 0x01) {
      if (current) yield current;
      const parts = t.slice(1).split('\x1f');
      // Seven fields and the empty one after the last \x1f: anything else (a \x1f in a name) is refused.
      if (parts.length !== 8 || parts[7] !== '') throw new GitError(`unexpected git log output: ${JSON.stringify(t.slice(0, 120))}`);
      const [ids, an, ae, at, cn, ce, ct] = parts as [string, string, string, string, string, string, string];
      const [sha, ...parents] = ids.split(' ').filter(Boolean) as [string, ...string[]];
      current = {
        sha,
        parents,
        author: { name: an, email: ae, date: isoOfSeconds(at) },
        committer: { name: cn, email: ce, date: isoOfSeconds(ct) },
        changes: [],
      };
    } else if (t.charCodeAt(0) === 0x3a) {
      if (!current) throw new GitError('unexpected git log output: a change before any commit');
      change = t;
    } else if (t !== '') {
      throw new GitError(`unexpected git log output: ${JSON.stringify(t.slice(0, 120))}`);
    }
  }
  if (change !== null) throw new GitError('git log output ended in the middle of a change');
  if (current) yield current;
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

/** Commits read and waiting for their records' checks, at most, before the oldest is replayed. */
const COMMITS_AHEAD = 4_096;

/** A commit read, its changed files' versions filled in as their checks come back. */
interface ReadCommit {
  commit: CommitChanges;
  versions: Map<Change, FileVersion>;
  checks: Promise<void>[];
  /** How many records the inspector had been given once this commit's were added. */
  through: number;
}

/** Items pushed by one side and taken in order by the other, the taker waiting when it is ahead. */
class Handoff<T> {
  private readonly items: T[] = [];
  private wake: (() => void) | null = null;
  private ended = false;
  private error: unknown = null;

  push(item: T): void {
    this.items.push(item);
    this.poke();
  }

  end(error: unknown = null): void {
    this.ended = true;
    this.error = error;
    this.poke();
  }

  private poke(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }

  async take(): Promise<T | null> {
    for (;;) {
      if (this.items.length > 0) return this.items.shift()!;
      if (this.error) throw this.error;
      if (this.ended) return null;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }
}

async function verifyAt(repoDir: string, branch: string, ref: string, tip: string, options: VerifyLedgerOptions): Promise<LedgerVerification> {
  const trust = options.trust;
  const tree = await readTree(repoDir, tip);
  const expected = [...tree.keys()].filter(isRecordPath).length;
  const inspector = new RecordInspector(trust?.signatures.keys, { expected, ...(options.threads !== undefined ? { threads: options.threads } : {}) });
  try {
    return await replayAndJudge(repoDir, branch, ref, tip, tree, inspector, options);
  } finally {
    await inspector.close();
  }
}

async function replayAndJudge(
  repoDir: string,
  branch: string,
  ref: string,
  tip: string,
  tree: Map<string, string>,
  inspector: RecordInspector,
  options: VerifyLedgerOptions,
): Promise<LedgerVerification> {
  const trust = options.trust;
  // Each (path, oid) of the tip is summarised once, when the commit that wrote it is read; the
  // summaries are kept in commit order, as the commits are replayed.
  const summaries: RecordSummary[] = [];
  const recordProblems: LedgerProblem[] = [];
  const inspected = new Set<string>();
  let headContent: string | null = null;
  // A file larger than GitHub stores was not written by the App: it is reported, and git's reader
  // reads past it without holding it (catFileBatch's maxBytes).
  const oversized = (path: string, size: number): boolean => {
    if (size <= MAX_TEXT_BYTES) return false;
    recordProblems.push({
      seq: null,
      path,
      check: path === HEAD_PATH ? 'head' : 'record',
      problem: `is ${size} bytes, larger than any file GitHub stores (100 MiB): the App did not write it, and it is not read`,
    });
    return true;
  };
  const take = ({ summary, problem }: InspectedRecord): void => {
    if (problem) recordProblems.push(problem);
    if (summary) {
      summaries.push(summary);
      options.onRecord?.(summary);
    }
  };

  // git log lists the commits and their changes while cat-file reads the blobs they name: the
  // commits go from one to the other through `listed`, in order.
  const listed = new Handoff<{ commit: CommitChanges; wanted: Change[] }>();
  let commitCount = 0;
  const oids = (async function* () {
    try {
      for await (const commit of ledgerCommits(repoDir, tip)) {
        const wanted = commit.changes.filter((ch) => ch.status !== 'D' && ch.mode !== '160000' && needsContent(ch.path));
        listed.push({ commit, wanted });
        for (const ch of wanted) yield ch.oid;
      }
      listed.end();
    } catch (err) {
      listed.end(err);
      throw err;
    }
  })();
  const blobs = catFileBatch(repoDir, oids, { maxBytes: MAX_TEXT_BYTES })[Symbol.asyncIterator]();
  // Asked for at once, so cat-file starts and takes the ids as git log lists them; each answer's
  // successor is asked for as soon as it is taken.
  let nextBlob = blobs.next();
  nextBlob.catch(() => undefined);
  const history = new HistoryVerifier(trust?.appLogin ? { appLogin: trust.appLogin } : {});
  const waiting: ReadCommit[] = [];
  const replay = async (): Promise<void> => {
    const read = waiting.shift()!;
    await Promise.all(read.checks);
    const c = read.commit;
    const version = (ch: Change): FileVersion => read.versions.get(ch) ?? { path: ch.path };
    history.addCommit({
      sha: c.sha,
      parents: c.parents,
      author: c.author,
      committer: c.committer,
      added: c.changes.filter((ch) => ch.status === 'A').map(version),
      modified: c.changes.filter((ch) => ch.status !== 'A' && ch.status !== 'D').map(version),
      deleted: c.changes.filter((ch) => ch.status === 'D').map((ch) => ({ path: ch.path })),
    });
    options.onProgress?.(history.commitCount, commitCount);
  };

  try {
    await readAll();
  } catch (err) {
    // Stop git: cat-file is killed once its pending answer is taken, and the log with it.
    blobs.return(undefined).catch(() => undefined);
    throw err;
  }

  async function readAll(): Promise<void> {
    for (;;) {
      const next = await listed.take();
      if (!next) break;
      commitCount++;
      const read: ReadCommit = { commit: next.commit, versions: new Map(), checks: [], through: 0 };
      for (const ch of next.wanted) {
        const blob = await nextBlob;
        nextBlob = blobs.next();
        nextBlob.catch(() => undefined);
        if (blob.done || blob.value.oid !== ch.oid) throw new GitError('git cat-file answered out of order');
        const bytes = blob.value.content;
        if (oversized(ch.path, blob.value.size)) {
          // Replayed without its content: the history check reports what it then cannot read.
          if (tree.get(ch.path) === ch.oid) inspected.add(ch.path);
          read.versions.set(ch, { path: ch.path });
        } else if (isSnapshotPath(ch.path)) {
          // A stored export is checked against its name by the SHA-256 of its bytes; its text is not kept.
          read.versions.set(ch, { path: ch.path, sha256: createHash('sha256').update(bytes).digest('hex') });
        } else if (ch.path === HEAD_PATH || tree.get(ch.path) !== ch.oid || inspected.has(ch.path)) {
          // head.json, and versions the tip no longer has: the history check reads their text.
          const content = bytes.toString('utf8');
          if (ch.path === HEAD_PATH && tree.get(ch.path) === ch.oid) {
            headContent = content;
            inspected.add(HEAD_PATH);
          }
          read.versions.set(ch, { path: ch.path, content });
        } else {
          inspected.add(ch.path);
          const version: FileVersion = { path: ch.path };
          read.versions.set(ch, version);
          // The history replay needs only seq, hash and recorded_at: it reuses what the check parsed.
          const check = inspector.add(ch.path, bytes).then((r) => {
            take(r);
            if (r.summary) version.record = { seq: r.summary.seq, hash: r.summary.hash, recorded_at: r.summary.recorded_at };
            else if (r.content !== undefined) version.content = r.content;
          });
          // A failed check is reported when its commit is replayed, not as an unhandled rejection.
          check.catch(() => undefined);
          read.checks.push(check);
        }
      }
      read.through = inspector.added;
      waiting.push(read);
      // Replay the oldest commits while enough checks are under way to keep the workers busy, or
      // when too many commits wait (their records' batch is then sent, full or not).
      while (waiting.length > 0 && (waiting.length > COMMITS_AHEAD || inspector.busy)) {
        if (waiting[0]!.through > inspector.sent) inspector.flush();
        if (inspector.busy) await inspector.oneDone();
        else await replay();
      }
    }
    inspector.flush();
    while (waiting.length > 0) await replay();
    if (!(await nextBlob).done) throw new GitError('git cat-file answered more objects than were asked for');
  }

  // Anything at the tip no replayed commit wrote (not expected from a first-parent walk).
  const leftovers = [...tree].filter(([path]) => needsContent(path) && !isSnapshotPath(path) && !inspected.has(path));
  if (leftovers.length > 0) {
    const byOid = new Map(leftovers.map(([path, oid]) => [oid, path]));
    const checks: Promise<void>[] = [];
    for await (const obj of catFileBatch(repoDir, byOid.keys(), { maxBytes: MAX_TEXT_BYTES })) {
      const path = byOid.get(obj.oid)!;
      inspected.add(path);
      if (oversized(path, obj.size)) continue;
      if (path === HEAD_PATH) headContent = obj.content.toString('utf8');
      else {
        const check = inspector.add(path, obj.content).then(take);
        check.catch(() => undefined);
        checks.push(check);
      }
    }
    inspector.flush();
    await Promise.all(checks);
  }

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
    commits: commitCount,
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
