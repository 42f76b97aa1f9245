/**
 * One measurement in a fresh process, so peak memory belongs to it alone:
 *   export: `access-ledger export` over the synthetic repo, the whole period, default samples;
 *   verify: verifyLedger over the ledger branch as `access-ledger verify` runs it (every record's
 *   hash and signature, chain, head.json, history, authorship and time);
 *   verify-chain: the same without signatures, authorship and time, the baseline of their cost.
 */
import { rmSync } from 'node:fs';
import { main } from '../src/cli/main.ts';
import { verifyLedger } from '../src/adapters/git/ledger-reader.ts';
import { ledgerTrustOf } from '../src/cli/commands/verify.ts';

const [mode, dir, out] = process.argv.slice(2) as ['export' | 'verify' | 'verify-chain', string, string];
// The previous run's binder is removed before the clock starts: deleting it is not the export's work.
if (mode === 'export') rmSync(out, { recursive: true, force: true });
const started = performance.now();
let detail: unknown;
if (mode === 'export') {
  let stdout = '';
  const code = await main(['export', '--repo', dir, '--from', '2025-12-01', '--to', '2026-11-30', '--out', out, '--seed', '20261126'], {
    stdout: (t) => void (stdout += t),
    stderr: (t) => process.stderr.write(t),
    color: false,
    interactive: false,
    now: () => new Date('2026-12-01T00:00:00Z'),
    env: {},
  });
  if (code !== 0) throw new Error(`export exited ${code}: ${stdout}`);
  detail = stdout.split('\n').find((l) => l.includes('populations:'))?.trim();
} else {
  // verify-chain: the same without the records' signatures, authorship and time (the checks before
  // records were signed), as a baseline measured in the same run.
  const { trust } = await ledgerTrustOf(dir);
  const r = await verifyLedger(dir, 'access-ledger', mode === 'verify' ? { trust } : {});
  if (!r.ok) throw new Error(`verify found problems: ${JSON.stringify(r.first_problem)}`);
  detail = { records: r.records, commits: r.commits };
}
const ms = performance.now() - started;
process.stdout.write(JSON.stringify({ mode, ms, maxRssMb: process.resourceUsage().maxRSS / 1024, detail }) + '\n');
