import { defineRule } from './types.ts';
import { describeAccount, grantSite, listedBy, systemSite } from '../observe/sites.ts';
import { reported } from '../observe/types.ts';
import { accountLabel } from '../observe/values.ts';

/** A person's account without MFA, where the system reports MFA. */
export default defineRule({
  meta: {
    id: 'observed-mfa-missing',
    description: 'Every account of a person has MFA, where the system reports it (the GitHub organization, the AWS credential report, a mapped mfa column).',
    controls: ['NIST-CSF-2.0:PR.AA-03', 'ISO27001:A.8.5', 'CIS-v8:6.5', 'SOC2:CC6.1'],
    scope: 'observed',
    defaultSeverity: 'error',
    waivable: true,
    optionsSchema: { type: 'object', additionalProperties: false, properties: {} },
    defaultOptions: {},
    fix: 'Have the person enrol in MFA (or require it on the system), then observe again; until then the account is a password away from anyone.',
  },
  check(ctx) {
    const facts = ctx.facts?.observed;
    if (!facts) return;
    for (const m of facts.matches) {
      const { snapshot, account } = m;
      if (account.kind !== 'person' || account.mfa !== false || !reported(snapshot, account, 'mfa')) continue;
      const grant = m.grants.length === 1 ? m.grants[0]! : undefined;
      ctx.report({
        ...(grant ? grantSite(grant, ['identity', 'id']) : systemSite(ctx.snapshot, snapshot.system)),
        ...(grant ? { identity: grant.data.identity.id } : {}),
        system: snapshot.system,
        account: accountLabel(account.principal),
        message: `${listedBy(snapshot)} reports the account ${describeAccount(account)} without MFA: enrol it in MFA, or require MFA on ${snapshot.system}`,
      });
    }
  },
});
