/**
 * Recorded listings on the ledger branch, read through GitHub's API: the latest `access-snapshot`
 * record of each system (optionally the latest taken at or before a time), checked as the App's
 * own, with its stored raw export read back and rebuilt into a snapshot exactly as
 * `observe --from` would (docs/observed-access.md, "Snapshots as evidence"). Also the one way a
 * listing is recorded, shared by `observe --record` and the sweep.
 *
 * Reads: the branch ref, its commit, the root tree, `records/`, then the year folders and each month
 * with its day folders (one recursive listing), newest first, until every system asked for is found (one request each); then per system found,
 * the record (one), who committed it (one) and its export (one, two for an export over 1 MB).
 * Record file names say which system and time they hold, so no record of another kind is read.
 *
 * A record the App did not write (someone pushed it to the branch), a record that fails its own
 * checks, or an export whose SHA-256 is not the one its record names is never used: the listing
 * is reported as a problem and the system is left as it was (never judged on forged evidence,
 * never judged clean for want of it).
 */
import { inspectRecord, parseSnapshotRecordName, type AccessSnapshotSubject, type SealedRecord } from '../../core/ledger/index.ts';
import type { ObserveConfig } from '../../core/observe/mapped.ts';
import { StoredSnapshotError, snapshotFromRecord, snapshotRecordDraft, type RecordedSnapshot } from '../../core/observe/record.ts';
import { serializeSnapshot, sha256Hex } from '../../core/observe/snapshot.ts';
import type { ObservedSnapshot } from '../../core/observe/types.ts';
import type { LedgerOctokit, LedgerStore } from './ledger-store.ts';
import type { RecordTrust } from './ledger-trust.ts';
import { gitHubPort } from './port.ts';

export interface SnapshotRepoRef {
  owner: string;
  repo: string;
}

export interface ReadSnapshotsOptions {
  octokit: LedgerOctokit;
  repo: SnapshotRepoRef;
  /** The ledger branch. */
  branch: string;
  /** Decides whether a record is the App's own. */
  trust: RecordTrust;
  /** The systems to find, each with its `observe:` block (what a mapped export is read with). */
  systems: ReadonlyMap<string, ObserveConfig | undefined>;
  /** Only listings taken at or before this time (`YYYY-MM-DDTHH:MM:SSZ`). */
  atOrBefore?: string;
  /** Read the records only, not their exports (what a review-campaign record names needs no more). */
  recordsOnly?: boolean;
}

export interface ReadSnapshotsResult {
  /** The latest usable listing of each system that has one (`snapshot` null with `recordsOnly`). */
  listings: Map<string, RecordedSnapshot>;
  /** System → why its latest listing could not be used (it is then not judged). */
  problems: Map<string, string>;
  /** Records passed over on the way to a usable one (newer, but not the App's, or broken), in words. */
  ignored: string[];
  /** The ledger tip the listings were read at; null when the branch does not exist. */
  tip: string | null;
  requests: number;
}

interface TreeEntry {
  path: string;
  type: string;
  sha: string;
}

/** Foreign or broken records tried for one system before giving up on it. */
const MAX_CANDIDATES = 10;

