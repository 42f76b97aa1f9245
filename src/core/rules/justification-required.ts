import { defineRule } from './types.ts';
import { at } from './helpers.ts';

export default defineRule({
  meta: {
    id: 'justification-required',
    description: 'Every access entry says why the identity needs it, in words a reviewer can judge.',
    controls: ['SOC2:CC6.3', 'NIST-CSF-2.0:PR.AA-05', 'ISO27001:A.5.18'],
    scope: 'file',
    defaultSeverity: 'error',
    waivable: true,
    optionsSchema: { type: 'object', additionalProperties: false, properties: { min_length: { type: 'integer', minimum: 1 } } },
    defaultOptions: { min_length: 10 },
    fix: 'Write `justification:` on the access entry: what the identity does with this access and why a smaller role would not do.',
  },
  checkGrant(file, ctx) {
    file.data.access.forEach((entry, i) => {
      const text = (entry.justification ?? '').trim();
      if (text.length >= ctx.options.min_length) return;
      ctx.report({
        ...at(file, entry.justification === undefined ? ['access', i] : ['access', i, 'justification']),
        identity: file.data.identity.id,
        system: entry.system,
        message:
          text.length === 0
            ? `access to \`${entry.system}\` has no justification: add justification: saying why this access is needed`
            : `the justification for \`${entry.system}\` is too short to judge (${text.length} characters, at least ${ctx.options.min_length}): say what the access is used for`,
      });
    });
  },
});
