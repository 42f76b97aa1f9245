/**
 * Finding secrets in text: known token formats (GitHub, AWS, Slack, Stripe, Google, JSON Web
 * Tokens, private keys, passwords in URLs) and long high-entropy tokens.
 *
 * Every scan is linear in the length of the text: each format is a small hand-written scanner
 * that never looks at a character more than a bounded number of times, so a hostile value of a
 * megabyte costs what an ordinary one of a megabyte costs. (The regular expressions these
 * scanners replace backtracked: `[a-z][a-z0-9+.-]*:\/\/…` over a long run of letters, or
 * `\beyJ[A-Za-z0-9_-]{10,}\.…` over `eyJ-eyJ-…`, took time quadratic in the length.)
 *
 * Each scanner matches exactly what its documented pattern matches; test/rules/secrets.test.ts
 * checks that against the patterns themselves on generated text.
 */

export type SecretKind =
  | 'github-token'
  | 'aws-access-key-id'
  | 'slack-token'
  | 'slack-webhook-url'
  | 'private-key'
  | 'stripe-secret-key'
  | 'google-api-key'
  | 'json-web-token'
  | 'url-password'
  | 'high-entropy';

export interface SecretSpan {
  /** Offset of the first character of the secret (UTF-16 code units, as String.prototype.slice). */
  start: number;
  /** Offset just past the last character of the secret. */
  end: number;
  kind: SecretKind;
}

/** What each kind is called in a finding ("… looks like a GitHub token"). */
export const SECRET_NAMES: Readonly<Record<SecretKind, string>> = {
  'github-token': 'a GitHub token',
  'aws-access-key-id': 'an AWS access key id',
  'slack-token': 'a Slack token',
  'slack-webhook-url': 'a Slack webhook URL',
  'private-key': 'a private key',
  'stripe-secret-key': 'a Stripe secret key',
  'google-api-key': 'a Google API key',
  'json-web-token': 'a JSON Web Token',
  'url-password': 'a password in a URL',
  'high-entropy': 'a secret (a long high-entropy string)',
};

/**
 * The pattern each known format matches, for reference and for the tests that hold the scanners
 * to it. Never run these on untrusted text: several of them backtrack.
 * @internal for the tests
 */
export const SECRET_PATTERNS: Readonly<Record<Exclude<SecretKind, 'high-entropy'>, RegExp>> = {
  'github-token': /\b(gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{40,})\b/,
  'aws-access-key-id': /\b(AKIA|ASIA)[0-9A-Z]{16}\b/,
  'slack-token': /\bxox[abposr]-[A-Za-z0-9-]{10,}/,
  'slack-webhook-url': /hooks\.slack\.com\/services\/T[A-Za-z0-9_]+\/B[A-Za-z0-9_]+\/[A-Za-z0-9_]+/,
  'private-key': /-----BEGIN ([A-Z]+ )?PRIVATE KEY( BLOCK)?-----/,
  'stripe-secret-key': /\b[rs]k_live_[A-Za-z0-9]{20,}/,
  'google-api-key': /\bAIza[0-9A-Za-z_-]{35}\b/,
  'json-web-token': /\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/,
  'url-password': /[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^/\s@]{3,}@/i,
};

/** The order in which a value with several secrets is named: the most specific format first. */
export const KNOWN_KINDS: readonly Exclude<SecretKind, 'high-entropy'>[] = [
  'github-token',
  'aws-access-key-id',
  'slack-token',
  'slack-webhook-url',
  'private-key',
  'stripe-secret-key',
  'google-api-key',
  'json-web-token',
  'url-password',
];

export interface EntropyOptions {
  /** Tokens shorter than this are never called secrets. */
  minLength: number;
  /** Shannon entropy, in bits per character, from which a long token is called a secret. */
  minEntropy: number;
}

export const DEFAULT_ENTROPY: EntropyOptions = { minLength: 24, minEntropy: 4.0 };

const KIND_ORDER: Record<SecretKind, number> = Object.fromEntries([...KNOWN_KINDS, 'high-entropy'].map((k, i) => [k, i])) as Record<SecretKind, number>;

