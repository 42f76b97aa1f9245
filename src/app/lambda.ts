/**
 * The App as a function: one webhook per invocation, for AWS Lambda behind a function URL or an
 * API Gateway HTTP API (payload format 2.0; the REST API's 1.0 works too). It needs nothing beyond
 * Probot: the event's body and headers go to Probot's `verifyAndReceive`, which checks
 * `x-hub-signature-256` against WEBHOOK_SECRET before any handler runs, exactly as the server's
 * middleware does (docs/serverless.md).
 *
 * The handler answers only when the App's handlers have finished, so a platform that freezes a
 * function after its response never cuts a ledger append short. A handler still running at
 * GitHub's 10-second timeout is marked failed by GitHub and keeps going here; its record is found
 * again, not written twice, if the delivery is redelivered.
 *
 * What a long-running process does besides webhooks is not here: the daily sweep (run
 * `access-ledger sweep` from a scheduled workflow instead) and the sweep's HTTP endpoint.
 */
import type { Probot } from 'probot';
import { createApp } from './index.ts';
import { DEFAULT_WEBHOOK_PATH, configured, createAppProbot } from './server.ts';

export interface LambdaEvent {
  headers?: Record<string, string | undefined> | null;
  body?: string | null;
  isBase64Encoded?: boolean;
  /** Payload 2.0. */
  rawPath?: string;
  requestContext?: { http?: { method?: string; path?: string } };
  /** Payload 1.0. */
  httpMethod?: string;
  path?: string;
}

export interface LambdaResult {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

const reply = (statusCode: number, body: unknown): LambdaResult => ({
  statusCode,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

function statusOf(err: unknown): number {
  const e = err as { status?: unknown; errors?: { status?: unknown }[] };
  const status = e.errors?.[0]?.status ?? e.status;
  return typeof status === 'number' && status >= 400 && status < 600 ? status : 500;
}

/**
 * A Lambda handler for the App, configured by the same environment as `access-ledger serve`.
 * Probot and the App are made on the first invocation and kept for the warm ones.
 */
export function createLambdaHandler(env: NodeJS.ProcessEnv = process.env): (event: LambdaEvent) => Promise<LambdaResult> {
  let probot: Promise<Probot> | undefined;
  const start = async (): Promise<Probot> => {
    if (!configured(env))
      throw new Error('APP_ID and PRIVATE_KEY (or PRIVATE_KEY_PATH) must be set in the function\'s environment (docs/app.md, "Environment")');
    if (!env.WEBHOOK_SECRET)
      throw new Error('WEBHOOK_SECRET must be set to the webhook secret of the App registration: without it webhook signatures cannot be verified');
    // No in-process schedule in a function: it lives only while it answers.
    const settings = { ...env, ACCESS_LEDGER_SCHEDULE: env.ACCESS_LEDGER_SCHEDULE ?? 'off' };
    const app = createApp({}, { env: settings });
    const p = createAppProbot(settings, { pacer: app.deps.writePacer });
    await p.load(app);
    return p;
  };
  const webhookPath = env.WEBHOOK_PATH || DEFAULT_WEBHOOK_PATH;

  return async (event: LambdaEvent): Promise<LambdaResult> => {
    const method = (event.requestContext?.http?.method ?? event.httpMethod ?? 'POST').toUpperCase();
    const path = event.rawPath ?? event.requestContext?.http?.path ?? event.path ?? webhookPath;
    if (method === 'GET' && (path === '/healthz' || path === '/ping')) return { statusCode: 200, headers: { 'content-type': 'text/plain' }, body: 'ok\n' };
    if (method !== 'POST' || path !== webhookPath) return reply(404, { error: 'Not found' });

    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(event.headers ?? {})) if (v !== undefined) headers[k.toLowerCase()] = v;
    const id = headers['x-github-delivery'];
    const name = headers['x-github-event'];
    const signature = headers['x-hub-signature-256'];
    if (!id || !name || !signature)
      return reply(400, { error: 'a GitHub webhook needs the x-github-delivery, x-github-event and x-hub-signature-256 headers' });
    const payload = event.isBase64Encoded ? Buffer.from(event.body ?? '', 'base64').toString('utf8') : (event.body ?? '');

    let app: Probot;
    try {
      probot ??= start();
      app = await probot;
    } catch (err) {
      probot = undefined;
      return reply(500, { error: (err as Error).message });
    }
    try {
      await app.webhooks.verifyAndReceive({ id, name: name as never, payload, signature });
      return reply(200, { ok: true });
    } catch (err) {
      const status = statusOf(err);
      if (status >= 500) app.log.error({ err, id, event: name }, 'webhook handler failed');
      return reply(status, { error: (err as Error).message });
    }
  };
}

/** The entry a function names: `build/src/app/lambda.handler` in the installed package. */
export const handler = (() => {
  let made: ((event: LambdaEvent) => Promise<LambdaResult>) | undefined;
  return (event: LambdaEvent): Promise<LambdaResult> => (made ??= createLambdaHandler())(event);
})();
