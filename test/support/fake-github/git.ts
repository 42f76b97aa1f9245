/**
 * A small content-addressed git object store: blobs, trees and commits encoded exactly as git
 * encodes them, so every SHA the fake hands out is the one `git hash-object` / `git write-tree` /
 * `git commit-tree` would compute for the same content. Callers that compare blob SHAs with a local
 * checkout (or recompute them) therefore see real git semantics.
 */
import { createHash } from 'node:crypto';

export type Sha = string;

export interface Person {
  name: string;
  email: string;
  /** ISO 8601 UTC, seconds precision (git stores whole seconds). */
  date: string;
}

export interface TreeEntry {
  name: string;
  /** As the REST API spells it: 100644, 100755, 040000, 120000, 160000. */
  mode: string;
  type: 'blob' | 'tree' | 'commit';
  sha: Sha;
}

export type GitObject =
  | { type: 'blob'; content: Buffer }
  | { type: 'tree'; entries: TreeEntry[] }
  | {
      type: 'commit';
      tree: Sha;
      parents: Sha[];
      author: Person;
      committer: Person;
      message: string /** The `gpgsig` header: an armored signature over the rest of the commit. */;
      gpgsig?: string;
    };

export type BlobObject = Extract<GitObject, { type: 'blob' }>;
export type TreeObject = Extract<GitObject, { type: 'tree' }>;
export type CommitObject = Extract<GitObject, { type: 'commit' }>;

/** One change to a tree: `sha: null` deletes the path (and prunes directories left empty). */
export interface TreeChange {
  path: string;
  mode: string;
  type: 'blob' | 'tree' | 'commit';
  sha: Sha | null;
}

export interface FlatEntry {
  path: string;
  mode: string;
  type: 'blob' | 'tree' | 'commit';
  sha: Sha;
  size?: number;
}

export const VALID_MODES = new Set(['100644', '100755', '040000', '120000', '160000']);
const EMPTY_TREE: TreeObject = { type: 'tree', entries: [] };

/** Thrown for malformed input so the REST layer can turn it into a 422. */
export class GitInputError extends Error {}

function hashObject(type: string, body: Buffer): Sha {
  return createHash('sha1')
    .update(Buffer.concat([Buffer.from(`${type} ${body.length}\0`), body]))
    .digest('hex');
}

/** Git orders tree entries bytewise by name, comparing a subtree's name as if it ended in `/`. */
function gitEntryKey(entry: { name: string; type: string }): Buffer {
  return Buffer.from(entry.type === 'tree' ? `${entry.name}/` : entry.name);
}

export function sortEntries(entries: TreeEntry[]): TreeEntry[] {
  return [...entries].sort((a, b) => Buffer.compare(gitEntryKey(a), gitEntryKey(b)));
}

function encodeTree(entries: TreeEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of sortEntries(entries)) {
    // Git writes directory modes without the leading zero.
    const mode = e.mode === '040000' ? '40000' : e.mode;
    parts.push(Buffer.from(`${mode} ${e.name}\0`), Buffer.from(e.sha, 'hex'));
  }
  return Buffer.concat(parts);
}

function encodePerson(p: Person): string {
  const seconds = Math.floor(Date.parse(p.date) / 1000);
  return `${p.name} <${p.email}> ${seconds} +0000`;
}

/** A commit in git's encoding; a signature is the `gpgsig` header, its lines continued with a space. */
export function encodeCommit(c: Omit<CommitObject, 'type'>): Buffer {
  const lines = [`tree ${c.tree}`, ...c.parents.map((p) => `parent ${p}`)];
  lines.push(`author ${encodePerson(c.author)}`, `committer ${encodePerson(c.committer)}`);
  if (c.gpgsig) lines.push(`gpgsig ${c.gpgsig.replace(/\n/g, '\n ')}`);
  return Buffer.from(`${lines.join('\n')}\n\n${c.message}`);
}

/** What a commit's signature covers: the commit without its `gpgsig` header. */
export function signedPayload(c: Omit<CommitObject, 'type'>): string {
  const { gpgsig: _omit, ...rest } = c;
  return encodeCommit(rest).toString('utf8');
}

/** Git's own heuristic: a NUL byte in the first 8000 bytes makes a blob binary. */
export function isBinary(content: Buffer): boolean {
  return content.subarray(0, 8000).includes(0);
}

export function validatePath(path: string): void {
  const parts = path.split('/');
  if (path === '' || parts.some((p) => p === '' || p === '.' || p === '..' || p === '.git')) {
    throw new GitInputError(`tree.path contains a malformed path component: ${JSON.stringify(path)}`);
  }
}

export class GitStore {
  readonly objects = new Map<Sha, GitObject>();

  has(sha: Sha): boolean {
    return this.objects.has(sha);
  }

