/**
 * A branch's merge queue, read through GraphQL (`repository.mergeQueue(branch).entries`): which
 * pull request each entry holds, the commit the queue built for it and the commit it built it on.
 * Fails closed: a queue the token cannot read, a listing cut short or an error in the answer
 * throws a GitHubApiError that says what to fix; the gate then sets `error` on the group.
 */
import type { QueueEntry } from '../../core/pull/merge-group.ts';
import type { GraphqlClient } from './blobs.ts';
import { GitHubApiError, errorStatus, explainGitHubError } from './errors.ts';

const QUERY = `query mergeQueue($owner: String!, $name: String!, $branch: String!, $cursor: String) {
  repository(owner: $owner, name: $name) {
    mergeQueue(branch: $branch) {
      entries(first: 100, after: $cursor) {
        pageInfo { hasNextPage endCursor }
        nodes {
          position
          state
          headCommit { oid }
          baseCommit { oid }
          pullRequest { number headRefOid baseRefName author { __typename login } }
        }
      }
    }
  }
}`;

interface RawEntry {
  position: number;
  state: string;
  headCommit: { oid: string } | null;
  baseCommit: { oid: string } | null;
  pullRequest: { number: number; headRefOid: string; baseRefName: string; author: { __typename: string; login: string } | null } | null;
}

interface Answer {
  repository: { mergeQueue: { entries: { pageInfo: { hasNextPage: boolean; endCursor: string | null }; nodes: (RawEntry | null)[] } | null } | null } | null;
}

/** A queue holds at most a few hundred entries; more pages than this means the listing cannot be trusted. */
const MAX_PAGES = 20;

export async function readMergeQueue(client: GraphqlClient, target: { owner: string; repo: string }, branch: string): Promise<QueueEntry[]> {
  const where = `${target.owner}/${target.repo}`;
  const out: QueueEntry[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < MAX_PAGES; page++) {
    let data: Answer;
    try {
      data = await client.graphql<Answer>(QUERY, { owner: target.owner, name: target.repo, branch, cursor });
    } catch (err) {
      throw explain(err, where, branch, target);
    }
    if (!data?.repository)
      throw new GitHubApiError(
        `GitHub found no repository ${where} while reading its merge queue: the token cannot see it (it needs contents: read)`,
        null,
        'POST /graphql',
        undefined,
      );
    const entries = data.repository.mergeQueue?.entries;
    if (!entries) return out;
    for (const raw of entries.nodes) {
      if (!raw?.pullRequest)
        throw new GitHubApiError(
          `the merge queue of ${where} (${branch}) lists an entry whose pull request the token cannot read (it needs pull requests: read)`,
          null,
          'POST /graphql',
          undefined,
        );
      const author = raw.pullRequest.author;
      out.push({
        number: raw.pullRequest.number,
        headRefOid: raw.pullRequest.headRefOid,
        baseRefName: raw.pullRequest.baseRefName,
        author: author?.login ?? null,
        authorIsBot: author?.__typename === 'Bot',
        headCommit: raw.headCommit?.oid ?? null,
        baseCommit: raw.baseCommit?.oid ?? null,
        position: raw.position,
        state: raw.state,
      });
    }
    if (!entries.pageInfo.hasNextPage) return out;
    cursor = entries.pageInfo.endCursor;
  }
  throw new GitHubApiError(
    `the merge queue of ${where} (${branch}) lists more than ${MAX_PAGES * 100} entries: the gate does not judge a group it cannot see whole`,
    null,
    'POST /graphql',
    undefined,
  );
}

interface GraphqlErrorLike {
  errors?: { type?: string; message?: string }[];
}

function explain(err: unknown, where: string, branch: string, target: { owner: string; repo: string }): GitHubApiError {
  const errors = (err as GraphqlErrorLike | null)?.errors;
  if (Array.isArray(errors) && errors.length > 0 && errorStatus(err) === null) {
    const detail = (errors[0]!.message ?? 'unknown error').split('\n')[0];
    const forbidden = errors.some((e) => e.type === 'FORBIDDEN' || e.type === 'INSUFFICIENT_SCOPES' || e.type === 'NOT_FOUND');
    return new GitHubApiError(
      forbidden
        ? `GitHub refused to show the merge queue of ${where} (${branch}): the gate App's token needs contents: read and pull requests: read. ${detail}`
        : `GitHub's GraphQL API failed while reading the merge queue of ${where} (${branch}): ${detail}`,
      null,
      'POST /graphql',
      err,
    );
  }
  return explainGitHubError(err, {
    action: `reading the merge queue of ${branch}`,
    route: 'POST /graphql',
    owner: target.owner,
    repo: target.repo,
    permission: 'pull requests: read',
  });
}
