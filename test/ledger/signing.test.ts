/**
 * Signed records, authorship and time, as tables of cases: the pure core of the checks that keep
 * anyone but the App from writing the ledger (src/core/ledger/signing.ts, authorship.ts, verify.ts).
 */
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  CLOCK_TOLERANCE_MS,
  HistoryVerifier,
  alternateKey,
  anomalyKey,
  apiCommitProblem,
  checkRecordSignature,
  contentHash,
  createLedgerSigner,
  emptyHead,
  hashRecord,
  inspectRecord,
  parseLedgerPublicKeys,
  planAppend,
  publicKeyOf,
  recordPath,
  recordHashes,
  recordTimeProblems,
  sealRecord,
  serializeHead,
  serializeRecord,
  signatureProblems,
  type ApiCommit,
  type GitPerson,
  type LedgerPublicKey,
  type RecordSummary,
  type SealedRecord,
} from '../../src/core/ledger/index.ts';
import { keyFromSeed, testSigner } from '../support/ledger-keys.ts';
import { fixedClock, mergedDraft } from './fixtures.ts';

const signer = testSigner();
const other = createLedgerSigner(keyFromSeed('someone else'));
const listed = (from = '2026-01-01', until?: string) =>
  parseLedgerPublicKeys([{ id: signer.keyId, key: signer.publicKey, from, ...(until ? { until } : {}) }]).keys;
const signed = (at = '2026-11-20T10:00:03Z', s = signer) => sealRecord(mergedDraft(45), null, at, s);
const asObject = (r: SealedRecord) => JSON.parse(serializeRecord(r)) as Record<string, unknown>;

describe('sealing with a signer', () => {
  it('puts the signature inside the hashed body: the hash covers it, the signature covers the rest', () => {
    const r = signed();
    expect(Object.keys(r)).toEqual([
      'format',
      'kind',
      'key',
      'seq',
      'prev_hash',
      'occurred_at',
      'recorded_at',
      'repository',
      'controls',
      'subject',
      'signature',
      'hash',
    ]);
    expect(r.signature).toMatchObject({ key_id: signer.keyId, alg: 'ed25519' });
    expect(hashRecord(r)).toBe(r.hash);
    const { signature: _s, hash: _h, ...content } = r;
    expect(contentHash(r)).toBe(hashRecord(content));
    // Stripping the signature changes the hash: the next record's prev_hash would no longer match.
    const { signature: _drop, ...stripped } = r;
    expect(hashRecord(stripped)).not.toBe(r.hash);
    expect(inspectRecord(recordPath(r), serializeRecord(r)).problem).toBeNull();
  });

  it('key ids are the first 16 hex of SHA-256 of the SPKI DER, and stable for a key', () => {
    expect(signer.keyId).toMatch(/^[0-9a-f]{16}$/);
    expect(testSigner().keyId).toBe(signer.keyId);
    expect(other.keyId).not.toBe(signer.keyId);
  });

  it('recordHashes gives hashRecord and contentHash with one canonicalisation per field', () => {
    for (const r of [signed(), sealRecord(mergedDraft(46), null, '2026-11-20T10:00:03Z')]) {
      expect(recordHashes(r)).toEqual({ hash: hashRecord(r), content: contentHash(r) });
    }
    // Keys sort by UTF-16 code units, as RFC 8785 wants, whatever order they come in.
    const odd = { zeta: 1, Alpha: [1, { b: 2, a: 'é' }], 𝒳: null, é: true, signature: { x: 1 }, hash: 'h' };
    expect(recordHashes(odd)).toEqual({ hash: hashRecord(odd), content: contentHash(odd) });
  });

  it('planAppend signs every record of a commit', () => {
    const plan = planAppend(emptyHead(), [mergedDraft(1), mergedDraft(2)], fixedClock(), new Set(), signer);
    expect(plan.records.map((r) => checkRecordSignature(asObject(r), listed()).status)).toEqual(['valid', 'valid']);
    expect(plan.records[1]!.prev_hash).toBe(plan.records[0]!.hash);
  });
});

