/** Option values every command reads the same way: a mistake is a usage error (exit 2) saying what was meant. */
import { isIsoDate } from '../core/dates.ts';
import { UsageError } from './io.ts';

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/**
 * Why `value` is not a calendar day, or null when it is one. Dates are never rolled over:
 * 2026-02-30 is refused, not read as 2 March.
 */
export function dayProblem(value: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) return 'the form is YYYY-MM-DD';
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (month < 1 || month > 12) return `there is no month ${m[2]}`;
  const last = daysIn(year, month);
  if (day < 1 || day > last) return `${MONTHS[month - 1]} ${year} has ${last} days`;
  return isIsoDate(value) ? null : 'the form is YYYY-MM-DD';
}

/** A UTC calendar day given as an option (`--today`, `--from` …), checked strictly. */
export function parseDay(option: string, value: string): string {
  const problem = dayProblem(value);
  if (problem) throw new UsageError(`${option} must be a date YYYY-MM-DD (a UTC calendar day), not ${JSON.stringify(value)}: ${problem}`);
  return value;
}
