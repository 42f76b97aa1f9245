/**
 * The connector registry: which connectors this version knows, in published order, and that
 * observe, import and the ledger reach each through it: a system file or a stored snapshot names a
 * connector by id, so an id the registry does not hold must fail by name, never run something else.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseAwsCredentialReport } from '../../src/core/observe/aws-iam.ts';
import { CONNECTOR_LIST, CONNECTORS, findConnector } from '../../src/core/observe/connectors/index.ts';
import { parseMappedExport, type ObserveConfig } from '../../src/core/observe/mapped.ts';
import { AWS_IAM_COMMAND } from '../../src/core/observe/aws-iam.ts';
import { extractionCommand, rawFormatOf, runConnector } from '../../src/core/observe/snapshot.ts';
import { ObserveError, type ConnectorId } from '../../src/core/observe/types.ts';

const TAKEN = '2026-11-20T10:00:00Z';
const fixture = (name: string) => readFileSync(new URL(`../fixtures/observe/${name}`, import.meta.url));
const bytes = (text: string) => Buffer.from(text, 'utf8');
const schema = JSON.parse(readFileSync(new URL('../../policies/schemas/system.schema.json', import.meta.url), 'utf8'));

describe('the connector registry', () => {
  it('lists the connectors in their published order, each once', () => {
    expect([...CONNECTORS]).toEqual(['github-org', 'aws-iam-credential-report', 'mapped']);
    expect(CONNECTOR_LIST.map((c) => c.id)).toEqual([...CONNECTORS]);
    expect(new Set(CONNECTORS).size).toBe(CONNECTORS.length);
  });

  it('is what a system file may name: the schema enum equals the registry', () => {
    expect(schema.properties.observe.properties.connector.enum).toEqual([...CONNECTORS]);
  });

  it.each(CONNECTORS)('%s is found by its id', (id) => {
    expect(findConnector(id)?.id).toBe(id);
  });

  it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty', 'GITHUB-ORG', ' mapped', 'mapped ', 'aws-iam', ''])(
    'an id the registry does not hold (%j) is not found, and running it fails by name',
    (id) => {
      expect(findConnector(id)).toBeUndefined();
      expect(() => runConnector(id as ConnectorId, bytes('u\na\n'), 'x.csv', { format: 'csv', columns: { account: 'u' } }, TAKEN)).toThrow(ObserveError);
      expect(() => runConnector(id as ConnectorId, bytes(''), 'x.csv', undefined, TAKEN)).toThrow(/is not one this version knows/);
      expect(() => rawFormatOf(id as ConnectorId, undefined)).toThrow(ObserveError);
      expect(() => extractionCommand(id as ConnectorId, undefined)).toThrow(ObserveError);
    },
  );
});

describe('what each connector records about its export', () => {
  const json: ObserveConfig = { format: 'json', columns: { account: 'login' } };
  const csv: ObserveConfig = { format: 'csv', columns: { account: 'email' } };
  it.each<[ConnectorId, ObserveConfig | undefined, 'csv' | 'json', string | null]>([
    ['github-org', undefined, 'json', null],
    ['github-org', json, 'json', null],
    ['aws-iam-credential-report', undefined, 'csv', AWS_IAM_COMMAND],
    ['aws-iam-credential-report', json, 'csv', AWS_IAM_COMMAND],
    ['mapped', undefined, 'csv', null],
    ['mapped', csv, 'csv', null],
    ['mapped', json, 'json', null],
  ])('%s with %j stores its raw export as %s, extracted by %j', (id, config, format, command) => {
    expect(rawFormatOf(id, config)).toBe(format);
    expect(extractionCommand(id, config)).toBe(command);
  });

  it.each(CONNECTORS)("%s records the system file's own command over its documented one", (id) => {
    expect(extractionCommand(id, { command: 'export-users --all' })).toBe('export-users --all');
  });
});

describe('running a connector through the registry', () => {
  it('gives what the connector module gives', () => {
    const report = fixture('aws-credential-report.csv');
    expect(runConnector('aws-iam-credential-report', report, 'report.csv', undefined, TAKEN)).toEqual(parseAwsCredentialReport(report, 'report.csv', TAKEN));
    expect(runConnector('aws-iam-credential-report', report, 'report.csv', undefined, TAKEN)).toEqual(
      findConnector('aws-iam-credential-report')!.run(report, 'report.csv', undefined, TAKEN),
    );
    const users = fixture('google-workspace-users.csv');
    const header = users.toString('utf8').split('\n')[0]!.split(',')[0]!;
    const config: ObserveConfig = { format: 'csv', columns: { account: header } };
    expect(runConnector('mapped', users, 'users.csv', config, TAKEN)).toEqual(parseMappedExport(users, 'users.csv', config));
  });

  it('github-org: an export that is not JSON fails by name and says so', () => {
    expect(() => runConnector('github-org', bytes('{"members": ['), 'github.json', undefined, TAKEN)).toThrow(/^github\.json is not valid JSON/);
    expect(() => runConnector('github-org', bytes('{"members": ['), 'github.json', undefined, TAKEN)).toThrow(ObserveError);
  });
});
