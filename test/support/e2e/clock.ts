/**
 * The story's clock: one clock for the fake GitHub and for every process the harness starts (the
 * gate, the App, the CLI load clock-preload.mjs), so every timestamp a record, a commit, a review
 * or the binder shows comes from it. It is the wall clock shifted by an offset that only grows:
 * time passes as it does, and the story moves it forward to the next day it tells.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT } from './processes.ts';

const PRELOAD = pathToFileURL(join(ROOT, 'test', 'support', 'e2e', 'clock-preload.mjs')).href;

export class StoryClock {
  private offset: number;
  readonly file: string;

  /** A clock reading `start` now, shared with child processes through `file`. */
  constructor(start: Date, file: string) {
    this.file = file;
    this.offset = start.getTime() - Date.now();
    this.write();
  }

  now(): Date {
    return new Date(Date.now() + this.offset);
  }

  /** The story's UTC day. */
  today(): string {
    return this.now().toISOString().slice(0, 10);
  }

  /** Moves the clock forward to `at` (an ISO time, or a UTC day meaning 09:00 that day); never back. */
  advanceTo(at: string): Date {
    const target = new Date(/^\d{4}-\d{2}-\d{2}$/.test(at) ? `${at}T09:00:00Z` : at).getTime();
    const ahead = target - this.now().getTime();
    if (ahead > 0) {
      this.offset += ahead;
      this.write();
    }
    return this.now();
  }

  /** Moves the clock forward by `minutes`. */
  advance(minutes: number): Date {
    this.offset += Math.max(0, minutes) * 60_000;
    this.write();
    return this.now();
  }

  /** What a child process needs to read this clock. */
  env(): NodeJS.ProcessEnv {
    const inherited = process.env.NODE_OPTIONS?.trim();
    return { E2E_CLOCK_FILE: this.file, NODE_OPTIONS: `${inherited ? `${inherited} ` : ''}--import=${PRELOAD}` };
  }

  private write(): void {
    writeFileSync(this.file, String(this.offset));
  }
}
