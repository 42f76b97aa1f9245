import { defineRule } from './types.ts';
import { at, days, pastExpiry } from './helpers.ts';
import { daysBetween } from '../dates.ts';

/** The sweep's view of expiry: it opens an issue per expired grant. */
export default defineRule({
  meta: {
    id: 'expired',
    description: 'Access or an exception whose expiry day has passed must be renewed or revoked.',
    controls: ['SOC2:CC6.2', 'SOC2:CC6.3', 'NIST-CSF-2.0:PR.AA-05', 'CIS-v8:6.2'],
    scope: 'time',
    defaultSeverity: 'error',
    waivable: false,
    optionsSchema: { type: 'object', additionalProperties: false, properties: {} },
    defaultOptions: {},
    fix: 'Renew by pull request with a new `expires`, or revoke by deleting the entry (or the whole file).',
    coveredBy: 'expiry-in-future',
  },
  checkGrant(file, ctx) {
    const g = file.data;
    const past = pastExpiry(g, ctx.today);
    for (const { entry, index } of past.entries) {
      ctx.report({
        ...at(file, ['access', index, 'expires']),
        identity: g.identity.id,
        system: entry.system,
        message: `access to \`${entry.system}\` (${entry.role}) expired on ${entry.expires}, ${days(daysBetween(entry.expires!, ctx.today))} ago: renew it by pull request with a new expires, or revoke it by deleting the entry`,
      });
    }
    if (past.exception) {
      ctx.report({
        ...at(file, ['exception', 'expires']),
        identity: g.identity.id,
        message: `the exception for \`${g.identity.id}\` expired on ${g.exception!.expires}: renew it with the admins' approval, or remove the deviation`,
      });
    }
  },
});
