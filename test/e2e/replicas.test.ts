/**
 * Three App processes sharing one Redis (REDIS_URL) behind a round-robin "load balancer", and a
 * burst of 100 merges: every merge is recorded exactly once, the ledger ref is moved by one writer
 * at a time (at most 5% of its updates refused), and `access-ledger verify` accepts the chain on a
 * clone. `npm run bench:replicas` runs the same burst and writes its figures to docs/performance.md.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { killAll } from '../support/e2e/processes.ts';
import { runReplicas } from '../support/e2e/replicas.ts';

afterAll(() => killAll());

describe('App replicas sharing one ledger queue through Redis', () => {
  it('3 replicas, 100 merges delivered round-robin: each recorded once, few refused ref updates, the chain verifies', { timeout: 600_000 }, async () => {
    const r = await runReplicas({ replicas: 3, merges: 100, waitMs: 7 * 60_000 });
    const context = `verify: ${r.chain.verifyOutput}\n${r.logTails.map((t, i) => `replica ${i + 1}:\n${t}`).join('\n')}`;
    expect(r.deliveries.perReplica).toEqual([34, 33, 33]);
    expect({ lost: r.lost, duplicateRecords: r.duplicateRecords, recordedOnce: r.recordedOnce }, context).toEqual({
      lost: 0,
      duplicateRecords: 0,
      recordedOnce: 100,
    });
    expect(r.grantChangeRecords).toBe(100);
    expect(r.refUpdates.sent, 'the ledger ref was updated by PATCH').toBeGreaterThan(0);
    expect(r.refUpdates.refused, `${r.refUpdates.refused} of ${r.refUpdates.sent} ref updates refused`).toBeLessThanOrEqual(
      Math.floor(r.refUpdates.sent * 0.05),
    );
    expect(r.commits, 'group commits across replicas').toBeLessThan(100);
    expect(r.chain.ok, context).toBe(true);
    expect(r.chain.verifyExit, context).toBe(0);
    expect(r.chain.records).toBe(100);
    expect(r.handlerErrors, 'the fake answered every request it was sent').toBe(0);
  });
});
