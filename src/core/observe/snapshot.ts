/**
 * Snapshots: a connector's accounts in the envelope drift, import and the ledger read
 * (docs/observed-access.md, "The snapshot format"). Pure: `node:crypto` only for SHA-256.
 */
import { createHash } from 'node:crypto';
import { isTimestamp } from '../ledger/record.ts';
import { CONNECTORS, findConnector, type ConnectorId } from './connectors/index.ts';
import type { Connector } from './connectors/connector.ts';
import type { ObserveConfig } from './mapped.ts';
import { ACCOUNT_KINDS, OBSERVED_FORMAT, ObserveError, type ConnectorResult, type ObservedSnapshot, type SnapshotSource } from './types.ts';
import { nameKey, shown } from './values.ts';

export function sha256Hex(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Which connector reads a system's export, by its `observe:` block (a `format` alone means mapped). */
export function connectorOf(config: ObserveConfig | undefined): ConnectorId | undefined {
  if (!config) return undefined;
  if (config.connector) return config.connector;
  return config.format ? 'mapped' : undefined;
}

/** The connector with this id; an id this version does not know fails by name (never a silent empty listing). */
function connectorFor(id: ConnectorId): Connector {
  const connector = findConnector(id);
  if (!connector)
    throw new ObserveError(
      `the connector ${JSON.stringify(id)} is not one this version knows (${CONNECTORS.join(', ')}): upgrade access-ledger or fix observe.connector`,
    );
  return connector;
}

/** The raw export's format as stored on the ledger branch. */
export function rawFormatOf(connector: ConnectorId, config: ObserveConfig | undefined): 'csv' | 'json' {
  const format = connectorFor(connector).meta.rawFormat;
  return format === 'configured' ? (config?.format ?? 'csv') : format;
}

/** The command recorded with a file's snapshot: the system file's own, else the connector's documented one. */
export function extractionCommand(connector: ConnectorId, config: ObserveConfig | undefined): string | null {
  if (config?.command) return config.command;
  return connectorFor(connector).meta.command;
}

/** Runs a connector over an export's bytes (for github-org: a raw export written earlier). */
export function runConnector(connector: ConnectorId, bytes: Uint8Array, label: string, config: ObserveConfig | undefined, takenAt: string): ConnectorResult {
  return connectorFor(connector).run(bytes, label, config, takenAt);
}

export interface BuildSnapshotInput {
  system: string;
  connector: ConnectorId;
  takenAt: string;
  source: SnapshotSource;
  raw: Uint8Array;
  rawFormat: 'csv' | 'json';
  result: ConnectorResult;
}

export function buildSnapshot(input: BuildSnapshotInput): ObservedSnapshot {
  if (!isTimestamp(input.takenAt)) throw new ObserveError(`taken_at ${JSON.stringify(input.takenAt)} is not a UTC timestamp like 2026-11-20T10:00:00Z`);
  const seen = new Map<string, string>();
  for (const a of input.result.accounts) {
    const key = nameKey(a.principal);
    if (seen.has(key))
      throw new ObserveError(`the export lists the account ${shown(a.principal)} twice (${seen.get(key)} and ${a.source[0]?.ref ?? '?'}): each account once`);
    seen.set(key, a.source[0]?.ref ?? '?');
  }
  return {
    format: OBSERVED_FORMAT,
    system: input.system,
    connector: input.connector,
    scope: input.result.scope ?? null,
    taken_at: input.takenAt.slice(0, 19) + 'Z',
    source: input.source,
    row_count: input.result.row_count,
    raw_sha256: sha256Hex(input.raw),
    raw_format: input.rawFormat,
    raw_bytes: input.raw.byteLength,
    reports: input.result.reports,
    reports_by_kind: input.result.reports_by_kind ?? {},
    gaps: input.result.gaps,
    accounts: input.result.accounts,
  };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

const isStringOrNull = (v: unknown) => v === null || typeof v === 'string';

/**
 * A snapshot file read back (drift, import): the envelope and every account checked for the
 * fields the rules read, so a hand-edited or truncated file fails here, by name, not later.
 */
export function parseSnapshot(text: string, label: string): ObservedSnapshot {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new ObserveError(`${label} is not valid JSON (${(err as Error).message.slice(0, 200)}): pass a snapshot written by access-ledger observe`);
  }
  if (!isObject(doc)) throw new ObserveError(`${label} is not a snapshot: pass a file written by access-ledger observe`);
  if (doc.format !== OBSERVED_FORMAT) {
    throw new ObserveError(
      `${label} has format ${JSON.stringify(doc.format ?? null)}, not ${OBSERVED_FORMAT}: pass a snapshot written by access-ledger observe (not the system's raw export)`,
    );
  }
  const bad = (what: string) => new ObserveError(`${label}: ${what}; the snapshot was changed after access-ledger observe wrote it, or is cut short`);
  if (typeof doc.system !== 'string' || !/^[a-z0-9][a-z0-9._-]{0,99}$/.test(doc.system)) throw bad('system is not a system id');
  if (!CONNECTORS.includes(doc.connector as ConnectorId)) throw bad('connector is not one this version knows');
  if (!isTimestamp(doc.taken_at)) throw bad('taken_at is not a UTC timestamp');
  if (typeof doc.raw_sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(doc.raw_sha256)) throw bad('raw_sha256 is not a SHA-256');
  if (!isObject(doc.reports) || !Array.isArray(doc.accounts) || !Array.isArray(doc.gaps)) throw bad('reports, gaps or accounts is missing');
  const accounts = doc.accounts as unknown[];
  for (let i = 0; i < accounts.length; i++) {
    const a = accounts[i];
    const where = `accounts[${i}]`;
    if (!isObject(a) || typeof a.principal !== 'string' || a.principal.trim() === '') throw bad(`${where} has no principal`);
    if (!Array.isArray(a.names) || a.names.some((n) => typeof n !== 'string')) throw bad(`${where}.names is not a list of names`);
    if (!ACCOUNT_KINDS.includes(a.kind as never)) throw bad(`${where}.kind is not person, service, key or app`);
    if (!Array.isArray(a.roles) || a.roles.some((r) => typeof r !== 'string')) throw bad(`${where}.roles is not a list of roles`);
    if (!Array.isArray(a.credentials)) throw bad(`${where}.credentials is not a list`);
    if (!isStringOrNull(a.created) || !isStringOrNull(a.last_used) || !isStringOrNull(a.expires_at)) throw bad(`${where} has a time that is not text`);
    if (a.privileged !== null && typeof a.privileged !== 'boolean') throw bad(`${where}.privileged is not true, false or null`);
    if (a.mfa !== null && typeof a.mfa !== 'boolean') throw bad(`${where}.mfa is not true, false or null`);
  }
  const snapshot = doc as unknown as ObservedSnapshot;
  snapshot.reports_by_kind ??= {};
  snapshot.scope ??= null;
  return snapshot;
}

/**
 * A snapshot as written to a file: one JSON document, the envelope two-space indented and each
 * account on a line of its own (so a diff of two snapshots shows accounts added and removed, and
 * 100,000 accounts stay a file of their own size), with a trailing newline.
 */
export function serializeSnapshot(snapshot: ObservedSnapshot): string {
  const { accounts, ...envelope } = snapshot;
  const head = JSON.stringify({ ...envelope, accounts: [] }, null, 2);
  if (accounts.length === 0) return head + '\n';
  const lines = accounts.map((a) => '    ' + JSON.stringify(a));
  return head.replace(/"accounts": \[\]\n\}$/, `"accounts": [\n${lines.join(',\n')}\n  ]\n}`) + '\n';
}