describe('checkRecordSignature', () => {
  const r = signed();
  const base = asObject(r);
  const cases: Array<[string, Record<string, unknown>, LedgerPublicKey[], string | RegExp]> = [
    ['a record signed by a listed key valid at its time', base, listed(), 'valid'],
    ['an unsigned record', asObject(sealRecord(mergedDraft(45), null, '2026-11-20T10:00:03Z')), listed(), 'unsigned'],
    [
      'a key that is not listed',
      base,
      parseLedgerPublicKeys([{ id: other.keyId, key: other.publicKey, from: '2020-01-01' }]).keys,
      /which ledger.public_keys does not list/,
    ],
    ['sealed before the key was in use', base, listed('2026-12-01'), /valid from 2026-12-01, but the record says it was sealed at 2026-11-20T10:00:03Z/],
    ['sealed after the key was retired (until is inclusive of its day)', base, listed('2026-01-01', '2026-11-19'), /valid from 2026-01-01 until 2026-11-19/],
    ['on the last day of a retired key', base, listed('2026-01-01', '2026-11-20'), 'valid'],
    [
      'a subject edited after signing, the hash recomputed',
      (() => {
        const x = structuredClone(base);
        (x.subject as { commit_authors: string[] }).commit_authors = ['mallory'];
        x.hash = hashRecord(x);
        return x;
      })(),
      listed(),
      /does not verify: the record was changed after it was signed/,
    ],
    [
      'a signature copied from another record',
      { ...asObject(sealRecord(mergedDraft(46), null, '2026-11-20T10:00:03Z', signer)), signature: base.signature },
      listed(),
      /does not verify/,
    ],
    ['recorded_at moved to pass off a retired key', { ...base, recorded_at: '2026-11-19T10:00:00Z' }, listed('2026-01-01', '2026-11-19'), /does not verify/],
    ['a signature that is not an object', { ...base, signature: 'x' }, listed(), /not an object/],
    ['a malformed key id', { ...base, signature: { ...(base.signature as object), key_id: 'ABC' } }, listed(), /key_id is not 16 lower-case hex/],
    ['another algorithm', { ...base, signature: { ...(base.signature as object), alg: 'rsa' } }, listed(), /alg is "rsa"/],
    [
      'a sig that is not a base64 Ed25519 signature',
      { ...base, signature: { ...(base.signature as object), sig: 'abc' } },
      listed(),
      /not a base64 Ed25519 signature/,
    ],
  ];
  it.each(cases)('%s', (_name, record, keys, expected) => {
    const check = checkRecordSignature(record, keys);
    if (typeof expected === 'string') expect(check.status).toBe(expected);
    else expect(check.status === 'invalid' ? check.problem : check.status).toMatch(expected);
  });
});

