/**
 * Signed records (docs/ledger.md, "Signatures"). The App holds a ledger signing key (Ed25519) and
 * signs every record it seals; the public halves, with the period each was in use, are listed in
 * access-ledger.yaml (`ledger.public_keys`), so `verify` can tell offline whether a record was
 * sealed by the holder of a ledger key, and a rewrite of the branch with every hash recomputed
 * fails without asking GitHub.
 *
 * How the signature sits in the record, so the hash chain stays as it was:
 *
 *   content  = the record without `hash` and without `signature`
 *   message  = "access-ledger/record-signature@1:" + lower-case hex SHA-256 of RFC 8785 JSON of content
 *   signature = { key_id, alg: "ed25519", sig: base64 Ed25519 signature of the message's UTF-8 bytes }
 *   hash     = SHA-256 of RFC 8785 JSON of the record without `hash` (signature included)
 *
 * The hash is computed exactly as before (over everything but `hash`), so every reader that
 * checks hashes keeps working, and the next record's prev_hash covers the signature: a signature
 * cannot be stripped or swapped without breaking the chain.
 *
 * Pure: keys come in as text, nothing is read from disk or the environment here. node:crypto is
 * used for SHA-256 and Ed25519 only.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign as edSign, verify as edVerify, type KeyObject } from 'node:crypto';
import { isIsoDate } from '../dates.ts';
import { contentHash, isTimestamp } from './record.ts';

export const SIGNATURE_ALG = 'ed25519' as const;
/** Prefixed to the content hash before signing, so a ledger key's signature means nothing elsewhere. */
export const SIGNATURE_CONTEXT = 'access-ledger/record-signature@1:';
/**
 * Prefixed to the digest of a message App replicas pass each other through a shared queue (an
 * append handed over, its outcome handed back): signed with the same key as records, but never
 * valid as a record's signature, nor a record's signature as one of these.
 */
export const QUEUE_SIGNATURE_CONTEXT = 'access-ledger/queue-message@1:';
/** Hex digits of SHA-256(SPKI DER) that make a key id. */
export const KEY_ID_LENGTH = 16;
const KEY_ID_RE = /^[0-9a-f]{16}$/;

/** `signature` of a record. */
export interface RecordSignature {
  /** First 16 hex digits of the SHA-256 of the public key's SPKI DER. */
  key_id: string;
  alg: typeof SIGNATURE_ALG;
  /** Base64 Ed25519 signature of SIGNATURE_CONTEXT + content hash. */
  sig: string;
}

/** What seals records: the private half of a ledger key, never leaving the App's process. */
export interface LedgerSigner {
  readonly keyId: string;
  /** The public key as base64 SPKI DER (what `ledger.public_keys[].key` lists). */
  readonly publicKey: string;
  /** Signs a record's content hash. */
  sign(contentHash: string): RecordSignature;
  /**
   * Signs the digest of a message between App replicas (QUEUE_SIGNATURE_CONTEXT + digest); base64.
   * Check it with `verifyQueueMessage`.
   */
  signQueueMessage(digest: string): string;
}

/** A key or a key list that cannot be used; the message says which and how to fix it. */
export class LedgerKeyError extends Error {
  override name = 'LedgerKeyError';
}

function spkiDer(key: KeyObject): Buffer {
  return key.export({ type: 'spki', format: 'der' });
}

/** The key id of a public key: the first 16 hex digits of SHA-256 of its SPKI DER. */
export function keyIdOf(key: KeyObject): string {
  return createHash('sha256').update(spkiDer(key)).digest('hex').slice(0, KEY_ID_LENGTH);
}

/** PEM as environment variables carry it: a real multi-line PEM, or one line with `\n` escapes. */
function normalisePem(text: string): string {
  return text.includes('\\n') && !text.includes('\n') ? text.replace(/\\n/g, '\n') : text;
}

/**
 * A signer from an Ed25519 private key in PEM (PKCS#8, `-----BEGIN PRIVATE KEY-----`). `source`
 * names where the key came from for the error messages (e.g. the environment variable).
 */
export function createLedgerSigner(privateKeyPem: string, source = 'the ledger signing key'): LedgerSigner {
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: normalisePem(privateKeyPem.trim()), format: 'pem' });
  } catch (err) {
    throw new LedgerKeyError(`${source} is not a PEM private key (${(err as Error).message}): generate one with \`access-ledger keygen\``);
  }
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new LedgerKeyError(
      `${source} is a ${key.asymmetricKeyType ?? 'unknown'} key; the ledger signs with Ed25519: generate one with \`access-ledger keygen\``,
    );
  }
  const pub = createPublicKey(key);
  const keyId = keyIdOf(pub);
  const publicKey = spkiDer(pub).toString('base64');
  return {
    keyId,
    publicKey,
    sign(hash: string): RecordSignature {
      const sig = edSign(null, Buffer.from(SIGNATURE_CONTEXT + hash, 'utf8'), key).toString('base64');
      return { key_id: keyId, alg: SIGNATURE_ALG, sig };
    },
    signQueueMessage(digest: string): string {
      return edSign(null, Buffer.from(QUEUE_SIGNATURE_CONTEXT + digest, 'utf8'), key).toString('base64');
    },
  };
}

