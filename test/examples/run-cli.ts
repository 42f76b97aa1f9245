/** Runs the CLI as a user or a CI job would: a separate Node process on bin/access-ledger.js. */
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN = join(ROOT, 'bin', 'access-ledger.js');

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { cwd: ROOT, env: { ...process.env, NO_COLOR: '1', ...env }, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** Every YAML file under `dir`, as repo-relative paths with forward slashes. */
export function yamlFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const full = join(d, e.name);
      if (e.isDirectory()) walk(full);
      else if (/\.ya?ml$/i.test(e.name)) out.push(relative(dir, full).split(sep).join('/'));
    }
  };
  walk(dir);
  return out.sort();
}

export interface Expectation {
  rule: string;
  file: string;
  line: number;
}

/** `# expect: rule-a, rule-b` at the end of a line: those rules are reported at that line. */
const EXPECT = /#\s*expect:\s*([a-z][a-z-]*(?:\s*,\s*[a-z][a-z-]*)*)\s*$/;

export function expectationsIn(dir: string): Expectation[] {
  const out: Expectation[] = [];
  for (const file of yamlFiles(dir)) {
    readFileSync(join(dir, file), 'utf8')
      .split('\n')
      .forEach((text, i) => {
        const m = EXPECT.exec(text);
        if (!m) return;
        for (const rule of m[1]!.split(',')) out.push({ rule: rule.trim(), file, line: i + 1 });
      });
  }
  return out;
}

export const key = (e: { rule: string; file?: string; line?: number }): string => `${e.file ?? '-'}:${e.line ?? '-'} ${e.rule}`;
