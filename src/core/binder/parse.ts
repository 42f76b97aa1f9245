/**
 * Reading grant and system files for the binder: the plain YAML value checked against the
 * published schema. Positions are not needed here (the binder reports rows, not file lines), and
 * skipping them keeps 100,000 files within the export's memory budget. The same limits as the
 * validator apply: size, aliases, one document.
 */
import type { LoadedFile } from '../model/snapshot.ts';
import { validators, type SchemaName } from '../model/schemas.ts';
import { MAX_FILE_BYTES, parseYamlFile } from '../model/yaml-file.ts';
import { fastParseYaml } from './fast-yaml.ts';

export interface ParsedFile<T> {
  data: T | null;
  /** Why the file has no data (syntax or schema), for the gaps the binder reports. */
  problem: string | null;
  /** The data as JSON, when the parse made it anyway (to detach the value from the file's text). */
  json?: string;
}

export interface ParseOptions {
  /**
   * Copy the value out of the file's text (default true). The fast reader's strings are slices
   * of the text, and a slice keeps all of it alive: a value that is kept should be detached; one
   * used and dropped at once need not pay for the copy.
   */
  detach?: boolean;
}

export function parseAccessFile<T>(content: string | null, schema: SchemaName, options: ParseOptions = {}): ParsedFile<T> {
  if (content === null) return { data: null, problem: null };
  if (Buffer.byteLength(content) > MAX_FILE_BYTES) return { data: null, problem: 'file is over the 1 MiB limit' };
  // The fast reader handles the plain YAML access files are written in; anything else goes to
  // the full parser, so both paths give the same value.
  let value: unknown = fastParseYaml(content);
  // A copy through JSON (the subset is plain JSON data) lets the text go, which halves what
  // 100,000 parsed grants hold.
  let json: string | undefined;
  if (value !== undefined && options.detach !== false) {
    json = JSON.stringify(value);
    value = JSON.parse(json);
  }
  if (value === undefined) {
    // The validator's own reader, with its limits on tokens, aliases and their expansion: the work
    // stays bounded by the size of the file.
    const read = parseYamlFile('', content);
    const error = read.problems.find((p) => p.severity === 'error');
    if (read.value === undefined || error) return { data: null, problem: `not valid YAML (${error?.message ?? 'unreadable'})` };
    value = read.value;
  }
  const validate = validators()[schema];
  if (!validate(value)) {
    const e = validate.errors?.[0];
    return { data: null, problem: `does not match the ${schema} schema (${e?.instancePath || '/'} ${e?.message ?? ''})`.trim() };
  }
  return json === undefined ? { data: value as T, problem: null } : { data: value as T, problem: null, json };
}

/** A LoadedFile for the rule engine without positions: findings point at line 1. */
export function lightLoadedFile<T>(path: string, data: T | null, problem: string | null, blobSha?: string): LoadedFile<T> {
  const file: LoadedFile<T> = {
    path,
    source: { path, value: data ?? undefined, problems: [], locate: () => ({ line: 1, column: 1 }) },
    problems: problem
      ? [
          {
            rule: 'schema',
            severity: 'error',
            file: path,
            line: 1,
            column: 1,
            message: problem,
            controls: ['SOC2:CC6.1', 'NIST-CSF-2.0:PR.AA-05', 'ISO27001:A.5.15'],
          },
        ]
      : [],
  };
  if (data !== null) file.data = data;
  if (blobSha) file.blobSha = blobSha;
  return file;
}
