/**
 * Roles a system declares (`roles:` in systems/<id>.yaml). When a system declares its roles, the
 * declaration, not the grant file, says whether a role is privileged.
 */
import type { AccessEntry, System } from './types.ts';

export function declaredRole(system: System | undefined, role: string): { declared: boolean; privileged: boolean } | undefined {
  const roles = (system as (System & { roles?: Record<string, { privileged?: boolean }> }) | undefined)?.roles;
  if (!roles) return undefined;
  const decl = Object.prototype.hasOwnProperty.call(roles, role) ? roles[role] : undefined;
  return { declared: decl !== undefined, privileged: decl?.privileged === true };
}

/** Privileged if the entry says so or the system declares the role privileged. */
export function effectivePrivileged(entry: AccessEntry, system: System | undefined): boolean {
  return entry.privileged === true || declaredRole(system, entry.role)?.privileged === true;
}