export async function readLatestSnapshots(o: ReadSnapshotsOptions): Promise<ReadSnapshotsResult> {
  const { octokit, repo, branch } = o;
  let requests = 0;
  const port = gitHubPort(octokit);
  const call = <T>(route: string, params: Record<string, unknown>, action: string, notFound = false): Promise<T | null> => {
    requests++;
    const what = { action, permission: 'contents: read', branch, repo };
    return notFound ? port.callOrNull<T>(route, params, what) : port.call<T>(route, params, what);
  };
  const result: ReadSnapshotsResult = { listings: new Map(), problems: new Map(), ignored: [], tip: null, requests: 0 };
  const wanted = new Set(o.systems.keys());
  if (wanted.size === 0) return result;

  const ref = await call<{ object: { sha: string } }>(
    'GET /repos/{owner}/{repo}/git/ref/{ref}',
    { ref: `heads/${branch}` },
    `reading the ledger branch ${branch}`,
    true,
  );
  if (!ref) {
    result.requests = requests;
    return result;
  }
  const tip = ref.object.sha;
  result.tip = tip;
  const tree = async (sha: string, what: string, recursive = false): Promise<TreeEntry[]> => {
    const t = await call<{ tree: TreeEntry[]; truncated?: boolean }>(
      'GET /repos/{owner}/{repo}/git/trees/{tree_sha}',
      { tree_sha: sha, ...(recursive ? { recursive: '1' } : {}) },
      `listing ${what} on the ledger branch ${branch}`,
    );
    if (!t) return [];
    if (t.truncated)
      throw new Error(
        `GitHub truncated the listing of ${what} on the ledger branch ${branch} of ${repo.owner}/${repo.repo}: a listing cut short could hide the latest snapshot record, so none is used`,
      );
    return t.tree;
  };
  const commit = await call<{ tree: { sha: string } }>(
    'GET /repos/{owner}/{repo}/git/commits/{commit_sha}',
    { commit_sha: tip },
    `reading the ledger tip of ${branch}`,
  );
  const records = (await tree(commit!.tree.sha, 'the branch')).find((e) => e.path === 'records' && e.type === 'tree');
  const tried = new Map<string, number>();
  if (records) {
    const years = (await tree(records.sha, 'records/')).filter((e) => e.type === 'tree' && /^\d{4}$/.test(e.path)).sort((a, b) => b.path.localeCompare(a.path));
    scan: for (const year of years) {
      if (o.atOrBefore && year.path > o.atOrBefore.slice(0, 4)) continue;
      const months = (await tree(year.sha, `records/${year.path}/`))
        .filter((e) => e.type === 'tree' && /^\d{2}$/.test(e.path))
        .sort((a, b) => b.path.localeCompare(a.path));
      for (const month of months) {
        if (o.atOrBefore && `${year.path}-${month.path}` > o.atOrBefore.slice(0, 7)) continue;
        const folder = `records/${year.path}/${month.path}`;
        const candidates = new Map<string, { entry: TreeEntry; takenAt: string; alternate: number }[]>();
        // One listing of the month with its day folders (`DD/<key>.json`) and, in a ledger from
        // before day folders, the month's own records (`<key>.json`).
        for (const e of await tree(month.sha, `${folder}/`, true)) {
          if (e.type !== 'blob' || !/^(?:\d{2}\/)?[^/]+$/.test(e.path)) continue;
          const name = parseSnapshotRecordName(e.path.slice(e.path.lastIndexOf('/') + 1));
          if (!name || !wanted.has(name.system) || (o.atOrBefore && name.takenAt > o.atOrBefore)) continue;
          const list = candidates.get(name.system) ?? [];
          list.push({ entry: e, takenAt: name.takenAt, alternate: name.alternate });
          candidates.set(name.system, list);
        }
        for (const [system, list] of candidates) {
          // Newest first; of one second, the App's alternate keys after the key itself.
          list.sort((a, b) => b.takenAt.localeCompare(a.takenAt) || a.alternate - b.alternate);
          for (const c of list) {
            if (!wanted.has(system)) break;
            const n = (tried.get(system) ?? 0) + 1;
            tried.set(system, n);
            if (n > MAX_CANDIDATES) {
              result.problems.set(
                system,
                `${MAX_CANDIDATES} snapshot records of ${system} on ${branch} could not be used (the last: ${result.problems.get(system) ?? 'unknown'}); run access-ledger verify on a clone`,
              );
              wanted.delete(system);
              break;
            }
            const path = `${folder}/${c.entry.path}`;
            const used = await useRecord(path, c.entry.sha, system);
            if (used) {
              result.listings.set(system, used);
              result.problems.delete(system);
              wanted.delete(system);
            } else {
              result.ignored.push(result.problems.get(system)!);
            }
          }
        }
        if (wanted.size === 0) break scan;
      }
    }
  }
  result.requests = requests;
  return result;

  /** The listing of one record, or null (with the problem noted) when it cannot be used. */
  async function useRecord(path: string, blobSha: string, system: string): Promise<RecordedSnapshot | null> {
    const blob = await call<{ content: string; encoding: string }>('GET /repos/{owner}/{repo}/git/blobs/{file_sha}', { file_sha: blobSha }, `reading ${path}`);
    const content = Buffer.from(blob!.content, blob!.encoding === 'base64' ? 'base64' : 'utf8').toString('utf8');
    const { problem } = inspectRecord(path, content);
    if (problem) {
      result.problems.set(system, `${path} fails its own checks (${problem.problem})`);
      return null;
    }
    const origin = await o.trust.check(path, content, tip);
    if (!origin.own) {
      result.problems.set(system, `${path} was not written by the App (${origin.reason})`);
      return null;
    }
    const record = JSON.parse(content) as SealedRecord<'access-snapshot'>;
    const subject = record.subject as AccessSnapshotSubject;
    if (
      record.kind !== 'access-snapshot' ||
      subject?.system !== system ||
      typeof subject.raw_path !== 'string' ||
      !/^snapshots\/[0-9a-f]{64}\.(csv|json)$/.test(subject.raw_path)
    ) {
      result.problems.set(system, `${path} is not an access-snapshot record of ${system}`);
      return null;
    }
    if (o.recordsOnly)
      return {
        record: { key: record.key, seq: record.seq, hash: record.hash, path, occurred_at: record.occurred_at },
        subject,
        snapshot: null as unknown as RecordedSnapshot['snapshot'],
      };
    const raw = await readExport(subject.raw_path);
    if (!raw) {
      result.problems.set(system, `${subject.raw_path}, the raw export ${record.key} names, is not on the ledger branch`);
      return null;
    }
    try {
      const snapshot = snapshotFromRecord(subject, record.key, raw, o.systems.get(system));
      return { record: { key: record.key, seq: record.seq, hash: record.hash, path, occurred_at: record.occurred_at }, subject, snapshot };
    } catch (err) {
      if (!(err instanceof StoredSnapshotError)) throw err;
      result.problems.set(system, err.message);
      return null;
    }
  }

  async function readExport(path: string): Promise<Uint8Array | null> {
    const file = await call<{ type?: string; content?: string; encoding?: string; sha?: string; size?: number }>(
      'GET /repos/{owner}/{repo}/contents/{path}',
      { path, ref: tip },
      `reading ${path}`,
      true,
    );
    if (!file || Array.isArray(file) || file.type !== 'file') return null;
    if (file.encoding === 'base64' && typeof file.content === 'string' && (file.content.length > 0 || file.size === 0))
      return Buffer.from(file.content, 'base64');
    // Files over 1 MB come without content from the contents API: read the blob.
    const blob = await call<{ content: string; encoding: string }>('GET /repos/{owner}/{repo}/git/blobs/{file_sha}', { file_sha: file.sha }, `reading ${path}`);
    return Buffer.from(blob!.content, blob!.encoding === 'base64' ? 'base64' : 'utf8');
  }
}

