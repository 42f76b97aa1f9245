import { defineRule } from './types.ts';
import { fileStem } from '../model/snapshot.ts';
import { at } from './helpers.ts';

export default defineRule({
  meta: {
    id: 'identity-file-name',
    description:
      'A grant file is named after its identity (`grants/**/<identity.id>.yaml`) and a system file after its id, so a path always says whose access it is.',
    controls: ['SOC2:CC6.1', 'NIST-CSF-2.0:PR.AA-01', 'CIS-v8:5.1'],
    scope: 'file',
    defaultSeverity: 'error',
    waivable: false,
    optionsSchema: { type: 'object', additionalProperties: false, properties: {} },
    defaultOptions: {},
    fix: 'Rename the file to match the id, or change the id to match the file name.',
  },
  checkGrant(file, ctx) {
    const stem = fileStem(file.path);
    if (file.data.identity.id !== stem) {
      ctx.report({
        ...at(file, ['identity', 'id']),
        identity: file.data.identity.id,
        message: `identity.id \`${file.data.identity.id}\` differs from the file name \`${stem}\`: rename the file to ${file.data.identity.id}.yaml or set the id to \`${stem}\``,
      });
    }
  },
  checkSystem(file, ctx) {
    const stem = fileStem(file.path);
    if (file.data.id !== stem) {
      ctx.report({
        ...at(file, ['id']),
        system: file.data.id,
        message: `system id \`${file.data.id}\` differs from the file name \`${stem}\`: rename the file to systems/${file.data.id}.yaml or set the id to \`${stem}\``,
      });
    }
  },
});
