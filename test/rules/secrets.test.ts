/**
 * findSecrets: each hand-written scanner finds exactly what its documented pattern finds, on text
 * generated from the pieces those patterns are made of; spans point at the secret; and the
 * inputs that made the old patterns backtrack are read like any other text.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_ENTROPY,
  KNOWN_KINDS,
  SECRET_PATTERNS,
  findSecrets,
  isLowerPath,
  looksHighEntropy,
  shannonEntropy,
  type SecretKind,
} from '../../src/core/secrets.ts';
import { FAKE_SECRETS, fakePrivateKey, noise } from './fake-secrets.ts';

/** Pieces of every format, and the characters around their edges, so generated text often comes close to a match. */
const PIECES = [
  'gh',
  'p_',
  'o_',
  'x_',
  'ithub_pat_',
  'github_pat_',
  'ghp_',
  'ghs_',
  'AKIA',
  'ASIA',
  'AIza',
  'xox',
  'b-',
  'xoxb-',
  'xoxq-',
  'sk_live_',
  'rk_live_',
  'k_live_',
  'hooks.slack.com/services/T',
  '/B',
  '/',
  'eyJ',
  '.',
  '.eyJ',
  '-----BEGIN ',
  'RSA ',
  'PRIVATE KEY',
  ' BLOCK',
  '-----',
  '-----END ',
  '://',
  ':',
  '@',
  'postgres',
  'Https',
  '1a',
  '+',
  ' ',
  '\n',
  '\t',
  '\u00a0',
  '_',
  '-',
  '=',
  'a',
  'Z',
  '7',
  'é',
  '€',
  ',',
  '"',
  '(',
  ')',
  'abcdefghij',
  'ABCDEFGHIJKLMNOP',
  '0123456789',
  'Ab9Cd8Ef7Gh6Ij5Kl4',
  'kv/billing/exporter',
];

const text = fc.array(fc.oneof(fc.constantFrom(...PIECES), fc.string({ maxLength: 4 })), { maxLength: 40 }).map((xs) => xs.join(''));
/**
 * Text made from each format's own pattern (without its word boundaries, which the generator
 * cannot make, so the edges sometimes hold and sometimes not), then cut, joined and with one
 * character replaced: matches, near misses and several formats in one value.
 */
const generated = fc.constantFrom(...KNOWN_KINDS).chain((k) => fc.stringMatching(new RegExp(SECRET_PATTERNS[k].source.replaceAll('\\b', ''))));
const mutated = fc
  .tuple(generated, fc.nat(), fc.constantFrom('', '_', '-', '.', ' ', '@', '/', ':', 'a', 'Z', '0', 'é'), fc.boolean())
  .map(([s, i, c, insert]) => {
    const j = i % (s.length + 1);
    return s.slice(0, j) + c + s.slice(insert ? j : j + 1);
  });
const nearText = fc.array(fc.oneof(generated, mutated, fc.constantFrom(...PIECES)), { minLength: 1, maxLength: 4 }).map((xs) => xs.join(''));

const kindsOf = (s: string): Set<SecretKind> => new Set(findSecrets(s, false).map((f) => f.kind));

function checkAgainstPatterns(s: string): void {
  const kinds = kindsOf(s);
  for (const kind of KNOWN_KINDS) {
    expect(kinds.has(kind), `${kind} in ${JSON.stringify(s)}`).toBe(SECRET_PATTERNS[kind].test(s));
  }
  for (const span of findSecrets(s, false)) {
    if (span.kind === 'url-password') {
      // The password alone: after the user's colon, before the @.
      expect(s[span.start - 1]).toBe(':');
      expect(s[span.end]).toBe('@');
      expect(span.end - span.start).toBeGreaterThanOrEqual(3);
      expect(s.slice(span.start, span.end)).not.toMatch(/[/\s@]/);
      continue;
    }
    const re = SECRET_PATTERNS[span.kind as Exclude<SecretKind, 'high-entropy'>];
    const sticky = new RegExp(re.source, re.flags + 'y');
    sticky.lastIndex = span.start;
    const m = sticky.exec(s);
    expect(m, `${span.kind} at ${span.start} in ${JSON.stringify(s)}`).not.toBeNull();
    // A private key's span runs on to its END line; every other span is exactly the match.
    if (span.kind === 'private-key') expect(span.end).toBeGreaterThanOrEqual(span.start + m![0].length);
    else expect(span.end, `${span.kind} in ${JSON.stringify(s)}`).toBe(span.start + m![0].length);
  }
}

