/**
 * The CLI as a new user meets it: dates are never rolled over, a typo gets a "did you mean", every
 * command's help shows examples, a missing config or git repository says what to do (exit 2),
 * `--output` writes the report and prints one line, and long work shows progress: a spinner with
 * a count when the total is unknown, and in CI a line every 10 seconds.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import type { Io } from '../../src/cli/io.ts';
import { EXAMPLES } from '../../src/cli/help.ts';
import { dayProblem } from '../../src/cli/options.ts';
import { barText, lineText } from '../../src/cli/progress.ts';
import { buildFixture } from '../binder/fixture.ts';
import { ROOT, runCli } from './run-cli.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function temp(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
}

/** An in-process terminal whose clock moves `stepMs` on every reading. */
function steppingIo(start: string, stepMs: number): Io & { out: string; err: string } {
  let t = new Date(start).getTime();
  const io = {
    out: '',
    err: '',
    color: false,
    interactive: false,
    env: {},
    now: () => new Date((t += stepMs)),
    stdout: (s: string) => void (io.out += s),
    stderr: (s: string) => void (io.err += s),
  };
  return io;
}

describe('dates are strict: a day that does not exist is refused, never rolled over', () => {
  it.each([
    ['2026-02-30', 'February 2026 has 28 days'],
    ['2028-02-30', 'February 2028 has 29 days'],
    ['2026-04-31', 'April 2026 has 30 days'],
    ['2026-13-01', 'there is no month 13'],
    ['2026-00-10', 'there is no month 00'],
    ['2026-1-5', 'the form is YYYY-MM-DD'],
    ['tomorrow', 'the form is YYYY-MM-DD'],
  ])('%s: %s', (day, why) => {
    expect(dayProblem(day)).toBe(why);
  });

  it.each(['2028-02-29', '2026-12-31', '2026-01-01'])('%s is a day', (day) => {
    expect(dayProblem(day)).toBeNull();
  });

  it.each([
    [['validate', 'examples/access-repo', '--today', '2026-02-30'], '--today'],
    [['export', '--repo', '.', '--from', '2026-02-30', '--to', '2026-03-31', '--out', '/tmp/never-written'], '--from'],
    [['export', '--repo', '.', '--from', '2026-01-01', '--to', '2026-06-31', '--out', '/tmp/never-written'], '--to'],
    [['sweep', '--repo', 'acme/access', '--token', 't', '--today', '2026-02-29'], '--today'],
    [['reconcile', '--repo', 'acme/access', '--token', 't', '--since', '2026-02-29'], '--since'],
    [['reconcile', '--repo', 'acme/access', '--token', 't', '--since', '2026-02-30T10:00:00Z'], '--since'],
  ])('%j exits 2 naming %s and why, before anything else runs', (args, option) => {
    const r = runCli(args as string[]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      new RegExp(`^access-ledger: ${option} must be a date YYYY-MM-DD \\(a UTC calendar day\\), not "[^"]+": \\w+ \\d{4} has \\d\\d days\\n$`),
    );
  });
});

describe('did you mean', () => {
  it('an unknown system in a grant names the closest system', () => {
    const dir = temp('al-typo-');
    cpSync(join(ROOT, 'examples/access-repo'), dir, { recursive: true });
    const path = join(dir, 'grants/people/anovak.yaml');
    writeFileSync(path, readFileSync(path, 'utf8').replace('- system: prod-postgres', '- system: prod-postgress'));
    const r = runCli(['validate', dir, '--today', '2026-11-26']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/system `prod-postgress` is not defined under systems\/: did you mean `prod-postgres`\?/);
  });

  it('an unknown rule in the config names the closest rule', () => {
    const dir = temp('al-rule-');
    cpSync(join(ROOT, 'examples/access-repo'), dir, { recursive: true });
    const config = join(dir, 'access-ledger.yaml');
    writeFileSync(config, readFileSync(config, 'utf8').replace('  approvals: {', '  aprovals: {'));
    const r = runCli(['validate', dir, '--today', '2026-11-26']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/unknown rule `aprovals`: did you mean `approvals`\?/);
  });
});

