/**
 * The published JSON Schemas (policies/schemas/), compiled once with ajv, and the translation of
 * ajv errors into findings a person can act on: the file, the line, and what to write instead.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import grantSchema from '../../../policies/schemas/grant.schema.json' with { type: 'json' };
import systemSchema from '../../../policies/schemas/system.schema.json' with { type: 'json' };
import configSchema from '../../../policies/schemas/config.schema.json' with { type: 'json' };
import type { Finding } from '../findings.ts';
import { MAX_FILE_PROBLEMS, capProblems, type ParsedYaml } from './yaml-file.ts';

export type SchemaName = 'grant' | 'system' | 'config';

const addFormats = addFormatsModule as unknown as (ajv: Ajv, formats?: string[]) => Ajv;

let compiled: Record<SchemaName, ValidateFunction> | undefined;

/** Compiled once per process: compiling is the expensive part of ajv. */
export function validators(): Record<SchemaName, ValidateFunction> {
  if (!compiled) {
    const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true, verbose: true });
    addFormats(ajv, ['date']);
    compiled = {
      grant: ajv.compile(grantSchema),
      system: ajv.compile(systemSchema),
      config: ajv.compile(configSchema),
    };
  }
  return compiled;
}

export const SCHEMA_CONTROLS = ['SOC2:CC6.1', 'NIST-CSF-2.0:PR.AA-05', 'ISO27001:A.5.15'];

export function validateAgainst(name: SchemaName, parsed: ParsedYaml): Finding[] {
  const validate = validators()[name];
  if (validate(parsed.value)) return [];
  const { findings, total } = explainErrors(name, parsed, validate.errors ?? []);
  return capProblems(findings, 'schema problems', total);
}

function pointerToPath(pointer: string): (string | number)[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

function describePath(path: readonly (string | number)[]): string {
  if (path.length === 0) return 'the top level';
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

/**
 * The candidate nearest to `word` by edit distance, when it is near enough to be a typo. A
 * candidate whose length differs from the word's by more than the allowed distance is skipped
 * without comparing (the distance is at least the difference), so a key as long as the file costs
 * a length check per candidate, not a table of its length times the candidate's.
 */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  const allowed = Math.max(2, Math.floor(word.length / 3));
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    if (Math.abs(c.length - word.length) > allowed) continue;
    const d = levenshtein(word, c);
    if (d < bestDistance) {
      bestDistance = d;
      best = c;
    }
  }
  return bestDistance <= allowed ? best : undefined;
}

function levenshtein(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length]!;
}

/** A key as a message quotes it: one longer than a line is cut, and its length given. */
function quoteKey(key: string): string {
  if (key.length <= 80) return `\`${key}\``;
  return `\`${Array.from(key.slice(0, 80)).slice(0, 40).join('')}…\` (${key.length.toLocaleString('en-US')} characters)`;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return 'text';
  return `a ${typeof value}`;
}

/**
 * One finding per location. Past MAX_FILE_PROBLEMS + 1 locations only the count is kept: a file
 * with an error on each of thousands of values is reported in a few, and explained in a few.
 */
