/**
 * Fault injection. Rules match requests by route and fire with a probability drawn from a seeded
 * PRNG (one stream per rule, so adding a rule does not shift another's sequence): the same seed
 * and the same request order give the same faults, which keeps retry tests reproducible.
 */
import type { Reply } from './http.ts';

export type FaultKind = '5xx' | 'timeout' | 'secondary-rate-limit' | '429' | 'primary-rate-limit' | 'non-fast-forward';

export const FAULT_KINDS: readonly FaultKind[] = ['5xx', 'timeout', 'secondary-rate-limit', '429', 'primary-rate-limit', 'non-fast-forward'];

export interface FaultSpec {
  /**
   * A RegExp tested against `"<METHOD> <path>"` (e.g. `PATCH /repos/acme/access/git/refs/heads/x`),
   * or a string naming a route template, with or without the method
   * (`"PATCH /repos/{owner}/{repo}/git/refs/{ref}"`, `"/graphql"`).
   */
  route: RegExp | string;
  kind: FaultKind;
  /** Probability per matching request, 0..1 (default 1). */
  rate?: number;
  /** Stop after injecting this many times. */
  count?: number;
  /** For `5xx`: the status (default: 502 or 503, drawn from the rule's PRNG). */
  status?: number;
  /** For `timeout`: how long to hold the socket before destroying it (default 1000 ms). */
  holdMs?: number;
  /**
   * `before` (default): fail without touching state. `after`: run the request, then fail the
   * response, modelling a write that landed although the client saw an error.
   */
  phase?: 'before' | 'after';
}

export interface FaultRule extends FaultSpec {
  injected: number;
  remove(): void;
}

/** mulberry32: tiny, fast and good enough for test scheduling. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Injection = { rule: FaultRule; reply: Reply } | { rule: FaultRule; timeoutMs: number };

/** A request as an interceptor sees it: after authentication, before the fake's handler. */
export interface InterceptedRequest {
  method: string;
  /** The path as sent, percent-decoded, without the `/api/v3` prefix or the query. */
  path: string;
  /** `METHOD template` (e.g. `PATCH /repos/{owner}/{repo}/git/refs/{ref}`, `POST /graphql`). */
  route: string;
  query: URLSearchParams;
  /** The parsed JSON body (undefined when there was none). */
  body: unknown;
}

/**
 * A scripted turn the seeded rules cannot express: it runs before the fake handles a request and
 * may change the world first (another writer moving a branch between a read and a write), or
 * answer in the fake's place (a 403 on one write, an empty repository's 409). Returning nothing
 * lets the fake answer as usual.
 */
export type Interceptor = (req: InterceptedRequest) => Reply | undefined | Promise<Reply | undefined>;

export class Faults {
  private readonly seed: number;
  private rules: Array<{ rule: FaultRule; random: () => number }> = [];
  private added = 0;
  private interceptors: Interceptor[] = [];
  /** Injected faults per kind since the last `reset()`. */
  counts: Record<FaultKind, number> = zeroCounts();
  /** Holds every answer this many milliseconds, so concurrent requests interleave as over a network. */
  delayMs = 0;

  constructor(seed: number) {
    this.seed = seed;
  }

  add(spec: FaultSpec): FaultRule {
    const rule: FaultRule = {
      ...spec,
      injected: 0,
      remove: () => {
        this.rules = this.rules.filter((r) => r.rule !== rule);
      },
    };
    this.rules.push({ rule, random: prng((this.seed ^ Math.imul(++this.added, 0x9e3779b1)) >>> 0) });
    return rule;
  }

  /** Adds an interceptor (see `Interceptor`), run in the order added; `remove()` takes it away. */
  intercept(fn: Interceptor): { remove(): void } {
    this.interceptors.push(fn);
    return {
      remove: () => {
        this.interceptors = this.interceptors.filter((f) => f !== fn);
      },
    };
  }

  /** The first interceptor's answer to this request, if one answers (each may act on the world first). */
  async intercepted(req: InterceptedRequest): Promise<Reply | undefined> {
    for (const fn of [...this.interceptors]) {
      const reply = await fn(req);
      if (reply) return reply;
    }
    return undefined;
  }

  /** Removes every rule and interceptor (counters stay until `reset`). */
  clear(): void {
    this.rules = [];
    this.interceptors = [];
  }

  reset(): void {
    this.counts = zeroCounts();
  }

  get total(): number {
    return Object.values(this.counts).reduce((a, b) => a + b, 0);
  }

  /** The fault to inject into this request in this phase, if any; counts it. */
  pick(phase: 'before' | 'after', method: string, path: string, template: string | undefined, now: Date): Injection | undefined {
    for (const { rule, random } of this.rules) {
      if ((rule.phase ?? 'before') !== phase || !matches(rule.route, method, path, template)) continue;
      if (rule.count !== undefined && rule.injected >= rule.count) continue;
      const roll = random();
      if (roll >= (rule.rate ?? 1)) continue;
      rule.injected++;
      this.counts[rule.kind]++;
      if (rule.kind === 'timeout') return { rule, timeoutMs: rule.holdMs ?? 1000 };
      return { rule, reply: faultReply(rule, random, now) };
    }
    return undefined;
  }
}

function zeroCounts(): Record<FaultKind, number> {
  return Object.fromEntries(FAULT_KINDS.map((k) => [k, 0])) as Record<FaultKind, number>;
}

function matches(route: RegExp | string, method: string, path: string, template: string | undefined): boolean {
  if (route instanceof RegExp) {
    route.lastIndex = 0;
    return route.test(`${method} ${path}`);
  }
  const space = route.indexOf(' ');
  if (space > 0) return route.slice(0, space).toUpperCase() === method && route.slice(space + 1) === (template ?? path);
  return route === (template ?? path);
}

const SECONDARY =
  'You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID FAKE:0000:0000.';

function faultReply(rule: FaultRule, random: () => number, now: Date): Reply {
  const docs = 'https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api';
  switch (rule.kind) {
    case '5xx': {
      const status = rule.status ?? (random() < 0.5 ? 502 : 503);
      return { status, body: { message: status === 503 ? 'Service Unavailable' : status === 502 ? 'Bad Gateway' : 'Server Error' } };
    }
    case 'secondary-rate-limit':
      return { status: 403, headers: { 'retry-after': '1' }, body: { message: SECONDARY, documentation_url: `${docs}#about-secondary-rate-limits` } };
    case '429':
      return { status: 429, headers: { 'retry-after': '1' }, body: { message: SECONDARY, documentation_url: `${docs}#about-secondary-rate-limits` } };
    case 'primary-rate-limit': {
      const reset = Math.floor(now.getTime() / 1000) + 1;
      return {
        status: 403,
        headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(reset), 'x-ratelimit-used': '5000', 'x-ratelimit-limit': '5000' },
        body: {
          message: 'API rate limit exceeded for installation. If you reach out to GitHub Support for help, please include the request ID FAKE:0000:0000.',
          documentation_url: `${docs}#about-the-primary-rate-limit`,
        },
      };
    }
    case 'non-fast-forward':
      return {
        status: 422,
        body: { message: 'Update is not a fast forward', documentation_url: 'https://docs.github.com/rest/git/refs#update-a-reference', status: '422' },
      };
    case 'timeout':
      throw new Error('unreachable: timeouts are not replies');
  }
}
