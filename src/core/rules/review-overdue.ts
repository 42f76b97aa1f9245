import { defineRule } from './types.ts';
import { at, days } from './helpers.ts';
import { addDays, daysBetween } from '../dates.ts';

/**
 * Due when the last review (or, lacking one, the day the grant was added, when the adapter knows
 * it) is older than the strictest review cadence of the systems the grant reaches.
 */
export default defineRule<{ default_cadence_days: number }>({
  meta: {
    id: 'review-overdue',
    description: 'Every grant is re-certified within the review cadence of each system it reaches (systems/<id>.yaml review_cadence_days).',
    controls: ['SOC2:CC6.2', 'SOC2:CC6.3', 'NIST-CSF-2.0:PR.AA-05', 'CIS-v8:5.5', 'CIS-v8:6.8', 'ISO27001:A.5.18', 'OWASP-NHI:NHI5:2025'],
    scope: 'time',
    defaultSeverity: 'warning',
    waivable: true,
    optionsSchema: { type: 'object', additionalProperties: false, properties: { default_cadence_days: { type: 'integer', minimum: 1 } } },
    defaultOptions: { default_cadence_days: 365 },
    fix: 'Approve the access review pull request for the system (it sets review.last_reviewed), or revoke the access.',
  },
  checkGrant(file, ctx) {
    const g = file.data;
    const since = g.review?.last_reviewed ?? ctx.facts?.addedAt?.get(file.path);
    if (!since) return;
    let strictest: { cadence: number; system: string; index: number } | undefined;
    g.access.forEach((entry, index) => {
      const cadence = ctx.index.systems.get(entry.system)?.review_cadence_days ?? ctx.options.default_cadence_days;
      if (!strictest || cadence < strictest.cadence) strictest = { cadence, system: entry.system, index };
    });
    if (!strictest) return;
    const due = addDays(since, strictest.cadence);
    if (due < ctx.today) {
      const path = g.review?.last_reviewed ? ['review', 'last_reviewed'] : ['identity', 'id'];
      ctx.report({
        ...at(file, path),
        identity: g.identity.id,
        system: strictest.system,
        message: `review of \`${g.identity.id}\` was due on ${due} (${strictest.system} is reviewed every ${strictest.cadence} days; last ${g.review?.last_reviewed ? 'reviewed' : 'changed'} ${since}), ${days(daysBetween(due, ctx.today))} overdue: approve the access review pull request or revoke`,
      });
    }
  },
});
