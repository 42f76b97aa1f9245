/**
 * Shared fixtures for the App's tests: a Probot wired as in production but without retries or
 * throttling, real webhook payloads from @octokit/webhooks-examples patched to the scenario, an
 * access repo's files with their git blob SHAs, and nock answers for GitHub's GraphQL blob reads.
 */
import { WritePacer } from '../../src/adapters/github/pacing.ts';
import { createHash, generateKeyPairSync } from 'node:crypto';
import examples from '@octokit/webhooks-examples' with { type: 'json' };
import nock from 'nock';
import { Probot, ProbotOctokit } from 'probot';
import { createApp } from '../../src/app/index.ts';
import { createAppOctokit } from '../../src/app/octokit.ts';
import { WorkTracker, newConcurrency, type AppDeps } from '../../src/app/deps.ts';
import { loadBuiltinPacks } from '../../src/adapters/fs/packs.ts';
import { APP_LOGIN, testSigner, withLedgerTrust } from '../support/ledger-keys.ts';

export const API = 'https://api.github.com';
export const OWNER = 'Codertocat';
export const REPO = 'Hello-World';
export const REPO_PATH = `/repos/${OWNER}/${REPO}`;
export const INSTALLATION = 1;

let key: string | undefined;
/** An RSA key for the App's JWT, generated once per test file. */
export function privateKey(): string {
  key ??= generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs1', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } }).privateKey;
  return key;
}

export function testDeps(now = '2026-11-20T10:00:07Z', overrides: Partial<AppDeps> = {}): AppDeps {
  return {
    clock: () => new Date(now),
    packs: loadBuiltinPacks,
    gateCheckName: 'gate',
    gateStatusContext: 'access-ledger/gate',
    store: { random: () => 0.5, sleep: async () => undefined },
    // The App's ledger key, and its bot account (what `GET /app` names in production).
    signer: testSigner(),
    appLogin: async () => APP_LOGIN,
    work: new WorkTracker(),
    ...newConcurrency(),
    sleep: async () => undefined,
    ...overrides,
  };
}

/**
 * Probot's Octokit without retries or throttling. The function form is needed: Probot merges its
 * own throttle options over an object default, which would switch throttling back on (pacing
 * every write to one a second).
 */
export const TestOctokit = ProbotOctokit.defaults((options: Record<string, unknown>) => ({
  ...options,
  retry: { enabled: false },
  throttle: { ...(options.throttle as object | undefined), enabled: false },
}));

/** A throttling group that lets every request through at once (in place of the one-a-second write pacing). */
export const UNPACED = { key: () => ({ schedule: <A extends unknown[], R>(_options: unknown, fn: (...args: A) => R, ...args: A): R => fn(...args) }) };

/**
 * The App's production Octokit (src/app/octokit.ts: retry and throttling plugins on, rate limits
 * retried), with every wait shortened from seconds to milliseconds and writes unpaced, so a test
 * sees the retries without waiting for them.
 */
export const LiveOctokit = createAppOctokit({
  throttle: { retryAfterBaseValue: 5, write: UNPACED, notifications: UNPACED },
  retry: { retryAfterBaseValue: 5 },
  pacer: new WritePacer({ minIntervalMs: 0 }),
});

export async function loadProbot(deps: AppDeps, secret = 'test-secret', Octokit: typeof ProbotOctokit = TestOctokit): Promise<Probot> {
  const probot = new Probot({ appId: 123, privateKey: privateKey(), secret, Octokit, logLevel: 'fatal' });
  await probot.load(createApp(deps));
  return probot;
}

/** Probot asks for an installation token before the first call of an event. */
export function installationToken(): nock.Scope {
  return nock(API).post(`/app/installations/${INSTALLATION}/access_tokens`).reply(201, { token: 'ghs_test', expires_at: '2099-01-01T00:00:00Z', permissions: {}, repository_selection: 'all' });
}

type Example = { name: string; examples: Record<string, unknown>[] };
const all = examples as unknown as Example[];

function example(name: string, pick: (e: Record<string, unknown>) => boolean): Record<string, unknown> {
  const found = all.find((e) => e.name === name)?.examples.find(pick);
  if (!found) throw new Error(`no ${name} example`);
  return structuredClone(found);
}

export const BASE_SHA = 'f95f852bd8fca8fcc58a9a2d6c842781e32a215e';
export const HEAD_SHA = 'ec26c3e57ca3a959ca5aad62de7213c562f8c821';
export const MERGE_SHA = 'c4295bd74fb0f4fda03689c3df3f2803b658fd85';
export const MERGED_AT = '2026-11-20T10:00:00Z';

/**
 * The `pull_request.closed` example (Codertocat/Hello-World#2), patched to a merge of an access
 * change: `merged: true`, times of this scenario, who merged it. `merged: false` keeps it closed.
 */
