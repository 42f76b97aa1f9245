/**
 * What a merged pull request changed in the access repo, as the ledger records it: each grant
 * file (identity) with its access entries added, modified or removed and the file's blob SHAs
 * before and after, plus the policy files (config, systems) it changed. Pure.
 */
import canonicalize from 'canonicalize';
import type { AccessEntryChange, ChangeAction, GrantFileChange, PolicyFileChange } from '../ledger/index.ts';
import { fileStem, roleOf, type LoadedFile, type Snapshot } from '../model/snapshot.ts';
import { IDENTITY_KINDS, type AccessEntry, type Grant, type IdentityKind } from '../model/types.ts';
import type { ChangedFile } from '../pull/facts.ts';

/** A grant file change as recorded (the ledger's type; `kind` is null for an unreadable merged file). */
export type RecordedGrantFileChange = GrantFileChange;
export type { PolicyFileChange };

/** True when a PR touching these files must be recorded: grants/, systems/ or the repo config. */
export function touchesAccess(files: readonly ChangedFile[]): boolean {
  return files.some((f) => isAccessPath(f.path) || (f.previousPath !== undefined && isAccessPath(f.previousPath)));
}

export function isAccessPath(path: string): boolean {
  return roleOf(path) !== 'other';
}

/** Blob SHAs of the merged tree, when the caller read them at the merge commit (they win over head's). */
export type BlobShas = ReadonlyMap<string, string | null>;

interface Side {
  file: LoadedFile<Grant> | undefined;
  blob: string | null;
}

function indexByPath<T>(files: readonly LoadedFile<T>[]): Map<string, LoadedFile<T>> {
  return new Map(files.map((f) => [f.path, f]));
}

/** The grant as data: the schema-checked value, else whatever of it parsed (a broken file still names entries). */
function grantValue(file: LoadedFile<Grant> | undefined): Partial<Grant> | undefined {
  if (!file) return undefined;
  if (file.data) return file.data;
  const raw = file.source.value;
  return raw !== null && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Partial<Grant>) : undefined;
}

function kindOf(value: Partial<Grant> | undefined): IdentityKind | null {
  const kind = (value?.identity as { kind?: unknown } | undefined)?.kind;
  return typeof kind === 'string' && (IDENTITY_KINDS as readonly string[]).includes(kind) ? (kind as IdentityKind) : null;
}

function entriesOf(value: Partial<Grant> | undefined): AccessEntry[] {
  const access = value?.access;
  if (!Array.isArray(access)) return [];
  return access.filter(
    (e): e is AccessEntry =>
      e !== null && typeof e === 'object' && typeof (e as AccessEntry).system === 'string' && typeof (e as AccessEntry).role === 'string',
  );
}

function expiresOf(entry: AccessEntry): string | null {
  return typeof entry.expires === 'string' ? entry.expires : null;
}

function entryChange(entry: AccessEntry, action: ChangeAction): AccessEntryChange {
  return { system: entry.system, role: entry.role, privileged: entry.privileged === true, action, expires: expiresOf(entry) };
}

/**
 * Access entries are matched by (system, role); several entries with the same pair are paired in
 * file order. A matched pair whose content differs in any field is `modified`.
 */
export function diffEntries(before: readonly AccessEntry[], after: readonly AccessEntry[]): AccessEntryChange[] {
  const key = (e: AccessEntry) => `${e.system}\u0000${e.role}`;
  const remaining = new Map<string, AccessEntry[]>();
  for (const e of before) {
    const list = remaining.get(key(e));
    if (list) list.push(e);
    else remaining.set(key(e), [e]);
  }
  const out: AccessEntryChange[] = [];
  for (const e of after) {
    const old = remaining.get(key(e))?.shift();
    if (!old) out.push(entryChange(e, 'added'));
    else if (canonicalize(old) !== canonicalize(e)) out.push(entryChange(e, 'modified'));
  }
  for (const list of remaining.values()) for (const e of list) out.push(entryChange(e, 'removed'));
  return out;
}

function fileChange(path: string, identity: string, before: Side | null, after: Side | null): RecordedGrantFileChange {
  const action: ChangeAction = before === null ? 'added' : after === null ? 'removed' : 'modified';
  const beforeValue = grantValue(before?.file);
  const afterValue = grantValue(after?.file);
  // A merged file that cannot be parsed at all names no entries: nothing is claimed added or removed.
  const unparsed = after !== null && after.file !== undefined && afterValue === undefined;
  const entries = unparsed
    ? []
    : action === 'added'
      ? entriesOf(afterValue).map((e) => entryChange(e, 'added'))
      : action === 'removed'
        ? entriesOf(beforeValue).map((e) => entryChange(e, 'removed'))
        : diffEntries(entriesOf(beforeValue), entriesOf(afterValue));
  return {
    path,
    identity,
    kind: kindOf(afterValue) ?? kindOf(beforeValue),
    action,
    before_blob: before?.blob ?? null,
    after_blob: after?.blob ?? null,
    entries,
  };
}

/** The gate's judgement of one changed grant file (src/core/pull/changes.ts ChangedGrant), by path. */
export interface FileJudgement {
  widens: boolean;
  widening: string[];
  wideningFields: string[];
  /** `system\u0000role` of the entries that add or widen access. */
  widenedEntries: ReadonlySet<string>;
}

