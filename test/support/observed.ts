/** Observed accounts and listings for tables of cases: a person used yesterday with MFA, a mapped listing of every fact. */
import { OBSERVED_FORMAT, type ObservedAccount, type ObservedSnapshot, type Reports } from '../../src/core/observe/types.ts';

export const TAKEN = '2026-11-20T10:00:00Z';
export const ALL: Reports = { roles: true, privileged: true, created: true, last_used: true, credentials: true, mfa: true };

export function account(principal: string, over: Partial<ObservedAccount> = {}): ObservedAccount {
  return {
    principal,
    names: [principal],
    kind: 'person',
    roles: [],
    permissions: null,
    privileged: false,
    created: '2024-01-01T00:00:00Z',
    last_used: '2026-11-19T00:00:00Z',
    credentials: [],
    credential_age_days: null,
    mfa: true,
    expires_at: null,
    owner: null,
    source: [{ ref: 'line 2', row: { account: principal } }],
    ...over,
  };
}

export function listing(system: string, accounts: ObservedAccount[], over: Partial<ObservedSnapshot> = {}): ObservedSnapshot {
  return {
    format: OBSERVED_FORMAT,
    system,
    connector: 'mapped',
    scope: null,
    taken_at: TAKEN,
    source: { type: 'file', file: `${system}.csv`, command: null, api: null, calls: null },
    row_count: accounts.length,
    raw_sha256: '0'.repeat(64),
    raw_format: 'csv',
    raw_bytes: 0,
    reports: ALL,
    reports_by_kind: {},
    gaps: [],
    accounts,
    ...over,
  };
}