/**
 * The record of the latest listing of `system` taken at or before `atOrBefore`, checked as the
 * App's own; its export is not read. Null when there is none (or none the App wrote).
 */
export async function findSnapshotRecord(
  o: Omit<ReadSnapshotsOptions, 'systems' | 'recordsOnly'> & { system: string },
): Promise<Pick<RecordedSnapshot, 'record' | 'subject'> | null> {
  const { system, ...rest } = o;
  const found = await readLatestSnapshots({ ...rest, systems: new Map([[system, undefined]]), recordsOnly: true });
  const listing = found.listings.get(system);
  return listing ? { record: listing.record, subject: listing.subject } : null;
}

/** A listing recorded: its record as the ledger holds it. */
export interface RecordSnapshotResult {
  record: SealedRecord;
  /** Where the raw export is stored on the ledger branch. */
  rawPath: string;
}

/**
 * Appends a listing to the ledger: the `access-snapshot` record and, in the same commit, the raw
 * export at `snapshots/<sha256>.<ext>` (signed and checked as every append of the store). The same
 * listing recorded again writes nothing; another export of the same system and second is refused.
 */
export async function recordSnapshot(store: LedgerStore, snapshot: ObservedSnapshot, raw: Uint8Array, repository: string): Promise<RecordSnapshotResult> {
  const text = serializeSnapshot(snapshot);
  const draft = snapshotRecordDraft(snapshot, repository, sha256Hex(text));
  const [record] = await store.append(draft, { attachments: [{ path: draft.subject.raw_path, content: raw }] });
  const stored = (record!.subject as { raw_sha256?: string }).raw_sha256;
  if (stored !== snapshot.raw_sha256) {
    throw new SnapshotConflictError(
      `${record!.key} is already recorded with another export of ${snapshot.system} taken the same second (raw SHA-256 ${stored ?? 'unknown'}): nothing was written; observe again, or pass another --taken-at`,
    );
  }
  return { record: record!, rawPath: draft.subject.raw_path };
}

/** Another export of the same system was recorded for the same second. */
export class SnapshotConflictError extends Error {
  override name = 'SnapshotConflictError';
}
