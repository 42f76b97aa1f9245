/**
 * `access-ledger validate`, run as a process on an access repo whose files attack the terminal
 * and the reports: escape sequences and bidi overrides in a role and in a file name, a token in a
 * role, another as a key name. Text output holds no control character and no secret; JSON and
 * SARIF hold no secret.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONFIG, SYSTEMS, grant } from '../gate/scenario.ts';
import { KEY_TOKEN, SECRET_ROLE, expectInertTerminal, expectNoSecret, yamlString } from '../support/hostile.ts';
import { runCli } from './run-cli.ts';

/** A key name that would colour the terminal, hyperlink elsewhere and reorder what follows (the schema's finding names it). */
const TERMINAL_KEY = '\u001b[32m✔ no problems\u001b[0m\u001b]8;;https://evil.example\u0007x\u001b]8;;\u0007 \u202eevil';
/** A file name that clears the screen (the finding of identity-file-name names it). */
const EVIL_FILE = 'grants/people/\u001b[2J\u001b[Heve.yaml';

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'al-hostile-'));
  const files: Record<string, string> = {
    'access-ledger.yaml': CONFIG,
    ...SYSTEMS,
    'grants/people/bob.yaml': grant('bob', [{}, { system: 'wiki', role: yamlString(SECRET_ROLE) }]).replace(
      '  kind: human\n',
      `  kind: human\n  ${yamlString(TERMINAL_KEY)}: x\n`,
    ),
    'grants/people/kim.yaml': grant('kim').replace('  kind: human\n', `  kind: human\n  ${KEY_TOKEN}: pasted\n`),
    [EVIL_FILE]: grant('eve'),
  };
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('validate on hostile files', () => {
  it('text: no escape sequence, control character, bidi override or secret reaches the terminal', () => {
    const r = runCli(['validate', dir, '--today', '2026-11-26'], { env: { NO_COLOR: '' } });
    expect(r.code).toBe(1);
    expectInertTerminal(r.stdout);
    expectInertTerminal(r.stderr);
    // The names are shown, stripped and masked.
    expect(r.stdout).toContain('unknown key `✔ no problemsx evil` under identity');
    expect(r.stdout).toMatch(/^grants\/people\/eve\.yaml$/m);
    expect(r.stdout).toMatch(/^ {2}4:3 +error {3}a key name under identity looks like a GitHub token/m);
  });

  it('json and sarif: no secret, the findings all there', () => {
    const json = runCli(['validate', dir, '--today', '2026-11-26', '--format', 'json']);
    expectNoSecret(json.stdout);
    const report = JSON.parse(json.stdout) as { findings: { rule: string; file: string; line: number }[] };
    expect(report.findings.filter((f) => f.rule === 'no-secrets').map((f) => [f.file, f.line])).toEqual([
      ['grants/people/bob.yaml', 13],
      ['grants/people/kim.yaml', 4],
    ]);
    const sarif = runCli(['validate', dir, '--today', '2026-11-26', '--format', 'sarif']);
    expectNoSecret(sarif.stdout);
    expect(JSON.parse(sarif.stdout).runs[0].results.length).toBe(report.findings.length);
  });
});
