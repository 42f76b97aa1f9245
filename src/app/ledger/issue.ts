/**
 * The issue for the admins about an unapproved merge: opened once per PR, found again by its
 * hidden marker (so a redelivered event, a retried handler or a POST whose answer was lost never
 * opens a second one).
 */
import { recordPath, type SealedRecord } from '../../core/ledger/index.ts';
import { ANOMALY_LABELS, anomalyIssueBody, anomalyIssueTitle, hasAnomalyIssueMarker } from '../../core/records/anomaly.ts';
import { hasUnapprovedIssueMarker, UNAPPROVED_LABELS } from '../../core/records/unapproved-merge.ts';
import { NO_AUTO_RETRY, call, createOnce, listPages, type CreateOnceOptions, type RepoRef, type Requester } from '../github.ts';

interface IssueItem {
  number: number;
  html_url: string;
  body?: string | null;
  pull_request?: unknown;
}

export interface IssueRef {
  number: number;
  url: string;
  created: boolean;
}

const WHAT = (repo: RepoRef, action: string) => ({ action, permission: 'issues: write', repo });

export async function ensureUnapprovedIssue(
  octokit: Requester,
  repo: RepoRef,
  input: { pr: number; mergedAt: string; title: string; body: string },
  options: CreateOnceOptions = {},
): Promise<IssueRef> {
  // The issue can only have been opened after the merge: `since` (last update at or after)
  // bounds the listing to the few issues touched since then.
  const find = async (): Promise<IssueItem | null> => {
    const issues = await listPages<IssueItem>(
      octokit,
      'GET /repos/{owner}/{repo}/issues',
      { labels: 'unapproved-merge', state: 'all', since: input.mergedAt, sort: 'created', direction: 'desc' },
      WHAT(repo, `looking for the unapproved-merge issue of pull request #${input.pr}`),
    );
    return issues.find((i) => !i.pull_request && hasUnapprovedIssueMarker(i.body, input.pr)) ?? null;
  };
  const found = await find();
  if (found) return { number: found.number, url: found.html_url, created: false };
  const opened = await createOnce<IssueItem>(
    {
      create: () =>
        call<IssueItem>(
          octokit,
          'POST /repos/{owner}/{repo}/issues',
          { title: input.title, body: input.body, labels: [...UNAPPROVED_LABELS], request: NO_AUTO_RETRY },
          WHAT(repo, `opening the unapproved-merge issue of pull request #${input.pr}`),
        ),
      find,
    },
    options,
  );
  return { number: opened.value.number, url: opened.value.html_url, created: true };
}

/**
 * The issue for the admins about an `anomaly` record (a record on the ledger branch the App did
 * not write): one per anomaly record, found again by its marker.
 */
export async function ensureAnomalyIssue(
  octokit: Requester,
  repo: RepoRef,
  input: { anomaly: SealedRecord<'anomaly'>; branch: string; admins: readonly string[] | undefined },
  options: CreateOnceOptions = {},
): Promise<IssueRef> {
  const { anomaly } = input;
  const find = async (): Promise<IssueItem | null> => {
    const issues = await listPages<IssueItem>(
      octokit,
      'GET /repos/{owner}/{repo}/issues',
      { labels: 'ledger-tampering', state: 'all', since: anomaly.recorded_at, sort: 'created', direction: 'desc' },
      WHAT(repo, `looking for the issue about ${anomaly.key}`),
    );
    return issues.find((i) => !i.pull_request && hasAnomalyIssueMarker(i.body, anomaly.key)) ?? null;
  };
  const found = await find();
  if (found) return { number: found.number, url: found.html_url, created: false };
  const body = anomalyIssueBody({ anomaly, path: recordPath(anomaly), branch: input.branch, admins: input.admins });
  const opened = await createOnce<IssueItem>(
    {
      create: () =>
        call<IssueItem>(
          octokit,
          'POST /repos/{owner}/{repo}/issues',
          { title: anomalyIssueTitle(anomaly), body, labels: [...ANOMALY_LABELS], request: NO_AUTO_RETRY },
          WHAT(repo, `opening the issue about ${anomaly.key}`),
        ),
      find,
    },
    options,
  );
  return { number: opened.value.number, url: opened.value.html_url, created: true };
}
