import { defineRule } from './types.ts';
import { at, isBlank } from './helpers.ts';

/** An identity nobody answers for is the first thing an auditor flags, human or not. */
export default defineRule({
  meta: {
    id: 'owner-required',
    description: 'Every identity names an accountable human owner (a GitHub login); a non-human identity cannot own itself.',
    controls: ['NIST-CSF-2.0:GV.RR-02', 'SOC2:CC6.1', 'CIS-v8:5.5', 'NIST-CSF-2.0:ID.AM-02', 'ISO27001:A.5.16'],
    scope: 'file',
    defaultSeverity: 'error',
    waivable: false,
    optionsSchema: { type: 'object', additionalProperties: false, properties: {} },
    defaultOptions: {},
    fix: 'Set `identity.owner` to the GitHub login of the person accountable for this identity.',
  },
  checkGrant(file, ctx) {
    const { identity } = file.data;
    if (isBlank(identity.owner)) {
      ctx.report({
        ...at(file, ['identity', 'owner']),
        identity: identity.id,
        message: `identity \`${identity.id}\` has no owner: set identity.owner to the GitHub login of the accountable person`,
      });
    } else if (identity.kind !== 'human' && identity.owner === identity.id) {
      ctx.report({
        ...at(file, ['identity', 'owner']),
        identity: identity.id,
        message: `non-human identity \`${identity.id}\` names itself as owner: the owner must be an accountable person`,
      });
    }
  },
});
