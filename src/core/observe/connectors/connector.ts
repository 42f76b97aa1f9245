/**
 * What a connector is: an id (what a system file's `observe.connector` and a snapshot's
 * `connector` name), what it records about the export it reads, and `run`, which turns the
 * export's bytes into normalized accounts. Pure: bytes and a clock in, accounts out.
 * src/core/observe/connectors/index.ts lists the connectors.
 */
import type { ObserveConfig } from '../mapped.ts';
import type { ConnectorResult } from '../types.ts';

export interface ConnectorMeta {
  /**
   * The raw export's format, and its extension on the ledger branch: `csv` or `json` when the
   * connector reads one format, `configured` when the system file's `format` says (csv when unset).
   */
  rawFormat: 'csv' | 'json' | 'configured';
  /** The command that produces the export, recorded with a file's snapshot when the system file names none; null when there is no single one. */
  command: string | null;
}

export interface Connector<Id extends string = string> {
  readonly id: Id;
  readonly meta: ConnectorMeta;
  /**
   * Reads an export's bytes (for github-org: a raw export written earlier). `label` names the
   * export in messages (the file as given, the ledger path); `takenAt` is the moment ages are
   * measured at. Bad input throws an ObserveError naming the file or field and what to do.
   */
  run(bytes: Uint8Array, label: string, config: ObserveConfig | undefined, takenAt: string): ConnectorResult;
}

/**
 * Declares a connector, keeping its id literal so `ConnectorId` lists it. Spell `run`'s return
 * type (`: ConnectorResult`): `ConnectorId` is read from the connectors, and the `observe` block
 * `run` receives names a `ConnectorId` in turn, so TypeScript cannot infer it.
 */
export function defineConnector<const Id extends string>(connector: Connector<Id>): Connector<Id> {
  return connector;
}
