/**
 * Batched file reads through GitHub's GraphQL API: up to 100 `object(expression: "<rev>:<path>")`
 * aliases per query, each a Blob (its text) or a Tree (every entry with its blob text), so the
 * gate reads the base config, every system file and all changed grants in one or two requests
 * whatever the size of the repo. Works with any `@octokit/core`-style client (the Action's and Probot's).
 */
import { GitHubApiError, errorStatus, explainGitHubError } from './errors.ts';
import type { GitHubGraphql } from './port.ts';

/** What the batched reads use of the GitHub port (src/adapters/github/port.ts). */
export type GraphqlClient = GitHubGraphql;

export interface BlobRead {
  kind: 'blob';
  /** Repo-relative path. */
  path: string;
  oid: string;
  byteSize: number;
  isBinary: boolean;
  /** UTF-8 text; null for a binary blob. */
  text: string | null;
}

export interface TreeRead {
  kind: 'tree';
  path: string;
  /** The blobs directly in this tree (sub-trees are listed by name only). */
  blobs: BlobRead[];
  trees: string[];
}

export type ObjectRead = BlobRead | TreeRead;

/** GitHub's own ceiling on aliases is far higher; 100 keeps each response small and fast. */
export const MAX_OBJECTS_PER_QUERY = 100;

const BLOB_FIELDS = 'oid byteSize isBinary text';

/** More fields of the repository read in the same query as the objects: GraphQL text and its variables' types and values. */
export interface ExtraSelection {
  selection: string;
  variables: Record<string, { type: string; value: unknown }>;
}

export function objectsQuery(count: number, extra?: ExtraSelection): string {
  const vars = [
    ...Array.from({ length: count }, (_, i) => `$e${i}: String!`),
    ...Object.entries(extra?.variables ?? {}).map(([k, v]) => `$${k}: ${v.type}`),
  ].join(', ');
  const fields = Array.from(
    { length: count },
    (_, i) =>
      `    f${i}: object(expression: $e${i}) { __typename ... on Blob { ${BLOB_FIELDS} } ... on Tree { entries { name path type oid object { ... on Blob { ${BLOB_FIELDS} } } } } }`,
  ).join('\n');
  const more = extra ? `\n    ${extra.selection}` : '';
  return `query($owner: String!, $name: String!${vars ? `, ${vars}` : ''}) {\n  repository(owner: $owner, name: $name) {\n${fields}${more}\n  }\n}`;
}

interface RawBlob {
  __typename?: string;
  oid: string;
  byteSize: number;
  isBinary: boolean | null;
  text: string | null;
}

interface RawTree {
  __typename: 'Tree';
  entries: { name: string; path?: string | null; type: string; oid: string; object: Partial<RawBlob> | null }[];
}

export type RawObject = (RawBlob & { __typename: 'Blob' }) | RawTree | { __typename: string } | null;

export interface ReadTarget {
  owner: string;
  repo: string;
}

/**
 * Reads `<rev>:<path>` expressions. The answer maps each expression to its blob or tree, or to
 * null when nothing is at that path (a missing file is an answer, not an error).
 */
export async function readObjects(client: GraphqlClient, target: ReadTarget, expressions: readonly string[]): Promise<Map<string, ObjectRead | null>> {
  return (await readObjectsWith(client, target, expressions)).objects;
}

/**
 * Like readObjects, with `extra` fields of the repository read in the first query (no query of
 * their own): `extra` is what the repository answered for them.
 */
export async function readObjectsWith(
  client: GraphqlClient,
  target: ReadTarget,
  expressions: readonly string[],
  extra?: ExtraSelection,
): Promise<{ objects: Map<string, ObjectRead | null>; extra: Record<string, unknown> | null }> {
  const unique = [...new Set(expressions)];
  const out = new Map<string, ObjectRead | null>();
  const batches: string[][] = [];
  for (let i = 0; i < unique.length; i += MAX_OBJECTS_PER_QUERY) batches.push(unique.slice(i, i + MAX_OBJECTS_PER_QUERY));
  if (batches.length === 0 && extra) batches.push([]);
  const answers = await Promise.all(batches.map((batch, b) => readBatch(client, target, batch, b === 0 ? extra : undefined)));
  answers.forEach((answer, b) => {
    batches[b]!.forEach((expr, i) => {
      out.set(expr, answer.objects[i] ?? null);
    });
  });
  return { objects: out, extra: extra ? (answers[0]?.repository ?? null) : null };
}

