/**
 * Where observed findings point and how they name what a system listed: at the grant's line when
 * the account maps to a grant, else at the system file's `observe:` line, naming the account and
 * the system. Shared by the observed rules. Pure.
 */
import type { LoadedFile, Snapshot } from '../model/snapshot.ts';
import type { System } from '../model/types.ts';
import type { YamlPath } from '../model/yaml-file.ts';
import type { ValidGrant } from '../rules/types.ts';
import type { ObservedAccount, ObservedSnapshot } from './types.ts';
import { shown } from './values.ts';

export interface Site {
  file: string;
  line?: number;
  column?: number;
}

const systemFiles = new WeakMap<Snapshot, Map<string, LoadedFile<System>>>();

function systemFile(repo: Snapshot, id: string): LoadedFile<System> | undefined {
  let map = systemFiles.get(repo);
  if (!map) {
    map = new Map();
    for (const s of repo.systems) if (s.data && !map.has(s.data.id)) map.set(s.data.id, s);
    systemFiles.set(repo, map);
  }
  return map.get(id);
}

/** The system file's `observe:` key (or its id), or `systems/<id>.yaml` without a line when the repo has no such file. */
export function systemSite(repo: Snapshot, id: string): Site {
  const file = systemFile(repo, id);
  if (!file) return { file: `systems/${id}.yaml` };
  const pos = file.source.locate(file.data?.observe ? ['observe'] : ['id'], Boolean(file.data?.observe));
  return { file: file.path, line: pos.line, column: pos.column };
}

/** A node of a grant file. */
export function grantSite(grant: ValidGrant, path: YamlPath, key = false): Site {
  const pos = grant.source.locate(path, key);
  return { file: grant.path, line: pos.line, column: pos.column };
}

/** At most `max` items, then "and N more". */
export function listed(items: readonly string[], max = 8): string {
  const head = items.slice(0, max).join(', ');
  return items.length > max ? `${head} and ${items.length - max} more` : head;
}

/** `alice` (person; admin, team:dba): the account as messages name it. */
export function describeAccount(account: ObservedAccount): string {
  const roles =
    account.roles.length > 0
      ? `; ${listed(
          account.roles.map((r) => shown(r)),
          5,
        )}`
      : '';
  return `${shown(account.principal)} (${account.kind}${roles})`;
}

/** `aws-prod` (listed 2026-11-20): the system and when it was listed. */
export function listedBy(snapshot: ObservedSnapshot): string {
  return `\`${snapshot.system}\` (listed ${snapshot.taken_at.slice(0, 10)})`;
}

/** A note on what the listing could not cover, for findings that absence could explain. */
export function gapNote(snapshot: ObservedSnapshot): string {
  return snapshot.gaps.length > 0 ? ` (the listing has gaps: ${listed(snapshot.gaps, 3)})` : '';
}
