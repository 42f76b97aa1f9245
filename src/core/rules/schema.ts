import { defineRule } from './types.ts';
import { SCHEMA_CONTROLS } from '../model/schemas.ts';

/** The findings come from parsing and the JSON Schemas (model/); the rule carries their metadata. */
export default defineRule({
  meta: {
    id: 'schema',
    description: 'Every config, system and grant file is well-formed YAML that matches its published JSON Schema: no unknown keys, no wrong types, real dates.',
    controls: SCHEMA_CONTROLS,
    scope: 'file',
    defaultSeverity: 'error',
    waivable: false,
    optionsSchema: { type: 'object', additionalProperties: false, properties: {} },
    defaultOptions: {},
    fix: 'Fix the key or value the finding points at; the message names the expected form. Add `# yaml-language-server: $schema=…` to get completion in your editor.',
  },
});
