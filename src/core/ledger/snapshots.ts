/**
 * Raw exports stored on the ledger branch beside their `access-snapshot` records
 * (docs/ledger.md, "Stored exports"): `snapshots/<sha256>.csv` or `.json`, named by the SHA-256 of
 * their bytes, added in the commit that adds the record and never changed afterwards. Pure.
 */
import { LedgerFormatError, isTimestamp } from './record.ts';

export const SNAPSHOTS_DIR = 'snapshots';
/** `snapshots/<64 hex>.csv|json` */
export const SNAPSHOT_PATH_RE = /^snapshots\/([0-9a-f]{64})\.(csv|json)$/;

export function isSnapshotPath(path: string): boolean {
  return path.startsWith(`${SNAPSHOTS_DIR}/`);
}

/** Where a raw export of this SHA-256 and format is stored. */
export function snapshotPath(sha256: string, format: 'csv' | 'json'): string {
  if (!/^[0-9a-f]{64}$/.test(sha256)) throw new LedgerFormatError(`invalid SHA-256 ${JSON.stringify(sha256)} for a stored export`);
  return `${SNAPSHOTS_DIR}/${sha256}.${format}`;
}

/**
 * `snapshot-<system>-<YYYYMMDDTHHMMSSZ>`: one listing of a system per second. Recording the same
 * listing again finds its record and writes nothing; a different listing of the same second is
 * refused by the writer (observe compares the stored record's raw_sha256).
 */
export function accessSnapshotKey(system: string, takenAt: string): string {
  if (!/^[a-z0-9][a-z0-9._-]{0,99}$/.test(system)) throw new LedgerFormatError(`invalid system id ${JSON.stringify(system)}`);
  if (!isTimestamp(takenAt)) throw new LedgerFormatError(`invalid taken_at ${JSON.stringify(takenAt)}`);
  return `snapshot-${system}-${takenAt.slice(0, 19).replace(/[-:]/g, '')}Z`;
}

const SNAPSHOT_RECORD_NAME_RE = /^snapshot-([a-z0-9][a-z0-9._-]{0,99})-(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z(?:-(\d{1,3}))?\.json$/;

/**
 * The system and time a snapshot record's file name says (`snapshot-<system>-<YYYYMMDDTHHMMSSZ>.json`,
 * or an alternate key `…-<n>.json`), so the latest listing of a system is found by listing the
 * records' folders, without reading every record. Null for any other name. What the name says is
 * only where to look: the record itself is read and checked before it is used.
 */
export function parseSnapshotRecordName(name: string): { system: string; takenAt: string; alternate: number } | null {
  const m = SNAPSHOT_RECORD_NAME_RE.exec(name);
  if (!m) return null;
  const takenAt = `${m[2]}-${m[3]}-${m[4]}T${m[5]}:${m[6]}:${m[7]}Z`;
  if (!isTimestamp(takenAt)) return null;
  return { system: m[1]!, takenAt, alternate: m[8] ? Number(m[8]) : 1 };
}
