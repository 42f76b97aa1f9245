/**
 * Reading the cells of a system's export: booleans, dates and times as systems write them, and
 * names as messages show them. A value that is neither empty, a known "none" word nor readable is
 * an error naming where it is: a misread date must never pass as "never used". Pure.
 */
import { dayNumber } from '../dates.ts';
import { plainLine } from '../text/escape.ts';
import { ObserveError } from './types.ts';

/** Words systems write for "no value": AWS's credential report, PostgreSQL, Google Workspace, Okta. */
const NONE = new Set(['', 'n/a', 'na', 'none', 'null', 'nil', 'no_information', 'not_supported', 'never', 'never logged in', 'infinity', '-']);
const TRUE = new Set(['true', 't', 'yes', 'y', '1', 'on', 'enabled', 'active']);
const FALSE = new Set(['false', 'f', 'no', 'n', '0', 'off', 'disabled', 'inactive']);

/** A cell as text: strings as they are, numbers and booleans printed, anything else (objects, arrays) refused. */
export function cellText(value: unknown, where: string): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new ObserveError(
    `${where} holds ${Array.isArray(value) ? 'a list' : 'an object'} where a single value belongs: map the column to a field that holds text`,
  );
}

/** true, false, or null for an empty or "none" cell; anything else is an error at `where`. */
export function parseBool(value: unknown, where: string): boolean | null {
  if (typeof value === 'boolean') return value;
  const text = cellText(value, where);
  if (text === null) return null;
  const t = text.trim().toLowerCase();
  if (NONE.has(t)) return null;
  if (TRUE.has(t)) return true;
  if (FALSE.has(t)) return false;
  throw new ObserveError(`${where} is ${shown(text)}, which is neither true nor false: use true/false, t/f, yes/no or 1/0`);
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
/** ISO 8601 and the forms databases print: `2026-11-20T10:00:00+00:00`, `2026-11-20 10:00:00+00`, fractions, `Z`. */
const DATE_TIME = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/**
 * A date or time as `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM:SSZ` (UTC), or null for an empty or "none"
 * cell (and for the epoch, 1970-01-01T00:00:00Z, which systems write for "never"). A time without
 * a zone is read as UTC. Anything else is an error at `where`.
 */
export function parseTime(value: unknown, where: string): string | null {
  const text = cellText(value, where);
  if (text === null) return null;
  const t = text.trim();
  if (NONE.has(t.toLowerCase())) return null;
  if (DATE_ONLY.test(t)) {
    const d = new Date(`${t}T00:00:00Z`);
    if (!Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === t) return t;
  } else {
    const m = DATE_TIME.exec(t);
    if (m) {
      let zone = m[3] ?? 'Z';
      if (/^[+-]\d{2}$/.test(zone)) zone += ':00';
      else if (/^[+-]\d{4}$/.test(zone)) zone = `${zone.slice(0, 3)}:${zone.slice(3)}`;
      const time = m[2]!.length === 5 ? `${m[2]}:00` : m[2]!;
      const d = new Date(`${m[1]}T${time}${zone.toUpperCase()}`);
      // Google Workspace and others write the epoch for "never signed in".
      if (!Number.isNaN(d.getTime()) && new Date(`${m[1]}T00:00:00Z`).toISOString().slice(0, 10) === m[1])
        return d.getTime() === 0 ? null : d.toISOString().slice(0, 19) + 'Z';
    }
  }
  throw new ObserveError(
    `${where} is ${shown(text)}, which is not a date or time: the export should hold ISO 8601 times (2026-11-20T10:00:00Z), days (2026-11-20) or an empty cell`,
  );
}

/** The later of two times (either may be null). Days and times compare by their text, which sorts in time order. */
export function later(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return a.slice(0, 19) >= b.slice(0, 19) ? a : b;
}

/** Whole days from `from` (a day or a time) to `to` (a day or a time), by UTC calendar day. */
export function daysSince(from: string, to: string): number {
  return dayNumber(to.slice(0, 10)) - dayNumber(from.slice(0, 10));
}

/**
 * A name from a system's export as a message shows it: one line, no control characters, masked,
 * cut to 120 characters, and never starting with a character a spreadsheet would run as a
 * formula (= + - @ tab CR get a leading apostrophe), in backticks.
 */
export function shown(name: unknown): string {
  return `\`${accountLabel(name)}\``;
}

/**
 * A name from a system's export as a finding's `account` holds it: `shown` without the backticks.
 * Two names compare equal here when the system's names do (after `nameKey`), but for names cut at
 * 120 characters or masked as secrets.
 */
export function accountLabel(name: unknown): string {
  const text = plainLine(String(name ?? ''), 120).replace(/`/g, "'");
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

/** Lower-cased, trimmed: how names are compared. */
export function nameKey(name: string): string {
  return name.trim().toLowerCase();
}
