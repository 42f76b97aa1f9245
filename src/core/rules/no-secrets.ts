import { defineRule } from './types.ts';
import { at } from './helpers.ts';
import type { YamlPath } from '../model/yaml-file.ts';
import { KNOWN_KINDS, SECRET_NAMES, findSecrets } from '../secrets.ts';
import { maskSecrets } from '../text/mask.ts';

/**
 * Secrets belong in a vault; a grant file holds a reference. The finding names the key, never the
 * value, so the report itself does not spread the leak. What counts as a secret is decided by
 * findSecrets (src/core/secrets.ts), which reads each value once, in time linear in its length.
 */
const SECRETISH_KEY = /(secret|token|password|passwd|api[_-]?key|private[_-]?key|credential)$/i;

/**
 * Every string value, and every key of a mapping (`key: true`): a token pasted as a key name is a
 * leak too. One path is extended and shortened as the walk goes, and copied only for a value that
 * is reported (`at` keeps it): a clean file costs no array per value.
 */
function eachString(value: unknown, path: (string | number)[], visit: (path: (string | number)[], value: string, key: boolean) => void): void {
  if (typeof value === 'string') visit(path, value, false);
  else if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      path.push(i);
      eachString(value[i], path, visit);
      path.pop();
    }
  } else if (value && typeof value === 'object') {
    for (const k of Object.keys(value)) {
      path.push(k);
      visit(path, k, true);
      eachString((value as Record<string, unknown>)[k], path, visit);
      path.pop();
    }
  }
}

/** Where the value is, never the secret: a key name that is one shows masked. */
function describe(path: YamlPath): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? maskSecrets(p) : `.${maskSecrets(p)}`)).join('') || 'the top level';
}

/** What the finding says is a secret: the value at a path, or the name of a key there. */
function what(path: YamlPath, key: boolean): string {
  if (!key) return describe(path);
  const parent = path.slice(0, -1);
  return `a key name${parent.length ? ` under ${describe(parent)}` : ' at the top level'}`;
}

export default defineRule<{ min_length: number; min_entropy: number }>({
  meta: {
    id: 'no-secrets',
    description:
      'No grant or system file contains a secret, as a value or as a key name: known token formats (GitHub, AWS, Slack, Stripe, Google, JWT, private keys, passwords in URLs) and high-entropy strings.',
    controls: ['OWASP-NHI:NHI2:2025', 'ISO27001:A.5.17', 'SOC2:CC6.1'],
    scope: 'file',
    defaultSeverity: 'error',
    waivable: false,
    optionsSchema: {
      type: 'object',
      additionalProperties: false,
      properties: { min_length: { type: 'integer', minimum: 8 }, min_entropy: { type: 'number', minimum: 1 } },
    },
    defaultOptions: { min_length: 24, min_entropy: 4.0 },
    fix: 'Remove the value, rotate the secret (it is in git history now), and store a reference such as vault:kv/… in credential.storage.',
  },
  checkGrant(file, ctx) {
    scan(
      file.source.value,
      (path, kind, key) =>
        ctx.report({
          ...at(file, path, key),
          identity: file.data.identity.id,
          message: `${what(path, key)} looks like ${kind}: remove it, rotate the secret (git history keeps it), and keep only a reference such as vault:kv/… in credential.storage`,
        }),
      ctx.options,
    );
  },
  // Files that parsed but failed their schema still get scanned: a token under a mistyped key
  // must be called a secret (and rotated), not only an unknown key.
  check(ctx) {
    const files = [...ctx.snapshot.grants, ...ctx.snapshot.systems];
    for (const file of files) {
      if (file.data !== undefined || file.source.value === undefined) continue;
      if (ctx.changed && !ctx.changed.has(file.path)) continue;
      scan(
        file.source.value,
        (path, kind, key) =>
          ctx.report({
            ...at(file, path, key),
            message: `${what(path, key)} looks like ${kind}: remove it, rotate the secret (git history keeps it), and keep only a reference such as vault:kv/…`,
          }),
        ctx.options,
      );
    }
  },
  checkSystem(file, ctx) {
    scan(
      file.source.value,
      (path, kind, key) =>
        ctx.report({ ...at(file, path, key), system: file.data.id, message: `${what(path, key)} looks like ${kind}: remove it and rotate the secret` }),
      ctx.options,
    );
  },
});

function scan(value: unknown, report: (path: YamlPath, kind: string, key: boolean) => void, options: { min_length: number; min_entropy: number }): void {
  eachString(value, [], (path, text, isKey) => {
    const key = String(path[path.length - 1] ?? '');
    // A value under a key named like a secret is held to a shorter length.
    const minLength = !isKey && SECRETISH_KEY.test(key) ? Math.min(16, options.min_length) : options.min_length;
    const found = findSecrets(text, { minLength, minEntropy: options.min_entropy });
    if (found.length === 0) return;
    // The most specific format present names the finding; a long high-entropy token only when none is.
    const kinds = new Set(found.map((f) => f.kind));
    const kind = KNOWN_KINDS.find((k) => kinds.has(k)) ?? 'high-entropy';
    report([...path], SECRET_NAMES[kind], isKey);
  });
}
