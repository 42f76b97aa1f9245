/** Small clients for tests of the fake: raw fetch (to see statuses and headers) and a JWT-shaped App credential. */
import type { FakeGitHub } from '../support/fake-github/index.ts';

export interface RawResponse {
  status: number;
  headers: Headers;
  body: any;
}

/** An unsigned but well-formed JWT: the fake accepts any JWT as the App. */
export function appJwt(appId = 4242): string {
  const enc = (o: unknown): string => Buffer.from(JSON.stringify(o)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  return `${enc({ alg: 'RS256', typ: 'JWT' })}.${enc({ iat: now - 60, exp: now + 540, iss: appId })}.c2lnbmF0dXJl`;
}

export function client(gh: FakeGitHub, token?: string, base = gh.url) {
  return async (method: string, path: string, opts: { body?: unknown; accept?: string; token?: string } = {}): Promise<RawResponse> => {
    const headers: Record<string, string> = { accept: opts.accept ?? 'application/vnd.github+json' };
    const auth = opts.token ?? token;
    if (auth) headers.authorization = auth.includes('.') ? `Bearer ${auth}` : `token ${auth}`;
    if (opts.body !== undefined) headers['content-type'] = 'application/json; charset=utf-8';
    const res = await fetch(base + path, {
      method,
      headers,
      redirect: 'manual',
      ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
    });
    const text = await res.text();
    let body: any = text;
    if ((res.headers.get('content-type') ?? '').includes('json') && text) body = JSON.parse(text);
    return { status: res.status, headers: res.headers, body };
  };
}

/** A typical world: org acme with members and a team, an access repo, and a PR awaiting review. */
export function seedAcme(gh: FakeGitHub): { pr: number; installationId: number } {
  const s = gh.state;
  s.createOrg('acme', { members: ['alice', 'bob', 'dave'], admins: ['carol'] });
  s.createTeam('acme', 'dba', { members: ['dave'] });
  s.createRepo('acme/access', {
    files: {
      'access-ledger.yaml': 'version: 1\norganization: acme\n',
      'systems/prod-postgres.yaml': 'id: prod-postgres\nowner: carol\n',
      'grants/humans/bob.yaml': 'identity:\n  id: bob\n',
    },
  });
  const pr = s.openPullRequest('acme/access', {
    author: 'alice',
    title: 'Grant alice read on prod-postgres',
    head: 'grant-alice',
    files: { 'grants/humans/alice.yaml': 'identity:\n  id: alice\n', 'grants/humans/bob.yaml': 'identity:\n  id: bob\n  kind: human\n' },
  });
  return { pr, installationId: (s.installationFor('acme') as { id: number }).id };
}
