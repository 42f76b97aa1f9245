/**
 * The bad-input corpus: every way a file in an access repo can be wrong gets a clear finding with
 * a file and a line; nothing crashes and nothing passes. Fixtures live in test/fixtures/bad-input/;
 * inputs that cannot sit in git as they are (over 1 MiB, invalid bytes, a BOM, CRLF, secrets) are
 * made here.
 */
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Finding } from '../../src/core/findings.ts';
import { MAX_FILE_BYTES, MAX_TOKENS } from '../../src/core/model/yaml-file.ts';
import { CONFIG, SYSTEMS, run } from '../rules/harness.ts';
import { FAKE_SECRETS, fakePrivateKey } from '../rules/fake-secrets.ts';
import { runCli } from '../examples/run-cli.ts';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'bad-input');
const fixture = (name: string): Buffer => readFileSync(join(FIXTURES, name));

/** A valid human grant; line 10 is `expires`, line 9 `justification`, line 4 `owner`. */
function goodGrant(id: string, fields: { expires?: string; request?: string } = {}): string {
  return [
    'identity:',
    `  id: ${id}`,
    '  kind: human',
    '  owner: carol',
    `  github: ${id}`,
    'access:',
    '  - system: db',
    '    role: readonly',
    '    justification: Investigates incidents from production rows',
    `    expires: ${fields.expires ?? '2027-03-31'}`,
    ...(fields.request !== undefined ? [`    request: ${fields.request}`] : []),
    '',
  ].join('\n');
}

interface Want {
  rule?: string;
  file: string;
  line: number;
  column?: number;
  severity?: 'error' | 'warning';
  message: string;
}

interface BadCase {
  name: string;
  files: Record<string, string | Uint8Array>;
  want: Want[];
  /** Further findings are allowed (only where a parser reports follow-on errors). */
  loose?: boolean;
  /** Text that must never appear in any finding (a secret). */
  secret?: string;
  /** The number of findings, where `want` lists only some of them. */
  count?: number;
}

const bytes = (s: string) => new Uint8Array(Buffer.from(s, 'utf8'));

function nonUtf8(): Uint8Array {
  const b = Buffer.from(goodGrant('non-utf8').replace('owner: carol', 'owner: car\u00e9l'), 'utf8');
  b[b.indexOf(0xc3)] = 0xff; // a byte that can never start a UTF-8 sequence
  return new Uint8Array(b);
}

/** `n` lines made by `line(i)`. */
const lines = (n: number, line: (i: number) => string): string => Array.from({ length: n }, (_, i) => line(i)).join('');
/** The number of lines of a text that ends with a line break. */
const lineCount = (text: string): number => text.split('\n').length - 1;

// Inputs an attacker would write to make judging slow, each under the 1 MiB limit. Each used to
// take seconds to hours; each now gets its finding in time bounded by its size (the figures are
// in docs/performance.md, measured by bench/hostile.mjs; nothing here is timed).
const URL_SECRET = FAKE_SECRETS.find((s) => s.named === 'a password in a URL')!.value;
const ALIASED = goodGrant('alias-49') + 'vendor:\n  notes: &big\n' + lines(2000, (i) => `    k${i}: v\n`);
const ANCHORS = goodGrant('anchors') + 'review:\n' + lines(3000, (i) => `  k${i}: [&a${i} v, *a${i}]\n`);
const UNKNOWN = goodGrant('unknown-many') + lines(5000, (i) => `    x${i}: 1\n`);
const TABS = goodGrant('tabs-many') + 'review:\n' + lines(3000, (i) => `  k${i}:\n\tv\n`);
const WIDE = goodGrant('wide-duplicate') + 'review:\n' + lines(5000, (i) => `  k${i}: v\n`) + '  k5: again\n';
const deepFlow = (n: number, inner: string) => '['.repeat(n) + inner + ']'.repeat(n);

function exactly(size: number, id: string): string {
  const head = goodGrant(id) + '# ';
  return head + 'x'.repeat(size - Buffer.byteLength(head) - 1) + '\n';
}

