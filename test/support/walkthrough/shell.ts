/**
 * A terminal a reader follows a runbook in: each command runs in bash, and what it leaves behind
 * for the next one (the working directory, exported variables) carries over, as in one shell
 * session. Every process is bounded by a timeout; background commands (a server) are started in
 * their own process group and stopped by that group's id.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Variables bash sets for itself, which a session does not carry over. */
const SHELL_OWN = new Set(['_', 'SHLVL', 'PWD', 'OLDPWD']);

export class ShellSession {
  cwd: string;
  env: NodeJS.ProcessEnv;
  private readonly stateDir = mkdtempSync(join(tmpdir(), 'access-ledger-shell-'));
  private readonly background = new Set<ChildProcess>();

  constructor(cwd: string, env: NodeJS.ProcessEnv) {
    this.cwd = cwd;
    this.env = { ...env };
  }

  /** Runs one command line as `bash -c`, with `set -e -o pipefail`; its directory and exports carry over. */
  run(command: string, options: { timeoutMs?: number } = {}): Promise<CommandResult> {
    const envFile = join(this.stateDir, 'env');
    const cwdFile = join(this.stateDir, 'cwd');
    rmSync(envFile, { force: true });
    rmSync(cwdFile, { force: true });
    const script = `trap 'env -0 > ${quote(envFile)}; pwd > ${quote(cwdFile)}' EXIT\nset -e -o pipefail\n${command}\n`;
    return new Promise((resolve, reject) => {
      const child = spawn('bash', ['-c', script], { cwd: this.cwd, env: this.env, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
      child.on('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      child.on('close', (code) => {
        clearTimeout(timer);
        if (existsSync(cwdFile)) this.cwd = readFileSync(cwdFile, 'utf8').trim();
        if (existsSync(envFile)) {
          const next: NodeJS.ProcessEnv = {};
          for (const pair of readFileSync(envFile, 'utf8').split('\0')) {
            const eq = pair.indexOf('=');
            if (eq <= 0) continue;
            const name = pair.slice(0, eq);
            if (!SHELL_OWN.has(name)) next[name] = pair.slice(eq + 1);
          }
          this.env = next;
        }
        resolve({ code, stdout, stderr });
      });
    });
  }

  /**
   * Starts a long-running command (`exec`ed by bash, so its process is the group's leader) in the
   * session's directory and environment; `stop` ends it. Output is collected in `log`.
   */
  start(command: string): { pid: number; readonly log: string; readonly exited: boolean; stop(): Promise<void> } {
    const child = spawn('bash', ['-c', `exec ${command}`], { cwd: this.cwd, env: this.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    this.background.add(child);
    let log = '';
    let exited = false;
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (log += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (log += d));
    const done = new Promise<void>((resolve) =>
      child.on('close', () => {
        exited = true;
        this.background.delete(child);
        resolve();
      }),
    );
    const pid = child.pid!;
    return {
      pid,
      get log() {
        return log;
      },
      get exited() {
        return exited;
      },
      async stop() {
        if (exited) return;
        // The command's own process group: npx and the server it runs.
        process.kill(-pid, 'SIGTERM');
        const timer = setTimeout(() => {
          if (!exited) process.kill(-pid, 'SIGKILL');
        }, 40_000);
        await done;
        clearTimeout(timer);
      },
    };
  }

  /** Kills whatever this session started in the background and is still running. */
  killBackground(): void {
    for (const child of this.background) if (child.pid) process.kill(-child.pid, 'SIGKILL');
    this.background.clear();
    rmSync(this.stateDir, { recursive: true, force: true });
  }
}

function quote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}