/** Whether `sig` (base64) is the key's signature of a queue message's digest (see QUEUE_SIGNATURE_CONTEXT). */
export function verifyQueueMessage(publicKey: LedgerPublicKey, digest: string, sig: string): boolean {
  if (typeof sig !== 'string' || !/^[A-Za-z0-9+/]{86}==$/.test(sig)) return false;
  return edVerify(null, Buffer.from(QUEUE_SIGNATURE_CONTEXT + digest, 'utf8'), publicKey.key, Buffer.from(sig, 'base64'));
}

/** A new ledger key: the private key as PKCS#8 PEM, the public key as SPKI PEM and base64 DER. */
export function generateLedgerKey(): { privateKeyPem: string; publicKeyPem: string; publicKey: string; keyId: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    publicKey: spkiDer(publicKey).toString('base64'),
    keyId: keyIdOf(publicKey),
  };
}

/** A listed public key, ready to verify with. */
export interface LedgerPublicKey {
  id: string;
  key: KeyObject;
  /** Milliseconds since the epoch: first instant the key may have signed. */
  from: number;
  /** Last instant the key may have signed; null while it is current. */
  until: number | null;
  /** As written, for messages. */
  fromText: string;
  untilText: string | null;
}

function parseKeyMaterial(text: string): KeyObject {
  const trimmed = text.trim();
  if (trimmed.startsWith('-----BEGIN')) return createPublicKey({ key: normalisePem(trimmed), format: 'pem' });
  return createPublicKey({ key: Buffer.from(trimmed.replace(/\s+/g, ''), 'base64'), format: 'der', type: 'spki' });
}

function instant(value: unknown, end: boolean): number | null {
  if (typeof value !== 'string') return null;
  if (isIsoDate(value)) return Date.parse(`${value}T00:00:00Z`) + (end ? 86_399_999 : 0);
  if (isTimestamp(value)) return Date.parse(value);
  return null;
}

/**
 * `ledger.public_keys` parsed; every entry that cannot be used is a problem naming it (a key that
 * does not parse, an id that is not the key's, a period that ends before it starts), and is left
 * out of `keys`.
 */
export function parseLedgerPublicKeys(list: readonly unknown[] | undefined | null): { keys: LedgerPublicKey[]; problems: string[] } {
  const keys: LedgerPublicKey[] = [];
  const problems: string[] = [];
  (list ?? []).forEach((raw, i) => {
    const where = `ledger.public_keys[${i}]`;
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
      problems.push(`${where} is not a mapping with id, key and from`);
      return;
    }
    const e = raw as Record<string, unknown>;
    if (typeof e.key !== 'string') {
      problems.push(`${where} has no key: paste the public key (PEM or base64 SPKI) that \`access-ledger keygen\` printed`);
      return;
    }
    let key: KeyObject;
    try {
      key = parseKeyMaterial(e.key);
    } catch (err) {
      problems.push(`${where}.key is not a public key (${(err as Error).message})`);
      return;
    }
    if (key.asymmetricKeyType !== 'ed25519') {
      problems.push(`${where}.key is a ${key.asymmetricKeyType ?? 'unknown'} key; ledger keys are Ed25519`);
      return;
    }
    const id = keyIdOf(key);
    if (e.id !== id) {
      problems.push(`${where}.id is ${JSON.stringify(e.id)}, but the key's id is ${id} (the first 16 hex digits of SHA-256 of its SPKI DER)`);
      return;
    }
    const from = instant(e.from, false);
    if (from === null) {
      problems.push(`${where}.from must be a date (YYYY-MM-DD) or an ISO 8601 UTC time: the first day the App signed with key ${id}`);
      return;
    }
    let until: number | null = null;
    if (e.until !== undefined && e.until !== null) {
      until = instant(e.until, true);
      if (until === null) {
        problems.push(`${where}.until must be a date (YYYY-MM-DD) or an ISO 8601 UTC time`);
        return;
      }
      if (until < from) {
        problems.push(`${where}: key ${id} ends (${String(e.until)}) before it starts (${String(e.from)})`);
        return;
      }
    }
    if (keys.some((k) => k.id === id)) {
      problems.push(`${where}: key ${id} is listed twice; give each key one entry with its whole period`);
      return;
    }
    keys.push({ id, key, from, until, fromText: String(e.from), untilText: e.until === undefined || e.until === null ? null : String(e.until) });
  });
  return { keys, problems };
}