  get(sha: Sha): GitObject | undefined {
    return this.objects.get(sha);
  }

  blob(sha: Sha): BlobObject | undefined {
    const o = this.objects.get(sha);
    return o?.type === 'blob' ? o : undefined;
  }

  tree(sha: Sha): TreeObject | undefined {
    const o = this.objects.get(sha);
    return o?.type === 'tree' ? o : undefined;
  }

  commit(sha: Sha): CommitObject | undefined {
    const o = this.objects.get(sha);
    return o?.type === 'commit' ? o : undefined;
  }

  writeBlob(content: Buffer | string): Sha {
    const buf = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
    const sha = hashObject('blob', buf);
    this.objects.set(sha, { type: 'blob', content: buf });
    return sha;
  }

  writeTree(entries: TreeEntry[]): Sha {
    const sorted = sortEntries(entries);
    const sha = hashObject('tree', encodeTree(sorted));
    this.objects.set(sha, { type: 'tree', entries: sorted });
    return sha;
  }

  writeCommit(c: Omit<CommitObject, 'type'>): Sha {
    const obj: CommitObject = { type: 'commit', ...c };
    const sha = hashObject('commit', encodeCommit(obj));
    this.objects.set(sha, obj);
    return sha;
  }

  /**
   * Applies changes (nested paths allowed) on top of `baseTree` and writes every tree that changed.
   * Directories emptied by deletions disappear, as they would in git.
   */
  updateTree(baseTree: Sha | undefined, changes: TreeChange[]): Sha {
    // A directory being edited; untouched directories stay plain entries and keep their SHA.
    type Node = { entries: Map<string, TreeEntry | Node> };
    const load = (sha: Sha | undefined): Node => {
      const t = sha ? this.tree(sha) : EMPTY_TREE;
      if (!t) throw new GitInputError(`base_tree ${sha} is not a tree`);
      return { entries: new Map(t.entries.map((e) => [e.name, e])) };
    };
    const isNode = (x: TreeEntry | Node): x is Node => 'entries' in x;
    const root = load(baseTree);

    for (const change of changes) {
      validatePath(change.path);
      const parts = change.path.split('/');
      const leaf = parts.pop() as string;
      let node: Node | undefined = root;
      for (const dir of parts) {
        const existing: TreeEntry | Node | undefined = node.entries.get(dir);
        let next: Node;
        if (existing === undefined) {
          if (change.sha === null) {
            node = undefined;
            break;
          } // deleting below a missing dir: nothing to do
          next = { entries: new Map() };
        } else if (isNode(existing)) {
          next = existing;
        } else if (existing.type === 'tree') {
          next = load(existing.sha);
        } else {
          throw new GitInputError(`tree.path ${change.path} crosses the file ${dir}`);
        }
        node.entries.set(dir, next);
        node = next;
      }
      if (!node) continue;
      // Deleting an absent path is taken as a no-op (assumed to match GitHub; not verified).
      if (change.sha === null) node.entries.delete(leaf);
      else node.entries.set(leaf, { name: leaf, mode: change.mode, type: change.type, sha: change.sha });
    }

    const write = (node: Node): Sha | null => {
      const entries: TreeEntry[] = [];
      for (const [name, e] of node.entries) {
        if (!isNode(e)) {
          entries.push(e);
          continue;
        }
        const sha = write(e);
        if (sha !== null) entries.push({ name, mode: '040000', type: 'tree', sha });
      }
      return entries.length === 0 && node !== root ? null : this.writeTree(entries);
    };
    return write(root) as Sha;
  }

  /** Entries of a tree; recursive lists each subtree before its contents, like `git ls-tree -r -t`. */
  listTree(treeSha: Sha, recursive: boolean, prefix = ''): FlatEntry[] {
    const tree = this.tree(treeSha);
    if (!tree) return [];
    const out: FlatEntry[] = [];
    for (const e of tree.entries) {
      const path = prefix + e.name;
      const flat: FlatEntry = { path, mode: e.mode, type: e.type, sha: e.sha };
      if (e.type === 'blob') flat.size = this.blob(e.sha)?.content.length ?? 0;
      out.push(flat);
      if (recursive && e.type === 'tree') out.push(...this.listTree(e.sha, true, `${path}/`));
    }
    return out;
  }

  /** Files (blobs, symlinks, submodules) by path. */
  files(treeSha: Sha): Map<string, FlatEntry> {
    return new Map(
      this.listTree(treeSha, true)
        .filter((e) => e.type !== 'tree')
        .map((e) => [e.path, e]),
    );
  }

