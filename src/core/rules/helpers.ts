import type { LoadedFile, Snapshot } from '../model/snapshot.ts';
import type { YamlPath } from '../model/yaml-file.ts';
import { isHumanKind, type AccessEntry, type Grant, type IsoDate, type System } from '../model/types.ts';
import { effectivePrivileged } from '../model/roles.ts';
import type { SnapshotIndex } from '../engine/index-snapshot.ts';

/** file, line and column of a node, for a finding. */
export function at(file: LoadedFile<unknown>, path: YamlPath, key = false): { file: string; line: number; column: number } {
  const pos = file.source.locate(path, key);
  return { file: file.path, line: pos.line, column: pos.column };
}

export function isBlank(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
}

export function isNonHuman(grant: Grant): boolean {
  return !isHumanKind(grant.identity.kind);
}

export function entries(grant: Grant): { entry: AccessEntry; index: number }[] {
  return grant.access.map((entry, index) => ({ entry, index }));
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export function days(n: number): string {
  return plural(n, 'day');
}

/**
 * What has passed its expiry day on `today` (access is valid through that day): the access entries
 * and the exception. `expiry-in-future` and `expired` report the same condition in two scopes.
 */
export function pastExpiry(grant: Grant, today: IsoDate): { entries: { entry: AccessEntry; index: number }[]; exception: boolean } {
  return {
    entries: entries(grant).filter(({ entry }) => entry.expires !== undefined && entry.expires !== null && entry.expires < today),
    exception: Boolean(grant.exception?.expires && grant.exception.expires < today),
  };
}

const systemsById = new WeakMap<Snapshot, Map<string, LoadedFile<System>>>();

/** The valid system files of a snapshot by id, built once per snapshot. */
function systemFiles(snapshot: Snapshot): Map<string, LoadedFile<System>> {
  let map = systemsById.get(snapshot);
  if (!map) {
    map = new Map();
    for (const s of snapshot.systems) if (s.data && !map.has(s.data.id)) map.set(s.data.id, s);
    systemsById.set(snapshot, map);
  }
  return map;
}

/** The path of a system's file, for messages (`systems/<id>.yaml` when the snapshot has none). */
export function systemPath(snapshot: Snapshot, id: string): string {
  return systemFiles(snapshot).get(id)?.path ?? `systems/${id}.yaml`;
}

export interface Privilege {
  privileged: boolean;
  /** The system file that declares the entry's role privileged, when the declaration (not the entry) makes it so. */
  declaredIn?: string;
}

/**
 * Whether an access entry is privileged: by its own word, or because its system declares its role
 * privileged. When a change is under review (`ctx.base`) the base's declaration counts too, so a
 * pull request cannot declassify the role it is judged by: policy comes from the base.
 */
export function privilegeOf(entry: AccessEntry, ctx: { snapshot: Snapshot; index: SnapshotIndex; base?: Snapshot }): Privilege {
  if (effectivePrivileged(entry, ctx.index.systems.get(entry.system))) {
    return entry.privileged === true ? { privileged: true } : { privileged: true, declaredIn: systemPath(ctx.snapshot, entry.system) };
  }
  const before = ctx.base ? systemFiles(ctx.base).get(entry.system) : undefined;
  if (before && effectivePrivileged(entry, before.data)) return { privileged: true, declaredIn: `${before.path} on the base branch` };
  return { privileged: false };
}
