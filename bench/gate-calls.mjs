// npm run bench:gate: API calls the gate makes per evaluation, against the stateful fake GitHub,
// for pull requests changing 1, 10 and 100 grant files in access repos of 100 and 10,000 grants,
// with 1 and 10 approving reviewers. Prints a table and updates the "Gate: API calls per
// evaluation" section of docs/performance.md. Counts, not times: they do not depend on the machine.
// Prints its targets as TARGET lines (bench/targets.ts); exits 1 when one is missed.
import { Octokit } from '@octokit/core';
import { startFakeGitHub } from '../test/support/fake-github/index.ts';
import { gatherPullFacts } from '../src/adapters/github/pull-facts.ts';
import { judgePull } from '../src/core/pull/judge.ts';
import { loadBuiltinPacks } from '../src/adapters/fs/packs.ts';
import { addDays, utcDay } from '../src/core/dates.ts';
import { writeSection } from './report.ts';
import { reportTarget } from './targets.ts';

const REPO_SIZES = (process.env.BENCH_REPO_SIZES ?? '100,10000').split(',').map(Number);
const CHANGED = (process.env.BENCH_CHANGED ?? '1,10,100').split(',').map(Number);
const REVIEWERS = [1, 10];
const OWNERS = ['olivia', 'omar', 'oscar'];
const TODAY = utcDay(new Date());
const EXPIRES = addDays(TODAY, 90);

const CONFIG = `version: 1
organization: acme
extends: soc2-baseline
admins: ["@acme/security"]
`;
const system = (id, approvers) => `id: ${id}
name: ${id}
category: database
owner: carol
approvers: ${JSON.stringify(approvers)}
review_cadence_days: 90
evidence:
  provisioning: Terraform apply logs
  activity: audit log in the SIEM
`;

/** A service account with a static secret; `expires` varies so a PR can renew it (widening). */
function grant(i, expires) {
  return `identity:
  id: svc-${i}
  kind: service-account
  description: Synthetic workload ${i}
  owner: ${OWNERS[i % OWNERS.length]}
credential:
  type: oidc-federated
  storage: vault:kv/svc/${i}
  revocation: https://wiki.example/runbooks/svc-${i}
access:
  - system: ${i % 2 ? 'db' : 'queue'}
    role: reader
    justification: Reads the rows synthetic workload ${i} needs
    expires: ${expires}
`;
}
const path = (i) => `grants/services/team-${i % 50}/svc-${i}.yaml`;

const reviewers = Array.from({ length: 10 }, (_, i) => `reviewer-${i + 1}`);
const rows = [];
for (const size of REPO_SIZES) {
  const gh = await startFakeGitHub();
  gh.state.createOrg('acme', { members: ['alice', 'carol', ...OWNERS, ...reviewers] });
  gh.state.createTeam('acme', 'dba', { members: reviewers });
  gh.state.createTeam('acme', 'security', { members: ['sam'] });
  const files = { 'access-ledger.yaml': CONFIG, 'systems/db.yaml': system('db', ['@acme/dba', 'dave']), 'systems/queue.yaml': system('queue', ['@acme/dba']) };
  for (let i = 0; i < size; i++) files[path(i)] = grant(i, EXPIRES);
  gh.state.createRepo('acme/access', { files });
  const token = gh.createInstallationToken(gh.state.installationFor('acme').id);
  const octokit = new Octokit({ auth: token, baseUrl: gh.url });

  for (const changed of CHANGED) {
    // Renew `changed` grants: a later expiry widens access, so every one needs approval.
    const change = {};
    for (let i = 0; i < changed; i++) change[path(i)] = grant(i, addDays(EXPIRES, 30));
    const number = gh.state.openPullRequest('acme/access', { author: 'alice', title: `Renew ${changed}`, files: change });
    const { pull } = gh.state.pullOf('acme/access', number);
    let approved = 0;
    for (const n of REVIEWERS) {
      for (; approved < n; approved++) gh.state.submitReview('acme/access', number, { user: reviewers[approved], state: 'APPROVED' });
      gh.resetCalls();
      const facts = await gatherPullFacts(octokit, { owner: 'acme', repo: 'access', number, headSha: pull.headSha, baseSha: pull.baseSha, author: 'alice' });
      const result = judgePull(facts, { packs: loadBuiltinPacks(), today: TODAY });
      const calls = gh.calls();
      const count = (prefix) =>
        Object.entries(calls)
          .filter(([k]) => k.startsWith(prefix))
          .reduce((a, [, v]) => a + v, 0);
      const team = count('GET /orgs/{org}/teams/');
      const org = count('GET /orgs/{org}/members/');
      const graphql = count('POST /graphql');
      const total = Object.values(calls).reduce((a, b) => a + b, 0);
      const listing = total - team - org - graphql;
      const row = { size, changed, reviewers: n, total, listing, graphql, team, org, fixed: listing + graphql, verdict: result.verdict };
      rows.push(row);
      console.log(
        `${size} grants, ${changed} changed, ${n} reviewer(s): ${total} calls (listing ${listing}, GraphQL ${graphql}, team ${team}, org ${org}) → ${result.verdict}`,
      );
    }
  }
  await gh.close();
}

