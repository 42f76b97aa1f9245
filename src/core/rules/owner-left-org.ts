import { defineRule } from './types.ts';
import { at } from './helpers.ts';

/**
 * The sweep's leaver check. Membership comes from the adapter as plain data; a login whose
 * membership is unknown is not reported here (the adapter fails closed instead).
 */
export default defineRule({
  meta: {
    id: 'owner-left-org',
    description: 'The owner and the grantee of every grant are still members of the organization; access held or owned by a leaver is revoked or handed over.',
    controls: ['SOC2:CC6.2', 'NIST-CSF-2.0:GV.RR-04', 'OWASP-NHI:NHI1:2025', 'CIS-v8:6.2'],
    scope: 'time',
    defaultSeverity: 'error',
    waivable: false,
    optionsSchema: { type: 'object', additionalProperties: false, properties: {} },
    defaultOptions: {},
    fix: "Revoke the grantee's access (delete the file), or hand a non-human identity to a new owner by pull request.",
  },
  checkGrant(file, ctx) {
    const members = ctx.facts?.orgMembership;
    if (!members) return;
    const g = file.data;
    const grantee = g.identity.kind === 'human' ? g.identity.github : undefined;
    if (grantee && members[grantee.toLowerCase()] === false) {
      ctx.report({
        ...at(file, ['identity', 'github']),
        identity: g.identity.id,
        message: `grantee @${grantee} is no longer a member of the organization: revoke by deleting ${file.path}`,
      });
    }
    const owner = g.identity.owner;
    if (owner && owner !== grantee && members[owner.toLowerCase()] === false) {
      ctx.report({
        ...at(file, ['identity', 'owner']),
        identity: g.identity.id,
        message: `owner @${owner} is no longer a member of the organization: hand \`${g.identity.id}\` to a new owner by pull request, or revoke it`,
      });
    }
  },
});
