/**
 * The TARGET lines benchmarks print (bench/targets.ts) and the table `npm run bench` makes of them:
 * each target written as one tab-separated line, read back the same, a line that only looks like
 * one refused by name, lines split anywhere across a stream's chunks, and the summary counting
 * what was met, missed and not measured.
 */
import { describe, expect, it } from 'vitest';
import { TargetCollector, formatTarget, parseTargetLine, targetSummary, targetTable, type Target, type TargetLine } from '../../bench/targets.ts';

const base: Target = { bench: 'export', what: 'export: wall time, median', measured: 18.404, unit: 's', comparison: '<', limit: 30, met: true };

describe('bench targets: one line per target', () => {
  it.each<[string, Partial<Target>, string]>([
    ['an upper bound met', {}, 'TARGET\texport\texport: wall time, median\t18.40 s\t< 30 s\t0.61\tmet'],
    ['an upper bound missed', { measured: 71.94, met: false }, 'TARGET\texport\texport: wall time, median\t71.94 s\t< 30 s\t2.40\tNOT met'],
    [
      'a ratio to the floor, its figure the benchmark’s own ratio',
      { bench: 'validate', what: '10,000 files: CPU ratio', measured: 1.12, unit: '× floor', comparison: '<=', limit: 1.3, met: true },
      'TARGET\tvalidate\t10,000 files: CPU ratio\t1.12 × floor\t<= 1.3 × floor\t0.86\tmet',
    ],
    [
      'a lower bound',
      { measured: 1.098, unit: 's', comparison: '>=', limit: 1.1, met: false, digits: 3 },
      'TARGET\texport\texport: wall time, median\t1.098 s\t>= 1.1 s\t1.00\tNOT met',
    ],
    ['whole units', { measured: 992.4, unit: 'MB', limit: 1024, digits: 0 }, 'TARGET\texport\texport: wall time, median\t992 MB\t< 1024 MB\t0.97\tmet'],
    [
      'a limit of 0 has no ratio',
      { measured: 0, unit: 'calls', comparison: '<=', limit: 0, digits: 0 },
      'TARGET\texport\texport: wall time, median\t0 calls\t<= 0 calls\t-\tmet',
    ],
    ['a size this run did not reach', { measured: null, met: null }, 'TARGET\texport\texport: wall time, median\t-\t< 30 s\t-\tnot measured'],
    ['a burst that never finished', { measured: null, met: false }, 'TARGET\texport\texport: wall time, median\t-\t< 30 s\t-\tNOT met'],
  ])('%s', (_, change, line) => {
    const target = { ...base, ...change };
    expect(formatTarget(target)).toBe(line);
    expect(parseTargetLine(line)).toEqual({
      bench: target.bench,
      what: target.what,
      measured: line.split('\t')[3],
      limit: line.split('\t')[4],
      ratio: line.split('\t')[5],
      result: line.split('\t')[6],
    });
  });

  it('the verdict is the benchmark’s, not recomputed from the rounded figure', () => {
    // 1.3004 shows as 1.30 yet misses "≤ 1.3": the line keeps the benchmark's judgment.
    expect(formatTarget({ ...base, measured: 1.3004, limit: 1.3, comparison: '<=', met: false })).toMatch(/\t1\.30 s\t<= 1\.3 s\t1\.00\tNOT met$/);
  });

  it.each<[string, Partial<Target>, RegExp]>([
    ['a tab in the name', { what: 'export\twall time' }, /without tabs/],
    ['a newline in the name', { what: 'export\nTARGET\tforged' }, /without tabs/],
    ['an empty benchmark name', { bench: '' }, /one line of text/],
    ['a tab in the unit', { unit: 's\tx' }, /without tabs/],
    ['a figure that is not a number', { measured: Number.NaN }, /finite number or null/],
    ['an infinite figure', { measured: Number.POSITIVE_INFINITY }, /finite number or null/],
    ['a limit in exponent notation', { limit: 1e-7 }, /plain notation/],
    ['an unknown comparison', { comparison: '==' as Target['comparison'] }, /comparison must be one of/],
    ['met without a figure', { measured: null, met: true }, /cannot be met without a measured figure/],
    ['a figure without a verdict', { met: null }, /is met or not/],
  ])('refuses %s', (_, change, message) => {
    expect(() => formatTarget({ ...base, ...change })).toThrow(message);
  });
});

