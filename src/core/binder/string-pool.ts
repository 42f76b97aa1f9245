/**
 * One copy of each string that repeats from file to file and record to record (systems, roles,
 * kinds, logins, days): JSON.parse makes a new string for every occurrence, and a binder of
 * 100,000 grants and records repeats a few thousand distinct values millions of times. A pool
 * lives as long as the export that owns it and keeps every string it is shown, so it is given
 * the few-valued fields only.
 */
export class StringPool {
  private readonly seen = new Map<string, string>();

  /** The pool's copy of `value` (a non-string is returned as is). */
  of<T>(value: T): T {
    if (typeof value !== 'string') return value;
    const known = this.seen.get(value);
    if (known !== undefined) return known as T;
    this.seen.set(value, value);
    return value;
  }

  /** Replaces every string of the array by the pool's copy; returns the array. */
  all<T>(values: T[]): T[] {
    for (let i = 0; i < values.length; i++) values[i] = this.of(values[i]!);
    return values;
  }
}
