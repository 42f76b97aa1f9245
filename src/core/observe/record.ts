/**
 * The ledger record of a snapshot (kind `access-snapshot`, docs/ledger.md): the facts of the
 * listing and where its raw export is stored on the ledger branch. Pure.
 */
import { DEFAULT_CONTROLS, type AccessSnapshotSubject } from '../ledger/kinds.ts';
import type { RecordDraft } from '../ledger/record.ts';
import { accessSnapshotKey, snapshotPath } from '../ledger/snapshots.ts';
import type { ObservedSnapshot } from './types.ts';

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
