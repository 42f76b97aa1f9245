// npm run bench:observe: API requests `access-ledger observe --system github` makes to list an
// organization, counted by the stateful fake GitHub, for organizations of 1,000 and 10,000
// members. Prints a table and updates the "Observe: GitHub organization requests" section of
// docs/performance.md. Counts, not times: they do not depend on the machine.
import { Octokit } from '@octokit/core';
import { startFakeGitHub } from '../test/support/fake-github/index.ts';
import { observeOrganization } from '../src/adapters/github/observe-org.ts';
import { writeSection } from './report.ts';

const SIZES = (process.env.BENCH_MEMBERS ?? '1000,10000').split(',').map(Number);
const PERMISSIONS = { members: 'read', organization_administration: 'read', organization_personal_access_tokens: 'read', metadata: 'read' };

/**
 * An organization of `members` people: 1 owner in 50, a team per 25 members (each member in one
 * team), 1 member in 100 without two-factor authentication, 20 installed Apps, a token per 50
 * members, and, when `outside` is set, 1 outside collaborator per 200 members on 1 repository in 20
 * of one per 5 members.
 */
async function measure(members, outside) {
  const gh = await startFakeGitHub({ now: () => new Date('2026-11-20T10:00:00Z') });
  try {
    const s = gh.state;
    const logins = Array.from({ length: members }, (_, i) => `user${String(i).padStart(5, '0')}`);
    s.createOrg('acme', { members: logins.filter((_, i) => i % 50 !== 0), admins: logins.filter((_, i) => i % 50 === 0), install: false });
    for (let i = 0; i < members; i += 100) s.setTwoFactor('acme', logins[i + 7] ?? logins[i], false);
    const teams = Math.ceil(members / 25);
    for (let t = 0; t < teams; t++) s.createTeam('acme', `team-${t}`, { members: logins.slice(t * 25, t * 25 + 25) });
    const repos = outside ? Math.ceil(members / 5) : 1;
    for (let r = 0; r < repos; r++) s.createRepo(`acme/repo-${r}`);
    const outsiders = outside ? Math.ceil(members / 200) : 0;
    for (let o = 0; o < outsiders; o++) s.addCollaborator(`acme/repo-${(o * 20) % repos}`, `vendor-${o}`, o % 3 === 0 ? 'admin' : 'write');
    for (let a = 0; a < 20; a++) s.installVendorApp('acme', { slug: `vendor-app-${a}`, permissions: { contents: 'read', metadata: 'read' } });
    for (let p = 0; p < members / 50; p++) s.grantToken('acme', { owner: logins[p * 50 + 1], name: `token-${p}` });
    const inst = s.install('acme', { permissions: PERMISSIONS });
    const octokit = new Octokit({ baseUrl: gh.url, auth: gh.createInstallationToken(inst.id) });
    gh.resetCalls();
    const r = await observeOrganization({ octokit, organization: 'acme', api: gh.url });
    const counted = Object.values(gh.calls()).reduce((a, b) => a + b, 0);
    if (counted !== r.calls) throw new Error(`the connector counted ${r.calls} requests, the fake ${counted}`);
    return { members, teams, repos, outsiders, apps: 21, tokens: Math.floor(members / 50), calls: r.calls, byRoute: r.byRoute };
  } finally {
    await gh.close();
  }
}

const rows = [];
for (const members of SIZES) {
  for (const outside of [false, true]) {
    const row = await measure(members, outside);
    rows.push(row);
    console.log(
      `${members} members, ${row.teams} teams, ${row.outsiders} outside collaborators on ${row.repos} repositories: ${row.calls} requests (${((row.calls / members) * 1000).toFixed(0)} per 1,000 members)`,
    );
  }
}
const r = (row, route) => row.byRoute[route] ?? 0;
writeSection('Observe: GitHub organization requests', [
  `Command: \`npm run bench:observe\` (counted by the stateful fake GitHub; Node ${process.version}).`,
  '',
  "Every listing is read 100 a page to its end. The organization: 1 owner in 50 members, a team per 25 members, 1 member in 100 without two-factor authentication, 21 installed Apps, a fine-grained token per 50 members; in the second row of each size, 1 outside collaborator per 200 members, on repositories out of one per 5 members. Outside collaborators' repository permissions cost one request per repository of the organization, because GitHub lists a repository's collaborators per repository; an organization without outside collaborators pays nothing for them.",
  '',
  '| members | teams | outside collaborators | repositories | requests | per 1,000 members | members + owners + 2FA | teams | outside collaborators (+ 2FA) | repositories | repository collaborators | Apps | tokens |',
  '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ...rows.map(
    (x) =>
      `| ${x.members.toLocaleString('en-US')} | ${x.teams} | ${x.outsiders} | ${x.outsiders ? x.repos.toLocaleString('en-US') : '–'} | **${x.calls}** | ${((x.calls / x.members) * 1000).toFixed(0)} | ${r(x, 'GET /orgs/{org}/members')} | ${r(x, 'GET /orgs/{org}/teams') + r(x, 'GET /orgs/{org}/teams/{team_slug}/members')} | ${r(x, 'GET /orgs/{org}/outside_collaborators')} | ${r(x, 'GET /orgs/{org}/repos')} | ${r(x, 'GET /repos/{owner}/{repo}/collaborators')} | ${r(x, 'GET /orgs/{org}/installations')} | ${r(x, 'GET /orgs/{org}/personal-access-tokens')} |`,
  ),
  '',
  "Requests = ⌈members/100⌉ + ⌈owners/100⌉ + ⌈members without 2FA/100⌉ + ⌈outside collaborators/100⌉ + ⌈teams/100⌉ + one page per 100 members of each team + ⌈Apps/100⌉ + ⌈tokens/100⌉, and, only when there are outside collaborators, ⌈their 2FA/100⌉ + ⌈repositories/100⌉ + one per repository. A 10,000-member organization without outside collaborators takes well under GitHub's 5,000 requests an hour for an App installation (more for large organizations); teams of more than 100 members cost a page per 100.",
]);
