/**
 * Leavers: a login that stopped being a member of the organization. Pure: which grants name the
 * login, the `identity-left-org` ledger record, and the one urgent issue that lists those grants
 * (the same issue the sweep keeps up to date and closes once no grant names the login).
 */
import type { Policy } from './engine/policy.ts';
import type { AffectedGrant, IdentityLeftOrgSubject, Timestamp } from './ledger/kinds.ts';
import { DEFAULT_CONTROLS } from './ledger/kinds.ts';
import { identityLeftOrgKey, type RecordDraft } from './ledger/record.ts';
import type { Snapshot } from './model/snapshot.ts';
import { detectLeavers, type LeaverProblem } from './stale/detect.ts';

/** Every grant that names `login` as owner, grantee (humans) or shared holder; one row per role. */
export function grantsNaming(snapshot: Snapshot, login: string): AffectedGrant[] {
  const l = login.toLowerCase();
  const out: AffectedGrant[] = [];
  for (const f of snapshot.grants) {
    const g = f.data;
    if (!g) continue;
    if (g.identity.owner?.toLowerCase() === l) out.push({ path: f.path, identity: g.identity.id, role: 'owner' });
    if (g.identity.kind === 'human' && g.identity.github?.toLowerCase() === l) out.push({ path: f.path, identity: g.identity.id, role: 'grantee' });
    if (g.shared?.holders.some((h) => h.toLowerCase() === l)) out.push({ path: f.path, identity: g.identity.id, role: 'holder' });
  }
  return out.sort((a, b) => a.path.localeCompare(b.path) || a.role.localeCompare(b.role));
}

export function leaverRecordDraft(input: {
  repository: string;
  organization: string;
  login: string;
  leftAt: Timestamp;
  source: IdentityLeftOrgSubject['source'];
  affected: AffectedGrant[];
}): RecordDraft<'identity-left-org'> {
  const login = input.login.toLowerCase();
  return {
    kind: 'identity-left-org',
    key: identityLeftOrgKey(login, input.leftAt),
    occurred_at: input.leftAt,
    repository: input.repository,
    controls: [...DEFAULT_CONTROLS['identity-left-org']],
    subject: { login, organization: input.organization, left_at: input.leftAt, source: input.source, affected_grants: input.affected },
  };
}

/** The urgent issue's problem for one login, or undefined when no grant names it (nothing to revoke). */
export function leaverProblem(snapshot: Snapshot, policy: Policy, login: string): LeaverProblem | undefined {
  return detectLeavers(snapshot, policy, { [login.toLowerCase()]: false })[0];
}