const CASES: BadCase[] = [
  {
    name: 'malformed YAML (an unclosed flow sequence)',
    files: { 'grants/bad/malformed.yaml': fixture('malformed.yaml') },
    want: [
      {
        file: 'grants/bad/malformed.yaml',
        line: 10,
        column: 5,
        message: 'YAML syntax error (Flow sequence in block collection must be sufficiently indented and end with a ]): fix the syntax at this position',
      },
    ],
  },
  {
    name: 'a duplicate key (a later expires would silently win)',
    files: { 'grants/bad/duplicate-keys.yaml': fixture('duplicate-keys.yaml') },
    want: [
      {
        file: 'grants/bad/duplicate-keys.yaml',
        line: 11,
        column: 5,
        message: 'a key appears twice in the same mapping: keep one (a later value would silently replace the first)',
      },
    ],
  },
  {
    name: 'a YAML alias bomb ("billion laughs")',
    files: { 'grants/bad/alias-bomb.yaml': fixture('alias-bomb.yaml') },
    // Line 3 expands 10 aliases; each *b on line 4 brings 11 (itself and the 10 inside b): the 4th passes 50.
    want: [
      {
        file: 'grants/bad/alias-bomb.yaml',
        line: 4,
        column: 20,
        message: 'the file uses YAML aliases beyond the limit of 50 expansions: write the values out instead of using anchors and aliases',
      },
    ],
  },
  {
    name: 'a deeply nested document (30 levels of mappings)',
    files: { 'grants/bad/deep-nesting.yaml': fixture('deep-nesting.yaml') },
    want: [
      { file: 'grants/bad/deep-nesting.yaml', line: 33, column: 49, message: 'the document nests deeper than 24 levels: grant files are shallow; flatten it' },
    ],
  },
  {
    name: 'a pathologically deep flow sequence (10,000 brackets): no stack overflow escapes',
    files: { 'grants/bad/deep-flow.yaml': goodGrant('deep-flow') + 'review: ' + '['.repeat(10_000) + ']'.repeat(10_000) + '\n' },
    // The parser gives up deep inside the brackets (how deep depends on the stack, so the count
    // of findings varies); each names the file and that line.
    want: [{ file: 'grants/bad/deep-flow.yaml', line: 11, message: 'the document nests deeper than 24 levels' }],
    loose: true,
  },
  {
    name: 'a file over 1 MiB',
    files: { 'grants/bad/huge.yaml': exactly(MAX_FILE_BYTES + 1, 'huge') },
    want: [
      {
        file: 'grants/bad/huge.yaml',
        line: 1,
        column: 1,
        message: `the file is ${MAX_FILE_BYTES + 1} bytes, over the 1 MiB limit: split it, one identity per file`,
      },
    ],
  },
  {
    name: 'non-UTF-8 bytes: the position of the first bad byte',
    files: { 'grants/bad/non-utf8.yaml': nonUtf8() },
    want: [{ file: 'grants/bad/non-utf8.yaml', line: 4, column: 13, message: 'the file is not valid UTF-8: save it as UTF-8 (without a byte-order mark)' }],
  },
  {
    name: 'a Latin-1 file',
    files: { 'grants/bad/latin1.yaml': new Uint8Array(Buffer.from(goodGrant('latin1').replace('carol', 'carél'), 'latin1')) },
    // é is 0xE9 in Latin-1, a lead byte; the decoder notices at the byte after it, so the column
    // is not asserted here (the line is).
    want: [{ file: 'grants/bad/latin1.yaml', line: 4, message: 'the file is not valid UTF-8' }],
  },
  {
    name: 'a byte-order mark',
    files: { 'grants/bad/bom.yaml': new Uint8Array([0xef, 0xbb, 0xbf, ...bytes(goodGrant('bom'))]) },
    want: [{ file: 'grants/bad/bom.yaml', line: 1, column: 1, message: 'the file starts with a byte-order mark: save it as UTF-8 without BOM' }],
  },
  {
    name: 'CRLF line endings: a warning, the file is otherwise read',
    files: { 'grants/bad/crlf.yaml': goodGrant('crlf').replace(/\n/g, '\r\n') },
    want: [{ file: 'grants/bad/crlf.yaml', line: 1, column: 1, severity: 'warning', message: 'the file uses CRLF line endings: save it with LF endings' }],
  },
  {
    name: 'a tab as indentation',
    files: { 'grants/bad/tab-indent.yaml': fixture('tab-indent.yaml') },
    want: [{ file: 'grants/bad/tab-indent.yaml', line: 4, column: 1, message: 'tabs are not allowed as indentation in YAML: indent with spaces' }],
    loose: true,
  },
  {
    name: 'a multi-document file: at the second document',
    files: { 'grants/bad/multi-document.yaml': fixture('multi-document.yaml') },
    want: [
      {
        file: 'grants/bad/multi-document.yaml',
        line: 11,
        column: 1,
        message: 'the file holds more than one YAML document: keep one identity per file and remove the extra `---` section',
      },
    ],
  },
  {
    name: 'wrong types',
    files: { 'grants/bad/wrong-types.yaml': fixture('wrong-types.yaml') },
    want: [
      { file: 'grants/bad/wrong-types.yaml', line: 9, column: 17, message: 'access[0].privileged must be boolean, not text: fix the value' },
      { file: 'grants/bad/wrong-types.yaml', line: 13, column: 18, message: 'review.last_reviewed must be a date, not a number: write it as YYYY-MM-DD' },
    ],
  },
  {
    name: 'unknown keys (typos) with a suggestion',
    files: { 'grants/bad/unknown-keys.yaml': fixture('unknown-keys.yaml') },
    want: [
      { file: 'grants/bad/unknown-keys.yaml', line: 9, column: 5, message: 'unknown key `justfication` under access[0]: did you mean `justification`?' },
      { file: 'grants/bad/unknown-keys.yaml', line: 10, column: 5, message: 'unknown key `expries` under access[0]: did you mean `expires`?' },
    ],
  },
  {
    name: 'an impossible date (2026-02-30)',
    files: { 'grants/bad/impossible-date.yaml': fixture('impossible-date.yaml') },
    want: [
      {
        file: 'grants/bad/impossible-date.yaml',
        line: 10,
        column: 14,
        message: 'access[0].expires is not a real calendar date: write an existing day as YYYY-MM-DD',
      },
    ],
  },
  {
    name: 'February 29 in a common year',
    files: { 'grants/bad/not-leap.yaml': goodGrant('not-leap', { expires: '2027-02-29' }) },
    want: [{ file: 'grants/bad/not-leap.yaml', line: 10, column: 14, message: 'is not a real calendar date' }],
  },
  {
    name: 'a date-time where a date belongs',
    files: { 'grants/bad/date-time.yaml': fixture('date-time.yaml') },
    want: [
      { file: 'grants/bad/date-time.yaml', line: 10, column: 14, message: 'access[0].expires must be a date (YYYY-MM-DD), not a date-time: write 2027-03-31' },
    ],
  },
  {
    name: 'an identity id that differs from the file name',
    files: { 'grants/bad/id-differs.yaml': fixture('id-differs.yaml') },
    want: [
      {
        rule: 'identity-file-name',
        file: 'grants/bad/id-differs.yaml',
        line: 2,
        column: 7,
        message: 'identity.id `id-differs-from-file` differs from the file name `id-differs`',
      },
    ],
  },
  {
    name: 'the same identity in two files',
    files: {
      'grants/team-a/same-identity.yaml': fixture('same-identity/team-a/same-identity.yaml'),
      'grants/team-b/same-identity.yaml': fixture('same-identity/team-b/same-identity.yaml'),
    },
    want: [
      {
        rule: 'identity-unique',
        file: 'grants/team-a/same-identity.yaml',
        line: 2,
        column: 7,
        message: 'identity `same-identity` is also defined in grants/team-b/same-identity.yaml',
      },
      {
        rule: 'identity-unique',
        file: 'grants/team-b/same-identity.yaml',
        line: 2,
        column: 7,
        message: 'identity `same-identity` is also defined in grants/team-a/same-identity.yaml',
      },
    ],
  },
  {
    name: 'access to an unknown system',
    files: { 'grants/bad/unknown-system.yaml': fixture('unknown-system.yaml') },
    want: [
      { rule: 'system-known', file: 'grants/bad/unknown-system.yaml', line: 11, column: 13, message: 'system `prod-postgress` is not defined under systems/' },
    ],
  },
  {
    name: 'an empty file',
    files: { 'grants/bad/empty.yaml': fixture('empty.yaml') },
    want: [{ file: 'grants/bad/empty.yaml', line: 1, column: 1, message: 'the file is empty: add the definition, or delete the file' }],
  },
  {
    name: 'a file of comments and a document marker only',
    files: { 'grants/bad/comments-only.yaml': fixture('comments-only.yaml') },
    want: [{ file: 'grants/bad/comments-only.yaml', line: 1, column: 1, message: 'the file is empty' }],
  },
  ...FAKE_SECRETS.map(
    (s, i): BadCase => ({
      name: `a value that looks like a secret: ${s.kind}`,
      files: { [`grants/bad/secret-${i}.yaml`]: goodGrant(`secret-${i}`, { request: JSON.stringify(s.value) }) },
      want: [{ rule: 'no-secrets', file: `grants/bad/secret-${i}.yaml`, line: 11, column: 14, message: `access[0].request looks like ${s.named}` }],
      secret: s.value,
    }),
  ),
  {
    name: 'a private key in a block scalar',
    files: {
      'grants/bad/secret-pem.yaml': goodGrant('secret-pem', {
        request:
          '|\n' +
          fakePrivateKey()
            .split('\n')
            .map((l) => '      ' + l)
            .join('\n'),
      }),
    },
    want: [{ rule: 'no-secrets', file: 'grants/bad/secret-pem.yaml', line: 11, message: 'access[0].request looks like a private key' }],
    secret: fakePrivateKey().split('\n')[1]!,
  },
  {
    name: 'a secret pasted into a date field is not quoted back',
    files: { 'grants/bad/secret-date.yaml': goodGrant('secret-date', { expires: FAKE_SECRETS[0]!.value }) },
    want: [
      { file: 'grants/bad/secret-date.yaml', line: 10, column: 14, message: 'access[0].expires is not a real calendar date' },
      {
        rule: 'no-secrets',
        file: 'grants/bad/secret-date.yaml',
        line: 10,
        column: 14,
        message: 'access[0].expires looks like a GitHub token: remove it, rotate the secret',
      },
    ],
    secret: FAKE_SECRETS[0]!.value.slice(4),
  },
  {
    name: 'a secret under an unknown key: the key is named, the value is not',
    files: { 'grants/bad/secret-key.yaml': goodGrant('secret-key') + `    token: ${FAKE_SECRETS[0]!.value}\n` },
    want: [
      { file: 'grants/bad/secret-key.yaml', line: 11, column: 5, message: 'unknown key `token` under access[0]' },
      { rule: 'no-secrets', file: 'grants/bad/secret-key.yaml', line: 11, message: 'access[0].token looks like a GitHub token: remove it, rotate the secret' },
    ],
    secret: FAKE_SECRETS[0]!.value.slice(4),
  },
  {
    name: 'a megabyte value over which the old password-in-a-URL pattern backtracked (a run of letters)',
    files: { 'grants/bad/long-letters.yaml': goodGrant('long-letters', { request: 'a'.repeat(1_000_000) }) },
    want: [{ file: 'grants/bad/long-letters.yaml', line: 11, column: 14, message: 'access[0].request must NOT have more than 500 characters' }],
  },
  {
    name: 'a megabyte value over which the old JSON Web Token pattern backtracked (eyJ- repeated)',
    files: { 'grants/bad/long-jwt.yaml': goodGrant('long-jwt', { request: 'eyJ-'.repeat(250_000) }) },
    want: [{ file: 'grants/bad/long-jwt.yaml', line: 11, column: 14, message: 'access[0].request must NOT have more than 500 characters' }],
  },
  {
    name: 'a password in a URL amid a megabyte of near misses is still found, and not echoed',
    files: {
      'grants/bad/long-secret.yaml': goodGrant('long-secret', {
        request: JSON.stringify(`${'eyJ-'.repeat(120_000)} ${'a://b:cde'.repeat(20_000)} ${URL_SECRET} ${'a'.repeat(300_000)}`),
      }),
    },
    want: [
      { file: 'grants/bad/long-secret.yaml', line: 11, column: 14, message: 'access[0].request must NOT have more than 500 characters' },
      {
        rule: 'no-secrets',
        file: 'grants/bad/long-secret.yaml',
        line: 11,
        column: 14,
        message: 'access[0].request looks like a password in a URL: remove it, rotate the secret',
      },
    ],
    secret: URL_SECRET.split(':')[2]!.split('@')[0]!,
  },
  {
    name: 'a mapping of 100,000 keys (the parser compared each key with every earlier one): reading stops at the token limit',
    files: { 'grants/bad/many-keys.yaml': lines(100_000, (i) => `k${i.toString(36)}: 1\n`) },
    // Five tokens a line (key, colon, space, value, line break): the 50,001st starts line 10,001.
    want: [
      { file: 'grants/bad/many-keys.yaml', line: 10_001, column: 1, message: `the file holds more than ${MAX_TOKENS.toLocaleString('en-US')} YAML tokens` },
    ],
  },
  {
    name: 'a 20 KB file whose aliases expand a mapping of 2,000 keys 49 times: refused before anything is expanded',
    files: { 'grants/bad/alias-49.yaml': ALIASED + `  copies: [${Array.from({ length: 49 }, () => '*big').join(', ')}]\n` },
    // The grant and the anchored mapping hold about 4,030 values; each alias adds 4,001; the 12th passes 50,000.
    want: [
      {
        file: 'grants/bad/alias-49.yaml',
        line: lineCount(ALIASED) + 1,
        column: '  copies: ['.length + 1 + 11 * '*big, '.length,
        message: 'expanding the YAML aliases up to this one would give more than 50,000 values or more than 1 MiB of text',
      },
    ],
  },
  {
    name: '3,000 anchors each aliased once (the parser resolved each alias by scanning every anchor): the 51st alias',
    files: { 'grants/bad/anchors.yaml': ANCHORS },
    want: [
      {
        file: 'grants/bad/anchors.yaml',
        line: lineCount(goodGrant('anchors')) + 2 + 50,
        column: '  k50: [&a50 v, '.length + 1,
        message: 'the file uses YAML aliases beyond the limit of 50 expansions',
      },
    ],
  },
  {
    name: 'an alias inside the node it names (endless data)',
    files: { 'grants/bad/alias-cycle.yaml': goodGrant('alias-cycle') + 'review: &r\n  loop: *r\n' },
    want: [
      { file: 'grants/bad/alias-cycle.yaml', line: 12, column: 9, message: 'an alias refers to the node that contains it, which would make the data endless' },
    ],
  },
  {
    name: 'an alias that nests deeper than 24 levels once expanded',
    files: { 'grants/bad/alias-deep.yaml': goodGrant('alias-deep') + `review:\n  a: &d ${deepFlow(15, '1')}\n  b: ${deepFlow(10, '*d')}\n` },
    want: [{ file: 'grants/bad/alias-deep.yaml', line: 13, column: 16, message: 'the document nests deeper than 24 levels' }],
  },
  {
    name: 'forty comment lines before a value (the old emptiness check backtracked exponentially)',
    files: { 'grants/bad/comments-then-value.yaml': '#\n'.repeat(40) + 'x\n' },
    want: [{ file: 'grants/bad/comments-then-value.yaml', line: 41, column: 1, message: 'the top level must be a mapping, not text' }],
  },
  {
    name: 'an unknown key as long as the file is quoted cut short (and no did-you-mean table of its length)',
    files: { 'grants/bad/long-key.yaml': goodGrant('long-key') + `? ${'k'.repeat(900_000)}\n: v\n` },
    want: [
      {
        file: 'grants/bad/long-key.yaml',
        line: 11,
        column: 3,
        message: `unknown key \`${'k'.repeat(40)}…\` (900,000 characters) under the top level: allowed keys are`,
      },
    ],
  },
  {
    name: '5,000 unknown keys: the first 100 and a count of the rest',
    files: { 'grants/bad/unknown-many.yaml': UNKNOWN },
    want: [
      { file: 'grants/bad/unknown-many.yaml', line: 11, column: 5, message: 'unknown key `x0` under access[0]' },
      {
        file: 'grants/bad/unknown-many.yaml',
        line: 111,
        column: 5,
        message: '4,900 more schema problems in this file are not listed: fix the ones listed and check the file again',
      },
    ],
    loose: true,
    count: 101,
  },
  {
    name: 'a syntax error on 3,000 lines: the first 100 and a count of the rest',
    files: { 'grants/bad/tabs-many.yaml': TABS },
    want: [
      { file: 'grants/bad/tabs-many.yaml', line: 13, column: 1, message: 'tabs are not allowed as indentation in YAML: indent with spaces' },
      { file: 'grants/bad/tabs-many.yaml', line: 213, column: 1, message: '2,900 more YAML errors in this file are not listed' },
    ],
    loose: true,
    count: 101,
  },
  {
    name: 'a duplicate key at the end of a mapping of 5,000 keys',
    files: { 'grants/bad/wide-duplicate.yaml': WIDE },
    want: [{ file: 'grants/bad/wide-duplicate.yaml', line: lineCount(WIDE), column: 3, message: 'a key appears twice in the same mapping' }],
  },
];
function check(c: BadCase, findings: Finding[]): void {
  const mine = findings.filter((f) => f.file !== undefined && f.file in c.files);
  for (const w of c.want) {
    const hit = mine.find(
      (f) =>
        f.rule === (w.rule ?? 'schema') &&
        f.file === w.file &&
        f.line === w.line &&
        (w.column === undefined || f.column === w.column) &&
        f.severity === (w.severity ?? 'error') &&
        f.message.includes(w.message),
    );
    expect(
      hit,
      `${w.rule ?? 'schema'} at ${w.file}:${w.line}${w.column ? ':' + w.column : ''} "${w.message}" among\n${mine.map((f) => `${f.rule} ${f.file}:${f.line}:${f.column} ${f.severity} ${f.message}`).join('\n')}`,
    ).toBeDefined();
  }
  if (!c.loose) expect(mine).toHaveLength(c.want.length);
  if (c.count !== undefined) expect(mine).toHaveLength(c.count);
  for (const f of mine) {
    expect(f.line, f.message).toBeGreaterThanOrEqual(1);
    expect(f.column, f.message).toBeGreaterThanOrEqual(1);
    expect(f.message, 'a message says what to do').toMatch(/: /);
  }
  if (c.secret) expect(JSON.stringify(findings)).not.toContain(c.secret);
}

