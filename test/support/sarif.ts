/**
 * Checks a SARIF log two ways: against the official SARIF 2.1.0 schema (carried by
 * @microsoft/jest-sarif), and against what GitHub code scanning documents it ingests ("SARIF
 * support for code scanning" and its limits): at most 20 runs per file, 25,000 results and 25,000
 * rules per run, 20 tags per rule, 1 to 1,000 locations per result, 10 MB gzip-compressed; each
 * result with a ruleId of a rule of the run, a message, a relative file path and a start line;
 * security-severity a number from 0.0 to 10.0 on a rule tagged `security`.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { gzipSync } from 'node:zlib';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
const require = createRequire(import.meta.url);

let cached: ValidateFunction | undefined;

export function sarifSchemaValidator(): ValidateFunction {
  if (cached) return cached;
  const path = require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json');
  const schema = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  // The file is written in draft-04 (`id`, `$schema` draft-04); its other keywords mean the same
  // in draft-07, which ajv speaks, so only the identifier keyword is translated.
  delete schema.$schema;
  schema.$id = schema.id;
  delete schema.id;
  // One pattern in the published schema (language tags) is not valid with the regex unicode flag.
  const ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false, unicodeRegExp: false });
  addFormats(ajv);
  cached = ajv.compile(schema);
  return cached;
}

export const GITHUB_LIMITS = { runs: 20, resultsPerRun: 25_000, rulesPerRun: 25_000, tagsPerRule: 20, locationsPerResult: 1_000, gzipBytes: 10 * 1024 * 1024 };

interface Log {
  version?: string;
  runs?: {
    tool?: { driver?: { name?: string; rules?: { id?: string; properties?: { tags?: string[]; 'security-severity'?: string } }[] } };
    automationDetails?: { id?: string };
    results?: {
      ruleId?: string;
      ruleIndex?: number;
      message?: { text?: string };
      locations?: { physicalLocation?: { artifactLocation?: { uri?: string }; region?: { startLine?: number } } }[];
      partialFingerprints?: Record<string, string>;
    }[];
  }[];
}

/** Every way `text` (a SARIF file) would be refused or degraded by code scanning, as plain sentences. */
export function githubIngestionProblems(text: string): string[] {
  const problems: string[] = [];
  const log = JSON.parse(text) as Log;
  if (log.version !== '2.1.0') problems.push(`version is ${log.version}, not 2.1.0`);
  const gz = gzipSync(text).length;
  if (gz > GITHUB_LIMITS.gzipBytes) problems.push(`${gz} bytes gzip-compressed, over 10 MB`);
  const runs = log.runs ?? [];
  if (runs.length === 0) problems.push('no runs');
  if (runs.length > GITHUB_LIMITS.runs) problems.push(`${runs.length} runs, over ${GITHUB_LIMITS.runs}`);
  runs.forEach((run, r) => {
    const rules = run.tool?.driver?.rules ?? [];
    if (!run.tool?.driver?.name) problems.push(`run ${r}: no tool.driver.name`);
    if (!run.automationDetails?.id) problems.push(`run ${r}: no automationDetails.id (the category)`);
    if (rules.length > GITHUB_LIMITS.rulesPerRun) problems.push(`run ${r}: ${rules.length} rules`);
    const ids = new Set<string>();
    for (const rule of rules) {
      if (!rule.id) problems.push(`run ${r}: a rule without an id`);
      else ids.add(rule.id);
      const tags = rule.properties?.tags ?? [];
      if (tags.length > GITHUB_LIMITS.tagsPerRule) problems.push(`rule ${rule.id}: ${tags.length} tags`);
      const sev = rule.properties?.['security-severity'];
      if (sev !== undefined) {
        const n = Number(sev);
        if (typeof sev !== 'string' || !/^\d+(\.\d+)?$/.test(sev) || n < 0 || n > 10)
          problems.push(`rule ${rule.id}: security-severity ${JSON.stringify(sev)} is not a number from 0.0 to 10.0`);
        if (!tags.includes('security')) problems.push(`rule ${rule.id}: security-severity without the security tag is ignored`);
      }
    }
    const results = run.results ?? [];
    if (results.length > GITHUB_LIMITS.resultsPerRun) problems.push(`run ${r}: ${results.length} results, over ${GITHUB_LIMITS.resultsPerRun}`);
    results.forEach((res, i) => {
      const where = `run ${r} result ${i}`;
      if (!res.ruleId || !ids.has(res.ruleId)) problems.push(`${where}: ruleId ${res.ruleId} is not a rule of the run`);
      if (res.ruleIndex !== undefined && rules[res.ruleIndex]?.id !== res.ruleId) problems.push(`${where}: ruleIndex does not point at its ruleId`);
      if (!res.message?.text) problems.push(`${where}: no message.text`);
      const locations = res.locations ?? [];
      if (locations.length < 1 || locations.length > GITHUB_LIMITS.locationsPerResult) problems.push(`${where}: ${locations.length} locations`);
      const loc = locations[0]?.physicalLocation;
      const uri = loc?.artifactLocation?.uri;
      if (!uri || /^[a-z]+:/i.test(uri) || uri.startsWith('/')) problems.push(`${where}: artifactLocation.uri ${uri} is not a path relative to the repository`);
      if (!loc?.region?.startLine || loc.region.startLine < 1) problems.push(`${where}: no region.startLine`);
      if (!res.partialFingerprints || Object.keys(res.partialFingerprints).length === 0)
        problems.push(`${where}: no partialFingerprints (upload-sarif cannot compute them without a checkout)`);
    });
  });
  return problems;
}
