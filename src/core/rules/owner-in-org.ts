import { defineRule } from './types.ts';
import { at } from './helpers.ts';
import { pullChanges } from '../pull/changes.ts';
import { loginKey, type PullFacts } from '../pull/facts.ts';
import type { RepoConfig } from '../model/types.ts';

/**
 * An owner outside the organization answers to nobody, and a grantee outside it should not be
 * granted access through the org's process. Checked on the grants a pull request adds, widens, or
 * hands to a new owner or grantee; membership comes from the adapter, and a membership it could
 * not determine fails closed.
 */
export default defineRule({
  meta: {
    id: 'owner-in-org',
    description:
      'The owner, and for a human the grantee, of every grant a pull request adds, widens or hands over is a member of the organization named in the config.',
    controls: ['NIST-CSF-2.0:GV.RR-02', 'SOC2:CC6.2', 'ISO27001:A.5.16', 'CIS-v8:5.5'],
    scope: 'pull-request',
    defaultSeverity: 'error',
    waivable: false,
    optionsSchema: { type: 'object', additionalProperties: false, properties: {} },
    defaultOptions: {},
    fix: 'Name an owner (and grantee) who is a member of the organization, or invite them first; if the gate could not read membership, run it with a token that has members: read.',
  },
  check(ctx) {
    const pull = ctx.pull;
    const org = ctx.config?.organization;
    if (!pull || !org) return;
    const reviewed = new Set(pullChanges(pull).campaign?.items.map((i) => i.path) ?? []);
    for (const { file, field, login } of loginsToCheck(pull, ctx.config)) {
      const member = pull.orgMembership[loginKey(login)];
      if (member === true) continue;
      const grant = file.data!;
      const role = field === 'owner' ? 'owner' : 'grantee';
      if (member === false && reviewed.has(file.path)) {
        // A review cannot keep access for someone who has left: it revokes it, or hands it over.
        ctx.report({
          ...at(file, ['identity', field]),
          identity: grant.identity.id,
          message: `${role} @${login} of \`${grant.identity.id}\` is not a member of the ${org} organization, so this review cannot keep the access: ${role === 'owner' ? 'name a new owner who is, or delete the file' : 'delete the entry or the file'} in this pull request`,
        });
        continue;
      }
      ctx.report({
        ...at(file, ['identity', field]),
        identity: grant.identity.id,
        message:
          member === false
            ? `${role} @${login} of \`${grant.identity.id}\` is not a member of the ${org} organization: ${role === 'owner' ? 'name an accountable owner who is' : 'invite them to the organization first'}`
            : `could not determine whether ${role} @${login} of \`${grant.identity.id}\` is a member of ${org}: run the gate with a token that can read organization membership (members: read)`,
      });
    }
  },
});

type Checked = { file: NonNullable<ReturnType<typeof pullChanges>['grants'][number]['after']>; field: 'owner' | 'github'; login: string };

/** The owner and human grantee of every grant that adds, widens or changes hands. */
export function loginsToCheck(pull: PullFacts, config: RepoConfig | undefined = pull.base.config?.data): Checked[] {
  if (!config?.organization) return [];
  const out: Checked[] = [];
  for (const g of pullChanges(pull).grants) {
    const data = g.after?.data;
    if (!g.after || !data || !(g.widens || g.accountableChanged)) continue;
    if (data.identity.owner) out.push({ file: g.after, field: 'owner', login: data.identity.owner });
    if (data.identity.kind === 'human' && data.identity.github && loginKey(data.identity.github) !== loginKey(data.identity.owner ?? '')) {
      out.push({ file: g.after, field: 'github', login: data.identity.github });
    }
  }
  return out;
}
