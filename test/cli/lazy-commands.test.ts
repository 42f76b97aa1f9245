/**
 * The CLI loads only the command it runs: the top-level help lists every command from the
 * registry's table without loading them, and reads exactly as it does with every command loaded;
 * each command's own help is the loaded command's; and `validate` starts without Octokit, Probot
 * or the binder (checked in a fresh process, by the modules it loaded).
 */
import { spawnSync } from 'node:child_process';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { COMMANDS, commandOf, registerCommands } from '../../src/cli/commands/registry.ts';
import { EXAMPLES, addExamples } from '../../src/cli/help.ts';
import type { Io } from '../../src/cli/io.ts';
import { ROOT } from './run-cli.ts';

function io(): Io & { out: string; err: string } {
  const t = {
    out: '',
    err: '',
    color: false,
    interactive: false,
    env: {},
    now: () => new Date('2026-11-26T12:00:00Z'),
    stdout: (s: string) => void (t.out += s),
    stderr: (s: string) => void (t.err += s),
  };
  return t;
}

/** The top-level help with every command loaded: what the CLI printed before commands were loaded lazily. */
async function eagerHelp(): Promise<string> {
  const t = io();
  const program = new Command('access-ledger')
    .description('Access-as-code with evidence an auditor accepts')
    .exitOverride()
    .configureOutput({ writeOut: (s) => t.stdout(s), writeErr: (s) => t.stderr(s) });
  const { VERSION } = await import('../../src/core/version.ts');
  program.version(VERSION).showHelpAfterError('(run access-ledger --help for usage)');
  await registerCommands(program, t, () => undefined, [], 'all');
  addExamples(program);
  try {
    await program.parseAsync(['--help'], { from: 'user' });
  } catch {
    /* commander's help exit */
  }
  return t.out;
}

describe('commands are loaded only when they run', () => {
  it('the top-level help lists every command exactly as with every command loaded', async () => {
    const eager = await eagerHelp();
    for (const c of COMMANDS) expect(eager).toContain(`  ${c.term}`);
    for (const argv of [['--help'], ['help'], ['-h']]) {
      const t = io();
      expect(await main(argv, t)).toBe(0);
      expect(t.out).toBe(eager);
    }
  });

  it("each entry's term is what commander prints for the loaded command", async () => {
    const program = new Command('access-ledger');
    await registerCommands(program, io(), () => undefined, [], 'all');
    const help = program.createHelp();
    expect(program.commands.map((c) => help.subcommandTerm(c))).toEqual(COMMANDS.map((c) => c.term));
  });

  it('a command’s help is the loaded command’s, with its options and examples', async () => {
    for (const c of COMMANDS) {
      const a = io();
      const b = io();
      expect(await main([c.name, '--help'], a)).toBe(0);
      expect(await main(['help', c.name], b)).toBe(0);
      expect(a.out).toBe(b.out);
      expect(a.out).toContain(`Usage: access-ledger ${c.name}`);
      if (EXAMPLES[c.name]) expect(a.out).toContain('Examples:');
    }
    const t = io();
    await main(['verify', '--help'], t);
    expect(t.out).toContain('--app-login <login>');
  });

  it('a typo still gets "did you mean", and an unknown command exit 2', async () => {
    const t = io();
    expect(await main(['valdate'], t)).toBe(2);
    expect(t.err).toContain("unknown command 'valdate'");
    expect(t.err).toContain('(Did you mean validate?)');
  });

  it.each([
    [['validate', '.'], 'validate'],
    [['--version'], undefined],
    [['help', 'sweep'], 'sweep'],
    [['-h', 'export'], 'export'],
    [['nonsense'], undefined],
    [['verify', '--repo', 'validate'], 'verify'],
  ])('commandOf(%j) is %s', (argv, name) => {
    expect(commandOf(argv as string[])).toBe(name);
  });

  it('validate runs without loading Octokit, Probot, the binder or the other commands', () => {
    // A fresh process records every module it loads (Node's module hooks), then validates the example repo.
    const script = `
      import { registerHooks } from 'node:module';
      const loaded = [];
      registerHooks({ load(url, context, next) { loaded.push(url); return next(url, context); } });
      const { main } = await import('./src/cli/main.ts');
      const out = [];
      const code = await main(['validate', 'examples/access-repo', '--today', '2026-11-26'], { stdout: (s) => out.push(s), stderr: (s) => out.push(s), color: false, interactive: false, now: () => new Date(), env: {} });
      process.stdout.write(JSON.stringify({ code, loaded }));
    `;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    const { code, loaded } = JSON.parse(r.stdout) as { code: number; loaded: string[] };
    expect(code).toBe(0);
    expect(loaded.some((u) => u.includes('/src/cli/commands/validate.ts'))).toBe(true);
    const heavy = loaded.filter((u) =>
      /node_modules\/(@octokit|probot|piscina|tar-stream|cli-progress)\/|\/src\/(core\/binder|core\/ledger|app|adapters\/github|adapters\/git)\/|\/src\/cli\/commands\/(?!validate|registry|descriptions)/.test(
        u,
      ),
    );
    expect(heavy).toEqual([]);
  }, 60_000);
});
