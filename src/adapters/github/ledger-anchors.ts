/**
 * Cross-checking the ledger against the hashes the App posted on pull requests (docs/ledger.md, "Anchors in pull request comments").
 * The ledger's own checks catch any edit made by a later commit; a rewrite of the whole branch
 * history with every hash recomputed is only caught by an anchor kept elsewhere: the hidden
 * marker in the App's sticky PR comment, written when the record was made.
 */
import type { LedgerProblem, RecordSummary } from '../../core/ledger/index.ts';
import { recordCommentMarkers } from '../../core/records/comment.ts';
import { parseRecordMarkers } from '../../core/ledger/index.ts';
import { errorStatus } from './errors.ts';
import { gitHubPort } from './port.ts';
import type { LedgerOctokit } from './ledger-store.ts';

export interface AnchorCheckOptions {
  octokit: LedgerOctokit;
  /** The records to check; those without a PR number are skipped. */
  records: readonly RecordSummary[];
  /**
   * Only comments by this login count (the App's bot account, e.g. `access-ledger[bot]`): anyone
   * who can comment, person or other App, could write a marker. Null when the App is not known:
   * then nothing can be cross-checked, which is reported as a problem.
   */
  appLogin: string | null;
  /** Pull requests fetched at once (default 4). */
  concurrency?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface AnchorCheckResult {
  /** Pull requests whose comments were read. */
  prs: number;
  /** Markers found in the App's comments. */
  anchors: number;
  /** Markers whose key, seq and hash match the ledger. */
  matched: number;
  /** Records with a PR but no marker of the App on it (each is also a problem). */
  unanchored: number;
  /** Comments carrying record markers by accounts other than the App's (not trusted, reported). */
  ignored: number;
  problems: LedgerProblem[];
  /** Things an auditor should know that are not a break (a PR that no longer exists, …). */
  warnings: string[];
}

interface Comment {
  body?: string | null;
  html_url?: string;
  user?: { login?: string; type?: string } | null;
}

export async function crossCheckPrComments(options: AnchorCheckOptions): Promise<AnchorCheckResult> {
  const byPr = new Map<string, { repository: string; pr: number; records: RecordSummary[] }>();
  const byKey = new Map<string, RecordSummary>();
  for (const r of options.records) {
    byKey.set(`${r.repository.toLowerCase()}#${r.key}`, r);
    if (r.pr === null) continue;
    const id = `${r.repository.toLowerCase()}#${r.pr}`;
    const entry = byPr.get(id) ?? { repository: r.repository, pr: r.pr, records: [] };
    entry.records.push(r);
    byPr.set(id, entry);
  }
  const result: AnchorCheckResult = { prs: 0, anchors: 0, matched: 0, unanchored: 0, ignored: 0, problems: [], warnings: [] };
  if (options.appLogin === null) {
    result.problems.push({
      seq: null,
      path: null,
      check: 'online',
      problem:
        "the App's account is not known, so its comments cannot be told from anyone else's: set ledger.app_login in access-ledger.yaml or pass --app-login",
    });
    return result;
  }
  const jobs = [...byPr.values()];
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const job = jobs[next++]!;
      await checkPr(options, job, byKey, result);
      options.onProgress?.(++done, jobs.length);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 4) }, worker));
  result.problems.sort((a, b) => (a.seq ?? Number.MAX_SAFE_INTEGER) - (b.seq ?? Number.MAX_SAFE_INTEGER));
  return result;
}

async function checkPr(
  options: AnchorCheckOptions,
  job: { repository: string; pr: number; records: RecordSummary[] },
  byKey: Map<string, RecordSummary>,
  result: AnchorCheckResult,
): Promise<void> {
  const [owner, repo] = job.repository.split('/') as [string, string];
  let comments: Comment[];
  try {
    comments = await gitHubPort(options.octokit).paginate<Comment>(
      'GET /repos/{owner}/{repo}/issues/{issue_number}/comments',
      { issue_number: job.pr },
      { action: `reading the comments of pull request #${job.pr}`, permission: 'pull requests: read', repo: { owner, repo } },
      { maxPages: 100, narrow: 'The anchors of this pull request cannot be cross-checked from a partial list of its comments.' },
    );
  } catch (err) {
    // A pull request that is gone (404) or a repository whose Issues are off (410): a warning, not a break.
    const status = errorStatus(err);
    if (status === 404 || status === 410) {
      result.warnings.push(`${job.repository}#${job.pr}: the pull request's comments could not be read (${status}); its records were not cross-checked`);
      return;
    }
    throw err;
  }
  result.prs++;
  const seen = new Set<string>();
  for (const c of comments) {
    const login = c.user?.login ?? '';
    if (!c.body) continue;
    if (login.toLowerCase() !== options.appLogin!.toLowerCase()) {
      if (parseRecordMarkers(c.body).length > 0) {
        result.ignored++;
        result.warnings.push(
          `${job.repository}#${job.pr}: a comment by ${login || 'a deleted account'}${c.html_url ? ` (${c.html_url})` : ''} carries record markers but is not the App's (${options.appLogin}): ignored`,
        );
      }
      continue;
    }
    // Only the App's comment, and only its anchors where it writes them: never marker-like text inside it.
    for (const marker of recordCommentMarkers(c.body)) {
      result.anchors++;
      seen.add(marker.key);
      const where = `the comment by ${login} on ${job.repository}#${job.pr}${c.html_url ? ` (${c.html_url})` : ''}`;
      const record = byKey.get(`${job.repository.toLowerCase()}#${marker.key}`);
      if (!record) {
        result.problems.push({
          seq: marker.seq,
          path: null,
          check: 'online',
          problem: `${where} anchors ${marker.key} at seq ${marker.seq} with hash ${marker.hash}, but the ledger has no record with that key: it was removed`,
        });
      } else if (record.hash !== marker.hash || record.seq !== marker.seq) {
        result.problems.push({
          seq: record.seq,
          path: record.path,
          check: 'online',
          problem: `the ledger's ${record.key} is seq ${record.seq} with hash ${record.hash}, but ${where} anchored seq ${marker.seq} with hash ${marker.hash}: the record was rewritten after it was recorded`,
        });
      } else {
        result.matched++;
      }
    }
  }
  for (const r of job.records) {
    if (seen.has(r.key)) continue;
    result.unanchored++;
    result.problems.push({
      seq: r.seq,
      path: r.path,
      check: 'online',
      problem:
        `no comment by ${options.appLogin} on ${job.repository}#${job.pr} anchors ${r.key} (seq ${r.seq}): the App anchors every record about a pull request, ` +
        "so its comment was deleted or edited, or the record was not written by the App. (If the App failed to comment, redelivering the PR's merge webhook completes the comment.)",
    });
  }
}
