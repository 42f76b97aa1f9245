/**
 * A smaller `npm run reliability`: the App's real server under injected GitHub faults, doubled and
 * shuffled webhooks, killed mid-burst and kept down for some merges, then reconcile. Nothing may
 * be lost or written twice, the chain must verify, and a forged signature must write nothing.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { killAll } from '../support/e2e/processes.ts';
import { runReliability } from '../support/e2e/reliability.ts';

afterAll(() => killAll());

describe('reliability under faults', () => {
  it('8 merges, 2 while the App is down, 20% of calls failing: every merge recorded exactly once', { timeout: 600_000 }, async () => {
    const r = await runReliability({ merges: 8, downMerges: 2, faultRate: 0.2, seed: 7, waitMs: 5 * 60_000 });
    const context = `reconcile: ${r.reconcile.output}\nverify: ${r.chain.verifyOutput}`;
    expect(r.invalidSignature, context).toEqual({ status: 400, requestsAfter: 0, recorded: false });
    expect(r.faults.total, 'faults were injected').toBeGreaterThan(0);
    expect(r.deliveries.redeliveries).toBe(6);
    expect(r.deliveries.refused).toBeGreaterThanOrEqual(2);
    expect({ lost: r.lost, duplicateRecords: r.duplicateRecords, duplicateIssues: r.duplicateIssues }, context).toEqual({
      lost: 0,
      duplicateRecords: 0,
      duplicateIssues: 0,
    });
    expect(r.recordedOnce).toBe(8);
    expect(r.grantChangeRecords).toBe(8);
    expect(r.unapprovedRecords).toBe(0);
    expect(r.chain.ok, context).toBe(true);
    expect(r.chain.verifyExit, context).toBe(0);
    expect(r.reconcile.exit, context).toBe(0);
    expect(r.sweeps.exits, r.sweeps.output).toEqual([0, 0, 0]);
    expect(r.sweeps.expected).toBe(1);
    expect(r.sweeps.open, r.sweeps.output).toBe(r.sweeps.expected);
    expect(r.handlerErrors, 'the fake answered every request it was sent').toBe(0);
  });
});
