import { defineRule } from './types.ts';
import { entriesFor, liveEntries, snapshotDay } from '../observe/match.ts';
import { describeAccount, grantSite, listed, listedBy, systemSite } from '../observe/sites.ts';
import { accountLabel, shown } from '../observe/values.ts';

/**
 * What a system lists that no grant declares: the orphaned token, the undocumented integration,
 * the account kept after its access expired. Each account is judged against the grant it maps to
 * (docs/observed-access.md, "How accounts map to grants").
 */
export default defineRule({
  meta: {
    id: 'observed-undeclared',
    description:
      'Every account a system lists maps to exactly one grant with access to that system in force when the system was listed: no account exists without a grant, and none outlives its expiry.',
    controls: [
      'SOC2:CC6.1',
      'SOC2:CC6.2',
      'NIST-CSF-2.0:PR.AA-01',
      'NIST-CSF-2.0:PR.AA-05',
      'CIS-v8:5.1',
      'CIS-v8:5.5',
      'OWASP-NHI:NHI1:2025',
      'ISO27001:A.5.16',
      'ISO27001:A.5.18',
    ],
    scope: 'observed',
    defaultSeverity: 'error',
    waivable: false,
    optionsSchema: { type: 'object', additionalProperties: false, properties: {} },
    defaultOptions: {},
    fix: 'Remove the account from the system, or declare it by pull request: a grant file for it (`access-ledger import` writes one to complete), or an access entry naming it in `accounts`.',
  },
  check(ctx) {
    const facts = ctx.facts?.observed;
    if (!facts) return;
    for (const m of facts.matches) {
      const { snapshot, account } = m;
      const system = snapshot.system;
      if (m.grants.length === 0) {
        ctx.report({
          ...systemSite(ctx.snapshot, system),
          system,
          account: accountLabel(account.principal),
          message: `${listedBy(snapshot)} lists the account ${describeAccount(account)}, which no grant declares: remove it from ${system}, or add a grant for it (by its id, GitHub login, e-mail or an \`accounts\` entry)`,
        });
        continue;
      }
      if (m.grants.length > 1) {
        ctx.report({
          ...systemSite(ctx.snapshot, system),
          system,
          account: accountLabel(account.principal),
          message: `${listedBy(snapshot)} lists the account ${describeAccount(account)}, which ${listed(
            m.grants.map((g) => g.path),
            4,
          )} all claim (by ${m.via}): an account belongs to one grant; name it in exactly one`,
        });
        continue;
      }
      const grant = m.grants[0]!;
      const id = grant.data.identity.id;
      const all = entriesFor(grant, system);
      if (all.length === 0) {
        ctx.report({
          ...grantSite(grant, ['access'], true),
          identity: id,
          system,
          account: accountLabel(account.principal),
          message: `${listedBy(snapshot)} lists ${shown(account.principal)} (matched to \`${id}\` by ${m.via}), but this grant declares no access to \`${system}\`: add an access entry by pull request, or remove the account from ${system}`,
        });
        continue;
      }
      if (liveEntries(grant, system, snapshotDay(snapshot)).length === 0) {
        const last = all.reduce((a, b) => ((a.entry.expires ?? '') >= (b.entry.expires ?? '') ? a : b));
        ctx.report({
          ...grantSite(grant, ['access', last.index, 'expires']),
          identity: id,
          system,
          account: accountLabel(account.principal),
          message: `access of \`${id}\` to \`${system}\` expired on ${last.entry.expires}, but ${listedBy(snapshot)} still lists its account ${shown(account.principal)}: revoke the account, or renew the access by pull request`,
        });
      }
    }
  },
});
