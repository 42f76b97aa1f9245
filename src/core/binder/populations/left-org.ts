/**
 * One row per identity-left-org record in the period: who left, which grants named them, and
 * which still named them on the as-of day (wherever the grant was moved to).
 */
import type { Grant } from '../../model/types.ts';
import { col, gapsCol, LEDGER_COLUMNS } from '../columns.ts';
import type { Column } from '../types.ts';
import { ledgerSelectCommand } from '../commands.ts';
import { gap, type Gap } from '../gaps.ts';
import { definePopulation } from './types.ts';

const columns: Column[] = [
  col('login', 'Login', 'The GitHub login that left the organization.'),
  col('left_at', 'Left at', 'When it left.'),
  col('source', 'Source', 'member_removed (webhook) or sweep.'),
  col('affected_grants', 'Grants naming it', 'Grant files that named the login when it left (path as role).'),
  col('removed', 'Removed in period', 'How many of those grant files were removed in the period.'),
  col('still_named', 'Still naming it', 'How many of those grant files still named the login on the as-of day (each is a gap).'),
  ...LEDGER_COLUMNS,
  gapsCol,
];

export default definePopulation({
  id: 'left-org',
  meta: {
    title: 'People who left the organization',
    question: 'Who left the organization in the period, and which grants named them?',
    unit: 'one row per identity-left-org record in the period',
    frequency: 'event-driven',
    controls: ['SOC2:CC6.2', 'NIST-CSF-2.0:GV.RR-04', 'OWASP-NHI:NHI1:2025', 'CIS-v8:6.2'],
  },
  columns,
  reproduce: (p) => ({
    git: ledgerSelectCommand(p, 'identity-left-org', 'length'),
    tie_back: 'the command prints the row count: identity-left-org records whose occurred_at falls in the period',
  }),
  start: (ctx) => {
    /** Grant files removed in the period, by path. */
    const removedPaths = new Set<string>();
    /** Grant files moved in the period: old path → new path. */
    const movedTo = new Map<string, string>();
    /** `path\0login` of each grant that still names a login of an identity-left-org record on the as-of day. */
    const stillNamed = new Set<string>();

    /** Where a grant file is on the as-of day, following the moves of the period. */
    const currentPath = (path: string): string => {
      const seen = new Set<string>();
      let at = path;
      while (movedTo.has(at) && !seen.has(at)) {
        seen.add(at);
        at = movedTo.get(at)!;
      }
      return at;
    };

    /** Whether a grant of the as-of tree still names a login an identity-left-org record says left. */
    const noteLeavers = (path: string, grant: Grant): void => {
      const from = ctx.ledger.previousPath(path);
      const records = [...(ctx.ledger.leftByPath.get(path) ?? []), ...(from ? (ctx.ledger.leftByPath.get(from) ?? []) : [])];
      if (records.length === 0) return;
      const named = new Set(
        [grant.identity.owner, grant.identity.github, ...(grant.shared?.holders ?? [])]
          .filter((l): l is string => typeof l === 'string')
          .map((l) => l.toLowerCase()),
      );
      for (const l of records) if (named.has(l.subject.login.toLowerCase())) stillNamed.add(`${path}\u0000${l.subject.login.toLowerCase()}`);
    };

    return {
      onCommit({ moves }) {
        for (const [to, from] of moves) movedTo.set(from, to);
      },
      onGrantChange({ file }) {
        if (file.action === 'removed') removedPaths.add(file.path);
      },
      onTreeGrant({ file }) {
        if (file.grant) noteLeavers(file.path, file.grant);
      },
      finish() {
        const asOf = ctx.params.asOf;
        for (const l of ctx.ledger.left) {
          if (!ctx.inPeriod(l.ref.occurred_at)) continue;
          const s = l.subject;
          const login = s.login.toLowerCase();
          const gaps: Gap[] = [];
          // A leaver's grant still naming them on the as-of day (wherever it was moved) is a gap, once they had left by then.
          for (const g of s.affected_grants) {
            if (s.left_at.slice(0, 10) <= asOf && stillNamed.has(`${currentPath(g.path)}\u0000${login}`))
              gaps.push(gap('still-named', currentPath(g.path), s.login, g.role, asOf));
          }
          ctx.emit(
            {
              login: s.login,
              left_at: s.left_at,
              source: s.source,
              affected_grants: s.affected_grants.map((g) => `${g.path} (${g.role})`).join('; ') || null,
              removed: s.affected_grants.filter((g) => removedPaths.has(g.path)).length,
              still_named: gaps.length,
              ledger_seq: l.ref.seq,
              ledger_hash: l.ref.hash,
            },
            gaps,
          );
        }
      },
    };
  },
});
