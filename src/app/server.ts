/**
 * `npm start` (and `access-ledger serve`): the App's HTTP server. Configured by Probot's standard
 * environment variables (APP_ID, PRIVATE_KEY or PRIVATE_KEY_PATH, WEBHOOK_SECRET, WEBHOOK_PATH,
 * PORT, HOST, LOG_LEVEL, LOG_FORMAT, GHE_HOST, REDIS_URL, SENTRY_DSN; see docs/app.md) and the
 * ledger signing key (ACCESS_LEDGER_SIGNING_KEY or ACCESS_LEDGER_SIGNING_KEY_PATH), without which
 * it does not start; a `.env` in the current folder fills in what the environment does not set.
 *
 * Webhooks go through Probot's middleware, which verifies `x-hub-signature-256` against
 * WEBHOOK_SECRET before any handler runs: a missing or wrong signature is answered 400 and
 * nothing is written. The App's Octokit (octokit.ts) is Probot's, retry and throttling plugins on,
 * with rate limits (secondary ones included) retried a bounded number of times.
 *
 * Without APP_ID and a private key (and outside production) it starts Probot's setup instead:
 * the manifest flow that registers the App from app.yml in one click.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { createNodeMiddleware, createProbot, run, type ApplicationFunction, type Probot } from 'probot';
import { createApp } from './index.ts';
import { createAppOctokit, type AppOctokitOptions } from './octokit.ts';
import type { WorkTracker } from './deps.ts';
import type { LedgerQueues } from '../adapters/github/ledger-store.ts';
import { RedisLedgerQueues } from '../adapters/redis/ledger-queue.ts';

export const DEFAULT_WEBHOOK_PATH = '/api/github/webhooks';

export interface AppServerOptions {
  probot: Probot;
  app: ApplicationFunction;
  /** Default `/api/github/webhooks` (WEBHOOK_PATH). */
  webhooksPath?: string;
}

/**
 * An HTTP server (not yet listening) that hands webhooks to the App and answers `GET /healthz`
 * for load balancers. Everything else is 404.
 */
export async function createAppServer(options: AppServerOptions): Promise<Server> {
  const middleware = await createNodeMiddleware(options.app, { probot: options.probot, webhooksPath: options.webhooksPath ?? DEFAULT_WEBHOOK_PATH });
  return createServer((req: IncomingMessage, res: ServerResponse) => {
    if (req.method === 'GET' && (req.url === '/healthz' || req.url === '/ping')) {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
      return;
    }
    void middleware(req, res, () => {
      if (!res.headersSent) res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"Not found"}\n');
    });
  });
}

export function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host }, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}

/**
 * Stops accepting requests, then waits (bounded) for handlers still writing to the ledger, then
 * lets go of the ledger queues (a replica holding a shared queue's lock finishes its commit and
 * releases it for the others).
 */
export async function shutdown(server: Server, work: WorkTracker, timeoutMs = 30_000, queues?: LedgerQueues): Promise<boolean> {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  const finished = await work.drain(timeoutMs);
  await queues?.close?.();
  return finished;
}

/**
 * Probot configured by its standard environment variables, with the App's Octokit. `octokit`
 * tunes it (tests shorten the rate-limit waits).
 */
export function createAppProbot(env: NodeJS.ProcessEnv, octokit: AppOctokitOptions = {}): Probot {
  return createProbot({ env, overrides: { Octokit: createAppOctokit(octokit) } });
}

export function configured(env: NodeJS.ProcessEnv): boolean {
  return Boolean(env.APP_ID) && Boolean(env.PRIVATE_KEY || env.PRIVATE_KEY_PATH);
}

/**
 * Fills `env` from a `.env` file (as Probot's setup writes it after registering the App), without
 * overriding anything already set. Returns the names it set.
 */
export function loadDotEnv(env: NodeJS.ProcessEnv, path: string = join(process.cwd(), '.env')): string[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return [];
  }
  const filled: string[] = [];
  for (const [name, value] of Object.entries(parseEnv(text))) {
    if (env[name] !== undefined) continue;
    env[name] = value;
    filled.push(name);
  }
  return filled;
}

export async function main(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  loadDotEnv(env);
  const app = createApp({}, { env });
  if (!configured(env)) {
    if (env.NODE_ENV === 'production') {
      throw new Error('APP_ID and PRIVATE_KEY (or PRIVATE_KEY_PATH) must be set to run the App in production (docs/app.md, "Environment")');
    }
    // Probot's setup: registers the App from app.yml (manifest flow) and writes .env.
    await run(app);
    return;
  }
  if (!env.WEBHOOK_SECRET) {
    throw new Error('WEBHOOK_SECRET must be set to the webhook secret of the App registration: without it webhook signatures cannot be verified');
  }
  // The ledger holds only signed records: without its signing key the App does not start.
  if (!app.deps.signer) throw new Error(app.deps.signingKeyProblem ?? 'ACCESS_LEDGER_SIGNING_KEY must be set to the ledger signing key');
  if (app.deps.configProblem) throw new Error(app.deps.configProblem);
  if (app.deps.ledgerQueues instanceof RedisLedgerQueues && app.deps.ledgerQueues.problem) throw new Error(app.deps.ledgerQueues.problem);
  // The App's Octokit paces its writes with the pacer of the App's dependencies.
  const probot = createAppProbot(env, { pacer: app.deps.writePacer });
  const server = await createAppServer({ probot, app, ...(env.WEBHOOK_PATH ? { webhooksPath: env.WEBHOOK_PATH } : {}) });
  const address = await listen(server, Number(env.PORT) || 3000, env.HOST || '0.0.0.0');
  probot.log.info(`access-ledger App listening on http://${address.address}:${address.port}${env.WEBHOOK_PATH || DEFAULT_WEBHOOK_PATH}`);
  const stop = (signal: string) => {
    probot.log.info(`${signal}: finishing ledger appends in flight, then stopping`);
    void shutdown(server, app.deps.work, 30_000, app.deps.ledgerQueues).then((finished) => {
      if (!finished) probot.log.warn('stopped with handlers still running; their events can be redelivered or reconciled');
      process.exit(0);
    });
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

if (import.meta.main) {
  main().catch((err: unknown) => {
    process.stderr.write(`access-ledger App: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
