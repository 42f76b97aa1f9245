/**
 * Observed access: what a system itself lists, normalized (contract: docs/observed-access.md).
 *
 * A connector turns a system's own listing (the GitHub organization's members, an AWS IAM
 * credential report, a mapped CSV or JSON export) into an `ObservedSnapshot`: one entry per
 * account, with the raw rows it came from. The drift rules compare snapshots with the grant files;
 * the ledger keeps each snapshot's raw export, content-addressed, so drift reproduces from git.
 *
 * Plain JSON only: strings, integers, booleans, null, arrays and objects. Fields are only ever
 * added, never renamed or re-purposed.
 */
import type { ConnectorId } from './connectors/index.ts';

export const OBSERVED_FORMAT = 'access-ledger/observed@1' as const;

/** The connectors this version knows are listed in src/core/observe/connectors/index.ts (`CONNECTORS`). */
export type { ConnectorId };

/**
 * What kind of principal an account is, as far as the system says:
 * person (a human's login), service (a workload's account), key (a token or key standing on its
 * own, e.g. a fine-grained personal access token), app (an installed integration).
 */
export const ACCOUNT_KINDS = ['person', 'service', 'key', 'app'] as const;
export type AccountKind = (typeof ACCOUNT_KINDS)[number];

/** A credential the system reports for an account (a password, an access key, a token). */
export interface ObservedCredential {
  /** The system's name for it: `password`, `access_key_1`, `cert_2`, `token`. */
  name: string;
  type: 'password' | 'access-key' | 'certificate' | 'token';
  active: boolean;
  /** When it was created or last rotated (ISO 8601 UTC timestamp, or a YYYY-MM-DD day); null when not reported. */
  rotated_at: string | null;
  /** When it was last used; null when never used or not reported (see the snapshot's `reports`). */
  last_used: string | null;
  /** When it expires; null when it does not or the system does not say. */
  expires_at: string | null;
}

/** Where an account came from in the raw export: the line of a CSV or the JSON Pointer of an item, and the row itself. */
export interface SourceRow {
  /** `line 12` for a CSV row (the line it starts on), `/members/3` (a JSON Pointer) for a JSON item. */
  ref: string;
  /** The row as the system wrote it: header → cell for a CSV, the item for JSON. */
  row: Record<string, unknown>;
}

export interface ObservedAccount {
  /** The name the system lists the account under: a login, an e-mail, a user name. Unique in the snapshot. */
  principal: string;
  /**
   * Every name the account is known by, principal first (login, e-mail, ARN, user name, token
   * name). An account maps to a grant when one of these equals the grant's identity id, GitHub
   * login, e-mail, or one of its `accounts` for this system (case-insensitively).
   */
  names: string[];
  kind: AccountKind;
  /** Roles, groups or permission sets the system lists (what `access[].role` is compared with). */
  roles: string[];
  /** Fine-grained permissions where the system lists them (an App's or a token's), else null. */
  permissions: Record<string, string> | null;
  /** Whether the system says the account is privileged (admin, superuser); null when it does not say. */
  privileged: boolean | null;
  /** When the account was created; null when not reported. */
  created: string | null;
  /** The latest use of the account or any of its credentials; null when never used or not reported. */
  last_used: string | null;
  credentials: ObservedCredential[];
  /** Age in whole days, when the snapshot was taken, of the oldest active key or token; null when none is reported. */
  credential_age_days: number | null;
  /** Whether the account has MFA; null when the system does not report it. */
  mfa: boolean | null;
  /** When the account or its access ends, where the system says (a token's expiry, a role's VALID UNTIL). */
  expires_at: string | null;
  /** The account this one belongs to, where the system says (the owner of a token). */
  owner: string | null;
  source: SourceRow[];
}

/** Which facts the connector reports: a rule judges only what is reported. */
export interface Reports {
  roles: boolean;
  privileged: boolean;
  created: boolean;
  last_used: boolean;
  credentials: boolean;
  mfa: boolean;
}

/** How the raw export was obtained. */
export interface SnapshotSource {
  /** `file`: read from a file the user exported; `api`: listed live from the system's API. */
  type: 'file' | 'api';
  /** The file as given on the command line (type file). */
  file: string | null;
  /** The command that produces the export (from the system file, or the connector's documented one). */
  command: string | null;
  /** The API it was read from (type api), e.g. `https://api.github.com`. */
  api: string | null;
  /** API requests made (type api). */
  calls: number | null;
}

export interface ObservedSnapshot {
  format: typeof OBSERVED_FORMAT;
  /** The system id (systems/<id>.yaml). */
  system: string;
  connector: ConnectorId;
  /** What the listing covers, when the connector knows it: the GitHub organization, the AWS account id. */
  scope: string | null;
  /** When the listing was taken, `YYYY-MM-DDTHH:MM:SSZ`. Ages (dormancy, credentials) are measured at this moment. */
  taken_at: string;
  source: SnapshotSource;
  /** Rows (CSV) or items (JSON) in the raw export, including rows that are not accounts (inactive, duplicates). */
  row_count: number;
  /** SHA-256 of the raw export's bytes, lower-case hex. */
  raw_sha256: string;
  /** `csv` or `json`: the raw export's format, and its extension on the ledger branch. */
  raw_format: 'csv' | 'json';
  raw_bytes: number;
  reports: Reports;
  /** Where a kind of account reports more or less than `reports` says (GitHub lists last use for tokens only). */
  reports_by_kind: Partial<Record<AccountKind, Partial<Reports>>>;
  /** What the listing could not cover (a permission the token lacks, a listing skipped on purpose). Empty when complete. */
  gaps: string[];
  accounts: ObservedAccount[];
}

/** What a connector returns; `buildSnapshot` adds the envelope. */
export interface ConnectorResult {
  /** The organization, account or tenant the export covers, when it says. */
  scope?: string | null;
  row_count: number;
  reports: Reports;
  reports_by_kind?: Partial<Record<AccountKind, Partial<Reports>>>;
  gaps: string[];
  accounts: ObservedAccount[];
}

/** Whether `snapshot` reports `fact` for `account` (a rule judges only what is reported). */
export function reported(
  snapshot: Pick<ObservedSnapshot, 'reports' | 'reports_by_kind'>,
  account: Pick<ObservedAccount, 'kind'>,
  fact: keyof Reports,
): boolean {
  return snapshot.reports_by_kind?.[account.kind]?.[fact] ?? snapshot.reports[fact];
}

/** A connector could not read the export; the message names the file or field and what to do. */
export class ObserveError extends Error {
  override name = 'ObserveError';
}
