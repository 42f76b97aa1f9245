/**
 * Every `access-ledger` command line the docs and the README show is one the CLI accepts: each is
 * read out of the pages' shell blocks and parsed by the real commands (every command registered,
 * with its arguments, options and required options), with the actions replaced so nothing runs.
 * An option renamed or removed, a command the CLI does not have, or a required option a page
 * leaves out fails here, naming the page and line. (docs/setup.md's commands are run for real by
 * test/docs/setup-walkthrough.test.ts.)
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import { registerCommands } from '../../src/cli/commands/registry.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const PAGES = [
  ...readdirSync(join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
  'README.md',
];

interface Invocation {
  page: string;
  line: number;
  text: string;
  argv: string[];
}

/** Shell words, with quotes removed; `$VAR` and `$(…)` stand for a value. */
function words(command: string): string[] {
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|'([^']*)'|(\$\([^)]*\)|[^\s"']+)+/g;
  for (const m of command.matchAll(re)) out.push(m[0].replace(/^["']|["']$/g, ''));
  return out;
}

/** The access-ledger invocations of a page's sh/bash blocks: synopses (with `[--option]`) are read as the full command. */
function invocations(page: string, text: string): Invocation[] {
  const found: Invocation[] = [];
  const lines = text.split('\n');
  let inShell = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (/^\s*```/.test(line)) {
      inShell = !inShell && /^\s*```(sh|bash|shell|console)\s*$/.test(line);
      continue;
    }
    if (!inShell) continue;
    // A synopsis continues on the next lines.
    let full = line;
    while (full.trimEnd().endsWith('\\') || (/\[--/.test(full) && lines[i + 1] && /^\s+\[--/.test(lines[i + 1]!)))
      full = full.trimEnd().replace(/\\$/, '') + ' ' + lines[++i]!.trim();
    const code = full.replace(/\s#\s.*$/, '').trim();
    // `docker build -t access-ledger .` names an image; `docker run … access-ledger validate /repo` runs the CLI.
    if (/^docker build\b/.test(code)) continue;
    const m = /(?:^|\s)(?:npx\s+(?:--yes\s+)?access-ledger(?:@\S+)?|access-ledger|node\s+bin\/access-ledger\.js)\s+(.*)$/.exec(code);
    if (!m) continue;
    const argv = words(m[1]!.replace(/\[(--[^\]]*(?:\[[^\]]*\])?[^\]]*)\]/g, '$1')).map((w) => (w === '…' ? 'x' : w.replace(/^<(.*)>$/, 'placeholder-$1')));
    found.push({ page, line: i + 1, text: code, argv });
  }
  return found;
}

const all = PAGES.flatMap((p) => invocations(p, readFileSync(join(ROOT, p), 'utf8')));

async function parses(argv: string[]): Promise<string | null> {
  const program = new Command('access-ledger').exitOverride().configureOutput({ writeOut: () => undefined, writeErr: () => undefined });
  const io = { stdout: () => undefined, stderr: () => undefined, color: false, interactive: false, now: () => new Date(), env: {} };
  await registerCommands(program, io as never, () => undefined, [], 'all');
  for (const c of program.commands) c.exitOverride().action(() => undefined);
  program.version('0.0.0');
  try {
    await program.parseAsync(argv, { from: 'user' });
    return null;
  } catch (err) {
    if (err instanceof CommanderError && ['commander.helpDisplayed', 'commander.help', 'commander.version'].includes(err.code)) return null;
    return err instanceof Error ? err.message : String(err);
  }
}

describe('every access-ledger command the docs show', () => {
  it('reads synopses, continued lines, quotes and placeholders', () => {
    const page = [
      '```sh',
      'GITHUB_TOKEN=… npx access-ledger verify --repo . --online [--app-login access-ledger[bot]]',
      'access-ledger sweep --repo acme/access [--dry-run]',
      '                    [--format json]',
      'npx --yes access-ledger@0.1.0 sweep --repo "$GITHUB_REPOSITORY"   # a comment',
      '```',
      '```yaml',
      'access-ledger nothing here',
      '```',
    ].join('\n');
    expect(invocations('p.md', page).map((x) => x.argv)).toEqual([
      ['verify', '--repo', '.', '--online', '--app-login', 'access-ledger[bot]'],
      ['sweep', '--repo', 'acme/access', '--dry-run', '--format', 'json'],
      ['sweep', '--repo', '$GITHUB_REPOSITORY'],
    ]);
  });

  it('finds the commands of every page that shows any', () => {
    const pages = new Set(all.map((x) => x.page));
    for (const p of [
      'README.md',
      'docs/install.md',
      'docs/ledger.md',
      'docs/observed-access.md',
      'docs/binder.md',
      'docs/app.md',
      'docs/stale-grants.md',
      'docs/code-scanning.md',
      'docs/doctor.md',
    ])
      expect(pages, p).toContain(p);
    expect(all.length).toBeGreaterThan(25);
  });

  it('an option a command does not have is refused (the check can fail)', async () => {
    expect(await parses(['verify', '--repo', '.', '--no-such-option'])).toMatch(/unknown option/);
    expect(await parses(['drift', '.'])).toMatch(/required option/);
  });

  it.each(all.map((x) => [`${x.page}:${x.line}`, x] as const))('%s', async (_, x) => {
    expect(await parses(x.argv), x.text).toBeNull();
  });
});
