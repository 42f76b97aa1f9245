import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/app/index.ts';
import { newConcurrency } from '../../src/app/deps.ts';
import { InProcessLedgerQueues } from '../../src/adapters/github/ledger-store.ts';
import { WritePacer } from '../../src/adapters/github/pacing.ts';
import { CommentTurns } from '../../src/app/ledger/comment.ts';
import { testDeps } from './support.ts';

const ROOT = join(import.meta.dirname, '..', '..');

/** A top-level declaration that holds concurrency: a queue, a pacer, comment turns, a limiter, a map of promises. */
const concurrency =
  /^(?:export\s+)?(?:const|let|var)\s+\w+(?:\s*:[^=]+)?\s*=\s*(?:new\s+(?:\w*Queues?|\w*Pacer|CommentTurns|\w*Limiter)\b|new\s+Map<[^>]*Promise)/;
const lazy = /^(?:export\s+)?let\s+\w+\s*:\s*(?:\w*Queues?|\w*Pacer|CommentTurns)\b/;

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

describe('concurrency is held by each App, never by a module', () => {
  it('two Apps in one process share no ledger queue, no write pacer and no comment turns', () => {
    const a = createApp(testDeps());
    const b = createApp(testDeps());
    expect(a.deps.ledgerQueues).not.toBe(b.deps.ledgerQueues);
    expect(a.deps.ledgerQueues.queueFor('acme', 'access', 'access-ledger')).not.toBe(b.deps.ledgerQueues.queueFor('acme', 'access', 'access-ledger'));
    // Within one App the branch has one writer, whatever the case of the owner and repository.
    expect(a.deps.ledgerQueues.queueFor('acme', 'access', 'access-ledger')).toBe(a.deps.ledgerQueues.queueFor('ACME', 'Access', 'access-ledger'));
    expect(a.deps.writePacer).not.toBe(b.deps.writePacer);
    expect(a.deps.commentTurns).not.toBe(b.deps.commentTurns);
  });

  it('the App built from the environment makes its own concurrency too', () => {
    const env = { ACCESS_LEDGER_SCHEDULE: 'off' };
    const a = createApp({}, { env });
    const b = createApp({}, { env });
    expect(a.deps.ledgerQueues).toBeInstanceOf(InProcessLedgerQueues);
    expect(a.deps.ledgerQueues).not.toBe(b.deps.ledgerQueues);
    expect(a.deps.writePacer).toBeInstanceOf(WritePacer);
    expect(a.deps.writePacer).not.toBe(b.deps.writePacer);
    expect(a.deps.commentTurns).not.toBe(b.deps.commentTurns);
  });

  it("one App's comment writes neither wait for nor stale another App's", async () => {
    const { commentTurns: one } = newConcurrency();
    const { commentTurns: other } = newConcurrency();
    const repo = { owner: 'acme', repo: 'access' };
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const slow = one.inTurn(repo, 7, () => one.writing(repo, 7, () => held));
    // The other App's writer of the same PR's comment goes at once: it is not in the first App's turns.
    const steps: string[] = [];
    await other.inTurn(repo, 7, async () => void steps.push('other'));
    expect(steps).toEqual(['other']);
    expect(one.writes(repo, 7)).toBe(1);
    expect(other.writes(repo, 7)).toBe(0);
    release();
    await slow;
    expect(one.writes(repo, 7)).toBe(2);
  });

  it('writers in one App take turns, in the order they asked', async () => {
    const turns = new CommentTurns();
    const repo = { owner: 'acme', repo: 'access' };
    const steps: string[] = [];
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const first = turns.inTurn(repo, 8, async () => {
      steps.push('first starts');
      await held;
      steps.push('first ends');
    });
    const second = turns.inTurn(repo, 8, async () => void steps.push('second'));
    await Promise.resolve();
    release();
    await Promise.all([first, second]);
    expect(steps).toEqual(['first starts', 'first ends', 'second']);
  });

  it('no module under src/ or action/ keeps a queue, a pacer, comment turns or a map of promises at its top level', () => {
    const offenders: string[] = [];
    for (const file of [...sources(join(ROOT, 'src')), ...sources(join(ROOT, 'action'))]) {
      readFileSync(file, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          if (concurrency.test(line) || lazy.test(line)) offenders.push(`${relative(ROOT, file)}:${i + 1}: ${line.trim()}`);
        });
    }
    expect(offenders).toEqual([]);
  });

  it('the scan catches what it is meant to', () => {
    expect(concurrency.test('const processQueues = new InProcessLedgerQueues();')).toBe(true);
    expect(concurrency.test('const commentTurns = new Map<string, Promise<unknown>>();')).toBe(true);
    expect(concurrency.test('const pacer: WritePacer = new WritePacer();')).toBe(true);
    expect(concurrency.test('const GOVERNED = new Set([1]);')).toBe(false);
    expect(lazy.test('let shared: WritePacer | undefined;')).toBe(true);
  });
});
