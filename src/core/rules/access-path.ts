import { defineRule } from './types.ts';
import { isCanonicalPath } from '../model/snapshot.ts';
import type { LoadedFile } from '../model/snapshot.ts';

/**
 * `Grants/x.yaml` and `grants/x.YAML` are not where the layout puts grants, yet a case-insensitive
 * file system or a provisioning step may read them as grants. The product reads them as grants
 * too, so they are judged and recorded; this rule asks for the exact path, so the repo says the
 * same thing on every file system.
 */
export default defineRule({
  meta: {
    id: 'access-path',
    description:
      'Grant and system files live at their exact paths: `grants/**/<id>.yaml` and `systems/<id>.yaml`, with the folder and the extension in lower case. A path that differs only by case is read as a grant or system (and needs the admins in a pull request) but is an error.',
    controls: ['SOC2:CC6.1', 'SOC2:CC8.1', 'NIST-CSF-2.0:PR.AA-05'],
    scope: 'file',
    defaultSeverity: 'error',
    waivable: false,
    optionsSchema: { type: 'object', additionalProperties: false, properties: {} },
    defaultOptions: {},
    fix: 'Rename the file to its exact path: `grants/` or `systems/` in lower case and the extension `.yaml` (or `.yml`).',
  },
  checkGrant(file, ctx) {
    if (!isCanonicalPath(file.path)) ctx.report({ file: file.path, line: 1, column: 1, identity: file.data.identity.id, message: misplaced(file) });
  },
  checkSystem(file, ctx) {
    if (!isCanonicalPath(file.path)) ctx.report({ file: file.path, line: 1, column: 1, system: file.data.id, message: misplaced(file) });
  },
});

function misplaced(file: LoadedFile<unknown>): string {
  const fixed = file.path.replace(/^(grants|systems)\//i, (m) => m.toLowerCase()).replace(/\.(ya?ml)$/i, (m) => m.toLowerCase());
  return `\`${file.path}\` differs from the access repo's layout only by case: rename it to \`${fixed}\` (a case-insensitive file system or a provisioning step reads it as access)`;
}