export function pullRequestClosed(opts: { merged?: boolean; number?: number; title?: string } = {}): Record<string, unknown> {
  const payload = example('pull_request', (e) => e.action === 'closed' && Boolean(e.installation));
  const pr = payload.pull_request as Record<string, unknown>;
  const merged = opts.merged ?? true;
  const number = opts.number ?? 2;
  payload.number = number;
  Object.assign(pr, {
    number,
    title: opts.title ?? 'Grant bob read access to prod-postgres',
    html_url: `https://github.com/${OWNER}/${REPO}/pull/${number}`,
    created_at: '2026-11-18T09:00:00Z',
    updated_at: MERGED_AT,
    closed_at: MERGED_AT,
    merged,
    merged_at: merged ? MERGED_AT : null,
    merged_by: merged ? { ...(pr.user as object), login: 'carol', id: 7 } : null,
    merge_commit_sha: MERGE_SHA,
  });
  return payload;
}

/** The `workflow_run.completed` example, moved to this repo and onto the merge commit. */
export function workflowRunCompleted(opts: { path?: string; conclusion?: string; attempt?: number; id?: number } = {}): Record<string, unknown> {
  const payload = example('workflow_run', (e) => e.action === 'completed' && (e.workflow_run as { conclusion?: unknown }).conclusion === 'success');
  const source = pullRequestClosed();
  payload.repository = source.repository;
  payload.installation = source.installation;
  const run = payload.workflow_run as Record<string, unknown>;
  Object.assign(run, {
    id: opts.id ?? 9001,
    name: 'Provision',
    path: opts.path ?? '.github/workflows/provision.yml',
    head_branch: 'master',
    head_sha: MERGE_SHA,
    event: 'push',
    status: 'completed',
    conclusion: opts.conclusion ?? 'success',
    run_attempt: opts.attempt ?? 1,
    html_url: `https://github.com/${OWNER}/${REPO}/actions/runs/${opts.id ?? 9001}`,
    updated_at: '2026-11-20T10:07:00Z',
  });
  return payload;
}

/** Git's blob id of a file's content, as GitHub reports it. */
export function blobSha(content: string): string {
  const bytes = Buffer.from(content);
  return createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
}

/** The access repo's config; it names the App's bot account and lists the test signing key. */
export const CONFIG = withLedgerTrust(`version: 1
organization: acme
extends: soc2-baseline
admins: ["@acme/security"]
ledger: { branch: access-ledger, provisioning_workflow: provision.yml }
`, [testSigner()]);

export const SYSTEM = `id: prod-postgres
name: Production PostgreSQL
category: database
environment: production
owner: carol
approvers: [dave]
review_cadence_days: 90
evidence:
  provisioning: Terraform apply logs, workflow provision.yml
  activity: pgaudit, shipped to the SIEM index pg-audit
`;

export function grantFile(id: string, entries = [{ system: 'prod-postgres', role: 'read' }]): string {
  return `identity:
  id: ${id}
  kind: human
  description: Engineer on the payments team
  owner: alice
  github: ${id}
access:
${entries.map((e) => `  - system: ${e.system}\n    role: ${e.role}\n    justification: Investigates failed payments during incidents\n    request: DATA-902\n    expires: 2027-01-31\n`).join('')}`;
}

/** Files per revision for the GraphQL reader: rev → path → content. */
export type Revisions = Record<string, Record<string, string>>;

interface GraphqlRequest {
  query: string;
  variables: Record<string, string>;
}

function blobNode(path: string, content: string) {
  return { __typename: 'Blob', oid: blobSha(content), byteSize: Buffer.byteLength(content), isBinary: false, text: content, path };
}

/** Answers `object(expression: "<rev>:<path>")` from the files given: a blob, a directory (tree), or null. */
export function resolveExpression(revisions: Revisions, expression: string): unknown {
  const at = expression.indexOf(':');
  const rev = expression.slice(0, at);
  const path = expression.slice(at + 1);
  const files = revisions[rev];
  if (!files) return null;
  if (files[path] !== undefined) {
    const { path: _p, ...blob } = blobNode(path, files[path]!);
    return blob;
  }
  const prefix = `${path}/`;
  const inside = Object.keys(files).filter((p) => p.startsWith(prefix) && !p.slice(prefix.length).includes('/'));
  if (inside.length === 0) return null;
  return {
    __typename: 'Tree',
    entries: inside.map((p) => {
      const b = blobNode(p, files[p]!);
      return { name: p.slice(prefix.length), path: p, type: 'blob', oid: b.oid, object: { oid: b.oid, byteSize: b.byteSize, isBinary: false, text: b.text } };
    }),
  };
}

/** A pull request as the merge handler's folded query lists it (REST-like logins: a bot's with `[bot]`). */
export interface PullSpec {
  files: { path: string; changeType: string }[];
  reviews?: { login: string | null; type?: string; state: string; commit: string | null; at: string | null }[];
  commits?: { author: string | null; committer?: string | null; message?: string }[];
  comments?: { id: number; body: string; login: string; type?: string }[];
}

