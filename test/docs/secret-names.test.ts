/**
 * One name per secret, everywhere: the table of environments in docs/setup.md is the list of the
 * secrets and variables the scaffolded workflows read, the workflows read exactly those, and no
 * page names a key by another name.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scaffold, WORKFLOW_SECRETS } from '../../src/cli/commands/init.ts';
import { DEFAULT_LEDGER_KEY_SECRETS } from '../../src/core/doctor/index.ts';
import { PACKAGE_ROOT } from '../support/package.ts';

const docs = Object.fromEntries(
  readdirSync(join(PACKAGE_ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => [`docs/${f}`, readFileSync(join(PACKAGE_ROOT, 'docs', f), 'utf8')]),
);
const pages = { ...docs, 'README.md': readFileSync(join(PACKAGE_ROOT, 'README.md'), 'utf8') };
const setup = docs['docs/setup.md']!;

/** The environments table of setup.md: environment → its variables and secrets. */
function table(): Record<string, { vars: string[]; secrets: string[] }> {
  const out: Record<string, { vars: string[]; secrets: string[] }> = {};
  for (const m of setup.matchAll(/^\| `([a-z-]+)` \| (.+?) \| (.+?) \| .+ \|$/gm)) {
    out[m[1]!] = { vars: [...m[2]!.matchAll(/`([A-Z_]+)`/g)].map((x) => x[1]!), secrets: [...m[3]!.matchAll(/`([A-Z_]+)`:/g)].map((x) => x[1]!) };
  }
  return out;
}

describe('secret and variable names', () => {
  const files = scaffold('2027-01-20', 'acme');
  const workflows = Object.entries(files).filter(([p]) => p.startsWith('.github/workflows/'));
  const read = (kind: 'secrets' | 'vars') =>
    new Set(workflows.flatMap(([, text]) => [...text.matchAll(new RegExp(`\\b${kind}\\.([A-Za-z0-9_]+)`, 'g'))].map((m) => m[1]!)));

  it("setup.md's table lists exactly what the scaffolded workflows read, each in the environment of the job that reads it", () => {
    const t = table();
    expect(Object.keys(t)).toEqual(['access-ledger-gate', 'access-ledger-sweep']);
    expect(new Set(Object.values(t).flatMap((e) => e.secrets))).toEqual(read('secrets'));
    expect(new Set(Object.values(t).flatMap((e) => e.vars))).toEqual(read('vars'));
    for (const [env, { vars, secrets }] of Object.entries(t)) {
      const jobs = workflows.filter(([, text]) => text.includes(`environment: ${env}\n`));
      expect(jobs.length, env).toBe(1);
      for (const name of [...vars, ...secrets]) expect(jobs[0]![1], `${env}: ${name}`).toContain(`.${name} }}`);
    }
    expect(new Set(Object.values(WORKFLOW_SECRETS))).toEqual(new Set([...read('secrets'), ...read('vars')]));
  });

  it('every page that names a workflow secret or variable uses one of those names', () => {
    const known = new Set(Object.values(WORKFLOW_SECRETS));
    for (const [page, text] of Object.entries(pages)) {
      for (const m of text.matchAll(/\b(?:secrets|vars)\.([A-Z][A-Z0-9_]*)\b/g)) expect(known.has(m[1] as never), `${page}: ${m[0]}`).toBe(true);
    }
  });

  it('no page names an App key, a client id or the signing key by another name', () => {
    // The App's own environment (Probot's names and the signing key's), and the names the doctor also recognises as the ledger App's key.
    const allowed = new Set<string>([
      ...Object.values(WORKFLOW_SECRETS),
      'PRIVATE_KEY',
      'PRIVATE_KEY_PATH',
      'ACCESS_LEDGER_SIGNING_KEY_PATH',
      ...DEFAULT_LEDGER_KEY_SECRETS,
    ]);
    for (const [page, text] of Object.entries(pages)) {
      for (const m of text.matchAll(/\b([A-Z][A-Z0-9_]*(?:PRIVATE_KEY|CLIENT_ID|SIGNING_KEY|APP_KEY)(?:_PATH)?)\b/g))
        expect(allowed.has(m[1]!), `${page}: ${m[1]}`).toBe(true);
    }
  });

  it('every ACCESS_LEDGER_* name a page gives is a workflow secret or variable, or a variable of the App or the CLI in app.md', () => {
    const environment = new Set([...docs['docs/app.md']!.matchAll(/^\| `([A-Z_]+)`(?:, `([A-Z_]+)`)? \|/gm)].flatMap((m) => [m[1]!, ...(m[2] ? [m[2]] : [])]));
    expect(environment.has('ACCESS_LEDGER_SIGNING_KEY')).toBe(true);
    const known = new Set<string>([...Object.values(WORKFLOW_SECRETS), ...environment, ...DEFAULT_LEDGER_KEY_SECRETS]);
    for (const [page, text] of Object.entries(pages)) {
      for (const m of text.matchAll(/\bACCESS_LEDGER_[A-Z0-9_]+\b/g)) expect(known.has(m[0]), `${page}: ${m[0]}`).toBe(true);
    }
  });
});
