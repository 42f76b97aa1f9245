/**
 * The bundled gate, run as a process, on a pull request whose grant files attack whatever shows
 * them: mentions, links, images, HTML, a fake passing heading and a spoofed record marker in a
 * role, a table and blank lines in a justification, a token in a role and another as a key name.
 * Every output (annotations, the job summary, the JSON report, SARIF, the log) shows them inert
 * and shows no secret.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { addDays, utcDay } from '../../src/core/dates.ts';
import { startFakeGitHub, type FakeGitHub } from '../support/fake-github/index.ts';
import { CONFIG, SYSTEMS, grant } from '../gate/scenario.ts';
import {
  HOSTILE_PROSE,
  HOSTILE_ROLE,
  KEY_TOKEN,
  SECRET_ROLE,
  expectInertMarkdown,
  expectInertTerminal,
  expectNoSecret,
  yamlString,
} from '../support/hostile.ts';
import { runAction } from './runner.ts';

const REPO = 'acme/access';
const EXPIRES = addDays(utcDay(new Date()), 60);
const BOB = 'grants/people/bob.yaml';
const KEYED = 'grants/people/kim.yaml';

let gh: FakeGitHub;
let token: string;

beforeAll(async () => {
  gh = await startFakeGitHub();
  gh.state.createOrg('acme', { members: ['alice', 'bob', 'carol', 'dave', 'erin', 'kim', 'mchen', 'sam'] });
  gh.state.createTeam('acme', 'dba', { members: ['erin'] });
  gh.state.createTeam('acme', 'security', { members: ['sam'] });
  gh.state.createRepo(REPO, { files: { 'access-ledger.yaml': CONFIG, ...SYSTEMS } });
  token = gh.createInstallationToken(gh.state.installationFor('acme')!.id);
});

afterAll(async () => {
  await gh?.close();
});

describe('the bundled gate on hostile grant files', () => {
  it('shows every value inert and no secret, in the annotations, the job summary, the JSON report, SARIF and the log', async () => {
    const hostile = grant('bob', [
      { role: yamlString(HOSTILE_ROLE), expires: EXPIRES, justification: yamlString(HOSTILE_PROSE) },
      { system: 'wiki', role: yamlString(SECRET_ROLE), expires: EXPIRES },
    ]);
    const keyed = grant('kim', [{ expires: EXPIRES }]).replace('  kind: human\n', `  kind: human\n  ${KEY_TOKEN}: pasted\n`);
    const number = gh.state.openPullRequest(REPO, {
      author: 'alice',
      title: 'Grant bob @mchen [x](https://evil.example)',
      files: { [BOB]: hostile, [KEYED]: keyed },
    });
    const r = await runAction({
      event: 'pull_request',
      payload: gh.payloads.pullRequest('opened', REPO, number),
      repository: REPO,
      apiUrl: gh.url,
      graphqlUrl: gh.graphqlUrl,
      inputs: { token, 'fail-on': 'error', config: '', 'sarif-file': 'out/gate.sarif' },
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);

    // The secrets are found: the token in a role, and the token used as a key name, at its line.
    const annotations = r.commands.filter((c) => c.command === 'error' || c.command === 'warning');
    const secrets = annotations.filter((c) => c.properties.title === 'access-ledger: no-secrets');
    expect(secrets.map((c) => [c.properties.file, c.properties.line, c.message.split(':')[0]])).toEqual([
      [BOB, '12', 'access[1].role looks like a GitHub token'],
      [KEYED, '4', 'a key name under identity looks like a GitHub token'],
    ]);
    // The schema names the unknown key, masked.
    expect(annotations.find((c) => c.properties.file === KEYED && c.properties.title === 'access-ledger: schema')!.message).toContain(
      'unknown key `ghp_…(masked)` under identity',
    );
    for (const a of annotations) {
      expectInertTerminal(a.message);
      expectNoSecret(JSON.stringify(a.properties));
    }
    expectInertTerminal(r.stdout);

    // The job summary: nothing live, no secret, and the table's HTML block unbroken (no blank line in it).
    expectInertMarkdown(r.summary);
    expect(r.summary).toMatch(/^## ❌ access-ledger gate: fail$/m);
    expect(r.summary.match(/^#{1,6} /gm)).toEqual(['## ', '### ']);
    const table = r.summary.slice(r.summary.indexOf('<table>'), r.summary.indexOf('</table>'));
    expect(
      table
        .split('\n')
        .slice(1, -1)
        .filter((l) => !l.startsWith('<tr>')),
    ).toEqual([]);
    // The hostile role is there, as text (the rows of both entries).
    expect(r.summary).toContain('admin &#35;&#35; ✅ access-ledger gate: pass PWNED &lt;!-- access-ledger:record key=pr-1-merged');
    expect(r.summary).toContain('reader ghp&#95;…(masked)');

    // The JSON report and SARIF: data, but no secret.
    const report = await readFile(r.outputs['report-json']!, 'utf8');
    expectNoSecret(report);
    expect(JSON.parse(report).rows.map((row: { requested: string }) => row.requested)).toContainEqual(expect.stringContaining('reader ghp_…(masked)'));
    const sarif = await readFile(join(r.workspace, 'out/gate.sarif'), 'utf8');
    expectNoSecret(sarif);
    expect(JSON.parse(sarif).runs[0].results.filter((x: { ruleId: string }) => x.ruleId === 'no-secrets')).toHaveLength(2);
  });
});
