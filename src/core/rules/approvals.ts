import { defineRule } from './types.ts';
import { plural } from './helpers.ts';
import { pullChanges } from '../pull/changes.ts';
import { loginKey } from '../pull/facts.ts';
import {
  DEFAULT_APPROVAL_OPTIONS,
  isGovernedKind,
  planApprovals,
  suggestApprovers,
  type ApprovalOptions,
  type ApprovalRow,
  type ApproverGroup,
} from '../pull/plan.ts';
import { reasonPhrase } from '../approvals/reasons.ts';

/**
 * Access is granted by the people accountable for the system, before it exists: every system
 * whose access a pull request adds or widens needs its own approvals from that system's
 * approvers as listed on the base branch (docs/gate.md). The engine is src/core/pull/plan.ts.
 */
export default defineRule<ApprovalOptions>({
  meta: {
    id: 'approvals',
    description:
      'Every system whose access a pull request adds or widens is approved, on the head commit, by its own approvers as listed on the base branch (the privileged count for privileged entries); config, systems/ and exceptions by the admins. Removals need no approval.',
    controls: ['SOC2:CC6.2', 'SOC2:CC6.3', 'SOC2:CC8.1', 'NIST-CSF-2.0:PR.AA-05', 'ISO27001:A.5.18', 'CIS-v8:6.1'],
    scope: 'pull-request',
    defaultSeverity: 'error',
    waivable: false,
    optionsSchema: {
      type: 'object',
      additionalProperties: false,
      properties: {
        default: { type: 'integer', minimum: 1, maximum: 10 },
        privileged: { type: 'integer', minimum: 1, maximum: 10 },
        require_head_sha: { type: 'boolean' },
      },
    },
    defaultOptions: DEFAULT_APPROVAL_OPTIONS,
    fix: "Ask an approver listed for the system in systems/<id>.yaml (or a member of a listed team) to approve the pull request's latest commit; changes to the config, systems/ or an exception need one of the `admins`.",
  },
  check(ctx) {
    const pull = ctx.pull;
    if (!pull) return;
    const plan = planApprovals(pull, ctx.options);
    const excluded = new Set(plan.latest.filter((r) => r.excluded).map((r) => loginKey(r.reviewer)));
    for (const e of pullChanges(pull).grantees) excluded.add(e);
    excluded.add(loginKey(pull.author));
    for (const c of pull.commitAuthors) if (c) excluded.add(loginKey(c));
    const bots = plan.latest.filter((r) => r.excluded === 'bot' && r.state === 'APPROVED').map((r) => r.reviewer);

    for (const group of plan.groups) {
      const rows = plan.rows.filter((r) => r.group === group.key);
      const first = rows[0];
      if (!first) continue;
      const here = (row: ApprovalRow) => ({
        file: row.file,
        line: row.line,
        column: row.column,
        ...(row.identity ? { identity: row.identity } : {}),
        ...(row.system ? { system: row.system } : {}),
      });
      for (const login of group.blockedBy) {
        ctx.report({
          ...here(first),
          message: `${login} requested changes${forGroup(group)}: address them and ask ${login} to approve the latest commit, or have the review dismissed`,
        });
      }
      for (const u of group.undetermined) {
        if (u.state === 'APPROVED' && group.missing === 0) continue;
        ctx.report({
          ...here(first),
          message: `could not determine whether ${u.login} is a member of ${u.team}, so their ${u.state === 'APPROVED' ? 'approval' : 'change request'} cannot be judged: run the gate with a token that can read team membership (an App installation token with members: read)`,
        });
      }
      if (group.missing === 0) continue;
      for (const row of rows) {
        if (row.missing === 0) continue;
        // A review campaign's item counts approvals without its own grantees: say so for that item.
        const view: ApproverGroup = row.excluded ? { ...group, required: row.required, missing: row.missing, approvedBy: row.approvedBy } : group;
        const own = row.excluded ? new Set([...excluded, ...row.excluded]) : excluded;
        const self = row.excluded ? group.approvedBy.filter((l) => row.excluded!.includes(loginKey(l))) : [];
        const selfNote = self.length ? ` (${self.join(', ')} ${reasonPhrase('grantee', { review: true })})` : '';
        ctx.report({ ...here(row), message: `${subjectOf(row)} ${needs(view, own)}${selfNote}${notesFor(view, bots)}` });
      }
    }
  },
});

function forGroup(group: ApproverGroup): string {
  return group.key === 'admins' ? ' (as an admin)' : ` (as an approver of ${group.label})`;
}

function subjectOf(row: ApprovalRow): string {
  if (row.kind === 'review' && row.group !== 'admins') return `the review of \`${row.identity}\` (${row.system})`;
  if (isGovernedKind(row.kind)) return `this pull request ${row.requested}; it`;
  return `access for \`${row.identity}\` to ${row.system} (${row.requested}: ${row.reasons.join(', ')})`;
}

/** "needs 1 more approval from @acme/dba or dave" and its variants, as the one-line next step. */
export function needs(group: ApproverGroup, excluded: ReadonlySet<string>): string {
  const n = plural(group.missing, 'more approval');
  const of = group.required > 1 && group.missing < group.required ? ` (${group.required} required)` : '';
  if (group.source === 'none') {
    return `needs ${n}${of}, but ${group.label} lists no approvers and no owner on the base branch and the config names no admins: add approvers to systems/${group.label}.yaml first`;
  }
  const who = suggestApprovers(group, excluded);
  if (!who) {
    return `needs ${n}${of}, but everyone listed for ${group.label} is excluded from approving this pull request: ask the admins to add another approver on the base branch`;
  }
  const whose =
    group.source === 'admins' && group.key === 'admins'
      ? ' (the admins)'
      : group.source === 'admins'
        ? ` (the admins: ${group.label} has no approvers on the base branch)`
        : group.source === 'owner'
          ? ` (the owner of ${group.label}, which lists no approvers)`
          : '';
  return `needs ${n}${of} from ${who}${whose}`;
}

function notesFor(group: ApproverGroup, bots: string[]): string {
  const notes: string[] = [];
  if (group.approvedBy.length) notes.push(`approved by ${group.approvedBy.join(', ')}`);
  if (group.stale.length) notes.push(`${group.stale.join(', ')} ${reasonPhrase('older-commit')} and must approve the latest one`);
  if (group.outsiders.length) {
    const are = group.outsiders.length === 1 ? 'is' : 'are';
    notes.push(
      `${group.outsiders.join(', ')} approved but ${are} ${group.key === 'admins' ? `not ${group.outsiders.length === 1 ? 'one' : ''} of the admins`.replace('  ', ' ') : `not on the list for ${group.label}`}`,
    );
  }
  if (bots.length) notes.push(`approvals by bots do not count (${bots.join(', ')})`);
  return notes.length ? ` (${notes.join('; ')})` : '';
}