function explainErrors(name: SchemaName, parsed: ParsedYaml, errors: readonly ErrorObject[]): { findings: Finding[]; total: number } {
  // anyOf branches report each alternative; keep the most specific error per location.
  const byLocation = new Map<string, ErrorObject>();
  // An `if` failure only says a `then` failed; the errors from the `then` say what is wrong.
  // A key that fails `propertyNames` is reported once, by the `propertyNames` error, at the key.
  for (const err of errors.filter((e) => e.keyword !== 'if' && (e as { propertyName?: string }).propertyName === undefined)) {
    const extra =
      err.keyword === 'additionalProperties'
        ? `/${(err.params as { additionalProperty: string }).additionalProperty}`
        : err.keyword === 'propertyNames'
          ? `/${(err.params as { propertyName: string }).propertyName}`
          : '';
    const loc = err.instancePath + extra;
    const current = byLocation.get(loc);
    if (!current || rank(err) < rank(current)) byLocation.set(loc, err);
  }
  const findings: Finding[] = [];
  for (const err of byLocation.values()) {
    if (findings.length > MAX_FILE_PROBLEMS) break;
    const path = pointerToPath(err.instancePath);
    const where = describePath(path);
    let message: string;
    let pos = parsed.locate(path);
    switch (err.keyword) {
      case 'additionalProperties': {
        const key = (err.params as { additionalProperty: string }).additionalProperty;
        const allowed = Object.keys((err.parentSchema as { properties?: Record<string, unknown> }).properties ?? {});
        const guess = closest(key, allowed);
        pos = parsed.locate([...path, key], true);
        message =
          `unknown key ${quoteKey(key)} under ${where}` +
          (guess ? `: did you mean \`${guess}\`?` : `: allowed keys are ${allowed.map((k) => `\`${k}\``).join(', ')}`) +
          ' (unknown keys are errors so a typo never drops a control)';
        break;
      }
      case 'required': {
        const key = (err.params as { missingProperty: string }).missingProperty;
        message =
          (key === 'github' || key === 'email') && path.join('.') === 'identity' && name === 'grant'
            ? 'a human identity needs identity.github (the GitHub login of the person being granted access), or, for a person without a GitHub account, github: null and identity.email (the account id the systems know them by)'
            : `${where} is missing the required key \`${key}\`: add it`;
        break;
      }
      case 'format':
      case 'pattern': {
        const value = err.data;
        const isDate = (err.parentSchema as { format?: string }).format === 'date' || err.keyword === 'format';
        if (isDate) {
          message =
            // Echo the day back only when the value is a date-time: anything else may be a pasted secret.
            typeof value === 'string' && /^\d{4}-\d{2}-\d{2}[T ]/.test(value)
              ? `${where} must be a date (YYYY-MM-DD), not a date-time: write ${value.slice(0, 10)}`
              : `${where} is not a real calendar date: write an existing day as YYYY-MM-DD`;
        } else {
          message = `${where} has an invalid value: ${patternHint(path)}`;
        }
        break;
      }
      case 'enum': {
        const allowed = (err.params as { allowedValues: unknown[] }).allowedValues;
        const guess = typeof err.data === 'string' ? closest(err.data, allowed.map(String)) : undefined;
        message = `${where} must be one of ${allowed.map((v) => `\`${String(v)}\``).join(', ')}` + (guess ? `: did you mean \`${guess}\`?` : '');
        break;
      }
      case 'propertyNames': {
        const key = (err.params as { propertyName: string }).propertyName;
        const limits = err.schema as { minLength?: number; maxLength?: number };
        pos = parsed.locate([...path, key], true);
        message = `a key under ${where} is ${key.length === 0 ? 'empty' : `${key.length} characters long`}: names there are ${limits.minLength ?? 0} to ${limits.maxLength ?? 'any number of'} characters`;
        break;
      }
      case 'minProperties':
        message = `${where} is empty: list at least one entry under it, or remove it`;
        break;
      case 'const':
        message = `${where} must be ${JSON.stringify((err.params as { allowedValue: unknown }).allowedValue)}`;
        break;
      case 'type': {
        const isDateField = /(^|_)(expires|last_rotated|last_reviewed)$/.test(String(path[path.length - 1] ?? ''));
        if (isDateField) {
          message = `${where} must be a date, not ${typeName(err.data)}: write it as YYYY-MM-DD`;
          break;
        }
        if (name === 'system' && path.length === 2 && path[0] === 'roles' && err.data === null) {
          message = `${where} must be a mapping: write \`${String(path[1])}: {}\` for an ordinary role, or \`${String(path[1])}: { privileged: true }\``;
          break;
        }
        if (path[path.length - 1] === 'github' && err.data === null) {
          message =
            'a human identity needs identity.github (the GitHub login of the person being granted access), or, for a person without a GitHub account, github: null and identity.email (the account id the systems know them by)';
          break;
        }
        const expected = String((err.params as { type: string | string[] }).type).replace(',', ' or ');
        message = `${where} must be ${expected.replace('object', 'a mapping').replace('array', 'a list')}, not ${typeName(err.data)}: fix the value`;
        break;
      }
      case 'anyOf':
        message = `${where} has an invalid value (${typeName(err.data)}): see the ${name} file format in docs/file-formats.md`;
        break;
      default:
        message = `${where} ${err.message ?? 'is invalid'}: see the ${name} file format in docs/file-formats.md`;
    }
    // Two alternatives failing for one reason (a human with neither a GitHub login nor an e-mail) say it once.
    if (findings.some((f) => f.message === message)) continue;
    findings.push({ rule: 'schema', severity: 'error', file: parsed.path, line: pos.line, column: pos.column, message, controls: SCHEMA_CONTROLS });
  }
  return { findings, total: byLocation.size };
}

function rank(err: ErrorObject): number {
  // Prefer the error that names the real problem over the umbrella anyOf.
  return err.keyword === 'anyOf' ? 3 : err.keyword === 'type' ? 2 : 1;
}

function patternHint(path: readonly (string | number)[]): string {
  const last = path[path.length - 1];
  if (last === 'id' || last === 'system') return 'ids are lower-case letters, digits, `.`, `_` and `-`, starting with a letter or digit';
  if (typeof last === 'number' || last === 'approvers' || last === 'admins') return 'write a GitHub login or @org/team';
  return 'write a GitHub login (letters, digits and `-`)';
}
