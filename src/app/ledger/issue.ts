/**
 * The issue for the admins about an unapproved merge: opened once per PR, found again by its
 * hidden marker (so a redelivered event or a retried handler never opens a second one).
 */
import { hasUnapprovedIssueMarker, UNAPPROVED_LABELS } from '../../core/records/unapproved-merge.ts';
import { call, listPages, type RepoRef, type Requester } from '../github.ts';

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
): Promise<IssueRef> {
  // The issue can only have been opened after the merge: `since` (last update at or after)
  // bounds the listing to the few issues touched since then.
  const issues = await listPages<IssueItem>(
    octokit,
    'GET /repos/{owner}/{repo}/issues',
    { labels: 'unapproved-merge', state: 'all', since: input.mergedAt, sort: 'created', direction: 'desc' },
    WHAT(repo, `looking for the unapproved-merge issue of pull request #${input.pr}`),
  );
  const found = issues.find((i) => !i.pull_request && hasUnapprovedIssueMarker(i.body, input.pr));
  if (found) return { number: found.number, url: found.html_url, created: false };
  const created = await call<IssueItem>(
    octokit,
    'POST /repos/{owner}/{repo}/issues',
    { title: input.title, body: input.body, labels: [...UNAPPROVED_LABELS] },
    WHAT(repo, `opening the unapproved-merge issue of pull request #${input.pr}`),
  );
  return { number: created.number, url: created.html_url, created: true };
}
