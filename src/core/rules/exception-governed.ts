import { defineRule } from './types.ts';
import { at, isBlank } from './helpers.ts';
import { closest } from '../model/schemas.ts';

/** An exception is evidence of a decision, so it must carry the decision's substance. */
export default defineRule({
  meta: {
    id: 'exception-governed',
    description:
      'An exception gives its reason, its compensating controls and an expiry, and waives only rules that exist and may be waived. Exceptions are approved by the admins (the gate enforces it), and take effect only once merged.',
    controls: ['NIST-CSF-2.0:ID.RA-07', 'SOC2:CC6.3'],
    scope: 'file',
    defaultSeverity: 'error',
    waivable: false,
    optionsSchema: { type: 'object', additionalProperties: false, properties: { min_reason_length: { type: 'integer', minimum: 1 } } },
    defaultOptions: { min_reason_length: 10 },
    fix: 'Give `exception.reason`, at least one `exception.compensating_controls` entry and `exception.expires`.',
  },
  checkGrant(file, ctx) {
    const exc = file.data.exception;
    if (!exc) return;
    const id = file.data.identity.id;
    if (isBlank(exc.reason) || exc.reason.trim().length < ctx.options.min_reason_length) {
      ctx.report({
        ...at(file, ['exception', 'reason']),
        identity: id,
        message: `the exception for \`${id}\` does not explain itself: write exception.reason (why the policy cannot be met)`,
      });
    }
    if (exc.compensating_controls.length === 0) {
      ctx.report({
        ...at(file, ['exception', 'compensating_controls']),
        identity: id,
        message: `the exception for \`${id}\` lists no compensating controls: say what reduces the risk instead (e.g. session-logging)`,
      });
    }
    exc.rules?.forEach((rule, i) => {
      if (!ctx.knownRules.has(rule)) {
        const guess = closest(rule, [...ctx.waivableRules].sort());
        ctx.report({
          ...at(file, ['exception', 'rules', i]),
          identity: id,
          message: `the exception waives \`${rule}\`, which is not a rule: ${guess ? `did you mean \`${guess}\`? ` : ''}use a rule id from docs/rules.md`,
        });
      } else if (!ctx.waivableRules.has(rule)) {
        ctx.report({
          ...at(file, ['exception', 'rules', i]),
          identity: id,
          message: `the exception waives \`${rule}\`, which no exception can waive: remove it from exception.rules (docs/rules.md lists the rules an exception may waive)`,
        });
      }
    });
  },
});
