/** One row per access entry removed: when, and how long after it stopped being authorized. */
import { addDays, daysBetween } from '../../dates.ts';
import type { IsoDate } from '../../model/types.ts';
import { col, ENTRY_COLUMNS, gapsCol, GIT_COLUMNS, LEDGER_COLUMNS, PR_COLUMNS } from '../columns.ts';
import type { Column } from '../types.ts';
import { gap, type Gap } from '../gaps.ts';
import type { IndexedCampaign } from '../ledger-index.ts';
import { diffReproduce, ledgerCells, prCells, yesNo } from './shared.ts';
import { definePopulation } from './types.ts';

const columns: Column[] = [
  ...ENTRY_COLUMNS,
  col('expires', 'Expired on', "The entry's expiry day before removal."),
  col('owner', 'Owner', 'identity.owner before removal.'),
  col('grantee', 'Grantee', 'identity.github before removal (humans).'),
  ...GIT_COLUMNS,
  ...PR_COLUMNS,
  col('removed_at', 'Removed at', 'When the removal was merged (the commit time when no record exists).'),
  col('via', 'Via', 'pull-request, or review-campaign when an access review revoked it.'),
  col('left_org_login', 'Left the org', 'Login of the owner, grantee or holder whose identity-left-org record precedes the removal.'),
  col('left_org_at', 'Left at', 'When that login left the organization (ledger).'),
  col('left_org_seq', 'Left record seq', 'Ledger seq of the identity-left-org record.'),
  col(
    'authorization_ended',
    'Authorization ended',
    'The day access stopped being authorized: the day after expiry, or the day the person left, whichever came first.',
  ),
  col('days_to_remove', 'Days to remove', 'Days from authorization ending to removal; empty when removed while still authorized.'),
  ...LEDGER_COLUMNS,
  gapsCol,
];

const meta = {
  title: 'Removals',
  question: 'What access was removed, when, and how long after it stopped being authorized?',
  unit: 'one row per access entry removed (an entry deleted, or a whole file deleted)',
  frequency: 'event-driven' as const,
  controls: ['SOC2:CC6.2', 'SOC2:CC6.3', 'NIST-CSF-2.0:PR.AA-01', 'NIST-CSF-2.0:GV.RR-04', 'OWASP-NHI:NHI1:2025', 'ISO27001:A.5.18', 'CIS-v8:6.2'],
};

export default definePopulation({
  id: 'removals',
  meta,
  columns,
  reproduce: (p) => diffReproduce(p, meta.unit),
  start: (ctx) => ({
    onGrantChange({ commit, file, gc, before, identity, diff, git, campaign: byCampaign }) {
      const ledger = ctx.ledger;
      for (const { entry } of diff.removed) {
        const grant = before!;
        const removedAt = gc?.pr.merged_at ?? commit.committed_at;
        const removedDay = removedAt.slice(0, 10);
        const path = git.path;
        // Who, having left, made this access unauthorized: the owner, the grantee or a shared holder.
        const logins = new Set(
          [grant.identity.owner, grant.identity.github, ...(grant.shared?.holders ?? [])]
            .filter((l): l is string => typeof l === 'string')
            .map((l) => l.toLowerCase()),
        );
        const candidates = [...(ledger.leftByPath.get(path) ?? []), ...[...logins].flatMap((l) => ledger.leftByLogin.get(l) ?? [])];
        const left = candidates.filter((c) => c.subject.left_at <= removedAt).sort((a, b) => a.subject.left_at.localeCompare(b.subject.left_at))[0];
        const ends: IsoDate[] = [];
        if (entry.expires && entry.expires < removedDay) ends.push(addDays(entry.expires, 1));
        if (left) ends.push(left.subject.left_at.slice(0, 10));
        const ended = ends.sort()[0] ?? null;
        const inCampaign = (c: IndexedCampaign | undefined) => c?.subject.items.removed.some((i) => i.path === path && i.role === entry.role) === true;
        const campaign = inCampaign(byCampaign)
          ? byCampaign
          : gc
            ? undefined
            : ledger.campaigns.find((c) => c.subject.pr.merged_at === removedAt && inCampaign(c));
        const gaps: Gap[] = [];
        if (!gc && !campaign) gaps.push(gap('removal-unrecorded'));
        if (!ledger.approvalRecord(path, entry.system, entry.role, removedAt)) gaps.push(gap('no-approval-record'));
        const row = {
          identity,
          kind: grant.identity.kind,
          system: entry.system,
          role: entry.role,
          privileged: yesNo(entry.privileged ?? false),
          expires: entry.expires ?? null,
          owner: grant.identity.owner ?? null,
          grantee: grant.identity.github ?? null,
          ...git,
          ...prCells(gc),
          removed_at: removedAt,
          via: campaign ? 'review-campaign' : 'pull-request',
          left_org_login: left?.subject.login ?? null,
          left_org_at: left?.subject.left_at ?? null,
          left_org_seq: left?.ref.seq ?? null,
          authorization_ended: ended,
          days_to_remove: ended ? Math.max(0, daysBetween(ended, removedDay)) : null,
          ...ledgerCells(gc),
        };
        ctx.emit(row, gaps);
        ctx.charts.removal(row);
        // Pooled: the row's system and role are slices of the grant file's text.
        ctx.removalRefs.push({
          path,
          system: ledger.pool.of(String(entry.system)),
          role: ledger.pool.of(String(entry.role)),
          removed_at: removedAt,
          commit: commit.sha,
          pr: gc?.pr.number ?? null,
          file_removed: file.action === 'removed',
        });
      }
    },
  }),
});