/** The high-entropy test as it was written with regular expressions (safe here: the inputs are short). */
function referenceHighEntropy(value: string, minLength: number, minEntropy: number): boolean {
  for (const whole of value.split(/[\s,;'"()`]+/)) {
    if (whole.length < minLength) continue;
    // A UTC time in basic format is a date: the rest of the token is judged.
    const token = whole.replace(/\d{8}T\d{6}Z/g, '');
    if (token.length < minLength) continue;
    if (/^(https?|vault|arn|aws|gcp|azure|op|ssm|sm|1password|doppler|gsm|keyvault|akv):/i.test(token)) continue;
    if (/^[a-z0-9_.:-]*(\/[a-z0-9_.:-]+)+\/?$/.test(token)) continue;
    // A file path in any case (`Grants/people/Alice.YAML`) is a name, not a secret.
    if (/^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)+\.[A-Za-z]{1,5}(:\d+){0,2}:?$/.test(token) && !token.includes('//')) continue;
    if (!/[0-9+/=]/.test(token)) continue;
    const classes = [/[a-z]/, /[A-Z]/, /[0-9]/].filter((re) => re.test(token)).length;
    if (classes < 2) continue;
    if (shannonEntropy(token) >= minEntropy) return true;
  }
  return false;
}

describe('findSecrets', () => {
  it('finds each known format exactly where its pattern does (generated text)', () => {
    fc.assert(fc.property(text, checkAgainstPatterns), { numRuns: 3000 });
  });

  it('finds each known format exactly where its pattern does (text built near each format)', () => {
    fc.assert(fc.property(nearText, checkAgainstPatterns), { numRuns: 1000 });
  });

  it('agrees with the pattern on every fixture secret, alone and inside prose', () => {
    for (const s of [...FAKE_SECRETS.map((f) => f.value), fakePrivateKey()]) {
      checkAgainstPatterns(s);
      checkAgainstPatterns(`see (${s}), then`);
      checkAgainstPatterns(`x${s}_`);
    }
  });

  it('calls a long high-entropy token a secret exactly as the earlier test did', () => {
    const alphabet = fc.constantFrom(
      ...'aZ09+/=_-.:,;\'"()` \nkv/QxR7mP2vL9wK4'.split(''),
      '20261206T020914Z',
      'snapshot-aws-prod-',
      '.yaml',
      'Grants/',
      ':12',
      'vault:',
      'https:',
      'OP:',
      'a/b',
      noise(12, 1),
      noise(30, 2),
      'kv/x/',
    );
    const value = fc.array(alphabet, { maxLength: 30 }).map((xs) => xs.join(''));
    fc.assert(
      fc.property(value, fc.integer({ min: 8, max: 30 }), fc.constantFrom(1, 3, 3.5, 4, 4.5), (v, minLength, minEntropy) => {
        expect(looksHighEntropy(v, { minLength, minEntropy })).toBe(referenceHighEntropy(v, minLength, minEntropy));
      }),
      { numRuns: 3000 },
    );
  });

  it('never calls a ledger record key a secret, whatever its time', () => {
    const when = fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T23:59:59Z'), noInvalidDate: true });
    const system = fc.constantFrom('aws-prod', 'github', 'prod-postgres', 'okta', 'snowflake-analytics');
    fc.assert(
      fc.property(when, system, (d, s) => {
        const key = `snapshot-${s}-${d
          .toISOString()
          .replace(/[-:]/g, '')
          .replace(/\.\d{3}/, '')}`;
        expect(findSecrets(`ledger record ${key}, seq 6`), key).toEqual([]);
      }),
      { numRuns: 2000 },
    );
  });

  it('recognizes lower-case paths exactly as the earlier pattern did', () => {
    const path = fc.array(fc.constantFrom('a', '0', '_', '.', ':', '-', '/', 'A', ' '), { maxLength: 8 }).map((xs) => xs.join(''));
    fc.assert(
      fc.property(path, (p) => void expect(isLowerPath(p), JSON.stringify(p)).toBe(/^[a-z0-9_.:-]*(\/[a-z0-9_.:-]+)+\/?$/.test(p))),
      { numRuns: 3000 },
    );
  });

  const cases: { name: string; text: string; want: { kind: SecretKind; secret: string }[] }[] = [
    { name: 'nothing in prose', text: 'Investigates incidents from production rows', want: [] },
    {
      name: 'a GitHub token in prose',
      text: `call the API with ${FAKE_SECRETS[0]!.value} to revoke`,
      want: [{ kind: 'github-token', secret: FAKE_SECRETS[0]!.value }],
    },
    { name: 'the password of a URL, not its host', text: 'see postgres://app:s3cr3t@db', want: [{ kind: 'url-password', secret: 's3cr3t' }] },
    {
      name: 'a long URL with a password is a high-entropy token as well',
      text: 'postgres://app:s3cr3t-pw@db.internal:5432/app',
      want: [
        { kind: 'high-entropy', secret: 'postgres://app:s3cr3t-pw@db.internal:5432/app' },
        { kind: 'url-password', secret: 's3cr3t-pw' },
      ],
    },
    { name: 'a private key from BEGIN to END', text: `key:\n${fakePrivateKey()}\nthanks`, want: [{ kind: 'private-key', secret: fakePrivateKey() }] },
    {
      name: 'a private key without its END line runs to the end',
      text: `${fakePrivateKey().split('\n').slice(0, 2).join('\n')}`,
      want: [{ kind: 'private-key', secret: fakePrivateKey().split('\n').slice(0, 2).join('\n') }],
    },
    {
      name: 'two tokens, in order',
      text: `${FAKE_SECRETS[3]!.value} and ${FAKE_SECRETS[7]!.value}`,
      want: [
        { kind: 'aws-access-key-id', secret: FAKE_SECRETS[3]!.value },
        { kind: 'stripe-secret-key', secret: FAKE_SECRETS[7]!.value },
      ],
    },
    { name: 'a high-entropy token', text: `token ${noise(40, 19)} here`, want: [{ kind: 'high-entropy', secret: noise(40, 19) }] },
    {
      name: 'a known token is not reported again as high-entropy',
      text: FAKE_SECRETS[1]!.value,
      want: [{ kind: 'github-token', secret: FAKE_SECRETS[1]!.value }],
    },
    { name: 'a vault reference is not a secret', text: 'vault:kv/billing/exporter', want: [] },
    {
      name: 'a ledger record key with its UTC time is not a secret, whatever the time',
      text: 'ledger record snapshot-aws-prod-20261206T020914Z, seq 6',
      want: [],
    },
    {
      name: 'a secret beside a UTC time is still one',
      text: `token ${noise(40, 19)}20261206T020914Z here`,
      want: [{ kind: 'high-entropy', secret: `${noise(40, 19)}20261206T020914Z` }],
    },
  ];
  it.each(cases)('$name', (c) => {
    expect(findSecrets(c.text).map((s) => ({ kind: s.kind, secret: c.text.slice(s.start, s.end) }))).toEqual(c.want);
  });

  it('keeps the default thresholds of the no-secrets rule', () => {
    expect(DEFAULT_ENTROPY).toEqual({ minLength: 24, minEntropy: 4 });
  });

  // Inputs that made the earlier patterns backtrack. Each is a megabyte; the answer (and that it
  // comes at all) is what is asserted, the time is measured by bench/hostile.mjs.
  const MIB = 1024 * 1024;
  const hostile: { name: string; text: string; kinds: SecretKind[] }[] = [
    { name: 'a run of letters (a URL scheme that never reaches ://)', text: 'a'.repeat(MIB), kinds: [] },
    { name: 'a scheme and :// repeated, never an @', text: 'a://b:cde'.repeat(MIB / 9), kinds: [] },
    { name: 'eyJ- repeated (a JWT that never reaches its dot)', text: 'eyJ-'.repeat(MIB / 4), kinds: [] },
    { name: 'xoxb- repeated (Slack tokens back to back)', text: 'xoxb-'.repeat(MIB / 5), kinds: ['slack-token'] },
    { name: 'ghp_ repeated', text: 'ghp_'.repeat(MIB / 4), kinds: [] },
    { name: 'github_pat_ repeated after spaces', text: ' github_pat_'.repeat(MIB / 12), kinds: [] },
    { name: 'BEGIN headers without PRIVATE KEY', text: '-----BEGIN ABC'.repeat(MIB / 14), kinds: [] },
    { name: 'a Slack hook prefix repeated', text: 'hooks.slack.com/services/T'.repeat(MIB / 26), kinds: [] },
    { name: 'one long token of mixed characters', text: noise(MIB, 3), kinds: ['high-entropy'] },
  ];
  it.each(hostile)('reads a megabyte of $name', (c) => {
    expect([...new Set(findSecrets(c.text).map((s) => s.kind))]).toEqual(c.kinds);
  });
});
