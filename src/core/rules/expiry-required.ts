import { defineRule } from './types.ts';
import { at } from './helpers.ts';

/** Standing access without an end date is how access outlives its purpose. */
export default defineRule({
  meta: {
    id: 'expiry-required',
    description: 'Every access entry and every exception has an expiry date.',
    controls: ['SOC2:CC6.3', 'NIST-CSF-2.0:PR.AA-05', 'OWASP-NHI:NHI7:2025'],
    scope: 'file',
    defaultSeverity: 'error',
    waivable: true,
    optionsSchema: { type: 'object', additionalProperties: false, properties: {} },
    defaultOptions: {},
    fix: 'Add `expires: YYYY-MM-DD` to the entry; renew later by pull request.',
  },
  checkGrant(file, ctx) {
    file.data.access.forEach((entry, i) => {
      if (!entry.expires) {
        ctx.report({
          ...at(file, ['access', i]),
          identity: file.data.identity.id,
          system: entry.system,
          message: `access to \`${entry.system}\` (${entry.role}) has no expiry: add expires: YYYY-MM-DD (renew later by pull request)`,
        });
      }
    });
    const exc = file.data.exception;
    if (exc && !exc.expires) {
      ctx.report({
        ...at(file, ['exception'], true),
        identity: file.data.identity.id,
        message: 'the exception has no expiry: add exception.expires: YYYY-MM-DD so the deviation is revisited',
      });
    }
  },
});
