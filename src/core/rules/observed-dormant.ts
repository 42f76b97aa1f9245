import { defineRule } from './types.ts';
import { liveEntries, snapshotDay } from '../observe/match.ts';
import { describeAccount, grantSite, listedBy, systemSite } from '../observe/sites.ts';
import { reported } from '../observe/types.ts';
import { accountLabel, daysSince } from '../observe/values.ts';

/**
 * Access nobody uses: an account whose last use (or, never used, whose creation) lies more than
 * `days` before the listing. Judged only where the system reports use.
 */
export default defineRule<{ days: number }>({
  meta: {
    id: 'observed-dormant',
    description:
      'An account is used: a system that reports last use shows a use (or, for an account never used, its creation) within the last `days` days before the listing.',
    controls: ['CIS-v8:5.3', 'SOC2:CC6.2', 'NIST-CSF-2.0:PR.AA-05', 'ISO27001:A.5.18'],
    scope: 'observed',
    defaultSeverity: 'warning',
    waivable: true,
    optionsSchema: { type: 'object', additionalProperties: false, properties: { days: { type: 'integer', minimum: 1, maximum: 3650 } } },
    defaultOptions: { days: 90 },
    fix: 'Disable or remove the unused account and revoke its grant by pull request; if it must stay (break-glass), waive this rule with an exception in its grant.',
  },
  check(ctx) {
    const facts = ctx.facts?.observed;
    if (!facts) return;
    const limit = ctx.options.days;
    for (const m of facts.matches) {
      const { snapshot, account } = m;
      if (!reported(snapshot, account, 'last_used')) continue;
      let why: string | null = null;
      if (account.last_used !== null) {
        const idle = daysSince(account.last_used, snapshot.taken_at);
        if (idle > limit) why = `last used ${account.last_used.slice(0, 10)}, ${idle} days before the listing`;
      } else if (account.created !== null && reported(snapshot, account, 'created')) {
        const age = daysSince(account.created, snapshot.taken_at);
        if (age > limit) why = `never used since it was created ${account.created.slice(0, 10)}, ${age} days before the listing`;
      } else if (!reported(snapshot, account, 'created')) {
        why = 'never used';
      }
      if (why === null) continue;
      const grant = m.grants.length === 1 ? m.grants[0]! : undefined;
      const live = grant ? liveEntries(grant, snapshot.system, snapshotDay(snapshot)) : [];
      const site = grant ? grantSite(grant, live.length > 0 ? ['access', live[0]!.index] : ['identity', 'id']) : systemSite(ctx.snapshot, snapshot.system);
      ctx.report({
        ...site,
        ...(grant ? { identity: grant.data.identity.id } : {}),
        system: snapshot.system,
        account: accountLabel(account.principal),
        message: `${listedBy(snapshot)} reports the account ${describeAccount(account)} ${why} (more than ${limit}): ${grant ? `remove it on ${snapshot.system} and revoke the access by pull request, or keep it on purpose with an exception` : `remove it from ${snapshot.system}`}`,
      });
    }
  },
});
