import { defineRule } from './types.ts';
import { at } from './helpers.ts';
import { closest } from '../model/schemas.ts';

export default defineRule({
  meta: {
    id: 'system-known',
    description: 'Every access entry names a system that has a file under systems/, so its owner, approvers and evidence sources are known.',
    controls: ['SOC2:CC6.1', 'NIST-CSF-2.0:ID.AM-02'],
    scope: 'file',
    defaultSeverity: 'error',
    waivable: true,
    optionsSchema: { type: 'object', additionalProperties: false, properties: {} },
    defaultOptions: {},
    fix: "Fix the system id, or add systems/<id>.yaml (which needs the admins' approval).",
  },
  checkGrant(file, ctx) {
    file.data.access.forEach((entry, i) => {
      if (!ctx.index.systemIds.has(entry.system)) {
        const guess = closest(entry.system, [...ctx.index.systemIds].sort());
        ctx.report({
          ...at(file, ['access', i, 'system']),
          identity: file.data.identity.id,
          system: entry.system,
          message: guess
            ? `system \`${entry.system}\` is not defined under systems/: did you mean \`${guess}\`? Fix the id, or add systems/${entry.system}.yaml`
            : `system \`${entry.system}\` is not defined under systems/: fix the id or add systems/${entry.system}.yaml`,
        });
      }
    });
  },
});
