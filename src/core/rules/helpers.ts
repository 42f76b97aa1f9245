import type { LoadedFile } from '../model/snapshot.ts';
import type { YamlPath } from '../model/yaml-file.ts';
import { isHumanKind, type AccessEntry, type Grant, type IsoDate } from '../model/types.ts';

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
