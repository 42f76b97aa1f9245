/**
 * One drift measurement in a fresh process, so peak memory belongs to it alone.
 *   floor: the least any comparison must do: read every grant file, parse it with the fast reader
 *          and check it against the schema, and parse every snapshot; no matching, no rules.
 *   full:  the `drift` command's own code path (read, parse, map every account to its grant,
 *          every observed rule under the policy, the JSON report).
 */
import { readFile } from 'node:fs/promises';
import { readRepoFilesSync } from '../src/adapters/fs/read-repo.ts';
import { parseAccessFile } from '../src/core/binder/parse.ts';
import { validators } from '../src/core/model/schemas.ts';
import { roleOf } from '../src/core/model/snapshot.ts';
import { parseSnapshot } from '../src/core/observe/snapshot.ts';
import { main } from '../src/cli/main.ts';
import { BENCH_TODAY } from './synthetic-repo.ts';

const [mode, dir, ...snapshots] = process.argv.slice(2) as ['floor' | 'full', string, ...string[]];
validators(); // compiled outside the timed region in both modes
const started = performance.now();
let output = 0;
let findings = 0;
if (mode === 'floor') {
  const files = await readRepoFilesSync(dir);
  for (const f of files) {
    if (roleOf(f.path) !== 'grant') continue;
    if (parseAccessFile(Buffer.from(f.content).toString('utf8'), 'grant', { detach: false }).data) output++;
  }
  for (const s of snapshots) output += parseSnapshot(await readFile(s, 'utf8'), s).accounts.length;
} else {
  let text = '';
  const code = await main(['drift', dir, '--snapshot', ...snapshots, '--format', 'json', '--today', BENCH_TODAY], {
    stdout: (t) => {
      text += t;
    },
    stderr: (t) => process.stderr.write(t),
    color: false,
    interactive: false,
    now: () => new Date(),
    env: {},
  });
  if (code !== 1) throw new Error(`drift exited ${code} on the synthetic repo (expected 1: the benchmark plants drift)`);
  output = text.length;
  const report = JSON.parse(text) as { findings: unknown[]; summary: { accounts: number } };
  findings = report.findings.length;
  output = report.summary.accounts;
}
const ms = performance.now() - started;
process.stdout.write(JSON.stringify({ mode, ms, maxRssMb: process.resourceUsage().maxRSS / 1024, output, findings }) + '\n');
