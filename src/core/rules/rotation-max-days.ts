import { defineRule } from './types.ts';
import { at } from './helpers.ts';
import type { CredentialType } from '../model/types.ts';

export interface RotationMaxDaysOptions {
  max: number;
  by_type: Partial<Record<CredentialType, number>>;
}

/** Federated credentials are short-lived by construction and need no rotation period. */
export default defineRule<RotationMaxDaysOptions>({
  meta: {
    id: 'rotation-max-days',
    description: 'Every static credential declares a rotation period no longer than the policy allows.',
    controls: ['OWASP-NHI:NHI7:2025', 'SOC2:CC6.1', 'NIST-CSF-2.0:PR.AA-01', 'ISO27001:A.5.17'],
    scope: 'file',
    defaultSeverity: 'error',
    waivable: true,
    optionsSchema: {
      type: 'object',
      additionalProperties: false,
      properties: {
        max: { type: 'integer', minimum: 1 },
        by_type: { type: 'object', additionalProperties: { type: 'integer', minimum: 1 } },
      },
    },
    defaultOptions: { max: 90, by_type: { 'key-pair': 365, 'oauth-token': 180 } },
    fix: 'Set `credential.rotation_days` to the allowed period or less, and rotate on that schedule.',
  },
  checkGrant(file, ctx) {
    const c = file.data.credential;
    if (!c || c.type === 'oidc-federated') return;
    const max = ctx.options.by_type[c.type] ?? ctx.options.max;
    const id = file.data.identity.id;
    if (c.rotation_days === undefined) {
      ctx.report({
        ...at(file, ['credential', 'type']),
        identity: id,
        message: `${c.type} credential of \`${id}\` has no rotation period: add credential.rotation_days (at most ${max})`,
      });
    } else if (c.rotation_days > max) {
      ctx.report({
        ...at(file, ['credential', 'rotation_days']),
        identity: id,
        message: `rotation every ${c.rotation_days} days is longer than the ${max} days allowed for ${c.type}: set rotation_days to ${max} or less`,
      });
    }
  },
});
