import { defineRule } from './types.ts';
import { declaredRole, declaredRoleNames, effectivePrivileged } from '../model/roles.ts';
import { liveEntries, snapshotDay } from '../observe/match.ts';
import { grantSite, listed, listedBy } from '../observe/sites.ts';
import { reported } from '../observe/types.ts';
import { accountLabel, nameKey, shown } from '../observe/values.ts';

export interface ExcessPrivilegeOptions {
  /** Observed roles left out of the comparison: exact names, or a prefix ending in `*` (e.g. `team:*`). */
  ignore_roles: string[];
}

function ignored(role: string, patterns: readonly string[]): boolean {
  const key = nameKey(role);
  return patterns.some((p) => {
    const pat = nameKey(p);
    return pat.endsWith('*') ? key.startsWith(pat.slice(0, -1)) : key === pat;
  });
}

/**
 * What a system grants beyond what the file declares: a role no entry names, or privilege no
 * entry declares. Roles are compared by name, case-insensitively; privilege is the system's word
 * (an admin flag, a privileged role of the export) or the system file's own declaration of the role.
 */
export default defineRule<ExcessPrivilegeOptions>({
  meta: {
    id: 'observed-excess-privilege',
    description:
      'An account holds on its system no role its grant does not declare for that system, and is privileged there only if an entry of its grant is privileged.',
    controls: ['SOC2:CC6.3', 'NIST-CSF-2.0:PR.AA-05', 'OWASP-NHI:NHI5:2025', 'ISO27001:A.8.2', 'CIS-v8:6.8'],
    scope: 'observed',
    defaultSeverity: 'error',
    waivable: false,
    optionsSchema: {
      type: 'object',
      additionalProperties: false,
      properties: { ignore_roles: { type: 'array', items: { type: 'string', minLength: 1, maxLength: 200 } } },
    },
    defaultOptions: { ignore_roles: [] },
    fix: 'Take the extra role or privilege away on the system, or request it by pull request (an access entry for the role, `privileged: true` where it is privileged) so it is approved and recorded.',
  },
  check(ctx) {
    const facts = ctx.facts?.observed;
    if (!facts) return;
    const privilegedBySystem = new Map<string, Set<string>>();
    for (const m of facts.matches) {
      if (m.grants.length !== 1) continue;
      const { snapshot, account } = m;
      const system = snapshot.system;
      const grant = m.grants[0]!;
      const live = liveEntries(grant, system, snapshotDay(snapshot));
      if (live.length === 0) continue; // observed-undeclared reports it
      const id = grant.data.identity.id;
      const declaration = ctx.index.systems.get(system);
      let privilegedNames = privilegedBySystem.get(system);
      if (!privilegedNames)
        privilegedBySystem.set(
          system,
          (privilegedNames = new Set(
            declaredRoleNames(declaration)
              .filter((r) => declaredRole(declaration, r)?.privileged)
              .map(nameKey),
          )),
        );
      if (reported(snapshot, account, 'roles')) {
        const declared = new Set(live.map((l) => nameKey(l.entry.role)));
        const extra = account.roles.filter((r) => !declared.has(nameKey(r)) && !ignored(r, ctx.options.ignore_roles));
        if (extra.length > 0) {
          ctx.report({
            ...grantSite(grant, ['access', live[0]!.index, 'role']),
            identity: id,
            system,
            account: accountLabel(account.principal),
            message: `${listedBy(snapshot)} gives ${shown(account.principal)} ${extra.length === 1 ? 'the role' : 'the roles'} ${listed(extra.map((r) => shown(r)))}, beyond what \`${id}\` declares for \`${system}\` (${listed(live.map((l) => shown(l.entry.role)))}): remove ${extra.length === 1 ? 'it' : 'them'} on ${system}, or request ${extra.length === 1 ? 'it' : 'them'} by pull request`,
          });
        }
      }
      const privilegedRole = account.roles.find((r) => privilegedNames.has(nameKey(r)));
      const observedPrivileged = account.privileged === true || privilegedRole !== undefined;
      if (observedPrivileged && !live.some((l) => effectivePrivileged(l.entry, declaration))) {
        const why =
          account.privileged === true ? `${system} reports it privileged` : `its role ${shown(privilegedRole)} is declared privileged in the system file`;
        ctx.report({
          ...grantSite(grant, ['access', live[0]!.index, live[0]!.entry.privileged === undefined ? 'role' : 'privileged']),
          identity: id,
          system,
          account: accountLabel(account.principal),
          message: `${listedBy(snapshot)} lists ${shown(account.principal)} as privileged (${why}), but no access entry of \`${id}\` to \`${system}\` is privileged: remove the privilege on ${system}, or request privileged access by pull request (it needs the privileged approvals and expires sooner)`,
        });
      }
    }
  },
});
