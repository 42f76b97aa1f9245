/**
 * Reading the outcome from the fake's state, the way an auditor or a maintainer would look at
 * GitHub: the ledger branch's records and chain, the issues the App and the sweep opened, the
 * App's comments. Also `waitFor`, because the App answers a webhook before (or while) it writes.
 */
import { verifyLedgerState, type LedgerStateResult, type SealedRecord } from '../../../src/core/ledger/index.ts';
import type { FakeGitHub, Issue } from '../fake-github/index.ts';

export interface LedgerView {
  records: SealedRecord[];
  head: { seq: number; hash: string | null } | null;
  verification: LedgerStateResult;
  /** Records per `kind:key` (more than one would be a duplicate). */
  byKey: Map<string, SealedRecord[]>;
}

/** The ledger branch as it is on the fake now (records sorted by seq), with the in-memory verification. */
export function readLedger(fake: FakeGitHub, repo: string, branch = 'access-ledger'): LedgerView {
  const files = fake.state.ledger(repo, branch) ?? {};
  const entries = Object.entries(files)
    .filter(([p]) => p.startsWith('records/'))
    .map(([path, content]) => ({ path, content }));
  const records = entries.map((e) => JSON.parse(e.content) as SealedRecord).sort((a, b) => a.seq - b.seq);
  const headText = files['head.json'] ?? null;
  const byKey = new Map<string, SealedRecord[]>();
  for (const r of records) {
    const k = `${r.kind}:${r.key}`;
    byKey.set(k, [...(byKey.get(k) ?? []), r]);
  }
  return {
    records,
    head: headText ? (JSON.parse(headText) as { seq: number; hash: string | null }) : null,
    verification: verifyLedgerState({ records: entries, head: headText }),
    byKey,
  };
}

/** The PR number a record is about, when it is about one. */
export function recordPr(r: SealedRecord): number | null {
  const pr = (r.subject as { pr?: { number?: unknown } }).pr;
  return typeof pr?.number === 'number' ? pr.number : null;
}

export function recordsOf(view: LedgerView, kind: string, pr?: number): SealedRecord[] {
  return view.records.filter((r) => r.kind === kind && (pr === undefined || recordPr(r) === pr));
}

/** Issues (not PRs) of the repo, oldest first. */
export function issues(fake: FakeGitHub, repo: string, state: 'open' | 'closed' | 'all' = 'all'): Issue[] {
  return fake.state.listIssues(repo, { state }).sort((a, b) => a.number - b.number);
}

/** Open pull requests opened by the App (review campaigns). */
export function botPulls(fake: FakeGitHub, repo: string): Issue[] {
  const bot = fake.state.app.bot.login.toLowerCase();
  return fake.state
    .listIssues(repo, { state: 'all', pullRequests: true })
    .filter((i) => i.pull && i.user.login.toLowerCase() === bot)
    .sort((a, b) => a.number - b.number);
}

/** The hidden markers a managed issue carries (`<!-- ... -->`), to find duplicates by identity rather than title. */
export function markerOf(body: string | null): string | null {
  const m = /<!--\s*(access-ledger[^>]*?)\s*-->/.exec(body ?? '');
  return m ? (m[1] as string).replace(/\s+(hash|h|digest)=\S+/g, '').trim() : null;
}

/**
 * Open issues that share a marker with another open issue: what "no duplicate issue" means.
 * Issues without a marker are grouped by title.
 */
export function duplicateIssues(fake: FakeGitHub, repo: string): Issue[][] {
  const groups = new Map<string, Issue[]>();
  for (const i of issues(fake, repo, 'open')) {
    const key = markerOf(i.body) ?? `title:${i.title}`;
    groups.set(key, [...(groups.get(key) ?? []), i]);
  }
  return [...groups.values()].filter((g) => g.length > 1);
}

/** Comments on an issue or PR by the App's bot. */
export function botComments(fake: FakeGitHub, repo: string, number: number): Array<{ id: number; body: string }> {
  const bot = fake.state.app.bot.login.toLowerCase();
  return fake.state
    .issue(repo, number)
    .comments.filter((c) => c.user.login.toLowerCase() === bot)
    .map((c) => ({ id: c.id, body: c.body }));
}

export class WaitTimeout extends Error {
  override name = 'WaitTimeout';
}

/**
 * Polls `probe` until it returns something other than undefined/false, or throws after
 * `timeoutMs` with `what` and the optional `detail()` (e.g. the App's last log lines).
 */
export async function waitFor<T>(
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  opts: { what: string; timeoutMs?: number; intervalMs?: number; detail?: () => string },
): Promise<T> {
  const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) {
      throw new WaitTimeout(`timed out after ${opts.timeoutMs ?? 30_000} ms waiting for ${opts.what}${opts.detail ? `\n${opts.detail()}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 100));
  }
}

/**
 * Waits until the fake has seen no request for `quietMs` (the App has finished what it was doing:
 * retries and paced writes included), bounded by `timeoutMs`.
 */
export async function waitQuiet(fake: FakeGitHub, opts: { quietMs?: number; timeoutMs?: number } = {}): Promise<void> {
  const quiet = opts.quietMs ?? 3000;
  const deadline = Date.now() + (opts.timeoutMs ?? 120_000);
  let seen = fake.requests.length;
  let since = Date.now();
  for (;;) {
    await new Promise((r) => setTimeout(r, 100));
    const now = fake.requests.length;
    if (now !== seen) {
      seen = now;
      since = Date.now();
    } else if (Date.now() - since >= quiet) {
      return;
    }
    if (Date.now() > deadline) throw new WaitTimeout(`the App was still calling GitHub after ${opts.timeoutMs ?? 120_000} ms`);
  }
}

/**
 * The last lines of a log, for failure messages. Probot's JSON lines are shortened to level and
 * message (their `event` carries the whole webhook payload).
 */
export function tail(text: string, lines = 30): string {
  const names: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };
  return text
    .split('\n')
    .filter(Boolean)
    .slice(-lines)
    .map((line) => {
      try {
        const j = JSON.parse(line) as { level?: number; msg?: string; err?: { message?: string } };
        const msg = j.msg ?? j.err?.message ?? '';
        return `${names[j.level ?? 30] ?? j.level} ${msg.length > 400 ? `${msg.slice(0, 400)}…` : msg}`;
      } catch {
        return line.length > 400 ? `${line.slice(0, 400)}…` : line;
      }
    })
    .join('\n');
}
