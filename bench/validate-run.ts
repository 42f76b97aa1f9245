/**
 * One measurement in a fresh process, so peak memory belongs to that measurement alone.
 *   floor: read every file, parse with `yaml`, check with the precompiled ajv schema; no rules.
 *   full:  the `validate` command's own code path (read, parse, schema, policy, every rule, JSON report).
 */
import { parse } from 'yaml';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { listRepoPaths, readRepoFiles } from '../src/adapters/fs/read-repo.ts';
import { validators } from '../src/core/model/schemas.ts';
import { roleOf } from '../src/core/model/snapshot.ts';
import { main } from '../src/cli/main.ts';
import { BENCH_TODAY } from './synthetic-repo.ts';

const [mode, dir] = process.argv.slice(2) as ['floor' | 'full', string];
validators(); // compile outside the timed region in both modes
const started = performance.now();
let output = 0;
if (mode === 'floor') {
  const v = validators();
  const paths = await listRepoPaths(dir);
  const files = await readRepoFiles(dir, paths);
  let valid = 0;
  for (const f of files) {
    const role = roleOf(f.path);
    const value = parse(Buffer.from(f.content).toString('utf8'));
    if ((role === 'grant' ? v.grant : role === 'system' ? v.system : v.config)(value)) valid++;
  }
  output = valid;
} else {
  const code = await main(['validate', dir, '--format', 'json', '--today', BENCH_TODAY], {
    stdout: (t) => {
      output += t.length;
    },
    stderr: (t) => process.stderr.write(t),
    color: false,
    interactive: false,
    now: () => new Date(),
    env: {},
  });
  if (code !== 0) throw new Error(`validate exited ${code} on the synthetic repo`);
}
const ms = performance.now() - started;
void readFile;
void join;
process.stdout.write(JSON.stringify({ mode, ms, maxRssMb: process.resourceUsage().maxRSS / 1024, output }) + '\n');
