/**
 * One GraphQL query for what the REST API needs three listings for: a pull request's changed
 * files, its reviews and its commits (and, when asked, its comments), with the base config read
 * in the same query. Used when the App records a merge (src/app/ledger/record-merge.ts), so a
 * merge costs one read where it cost three or four; the gate Action keeps its REST listings.
 *
 * The query asks for 100 of each; a connection is paged again only while its page was full
 * (`pageInfo.hasNextPage`), and a later page asks only for the connections still paging. The
 * answers become the gate's own facts (src/core/pull/facts.ts), field for field what the REST
 * listings give:
 *
 * - files: `changeType` ADDED/COPIED → added, MODIFIED/CHANGED → modified, DELETED → removed,
 *   RENAMED → renamed. GraphQL does not give a renamed file's old path, so a listing with a rename
 *   is read again through REST (`needsRestFiles`), which does.
 * - reviews: GraphQL names a bot `dependabot` where REST says `dependabot[bot]`: the `[bot]` is
 *   put back so the judge sees the same login. A deleted account (`author: null`) cannot approve
 *   and is left out, as the REST listing's `user: null` is.
 * - commits: the git author's and committer's GitHub *User*; GraphQL has no User for a bot, so its
 *   login comes from its no-reply address (`<id>+<login>@users.noreply.github.com`), which is how
 *   GitHub links a bot's commits in REST. Co-authors come from the message, as with REST.
 */
import type { ChangedFile, PullReview, ReviewState } from '../../core/pull/facts.ts';

/** The fields read of a Blob or a Tree (as the batched blob reader reads them). */
export const OBJECT_FIELDS =
  '__typename ... on Blob { oid byteSize isBinary text } ... on Tree { entries { name path type oid object { ... on Blob { oid byteSize isBinary text } } } }';

/** Which connections a page asks for, and from which cursor (null: the first page). */
export interface PullPageRequest {
  files?: string | null;
  reviews?: string | null;
  commits?: string | null;
  comments?: string | null;
  /** `<rev>:<path>` expressions read beside the pull request (first page only). */
  objects?: readonly string[];
}

const PAGE = 100;

/** The query for one page: only the connections `req` names, and the objects. */
export function pullPageQuery(req: PullPageRequest): { query: string; variables: Record<string, unknown> } {
  const vars = ['$owner: String!', '$name: String!'];
  const variables: Record<string, unknown> = {};
  const parts: string[] = [];
  const page = (name: keyof PullPageRequest, body: string) => {
    if (!(name in req)) return;
    vars.push(`$${name}After: String`);
    variables[`${name}After`] = req[name] ?? null;
    parts.push(`      ${name}(first: ${PAGE}, after: $${name}After) { totalCount pageInfo { hasNextPage endCursor } nodes { ${body} } }`);
  };
  page('files', 'path changeType');
  page('reviews', 'author { __typename login } authorAssociation state submittedAt commit { oid }');
  page('commits', 'commit { oid message author { email user { login } } committer { email user { login } } }');
  page('comments', 'databaseId body url author { __typename login }');
  const objects = (req.objects ?? []).map((expr, i) => {
    vars.push(`$o${i}: String!`);
    variables[`o${i}`] = expr;
    return `    o${i}: object(expression: $o${i}) { ${OBJECT_FIELDS} }`;
  });
  if (parts.length > 0) vars.splice(2, 0, '$number: Int!');
  const pull = parts.length > 0 ? [`    pullRequest(number: $number) {`, ...parts, `    }`] : [];
  return { query: `query(${vars.join(', ')}) {\n  repository(owner: $owner, name: $name) {\n${[...pull, ...objects].join('\n')}\n  }\n}`, variables };
}

interface Connection<T> {
  totalCount?: number;
  pageInfo?: { hasNextPage?: boolean; endCursor?: string | null };
  nodes?: (T | null)[] | null;
}

interface RawActor {
  __typename?: string;
  login?: string;
}

export interface RawPullPage {
  files?: Connection<{ path: string; changeType: string }> | null;
  reviews?: Connection<{
    author: RawActor | null;
    authorAssociation?: string;
    state: string;
    submittedAt: string | null;
    commit: { oid: string } | null;
  }> | null;
  commits?: Connection<{ commit: { oid: string; message: string; author: RawGitActor | null; committer: RawGitActor | null } | null }> | null;
  comments?: Connection<{ databaseId: number | null; body: string; url: string; author: RawActor | null }> | null;
}

