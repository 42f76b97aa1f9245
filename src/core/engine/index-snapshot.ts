/** Lookups the rules share, built once per evaluation so no rule scans the repo twice. */
import type { Snapshot } from '../model/snapshot.ts';
import { fileStem } from '../model/snapshot.ts';
import type { System } from '../model/types.ts';
import type { ValidGrant, ValidSystem } from '../rules/types.ts';

export interface SnapshotIndex {
  /** Every system id that has a file, valid or not (so one broken system file does not cascade). */
  systemIds: Set<string>;
  systems: Map<string, System>;
  validGrants: ValidGrant[];
  validSystems: ValidSystem[];
}

export function indexSnapshot(snapshot: Snapshot): SnapshotIndex {
  const systemIds = new Set<string>();
  const systems = new Map<string, System>();
  const validSystems: ValidSystem[] = [];
  for (const file of snapshot.systems) {
    systemIds.add(fileStem(file.path));
    if (file.data) {
      systemIds.add(file.data.id);
      systems.set(file.data.id, file.data);
      validSystems.push(file as ValidSystem);
    }
  }
  const validGrants = snapshot.grants.filter((g): g is ValidGrant => g.data !== undefined);
  return { systemIds, systems, validGrants, validSystems };
}
