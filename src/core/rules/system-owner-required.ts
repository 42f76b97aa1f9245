import { defineRule } from './types.ts';
import { at, isBlank } from './helpers.ts';

export default defineRule({
  meta: {
    id: 'system-owner-required',
    description: 'Every system names an accountable owner and at least one approver who may approve grants to it.',
    controls: ['NIST-CSF-2.0:GV.RR-02', 'SOC2:CC6.1', 'SOC2:CC6.3'],
    scope: 'file',
    defaultSeverity: 'error',
    waivable: true,
    optionsSchema: { type: 'object', additionalProperties: false, properties: {} },
    defaultOptions: {},
    fix: 'Set `owner` to a GitHub login and list `approvers` (logins or @org/team).',
  },
  checkSystem(file, ctx) {
    const s = file.data;
    if (isBlank(s.owner)) {
      ctx.report({ ...at(file, ['owner']), system: s.id, message: `system \`${s.id}\` has no owner: set owner to the GitHub login of the accountable person` });
    }
    if (!s.approvers || s.approvers.length === 0) {
      ctx.report({
        ...at(file, ['approvers']),
        system: s.id,
        message: `system \`${s.id}\` lists no approvers, so no grant to it can be approved: add approvers (logins or @org/team)`,
      });
    }
  },
});
