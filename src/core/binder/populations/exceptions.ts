/** One row per exception block, and one per shared account, of the as-of tree. */
import { col, gapsCol } from '../columns.ts';
import type { Column } from '../types.ts';
import { gap, type Gap } from '../gaps.ts';
import { asOfReproduce } from './shared.ts';
import { definePopulation } from './types.ts';

const columns: Column[] = [
  col('identity', 'Identity', 'identity.id.'),
  col('kind', 'Kind', 'Identity kind.'),
  col('type', 'Type', 'exception (a governed deviation) or shared-account.'),
  col('reason', 'Reason', 'exception.reason.'),
  col('compensating_controls', 'Compensating controls', 'Controls that offset the deviation.'),
  col('holders', 'Holders', 'shared.holders: the people who use a shared account.'),
  col('waived_rules', 'Waived rules', 'exception.rules: rules the exception waives.'),
  col('approved_by', 'Approved by', 'exception.approved_by.'),
  col('expires', 'Expires', 'exception.expires (for shared accounts without an exception: empty).'),
  col('owner', 'Owner', 'identity.owner.'),
  col('path', 'File', 'The grant file.'),
  gapsCol,
];

const meta = {
  title: 'Exceptions and shared accounts',
  question: 'Which deviations from policy exist, with which compensating controls, approved by whom, and until when?',
  unit: 'one row per exception block and one per shared account, in the tree as of the as-of day',
  frequency: 'point-in-time' as const,
  controls: ['NIST-CSF-2.0:ID.RA-07', 'NIST-CSF-2.0:PR.AA-02', 'OWASP-NHI:NHI10:2025', 'SOC2:CC6.3'],
};

export default definePopulation({
  id: 'exceptions',
  meta,
  columns,
  reproduce: (p) => asOfReproduce(p, meta.unit),
  start: (ctx) => ({
    onTreeGrant({ file: g, fileGaps }) {
      const grant = g.grant;
      if (!grant) return;
      const id = grant.identity;
      if (grant.exception) {
        const e = grant.exception;
        const gaps: Gap[] = fileGaps();
        if (!e.expires) gaps.push(gap('exception-no-expiry'));
        else if (e.expires < ctx.params.asOf) gaps.push(gap('exception-expired', e.expires));
        if (!e.approved_by?.length) gaps.push(gap('exception-no-approver'));
        ctx.emit(
          {
            identity: id.id,
            kind: id.kind,
            type: 'exception',
            reason: e.reason,
            compensating_controls: e.compensating_controls.join(', '),
            holders: null,
            waived_rules: e.rules?.join(', ') ?? null,
            approved_by: e.approved_by?.join(', ') ?? null,
            expires: e.expires ?? null,
            owner: id.owner ?? null,
            path: g.path,
          },
          gaps,
        );
      }
      if (grant.shared || id.kind === 'shared-account') {
        const s = grant.shared;
        const gaps: Gap[] = fileGaps();
        if (!s) gaps.push(gap('shared-no-block'));
        else if (s.compensating_controls.length === 0) gaps.push(gap('shared-no-controls'));
        ctx.emit(
          {
            identity: id.id,
            kind: id.kind,
            type: 'shared-account',
            reason: grant.exception?.reason ?? null,
            compensating_controls: s?.compensating_controls.join(', ') ?? null,
            holders: s?.holders.join(', ') ?? null,
            waived_rules: null,
            approved_by: null,
            expires: grant.exception?.expires ?? null,
            owner: id.owner ?? null,
            path: g.path,
          },
          gaps,
        );
      }
    },
  }),
});
