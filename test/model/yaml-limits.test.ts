/**
 * The reader's limits at their edges, and the linear checks that replaced the parser's own held
 * to what they replaced: the emptiness check to its old pattern, the duplicate-key check to the
 * parser's (on generated mappings).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { MAX_ALIASES, MAX_DEPTH, MAX_TOKENS, isBlankYaml, parseYamlFile } from '../../src/core/model/yaml-file.ts';

const lines = (n: number, line: (i: number) => string): string => Array.from({ length: n }, (_, i) => line(i)).join('');
const messages = (text: string) => parseYamlFile('grants/x.yaml', text).problems.map((p) => `${p.line}:${p.column} ${p.message}`);

describe('the emptiness check', () => {
  it('agrees with the pattern it replaced (short texts, where the pattern is fast enough)', () => {
    const old = /^(\s*#[^\n]*\n?|\s*---\s*\n?)*\s*$/;
    const text = fc.array(fc.constantFrom('#', '-', '---', ' ', '\n', '\t', 'x', '\r', '\u00a0', ':'), { maxLength: 12 }).map((xs) => xs.join(''));
    fc.assert(
      fc.property(text, (t) => void expect(isBlankYaml(t), JSON.stringify(t)).toBe(old.test(t))),
      { numRuns: 5000 },
    );
  });

  it('reads comment lines before a value once (the pattern backtracked exponentially)', () => {
    expect(isBlankYaml('#\n'.repeat(100_000) + 'x')).toBe(false);
    expect(isBlankYaml('#\n'.repeat(100_000) + '---\n')).toBe(true);
  });
});

describe('duplicate keys, found with a set per mapping', () => {
  const key = fc.constantFrom('a', 'b', '"a"', "'a'", '1', '"1"', '01', '1.0', 'true', 'null', '~', '0x1', 'a b');
  it('are the keys the parser calls duplicates, at the same lines', () => {
    const block = fc.array(key, { minLength: 1, maxLength: 8 }).map((ks) => ks.map((k, i) => `${k}: ${i}\n`).join(''));
    const flow = fc.array(key, { minLength: 1, maxLength: 8 }).map((ks) => `x: {${ks.map((k, i) => `${k}: ${i}`).join(', ')}}\n`);
    fc.assert(
      fc.property(fc.oneof(block, flow), (text) => {
        const doc = parseAllDocuments(text, { uniqueKeys: true, prettyErrors: true })[0]!;
        const want = doc.errors.filter((e) => e.code === 'DUPLICATE_KEY').map((e) => `${e.linePos![0].line}`);
        const got = parseYamlFile('x.yaml', text)
          .problems.filter((p) => p.message.startsWith('a key appears twice'))
          .map((p) => `${p.line}`);
        // One finding per line, as for every YAML error.
        expect(got, text).toEqual([...new Set(want)]);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('limits at their edges', () => {
  // Five tokens a line: the key, the colon, a space, the value and the line break.
  it(`${MAX_TOKENS} tokens are read; one more stops the reading at its line`, () => {
    expect(messages(lines(MAX_TOKENS / 5, (i) => `k${i}: 1\n`))).toEqual([]);
    expect(messages(lines(MAX_TOKENS / 5, (i) => `k${i}: 1\n`) + 'z')).toEqual([
      `${MAX_TOKENS / 5 + 1}:1 the file holds more than 50,000 YAML tokens (keys, values, punctuation, comments and line breaks), more than a grant file of 500 access entries needs, and reading stopped at this line: keep one identity per file and remove what does not belong to its grant`,
    ]);
  });

  it(`${MAX_ALIASES} aliases are expanded; the next one is refused at its position`, () => {
    const aliases = (n: number) => `a: &x 1\nb: [${Array.from({ length: n }, () => '*x').join(', ')}]\n`;
    expect(messages(aliases(MAX_ALIASES))).toEqual([]);
    expect(parseYamlFile('x.yaml', aliases(MAX_ALIASES)).value).toEqual({ a: 1, b: Array(MAX_ALIASES).fill(1) });
    expect(messages(aliases(MAX_ALIASES + 1))).toEqual([
      `2:${5 + MAX_ALIASES * 4} the file uses YAML aliases beyond the limit of 50 expansions: write the values out instead of using anchors and aliases`,
    ]);
  });

  it(`${MAX_DEPTH} levels are read, as written and through an alias; one more is refused where it starts`, () => {
    const nest = (n: number, inner: string) => '['.repeat(n) + inner + ']'.repeat(n);
    expect(messages(`a: ${nest(MAX_DEPTH - 1, '1')}\n`)).toEqual([]);
    expect(messages(`a: &d ${nest(10, '1')}\nb: ${nest(MAX_DEPTH - 11, '*d')}\n`)).toEqual([]);
    expect(messages(`a: &d ${nest(10, '1')}\nb: ${nest(MAX_DEPTH - 10, '*d')}\n`)).toEqual([
      `2:${4 + MAX_DEPTH - 10} the document nests deeper than 24 levels: grant files are shallow; flatten it`,
    ]);
  });

  it('text: aliases of a long value may not expand past what a file may hold', () => {
    const long = 'x'.repeat(400_000);
    expect(messages(`a: &t ${long}\nb: *t\n`)).toEqual([]);
    expect(messages(`a: &t ${long}\nb: *t\nc: *t\n`)).toEqual([
      '3:4 expanding the YAML aliases up to this one would give more than 50,000 values or more than 1 MiB of text, more than the file may hold: write the values out instead of using anchors and aliases',
    ]);
  });

  it('the first 100 YAML warnings and a count of the rest, still warnings', () => {
    // A tag the schema does not know is a warning, and the value is still read.
    const text = lines(150, (i) => `k${i}: !unknown v\n`);
    const problems = parseYamlFile('x.yaml', text).problems;
    expect(problems).toHaveLength(101);
    expect(problems.every((p) => p.severity === 'warning')).toBe(true);
    expect(problems[100]).toMatchObject({
      line: 101,
      message: '50 more YAML warnings in this file are not listed: fix the ones listed and check the file again',
    });
  });
});