describe('bad input (core)', () => {
  it.each(CASES)('$name', (c) => {
    const findings = run(c.files);
    check(c, findings);
    // Never a pass: every case but CRLF (a warning by design) is an error.
    const severities = findings.filter((f) => f.file! in c.files).map((f) => f.severity);
    expect(severities).toContain(c.name.startsWith('CRLF') ? 'warning' : 'error');
  });

  it('exactly 1 MiB is within the limit', () => {
    expect(run({ 'grants/ok/limit.yaml': exactly(MAX_FILE_BYTES, 'limit') })).toEqual([]);
  });

  it('February 29 in a leap year is a real day', () => {
    expect(run({ 'grants/ok/leap.yaml': goodGrant('leap', { expires: '2028-02-29' }) }, { today: '2027-06-01' })).toEqual([]);
  });
});

describe('bad input (the CLI, as a process)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'access-ledger-bad-input-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reports every case in one run, exits 1, prints no stack trace and never echoes a secret', async () => {
    const write = (path: string, content: string | Uint8Array) => {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), content);
    };
    write('access-ledger.yaml', CONFIG);
    for (const [path, content] of Object.entries(SYSTEMS)) write(path, content);
    for (const c of CASES) for (const [path, content] of Object.entries(c.files)) write(path, content);

    const json = await runCli(['validate', dir, '--format', 'json', '--today', '2026-11-26']);
    expect(json.stderr).toBe('');
    expect(json.code).toBe(1);
    const findings = (JSON.parse(json.stdout) as { findings: Finding[] }).findings;
    for (const c of CASES) check(c, findings);

    const text = await runCli(['validate', dir, '--today', '2026-11-26']);
    expect(text.code).toBe(1);
    expect(text.stderr).toBe('');
    for (const c of CASES) if (c.secret) expect(text.stdout).not.toContain(c.secret);
    expect(text.stdout).not.toMatch(/\n\s+at .+\(.+:\d+:\d+\)/); // no stack frames
  }, 30_000);
});
