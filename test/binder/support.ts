/** Running the CLI in-process against a fixture, and reading what it wrote. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../src/cli/main.ts';
import type { Io } from '../../src/cli/io.ts';

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

export async function run(argv: string[], now = '2026-11-20T10:00:00Z', env: NodeJS.ProcessEnv = {}): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const io: Io = {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    color: false,
    interactive: false,
    now: () => new Date(now),
    env,
  };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}

export function readJson<T = any>(dir: string, path: string): T {
  return JSON.parse(readFileSync(join(dir, path), 'utf8')) as T;
}