/** The ledger branch's tip as the folded query reads it (null: no branch). */
export interface LedgerTip {
  commit: string;
  tree: string;
  files: ReadonlyMap<string, string>;
}

export interface GraphqlAnswers {
  /** Answers `pullRequest(number:)` (the merge handler's first query), by the number asked. */
  pull?: PullSpec | ((number: number) => PullSpec);
  /** Waits this long (ms) before answering a pull request's first query, by its number. */
  delay?: (number: number) => number;
  /** Answers `ledgerRef: ref(qualifiedName:)` with the tip and its files. */
  ledger?: () => LedgerTip | null;
  /** Queries this interceptor answers (default 1). */
  times?: number;
}

const actor = (login: string, type = 'User') => ({ __typename: type, login: type === 'Bot' ? login.replace(/\[bot\]$/, '') : login });

function connection<T>(nodes: T[]) {
  return { totalCount: nodes.length, pageInfo: { hasNextPage: false, endCursor: null }, nodes };
}

function pullNode(spec: PullSpec) {
  return {
    files: connection(spec.files),
    reviews: connection((spec.reviews ?? []).map((r) => ({ author: r.login === null ? null : actor(r.login, r.type), authorAssociation: 'MEMBER', state: r.state, submittedAt: r.at, commit: r.commit ? { oid: r.commit } : null }))),
    commits: connection(
      (spec.commits ?? []).map((c) => ({
        commit: {
          oid: 'c'.repeat(40),
          message: c.message ?? 'commit',
          author: { email: `${c.author ?? 'someone'}@example.com`, user: c.author ? { login: c.author } : null },
          committer: { email: `${c.committer ?? 'someone'}@example.com`, user: c.committer ? { login: c.committer } : null },
        },
      })),
    ),
    comments: connection((spec.comments ?? []).map((c) => ({ databaseId: c.id, body: c.body, url: `https://github.com/${OWNER}/${REPO}/pull/2#issuecomment-${c.id}`, author: actor(c.login, c.type) }))),
  };
}

function ledgerNode(tip: LedgerTip | null, variables: Record<string, string>) {
  if (!tip) return null;
  const target: Record<string, unknown> = { __typename: 'Commit', oid: tip.commit, tree: { oid: tip.tree } };
  for (const [name, value] of Object.entries(variables)) {
    if (!/^p\d+$/.test(name)) continue;
    const text = tip.files.get(value);
    target[name] = text === undefined ? null : { object: { __typename: 'Blob', oid: blobSha(text), byteSize: Buffer.byteLength(text), isBinary: false, text } };
  }
  return { target };
}

/**
 * GraphQL queries answered from `revisions` (the blob reader's `object(expression:)`), and, when
 * given, the pull request and the ledger tip of the merge handler's folded queries. The object
 * expressions asked are pushed to `asked` so a test can assert exactly what was read.
 */
export function graphqlObjects(revisions: Revisions | (() => Revisions), asked: string[][] = [], answers: GraphqlAnswers = {}): nock.Scope {
  // nock 15 hands a one-parameter reply function the fetch Request.
  const reply = async (req: Request): Promise<[number, unknown]> => {
    const { query, variables } = (await req.json()) as GraphqlRequest;
    const repository: Record<string, unknown> = {};
    const exprs: string[] = [];
    const revs = typeof revisions === 'function' ? revisions() : revisions;
    for (const [name, value] of Object.entries(variables)) {
      if (!/^[eo]\d+$/.test(name)) continue;
      exprs.push(value);
      repository[`${name.startsWith('e') ? 'f' : 'o'}${name.slice(1)}`] = resolveExpression(revs, value);
    }
    if (query.includes('pullRequest(')) {
      const number = Number((variables as Record<string, unknown>).number);
      const wait = answers.delay?.(number) ?? 0;
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const spec = typeof answers.pull === 'function' ? answers.pull(number) : answers.pull;
      if (!spec) return [200, { data: { repository: { ...repository, pullRequest: null } }, errors: [{ type: 'NOT_FOUND', message: 'Could not resolve to a PullRequest with the number of 2.' }] }];
      repository.pullRequest = pullNode(spec);
    }
    if (query.includes('ledgerRef:')) repository.ledgerRef = ledgerNode(answers.ledger?.() ?? null, variables);
    asked.push(exprs);
    return [200, { data: { repository } }];
  };
  return nock(API).post('/graphql').times(answers.times ?? 1).reply(reply as never);
}

/** Requests nock had no interceptor for (each one also fails the call that made it). */
export function unmatchedRequests(): string[] {
  const seen: string[] = [];
  nock.emitter.on('no match', (req: { method?: string; path?: string; url?: string }) => {
    seen.push(`${req.method ?? ''} ${req.path ?? req.url ?? ''}`);
  });
  return seen;
}
