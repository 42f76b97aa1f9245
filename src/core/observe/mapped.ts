/**
 * Any system through its own CSV or JSON export, mapped in the system file:
 *
 *   observe: { format: csv, columns: { account: email, role: group, last_used: last_login, privileged: is_admin } }
 *
 * Rows naming the same account (an export with one row per group or app assignment) become one
 * account with every role; rows the export marks inactive are counted and left out. Pure.
 */
import { decodeUtf8, readCsv, requireColumns } from './csv.ts';
import type { AccountKind, ConnectorId, ConnectorResult, ObservedAccount, SourceRow } from './types.ts';
import { ObserveError } from './types.ts';
import { cellText, later, nameKey, parseBool, parseTime, shown } from './values.ts';

/** The export's columns (CSV header names, or dotted paths into each JSON item) for each fact. */
export interface ObserveColumns {
  account: string;
  role?: string;
  privileged?: string;
  last_used?: string;
  created?: string;
  mfa?: string;
  kind?: string;
  email?: string;
  login?: string;
  active?: string;
  disabled?: string;
  expires?: string;
}

/** The `observe:` block of a system file (policies/schemas/system.schema.json). */
export interface ObserveConfig {
  connector?: ConnectorId;
  format?: 'csv' | 'json';
  columns?: ObserveColumns;
  /** JSON: the dotted path of the list of accounts in the document (default: the document is the list). */
  records?: string;
  /** Roles that make an account privileged, whatever the privileged column says. */
  privileged_roles?: string[];
  /** Splits a role cell holding several roles (e.g. `;`). */
  role_separator?: string;
  /** The kind of every account, unless a kind column says otherwise (default person). */
  kind?: AccountKind;
  /** Values of the `active` column that mean active (default: true, yes, 1, active, enabled, …). */
  active_values?: string[];
  /** The command that produces the export, recorded with each snapshot. */
  command?: string;
  /** github-org: the organization (default: `organization` of access-ledger.yaml). */
  organization?: string;
}

const KIND_WORDS: Record<string, AccountKind> = {
  person: 'person',
  human: 'person',
  user: 'person',
  member: 'person',
  employee: 'person',
  contractor: 'person',
  service: 'service',
  'service-account': 'service',
  service_account: 'service',
  serviceaccount: 'service',
  bot: 'service',
  machine: 'service',
  workload: 'service',
  key: 'key',
  token: 'key',
  'api-key': 'key',
  api_key: 'key',
  apikey: 'key',
  app: 'app',
  application: 'app',
  integration: 'app',
  oauth: 'app',
};

interface Item {
  ref: string;
  row: Record<string, unknown>;
}

/** A value by dotted path, own properties only (no `constructor` or `__proto__` from the prototype). */
function pick(row: Record<string, unknown>, path: string): unknown {
  if (Object.hasOwn(row, path)) return row[path];
  let at: unknown = row;
  for (const part of path.split('.')) {
    if (at === null || typeof at !== 'object' || Array.isArray(at) || !Object.hasOwn(at, part)) return undefined;
    at = (at as Record<string, unknown>)[part];
  }
  return at;
}

function jsonItems(bytes: Uint8Array, label: string, records: string | undefined): { items: Item[]; pointer: string } {
  let doc: unknown;
  try {
    doc = JSON.parse(decodeUtf8(bytes, label));
  } catch (err) {
    if (err instanceof ObserveError) throw err;
    throw new ObserveError(`${label} is not valid JSON (${(err as Error).message.slice(0, 200)}): export it again`);
  }
  let list: unknown = doc;
  let pointer = '';
  if (records) {
    for (const part of records.split('.')) {
      if (list === null || typeof list !== 'object' || Array.isArray(list) || !Object.hasOwn(list, part)) {
        throw new ObserveError(`${label} has nothing at ${JSON.stringify(records)} (observe.records in the system file): point it at the list of accounts`);
      }
      list = (list as Record<string, unknown>)[part];
      pointer += `/${part.replace(/~/g, '~0').replace(/\//g, '~1')}`;
    }
  }
  if (!Array.isArray(list)) {
    const lists =
      doc && typeof doc === 'object' && !Array.isArray(doc) ? Object.keys(doc).filter((k) => Array.isArray((doc as Record<string, unknown>)[k])) : [];
    throw new ObserveError(
      `${label}: ${records ? `${JSON.stringify(records)} is` : 'the document is'} not a list of accounts` +
        (lists.length
          ? `; set observe.records in the system file to one of ${lists
              .slice(0, 5)
              .map((k) => JSON.stringify(k))
              .join(', ')}`
          : ''),
    );
  }
  const items = list.map((row, i) => {
    if (row === null || typeof row !== 'object' || Array.isArray(row))
      throw new ObserveError(`${label} item ${pointer}/${i} is not an object: each account is one JSON object`);
    return { ref: `${pointer}/${i}`, row: row as Record<string, unknown> };
  });
  return { items, pointer };
}

