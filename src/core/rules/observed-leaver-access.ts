import { defineRule } from './types.ts';
import { describeAccount, grantSite, listedBy } from '../observe/sites.ts';
import { accountLabel, nameKey } from '../observe/values.ts';

/**
 * Someone who left the organization (no longer a member or outside collaborator in the GitHub
 * organization's listing) while another system still lists an account of theirs. Needs a
 * github-org snapshot in the same drift.
 */
export default defineRule({
  meta: {
    id: 'observed-leaver-access',
    description:
      'When a person is no longer in the GitHub organization, no other system still lists an account of theirs (compared when a github-org snapshot is among the snapshots).',
    controls: ['SOC2:CC6.2', 'NIST-CSF-2.0:GV.RR-04', 'OWASP-NHI:NHI1:2025', 'CIS-v8:6.2'],
    scope: 'observed',
    defaultSeverity: 'error',
    waivable: false,
    optionsSchema: { type: 'object', additionalProperties: false, properties: {} },
    defaultOptions: {},
    fix: 'Remove the account from the system now, then revoke the grant by pull request (delete the file).',
  },
  check(ctx) {
    const facts = ctx.facts?.observed;
    const org = facts?.membership;
    if (!facts || !org) return;
    for (const m of facts.matches) {
      const { snapshot, account } = m;
      if (snapshot.system === org.system || m.grants.length !== 1) continue;
      const grant = m.grants[0]!;
      const identity = grant.data.identity;
      if (identity.kind !== 'human' || !identity.github) continue;
      const login = nameKey(identity.github.replace(/^@/, ''));
      if (org.members.has(login) || org.outside.has(login)) continue;
      ctx.report({
        ...grantSite(grant, ['identity', 'github']),
        identity: identity.id,
        system: snapshot.system,
        account: accountLabel(account.principal),
        message: `@${identity.github} is not in the organization ${org.organization} (listed ${org.taken_at.slice(0, 10)}), but ${listedBy(snapshot)} still lists their account ${describeAccount(account)}${account.last_used ? `, last used ${account.last_used.slice(0, 10)}` : ''}: remove it from ${snapshot.system} now, then revoke the grant`,
      });
    }
  },
});
