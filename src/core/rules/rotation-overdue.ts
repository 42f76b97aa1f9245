import { defineRule } from './types.ts';
import { at, days } from './helpers.ts';
import { addDays, daysBetween } from '../dates.ts';

export default defineRule({
  meta: {
    id: 'rotation-overdue',
    description: 'A static credential is rotated within its rotation period, and the rotation is recorded in `credential.last_rotated`.',
    controls: ['OWASP-NHI:NHI7:2025', 'SOC2:CC6.1', 'NIST-CSF-2.0:PR.AA-01', 'ISO27001:A.5.17'],
    scope: 'time',
    defaultSeverity: 'warning',
    waivable: true,
    optionsSchema: { type: 'object', additionalProperties: false, properties: {} },
    defaultOptions: {},
    fix: 'Rotate the credential, then record the day in `credential.last_rotated` by pull request.',
  },
  checkGrant(file, ctx) {
    const c = file.data.credential;
    if (!c || c.type === 'oidc-federated' || c.rotation_days === undefined) return;
    const id = file.data.identity.id;
    if (!c.last_rotated) {
      ctx.report({
        ...at(file, ['credential'], true),
        identity: id,
        message: `credential of \`${id}\` has no rotation on record: rotate it and set credential.last_rotated`,
      });
      return;
    }
    const due = addDays(c.last_rotated, c.rotation_days);
    if (due < ctx.today) {
      ctx.report({
        ...at(file, ['credential', 'last_rotated']),
        identity: id,
        message: `credential of \`${id}\` was due for rotation on ${due} (every ${c.rotation_days} days, last ${c.last_rotated}), ${days(daysBetween(due, ctx.today))} overdue: rotate it and update credential.last_rotated`,
      });
    }
  },
});
