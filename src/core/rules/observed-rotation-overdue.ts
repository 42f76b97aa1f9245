import { defineRule } from './types.ts';
import type { RotationMaxDaysOptions } from './rotation-max-days.ts';
import { describeAccount, grantSite, systemSite } from '../observe/sites.ts';
import { reported } from '../observe/types.ts';
import { accountLabel, daysSince, shown } from '../observe/values.ts';

/**
 * The system's own word on a credential's age, against the rotation the grant declares: a key
 * older than `credential.rotation_days` (or, without one, the policy's `rotation-max-days`), and a
 * grant recording a rotation the system does not show.
 */
export default defineRule({
  meta: {
    id: 'observed-rotation-overdue',
    description:
      'Every active key, certificate or token a system reports is younger than the rotation period its grant declares (or the policy allows), and no grant records a rotation later than the system shows.',
    controls: ['OWASP-NHI:NHI7:2025', 'SOC2:CC6.1', 'NIST-CSF-2.0:PR.AA-01', 'ISO27001:A.5.17'],
    scope: 'observed',
    defaultSeverity: 'warning',
    waivable: true,
    optionsSchema: { type: 'object', additionalProperties: false, properties: {} },
    defaultOptions: {},
    fix: 'Rotate the credential on the system and record the day in `credential.last_rotated` by pull request; correct a `last_rotated` the system does not confirm.',
  },
  check(ctx) {
    const facts = ctx.facts?.observed;
    if (!facts) return;
    const policy = ctx.optionsOf('rotation-max-days') as RotationMaxDaysOptions | undefined;
    for (const m of facts.matches) {
      const { snapshot, account } = m;
      if (!reported(snapshot, account, 'credentials')) continue;
      const keys = account.credentials.filter((c) => c.active && c.type !== 'password' && c.rotated_at !== null);
      if (keys.length === 0) continue;
      const grant = m.grants.length === 1 ? m.grants[0]! : undefined;
      const credential = grant?.data.credential;
      if (credential?.type === 'oidc-federated') {
        // A federated identity has no standing key; one on the system is a finding of its own.
        ctx.report({
          ...grantSite(grant!, ['credential', 'type']),
          identity: grant!.data.identity.id,
          system: snapshot.system,
          account: accountLabel(account.principal),
          message: `\`${grant!.data.identity.id}\` declares an oidc-federated credential, but \`${snapshot.system}\` reports ${keys.length === 1 ? 'an active key' : `${keys.length} active keys`} (${keys.map((k) => shown(k.name)).join(', ')}) for ${shown(account.principal)}: delete the keys, or declare the static credential`,
        });
        continue;
      }
      const limit = credential?.rotation_days ?? (credential ? (policy?.by_type?.[credential.type] ?? policy?.max) : policy?.max);
      const site = grant
        ? grantSite(
            grant,
            credential?.rotation_days !== undefined ? ['credential', 'rotation_days'] : credential ? ['credential'] : ['identity', 'id'],
            credential !== undefined && credential.rotation_days === undefined,
          )
        : systemSite(ctx.snapshot, snapshot.system);
      const who = grant ? { identity: grant.data.identity.id } : {};
      if (limit !== undefined) {
        const stale = keys.filter((k) => daysSince(k.rotated_at!, snapshot.taken_at) > limit);
        if (stale.length > 0) {
          const oldest = stale.reduce((a, b) => (a.rotated_at! <= b.rotated_at! ? a : b));
          const age = daysSince(oldest.rotated_at!, snapshot.taken_at);
          ctx.report({
            ...site,
            ...who,
            system: snapshot.system,
            account: accountLabel(account.principal),
            message: `\`${snapshot.system}\` reports ${shown(oldest.name)} of ${describeAccount(account)} last rotated ${oldest.rotated_at!.slice(0, 10)}, ${age} days before the listing, beyond the ${limit}-day rotation ${credential?.rotation_days !== undefined ? 'the grant declares' : 'the policy allows'}: rotate it, then record credential.last_rotated`,
          });
        }
      }
      const recorded = credential?.last_rotated;
      if (grant && recorded) {
        const older = keys.filter((k) => k.rotated_at!.slice(0, 10) < recorded);
        if (older.length > 0) {
          const k = older[0]!;
          ctx.report({
            ...grantSite(grant, ['credential', 'last_rotated']),
            identity: grant.data.identity.id,
            system: snapshot.system,
            account: accountLabel(account.principal),
            message: `the grant records a rotation on ${recorded}, but \`${snapshot.system}\` reports ${shown(k.name)} of ${shown(account.principal)} last rotated ${k.rotated_at!.slice(0, 10)}: rotate the key, or correct credential.last_rotated to what the system shows`,
          });
        }
      }
    }
  },
});