const within = rows.every((r) => r.fixed <= 6 && r.total <= 6 + r.team + r.org);
const bySize = (changed, reviewers) => rows.filter((r) => r.changed === changed && r.reviewers === reviewers).map((r) => r.total);
const independent = CHANGED.every((c) => REVIEWERS.every((n) => new Set(bySize(c, n)).size === 1));
const table = [
  '| grants in repo | grant files changed | approving reviewers | calls | listings (files, reviews, commits) | GraphQL reads | team lookups | org lookups |',
  '|---:|---:|---:|---:|---:|---:|---:|---:|',
  ...rows.map(
    (r) => `| ${r.size.toLocaleString('en-US')} | ${r.changed} | ${r.reviewers} | **${r.total}** | ${r.listing} | ${r.graphql} | ${r.team} | ${r.org} |`,
  ),
];
writeSection('Gate: API calls per evaluation', [
  `Command: \`npm run bench:gate\` (counted by the stateful fake GitHub; Node ${process.version}).`,
  '',
  'Each pull request renews the expiry of N service-account grants (a widening, so every one needs approval from `@acme/dba`), owned by 3 people; each reviewer is a member of `@acme/dba`. Listings are one page each below 100 files; file contents come in batched GraphQL reads of up to 100 files (base and head of each changed grant, the base config and every system in one tree); a team lookup is one per (reviewer, team) pair, an org lookup one per distinct owner or grantee of a changed grant (`owner-in-org`).',
  '',
  'Target: the number of calls does not depend on the size of the repo; at most 6 calls plus the membership lookups for a PR under 100 files.',
  '',
  "The table counts the reads that decide the verdict. On `pull_request_target` (the scaffold) each run also sets its commit status on the head commit twice, `pending` then the verdict: 2 more calls, with the job's own token.",
  '',
  ...table,
  '',
  `Independent of repo size: ${independent ? 'yes' : 'NO'} (same count at every repo size for the same change and reviewers). Within 6 calls plus membership lookups: ${within ? 'yes' : 'NO'}.`,
]);
// The targets as `independent` and `within` judge them, one TARGET line each (bench/targets.ts):
// the largest difference in calls between repo sizes for the same change and reviewers, and the
// most calls of an evaluation beyond its membership lookups.
const spread = Math.max(
  ...CHANGED.flatMap((c) =>
    REVIEWERS.map((n) => {
      const counts = bySize(c, n);
      return Math.max(...counts) - Math.min(...counts);
    }),
  ),
);
reportTarget({
  bench: 'gate',
  what: 'calls: largest difference between repo sizes, same change and reviewers',
  measured: spread,
  unit: 'calls',
  comparison: '<=',
  limit: 0,
  met: independent,
  digits: 0,
});
const beyondMembership = Math.max(...rows.map((r) => r.fixed));
reportTarget({
  bench: 'gate',
  what: 'calls of one evaluation beyond membership lookups, most',
  measured: beyondMembership,
  unit: 'calls',
  comparison: '<=',
  limit: 6,
  met: within,
  digits: 0,
});
if (!within || !independent) process.exitCode = 1;
