/** Webhook deliveries: GitHub's headers and signature, redelivery, and out-of-order batches. */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhooks } from '@octokit/webhooks';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeGitHub, type FakeGitHub } from '../support/fake-github/index.ts';
import { seedAcme } from './helpers.ts';

const SECRET = 'test-secret';
let gh: FakeGitHub;
let pr: number;
let receiver: Server;
let url: string;
let received: Array<{ headers: IncomingHttpHeaders; body: string }>;

beforeEach(async () => {
  gh = await startFakeGitHub({ seed: 3 });
  ({ pr } = seedAcme(gh));
  received = [];
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(202).end('accepted');
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/api/github/webhooks`;
});

afterEach(async () => {
  await gh.close();
  await new Promise((r) => receiver.close(r));
});

describe('deliveries', () => {
  it('are signed over the exact body and accepted by @octokit/webhooks', async () => {
    gh.state.submitReview('acme/access', pr, { user: 'dave', state: 'APPROVED' });
    gh.state.mergePull('acme/access', pr, { by: 'dave' });
    const payload = gh.payloads.pullRequest('closed', 'acme/access', pr);
    const d = await gh.deliver('pull_request', payload, { url, secret: SECRET });
    expect([d.status, d.response]).toEqual([202, 'accepted']);

    const [got] = received;
    expect(got?.headers).toMatchObject({
      'content-type': 'application/json',
      'x-github-event': 'pull_request',
      'x-github-delivery': d.id,
      'x-github-hook-installation-target-id': String(gh.state.app.id),
    });
    expect(d.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const webhooks = new Webhooks({ secret: SECRET });
    expect(await webhooks.verify(got?.body as string, got?.headers['x-hub-signature-256'] as string)).toBe(true);
    expect(await new Webhooks({ secret: 'wrong' }).verify(got?.body as string, got?.headers['x-hub-signature-256'] as string)).toBe(false);

    let seen: any;
    webhooks.on('pull_request.closed', ({ payload: p }) => {
      seen = p;
    });
    await webhooks.verifyAndReceive({ id: d.id, name: 'pull_request', payload: got?.body as string, signature: got?.headers['x-hub-signature-256'] as string });
    const merged = gh.state.pullOf('acme/access', pr).pull;
    expect(seen.pull_request).toMatchObject({
      merged: true,
      merge_commit_sha: merged.mergeCommitSha,
      merged_at: merged.mergedAt,
      head: { sha: merged.headSha },
      base: { sha: merged.baseSha },
    });
    expect(seen.installation.id).toBe(gh.state.installationFor('acme')?.id);
  });

  it('redelivery repeats the same delivery id and body', async () => {
    const payload = gh.payloads.pullRequest('opened', 'acme/access', pr);
    const first = await gh.deliver('pull_request', payload, { url, secret: SECRET, redeliver: true });
    expect(received).toHaveLength(2);
    expect(received.map((r) => r.headers['x-github-delivery'])).toEqual([first.id, first.id]);
    expect(received[0]?.body).toBe(received[1]?.body);
  });

  it('batches can arrive reversed or shuffled, reproducibly under the seed', async () => {
    const events = [1, 2, 3, 4, 5, 6].map((n) => ({ event: 'organization', payload: { ...gh.payloads.organizationMemberRemoved('acme', 'bob'), n } }));
    await gh.deliverAll(events, { url, secret: SECRET, order: 'reverse' });
    expect(received.map((r) => JSON.parse(r.body).n)).toEqual([6, 5, 4, 3, 2, 1]);

    const order = async (seed: number): Promise<number[]> => {
      const other = await startFakeGitHub({ seed });
      seedAcme(other);
      received = [];
      await other.deliverAll(events, { url, order: 'shuffled' });
      await other.close();
      return received.map((r) => JSON.parse(r.body).n);
    };
    const a = await order(11);
    expect(await order(11)).toEqual(a);
    expect([...a].sort()).toEqual([1, 2, 3, 4, 5, 6]);
    expect(a).not.toEqual([1, 2, 3, 4, 5, 6]);
    // Without a secret, nothing is signed.
    expect(received[0]?.headers['x-hub-signature-256']).toBeUndefined();
  });
});
