import { defineRule } from './types.ts';
import { plural } from './helpers.ts';

/**
 * Revocation must be fast, so removals are never blocked for want of approval; but a change that
 * removes a large share of all access at once is more often an accident (a bad script, a wrong
 * glob) than a decision, so it is called out.
 */
export default defineRule<{ max_entries: number; max_percent: number }>({
  meta: {
    id: 'mass-removal',
    description: 'A single change does not remove more access entries than the policy allows without saying so.',
    controls: ['SOC2:CC8.1', 'NIST-CSF-2.0:ID.RA-07'],
    scope: 'repo',
    defaultSeverity: 'warning',
    waivable: true,
    optionsSchema: {
      type: 'object',
      additionalProperties: false,
      properties: { max_entries: { type: 'integer', minimum: 1 }, max_percent: { type: 'number', minimum: 1, maximum: 100 } },
    },
    defaultOptions: { max_entries: 25, max_percent: 20 },
    fix: 'Split the change, or confirm it is intended (e.g. a vendor offboarding) and have the admins approve.',
  },
  check(ctx) {
    if (!ctx.base || !ctx.changed) return;
    const before = new Map<string, number>();
    let total = 0;
    for (const g of ctx.base.grants) {
      const n = g.data?.access.length ?? 0;
      before.set(g.path, n);
      total += n;
    }
    const after = new Map<string, number>();
    for (const g of ctx.snapshot.grants) after.set(g.path, g.data?.access.length ?? 0);
    let removed = 0;
    let removedFiles = 0;
    for (const path of ctx.changed) {
      const b = before.get(path);
      if (b === undefined) continue;
      const a = after.get(path);
      if (a === undefined) removedFiles++;
      removed += Math.max(0, b - (a ?? 0));
    }
    const percent = total === 0 ? 0 : (removed / total) * 100;
    if (removed > ctx.options.max_entries || (removed > 1 && percent > ctx.options.max_percent)) {
      ctx.report({
        message: `this change removes ${plural(removed, 'access entry').replace('entrys', 'entries')} (${percent.toFixed(0)}% of all access, ${plural(removedFiles, 'file')} deleted), over the limit of ${ctx.options.max_entries} entries or ${ctx.options.max_percent}%: split it, or confirm it is intended and have the admins approve`,
      });
    }
  },
});
