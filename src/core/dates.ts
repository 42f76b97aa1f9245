/** Dates in the access repo are UTC calendar days (`YYYY-MM-DD`). All arithmetic happens here. */
import type { IsoDate } from './model/types.ts';

const DAY_MS = 86_400_000;

export function utcDay(at: Date): IsoDate {
  return at.toISOString().slice(0, 10);
}

export function dayNumber(date: IsoDate): number {
  return Math.floor(Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10))) / DAY_MS);
}

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: IsoDate, to: IsoDate): number {
  return dayNumber(to) - dayNumber(from);
}

export function addDays(date: IsoDate, days: number): IsoDate {
  return new Date((dayNumber(date) + days) * DAY_MS).toISOString().slice(0, 10);
}

export function isIsoDate(value: unknown): value is IsoDate {
  return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value) && addDays(value, 0) === value;
}
