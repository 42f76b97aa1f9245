/**
 * One row per change of a person's team (docs/gate.md, "What a change does": a move). The access
 * they keep was approved for the old team; the gate asks its systems' approvers to approve it
 * again, and the row shows whether they did.
 */
import type { Grant } from '../../model/types.ts';
import { col, gapsCol, GIT_COLUMNS, LEDGER_COLUMNS, PR_COLUMNS } from '../columns.ts';
import type { Column } from '../types.ts';
import { approvalFacts, diffReproduce, ledgerCells, prCells } from './shared.ts';
import { definePopulation } from './types.ts';

const columns: Column[] = [
  col('identity', 'Identity', "identity.id of the person's grant file."),
  col('login', 'Login', "The person's GitHub login (identity.github), or their e-mail when they have no GitHub account."),
  col('old_team', 'Old team', 'identity.team before the move.'),
  col('new_team', 'New team', 'identity.team after it (empty when the team was removed).'),
  col(
    'kept',
    'Access kept',
    "Entries (system:role) the person keeps across the move: the gate asks their systems' approvers to approve them again (movers.reapprove).",
  ),
  col('added', 'Access added', 'Entries added in the same change.'),
  col('removed', 'Access removed', "Entries removed in the same change: the old team's access the move ended."),
  col('approvers', 'Approved by', 'Approvals the gate counted at merge time, for every system of the kept and added access.'),
  col('gate', 'Gate at merge', 'The merge-time verdict: pass, or fail when the access kept was not approved again.'),
  ...GIT_COLUMNS,
  ...PR_COLUMNS,
  col('merged_at', 'Merged at', 'When the pull request was merged.'),
  ...LEDGER_COLUMNS,
  gapsCol,
];

const meta = {
  title: 'Movers',
  question: 'Who changed team in the period, which access did they keep, add and lose, and who approved the access they kept?',
  unit: "one row per change of a person's identity.team (a team recorded for the first time is not a move)",
  frequency: 'event-driven' as const,
  controls: ['SOC2:CC6.2', 'SOC2:CC6.3', 'NIST-CSF-2.0:PR.AA-05', 'ISO27001:A.5.18', 'CIS-v8:6.2'],
};

const team = (g: Grant): string | null => (typeof g.identity.team === 'string' && g.identity.team.trim() !== '' ? g.identity.team.trim() : null);
const entryName = (e: { system: string; role: string }): string => `${e.system}:${e.role}`;

export default definePopulation({
  id: 'movers',
  meta,
  columns,
  reproduce: (p) => diffReproduce(p, meta.unit),
  start: (ctx) => ({
    onGrantChange({ gc, before, after, identity, diff, git, gapsFor }) {
      if (!before || !after || before.identity.kind !== 'human' || after.identity.kind !== 'human') return;
      const oldTeam = team(before);
      const newTeam = team(after);
      if (oldTeam === null || oldTeam.toLowerCase() === (newTeam ?? '').toLowerCase()) return;
      const changed = new Set([...diff.added.map((a) => entryName(a.entry)), ...diff.removed.map((r) => entryName(r.entry))]);
      const kept = after.access.filter((e) => !changed.has(entryName(e))).map(entryName);
      const systems = [...new Set(after.access.map((e) => e.system))];
      const gaps = gc ? systems.flatMap((s) => gapsFor(s, { needsApproval: true })) : gapsFor(null);
      ctx.emit(
        {
          identity,
          login: after.identity.github ?? after.identity.email ?? null,
          old_team: oldTeam,
          new_team: newTeam,
          kept: kept.join('; ') || null,
          added: diff.added.map((a) => entryName(a.entry)).join('; ') || null,
          removed: diff.removed.map((r) => entryName(r.entry)).join('; ') || null,
          approvers: gc ? approvalFacts(gc, null).approvers.join(', ') || null : null,
          gate: gc?.verdict ?? null,
          ...git,
          ...prCells(gc),
          merged_at: gc?.pr.merged_at ?? null,
          ...ledgerCells(gc),
        },
        [...new Map(gaps.map((g) => [g.text, g])).values()],
      );
    },
  }),
});
