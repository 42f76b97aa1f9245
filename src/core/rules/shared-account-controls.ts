import { defineRule } from './types.ts';
import { at } from './helpers.ts';

/** A shared login breaks one-person-one-identity; it is allowed only as a governed exception. */
export default defineRule<{ required_controls: string[]; any_of: string[]; require_exception: boolean }>({
  meta: {
    id: 'shared-account-controls',
    description:
      'A shared account lists its named holders and its compensating controls, and is governed by an exception; only shared accounts carry a shared block.',
    controls: ['NIST-CSF-2.0:PR.AA-02', 'OWASP-NHI:NHI10:2025', 'SOC2:CC6.1', 'ISO27001:A.5.16', 'CIS-v8:6.5'],
    scope: 'file',
    defaultSeverity: 'error',
    waivable: true,
    optionsSchema: {
      type: 'object',
      additionalProperties: false,
      properties: {
        required_controls: { type: 'array', items: { type: 'string' } },
        any_of: { type: 'array', items: { type: 'string' } },
        require_exception: { type: 'boolean' },
      },
    },
    defaultOptions: { required_controls: [], any_of: ['checkout', 'mfa', 'session-logging'], require_exception: true },
    fix: 'Add `shared.holders` (each person who can use it), `shared.compensating_controls` (e.g. checkout, mfa, session-logging) and an `exception` block.',
  },
  checkGrant(file, ctx) {
    const g = file.data;
    const id = g.identity.id;
    if (g.identity.kind !== 'shared-account') {
      if (g.shared)
        ctx.report({
          ...at(file, ['shared'], true),
          identity: id,
          message: `only shared-account identities carry a shared block: remove it or change identity.kind`,
        });
      return;
    }
    if (!g.shared) {
      ctx.report({
        ...at(file, ['identity', 'kind']),
        identity: id,
        message: `shared account \`${id}\` has no shared block: list shared.holders and shared.compensating_controls`,
      });
    } else {
      if (g.shared.holders.length === 0) {
        ctx.report({
          ...at(file, ['shared', 'holders']),
          identity: id,
          message: `shared account \`${id}\` names no holders: list every person who can use it`,
        });
      }
      const have = new Set(g.shared.compensating_controls.map((c) => c.toLowerCase()));
      const missing = ctx.options.required_controls.filter((c) => !have.has(c.toLowerCase()));
      if (missing.length > 0) {
        ctx.report({
          ...at(file, ['shared', 'compensating_controls']),
          identity: id,
          message: `shared account \`${id}\` lacks the compensating controls ${missing.join(', ')}: add them to shared.compensating_controls`,
        });
      } else if (ctx.options.any_of.length > 0 && !ctx.options.any_of.some((c) => have.has(c.toLowerCase()))) {
        ctx.report({
          ...at(file, ['shared', 'compensating_controls']),
          identity: id,
          message: `shared account \`${id}\` needs at least one of ${ctx.options.any_of.join(', ')} in shared.compensating_controls`,
        });
      }
    }
    if (ctx.options.require_exception && !g.exception) {
      ctx.report({
        ...at(file, ['identity', 'kind']),
        identity: id,
        message: `shared account \`${id}\` is a deviation from one-person-one-identity: add an exception block with the reason, compensating controls and expiry`,
      });
    }
  },
});
