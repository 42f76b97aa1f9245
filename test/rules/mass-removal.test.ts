/** mass-removal judges a change against the repo before it: a base snapshot and the changed paths. */
import { describe, expect, it } from 'vitest';
import { CONFIG, human, run, type RunOptions } from './harness.ts';

/** `n` human grant files u0…u(n-1), each with `entries` access entries. */
function people(n: number, entries = 1): Record<string, string> {
  const extra = (k: number) => '  - system: wiki\n    role: editor\n    justification: Writes the on-call runbooks\n    expires: 2027-03-31\n'.repeat(k);
  return Object.fromEntries(Array.from({ length: n }, (_, i) => [`grants/people/u${i}.yaml`, human({ id: `u${i}`, extra: extra(entries - 1) })]));
}

/** Removes the first `k` files of `base`; the changed paths are exactly those. */
function removeFiles(base: Record<string, string>, k: number): { current: Record<string, string>; changed: string[] } {
  const paths = Object.keys(base);
  return { current: Object.fromEntries(paths.slice(k).map((p) => [p, base[p]!])), changed: paths.slice(0, k) };
}

interface MassCase {
  name: string;
  base: Record<string, string>;
  current: Record<string, string>;
  changed: string[];
  options?: RunOptions;
  /** The message fragment and severity, or null when nothing is reported. */
  expect: [fragment: string, severity: 'error' | 'warning'] | null;
}

const ten = people(10);
const twoHundred = people(200);
const cases: MassCase[] = [
  { name: '2 of 10 entries (20%, the limit): not reported', base: ten, ...removeFiles(ten, 2), expect: null },
  {
    name: '3 of 10 entries (30%): a warning',
    base: ten,
    ...removeFiles(ten, 3),
    expect: [
      'this change removes 3 access entries (30% of all access, 3 files deleted), over the limit of 25 entries or 20%: split it, or confirm it is intended and have the admins approve',
      'warning',
    ],
  },
  { name: 'a single revocation is never called out, whatever the share', base: people(2), ...removeFiles(people(2), 1), expect: null },
  { name: '25 of 200 entries: at the limit', base: twoHundred, ...removeFiles(twoHundred, 25), expect: null },
  {
    name: '26 of 200 entries (13%): over the entry limit',
    base: twoHundred,
    ...removeFiles(twoHundred, 26),
    expect: ['removes 26 access entries (13% of all access, 26 files deleted)', 'warning'],
  },
  {
    name: 'entries removed from a file that stays',
    base: {
      ...people(3),
      'grants/people/big.yaml': human({
        id: 'big',
        extra: '  - system: wiki\n    role: editor\n    justification: Writes the on-call runbooks\n    expires: 2027-03-31\n'.repeat(4),
      }),
    },
    current: { ...people(3), 'grants/people/big.yaml': human({ id: 'big' }) },
    changed: ['grants/people/big.yaml'],
    expect: ['removes 4 access entries (50% of all access, 0 files deleted)', 'warning'],
  },
  { name: 'additions are not removals', base: people(3), current: people(10), changed: Object.keys(people(10)).slice(3), expect: null },
  {
    name: 'options through access-ledger.yaml: max_percent 50',
    base: ten,
    ...removeFiles(ten, 3),
    options: { config: CONFIG + 'rules:\n  mass-removal: { options: { max_percent: 50 } }\n' },
    expect: null,
  },
  {
    name: 'the strict pack makes it an error',
    base: ten,
    ...removeFiles(ten, 3),
    options: { config: CONFIG.replace('soc2-baseline', 'strict') },
    expect: ['removes 3 access entries', 'error'],
  },
];

describe('mass-removal', () => {
  it.each(cases)('$name', (c) => {
    const findings = run(c.current, { ...c.options, base: c.base, changed: c.changed, scopes: ['file', 'repo'] }).filter((f) => f.rule === 'mass-removal');
    if (c.expect === null) {
      expect(findings).toEqual([]);
      return;
    }
    expect(findings).toHaveLength(1);
    expect(findings[0]!.message).toContain(c.expect[0]);
    expect(findings[0]!.severity).toBe(c.expect[1]);
    expect(findings[0]!.controls).toContain('SOC2:CC8.1');
    // A finding about the change as a whole, not about a line of a file.
    expect(findings[0]!.file).toBeUndefined();
  });

  it('needs the base: without it (plain validate) nothing is judged', () => {
    const { current, changed } = removeFiles(ten, 5);
    expect(run(current, { changed }).filter((f) => f.rule === 'mass-removal')).toEqual([]);
    expect(run(current, { base: ten }).filter((f) => f.rule === 'mass-removal')).toEqual([]);
  });
});
