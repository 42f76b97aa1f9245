/**
 * `anomaly` records and the admins' issue about them: the App found, at a path it was about to
 * write or rely on, a record it did not write (docs/ledger.md, "anomaly"). The record keeps what
 * was found and who GitHub says committed it; the event is recorded anyway under another key.
 * Pure.
 */
import { createHash } from 'node:crypto';
import {
  DEFAULT_CONTROLS,
  anomalyKey,
  type AnomalySubject,
  type CommitFacts,
  type ForeignRecordFound,
  type RecordDraft,
  type SealedRecord,
  type Timestamp,
} from '../ledger/index.ts';
import { mdCode, mdText, plainLine } from '../text/escape.ts';
import { mentions } from './unapproved-merge.ts';

/** What the App learnt about a record at a path it did not write. */
export interface ForeignRecord {
  path: string;
  found: ForeignRecordFound;
  commit: CommitFacts | null;
  reason: string;
}

/** What can be read of a file the App did not write, whatever state it is in. */
export function describeFound(path: string, content: string): ForeignRecordFound {
  const key = path.slice(path.lastIndexOf('/') + 1).replace(/\.json$/, '');
  const out: ForeignRecordFound = {
    path,
    key,
    kind: null,
    seq: null,
    hash: null,
    signed_by: null,
    content_sha256: createHash('sha256').update(content, 'utf8').digest('hex'),
  };
  try {
    const v = JSON.parse(content) as Record<string, unknown>;
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      if (typeof v.kind === 'string') out.kind = v.kind.slice(0, 64);
      if (typeof v.seq === 'number' && Number.isSafeInteger(v.seq)) out.seq = v.seq;
      if (typeof v.hash === 'string' && /^[0-9a-f]{64}$/.test(v.hash)) out.hash = v.hash;
      const sig = v.signature as Record<string, unknown> | undefined;
      if (sig && typeof sig === 'object' && typeof sig.key_id === 'string' && /^[0-9a-f]{16}$/.test(sig.key_id)) out.signed_by = sig.key_id;
    }
  } catch {
    // Not JSON: the content hash still identifies it.
  }
  return out;
}

export interface AnomalyInput {
  repository: string;
  foreign: ForeignRecord;
  /** When the event the App was recording happened: places the anomaly next to it. */
  occurredAt: Timestamp;
  /** The key the App recorded the event under instead. */
  recordedAs: string | null;
  pr: { number: number; url: string } | null;
}

export function buildAnomalyDraft(input: AnomalyInput): RecordDraft<'anomaly'> {
  const { foreign } = input;
  const subject: AnomalySubject = {
    type: 'foreign-record',
    found: foreign.found,
    commit: foreign.commit,
    reason: foreign.reason,
    recorded_as: input.recordedAs,
    pr: input.pr,
  };
  return {
    kind: 'anomaly',
    key: anomalyKey(foreign.found.key, foreign.commit?.sha ?? foreign.found.content_sha256),
    occurred_at: input.occurredAt,
    repository: input.repository,
    controls: [...DEFAULT_CONTROLS.anomaly],
    subject,
  };
}

// ---- the issue for the admins ----

export const ANOMALY_LABELS = ['access-ledger', 'ledger-tampering'] as const;

/** Found again by this marker (one issue per anomaly record), so a redelivery never opens a second one. */
export function anomalyIssueMarker(key: string): string {
  return `<!-- access-ledger:anomaly key=${key} -->`;
}

export function hasAnomalyIssueMarker(body: string | null | undefined, key: string): boolean {
  return typeof body === 'string' && body.includes(anomalyIssueMarker(key));
}

export function anomalyIssueTitle(anomaly: SealedRecord<'anomaly'>): string {
  return `Ledger tampering: a record the App did not write at ${plainLine(anomaly.subject.found.path, 150)}`;
}

export function anomalyIssueBody(input: { anomaly: SealedRecord<'anomaly'>; path: string; branch: string; admins: readonly string[] | undefined }): string {
  const { anomaly, branch } = input;
  const s = anomaly.subject;
  const who = mentions(input.admins);
  const c = s.commit;
  const lines = [
    anomalyIssueMarker(anomaly.key),
    '',
    `${who ? `${who}: ` : ''}the access-ledger App found a record on the ${mdCode(branch, 100)} branch that it did not write: ` +
      `${mdCode(s.found.path, 200)}${s.found.kind ? ` (a ${mdCode(s.found.kind, 64)} record` : ' ('}${s.found.seq !== null ? ` at seq ${s.found.seq}` : ''}${s.found.kind ? ')' : 'unreadable)'}.`,
    '',
    `**Why it is not the App's**: ${mdText(s.reason, 600)}`,
    '',
  ];
  if (c) {
    lines.push(
      `**Commit** ${mdCode(c.sha, 40)}: authored by ${mdCode(`${c.author.name} <${c.author.email}>`, 200)}${c.author.login ? ` (@${c.author.login})` : ''}` +
        ` at ${c.author.date ?? '?'}, committed by ${mdCode(`${c.committer.name} <${c.committer.email}>`, 200)}` +
        `; GitHub's signature check: ${c.verified === null ? 'not reported' : c.verified ? 'verified' : `not verified (${c.verification_reason ?? '?'})`}.`,
      '',
    );
  }
  lines.push(
    '**What the App did**',
    '',
    `- It did not treat that record as its own, and did not anchor its hash in any comment.`,
    s.recorded_as ? `- It recorded the event under ${mdCode(s.recorded_as, 200)} instead.` : '- It recorded nothing in its place.',
    `- It recorded this anomaly as seq ${anomaly.seq}: ${mdCode(input.path, 200)} (hash ${mdCode(anomaly.hash)}).`,
    '',
    '**What to do**',
    '',
    '1. Find out who pushed the commit above to the ledger branch, and how (see the organization audit log).',
    '2. Restrict pushes to the ledger branch to the App (docs/ledger.md, "Branch protection").',
    "3. Keep the branch as it is: the ledger is append-only, and `access-ledger verify` will keep reporting the foreign record, with this anomaly record next to it as the App's account of it.",
  );
  return lines.join('\n') + '\n';
}
