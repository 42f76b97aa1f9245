/**
 * `identity-left-org`: a login stopped being a member of the organization (docs/ledger.md).
 */
import { defineKind, type Timestamp } from './common.ts';

/** A grant file that named the departed login (as owner, grantee or shared holder). */
export interface AffectedGrant {
  path: string;
  identity: string;
  /** How the grant names the login. */
  role: 'owner' | 'grantee' | 'holder';
}

/**
 * `identity-left-org`: a login stopped being a member of the organization.
 * Key `left-<login>-<YYYYMMDDTHHMMSSZ>` (the login lower-cased, the time of `left_at`).
 */
export interface IdentityLeftOrgSubject {
  /** The GitHub login, lower-cased (logins are case-insensitive). */
  login: string;
  organization: string;
  left_at: Timestamp;
  /** `member_removed` for the organization webhook, `sweep` when a sweep found the login gone. */
  source: 'member_removed' | 'sweep';
  /** Grants that named the login when it left (from the default branch at `left_at`). */
  affected_grants: AffectedGrant[];
}

export default defineKind<IdentityLeftOrgSubject>()({
  kind: 'identity-left-org',
  controls: ['SOC2:CC6.2', 'NIST-CSF-2.0:GV.RR-04', 'NIST-CSF-2.0:PR.AA-01', 'OWASP-NHI:NHI1:2025', 'CIS-v8:6.2'],
});