describe('bench targets: reading the lines back', () => {
  it.each([
    ['an ordinary line of output', '37 grants: floor 313 ms CPU, ratio 1.89'],
    ['a word that only starts like one', 'TARGETS: export time met'],
    ['an empty line', ''],
  ])('%s is no target', (_, line) => {
    expect(parseTargetLine(line)).toBeNull();
  });

  it.each([
    ['too few fields', 'TARGET\texport\texport: wall time\t18.40 s\t< 30 s\tmet', /6 fields, not 7/],
    ['too many fields', 'TARGET\texport\twhat\t18.40 s\t< 30 s\t0.61\tmet\textra', /8 fields, not 7/],
    ['no name', 'TARGET\texport\t\t18.40 s\t< 30 s\t0.61\tmet', /no benchmark or no name/],
    ['a verdict of its own', 'TARGET\texport\twhat\t18.40 s\t< 30 s\t0.61\tok', /result is not one of/],
    ['a figure without its unit', 'TARGET\texport\twhat\t18.40\t< 30 s\t0.61\tmet', /measured is not a number and a unit/],
    ['a limit without its comparison', 'TARGET\texport\twhat\t18.40 s\t30 s\t0.61\tmet', /limit is not a comparison/],
    ['a ratio in words', 'TARGET\texport\twhat\t18.40 s\t< 30 s\tlow\tmet', /ratio is not a number/],
    ['met without a figure', 'TARGET\texport\twhat\t-\t< 30 s\t-\tmet', /met without a measured figure/],
    ['a figure yet not measured', 'TARGET\texport\twhat\t18.40 s\t< 30 s\t0.61\tnot measured', /a measured figure, yet not measured/],
  ])('refuses a line with %s, quoting it', (_, line, message) => {
    expect(() => parseTargetLine(line)).toThrow(message);
    expect(() => parseTargetLine(line)).toThrow(JSON.stringify(line));
  });

  it('collects the lines of a stream split anywhere, and keeps a malformed one as a problem', () => {
    const lines = [
      'export: 18.40 s wall',
      formatTarget(base),
      formatTarget({ ...base, what: 'verify: wall time, median', measured: 23.29, limit: 10, met: false }),
      'TARGET\texport\tbroken',
      formatTarget({ ...base, what: 'export: peak RSS, highest', measured: 992, unit: 'MB', limit: 1024, digits: 0 }),
    ];
    const text = lines.join('\n');
    for (const size of [1, 3, 7, text.length]) {
      const c = new TargetCollector();
      for (let i = 0; i < text.length; i += size) c.push(Buffer.from(text.slice(i, i + size)));
      c.end();
      expect(c.targets.map((t) => `${t.what}: ${t.result}`)).toEqual([
        'export: wall time, median: met',
        'verify: wall time, median: NOT met',
        'export: peak RSS, highest: met',
      ]);
      expect(c.problems).toEqual([expect.stringMatching(/^malformed target line \(3 fields, not 7\): "TARGET\\texport\\tbroken"$/)]);
    }
  });
});

describe('bench targets: the table at the end of a run', () => {
  const lines: TargetLine[] = [
    parseTargetLine(formatTarget(base))!,
    parseTargetLine(formatTarget({ ...base, what: 'verify: wall time, median', measured: 23.29, limit: 10, met: false }))!,
    parseTargetLine(formatTarget({ bench: 'validate', what: '100,000 files: peak RSS', measured: null, unit: 'MB', comparison: '<', limit: 1536, met: null }))!,
  ];

  it('one row per target under a header, every column aligned', () => {
    const table = targetTable(lines);
    expect(table).toEqual([
      'benchmark  target                     measured      limit  ratio  result',
      'export     export: wall time, median   18.40 s     < 30 s   0.61  met',
      'export     verify: wall time, median   23.29 s     < 10 s   2.33  NOT met',
      'validate   100,000 files: peak RSS           -  < 1536 MB      -  not measured',
    ]);
  });

  it('counts the targets met of those measured, says how many were not measured, and names each missed one', () => {
    expect(targetSummary(lines)).toEqual([
      '1 of 2 targets met; 1 not measured in this run (a size it did not reach).',
      'NOT met: export: verify: wall time, median (23.29 s, limit < 10 s).',
    ]);
    expect(targetSummary(lines.slice(0, 1))).toEqual(['1 of 1 targets met.']);
    expect(targetSummary([])).toEqual(['0 of 0 targets met.']);
  });
});
