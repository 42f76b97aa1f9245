/**
 * `anomaly`: evidence of tampering with the ledger (docs/ledger.md). Built by
 * src/core/records/anomaly.ts.
 */
import { defineKind } from './common.ts';

/** What the App found on the ledger branch that it did not write (as GitHub and the file showed it). */
export interface ForeignRecordFound {
  /** The path and key of the file the App did not write. */
  path: string;
  key: string;
  /** What the file claims, as far as it can be read (null fields when it cannot). */
  kind: string | null;
  seq: number | null;
  hash: string | null;
  /** The key id its signature names, or null when unsigned. */
  signed_by: string | null;
  /** SHA-256 of the file's bytes, so the file can be recognised again whatever its content. */
  content_sha256: string;
}

/**
 * `anomaly`: the App found evidence of tampering with the ledger. Key
 * `foreign-<first 12 hex of the commit>-<key of the foreign record>` (at most 200 characters);
 * `occurred_at` is the time of the event the App was recording when it found it, so a redelivery
 * finds the anomaly already recorded.
 */
export interface AnomalySubject {
  /** `foreign-record`: a record at a path the App was about to write (or to rely on) that the App did not write. */
  type: 'foreign-record';
  found: ForeignRecordFound;
  /** The commit that added the file, as GitHub reports it (null when GitHub lists none). */
  commit: {
    sha: string;
    author: { name: string; email: string; login: string | null; date: string | null };
    committer: { name: string; email: string; login: string | null; date: string | null };
    verified: boolean | null;
    verification_reason: string | null;
  } | null;
  /** Why the App does not accept the file as its own. */
  reason: string;
  /** The key the App recorded the event under instead (e.g. `pr-3-merged-2`), or null. */
  recorded_as: string | null;
  /** The pull request the event is about, when there is one. */
  pr: { number: number; url: string } | null;
}

export default defineKind<AnomalySubject>()({
  kind: 'anomaly',
  controls: ['SOC2:CC7.2', 'NIST-CSF-2.0:DE.CM-03', 'NIST-CSF-2.0:ID.RA-07'],
});