export function parseMappedExport(bytes: Uint8Array, label: string, config: ObserveConfig): ConnectorResult {
  const columns = config.columns;
  const format = config.format;
  if (!columns?.account || !format) {
    throw new ObserveError(`the system file's observe block needs format (csv or json) and columns.account to read ${label}: see docs/observed-access.md`);
  }
  let items: Item[];
  if (format === 'csv') {
    const table = readCsv(bytes, label);
    const mapped = Object.values(columns).filter((c): c is string => typeof c === 'string');
    requireColumns(table, mapped, label, "fix observe.columns in the system file to name the export's header, or export the missing columns");
    items = table.rows.map((r) => ({ ref: `line ${r.line}`, row: r.values }));
  } else {
    items = jsonItems(bytes, label, config.records).items;
  }

  const activeValues = config.active_values ? new Set(config.active_values.map((v) => v.trim().toLowerCase())) : null;
  const privilegedRoles = new Set((config.privileged_roles ?? []).map(nameKey));
  const byKey = new Map<string, ObservedAccount>();
  const order: ObservedAccount[] = [];
  for (const { ref, row } of items) {
    const at = (field: keyof ObserveColumns) => `${label} ${ref}, ${format === 'csv' ? 'column' : 'field'} ${JSON.stringify(columns[field])}`;
    const get = (field: keyof ObserveColumns): unknown => (columns[field] === undefined ? undefined : pick(row, columns[field]!));

    if (columns.active !== undefined) {
      const raw = get('active');
      let active: boolean;
      if (activeValues) active = activeValues.has((cellText(raw, at('active')) ?? '').trim().toLowerCase());
      else {
        try {
          active = parseBool(raw, at('active')) !== false;
        } catch {
          throw new ObserveError(
            `${at('active')} is ${shown(String(raw))}: list the values that mean active in observe.active_values (e.g. [ACTIVE]) in the system file`,
          );
        }
      }
      if (!active) continue;
    }
    if (columns.disabled !== undefined && parseBool(get('disabled'), at('disabled')) === true) continue;

    const principal = (cellText(get('account'), at('account')) ?? '').trim();
    if (principal === '')
      throw new ObserveError(`${at('account')}: the account is empty; every row needs one (or mark the row inactive with an active column)`);

    const roles: string[] = [];
    if (columns.role !== undefined) {
      const raw = get('role');
      const cells = Array.isArray(raw) ? raw.map((r, i) => cellText(r, `${at('role')}[${i}]`)) : [cellText(raw, at('role'))];
      for (const cell of cells) {
        if (cell === null) continue;
        const parts = config.role_separator ? cell.split(config.role_separator) : [cell];
        for (const p of parts) if (p.trim() !== '') roles.push(p.trim());
      }
    }
    let privileged: boolean | null = columns.privileged !== undefined ? parseBool(get('privileged'), at('privileged')) : null;
    if (roles.some((r) => privilegedRoles.has(nameKey(r)))) privileged = true;
    else if (privileged === null && (config.privileged_roles !== undefined || columns.privileged !== undefined)) privileged = false;

    let kind: AccountKind = config.kind ?? 'person';
    if (columns.kind !== undefined) {
      const word = cellText(get('kind'), at('kind'))?.trim().toLowerCase();
      if (word) {
        const k = KIND_WORDS[word];
        if (!k) throw new ObserveError(`${at('kind')} is ${shown(word)}: use person, service, key or app (or user, bot, token, application)`);
        kind = k;
      }
    }
    const names = [principal];
    for (const field of ['email', 'login'] as const) {
      const v = columns[field] !== undefined ? cellText(get(field), at(field))?.trim() : undefined;
      if (v && !names.some((n) => nameKey(n) === nameKey(v))) names.push(v);
    }
    const created = columns.created !== undefined ? parseTime(get('created'), at('created')) : null;
    const lastUsed = columns.last_used !== undefined ? parseTime(get('last_used'), at('last_used')) : null;
    const mfa = columns.mfa !== undefined ? parseBool(get('mfa'), at('mfa')) : null;
    const expires = columns.expires !== undefined ? parseTime(get('expires'), at('expires')) : null;
    const source: SourceRow = { ref, row };

    const key = nameKey(principal);
    const existing = byKey.get(key);
    if (existing) {
      // Another row for the same account (one row per group or assignment): one account, every role.
      for (const r of roles) if (!existing.roles.some((x) => nameKey(x) === nameKey(r))) existing.roles.push(r);
      for (const n of names) if (!existing.names.some((x) => nameKey(x) === nameKey(n))) existing.names.push(n);
      if (privileged !== null) existing.privileged = existing.privileged === true || privileged;
      existing.last_used = later(existing.last_used, lastUsed);
      if (created !== null && (existing.created === null || created.slice(0, 19) < existing.created.slice(0, 19))) existing.created = created;
      if (mfa !== null) existing.mfa = existing.mfa === false ? false : mfa;
      existing.expires_at = later(existing.expires_at, expires);
      existing.source.push(source);
      continue;
    }
    const account: ObservedAccount = {
      principal,
      names,
      kind,
      roles: [...new Map(roles.map((r) => [nameKey(r), r])).values()],
      permissions: null,
      privileged,
      created,
      last_used: lastUsed,
      credentials: [],
      credential_age_days: null,
      mfa,
      expires_at: expires,
      owner: null,
      source: [source],
    };
    byKey.set(key, account);
    order.push(account);
  }
  return {
    row_count: items.length,
    reports: {
      roles: columns.role !== undefined,
      privileged: columns.privileged !== undefined || config.privileged_roles !== undefined,
      created: columns.created !== undefined,
      last_used: columns.last_used !== undefined,
      credentials: false,
      mfa: columns.mfa !== undefined,
    },
    gaps: [],
    accounts: order,
  };
}
