import { defineRule } from './types.ts';
import { at, isBlank, isNonHuman } from './helpers.ts';

/** A non-human identity is its credential: say what it is, where it lives and how to kill it. */
export default defineRule({
  meta: {
    id: 'credential-required',
    description: 'Every non-human identity describes its credential: the type, where it is stored (a reference, never the secret) and how to revoke it.',
    controls: ['SOC2:CC6.1', 'NIST-CSF-2.0:PR.AA-01', 'OWASP-NHI:NHI1:2025', 'OWASP-NHI:NHI7:2025', 'ISO27001:A.5.17', 'CIS-v8:5.5'],
    scope: 'file',
    defaultSeverity: 'error',
    waivable: true,
    optionsSchema: {
      type: 'object',
      additionalProperties: false,
      properties: { require_storage: { type: 'boolean' }, require_revocation: { type: 'boolean' } },
    },
    defaultOptions: { require_storage: true, require_revocation: true },
    fix: 'Add a `credential:` block with `type`, `storage` (e.g. vault:kv/…) and `revocation` (a runbook link or steps).',
  },
  checkGrant(file, ctx) {
    const g = file.data;
    if (!isNonHuman(g)) return;
    const id = g.identity.id;
    if (!g.credential) {
      ctx.report({
        ...at(file, ['identity', 'kind']),
        identity: id,
        message: `${g.identity.kind} \`${id}\` has no credential block: add credential: with type, storage and revocation`,
      });
      return;
    }
    if (ctx.options.require_storage && isBlank(g.credential.storage) && g.credential.type !== 'oidc-federated') {
      ctx.report({
        ...at(file, ['credential'], true),
        identity: id,
        message: `credential of \`${id}\` does not say where it is stored: add credential.storage (a reference such as vault:kv/…, never the secret)`,
      });
    }
    if (ctx.options.require_revocation && isBlank(g.credential.revocation)) {
      ctx.report({
        ...at(file, ['credential'], true),
        identity: id,
        message: `credential of \`${id}\` does not say how to revoke it: add credential.revocation (a runbook link or the steps)`,
      });
    }
  },
});
