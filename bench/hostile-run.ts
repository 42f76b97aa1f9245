/**
 * One measurement of judging one grant file, in a fresh process:
 *   node bench/hostile-run.ts validate <name> <bytes>   the `validate` command's code path on a repo of
 *                                                     the config, 20 systems and this grant file
 *   node bench/hostile-run.ts gate <name> <bytes>       the gate: a pull request that adds this grant
 *                                                     file, judged (parse, schema, every rule, the
 *                                                     approval plan) and its report written
 * <name> is `ordinary` or one of HOSTILE in bench/hostile-grants.ts. Prints one JSON line: the
 * time spent judging (the file generated and the modules loaded before the clock starts), the
 * number of findings and the rules that reported them.
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { main } from '../src/cli/main.ts';
import { loadBuiltinPacks } from '../src/adapters/fs/packs.ts';
import { buildSnapshot } from '../src/core/model/snapshot.ts';
import { validators } from '../src/core/model/schemas.ts';
import { judgePull } from '../src/core/pull/judge.ts';
import { reportJson, summaryMarkdown } from '../src/core/pull/report.ts';
import type { Finding } from '../src/core/findings.ts';
import { BENCH_CONFIG, HOSTILE, benchSystems, ordinaryGrant } from './hostile-grants.ts';
import { BENCH_TODAY } from './synthetic-repo.ts';

const [mode, name, bytesArg] = process.argv.slice(2) as ['validate' | 'gate', string, string];
const bytes = Number(bytesArg);
const make = name === 'ordinary' ? ordinaryGrant : HOSTILE.find((h) => h.name === name)?.make;
if (!make || !(bytes > 0) || (mode !== 'validate' && mode !== 'gate')) {
  process.stderr.write('usage: node bench/hostile-run.ts validate|gate ordinary|<hostile name> <bytes>\n');
  process.exit(2);
}
const grant = make(bytes);
const path = 'grants/hostile.yaml';
const packs = loadBuiltinPacks();
validators(); // compiled outside the timed region, in both modes

function summarize(findings: Finding[]): Record<string, number> {
  const byRule: Record<string, number> = {};
  for (const f of findings) byRule[f.rule] = (byRule[f.rule] ?? 0) + 1;
  return byRule;
}

let ms: number;
let findings: Finding[];
if (mode === 'validate') {
  const dir = mkdtempSync(join(tmpdir(), 'access-ledger-hostile-'));
  const files: Record<string, string> = { 'access-ledger.yaml': BENCH_CONFIG, ...benchSystems(), [path]: grant };
  for (const [p, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), content);
  }
  let out = '';
  const started = performance.now();
  await main(['validate', dir, '--format', 'json', '--today', BENCH_TODAY], {
    stdout: (t) => void (out += t),
    stderr: (t) => process.stderr.write(t),
    color: false,
    interactive: false,
    now: () => new Date(),
    env: {},
  });
  ms = performance.now() - started;
  rmSync(dir, { recursive: true, force: true });
  findings = (JSON.parse(out) as { findings: Finding[] }).findings;
} else {
  const base = Object.entries({ 'access-ledger.yaml': BENCH_CONFIG, ...benchSystems() }).map(([p, content]) => ({ path: p, content }));
  const ctx = { owner: 'acme', repo: 'access', number: 7, headSha: 'a'.repeat(40), baseSha: 'b'.repeat(40) };
  const started = performance.now();
  const result = judgePull(
    {
      number: 7,
      author: 'hostile',
      headSha: ctx.headSha,
      baseSha: ctx.baseSha,
      files: [{ path, status: 'added' }],
      base: buildSnapshot(base),
      head: buildSnapshot([{ path, content: new TextEncoder().encode(grant) }]),
      reviews: [],
      commitAuthors: ['hostile'],
      teamMembership: {},
      orgMembership: { hostile: true, owner1: true },
    },
    { packs, today: BENCH_TODAY },
  );
  const report = JSON.stringify(reportJson(result, ctx)).length + summaryMarkdown(result, ctx).length;
  ms = performance.now() - started;
  findings = result.findings;
  void report;
}
/** What the file got, in a few words: the first finding's message up to its advice. */
const first = findings.find((f) => f.file === path && f.severity === 'error');
const said = first ? `${first.rule}: ${first.message.split(/ \(|: /)[0]}` : 'none';
process.stdout.write(
  JSON.stringify({
    mode,
    name,
    bytes: Buffer.byteLength(grant),
    ms,
    findings: findings.length,
    rules: summarize(findings),
    first: said,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
  }) + '\n',
);
