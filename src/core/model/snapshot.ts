/**
 * A repo snapshot: the access repo's files, parsed and schema-checked, as plain data.
 * Adapters (file system, git, GitHub API) supply the files; everything after is pure.
 */
import type { Finding } from '../findings.ts';
import { locateLater, parseYamlFile, type ParsedYaml } from './yaml-file.ts';
import { validateAgainst } from './schemas.ts';
import type { Grant, RepoConfig, System } from './types.ts';

export interface RepoFile {
  path: string;
  content: Uint8Array | string;
  /** Git blob SHA when the adapter knows it (recorded as evidence). */
  blobSha?: string;
  /**
   * The file's size in bytes, when `content` holds only its start: an adapter that streams files
   * need not read past the size limit to have the file reported as too large.
   */
  size?: number;
}

export interface LoadedFile<T> {
  path: string;
  source: ParsedYaml;
  /** The data, present only when the file parsed and matched its schema. */
  data?: T;
  blobSha?: string;
  /** Parse and schema findings for this file. */
  problems: Finding[];
}

export interface Snapshot {
  config?: LoadedFile<RepoConfig>;
  systems: LoadedFile<System>[];
  grants: LoadedFile<Grant>[];
}

export const CONFIG_PATHS = ['access-ledger.yaml', 'access-ledger.yml'];

/**
 * The repo config's path as configured (the Action's `config` input, the App's
 * ACCESS_LEDGER_CONFIG), checked by the one rule both apply: a path at the repository's root,
 * access-ledger.yaml or access-ledger.yml, where the App that records merges, the sweep and the
 * CLI read it. A gate judging by a config elsewhere would pass merges the App then never records.
 * `source` names the setting in the message. Returns the path, or a problem saying what to do.
 */
export function checkConfigPath(configured: string | undefined, source: string): { ok: true; path: string } | { ok: false; problem: string } {
  const path = (configured?.trim() || CONFIG_PATHS[0]!).replace(/^\.\//, '');
  if (path.startsWith('/') || /^[A-Za-z]:[\\/]/.test(path) || path.split(/[\\/]/).includes('..')) {
    return { ok: false, problem: `${source} must be a path inside the repository, not ${path}` };
  }
  if (!CONFIG_PATHS.includes(path)) {
    return {
      ok: false,
      problem: `${source} names ${path}, but the App that records merges, the sweep and the CLI read the repo config only at the repository's root, as ${CONFIG_PATHS.join(' or ')}: move it there and drop ${source}`,
    };
  }
  return { ok: true, path };
}

export type FileRole = 'config' | 'system' | 'grant' | 'other';

/**
 * Which part of the access repo a path belongs to (docs/file-formats.md). Grants and systems are
 * recognised whatever the case of `grants/`, `systems/` and the extension: a case-insensitive file
 * system, or a provisioning step, would read `Grants/x.YAML` as a grant, so it is judged as one
 * (and the `access-path` rule asks for the exact path).
 */
export function roleOf(path: string): FileRole {
  if (CONFIG_PATHS.includes(path)) return 'config';
  if (!/\.ya?ml$/i.test(path)) return 'other';
  if (/^systems\/[^/]+$/i.test(path)) return 'system';
  if (/^grants\//i.test(path)) return 'grant';
  return 'other';
}

/** Whether a grant or system path is written exactly as the layout says (lower-case folder and extension). */
export function isCanonicalPath(path: string): boolean {
  const role = roleOf(path);
  if (role === 'grant') return path.startsWith('grants/') && /\.ya?ml$/.test(path);
  if (role === 'system') return path.startsWith('systems/') && /\.ya?ml$/.test(path);
  return true;
}

export function fileStem(path: string): string {
  const base = path.slice(path.lastIndexOf('/') + 1);
  return base.replace(/\.ya?ml$/i, '');
}

export function loadFile<T>(file: RepoFile, schema: 'grant' | 'system' | 'config'): LoadedFile<T> {
  const source = parseYamlFile(file.path, file.content, file.size);
  const problems = [...source.problems];
  const loaded: LoadedFile<T> = { path: file.path, source, problems };
  if (file.blobSha) loaded.blobSha = file.blobSha;
  if (source.value === undefined) return loaded;
  const schemaFindings = validateAgainst(schema, source);
  problems.push(...schemaFindings);
  if (schemaFindings.length === 0 && !problems.some((p) => p.severity === 'error')) loaded.data = source.value as T;
  return loaded;
}

/**
 * A loaded file as plain data, for a worker thread to hand back (a structured clone carries no
 * function, so `locate` is given again from the text on the other side: fromPortable).
 */
export interface PortableFile {
  path: string;
  /** The parsed document; the file's data when `valid`. */
  value: unknown;
  /** Whether the file parsed and matched its schema (LoadedFile.data is present). */
  valid: boolean;
  problems: Finding[];
  /** How many of `problems`, from the start, are the parser's own (ParsedYaml.problems). */
  parseProblems: number;
  text?: string;
  blobSha?: string;
}

export function toPortable(file: LoadedFile<unknown>): PortableFile {
  const out: PortableFile = {
    path: file.path,
    value: file.source.value,
    valid: file.data !== undefined,
    problems: file.problems,
    parseProblems: file.source.problems.length,
  };
  if (file.source.text !== undefined) out.text = file.source.text;
  if (file.blobSha) out.blobSha = file.blobSha;
  return out;
}

/** The loaded file again, as loadFile gave it on the thread that parsed it. */
export function fromPortable<T>(file: PortableFile): LoadedFile<T> {
  const source: ParsedYaml = {
    path: file.path,
    value: file.value,
    problems: file.problems.slice(0, file.parseProblems),
    locate: locateLater(file.path, file.text, file.value !== undefined),
  };
  if (file.text !== undefined) source.text = file.text;
  const loaded: LoadedFile<T> = { path: file.path, source, problems: file.problems };
  if (file.blobSha) loaded.blobSha = file.blobSha;
  if (file.valid) loaded.data = file.value as T;
  return loaded;
}

/** Strings up to this long are shared between files (dates, roles, systems, logins repeat). */
const SHARED_STRING_MAX = 40;
/** Distinct strings remembered for sharing: the repeated ones turn up early, and the pool stays small. */
const SHARED_STRING_POOL = 50_000;

/**
 * Replaces each short string in `value` by the first equal one seen (`pool`), in place. Parsing
 * makes a new string for every scalar, so 100,000 grant files hold 100,000 copies of the same
 * expiry date or role; shared, a parsed repo takes about a seventh less memory. Values are equal
 * before and after: only which copy holds them changes.
 */
function shareStrings(value: unknown, pool: Map<string, string>): unknown {
  if (typeof value === 'string') {
    if (value.length > SHARED_STRING_MAX) return value;
    const shared = pool.get(value);
    if (shared !== undefined) return shared;
    if (pool.size < SHARED_STRING_POOL) pool.set(value, value);
    return value;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = shareStrings(value[i], pool);
  } else if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) if (key !== '__proto__') record[key] = shareStrings(record[key], pool);
  }
  return value;
}

