import { defineRule } from './types.ts';
import { pullChanges } from '../pull/changes.ts';
import { loginKey } from '../pull/facts.ts';
import { DEFAULT_APPROVAL_OPTIONS, planApprovals, suggestApprovers, type ApprovalOptions, type ApprovalPlan, type ApproverGroup } from '../pull/plan.ts';
import { reasonSentence, type Exclusion } from '../approvals/reasons.ts';

/**
 * Segregation of duties: nobody approves their own request. The approval engine already ignores
 * such approvals; this rule says so, in one line, whenever the pull request still lacks approvals,
 * so "bob approved" is never mistaken for "approved".
 */
export default defineRule({
  meta: {
    id: 'no-self-approval',
    description:
      "An approval from the pull request's author, an author or committer of one of its commits, or the grantee of a changed grant does not count; while approvals are missing the gate says whose approval was ignored and why.",
    controls: ['SOC2:CC6.3', 'NIST-CSF-2.0:PR.AA-05', 'SOC2:CC8.1'],
    scope: 'pull-request',
    defaultSeverity: 'error',
    waivable: false,
    optionsSchema: { type: 'object', additionalProperties: false, properties: {} },
    defaultOptions: {},
    fix: 'Ask an approver who neither requested nor receives the access, nor committed to the pull request, to approve it.',
  },
  check(ctx) {
    const pull = ctx.pull;
    if (!pull) return;
    // Judge with the counts the `approvals` rule uses in this policy, so the two never disagree.
    const plan = planApprovals(pull, (ctx.optionsOf('approvals') as ApprovalOptions | undefined) ?? DEFAULT_APPROVAL_OPTIONS);
    const short = plan.groups.filter((g) => g.missing > 0);
    if (short.length === 0) return;
    const changes = pullChanges(pull);
    const excluded = new Set(plan.latest.filter((r) => r.excluded).map((r) => loginKey(r.reviewer)));
    for (const e of changes.grantees) excluded.add(e);
    for (const review of plan.latest) {
      if (review.state !== 'APPROVED' || !review.excluded || review.excluded === 'bot') continue;
      const login = review.reviewer;
      // Point at the reviewer's own grant when they are its grantee, else at the first row still short.
      const own = review.excluded === 'grantee' ? ownRows(plan, changes.grants, login) : [];
      const group = short.find((g) => own.some((r) => r.group === g.key)) ?? short[0]!;
      const row = own.find((r) => r.group === group.key) ?? plan.rows.find((r) => r.group === group.key)!;
      ctx.report({
        file: row.file,
        line: row.line,
        column: row.column,
        ...(row.identity ? { identity: row.identity } : {}),
        ...(row.system ? { system: row.system } : {}),
        message: `${sentence(login, review.excluded)}: their approval does not count${ask(group, excluded)}`,
      });
    }
  },
});

/** Why `login`'s approval does not count, in the words the records and the binder use too. */
export function sentence(login: string, why: Exclusion): string {
  return reasonSentence(login, why);
}

function ask(group: ApproverGroup, excluded: ReadonlySet<string>): string {
  const who = suggestApprovers(group, excluded);
  return who ? ` (ask ${who})` : '';
}

function ownRows(plan: ApprovalPlan, grants: ReturnType<typeof pullChanges>['grants'], login: string): ApprovalPlan['rows'] {
  const key = loginKey(login);
  const paths = new Set(
    grants
      .filter((g) =>
        [g.before?.data, g.after?.data].some(
          (d) => d && (loginKey(d.identity.github ?? '') === key || (d.shared?.holders ?? []).some((h) => loginKey(h) === key)),
        ),
      )
      .map((g) => g.path),
  );
  return plan.rows.filter((r) => r.group && paths.has(r.file));
}