  /** The entry at `path` in a tree; '' is the tree itself. */
  entryAt(treeSha: Sha, path: string): { mode: string; type: 'blob' | 'tree' | 'commit'; sha: Sha } | undefined {
    const clean = path.replace(/^\/+|\/+$/g, '');
    if (clean === '') return { mode: '040000', type: 'tree', sha: treeSha };
    let current: { mode: string; type: 'blob' | 'tree' | 'commit'; sha: Sha } = { mode: '040000', type: 'tree', sha: treeSha };
    for (const part of clean.split('/')) {
      if (current.type !== 'tree') return undefined;
      const e = this.tree(current.sha)?.entries.find((x) => x.name === part);
      if (!e) return undefined;
      current = e;
    }
    return current;
  }

  /** All commits reachable from `sha` (inclusive). */
  ancestors(sha: Sha): Set<Sha> {
    const seen = new Set<Sha>();
    const stack = [sha];
    while (stack.length) {
      const s = stack.pop() as Sha;
      if (seen.has(s)) continue;
      const c = this.commit(s);
      if (!c) continue;
      seen.add(s);
      stack.push(...c.parents);
    }
    return seen;
  }

  isAncestor(ancestor: Sha, descendant: Sha): boolean {
    return this.ancestors(descendant).has(ancestor);
  }

  /** A best common ancestor: the first commit of `b`'s history (breadth-first) that `a` also reaches. */
  mergeBase(a: Sha, b: Sha): Sha | undefined {
    const fromA = this.ancestors(a);
    const queue = [b];
    const seen = new Set<Sha>();
    while (queue.length) {
      const s = queue.shift() as Sha;
      if (seen.has(s)) continue;
      seen.add(s);
      if (fromA.has(s)) return s;
      queue.push(...(this.commit(s)?.parents ?? []));
    }
    return undefined;
  }

  /** Commits reachable from `head` but not from `base`, oldest first (parents before children). */
  commitsBetween(base: Sha | undefined, head: Sha): Sha[] {
    const exclude = base ? this.ancestors(base) : new Set<Sha>();
    const out: Sha[] = [];
    const visited = new Set<Sha>();
    const visit = (s: Sha): void => {
      if (visited.has(s) || exclude.has(s)) return;
      visited.add(s);
      for (const p of this.commit(s)?.parents ?? []) visit(p);
      out.push(s);
    };
    visit(head);
    return out;
  }
}

export interface FileDiff {
  filename: string;
  status: 'added' | 'modified' | 'removed' | 'renamed';
  previous_filename?: string;
  /** Blob at the new side (the old side for a removal, as GitHub reports it). */
  sha: Sha;
  additions: number;
  deletions: number;
}

function lines(buf: Buffer): string[] {
  const text = buf.toString('utf8');
  if (text === '') return [];
  const ls = text.split('\n');
  if (ls[ls.length - 1] === '') ls.pop();
  return ls;
}

/** Added and deleted line counts from a longest-common-subsequence diff (binary files count 0, as on GitHub). */
export function lineStats(before: Buffer | undefined, after: Buffer | undefined): { additions: number; deletions: number } {
  if ((before && isBinary(before)) || (after && isBinary(after))) return { additions: 0, deletions: 0 };
  let a = before ? lines(before) : [];
  let b = after ? lines(after) : [];
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  a = a.slice(start, endA);
  b = b.slice(start, endB);
  if (a.length * b.length > 4_000_000) return { additions: b.length, deletions: a.length }; // too big to align: count as rewritten
  const prev = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    let diag = 0;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j] as number;
      prev[j] = a[i - 1] === b[j - 1] ? diag + 1 : Math.max(up, prev[j - 1] as number);
      diag = up;
    }
  }
  const common = prev[b.length] as number;
  return { additions: b.length - common, deletions: a.length - common };
}

/**
 * Git's similarity estimate (diffcore-delta.c): text is cut into chunks at each newline or every
 * 64 bytes (a CR before LF is dropped), and the bytes of chunks both sides share, counted per
 * chunk as the smaller side's, are what was copied.
 */
function chunkBytes(buf: Buffer): Map<string, number> {
  const out = new Map<string, number>();
  let kept: number[] = [];
  const flush = () => {
    if (kept.length === 0) return;
    const key = Buffer.from(kept).toString('latin1');
    out.set(key, (out.get(key) ?? 0) + kept.length);
    kept = [];
  };
  for (let i = 0; i < buf.length; i++) {
    const c = buf[i] as number;
    if (c === 0x0d && buf[i + 1] === 0x0a) continue;
    kept.push(c);
    if (c === 0x0a || kept.length >= 64) flush();
  }
  flush();
  return out;
}

/** Similarity of two blobs in percent of the larger, as `git diff -M` scores a rename (0 for binaries or empty files). */
export function similarity(before: Buffer, after: Buffer): number {
  if (before.length === 0 || after.length === 0 || isBinary(before) || isBinary(after)) return 0;
  const a = chunkBytes(before);
  const b = chunkBytes(after);
  let copied = 0;
  for (const [chunk, n] of a) copied += Math.min(n, b.get(chunk) ?? 0);
  return (copied * 100) / Math.max(before.length, after.length);
}

