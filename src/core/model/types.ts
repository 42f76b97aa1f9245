/**
 * The access-repo model (docs/file-formats.md). These are the shapes after schema validation;
 * every key is snake_case as in the YAML files.
 */
import type { ObserveConfig } from '../observe/mapped.ts';

export const IDENTITY_KINDS = ['human', 'service-account', 'api-key', 'ci-token', 'integration', 'shared-account', 'agent'] as const;
export type IdentityKind = (typeof IDENTITY_KINDS)[number];

export const CREDENTIAL_TYPES = ['static-secret', 'oidc-federated', 'key-pair', 'oauth-token', 'password'] as const;
export type CredentialType = (typeof CREDENTIAL_TYPES)[number];

export const SYSTEM_CATEGORIES = [
  'directory',
  'cloud-console',
  'database',
  'ticketing',
  'source-control',
  'privileged-access',
  'saas',
  'ci-cd',
  'other',
] as const;
export type SystemCategory = (typeof SYSTEM_CATEGORIES)[number];

/** `YYYY-MM-DD`, a UTC calendar day. */
export type IsoDate = string;

export function isHumanKind(kind: IdentityKind): boolean {
  return kind === 'human';
}

export interface Identity {
  id: string;
  kind: IdentityKind;
  description?: string;
  owner?: string;
  github?: string | null;
  email?: string;
  /** The person's team or department: a change is a move (docs/gate.md, "Movers"). */
  team?: string;
}

export interface Credential {
  type: CredentialType;
  rotation_days?: number;
  last_rotated?: IsoDate;
  storage?: string;
  revocation?: string;
}

export interface JitWindow {
  max_duration_hours: number;
  approvers?: string[];
}

export interface AccessEntry {
  system: string;
  role: string;
  privileged?: boolean;
  justification?: string;
  request?: string;
  expires?: IsoDate;
  /** The system's own names for this identity's accounts (an IAM user name or ARN, a database role), for mapping observed access. */
  accounts?: string[];
  jit?: JitWindow;
}

export interface ReviewMeta {
  last_reviewed?: IsoDate;
  reviewer?: string | null;
  campaign?: string;
}

export interface Vendor {
  name: string;
  data_scope?: string;
  offboarding?: string;
  contact?: string;
}

export interface SharedAccount {
  holders: string[];
  compensating_controls: string[];
}

export interface ExceptionBlock {
  reason: string;
  compensating_controls: string[];
  expires?: IsoDate;
  approved_by?: string[];
  rules?: string[];
}

export interface Grant {
  identity: Identity;
  credential?: Credential;
  access: AccessEntry[];
  review?: ReviewMeta;
  vendor?: Vendor;
  shared?: SharedAccount;
  exception?: ExceptionBlock;
}

export interface SystemEvidence {
  provisioning?: string;
  activity?: string;
  review?: string;
}

/**
 * A role as a system declares it. Role names are those grant files use in `access[].role`; a
 * privileged role is privileged whatever a grant file says.
 */
export interface RoleDeclaration {
  privileged?: boolean;
  description?: string;
}

export interface System {
  id: string;
  name: string;
  category: SystemCategory;
  environment?: string;
  owner?: string;
  approvers?: string[];
  review_cadence_days?: number;
  evidence?: SystemEvidence;
  description?: string;
  /** The roles grants may hold on this system; when present, every access entry's role is one of these. */
  roles?: Record<string, RoleDeclaration>;
  /** How `access-ledger observe` reads the system's own listing of accounts (docs/observed-access.md). */
  observe?: ObserveConfig;
}

export interface RuleSetting {
  severity?: 'error' | 'warning' | 'off';
  options?: Record<string, unknown>;
}

export interface RepoConfig {
  version: 1;
  organization?: string;
  extends?: string;
  admins?: string[];
  rules?: Record<string, RuleSetting | 'error' | 'warning' | 'off'>;
  ledger?: {
    branch?: string;
    provisioning_workflow?: string;
    /** The App's bot account (`access-ledger[bot]`): the only author of ledger commits. */
    app_login?: string;
    /** The ledger signing keys' public halves with their periods (docs/ledger.md, "Signatures"). */
    public_keys?: { id: string; key: string; from: string; until?: string }[];
  };
  stale?: {
    expiring_within_days?: number;
    labels?: string[];
    reminder_days?: number;
    max_writes_per_run?: number;
    assign_owner?: boolean;
  };
  movers?: {
    /** A team change needs every kept entry approved again (default true). */
    reapprove?: boolean;
  };
  reviews?: {
    enabled?: boolean;
    branch_prefix?: string;
    labels?: string[];
  };
  gate?: {
    /** The gate App's App ID: the one source the required status access-ledger/gate may accept (`access-ledger doctor` checks it). */
    app_id?: number;
  };
}
