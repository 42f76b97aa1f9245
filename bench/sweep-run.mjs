// One sweep in a process of its own, as the CLI's scheduled sweep runs it: @octokit/core against
// the benchmark's stand-in for GitHub (bench/sweep-github.mjs, in another process), the archive
// streamed to the sweep's worker thread, writes not waited for (the stand-in has no rate limits).
// Prints the sweep's summary as JSON; bench/usage.mjs records the process's CPU and peak memory.
import { Octokit } from '@octokit/core';
import { loadBuiltinPacks } from '../src/adapters/fs/packs.ts';
import { MembershipReader, runSweep } from '../src/adapters/github/sweep.ts';

const [baseUrl, today] = process.argv.slice(2);
const report = await runSweep({
  octokit: new Octokit({ baseUrl, auth: 'bench-token' }),
  repo: { owner: 'acme', repo: 'access' },
  packs: loadBuiltinPacks(),
  now: () => new Date(`${today}T06:00:00Z`),
  today,
  pacing: { now: () => 0, sleep: async () => undefined },
  membership: new MembershipReader(),
});
process.stdout.write(
  JSON.stringify({
    grants: report.grants,
    problems: report.problems.length,
    parsedInWorker: report.parsedInWorker,
    reads: report.requests.reads,
    writes: report.requests.writes,
    byRoute: report.requests.byRoute,
  }) + '\n',
);
