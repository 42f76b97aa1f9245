import { defineRule } from './types.ts';
import { at, days, pastExpiry } from './helpers.ts';
import { daysBetween } from '../dates.ts';

/** The file-level view of expiry: a grant in the repo must not already be past its date. */
export default defineRule({
  meta: {
    id: 'expiry-in-future',
    description: 'An access entry or exception being added or kept has not already expired (dates are UTC days; access is valid through its expiry day).',
    controls: ['SOC2:CC6.2', 'SOC2:CC6.3', 'NIST-CSF-2.0:PR.AA-05'],
    scope: 'file',
    defaultSeverity: 'error',
    waivable: false,
    optionsSchema: { type: 'object', additionalProperties: false, properties: {} },
    defaultOptions: {},
    fix: 'Renew with a future `expires` by pull request, or revoke by deleting the entry (or the file).',
  },
  checkGrant(file, ctx) {
    const g = file.data;
    const past = pastExpiry(g, ctx.today);
    for (const { entry, index } of past.entries) {
      ctx.report({
        ...at(file, ['access', index, 'expires']),
        identity: g.identity.id,
        system: entry.system,
        message: `access to \`${entry.system}\` expired on ${entry.expires} (${days(daysBetween(entry.expires!, ctx.today))} ago): set a future date to renew, or delete the entry to revoke`,
      });
    }
    if (past.exception) {
      ctx.report({
        ...at(file, ['exception', 'expires']),
        identity: g.identity.id,
        message: `the exception expired on ${g.exception!.expires}: renew it with the admins' approval, or remove the deviation`,
      });
    }
  },
});