describe('--help', () => {
  const commands = ['validate', 'init', 'verify', 'export', 'reconcile', 'sweep', 'doctor', 'serve', 'observe', 'drift', 'import'];

  it('every command has examples, and the list covers every command', () => {
    expect(Object.keys(EXAMPLES).sort()).toEqual([...commands].sort());
  });

  it.each(commands)('%s --help ends with examples of itself', (command) => {
    const r = runCli([command, '--help']);
    expect(r.code).toBe(0);
    const examples = r.stdout.slice(r.stdout.indexOf('\nExamples:\n'));
    expect(examples).toMatch(/^\nExamples:\n {2}\$ /);
    expect(examples).toContain(`access-ledger ${command}`);
  });

  it('the top-level help shows a first example and the exit codes', () => {
    const r = runCli(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('serve');
    expect(r.stdout).toMatch(/Examples:\n {2}\$ access-ledger init/);
    expect(r.stdout).toContain('Exit codes: 0 ok, 1 findings or a verification failure, 2 a usage or runtime error.');
  });
});

describe('a folder that is not an access repo, and a folder that is not a git clone', () => {
  it('validate without access-ledger.yaml is a usage error that says what to do', () => {
    const dir = temp('al-noconfig-');
    const r = runCli(['validate', dir]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      `access-ledger: ${dir} has no access-ledger.yaml: pass the root of an access repo (the folder holding access-ledger.yaml, grants/ and systems/), or start one with \`access-ledger init ${dir} --org <your-org>\`\n`,
    );
  });

  it('--changed-since outside a git work tree names the cause and the fix', () => {
    const dir = temp('al-nogit-');
    cpSync(join(ROOT, 'examples/access-repo'), dir, { recursive: true });
    const r = runCli(['validate', dir, '--changed-since', 'origin/main'], { env: { GIT_CEILING_DIRECTORIES: tmpdir() } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^access-ledger: --changed-since compares with a git ref, and .* is not inside a git work tree: run it in a clone of the access repo \(git clone <url>\), or drop --changed-since to check every file\n$/,
    );
  });

  it('--changed-since without git on PATH says git is missing', () => {
    const dir = temp('al-nogitbin-');
    cpSync(join(ROOT, 'examples/access-repo'), dir, { recursive: true });
    const r = runCli(['validate', dir, '--changed-since', 'origin/main'], { env: { PATH: temp('al-emptypath-') } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/git is not installed or not on PATH: install git, or drop --changed-since/);
  });
});

describe('validate --output', () => {
  it.each(['sarif', 'json', 'text'])('writes the %s report to the file and prints one summary line', (format) => {
    const dir = temp('al-out-');
    const file = join(dir, 'reports', `findings.${format}`);
    const r = runCli(['validate', 'examples/broken-repo', '--today', '2026-11-26', '--format', format, '--output', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(
      new RegExp(`^\\d+ errors, \\d+ warnings in \\d+ files \\(\\d+ grants, \\d+ systems\\); ${format} report written to .*findings\\.${format}\\n$`),
    );
    const written = readFileSync(file, 'utf8');
    const direct = runCli(['validate', 'examples/broken-repo', '--today', '2026-11-26', '--format', format]);
    expect(written).toBe(direct.stdout);
  });

  it('a clean repo says so in the line, exit 0', () => {
    const file = join(temp('al-out-'), 'clean.sarif');
    const r = runCli(['validate', 'examples/access-repo', '--today', '2026-11-26', '-f', 'sarif', '-o', file]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^no problems in \d+ files \(28 grants, 8 systems\); sarif report written to /);
  });

  it('a path that cannot be written is a usage error', () => {
    const r = runCli(['validate', 'examples/access-repo', '--today', '2026-11-26', '--output', '/proc/version/x.sarif']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^access-ledger: --output \/proc\/version\/x\.sarif cannot be written \(\w+\): give a path in a folder you can write to\n$/);
  });
});

describe('progress', () => {
  it('a step of unknown size shows a spinner and a count, never value/1', () => {
    const frames = [0, 1, 2].map((f) => barText('reading ledger', 12843, 0, f));
    for (const text of frames) {
      expect(text).toMatch(/^reading ledger +\S 12843$/);
      expect(text).not.toContain('/');
    }
    expect(new Set(frames).size).toBe(3);
    expect(barText('reading history', 5, 10, 0)).toMatch(/^reading history +\[█{15}░{15}\] 5\/10$/);
  });

  it('in CI, export prints a line every 10 seconds of work, on stderr', async () => {
    const fx = buildFixture();
    try {
      const out = join(temp('al-progress-'), 'binder');
      // Each reading of the clock is 4 seconds later: lines come from the clock, not from timing.
      const io = steppingIo('2026-11-20T10:00:00Z', 4000);
      const code = await main(['export', '--repo', fx.dir, '--from', '2026-01-01', '--to', '2026-06-30', '--out', out], io);
      expect(io.err.split('\n').filter((l) => l && !l.startsWith('access-ledger export: '))).toEqual([]);
      const lines = io.err.trim().split('\n');
      expect(lines.length).toBeGreaterThan(1);
      for (const l of lines) expect(l).toMatch(/^access-ledger export: [a-z ]+, \d+(\/\d+| so far) \(\d+ s elapsed\)$/);
      expect(code).toBe(0);
      expect(io.out).toMatch(/^Binder written to /);
    } finally {
      fx.cleanup();
    }
  });

  it('in CI, a short export prints no progress at all', async () => {
    const fx = buildFixture();
    try {
      const io = steppingIo('2026-11-20T10:00:00Z', 0);
      const code = await main(['export', '--repo', fx.dir, '--from', '2026-01-01', '--to', '2026-06-30', '--out', join(temp('al-progress-'), 'binder')], io);
      expect(code).toBe(0);
      expect(io.err).toBe('');
    } finally {
      fx.cleanup();
    }
  });

  it('in CI, verify prints a line every 10 seconds of work', async () => {
    const fx = buildFixture();
    try {
      const io = steppingIo('2026-11-20T10:00:00Z', 6000);
      const code = await main(['verify', '--repo', fx.dir], io);
      expect(code).toBe(0);
      const lines = io.err.trim().split('\n');
      expect(lines.length).toBeGreaterThan(0);
      for (const l of lines) expect(l).toMatch(/^access-ledger verify: .+ \(\d+ s elapsed\)$/);
    } finally {
      fx.cleanup();
    }
  });

  it('the line names the step, the count and the time', () => {
    expect(lineText('access-ledger export', 'reading history', 120, 400, 20_400)).toBe('access-ledger export: reading history, 120/400 (20 s elapsed)');
    expect(lineText('access-ledger export', 'reading ledger', 9000, 0, 10_000)).toBe('access-ledger export: reading ledger, 9000 so far (10 s elapsed)');
  });
});
