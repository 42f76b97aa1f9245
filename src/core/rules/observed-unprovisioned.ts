import { defineRule } from './types.ts';
import { snapshotDay } from '../observe/match.ts';
import { gapNote, grantSite, listedBy } from '../observe/sites.ts';

/**
 * A grant whose system lists no account for it: access approved and never provisioned, or
 * removed on the system while the file still grants it. Just-in-time entries are left out: their
 * account exists only while elevated.
 */
export default defineRule({
  meta: {
    id: 'observed-unprovisioned',
    description:
      'Every standing access entry in force has an account on its system when a listing of that system is compared: a grant without one was never provisioned, or was removed on the system but not in the file.',
    controls: ['SOC2:CC6.2', 'NIST-CSF-2.0:PR.AA-05', 'CIS-v8:5.1', 'ISO27001:A.5.18'],
    scope: 'observed',
    defaultSeverity: 'warning',
    waivable: true,
    optionsSchema: { type: 'object', additionalProperties: false, properties: {} },
    defaultOptions: {},
    fix: "Provision the access the grant declares (then observe again), or remove the entry by pull request if the access was removed on purpose; if the account has another name on the system, list it in the entry's `accounts`.",
  },
  check(ctx) {
    const facts = ctx.facts?.observed;
    if (!facts || facts.bySystem.size === 0) return;
    for (const grant of ctx.index.validGrants) {
      grant.data.access.forEach((entry, index) => {
        const snapshots = facts.bySystem.get(entry.system);
        if (!snapshots || entry.jit) return;
        if (facts.matchedPaths.get(entry.system)?.has(grant.path)) return;
        // Judged against the newest listing of the system; an entry that had expired by then is the clock rules' business.
        const newest = snapshots.reduce((a, b) => (a.taken_at >= b.taken_at ? a : b));
        if (typeof entry.expires === 'string' && entry.expires < snapshotDay(newest)) return;
        const id = grant.data.identity.id;
        ctx.report({
          ...grantSite(grant, ['access', index, 'system']),
          identity: id,
          system: entry.system,
          message: `\`${id}\` is granted \`${entry.role}\` on \`${entry.system}\`, but ${listedBy(newest)} lists no account for it${gapNote(newest)}: provision it, or remove the entry by pull request if the access was removed; if the account has another name there, list it in this entry's accounts`,
        });
      });
    }
  },
});
