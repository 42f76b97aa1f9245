import { defineRule } from './types.ts';
import { at, days } from './helpers.ts';
import { daysBetween } from '../dates.ts';

export default defineRule<{ days?: number }>({
  meta: {
    id: 'expiring-soon',
    description:
      'Access that expires within the warning window (config `stale.expiring_within_days`, default 14) is flagged so the owner can renew or let it lapse on purpose.',
    controls: ['SOC2:CC6.3', 'NIST-CSF-2.0:PR.AA-05'],
    scope: 'time',
    defaultSeverity: 'warning',
    waivable: true,
    optionsSchema: { type: 'object', additionalProperties: false, properties: { days: { type: 'integer', minimum: 0 } } },
    defaultOptions: {},
    fix: 'Open a renewal pull request with a new `expires`, or do nothing and let the access lapse.',
  },
  checkGrant(file, ctx) {
    const window = ctx.options.days ?? ctx.config?.stale?.expiring_within_days ?? 14;
    const g = file.data;
    g.access.forEach((entry, i) => {
      if (!entry.expires || entry.expires < ctx.today) return;
      const left = daysBetween(ctx.today, entry.expires);
      if (left <= window) {
        ctx.report({
          ...at(file, ['access', i, 'expires']),
          identity: g.identity.id,
          system: entry.system,
          message: `access to \`${entry.system}\` (${entry.role}) expires on ${entry.expires}, in ${days(left)}: renew by pull request if it is still needed, or let it lapse`,
        });
      }
    });
  },
});
