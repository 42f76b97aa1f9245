/**
 * The connectors this version knows, one line each, in the order they were published. A new
 * connector is a module beside these (`defineConnector`) and one line here; its id goes in the
 * `observe.connector` enum of policies/schemas/system.schema.json (a test keeps the two equal).
 */
import type { Connector } from './connector.ts';
import githubOrg from './github-org.ts';
import awsIamCredentialReport from './aws-iam-credential-report.ts';
import mapped from './mapped.ts';

// biome-ignore format: one line per connector, so adding one is a one-line change
export const CONNECTOR_LIST = [
  githubOrg,
  awsIamCredentialReport,
  mapped,
] as const;

export type ConnectorId = (typeof CONNECTOR_LIST)[number]['id'];

/** The connector ids, in published order. */
export const CONNECTORS: readonly ConnectorId[] = CONNECTOR_LIST.map((c) => c.id);

const BY_ID: ReadonlyMap<string, Connector> = new Map(CONNECTOR_LIST.map((c) => [c.id, c]));

/** The connector with this id, or undefined when this version does not know it. */
export function findConnector(id: string): Connector | undefined {
  return BY_ID.get(id);
}
