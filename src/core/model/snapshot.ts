/**
 * A repo snapshot: the access repo's files, parsed and schema-checked, as plain data.
 * Adapters (file system, git, GitHub API) supply the files; everything after is pure.
 */
import type { Finding } from '../findings.ts';
import { parseYamlFile, type ParsedYaml } from './yaml-file.ts';
import { validateAgainst } from './schemas.ts';
import type { Grant, RepoConfig, System } from './types.ts';

export interface RepoFile {
  path: string;
  content: Uint8Array | string;
  /** Git blob SHA when the adapter knows it (recorded as evidence). */
  blobSha?: string;
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
  const source = parseYamlFile(file.path, file.content);
  const problems = [...source.problems];
  const loaded: LoadedFile<T> = { path: file.path, source, problems };
  if (file.blobSha) loaded.blobSha = file.blobSha;
  if (source.value === undefined) return loaded;
  const schemaFindings = validateAgainst(schema, source);
  problems.push(...schemaFindings);
  if (schemaFindings.length === 0 && !problems.some((p) => p.severity === 'error')) loaded.data = source.value as T;
  return loaded;
}

export function buildSnapshot(files: Iterable<RepoFile>): Snapshot {
  const snapshot: Snapshot = { systems: [], grants: [] };
  for (const file of files) {
    switch (roleOf(file.path)) {
      case 'config':
        if (!snapshot.config) snapshot.config = loadFile<RepoConfig>(file, 'config');
        break;
      case 'system':
        snapshot.systems.push(loadFile<System>(file, 'system'));
        break;
      case 'grant':
        snapshot.grants.push(loadFile<Grant>(file, 'grant'));
        break;
      default:
        break;
    }
  }
  snapshot.systems.sort((a, b) => a.path.localeCompare(b.path));
  snapshot.grants.sort((a, b) => a.path.localeCompare(b.path));
  return snapshot;
}