/**
 * Every secret in `text`, sorted by start. Known formats come first at the same start; a high-
 * entropy token is reported only where no known format covers it whole. Spans of different kinds may
 * overlap (a token used as the password of a URL): whoever masks should cover their union. A
 * private key's span runs from its BEGIN line to its END line (or to the end of the text); a
 * password in a URL covers the password only.
 *
 * `entropy: false` leaves out high-entropy tokens (known formats only).
 */
export function findSecrets(text: string, entropy: EntropyOptions | false = DEFAULT_ENTROPY): SecretSpan[] {
  const spans: SecretSpan[] = [];
  scanKnown(text, spans);
  if (entropy) {
    // Leave out a token that a known format already covers whole (a GitHub token is high-entropy too).
    const known = spans.slice().sort((x, y) => x.start - y.start);
    let k = 0;
    let coveredTo = -1;
    for (const t of highEntropyTokens(text, entropy)) {
      while (k < known.length && known[k]!.start <= t.start) coveredTo = Math.max(coveredTo, known[k++]!.end);
      if (coveredTo < t.end) spans.push(t);
    }
  }
  return spans.sort((a, b) => a.start - b.start || KIND_ORDER[a.kind] - KIND_ORDER[b.kind]);
}

// ---------------------------------------------------------------------------------------------
// Character classes, by UTF-16 code unit.

