/**
 * The ledger record of a snapshot (kind `access-snapshot`, docs/ledger.md): the facts of the
 * listing and where its raw export is stored on the ledger branch; and a recorded listing read
 * back. Pure.
 */
import { DEFAULT_CONTROLS, type AccessSnapshotSubject } from '../ledger/kinds.ts';
import type { RecordDraft } from '../ledger/record.ts';
import { accessSnapshotKey, snapshotPath } from '../ledger/snapshots.ts';
import type { ObserveConfig } from './mapped.ts';
import { buildSnapshot, runConnector, sha256Hex } from './snapshot.ts';
import { CONNECTORS } from './connectors/index.ts';
import { ObserveError, type ConnectorId, type ObservedSnapshot } from './types.ts';

export function snapshotRecordDraft(snapshot: ObservedSnapshot, repository: string, snapshotSha256: string): RecordDraft<'access-snapshot'> {
  const subject: AccessSnapshotSubject = {
    system: snapshot.system,
    connector: snapshot.connector,
    scope: snapshot.scope,
    extraction: {
      type: snapshot.source.type,
      command: snapshot.source.command,
      file: snapshot.source.file,
      api: snapshot.source.api,
      calls: snapshot.source.calls,
    },
    taken_at: snapshot.taken_at,
    row_count: snapshot.row_count,
    account_count: snapshot.accounts.length,
    raw_sha256: snapshot.raw_sha256,
    raw_bytes: snapshot.raw_bytes,
    raw_path: snapshotPath(snapshot.raw_sha256, snapshot.raw_format),
    snapshot_sha256: snapshotSha256,
    gaps: [...snapshot.gaps],
  };
  return {
    kind: 'access-snapshot',
    key: accessSnapshotKey(snapshot.system, snapshot.taken_at),
    occurred_at: snapshot.taken_at,
    repository,
    controls: [...DEFAULT_CONTROLS['access-snapshot']],
    subject,
  };
}

/** A stored listing as the sweep, the reviews and the binder use it: its record and the snapshot rebuilt from its raw export. */
export interface RecordedSnapshot {
  /** The access-snapshot record's key, seq and hash, and where it is. */
  record: { key: string; seq: number; hash: string; path: string; occurred_at: string };
  subject: AccessSnapshotSubject;
  snapshot: ObservedSnapshot;
}

/** Why a stored listing cannot be used; the message names the record and what to do. */
export class StoredSnapshotError extends Error {
  override name = 'StoredSnapshotError';
}

/**
 * The snapshot of a recorded listing, rebuilt from its stored raw export exactly as
 * `observe --from <export> --taken-at <taken_at>` rebuilds it: the connector the record names, the
 * system file's `observe:` block (for a mapped export), the time it was taken. The export must be
 * the one the record names (its SHA-256), or nothing is rebuilt.
 */
export function snapshotFromRecord(subject: AccessSnapshotSubject, key: string, raw: Uint8Array, config: ObserveConfig | undefined): ObservedSnapshot {
  const digest = sha256Hex(raw);
  if (digest !== subject.raw_sha256) {
    throw new StoredSnapshotError(
      `the stored export ${subject.raw_path} of ${key} has SHA-256 ${digest}, not the ${subject.raw_sha256} the record names: it was changed after it was recorded (run access-ledger verify on a clone)`,
    );
  }
  if (!CONNECTORS.includes(subject.connector as ConnectorId))
    throw new StoredSnapshotError(`${key} names the connector ${JSON.stringify(subject.connector)}, which this version does not know: upgrade access-ledger`);
  const connector = subject.connector as ConnectorId;
  const format = subject.raw_path.endsWith('.json') ? 'json' : 'csv';
  try {
    const result = runConnector(connector, raw, subject.raw_path, config, subject.taken_at);
    return buildSnapshot({
      system: subject.system,
      connector,
      takenAt: subject.taken_at,
      source: {
        type: subject.extraction.type,
        file: subject.extraction.file,
        command: subject.extraction.command,
        api: subject.extraction.api,
        calls: subject.extraction.calls,
      },
      raw,
      rawFormat: format,
      result,
    });
  } catch (err) {
    if (err instanceof ObserveError)
      throw new StoredSnapshotError(
        `the stored export of ${key} cannot be read as ${subject.system}'s listing today (${err.message}): check the observe block of systems/${subject.system}.yaml`,
      );
    throw err;
  }
}
