/**
 * Grant files an attacker would write to make judging slow, each generated at a given size in
 * bytes, and an ordinary grant file of the same size to compare them with. Every one of them is
 * under the file size limit; each names the limit (or the scan) that keeps it cheap.
 */
import { systemYaml } from './synthetic-repo.ts';

export interface Hostile {
  name: string;
  /** What it attacks, in a few words, for the table in docs/performance.md. */
  attacks: string;
  make(bytes: number): string;
}

const HEAD = 'identity:\n  id: hostile\n  kind: human\n  description: Reads invoices\n  owner: owner1\n  github: hostile\n';

function entry(i: number): string {
  return `  - system: sys-${i % 20}\n    role: role-${i}\n    justification: Needed for the synthetic workload number ${i}\n    expires: 2027-06-01\n`;
}

/** `head`, then `unit(i)` for i = 0, 1, … while the text stays within `bytes` less the tail. */
function fill(bytes: number, head: string, unit: (i: number) => string, tail = ''): string {
  const parts = [head];
  let size = head.length + tail.length;
  for (let i = 0; ; i++) {
    const u = unit(i);
    if (size + u.length > bytes) break;
    parts.push(u);
    size += u.length;
  }
  parts.push(tail);
  return parts.join('');
}

/** A value of `bytes` characters made of `unit` repeated, as the justification of one grant. */
function withValue(bytes: number, unit: string): string {
  const head = `${HEAD}access:\n  - system: sys-0\n    role: reader\n    expires: 2027-06-01\n    justification: `;
  const n = Math.max(0, Math.floor((bytes - head.length - 1) / unit.length));
  return head + unit.repeat(n) + '\n';
}

const PROSE = 'Reads invoices and refunds for the nightly export to the ledger, and checks them against the bank statements; ';

/**
 * An ordinary grant that passes every rule: up to 500 access entries (the most the schema
 * allows), each a system, role, justification and expiry; past 500 entries the justifications
 * grow (up to the 2,000 characters the schema allows) to reach the size.
 */
export function ordinaryGrant(bytes: number): string {
  const head = `${HEAD}access:\n`;
  if (bytes - head.length < 500 * entry(499).length) return fill(bytes, head, entry);
  const withText = (i: number, text: string) => entry(i).replace(/justification: .*\n/, `justification: ${text}\n`);
  const base = withText(499, '').length;
  const length = Math.min(2000, Math.floor((bytes - head.length) / 500) - base);
  const text = PROSE.repeat(Math.ceil(length / PROSE.length))
    .slice(0, length)
    .trimEnd();
  return head + Array.from({ length: 500 }, (_, i) => withText(i, text)).join('');
}

export const HOSTILE: Hostile[] = [
  { name: 'url-scheme', attacks: 'a run of letters: the old password-in-a-URL pattern backtracked over it', make: (b) => withValue(b, 'a') },
  { name: 'jwt-prefix', attacks: '`eyJ-` repeated: the old JSON Web Token pattern backtracked over it', make: (b) => withValue(b, 'eyJ-') },
  { name: 'url-no-at', attacks: '`a://b:cde` repeated: schemes and passwords that never reach an @', make: (b) => withValue(b, 'a://b:cde') },
  { name: 'slack-tokens', attacks: '`xoxb-` repeated: Slack tokens back to back', make: (b) => withValue(b, 'xoxb-') },
  { name: 'entropy', attacks: 'one long token of mixed characters (entropy counted once)', make: (b) => withValue(b, 'aZ3+kQ9/xW7=') },
  {
    name: 'many-keys',
    attacks: 'one mapping with as many keys as fit (the parser compared each key with every other)',
    make: (b) => fill(b, `${HEAD}  extra:\n`, (i) => `    k${i}: v\n`),
  },
  { name: 'flow-list', attacks: 'a flow list of as many one-character items as fit', make: (b) => fill(b, `${HEAD}access: [`, () => '1,', '1]\n') },
  { name: 'block-list', attacks: 'a block list of as many one-character items as fit', make: (b) => fill(b, `${HEAD}access:\n`, () => '- a\n') },
  {
    name: 'alias-expansion',
    attacks: 'a mapping under an anchor, aliased 49 times (the rules walk it once per alias)',
    make: (b) => {
      const tail = `  aliases: [${Array.from({ length: 49 }, () => '*a').join(', ')}]\n`;
      return fill(b, `${HEAD}  shared: &a\n`, (i) => `    k${i}: v\n`, tail);
    },
  },
  {
    name: 'many-anchors',
    attacks: 'as many anchors as fit, each aliased once',
    make: (b) => fill(b, `${HEAD}  list:\n`, (i) => `    - &a${i} v\n    - *a${i}\n`),
  },
  {
    name: 'unknown-keys',
    attacks: 'an unknown key in each of as many access entries as fit (one finding each)',
    make: (b) => fill(b, `${HEAD}access:\n`, (i) => `  - system: sys-0\n    role: r\n    justification: j\n    expires: 2027-06-01\n    x${i}: 1\n`),
  },
  // An explicit key (`? key`): an implicit one may not run past 1,024 characters.
  {
    name: 'long-key',
    attacks: 'one unknown key as long as the file (did-you-mean compared it with each known key)',
    make: (b) => `${HEAD}? ${'k'.repeat(Math.max(1, b - HEAD.length - 8))}\n: v\n`,
  },
  {
    name: 'nested-flow',
    attacks: 'flow lists 20 deep, repeated',
    make: (b) => fill(b, `${HEAD}  nested: [`, () => `${'['.repeat(20)}1${']'.repeat(20)},`, '1]\n'),
  },
  {
    name: 'syntax-errors',
    attacks: 'a tab-indented line after every key (a syntax error on each)',
    make: (b) => fill(b, `${HEAD}  extra:\n`, (i) => `    k${i}:\n\tv\n`),
  },
  { name: 'duplicate-keys', attacks: 'the same key on every line of a mapping', make: (b) => fill(b, `${HEAD}  extra:\n`, () => '    k: v\n') },
];

export const BENCH_CONFIG = 'version: 1\norganization: acme\nextends: soc2-baseline\nadmins: ["@acme/security"]\n';

/** The systems every grant above refers to. */
export function benchSystems(): Record<string, string> {
  return Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`systems/sys-${i}.yaml`, systemYaml(i)]));
}
