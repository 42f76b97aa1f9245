/**
 * `access-snapshot`: what a system itself listed of who has access (docs/ledger.md,
 * docs/observed-access.md). Built by src/core/observe/record.ts.
 */
import { defineKind, type Timestamp } from './common.ts';

/**
 * `access-snapshot`: what a system itself listed of who has access, at one moment: the evidence
 * that populations are complete. Key `snapshot-<system>-<YYYYMMDDTHHMMSSZ>` (of `taken_at`);
 * `occurred_at` is `taken_at`. The raw export is stored beside the records at `raw_path`, named
 * by its SHA-256, so `access-ledger observe --from` on it gives the same accounts again.
 */
export interface AccessSnapshotSubject {
  /** The system id (systems/<id>.yaml). */
  system: string;
  /** `github-org`, `aws-iam-credential-report` or `mapped`. */
  connector: string;
  /** What the listing covers, when known: the organization, the AWS account id. */
  scope: string | null;
  /** How the raw export was obtained: `file` (exported by a person or a job) or `api` (listed live). */
  extraction: {
    type: 'file' | 'api';
    /** The command that produces the export, when known. */
    command: string | null;
    /** The file name as given to observe (type file). */
    file: string | null;
    /** The API root (type api). */
    api: string | null;
    /** API requests made (type api). */
    calls: number | null;
  };
  taken_at: Timestamp;
  /** Rows (CSV) or items (JSON) of the raw export. */
  row_count: number;
  /** Accounts the connector read from it. */
  account_count: number;
  /** SHA-256 of the raw export's bytes. */
  raw_sha256: string;
  raw_bytes: number;
  /** `snapshots/<raw_sha256>.csv` or `.json` on the ledger branch, added in the same commit as the record. */
  raw_path: string;
  /** SHA-256 of the snapshot as observe wrote it (the normalized accounts). */
  snapshot_sha256: string;
  /** What the listing could not cover, in words; empty when complete. */
  gaps: string[];
}

export default defineKind<AccessSnapshotSubject>()({
  kind: 'access-snapshot',
  controls: ['SOC2:CC6.1', 'SOC2:CC6.2', 'NIST-CSF-2.0:PR.AA-05', 'NIST-CSF-2.0:ID.AM-02', 'CIS-v8:5.1', 'CIS-v8:5.5', 'ISO27001:A.5.18'],
});