describe('parseLedgerPublicKeys', () => {
  const pem = generateKeyPairSync('ed25519').publicKey;
  const pemText = pem.export({ type: 'spki', format: 'pem' }).toString();
  const pemId = createLedgerSigner(generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()).keyId;
  const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
  const good = { id: signer.keyId, key: signer.publicKey, from: '2026-01-01' };
  const idOfPem = parseLedgerPublicKeys([{ id: '0'.repeat(16), key: pemText, from: '2026-01-01' }]).problems[0]!.match(/the key's id is ([0-9a-f]{16})/)![1]!;
  const cases: Array<[string, unknown[], number, RegExp | null]> = [
    ['base64 SPKI', [good], 1, null],
    ['PEM', [{ id: idOfPem, key: pemText, from: '2026-01-01T08:00:00Z' }], 1, null],
    ["an id that is not the key's", [{ ...good, id: pemId }], 0, /\.id is "[0-9a-f]{16}", but the key's id is/],
    ['not a key', [{ ...good, key: 'not a key at all' }], 0, /\.key is not a public key/],
    ['an RSA key', [{ ...good, key: rsa }], 0, /is a rsa key; ledger keys are Ed25519/],
    ['no key', [{ id: good.id, from: good.from }], 0, /has no key/],
    ['a bad from', [{ ...good, from: 'yesterday' }], 0, /from must be a date/],
    ['until before from', [{ ...good, until: '2025-12-31' }], 0, /ends \(2025-12-31\) before it starts/],
    ['a key listed twice', [good, { ...good, from: '2027-01-01' }], 1, /listed twice/],
    ['an entry that is not a mapping', ['x'], 0, /is not a mapping/],
  ];
  it.each(cases)('%s', (_name, list, count, problem) => {
    const r = parseLedgerPublicKeys(list);
    expect(r.keys).toHaveLength(count);
    if (problem) expect(r.problems.join('\n')).toMatch(problem);
    else expect(r.problems).toEqual([]);
  });
});

describe('createLedgerSigner', () => {
  it('reads a PEM given on one line with \\n escapes, as environment variables carry it', () => {
    expect(createLedgerSigner(keyFromSeed('one line').replace(/\n/g, '\\n')).keyId).toBe(createLedgerSigner(keyFromSeed('one line')).keyId);
  });
  it.each([
    ['not a PEM', 'hello', /ACCESS_LEDGER_SIGNING_KEY is not a PEM private key .*access-ledger keygen/],
    [
      'an RSA key',
      generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      /is a rsa key; the ledger signs with Ed25519/,
    ],
  ])('refuses %s, naming where it came from', (_name, pem, message) => {
    expect(() => createLedgerSigner(pem, 'ACCESS_LEDGER_SIGNING_KEY')).toThrow(message);
  });
});

function summary(seq: number, opts: { recorded?: string; occurred?: string; signature?: RecordSummary['signature'] } = {}): RecordSummary {
  return {
    seq,
    hash: String(seq).padStart(64, '0'),
    prev_hash: null,
    key: `pr-${seq}-merged`,
    kind: 'grant-change',
    path: `records/2026/11/pr-${seq}-merged.json`,
    occurred_at: opts.occurred ?? opts.recorded ?? '2026-11-20T10:00:00Z',
    recorded_at: opts.recorded ?? '2026-11-20T10:00:00Z',
    repository: 'acme/access',
    pr: seq,
    signature: opts.signature === undefined ? { status: 'valid', key_id: signer.keyId } : opts.signature,
  };
}

describe('signatureProblems', () => {
  const keys = listed('2026-06-01');
  const unsigned = { status: 'unsigned' as const };
  const cases: Array<[string, RecordSummary[], { problems: RegExp[]; legacy?: number }]> = [
    ['every record signed', [summary(1), summary(2)], { problems: [] }],
    [
      'unsigned records sealed before signing began, then signed ones',
      [
        summary(1, { recorded: '2026-05-01T00:00:00Z', signature: unsigned }),
        summary(2, { recorded: '2026-05-02T00:00:00Z', signature: unsigned }),
        summary(3),
      ],
      { problems: [], legacy: 2 },
    ],
    [
      'an unsigned record after a signed one (a stripped signature, or an append without the key)',
      [summary(1), summary(2, { signature: unsigned })],
      { problems: [/seq 2: is not signed, but seq 1 before it is/] },
    ],
    [
      'an unsigned record claiming a time after signing began',
      [summary(1, { signature: unsigned })],
      { problems: [/seq 1: is not signed, but it says it was recorded at 2026-11-20T10:00:00Z .*after ledger signing began/] },
    ],
    [
      'an unsigned record backdated but about an event after signing began',
      [summary(1, { recorded: '2026-05-01T00:00:00Z', occurred: '2026-07-01T00:00:00Z', signature: unsigned })],
      { problems: [/after ledger signing began/] },
    ],
    ['an invalid signature', [summary(1, { signature: { status: 'invalid', key_id: null, problem: 'bad' } })], { problems: [/seq 1: bad/] }],
  ];
  it.each(cases)('%s', (_name, summaries, want) => {
    const r = signatureProblems(summaries, { keys });
    expect(r.problems.map((p) => `seq ${p.seq}: ${p.problem}`)).toEqual(want.problems.map((re) => expect.stringMatching(re)));
    expect(r.stats.unsigned_legacy).toBe(want.legacy ?? 0);
    if (want.legacy) expect(r.warnings[0]).toMatch(/sealed before records were signed \(before 2026-06-01\)/);
  });

  it('fails with no keys listed, saying how to list one', () => {
    const r = signatureProblems([summary(1)], { keys: [] });
    expect(r.problems).toEqual([
      expect.objectContaining({
        seq: null,
        path: 'access-ledger.yaml',
        check: 'signature',
        problem: expect.stringMatching(/lists no ledger.public_keys.*access-ledger keygen/),
      }),
    ]);
  });

  it('fails on every unusable entry of the key list', () => {
    expect(signatureProblems([], { keys, keyProblems: ['ledger.public_keys[1].key is not a public key'] }).problems[0]).toMatchObject({
      check: 'signature',
      problem: 'ledger.public_keys[1].key is not a public key',
    });
  });
});

describe('recordTimeProblems', () => {
  it.each([
    ['times running forward', ['2026-11-20T10:00:00Z', '2026-11-20T11:00:00Z'], []],
    ['replicas whose clocks differ by less than the tolerance', ['2026-11-20T10:04:00Z', '2026-11-20T10:00:00Z'], []],
    ['a record sealed before the one it follows', ['2026-11-20T10:00:00Z', '2026-11-01T00:00:00Z'], [2]],
  ])('%s', (_name, times, bad) => {
    const r = recordTimeProblems(times.map((t, i) => summary(i + 1, { recorded: t })));
    expect(r.map((p) => p.seq)).toEqual(bad);
  });
});

describe('commit authorship and time in the history', () => {
  const bot: Omit<GitPerson, 'date'> = { name: 'access-ledger[bot]', email: '4243+access-ledger[bot]@users.noreply.github.com' };
  const github = { name: 'GitHub', email: 'noreply@github.com' };
  const at = (iso: string, p: Omit<GitPerson, 'date'>): GitPerson => ({ ...p, date: iso });
  const record = sealRecord(mergedDraft(1), null, '2026-11-20T10:00:03Z', signer);

  function replay(second: { author: GitPerson; committer: GitPerson }): string[] {
    const v = new HistoryVerifier({ appLogin: 'access-ledger[bot]' });
    v.addCommit({
      sha: 'a'.repeat(40),
      author: at('2026-11-20T09:00:00Z', bot),
      committer: at('2026-11-20T09:00:00Z', github),
      added: [{ path: 'README.md' }, { path: 'head.json', content: serializeHead(emptyHead()) }],
      modified: [],
      deleted: [],
    });
    v.addCommit({
      sha: 'b'.repeat(40),
      ...second,
      added: [{ path: recordPath(record), content: serializeRecord(record) }],
      modified: [{ path: 'head.json', content: serializeHead({ format: 'access-ledger/head@1', seq: 1, hash: record.hash, path: recordPath(record) }) }],
      deleted: [],
    });
    return v.result().problems.map((p) => `${p.check}: ${p.problem}`);
  }

  it.each([
    ["the App's bot, committed by GitHub", at('2026-11-20T10:00:05Z', bot), at('2026-11-20T10:00:05Z', github), []],
    ["the App's bot as committer too (a GitHub that does not sign)", at('2026-11-20T10:00:05Z', bot), at('2026-11-20T10:00:05Z', bot), []],
    [
      'a person',
      at('2026-11-20T10:00:05Z', { name: 'Mallory', email: 'm@x' }),
      at('2026-11-20T10:00:05Z', { name: 'Mallory', email: 'm@x' }),
      [/^authorship: commit bbbbbbbbbbbb is authored by Mallory <m@x> and is committed by Mallory <m@x>, not by the App/],
    ],
    [
      "the bot's name with another e-mail",
      at('2026-11-20T10:00:05Z', { name: 'access-ledger[bot]', email: 'bot@example.com' }),
      at('2026-11-20T10:00:05Z', github),
      [/^authorship: .*is authored by access-ledger\[bot\] <bot@example.com>/],
    ],
    [
      'the bot, committed by a person',
      at('2026-11-20T10:00:05Z', bot),
      at('2026-11-20T10:00:05Z', { name: 'Mallory', email: 'm@x' }),
      [/^authorship: .*is committed by Mallory/],
    ],
    [
      'dated before the commit it follows',
      at('2020-01-01T00:00:00Z', bot),
      at('2020-01-01T00:00:00Z', github),
      [
        /^time: .*was authored 2020-01-01T00:00:00Z and committed 2020-01-01T00:00:00Z, before the commit aaaaaaaaaaaa/,
        /^time: .*is dated 2020-01-01T00:00:00Z, before seq 1 was sealed/,
      ],
    ],
    [
      'dated before the record it adds was sealed',
      at('2026-11-20T09:30:00Z', bot),
      at('2026-11-20T09:30:00Z', github),
      [/^time: commit bbbbbbbbbbbb is dated 2026-11-20T09:30:00Z, before seq 1 was sealed \(recorded_at 2026-11-20T10:00:03Z\)/],
    ],
    [
      'a few seconds before it, within the clock tolerance',
      at(new Date(Date.parse('2026-11-20T10:00:03Z') - CLOCK_TOLERANCE_MS + 1000).toISOString(), bot),
      at('2026-11-20T10:00:03Z', github),
      [],
    ],
  ])('%s', (_name, author, committer, want) => {
    expect(replay({ author, committer })).toEqual(want.map((re) => expect.stringMatching(re)));
  });
});

describe("apiCommitProblem: GitHub's report of a commit", () => {
  const commit = (over: {
    author?: Partial<ApiCommit['commit']['author']>;
    committer?: Partial<ApiCommit['commit']['committer']>;
    authorLogin?: string | null;
    committerLogin?: string | null;
    verification?: ApiCommit['commit']['verification'];
  }): ApiCommit => ({
    sha: 'c'.repeat(40),
    author: over.authorLogin === null ? null : { login: over.authorLogin ?? 'access-ledger[bot]' },
    committer: over.committerLogin === null ? null : { login: over.committerLogin ?? 'web-flow' },
    commit: {
      author: { name: 'access-ledger[bot]', email: '4243+access-ledger[bot]@users.noreply.github.com', date: '2026-11-20T10:00:05Z', ...over.author },
      committer: { name: 'GitHub', email: 'noreply@github.com', date: '2026-11-20T10:00:05Z', ...over.committer },
      verification: over.verification === undefined ? { verified: true, reason: 'valid' } : over.verification,
    },
  });
  it.each([
    ["the App's signed commit", commit({}), null],
    [
      "the App's own unsigned commit where GitHub does not sign",
      commit({
        committer: { name: 'access-ledger[bot]', email: '4243+access-ledger[bot]@users.noreply.github.com' },
        committerLogin: 'access-ledger[bot]',
        verification: { verified: false, reason: 'unsigned' },
      }),
      null,
    ],
    [
      'a push naming GitHub as committer without its signature',
      commit({ verification: { verified: false, reason: 'unsigned' } }),
      /not verified by GitHub \(unsigned\)/,
    ],
    ['GitHub as committer with no verification reported', commit({ verification: null }), /claims GitHub as committer but GitHub reports no signature/],
    ['a signature that does not verify', commit({ verification: { verified: false, reason: 'invalid' } }), /not verified by GitHub \(invalid\)/],
    ["the bot's name on another account", commit({ authorLogin: 'mallory' }), /not linked to the App's account by GitHub \(author account: mallory\)/],
    ["GitHub's name on another account", commit({ committerLogin: 'mallory' }), /committed as GitHub but GitHub links it to mallory/],
    [
      'a person',
      commit({ author: { name: 'mallory', email: '7+mallory@users.noreply.github.com' }, authorLogin: 'mallory' }),
      /is authored by mallory <7\+mallory@users.noreply.github.com>, not by the App/,
    ],
  ])('%s', (_name, c, want) => {
    const problem = apiCommitProblem(c, 'access-ledger[bot]');
    if (want === null) expect(problem).toBeNull();
    else expect(problem).toMatch(want);
  });
});

describe('keys of records written in place of foreign ones', () => {
  it('alternate keys number from 2; anomaly keys name the commit and the key, within 200 characters', () => {
    expect(alternateKey('pr-3-merged', 2)).toBe('pr-3-merged-2');
    expect(() => alternateKey('pr-3-merged', 1)).toThrow();
    expect(anomalyKey('pr-3-merged', 'abcdef0123456789abcdef')).toBe('foreign-abcdef012345-pr-3-merged');
    expect(anomalyKey('x'.repeat(200), 'a'.repeat(40))).toHaveLength(200);
    expect(() => anomalyKey('pr-3-merged', 'not hex')).toThrow();
  });

  it('the App trusts its own key at any time', () => {
    const own = publicKeyOf(signer);
    expect(checkRecordSignature(asObject(signed('2019-01-01T00:00:00Z')), [own]).status).toBe('valid');
  });
});
