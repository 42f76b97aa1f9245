/**
 * Secret-shaped strings for tests, assembled from pieces at run time so that this repository
 * holds no literal a secret scanner would flag. None of them is, or ever was, a real credential.
 */

/** Deterministic pseudo-random characters (a linear congruential generator), so tests are stable. */
export function noise(length: number, seed: number, alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'): string {
  let state = seed >>> 0;
  let out = '';
  for (let i = 0; i < length; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    out += alphabet[state % alphabet.length];
  }
  return out;
}

const UPPER_DIGITS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export interface FakeSecret {
  kind: string;
  value: string;
  /** What the finding should call it. */
  named: string;
}

export const FAKE_SECRETS: FakeSecret[] = [
  { kind: 'GitHub personal access token', value: ['gh', 'p_', noise(36, 1)].join(''), named: 'a GitHub token' },
  { kind: 'GitHub fine-grained token', value: ['github', '_pat_', noise(22, 2), '_', noise(59, 3)].join(''), named: 'a GitHub token' },
  { kind: 'GitHub App installation token', value: ['gh', 's_', noise(36, 4)].join(''), named: 'a GitHub token' },
  { kind: 'AWS access key id', value: ['AK', 'IA', noise(16, 5, UPPER_DIGITS)].join(''), named: 'an AWS access key id' },
  { kind: 'AWS temporary key id', value: ['AS', 'IA', noise(16, 6, UPPER_DIGITS)].join(''), named: 'an AWS access key id' },
  {
    kind: 'Slack bot token',
    value: ['xo', 'xb-', noise(12, 7, '0123456789'), '-', noise(13, 8, '0123456789'), '-', noise(24, 9)].join(''),
    named: 'a Slack token',
  },
  {
    kind: 'Slack webhook URL',
    value: ['https://hooks.', 'slack.com/services/T', noise(8, 10, UPPER_DIGITS), '/B', noise(8, 11, UPPER_DIGITS), '/', noise(24, 12)].join(''),
    named: 'a Slack webhook URL',
  },
  { kind: 'Stripe secret key', value: ['sk', '_live_', noise(24, 13)].join(''), named: 'a Stripe secret key' },
  { kind: 'Google API key', value: ['AI', 'za', noise(35, 14)].join(''), named: 'a Google API key' },
  { kind: 'JSON Web Token', value: ['ey', 'J', noise(20, 15), '.ey', 'J', noise(30, 16), '.', noise(43, 17)].join(''), named: 'a JSON Web Token' },
  { kind: 'password in a URL', value: ['postgres://app', ':', noise(12, 18), '@db.internal:5432/app'].join(''), named: 'a password in a URL' },
  { kind: 'high-entropy string', value: noise(40, 19), named: 'a secret (a long high-entropy string)' },
];

/** A PEM private key block (header, base64-looking body, footer), as a YAML block scalar would hold it. */
export function fakePrivateKey(): string {
  const label = ['RSA', 'PRIVATE', 'KEY'].join(' ');
  return [`-----BEGIN ${label}-----`, noise(64, 20), noise(64, 21), `-----END ${label}-----`].join('\n');
}
