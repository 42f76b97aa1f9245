import { defineRule } from './types.ts';
import { at, isBlank } from './helpers.ts';

/** Third-party access is the easiest to forget when the contract ends. */
export default defineRule({
  meta: {
    id: 'vendor-offboarding',
    description: 'An integration names its vendor, the data it reaches and how to offboard it when the partnership ends.',
    controls: ['OWASP-NHI:NHI3:2025', 'OWASP-NHI:NHI1:2025', 'NIST-CSF-2.0:GV.SC-04', 'NIST-CSF-2.0:GV.SC-10', 'NIST-CSF-2.0:ID.AM-04', 'SOC2:CC6.6'],
    scope: 'file',
    defaultSeverity: 'error',
    waivable: true,
    optionsSchema: { type: 'object', additionalProperties: false, properties: {} },
    defaultOptions: {},
    fix: 'Add a `vendor:` block with `name`, `data_scope` and `offboarding` steps.',
  },
  checkGrant(file, ctx) {
    const g = file.data;
    if (g.identity.kind !== 'integration') return;
    const id = g.identity.id;
    if (!g.vendor) {
      ctx.report({
        ...at(file, ['identity', 'kind']),
        identity: id,
        message: `integration \`${id}\` has no vendor block: add vendor.name, vendor.data_scope and vendor.offboarding`,
      });
      return;
    }
    if (isBlank(g.vendor.offboarding)) {
      ctx.report({
        ...at(file, ['vendor'], true),
        identity: id,
        message: `integration \`${id}\` does not say how to offboard the vendor: add vendor.offboarding (the steps to revoke its access)`,
      });
    }
    if (isBlank(g.vendor.data_scope)) {
      ctx.report({
        ...at(file, ['vendor'], true),
        identity: id,
        message: `integration \`${id}\` does not say what data the vendor reaches: add vendor.data_scope`,
      });
    }
  },
});