interface RawGitActor {
  email?: string | null;
  user?: { login: string } | null;
}

/** A comment on the pull request, as the REST listing shapes one (what the sticky comment looks for). */
export interface ListedComment {
  id: number;
  body: string;
  html_url: string;
  user: { login: string; type: string } | null;
}

/** What the pages answered, accumulated. */
export interface PullListing {
  files: ChangedFile[];
  filesTotal: number;
  /** Some file was renamed: GraphQL does not say from where. */
  renamed: boolean;
  reviews: PullReview[];
  commitAuthors: (string | null)[];
  commitsListed: number;
  commitsTotal: number;
  comments: ListedComment[];
}

export function emptyListing(): PullListing {
  return { files: [], filesTotal: 0, renamed: false, reviews: [], commitAuthors: [], commitsListed: 0, commitsTotal: 0, comments: [] };
}

const CHANGE: Record<string, ChangedFile['status'] | undefined> = {
  ADDED: 'added',
  COPIED: 'added',
  MODIFIED: 'modified',
  CHANGED: 'modified',
  DELETED: 'removed',
  RENAMED: 'renamed',
};

/** An Actor's login as REST shows it: a bot's with `[bot]`. */
export function restLogin(actor: RawActor): string {
  const login = actor.login ?? '';
  return actor.__typename === 'Bot' && !login.endsWith('[bot]') ? `${login}[bot]` : login;
}

/** The account GitHub links a git author or committer to: its User, else (a bot) its no-reply address's login. */
export function gitActorLogin(actor: RawGitActor | null | undefined): string | null {
  if (!actor) return null;
  if (actor.user?.login) return actor.user.login;
  const m = /^\d+\+([A-Za-z0-9-]+\[bot\])@users\.noreply\.github\.com$/i.exec(actor.email ?? '');
  return m ? m[1]! : null;
}

/**
 * Adds one page's nodes to `into`, and says which connections have another page (their cursors).
 * Pure: the unit tests drive it with GitHub-shaped pages.
 */
export function addPullPage(into: PullListing, page: RawPullPage, coAuthors: (message: string) => string[]): PullPageRequest {
  const next: PullPageRequest = {};
  const more = (c: Connection<unknown> | null | undefined) => (c?.pageInfo?.hasNextPage && c.pageInfo.endCursor ? c.pageInfo.endCursor : undefined);
  if (page.files) {
    into.filesTotal = page.files.totalCount ?? into.filesTotal;
    for (const f of page.files.nodes ?? []) {
      if (!f) continue;
      const status = CHANGE[f.changeType];
      if (!status) continue;
      if (status === 'renamed') into.renamed = true;
      into.files.push({ path: f.path, status });
    }
    const cursor = more(page.files);
    if (cursor) next.files = cursor;
  }
  if (page.reviews) {
    for (const r of page.reviews.nodes ?? []) {
      if (!r?.author) continue; // a deleted account ("ghost") cannot approve
      into.reviews.push({
        reviewer: restLogin(r.author),
        reviewerIsBot: r.author.__typename === 'Bot',
        state: r.state as ReviewState,
        commitId: r.commit?.oid ?? '',
        submittedAt: r.submittedAt ?? '',
      });
    }
    const cursor = more(page.reviews);
    if (cursor) next.reviews = cursor;
  }
  if (page.commits) {
    into.commitsTotal = page.commits.totalCount ?? into.commitsTotal;
    const seen = new Set(into.commitAuthors);
    for (const n of page.commits.nodes ?? []) {
      if (!n) continue;
      into.commitsListed++;
      const logins = [gitActorLogin(n.commit?.author), gitActorLogin(n.commit?.committer), ...coAuthors(n.commit?.message ?? '')];
      for (const login of logins) {
        if (seen.has(login)) continue;
        seen.add(login);
        into.commitAuthors.push(login);
      }
    }
    const cursor = more(page.commits);
    if (cursor) next.commits = cursor;
  }
  if (page.comments) {
    for (const c of page.comments.nodes ?? []) {
      if (!c || c.databaseId === null) continue;
      into.comments.push({
        id: c.databaseId,
        body: c.body,
        html_url: c.url,
        user: c.author ? { login: restLogin(c.author), type: c.author.__typename ?? 'User' } : null,
      });
    }
    const cursor = more(page.comments);
    if (cursor) next.comments = cursor;
  }
  return next;
}