async function readBatch(
  client: GraphqlClient,
  target: ReadTarget,
  batch: string[],
  extra?: ExtraSelection,
): Promise<{ objects: (ObjectRead | null)[]; repository: Record<string, unknown> }> {
  const variables: Record<string, unknown> = { owner: target.owner, name: target.repo };
  batch.forEach((expr, i) => {
    variables[`e${i}`] = expr;
  });
  for (const [k, v] of Object.entries(extra?.variables ?? {})) variables[k] = v.value;
  let data: { repository: Record<string, RawObject> | null };
  try {
    data = await client.graphql<{ repository: Record<string, RawObject> | null }>(objectsQuery(batch.length, extra), variables);
  } catch (err) {
    throw explainGraphqlError(err, target);
  }
  if (!data?.repository) {
    throw new GitHubApiError(
      `GitHub found no repository ${target.owner}/${target.repo} while reading files through GraphQL: the token cannot see it (it needs contents: read)`,
      null,
      'POST /graphql',
      undefined,
    );
  }
  return { objects: batch.map((expr, i) => toRead(pathOf(expr), data.repository![`f${i}`] ?? null)), repository: data.repository as Record<string, unknown> };
}

function pathOf(expression: string): string {
  return expression.slice(expression.indexOf(':') + 1).replace(/^\/+|\/+$/g, '');
}

export function toRead(path: string, raw: RawObject): ObjectRead | null {
  if (!raw) return null;
  if (raw.__typename === 'Blob') {
    const b = raw as RawBlob;
    return { kind: 'blob', path, oid: b.oid, byteSize: b.byteSize, isBinary: b.isBinary === true, text: b.text ?? null };
  }
  if (raw.__typename === 'Tree') {
    const t = raw as RawTree;
    const blobs: BlobRead[] = [];
    const trees: string[] = [];
    for (const e of t.entries) {
      const entryPath = e.path ?? (path ? `${path}/${e.name}` : e.name);
      if (e.type === 'tree') trees.push(entryPath);
      else if (e.type === 'blob' && e.object) {
        blobs.push({
          kind: 'blob',
          path: entryPath,
          oid: e.object.oid ?? e.oid,
          byteSize: e.object.byteSize ?? 0,
          isBinary: e.object.isBinary === true,
          text: e.object.text ?? null,
        });
      }
    }
    return { kind: 'tree', path, blobs, trees };
  }
  return null;
}

interface GraphqlErrorLike {
  errors?: { type?: string; message?: string }[];
  message?: string;
}

/** GraphQL answers 200 with `errors`; HTTP failures are ordinary request errors. */
export function explainGraphqlError(err: unknown, target: ReadTarget): GitHubApiError {
  if (err instanceof GitHubApiError) return err;
  const errors = (err as GraphqlErrorLike | null)?.errors;
  const where = `${target.owner}/${target.repo}`;
  if (Array.isArray(errors) && errors.length > 0 && errorStatus(err) === null) {
    const first = errors[0]!;
    const detail = (first.message ?? 'unknown error').split('\n')[0];
    let message: string;
    if (errors.some((e) => e.type === 'RATE_LIMITED')) {
      message = `GitHub's GraphQL rate limit is exhausted while reading files of ${where}: re-run after it resets, or use an App installation token (higher limits). ${detail}`;
    } else if (errors.some((e) => e.type === 'NOT_FOUND')) {
      message = `GitHub could not find ${where} while reading files through GraphQL: the token cannot see it (it needs contents: read). ${detail}`;
    } else if (errors.some((e) => e.type === 'FORBIDDEN' || e.type === 'INSUFFICIENT_SCOPES')) {
      message = `GitHub refused to read files of ${where} through GraphQL: the token needs contents: read. ${detail}`;
    } else {
      message = `GitHub's GraphQL API failed while reading files of ${where}: ${detail}`;
    }
    return new GitHubApiError(message, null, 'POST /graphql', err);
  }
  return explainGitHubError(err, {
    action: 'reading files through GraphQL',
    route: 'POST /graphql',
    owner: target.owner,
    repo: target.repo,
    permission: 'contents: read',
  });
}
