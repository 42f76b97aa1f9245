/** The terminal, as the commands see it: injectable so tests drive commands in-process. */
export interface Io {
  stdout(text: string): void;
  stderr(text: string): void;
  color: boolean;
  /** Progress bars and spinners only on an interactive terminal, never in CI. */
  interactive: boolean;
  now(): Date;
  env: NodeJS.ProcessEnv;
}

/** A mistake in how the command was called: exit 2 with the message, no stack trace. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export function processIo(): Io {
  const tty = Boolean(process.stdout.isTTY);
  const ci = Boolean(process.env.CI) || Boolean(process.env.GITHUB_ACTIONS);
  return {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    color: tty && !process.env.NO_COLOR,
    interactive: tty && !ci,
    now: () => new Date(),
    env: process.env,
  };
}
