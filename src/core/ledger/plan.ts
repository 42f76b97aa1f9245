/**
 * Planning an append: given the current head, a batch of drafts and the paths that already exist,
 * decide which drafts become new records, in which order, and what the new head is.
 * Pure, so the store adapter's retry loop can re-plan against a fresh head on every attempt.
 */
import {
  headFor,
  recordPath,
  recordPathCandidates,
  sealRecord,
  toTimestamp,
  type Clock,
  type LedgerHead,
  type RecordDraft,
  type SealedRecord,
} from './record.ts';
import type { LedgerSigner } from './signing.ts';

export type DraftOutcome =
  /** Sealed as a new record in this append. */
  | { status: 'new'; path: string; record: SealedRecord }
  /** A record already exists at the path (a redelivered event): nothing is written. */
  | { status: 'exists'; path: string }
  /** An earlier draft of the same batch has the same path; it shares that draft's outcome. */
  | { status: 'duplicate'; path: string; of: number };

export interface AppendPlan {
  /** One outcome per draft, in the drafts' order. */
  outcomes: DraftOutcome[];
  /** The new records in seq order (empty when every draft was already recorded). */
  records: SealedRecord[];
  /** The head after the append (the input head when nothing is new). */
  head: LedgerHead;
}

/**
 * Seals the drafts whose paths (a day folder's, and a month folder's for an event from before
 * day folders: `recordPathCandidates`) are not in `existing`, chaining them after `head` in the order given.
 * The clock is read once: every record of one commit carries the same recorded_at. With a
 * signer, every new record is signed (the App always passes one; see docs/ledger.md).
 */
export function planAppend(
  head: LedgerHead,
  drafts: readonly RecordDraft[],
  clock: Clock,
  existing: ReadonlySet<string> | ((path: string) => boolean) = new Set(),
  signer: LedgerSigner | null = null,
): AppendPlan {
  const exists = typeof existing === 'function' ? existing : (p: string) => existing.has(p);
  const recordedAt = toTimestamp(clock());
  const firstByPath = new Map<string, number>();
  const outcomes: DraftOutcome[] = [];
  const records: SealedRecord[] = [];
  let tip = { seq: head.seq, hash: head.hash };
  let newHead = head;
  drafts.forEach((draft, i) => {
    const path = recordPath(draft);
    const of = firstByPath.get(path);
    if (of !== undefined) {
      outcomes.push({ status: 'duplicate', path, of });
      return;
    }
    firstByPath.set(path, i);
    const stored = recordPathCandidates(head, draft).find(exists);
    if (stored !== undefined) {
      outcomes.push({ status: 'exists', path: stored });
      return;
    }
    const record = sealRecord(draft, tip, recordedAt, signer);
    records.push(record);
    outcomes.push({ status: 'new', path, record });
    tip = { seq: record.seq, hash: record.hash };
    newHead = headFor(record, newHead);
  });
  return { outcomes, records, head: newHead };
}
