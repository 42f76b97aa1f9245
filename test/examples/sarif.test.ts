/** `validate --format sarif` produces a SARIF 2.1.0 document that code scanning accepts. */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Finding } from '../../src/core/findings.ts';
import { runCli, type CliRun } from './run-cli.ts';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
const require = createRequire(import.meta.url);

function sarifValidator() {
  const path = require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json');
  const schema = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  // The file is written in draft-04 (\`id\`, \`$schema\` draft-04); its other keywords mean the same
  // in draft-07, which ajv speaks, so only the identifier keyword is translated.
  delete schema.$schema;
  schema.$id = schema.id;
  delete schema.id;
  // One pattern in the published schema (language tags) is not valid with the regex unicode flag.
  const ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false, unicodeRegExp: false });
  addFormats(ajv);
  return ajv.compile(schema);
}

interface SarifLog {
  version: string;
  runs: {
    tool: { driver: { rules: { id: string; properties: { tags: string[] } }[] } };
    results: { ruleId: string; ruleIndex?: number; level: string; locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number; startColumn: number } } }[] }[];
  }[];
}

let sarif: CliRun;
let log: SarifLog;
let findings: Finding[];

beforeAll(async () => {
  sarif = await runCli(['validate', 'examples/broken-repo', '--format', 'sarif', '--today', '2026-11-26']);
  log = JSON.parse(sarif.stdout) as SarifLog;
  const json = await runCli(['validate', 'examples/broken-repo', '--format', 'json', '--today', '2026-11-26']);
  findings = (JSON.parse(json.stdout) as { findings: Finding[] }).findings;
});

describe('validate --format sarif', () => {
  it('exits 1 on the broken repo, like the other formats', () => {
    expect(sarif.stderr).toBe('');
    expect(sarif.code).toBe(1);
  });

  it('validates against the SARIF 2.1.0 schema', () => {
    const validate = sarifValidator();
    const ok = validate(log);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
    expect(log.version).toBe('2.1.0');
  });

  it('the schema check can fail: a result without a message is rejected', () => {
    const validate = sarifValidator();
    const broken = structuredClone(log) as unknown as { runs: { results: Record<string, unknown>[] }[] };
    delete broken.runs[0]!.results[0]!.message;
    expect(validate(broken)).toBe(false);
  });

  it('carries one result per finding, at the same file, line and column, pointing at its rule', () => {
    const run = log.runs[0]!;
    expect(run.results).toHaveLength(findings.length);
    run.results.forEach((r, i) => {
      const f = findings[i]!;
      const loc = r.locations[0]!.physicalLocation;
      expect([r.ruleId, loc.artifactLocation.uri, loc.region.startLine, loc.region.startColumn, r.level]).toEqual([f.rule, f.file, f.line, f.column, f.severity]);
      expect(run.tool.driver.rules[r.ruleIndex!]!.id).toBe(r.ruleId);
    });
  });

  it('tags each rule with its control identifiers', () => {
    const rules = log.runs[0]!.tool.driver.rules;
    const expiry = rules.find((r) => r.id === 'expiry-max-days')!;
    expect(expiry.properties.tags).toContain('SOC2:CC6.3');
    expect(rules.every((r) => r.properties.tags.length > 1)).toBe(true);
  });
});
