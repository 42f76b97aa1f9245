import { defineRule } from './types.ts';
import { at, days, privilegeOf } from './helpers.ts';
import { addDays, daysBetween } from '../dates.ts';

export interface ExpiryMaxDaysOptions {
  human: number;
  non_human: number;
  privileged: number;
  exception: number;
}

/** Counted from today: a renewal PR can only ever push the date out by the allowed window. */
export default defineRule<ExpiryMaxDaysOptions>({
  meta: {
    id: 'expiry-max-days',
    description:
      'An expiry lies no further ahead than the policy allows: per human and non-human identities, a shorter window for privileged access (an entry marked privileged, or on a role its system declares privileged), and one for exceptions.',
    controls: ['SOC2:CC6.3', 'NIST-CSF-2.0:PR.AA-05', 'OWASP-NHI:NHI7:2025', 'ISO27001:A.8.2'],
    scope: 'file',
    defaultSeverity: 'error',
    waivable: true,
    optionsSchema: {
      type: 'object',
      additionalProperties: false,
      properties: {
        human: { type: 'integer', minimum: 1 },
        non_human: { type: 'integer', minimum: 1 },
        privileged: { type: 'integer', minimum: 1 },
        exception: { type: 'integer', minimum: 1 },
      },
    },
    defaultOptions: { human: 365, non_human: 365, privileged: 90, exception: 180 },
    fix: 'Bring `expires` closer; renew by pull request when the date comes.',
  },
  checkGrant(file, ctx) {
    const g = file.data;
    const base = g.identity.kind === 'human' ? ctx.options.human : ctx.options.non_human;
    g.access.forEach((entry, i) => {
      if (!entry.expires) return;
      // Privileged by the entry's word or by the system's declaration of its role, whichever says so.
      const privilege = privilegeOf(entry, ctx);
      const max = privilege.privileged ? Math.min(base, ctx.options.privileged) : base;
      const ahead = daysBetween(ctx.today, entry.expires);
      if (ahead > max) {
        const kind = privilege.declaredIn
          ? `\`${entry.role}\` is declared privileged in ${privilege.declaredIn}, and privileged `
          : privilege.privileged
            ? 'privileged '
            : '';
        ctx.report({
          ...at(file, ['access', i, 'expires']),
          identity: g.identity.id,
          system: entry.system,
          message: `expires ${entry.expires} is ${days(ahead)} ahead; ${kind}access may last at most ${max} days: set expires to ${addDays(ctx.today, max)} or earlier`,
        });
      }
    });
    const exc = g.exception;
    if (exc?.expires) {
      const ahead = daysBetween(ctx.today, exc.expires);
      if (ahead > ctx.options.exception) {
        ctx.report({
          ...at(file, ['exception', 'expires']),
          identity: g.identity.id,
          message: `the exception expires ${exc.expires}, ${days(ahead)} ahead; exceptions may last at most ${ctx.options.exception} days: set exception.expires to ${addDays(ctx.today, ctx.options.exception)} or earlier`,
        });
      }
    }
  },
});
