import { defineRule } from './types.ts';
import { at, isBlank } from './helpers.ts';

/** The binder points the auditor at these; a blank here is a gap in the evidence map. */
export default defineRule({
  meta: {
    id: 'system-evidence-sources',
    description: 'Every system says where an auditor finds the proof outside git: how access is provisioned and where its use is logged.',
    controls: ['SOC2:CC7.2', 'NIST-CSF-2.0:DE.CM-03'],
    scope: 'file',
    defaultSeverity: 'error',
    waivable: true,
    optionsSchema: {
      type: 'object',
      additionalProperties: false,
      properties: { required: { type: 'array', items: { enum: ['provisioning', 'activity', 'review'] } } },
    },
    defaultOptions: { required: ['provisioning', 'activity'] as ('provisioning' | 'activity' | 'review')[] },
    fix: 'Fill `evidence.provisioning` (how access is created, e.g. a Terraform workflow) and `evidence.activity` (where use is logged, e.g. a SIEM index).',
  },
  checkSystem(file, ctx) {
    const s = file.data;
    for (const source of ctx.options.required) {
      if (isBlank(s.evidence?.[source])) {
        ctx.report({
          ...at(file, s.evidence ? ['evidence'] : ['id'], true),
          system: s.id,
          message: `system \`${s.id}\` has no evidence.${source}: say where an auditor finds the ${source === 'activity' ? 'activity log' : source} evidence`,
        });
      }
    }
  },
});