/** The public half of a signer as a listed key (valid from `from`), e.g. the App's own key. */
export function publicKeyOf(signer: LedgerSigner, from = 0): LedgerPublicKey {
  const key = parseKeyMaterial(signer.publicKey);
  return { id: signer.keyId, key, from, until: null, fromText: new Date(from).toISOString(), untilText: null };
}

/** Whether the key may have signed at `at` (an ISO timestamp). */
export function keyValidAt(k: LedgerPublicKey, at: string): boolean {
  const t = Date.parse(at);
  return !Number.isNaN(t) && t >= k.from && (k.until === null || t <= k.until);
}

function period(k: LedgerPublicKey): string {
  return `from ${k.fromText}${k.untilText ? ` until ${k.untilText}` : ''}`;
}

export type SignatureCheck = { status: 'unsigned' } | { status: 'valid'; key_id: string } | { status: 'invalid'; key_id: string | null; problem: string };

/** What is left of a signature check once everything but the Ed25519 verification is done. */
export interface PendingSignature {
  key_id: string;
  key: KeyObject;
  message: Buffer;
  sig: Buffer;
}

/**
 * Everything of checking a record's signature but the Ed25519 verification itself: the record's
 * `signature` is well-formed, names a listed key, and that key was valid at the record's
 * `recorded_at`. Returns the outcome, or what remains to verify (the caller may verify many at
 * once, off the main thread; `finishSignatureCheck` then gives the outcome). `content` is the
 * record's content hash when the caller has it already.
 */
export function prepareSignatureCheck(
  record: Record<string, unknown>,
  keys: readonly LedgerPublicKey[],
  content?: string,
): SignatureCheck | { pending: PendingSignature } {
  const s = record.signature;
  if (s === undefined) return { status: 'unsigned' };
  if (s === null || typeof s !== 'object' || Array.isArray(s))
    return { status: 'invalid', key_id: null, problem: 'signature is not an object with key_id, alg and sig' };
  const sig = s as Record<string, unknown>;
  const keyId = typeof sig.key_id === 'string' && KEY_ID_RE.test(sig.key_id) ? sig.key_id : null;
  if (keyId === null) return { status: 'invalid', key_id: null, problem: 'signature.key_id is not 16 lower-case hex digits' };
  if (sig.alg !== SIGNATURE_ALG) return { status: 'invalid', key_id: keyId, problem: `signature.alg is ${JSON.stringify(sig.alg)}, expected ${SIGNATURE_ALG}` };
  if (typeof sig.sig !== 'string' || !/^[A-Za-z0-9+/]{86}==$/.test(sig.sig))
    return { status: 'invalid', key_id: keyId, problem: 'signature.sig is not a base64 Ed25519 signature' };
  const key = keys.find((k) => k.id === keyId);
  if (!key) return { status: 'invalid', key_id: keyId, problem: `signed with key ${keyId}, which ledger.public_keys does not list` };
  const at = typeof record.recorded_at === 'string' ? record.recorded_at : '';
  if (!keyValidAt(key, at)) {
    return {
      status: 'invalid',
      key_id: keyId,
      problem: `signed with key ${keyId}, valid ${period(key)}, but the record says it was sealed at ${at || 'an unknown time'}`,
    };
  }
  let hash: string;
  try {
    hash = content ?? contentHash(record);
  } catch (err) {
    return { status: 'invalid', key_id: keyId, problem: (err as Error).message };
  }
  return { pending: { key_id: keyId, key: key.key, message: Buffer.from(SIGNATURE_CONTEXT + hash, 'utf8'), sig: Buffer.from(sig.sig, 'base64') } };
}

/** The outcome of a pending check, given whether the Ed25519 signature verified. */
export function finishSignatureCheck(p: PendingSignature, verified: boolean): SignatureCheck {
  if (verified) return { status: 'valid', key_id: p.key_id };
  return {
    status: 'invalid',
    key_id: p.key_id,
    problem: `the signature by key ${p.key_id} does not verify: the record was changed after it was signed, or the signature was made with another key`,
  };
}

/** Verifies a pending check's Ed25519 signature now, on this thread. */
export function verifyPendingSignature(p: PendingSignature): boolean {
  return edVerify(null, p.message, p.key, p.sig);
}

/**
 * Checks a record's signature against the listed keys: the key it names must be listed, valid at
 * the record's `recorded_at`, and the signature must verify over the record's content hash.
 */
export function checkRecordSignature(record: Record<string, unknown>, keys: readonly LedgerPublicKey[], content?: string): SignatureCheck {
  const prepared = prepareSignatureCheck(record, keys, content);
  if (!('pending' in prepared)) return prepared;
  return finishSignatureCheck(prepared.pending, verifyPendingSignature(prepared.pending));
}
