/**
 * What starts a sweep inside the App: a timer (the in-process daily schedule) and an HTTP
 * endpoint for an external cron, authenticated by a shared secret.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface Timers {
  setTimeout(fn: () => void, ms: number): { unref?: () => unknown };
  clearTimeout(handle: unknown): void;
}

const nodeTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

/**
 * Runs `run` after a random first delay, then every `intervalMs`. The timers never keep the
 * process alive; a run still going when the next is due is not doubled (the caller's guard).
 */
export function startSchedule(
  run: () => Promise<unknown>,
  o: { intervalMs: number; firstDelayMs: readonly [number, number]; random?: () => number; timers?: Timers; onError?: (err: unknown) => void },
): () => void {
  const timers = o.timers ?? nodeTimers;
  const random = o.random ?? Math.random;
  let handle: unknown;
  let stopped = false;
  const next = (ms: number) => {
    if (stopped) return;
    const h = timers.setTimeout(() => {
      void run()
        .catch((err) => o.onError?.(err))
        .finally(() => next(o.intervalMs));
    }, ms);
    h.unref?.();
    handle = h;
  };
  const [min, max] = o.firstDelayMs;
  next(Math.round(min + random() * Math.max(0, max - min)));
  return () => {
    stopped = true;
    timers.clearTimeout(handle);
  };
}

/** Constant-time comparison of two secrets of any length (their SHA-256 digests are compared). */
export function secretsMatch(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b);
}

function bearer(req: IncomingMessage): string | null {
  const h = req.headers.authorization;
  if (typeof h !== 'string') return null;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
  return m ? m[1]! : null;
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body) + '\n');
}

/**
 * `POST <path>` with `Authorization: Bearer <secret>` starts a sweep and answers 202 at once (a
 * sweep paces its writes and may take minutes); a wrong or missing secret is 401, other methods
 * 405. Returns false for other paths so the next handler (webhooks, health) gets the request.
 */
export function cronHandler(o: { path: string; secret: string; trigger: () => { started: boolean } }): (req: IncomingMessage, res: ServerResponse) => boolean {
  return (req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== o.path) return false;
    if (req.method !== 'POST') {
      send(res, 405, { error: 'Use POST' }, { allow: 'POST' });
      return true;
    }
    const given = bearer(req);
    if (given === null || !secretsMatch(given, o.secret)) {
      send(res, 401, { error: 'Send the sweep secret (ACCESS_LEDGER_CRON_SECRET) as "Authorization: Bearer <secret>"' }, { 'www-authenticate': 'Bearer' });
      return true;
    }
    req.resume(); // the body carries nothing; drain it so the connection can be reused
    const { started } = o.trigger();
    send(res, 202, { status: started ? 'started' : 'already-running' });
    return true;
  };
}