export interface ChangeInput {
  files: readonly ChangedFile[];
  /** Changed files as they were on the base commit. */
  base: Snapshot;
  /** Changed files as they were on the head commit. */
  head: Snapshot;
  /** Blob SHAs at the merge commit, when known (null: the path is absent there). */
  mergeBlobs?: BlobShas;
  /** The gate's judgement per grant path, recorded with each file change. */
  judgement?: ReadonlyMap<string, FileJudgement>;
}

/**
 * Every grant file the PR changed, in path order. A rename that keeps the file name is one
 * identity modified; a rename to another name is one identity removed and another added (the
 * identity id is the file name stem).
 */
export function grantChanges(input: ChangeInput): RecordedGrantFileChange[] {
  const baseGrants = indexByPath(input.base.grants);
  const headGrants = indexByPath(input.head.grants);
  const beforeSide = (path: string): Side => {
    const file = baseGrants.get(path);
    return { file, blob: file?.blobSha ?? null };
  };
  const afterSide = (path: string): Side => {
    const file = headGrants.get(path);
    const merged = input.mergeBlobs?.get(path);
    return { file, blob: merged !== undefined ? merged : (file?.blobSha ?? null) };
  };
  const out: RecordedGrantFileChange[] = [];
  const judged = (change: RecordedGrantFileChange): RecordedGrantFileChange => {
    const j = input.judgement?.get(change.path);
    if (!input.judgement) return change;
    if (!j || change.action === 'removed')
      return { ...change, entries: change.entries.map((e) => ({ ...e, widens: false })), widens: false, widening: [], widening_fields: [] };
    return {
      ...change,
      entries: change.entries.map((e) => ({ ...e, widens: e.action !== 'removed' && j.widenedEntries.has(`${e.system}\u0000${e.role}`) })),
      widens: j.widens,
      widening: j.widening,
      widening_fields: j.wideningFields,
    };
  };
  for (const f of input.files) {
    const isGrant = roleOf(f.path) === 'grant';
    const prev = f.status === 'renamed' && f.previousPath !== undefined ? f.previousPath : undefined;
    const prevIsGrant = prev !== undefined && roleOf(prev) === 'grant';
    if (prev !== undefined) {
      if (isGrant && prevIsGrant && fileStem(prev) === fileStem(f.path)) {
        out.push(fileChange(f.path, fileStem(f.path), beforeSide(prev), afterSide(f.path)));
        continue;
      }
      if (prevIsGrant) out.push(fileChange(prev, fileStem(prev), beforeSide(prev), null));
      if (isGrant) out.push(fileChange(f.path, fileStem(f.path), null, afterSide(f.path)));
      continue;
    }
    if (!isGrant) continue;
    if (f.status === 'added') out.push(fileChange(f.path, fileStem(f.path), null, afterSide(f.path)));
    else if (f.status === 'removed') out.push(fileChange(f.path, fileStem(f.path), beforeSide(f.path), null));
    else out.push(fileChange(f.path, fileStem(f.path), beforeSide(f.path), afterSide(f.path)));
  }
  return out.map(judged).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : a.action.localeCompare(b.action)));
}

/** The gate's judgement per changed grant path, as the grant-change record carries it. */
export function fileJudgements(
  grants: readonly { path: string; widens: boolean; widening: string[]; wideningFields: string[] }[],
  access: readonly { file: string; system: string; role: string; kind: string }[],
): Map<string, FileJudgement> {
  const out = new Map<string, FileJudgement>();
  for (const g of grants) {
    const widenedEntries = new Set(
      access.filter((a) => a.file === g.path && (a.kind === 'adds' || a.kind === 'widens')).map((a) => `${a.system}\u0000${a.role}`),
    );
    out.set(g.path, { widens: g.widens, widening: g.widening, wideningFields: g.wideningFields, widenedEntries });
  }
  return out;
}

/** The config and system files the PR changed, with blob SHAs where the snapshots know them. */
export function policyChanges(input: ChangeInput): PolicyFileChange[] {
  const blobIn = (snapshot: Snapshot, path: string): string | null => {
    if (snapshot.config?.path === path) return snapshot.config.blobSha ?? null;
    return snapshot.systems.find((s) => s.path === path)?.blobSha ?? null;
  };
  const afterBlob = (path: string): string | null => {
    const merged = input.mergeBlobs?.get(path);
    return merged !== undefined ? merged : blobIn(input.head, path);
  };
  const out: PolicyFileChange[] = [];
  const push = (path: string, action: ChangeAction, before: string | null, after: string | null) => {
    const role = roleOf(path);
    if (role === 'config' || role === 'system') out.push({ path, role, action, before_blob: before, after_blob: after });
  };
  for (const f of input.files) {
    if (f.status === 'renamed' && f.previousPath !== undefined) {
      push(f.previousPath, 'removed', blobIn(input.base, f.previousPath), null);
      push(f.path, 'added', null, afterBlob(f.path));
    } else if (f.status === 'added') push(f.path, 'added', null, afterBlob(f.path));
    else if (f.status === 'removed') push(f.path, 'removed', blobIn(input.base, f.path), null);
    else push(f.path, 'modified', blobIn(input.base, f.path), afterBlob(f.path));
  }
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
