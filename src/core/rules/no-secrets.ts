import { defineRule } from './types.ts';
import { at } from './helpers.ts';
import type { YamlPath } from '../model/yaml-file.ts';

/**
 * Secrets belong in a vault; a grant file holds a reference. The finding names the key, never the
 * value, so the report itself does not spread the leak.
 */
export const PATTERNS: { name: string; re: RegExp }[] = [
  { name: 'a GitHub token', re: /\b(gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{40,})\b/ },
  { name: 'an AWS access key id', re: /\b(AKIA|ASIA)[0-9A-Z]{16}\b/ },
  { name: 'a Slack token', re: /\bxox[abposr]-[A-Za-z0-9-]{10,}/ },
  { name: 'a Slack webhook URL', re: /hooks\.slack\.com\/services\/T[A-Za-z0-9_]+\/B[A-Za-z0-9_]+\/[A-Za-z0-9_]+/ },
  { name: 'a private key', re: /-----BEGIN ([A-Z]+ )?PRIVATE KEY( BLOCK)?-----/ },
  { name: 'a Stripe secret key', re: /\b[rs]k_live_[A-Za-z0-9]{20,}/ },
  { name: 'a Google API key', re: /\bAIza[0-9A-Za-z_-]{35}\b/ },
  { name: 'a JSON Web Token', re: /\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/ },
  { name: 'a password in a URL', re: /[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^/\s@]{3,}@/i },
];

/** One pass over a value decides whether any known format is present; most values have none. */
const ANY_KNOWN = new RegExp(PATTERNS.map((p) => p.re.source).join('|'), 'i');

const SECRETISH_KEY = /(secret|token|password|passwd|api[_-]?key|private[_-]?key|credential)$/i;

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

/** A long token with mixed character classes and high entropy, that is not a URL, path or prose. */
export function looksHighEntropy(value: string, minLength: number, minEntropy: number): boolean {
  for (const token of value.split(/[\s,;'"()]+/)) {
    if (token.length < minLength) continue;
    if (/^(https?|vault|arn|aws|gcp|azure|op|ssm|sm|1password|doppler|gsm|keyvault|akv):/i.test(token)) continue;
    // Lower-case paths and identifiers (kv/billing/exporter, team-a.prod_db) are references, not secrets.
    if (/^[a-z0-9_.:-]*(\/[a-z0-9_.:-]+)+\/?$/.test(token)) continue;
    // Words run together (BillingExporterNightlyJob) read as names; real keys carry digits or symbols.
    if (!/[0-9+/=]/.test(token)) continue;
    const classes = [/[a-z]/, /[A-Z]/, /[0-9]/].filter((re) => re.test(token)).length;
    if (classes < 2) continue;
    if (shannonEntropy(token) >= minEntropy) return true;
  }
  return false;
}

function* strings(value: unknown, path: (string | number)[]): Generator<{ path: YamlPath; value: string }> {
  if (typeof value === 'string') yield { path, value };
  else if (Array.isArray(value)) for (let i = 0; i < value.length; i++) yield* strings(value[i], [...path, i]);
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) yield* strings(v, [...path, k]);
}

function describe(path: YamlPath): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

export default defineRule<{ min_length: number; min_entropy: number }>({
  meta: {
    id: 'no-secrets',
    description: 'No grant or system file contains a secret: known token formats (GitHub, AWS, Slack, Stripe, Google, JWT, private keys, passwords in URLs) and high-entropy strings.',
    controls: ['OWASP-NHI:NHI2:2025', 'ISO27001:A.5.17', 'SOC2:CC6.1'],
    scope: 'file',
    defaultSeverity: 'error',
    optionsSchema: {
      type: 'object',
      additionalProperties: false,
      properties: { min_length: { type: 'integer', minimum: 8 }, min_entropy: { type: 'number', minimum: 1 } },
    },
    defaultOptions: { min_length: 24, min_entropy: 4.0 },
    fix: 'Remove the value, rotate the secret (it is in git history now), and store a reference such as vault:kv/… in credential.storage.',
  },
  checkGrant(file, ctx) {
    scan(file.source.value, (path, kind) =>
      ctx.report({
        ...at(file, path),
        identity: file.data.identity.id,
        message: `${describe(path)} looks like ${kind}: remove it, rotate the secret (git history keeps it), and keep only a reference such as vault:kv/… in credential.storage`,
      }),
    ctx.options);
  },
  // Files that parsed but failed their schema still get scanned: a token under a mistyped key
  // must be called a secret (and rotated), not only an unknown key.
  check(ctx) {
    const files = [...ctx.snapshot.grants, ...ctx.snapshot.systems];
    for (const file of files) {
      if (file.data !== undefined || file.source.value === undefined) continue;
      if (ctx.changed && !ctx.changed.has(file.path)) continue;
      scan(file.source.value, (path, kind) =>
        ctx.report({ ...at(file, path), message: `${describe(path)} looks like ${kind}: remove it, rotate the secret (git history keeps it), and keep only a reference such as vault:kv/…` }),
      ctx.options);
    }
  },
  checkSystem(file, ctx) {
    scan(file.source.value, (path, kind) =>
      ctx.report({ ...at(file, path), system: file.data.id, message: `${describe(path)} looks like ${kind}: remove it and rotate the secret` }),
    ctx.options);
  },
});

function scan(value: unknown, report: (path: YamlPath, kind: string) => void, options: { min_length: number; min_entropy: number }): void {
  for (const s of strings(value, [])) {
    const known = ANY_KNOWN.test(s.value) ? PATTERNS.find((p) => p.re.test(s.value)) : undefined;
    if (known) {
      report(s.path, known.name);
      continue;
    }
    const key = String(s.path[s.path.length - 1] ?? '');
    const minLength = SECRETISH_KEY.test(key) ? Math.min(16, options.min_length) : options.min_length;
    if (s.value.length >= minLength && looksHighEntropy(s.value, minLength, options.min_entropy)) report(s.path, 'a secret (a long high-entropy string)');
  }
}
