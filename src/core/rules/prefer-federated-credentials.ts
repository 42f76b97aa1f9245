import { defineRule } from './types.ts';
import { at } from './helpers.ts';
import type { IdentityKind } from '../model/types.ts';

/** A static secret can leak and be replayed; a federated (OIDC) credential is minted per run. */
export default defineRule<{ kinds: IdentityKind[] }>({
  meta: {
    id: 'prefer-federated-credentials',
    description: 'Workloads that can use federated, short-lived credentials (OIDC) should not hold static secrets or passwords.',
    controls: ['OWASP-NHI:NHI4:2025', 'OWASP-NHI:NHI6:2025', 'NIST-CSF-2.0:PR.AA-03', 'ISO27001:A.8.5'],
    scope: 'file',
    defaultSeverity: 'warning',
    waivable: true,
    optionsSchema: {
      type: 'object',
      additionalProperties: false,
      properties: { kinds: { type: 'array', items: { enum: ['human', 'service-account', 'api-key', 'ci-token', 'integration', 'shared-account', 'agent'] } } },
    },
    defaultOptions: { kinds: ['ci-token', 'service-account', 'agent'] },
    fix: 'Switch to an OIDC-federated credential (e.g. GitHub Actions OIDC to the cloud provider) and set `credential.type: oidc-federated`.',
  },
  checkGrant(file, ctx) {
    const g = file.data;
    const c = g.credential;
    if (!c || !ctx.options.kinds.includes(g.identity.kind)) return;
    if (c.type === 'static-secret' || c.type === 'password') {
      ctx.report({
        ...at(file, ['credential', 'type']),
        identity: g.identity.id,
        message: `${g.identity.kind} \`${g.identity.id}\` uses a ${c.type}: prefer an oidc-federated credential, which is short-lived and cannot be copied out`,
      });
    }
  },
});
