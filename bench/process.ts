/**
 * Runs one measured process: `node --import bench/usage.mjs <args>`, and returns what it printed
 * with its whole CPU time, true peak RSS and wall time (bench/usage.mjs). Every figure in
 * docs/performance.md that is a time or a memory comes from here, floors included, so a figure and
 * its floor are always measured the same way.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Measured {
  /** CPU time of the whole process (user + system, all its threads) and of the child processes it waited for, in ms. */
  cpuMs: number;
  /** Of which its child processes (git, for the ledger), in ms. */
  childrenCpuMs: number;
  /** Peak resident memory of the whole process, in MB. */
  maxRssMb: number;
  /** Wall time from spawn to exit, measured by the parent, in ms. */
  wallMs: number;
  stdout: string;
  stderr: string;
  status: number | null;
}

const USAGE = new URL('./usage.mjs', import.meta.url).pathname;

export function measure(args: readonly string[], options: { env?: NodeJS.ProcessEnv; cwd?: string; allowExit?: readonly number[] } = {}): Measured {
  const dir = mkdtempSync(join(tmpdir(), 'bench-usage-'));
  const file = join(dir, 'usage.json');
  try {
    const started = performance.now();
    const r = spawnSync(process.execPath, ['--import', USAGE, ...args], {
      encoding: 'utf8',
      maxBuffer: 1 << 28,
      cwd: options.cwd,
      env: { ...process.env, ...options.env, BENCH_USAGE_FILE: file },
    });
    const wallMs = performance.now() - started;
    const allowed = options.allowExit ?? [0];
    if (r.error || !allowed.includes(r.status ?? -1)) {
      throw new Error(`node ${args.join(' ')} exited ${r.status ?? r.signal}${r.error ? ` (${r.error.message})` : ''}:\n${r.stderr.slice(-4000)}`);
    }
    const usage = JSON.parse(readFileSync(file, 'utf8')) as { cpuMs: number; childrenCpuMs: number; maxRssMb: number };
    return { cpuMs: usage.cpuMs, childrenCpuMs: usage.childrenCpuMs, maxRssMb: usage.maxRssMb, wallMs, stdout: r.stdout, stderr: r.stderr, status: r.status };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
