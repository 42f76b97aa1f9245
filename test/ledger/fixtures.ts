/** Drafts for the ledger tests: realistic subjects, deterministic times. */
import { DEFAULT_CONTROLS, grantChangeKey, type GrantChangeSubject, type RecordDraft } from '../../src/core/ledger/index.ts';

export const REPO = 'acme/access';

export function grantChangeSubject(pr: number, mergedAt: string): GrantChangeSubject {
  return {
    pr: {
      number: pr,
      title: `Grant billing-exporter read on prod-postgres (#${pr})`,
      url: `https://github.com/acme/access/pull/${pr}`,
      author: 'alice',
      created_at: '2026-11-19T09:00:00Z',
      merged_at: mergedAt,
      merged_by: 'dave',
    },
    base_sha: 'a'.repeat(40),
    head_sha: 'b'.repeat(40),
    merge_sha: 'c'.repeat(40),
    changes: [
      {
        path: 'grants/services/billing-exporter.yaml',
        identity: 'billing-exporter',
        kind: 'service-account',
        action: 'added',
        before_blob: null,
        after_blob: 'd'.repeat(40),
        entries: [{ system: 'prod-postgres', role: 'billing_read', privileged: false, action: 'added', expires: '2027-01-31' }],
      },
    ],
    reviews: [{ reviewer: 'dave', state: 'APPROVED', submitted_at: '2026-11-19T12:00:00Z', commit_id: 'b'.repeat(40), on_head: true }],
    commit_authors: ['alice'],
    verdict: {
      result: 'pass',
      evaluated_at: mergedAt,
      policy_sha: 'a'.repeat(40),
      findings: [],
      approvals: [{ system: 'prod-postgres', required: 1, approved_by: ['dave'], missing: 0 }],
    },
  };
}

/** A grant-change draft for PR `pr`, merged `minute` minutes after 2026-11-20T10:00:00Z. */
export function mergedDraft(pr: number, mergedAt = '2026-11-20T10:00:00Z'): RecordDraft<'grant-change'> {
  return {
    kind: 'grant-change',
    key: grantChangeKey(pr),
    occurred_at: mergedAt,
    repository: REPO,
    controls: [...DEFAULT_CONTROLS['grant-change']],
    subject: grantChangeSubject(pr, mergedAt),
  };
}

export const fixedClock =
  (iso = '2026-11-20T10:00:03Z') =>
  () =>
    new Date(iso);