/** Git's default rename threshold (`-M50%`), which GitHub's pull request file listing uses. */
export const RENAME_THRESHOLD = 50;

/**
 * File-level diff of two trees, sorted by file name like GitHub. Renames are detected as git does
 * by default: exact renames first (preferring the same file name), then a deleted and an added file
 * at least 50% similar, the most similar pairs first.
 */
export function diffTrees(store: GitStore, fromTree: Sha | undefined, toTree: Sha): FileDiff[] {
  const before = fromTree ? store.files(fromTree) : new Map<string, FlatEntry>();
  const after = store.files(toTree);
  const content = (sha: Sha): Buffer | undefined => store.blob(sha)?.content;
  const removed = [...before.values()].filter((e) => !after.has(e.path));
  const added: FlatEntry[] = [];
  const out: FileDiff[] = [];
  for (const e of after.values()) {
    const old = before.get(e.path);
    if (old && old.sha === e.sha && old.mode === e.mode) continue;
    if (old) out.push({ filename: e.path, status: 'modified', sha: e.sha, ...lineStats(content(old.sha), content(e.sha)) });
    else added.push(e);
  }
  const renamed = (from: FlatEntry, to: FlatEntry): FileDiff => ({
    filename: to.path,
    status: 'renamed',
    previous_filename: from.path,
    sha: to.sha,
    ...(from.sha === to.sha ? { additions: 0, deletions: 0 } : lineStats(content(from.sha), content(to.sha))),
  });
  const name = (p: string) => p.slice(p.lastIndexOf('/') + 1);
  const unpaired: FlatEntry[] = [];
  for (const e of added) {
    const same = removed.filter((r) => r.sha === e.sha);
    const pick = same.find((r) => name(r.path) === name(e.path)) ?? same[0];
    if (pick) {
      removed.splice(removed.indexOf(pick), 1);
      out.push(renamed(pick, e));
    } else unpaired.push(e);
  }
  const candidates: { from: FlatEntry; to: FlatEntry; score: number }[] = [];
  for (const to of unpaired) {
    for (const from of removed) {
      const score = similarity(content(from.sha) ?? Buffer.alloc(0), content(to.sha) ?? Buffer.alloc(0));
      if (score >= RENAME_THRESHOLD) candidates.push({ from, to, score });
    }
  }
  candidates.sort((x, y) => y.score - x.score);
  const taken = new Set<string>();
  for (const c of candidates) {
    if (taken.has(`from:${c.from.path}`) || taken.has(`to:${c.to.path}`)) continue;
    taken.add(`from:${c.from.path}`);
    taken.add(`to:${c.to.path}`);
    out.push(renamed(c.from, c.to));
  }
  for (const e of unpaired) {
    if (!taken.has(`to:${e.path}`)) out.push({ filename: e.path, status: 'added', sha: e.sha, ...lineStats(undefined, content(e.sha)) });
  }
  for (const r of removed) {
    if (!taken.has(`from:${r.path}`)) out.push({ filename: r.path, status: 'removed', sha: r.sha, ...lineStats(content(r.sha), undefined) });
  }
  return out.sort((x, y) => (x.filename < y.filename ? -1 : x.filename > y.filename ? 1 : 0));
}

/**
 * File-level three-way merge: a path changed on one side only takes that side; a path changed on
 * both sides to different content is a conflict (GitHub would report the PR as not mergeable).
 */
export function mergeTrees(store: GitStore, baseTree: Sha | undefined, oursTree: Sha, theirsTree: Sha): { tree: Sha } | { conflicts: string[] } {
  const base = baseTree ? store.files(baseTree) : new Map<string, FlatEntry>();
  const ours = store.files(oursTree);
  const theirs = store.files(theirsTree);
  const key = (e: FlatEntry | undefined): string => (e ? `${e.mode}:${e.sha}` : '-');
  const changes: TreeChange[] = [];
  const conflicts: string[] = [];
  for (const path of new Set([...ours.keys(), ...theirs.keys(), ...base.keys()])) {
    const b = key(base.get(path));
    const o = key(ours.get(path));
    const t = key(theirs.get(path));
    if (t === b || t === o) continue; // theirs did not change it, or both agree: ours stands
    if (o !== b) {
      conflicts.push(path);
      continue;
    }
    const e = theirs.get(path);
    changes.push(e ? { path, mode: e.mode, type: e.type, sha: e.sha } : { path, mode: '100644', type: 'blob', sha: null });
  }
  if (conflicts.length) return { conflicts: conflicts.sort() };
  return { tree: store.updateTree(oursTree, changes) };
}
