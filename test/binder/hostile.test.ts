/**
 * The auditor's binder exported from an access repo and a ledger whose text attacks the page and
 * the files: HTML and script in a description, a justification and a pull request title, a
 * spoofed marker in a role, tokens in a role, a storage reference, an exception's reason and a
 * system's evidence. index.html shows them as text, summary.md as inert Markdown, and no file of
 * the binder holds a secret.
 */
import { testSigner, withLedgerTrust } from '../support/ledger-keys.ts';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grantChange, commit, gitIn, write, writeLedger } from './fixture.ts';
import { run } from './support.ts';
import { AWS_KEY, GH_TOKEN, HOSTILE_PROSE, HOSTILE_ROLE, SECRET_ROLE, expectInertMarkdown, expectNoSecret, yamlString } from '../support/hostile.ts';

let root: string;
let out: string;
let files: Record<string, string>;

const SCRIPT = '<script>alert(1)</script>';

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'binder-hostile-'));
  const dir = join(root, 'access');
  mkdirSync(dir);
  gitIn(dir, ['init', '-q', '-b', 'main']);
  gitIn(dir, ['config', 'commit.gpgsign', 'false']);
  gitIn(dir, ['remote', 'add', 'origin', 'https://github.com/acme/access.git']);
  write(dir, 'access-ledger.yaml', withLedgerTrust('version: 1\norganization: acme\nextends: soc2-baseline\nadmins: ["@acme/security"]\n', [testSigner()]));
  write(
    dir,
    'systems/prod-db.yaml',
    `id: prod-db
name: ${yamlString(`Prod ${SCRIPT} @mchen`)}
category: database
owner: carol
approvers: ["@acme/dba"]
evidence:
  provisioning: ${yamlString(`Terraform ${HOSTILE_PROSE}`)}
  activity: ${yamlString(`SIEM, token ${GH_TOKEN}`)}
`,
  );
  write(
    dir,
    'grants/services/exporter.yaml',
    `identity:
  id: exporter
  kind: service-account
  description: ${yamlString(HOSTILE_PROSE)}
  owner: alice
credential:
  type: static-secret
  rotation_days: 90
  last_rotated: 2026-01-01
  storage: ${yamlString(`vault:kv/exporter ${GH_TOKEN}`)}
  revocation: ${yamlString(`rotate ${AWS_KEY}`)}
access:
  - system: prod-db
    role: ${yamlString(HOSTILE_ROLE)}
    justification: ${yamlString(HOSTILE_PROSE)}
    expires: 2026-12-31
  - system: prod-db
    role: ${yamlString(SECRET_ROLE)}
    justification: Reads invoices
    expires: 2026-12-31
exception:
  reason: ${yamlString(`${HOSTILE_PROSE} ${AWS_KEY}`)}
  compensating_controls: [${yamlString(SCRIPT)}]
  expires: 2026-12-31
`,
  );
  const added = commit(dir, 'add', '2026-02-01T10:00:00Z', `Add the exporter ${SCRIPT} (#1)`);
  const draft = grantChange(
    1,
    added,
    '2026-01-31T09:00:00Z',
    'alice',
    [
      {
        path: 'grants/services/exporter.yaml',
        identity: 'exporter',
        kind: 'service-account',
        action: 'added',
        before_blob: null,
        after_blob: 'f'.repeat(40),
        entries: [
          { system: 'prod-db', role: HOSTILE_ROLE, privileged: false, action: 'added', expires: '2026-12-31' },
          { system: 'prod-db', role: SECRET_ROLE, privileged: false, action: 'added', expires: '2026-12-31' },
        ],
      },
    ],
    [],
    [{ system: 'prod-db', required: 1, approved_by: [], missing: 1 }],
    'fail',
  );
  draft.subject.pr.title = `Add the exporter ${SCRIPT} [x](https://evil.example) ${GH_TOKEN}`;
  writeLedger(root, dir, [[draft]]);

  out = join(root, 'binder');
  const r = await run(['export', '--repo', dir, '--from', '2026-01-01', '--to', '2026-06-30', '--out', out, '--sample', '5']);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  files = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else files[relative(out, p)] = readFileSync(p, 'utf8');
    }
  };
  walk(out);
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('the binder of a hostile repo', () => {
  it('holds no secret in any file, and still shows the masked values', () => {
    expect(Object.keys(files).length).toBeGreaterThan(20);
    for (const [path, text] of Object.entries(files)) {
      try {
        expectNoSecret(text);
      } catch (err) {
        throw new Error(`${path}: ${(err as Error).message}`);
      }
    }
    expect(files['populations/inventory.csv']).toContain('reader ghp_…(masked)');
    expect(files['evidence-map.json']).toContain('SIEM, token ghp_…(masked)');
  });

  it('index.html shows every value as text: no element, attribute or script of theirs', () => {
    const html = files['index.html']!;
    expect(html).not.toMatch(/<img\b/i);
    expect(html).not.toContain(SCRIPT);
    expect(html).not.toMatch(/<[^>]*\bonerror=/i);
    expect(html).not.toMatch(/<a [^>]*href="https:\/\/evil/);
    // Every <script> of the page is the page's own: its data (JSON that no `<` can close, and no
    // control or bidi character to reorder what the table shows) or its code.
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(1);
    for (const [, attrs, body] of scripts) {
      if (/type="application\/json"/.test(attrs!)) {
        expect(body).not.toContain('<');
        expect(body).not.toMatch(/\\u001b|\\u202e|\u202e/i);
        JSON.parse(body!);
      } else expect(body).not.toContain('alert(1)');
    }
    // The values are there, escaped.
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('Add the exporter &lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('summary.md is inert Markdown', () => {
    expectInertMarkdown(files['summary.md']!);
  });
});
