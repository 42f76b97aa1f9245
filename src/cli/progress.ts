/**
 * Progress of long commands (export, verify), on stderr so stdout stays the report:
 * - on an interactive terminal, a bar when the total is known and a spinner with a count when it
 *   is not (reading a ledger of unknown length shows `⠹ 12843`, not `12843/1`);
 * - anywhere else (CI, a pipe), one line every 10 seconds while the work lasts, so a long job's log
 *   shows it is alive and how far it got; work shorter than that prints nothing.
 */
import cliProgress from 'cli-progress';
import type { Io } from './io.ts';

export interface Progress {
  /** A new step; `total` 0 (or less) when its size is not known in advance. */
  phase(name: string, total: number): void;
  tick(n?: number): void;
  stop(): void;
}

export interface ProgressOptions {
  /** Seconds between lines when not on a terminal (default 10). */
  everyMs?: number;
}

export const CI_PROGRESS_EVERY_MS = 10_000;

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const BAR_WIDTH = 30;

/** The text of the interactive bar (exported for tests): a bar with value/total, or a spinner and a count. */
export function barText(phase: string, value: number, total: number, frame: number): string {
  const name = phase.padEnd(20);
  if (total <= 0) return `${name} ${SPINNER[frame % SPINNER.length]} ${value}`;
  const done = Math.max(0, Math.min(BAR_WIDTH, Math.round((value / total) * BAR_WIDTH)));
  return `${name} [${'█'.repeat(done)}${'░'.repeat(BAR_WIDTH - done)}] ${value}/${total}`;
}

/** The periodic line of a non-interactive run (exported for tests). */
export function lineText(label: string, phase: string, value: number, total: number, elapsedMs: number): string {
  const count = total > 0 ? `${value}/${total}` : `${value} so far`;
  return `${label}: ${phase}, ${count} (${Math.round(elapsedMs / 1000)} s elapsed)`;
}

function terminalProgress(): Progress {
  let phase = '';
  let total = 0;
  let frame = 0;
  const bar = new cliProgress.SingleBar(
    {
      format: (_options, params) => barText(phase, params.value, total, frame++),
      stream: process.stderr,
      hideCursor: true,
      clearOnComplete: true,
      fps: 10,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    phase(name, size) {
      phase = name;
      total = Math.max(size, 0);
      // cli-progress needs a positive total; the text above decides what is shown.
      if (!started) {
        bar.start(Math.max(1, size), 0);
        started = true;
      } else {
        bar.setTotal(Math.max(1, size));
        bar.update(0);
      }
    },
    tick(n = 1) {
      if (started) bar.increment(n);
    },
    stop() {
      if (started) bar.stop();
      started = false;
    },
  };
}

/** Lines every `everyMs` on stderr: checked on each tick, and by a timer while a step makes no ticks. */
function periodicProgress(io: Io, label: string, everyMs: number): Progress {
  const started = io.now().getTime();
  let last = started;
  let phase = 'starting';
  let value = 0;
  let total = 0;
  let stopped = false;
  const check = (): void => {
    if (stopped) return;
    const now = io.now().getTime();
    if (now - last < everyMs) return;
    last = now;
    io.stderr(`${lineText(label, phase, value, total, now - started)}\n`);
  };
  const timer = setInterval(check, everyMs);
  timer.unref();
  return {
    phase(name, size) {
      phase = name;
      total = Math.max(size, 0);
      value = 0;
      check();
    },
    tick(n = 1) {
      value += n;
      check();
    },
    stop() {
      stopped = true;
      clearInterval(timer);
    },
  };
}

export function progressFor(io: Io, label: string, options: ProgressOptions = {}): Progress {
  if (io.interactive) return terminalProgress();
  return periodicProgress(io, label, options.everyMs ?? CI_PROGRESS_EVERY_MS);
}
