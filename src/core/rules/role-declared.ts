import { defineRule } from './types.ts';
import { at, systemPath } from './helpers.ts';
import { declaredRole, declaredRoleNames } from '../model/roles.ts';
import { closest } from '../model/schemas.ts';

/** How many declared roles a message lists before it says "and N more". */
const LISTED = 8;

/**
 * Privilege is the role's, not the requester's word: when a system lists its roles (`roles:` in
 * systems/<id>.yaml, changed only with the admins' approval), a grant may hold only those roles,
 * and says `privileged: true` exactly on the ones the system declares privileged. Without this a
 * grant could write `role: superuser, privileged: false` and pass with one approval and a year's
 * expiry.
 */
export default defineRule({
  meta: {
    id: 'role-declared',
    description:
      'When a system lists its roles, every access entry to it names one of them, and says `privileged: true` exactly when the system declares that role privileged.',
    controls: ['SOC2:CC6.3', 'NIST-CSF-2.0:PR.AA-05', 'OWASP-NHI:NHI5:2025', 'CIS-v8:6.8', 'ISO27001:A.8.2'],
    scope: 'file',
    defaultSeverity: 'error',
    waivable: true,
    optionsSchema: { type: 'object', additionalProperties: false, properties: {} },
    defaultOptions: {},
    fix: "Use a role the system lists under `roles:` in systems/<id>.yaml and set `privileged` as the system declares it; to add a role or change whether it is privileged, change the system file (which needs the admins' approval).",
  },
  checkGrant(file, ctx) {
    const identity = file.data.identity.id;
    file.data.access.forEach((entry, i) => {
      const system = ctx.index.systems.get(entry.system);
      const declared = declaredRole(system, entry.role);
      if (!declared) return;
      const where = systemPath(ctx.snapshot, entry.system);
      const role = `\`${entry.role}\``;
      if (!declared.declared) {
        const names = declaredRoleNames(system);
        const guess = closest(entry.role, names) ?? names.find((n) => n.toLowerCase() === entry.role.trim().toLowerCase());
        const listed =
          names
            .slice(0, LISTED)
            .map((n) => `\`${n}\``)
            .join(', ') + (names.length > LISTED ? ` and ${names.length - LISTED} more` : '');
        ctx.report({
          ...at(file, ['access', i, 'role']),
          identity,
          system: entry.system,
          message:
            `role ${role} is not declared for system \`${entry.system}\`` +
            (guess ? `: did you mean \`${guess}\`?` : '') +
            ` (${where} declares ${listed}): use a declared role, or have the admins add ${role} under roles: in ${where}`,
        });
        return;
      }
      if (declared.privileged && entry.privileged !== true) {
        const written = entry.privileged === false;
        ctx.report({
          ...at(file, written ? ['access', i, 'privileged'] : ['access', i, 'role']),
          identity,
          system: entry.system,
          message:
            `role ${role} on \`${entry.system}\` is declared privileged in ${where}` +
            (written ? ', but this entry says privileged: false: write privileged: true' : ': add privileged: true to this entry') +
            ' (privileged access needs the privileged number of approvals and expires sooner)',
        });
        return;
      }
      if (!declared.privileged && entry.privileged === true) {
        ctx.report({
          ...at(file, ['access', i, 'privileged']),
          identity,
          system: entry.system,
          message: `role ${role} on \`${entry.system}\` is not declared privileged in ${where}, but this entry says privileged: true: write privileged: false (or remove the line), or, if the role is privileged, have the admins declare it \`privileged: true\` in ${where}`,
        });
      }
    });
  },
});