export interface SnapshotBuilderOptions {
  /**
   * Share equal short strings between the files' data (shareStrings), for a snapshot held a long
   * time (the sweep's worker holds one for a whole sweep). Costs about 2 % more parsing.
   */
  shareStrings?: boolean;
}

/**
 * A snapshot built one file at a time, for files that arrive as a stream: each is parsed as it
 * is added, so its bytes can go at once. `finish` orders the files as buildSnapshot does.
 */
export class SnapshotBuilder {
  private readonly snapshot: Snapshot = { systems: [], grants: [] };
  private pool: Map<string, string> | undefined;

  constructor(options: SnapshotBuilderOptions = {}) {
    if (options.shareStrings) this.pool = new Map();
  }

  add(file: RepoFile): void {
    switch (roleOf(file.path)) {
      case 'config':
        if (!this.snapshot.config) this.snapshot.config = loadFile<RepoConfig>(file, 'config');
        break;
      case 'system':
        this.snapshot.systems.push(this.shared(loadFile<System>(file, 'system')));
        break;
      case 'grant':
        this.snapshot.grants.push(this.shared(loadFile<Grant>(file, 'grant')));
        break;
      default:
        break;
    }
  }

  private shared<T>(file: LoadedFile<T>): LoadedFile<T> {
    if (this.pool && file.source.value !== undefined) shareStrings(file.source.value, this.pool);
    return file;
  }

  /** A file already loaded (on another thread: fromPortable), placed by its path as `add` places it. */
  addLoaded(file: LoadedFile<unknown>): void {
    switch (roleOf(file.path)) {
      case 'config':
        this.snapshot.config ??= file as LoadedFile<RepoConfig>;
        break;
      case 'system':
        this.snapshot.systems.push(file as LoadedFile<System>);
        break;
      case 'grant':
        this.snapshot.grants.push(file as LoadedFile<Grant>);
        break;
      default:
        break;
    }
  }

  finish(): Snapshot {
    this.pool = undefined;
    this.snapshot.systems.sort((a, b) => a.path.localeCompare(b.path));
    this.snapshot.grants.sort((a, b) => a.path.localeCompare(b.path));
    return this.snapshot;
  }
}

export function buildSnapshot(files: Iterable<RepoFile>): Snapshot {
  const builder = new SnapshotBuilder();
  for (const file of files) builder.add(file);
  return builder.finish();
}
