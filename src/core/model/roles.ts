/**
 * Roles as a system declares them. `privileged` in a grant file is the requester's word; a system
 * that lists its roles makes privilege a property of the role, read from the system file (which
 * only the admins may change), so a grant cannot talk a superuser role down to ordinary access.
 */
import type { AccessEntry, System } from './types.ts';

export interface DeclaredRole {
  /** The system lists this role. */
  declared: boolean;
  /** The system declares this role privileged (false for a role it does not list). */
  privileged: boolean;
}

/**
 * What `system` declares about `role`: undefined when the system lists no roles (or is unknown),
 * so every role is allowed and `privileged` is the grant's own word. Role names match exactly,
 * and only the system's own keys count (`constructor` or `__proto__` are not declared by default).
 */
export function declaredRole(system: System | undefined, role: string): DeclaredRole | undefined {
  const roles = system?.roles;
  if (!roles || typeof roles !== 'object' || Object.keys(roles).length === 0) return undefined;
  if (!Object.hasOwn(roles, role)) return { declared: false, privileged: false };
  const declaration = roles[role];
  return { declared: true, privileged: declaration?.privileged === true };
}

/** Privileged if the entry says so, or the system declares its role privileged. */
export function effectivePrivileged(entry: AccessEntry, system: System | undefined): boolean {
  return entry.privileged === true || declaredRole(system, entry.role)?.privileged === true;
}

/** The role names a system lists, in file order (empty when it lists none). */
export function declaredRoleNames(system: System | undefined): string[] {
  const roles = system?.roles;
  return roles && typeof roles === 'object' ? Object.keys(roles) : [];
}