const isUpper = (c: number) => c >= 65 && c <= 90;
const isLower = (c: number) => c >= 97 && c <= 122;
const isDigit = (c: number) => c >= 48 && c <= 57;
const isAlnum = (c: number) => isUpper(c) || isLower(c) || isDigit(c);
/** `\w`: [A-Za-z0-9_] */
const isWord = (c: number) => isAlnum(c) || c === 95;
/** [A-Za-z0-9_-] */
const isWordDash = (c: number) => isWord(c) || c === 45;
/** [A-Za-z0-9-] */
const isAlnumDash = (c: number) => isAlnum(c) || c === 45;
/** [0-9A-Z] */
const isUpperDigit = (c: number) => isUpper(c) || isDigit(c);
/** `\s` as JavaScript defines it. */
export function isSpace(c: number): boolean {
  return (
    (c >= 9 && c <= 13) ||
    c === 32 ||
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}

/** End of the run of characters satisfying `ok` that starts at `i`. */
function runEnd(text: string, i: number, ok: (c: number) => boolean): number {
  while (i < text.length && ok(text.charCodeAt(i))) i++;
  return i;
}

/** `\b` at offset i: a word character on exactly one side. */
function boundary(text: string, i: number): boolean {
  const before = i > 0 && isWord(text.charCodeAt(i - 1));
  const after = i < text.length && isWord(text.charCodeAt(i));
  return before !== after;
}

// ---------------------------------------------------------------------------------------------
// Known formats. Each scanner finds, left to right, the matches of its pattern that do not
// overlap (as a global regular expression would), looking at each character a bounded number of
// times: a failed attempt skips the run it has read, because every later start inside that run
// ends at the same place and fails the same way.

function scanKnown(text: string, out: SecretSpan[]): void {
  scanWordStarts(text, out);
  scanSlackWebhook(text, out);
  scanPrivateKey(text, out);
  scanUrlPassword(text, out);
}

/**
 * The formats that start at a word boundary with a fixed prefix: GitHub, AWS, Slack tokens,
 * Stripe, Google and JWT. A start is a word character after a non-word one (or at the start of
 * the text); each format reads on only as far as its own class allows.
 */
function scanWordStarts(text: string, out: SecretSpan[]): void {
  const n = text.length;
  // Where the previous match of each kind ended: matches of one kind do not overlap, and a start
  // inside a match is not tried again (a run of `xoxb-…` would otherwise be read once per start).
  const after: Partial<Record<SecretKind, number>> = {};
  const may = (kind: SecretKind, p: number) => (after[kind] ?? 0) <= p;
  const push = (kind: SecretKind, start: number, end: number) => {
    out.push({ start, end, kind });
    after[kind] = end;
  };
  for (let p = 0; p < n; p++) {
    const c = text.charCodeAt(p);
    // \b before a word character: the start of a word.
    if (!isWord(c) || (p > 0 && isWord(text.charCodeAt(p - 1)))) continue;
    if (c === 103 /* g */) {
      if (!may('github-token', p)) continue;
      const t = text.charCodeAt(p + 2);
      if (
        text.charCodeAt(p + 1) === 104 /* h */ &&
        (t === 112 || t === 111 || t === 117 || t === 115 || t === 114) /* p o u s r */ &&
        text.charCodeAt(p + 3) === 95
      ) {
        // [A-Za-z0-9]{36,}\b: the run must end at a non-word character or the end of the text.
        const e = runEnd(text, p + 4, isAlnum);
        if (e - (p + 4) >= 36 && !(e < n && isWord(text.charCodeAt(e)))) push('github-token', p, e);
      } else if (text.startsWith('github_pat_', p)) {
        // [A-Za-z0-9_]{40,}\b: a run of word characters always ends at a boundary.
        const e = runEnd(text, p + 11, isWord);
        if (e - (p + 11) >= 40) push('github-token', p, e);
      }
    } else if (c === 65 /* A */) {
      if ((text.startsWith('AKIA', p) || text.startsWith('ASIA', p)) && may('aws-access-key-id', p) && p + 20 <= n) {
        // [0-9A-Z]{16}\b
        if (every(text, p + 4, p + 20, isUpperDigit) && boundary(text, p + 20)) push('aws-access-key-id', p, p + 20);
      } else if (text.startsWith('AIza', p) && may('google-api-key', p) && p + 39 <= n) {
        // [0-9A-Za-z_-]{35}\b
        if (every(text, p + 4, p + 39, isWordDash) && boundary(text, p + 39)) push('google-api-key', p, p + 39);
      }
    } else if (c === 120 /* x */) {
      if (!text.startsWith('xox', p) || !may('slack-token', p)) continue;
      const t = text.charCodeAt(p + 3);
      if (!(t === 97 || t === 98 || t === 112 || t === 111 || t === 115 || t === 114) /* a b p o s r */ || text.charCodeAt(p + 4) !== 45) continue;
      // [A-Za-z0-9-]{10,}: ten to decide, then the rest of the run only on a match.
      if (p + 15 <= n && every(text, p + 5, p + 15, isAlnumDash)) push('slack-token', p, runEnd(text, p + 15, isAlnumDash));
    } else if (c === 114 || c === 115 /* r s */) {
      if (!text.startsWith('k_live_', p + 1) || !may('stripe-secret-key', p)) continue;
      // [A-Za-z0-9]{20,}
      const e = runEnd(text, p + 8, isAlnum);
      if (e - (p + 8) >= 20) push('stripe-secret-key', p, e);
    } else if (c === 101 /* e */) {
      if (!text.startsWith('eyJ', p) || !may('json-web-token', p)) continue;
      const e = jwtEnd(text, p);
      if (e.match) push('json-web-token', p, e.end);
      // A failed start inside `eyJ-eyJ-…`: every later start in the same run fails too.
      else after['json-web-token'] = e.end;
    }
  }
}

function every(text: string, from: number, to: number, ok: (c: number) => boolean): boolean {
  for (let i = from; i < to; i++) if (!ok(text.charCodeAt(i))) return false;
  return true;
}

/**
 * `eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}` from p. None of the runs can
 * hold a dot, so each is read once to its end; on a failure `end` is the end of the first run,
 * past which no later start in that run can succeed.
 */
function jwtEnd(text: string, p: number): { match: boolean; end: number } {
  const r1 = runEnd(text, p + 3, isWordDash);
  const fail = { match: false, end: r1 };
  if (r1 - (p + 3) < 10 || text.charCodeAt(r1) !== 46 || !text.startsWith('eyJ', r1 + 1)) return fail;
  const r2 = runEnd(text, r1 + 4, isWordDash);
  if (r2 - (r1 + 4) < 10 || text.charCodeAt(r2) !== 46) return fail;
  const r3 = runEnd(text, r2 + 1, isWordDash);
  if (r3 - (r2 + 1) < 10) return fail;
  return { match: true, end: r3 };
}

const SLACK_HOOK = 'hooks.slack.com/services/T';

function scanSlackWebhook(text: string, out: SecretSpan[]): void {
  for (let p = text.indexOf(SLACK_HOOK); p >= 0; ) {
    // T[\w]+\/B[\w]+\/[\w]+ : the runs cannot hold a slash, so each is read once. On a miss the
    // search goes on from the next character: a later prefix cannot start inside a run (it holds
    // dots), so the runs read by successive attempts overlap by a few characters at most.
    const a = runEnd(text, p + SLACK_HOOK.length, isWord);
    let end = -1;
    if (a > p + SLACK_HOOK.length && text.startsWith('/B', a)) {
      const b = runEnd(text, a + 2, isWord);
      if (b > a + 2 && text.charCodeAt(b) === 47) {
        const c = runEnd(text, b + 1, isWord);
        if (c > b + 1) end = c;
      }
    }
    if (end >= 0) out.push({ start: p, end, kind: 'slack-webhook-url' });
    p = text.indexOf(SLACK_HOOK, end >= 0 ? end : p + 1);
  }
}

const BEGIN = '-----BEGIN ';
const PRIVATE_KEY = 'PRIVATE KEY';

function scanPrivateKey(text: string, out: SecretSpan[]): void {
  for (let p = text.indexOf(BEGIN); p >= 0; ) {
    const q = p + BEGIN.length;
    // ([A-Z]+ )?PRIVATE KEY( BLOCK)?-----
    let keyAt = -1;
    const letters = runEnd(text, q, isUpper);
    if (letters > q && text.charCodeAt(letters) === 32 && text.startsWith(PRIVATE_KEY, letters + 1)) keyAt = letters + 1;
    else if (text.startsWith(PRIVATE_KEY, q)) keyAt = q;
    let headerEnd = -1;
    if (keyAt >= 0) {
      const k = keyAt + PRIVATE_KEY.length;
      if (text.startsWith(' BLOCK-----', k)) headerEnd = k + 11;
      else if (text.startsWith('-----', k)) headerEnd = k + 5;
    }
    if (headerEnd < 0) {
      p = text.indexOf(BEGIN, Math.max(letters, p + 1));
      continue;
    }
    // The key runs to its END line; without one, to the end of the text.
    let end = text.length;
    const endAt = text.indexOf('-----END ', headerEnd);
    if (endAt >= 0) {
      const close = text.indexOf('-----', endAt + 9);
      end = close >= 0 ? close + 5 : text.length;
    }
    out.push({ start: p, end, kind: 'private-key' });
    p = text.indexOf(BEGIN, end);
  }
}

/** [a-z0-9+.-], case-insensitive */
const isSchemeChar = (c: number) => isAlnum(c) || c === 43 || c === 46 || c === 45;
const isLetter = (c: number) => isUpper(c) || isLower(c);

/**
 * `[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^/\s@]{3,}@` (case-insensitive), found from each `://`: the
 * scheme is read backwards (it cannot hold `:` or `/`, so it never reaches the previous `://`),
 * the user and the password forwards (neither can hold `/`, so neither reaches the next one).
 * The span is the password.
 */
function scanUrlPassword(text: string, out: SecretSpan[]): void {
  for (let c = text.indexOf('://'); c >= 0; c = text.indexOf('://', c + 1)) {
    let b = c;
    while (b > 0 && isSchemeChar(text.charCodeAt(b - 1))) b--;
    let hasLetter = false;
    for (let i = b; i < c && !hasLetter; i++) hasLetter = isLetter(text.charCodeAt(i));
    if (!hasLetter) continue;
    const u = runEnd(text, c + 3, (x) => x !== 47 && x !== 58 && x !== 64 && !isSpace(x));
    if (u === c + 3 || text.charCodeAt(u) !== 58) continue;
    const w = runEnd(text, u + 1, (x) => x !== 47 && x !== 64 && !isSpace(x));
    if (w - (u + 1) < 3 || text.charCodeAt(w) !== 64) continue;
    out.push({ start: u + 1, end: w, kind: 'url-password' });
  }
}

// ---------------------------------------------------------------------------------------------
// High-entropy tokens.

/** Tokens are separated by white space and , ; ' " ( ). */
/** Whitespace and , ; ' " ( ) ` end a token: a value quoted in a message is judged without its quotes. */
const isSeparator = (c: number) => isSpace(c) || c === 44 || c === 59 || c === 39 || c === 34 || c === 40 || c === 41 || c === 96;

const REFERENCE_SCHEMES = ['https', 'http', 'vault', 'arn', 'aws', 'gcp', 'azure', 'op', 'ssm', 'sm', '1password', 'doppler', 'gsm', 'keyvault', 'akv'];

/** `^(https?|vault|arn|…):` case-insensitive: a reference to where a secret is kept. */
function isReference(token: string): boolean {
  const colon = token.indexOf(':');
  if (colon < 1 || colon > 9) return false;
  return REFERENCE_SCHEMES.includes(token.slice(0, colon).toLowerCase());
}

/** [a-z0-9_.:-] */
const isPathChar = (c: number) => isLower(c) || isDigit(c) || c === 95 || c === 46 || c === 58 || c === 45;

/**
 * `^[a-z0-9_.:-]*(\/[a-z0-9_.:-]+)+\/?$`: lower-case paths and identifiers such as
 * kv/billing/exporter, which are references, not secrets.
 */
/**
 * A file path in any case, ending in a short extension (`Grants/people/Alice.YAML`): base64 and
 * tokens carry no dot before a short alphabetic tail. Linear: one anchored class per part.
 */
export function isFilePath(token: string): boolean {
  // A location may follow (`Grants/x.yaml:12:5:` in a message).
  return /^[A-Za-z0-9_.-]+(?:\/[A-Za-z0-9_.-]+)+\.[A-Za-z]{1,5}(?::\d+){0,2}:?$/.test(token) && !token.includes('//');
}

export function isLowerPath(token: string): boolean {
  let slashes = 0;
  let segment = 0; // length of the segment since the last slash
  for (let i = 0; i < token.length; i++) {
    const c = token.charCodeAt(i);
    if (c === 47) {
      // Every segment after a slash is non-empty, except a final one after a trailing slash.
      if (slashes > 0 && segment === 0) return false;
      slashes++;
      segment = 0;
    } else if (isPathChar(c)) segment++;
    else return false;
  }
  if (slashes === 0) return false;
  return segment > 0 || slashes >= 2;
}

export function shannonEntropy(s: string): number {
  const counts = new Map<string, number>();
  for (const ch of s) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let h = 0;
  for (const n of counts.values()) {
    const p = n / s.length;
    h -= p * Math.log2(p);
  }
  return h;
}

const BASIC_UTC_TIME = /\d{8}T\d{6}Z/;
const BASIC_UTC_TIME_ALL = /\d{8}T\d{6}Z/g;

/** A long token with mixed character classes and high entropy, that is not a URL, path or prose. */
function isHighEntropy(token: string, options: EntropyOptions): boolean {
  if (token.length < options.minLength) return false;
  if (isReference(token)) return false;
  // A UTC time in basic format (the ledger's record keys: snapshot-aws-prod-20261206T020914Z) is
  // a date, not key material: judge what is left around it.
  if (token.includes('T') && BASIC_UTC_TIME.test(token)) return isHighEntropy(token.replace(BASIC_UTC_TIME_ALL, ''), options);
  if (isLowerPath(token) || isFilePath(token)) return false;
  // Words run together (BillingExporterNightlyJob) read as names; real keys carry digits or symbols.
  let lower = false;
  let upper = false;
  let digit = false;
  let symbol = false;
  for (let i = 0; i < token.length; i++) {
    const c = token.charCodeAt(i);
    if (isLower(c)) lower = true;
    else if (isUpper(c)) upper = true;
    else if (isDigit(c)) digit = true;
    else if (c === 43 || c === 47 || c === 61) symbol = true;
  }
  if (!digit && !symbol) return false;
  if (Number(lower) + Number(upper) + Number(digit) < 2) return false;
  return shannonEntropy(token) >= options.minEntropy;
}

function highEntropyTokens(text: string, options: EntropyOptions): SecretSpan[] {
  const found: SecretSpan[] = [];
  if (text.length < options.minLength) return found;
  let i = 0;
  while (i < text.length) {
    while (i < text.length && isSeparator(text.charCodeAt(i))) i++;
    const start = i;
    while (i < text.length && !isSeparator(text.charCodeAt(i))) i++;
    if (i > start && isHighEntropy(text.slice(start, i), options)) found.push({ start, end: i, kind: 'high-entropy' });
  }
  return found;
}

/**
 * Whether `text` holds a long high-entropy token (the high-entropy part of findSecrets alone).
 * @internal for the tests, which hold the scanner to it
 */
export function looksHighEntropy(text: string, options: EntropyOptions = DEFAULT_ENTROPY): boolean {
  return highEntropyTokens(text, options).length > 0;
}
