/**
 * Drift: the grant files against what the systems list, judged by the observed rules
 * (src/core/rules/observed-*.ts) under the repo's policy. Pure: files, snapshots, packs and a day
 * in; findings out.
 *
 * Built for 100,000 grants and 100,000 accounts: grant files are read with the binder's fast
 * reader (plain YAML, positions not kept), and a file's positions are found only when a finding
 * points into it, by a walk of its lines (./locate.ts). A file outside the fast reader's subset, or one that fails its schema,
 * goes through the validator's own reader, so the data is always what `validate` reads.
 */
import { summarize, type Finding, type FindingSummary } from '../findings.ts';
import { parseAccessFile } from '../binder/parse.ts';
import type { Pack } from '../engine/policy.ts';
import { loadFile, roleOf, type LoadedFile, type RepoFile, type Snapshot } from '../model/snapshot.ts';
import type { Grant, IsoDate, RepoConfig, System } from '../model/types.ts';
import { parseYamlFile, type ParsedYaml } from '../model/yaml-file.ts';
import type { RuleRegistry } from '../rules/index.ts';
import { builtinRegistry, validateSnapshot } from '../validate.ts';
import { SCHEMA_CONTROLS } from '../model/schemas.ts';
import { maskSecrets } from '../text/mask.ts';
import { buildObservedFacts } from './match.ts';
import { blockLocate } from './locate.ts';
import type { ObservedSnapshot } from './types.ts';

/** A grant read by the fast reader; its positions are read from the text the first time a finding needs one. */
function fastGrant(file: RepoFile): LoadedFile<Grant> {
  if (typeof file.content !== 'string') {
    // A byte-order mark or bytes that are not UTF-8 are the validator's findings: let it read them.
    const bytes = file.content;
    if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return loadFile<Grant>(file, 'grant');
  }
  let text: string;
  try {
    text = typeof file.content === 'string' ? file.content : new TextDecoder('utf-8', { fatal: true }).decode(file.content);
  } catch {
    return loadFile<Grant>(file, 'grant');
  }
  // Not detached: the grant keeps the text's slices, which the file's own bytes outlive anyway.
  const parsed = parseAccessFile<Grant>(text, 'grant', { detach: false });
  if (!parsed.data) return loadFile<Grant>(file, 'grant');
  let full: ParsedYaml | undefined;
  const source: ParsedYaml = {
    path: file.path,
    value: parsed.data,
    problems: [],
    // The fast reader accepted the text, so a walk of its lines finds most positions; the rest go to the full reader.
    locate: (path, key) => blockLocate(text, path, key) ?? (full ??= parseYamlFile(file.path, file.content)).locate(path, key),
  };
  const loaded: LoadedFile<Grant> = { path: file.path, source, data: parsed.data, problems: [] };
  if (file.blobSha) loaded.blobSha = file.blobSha;
  return loaded;
}

/** The repo as drift reads it: the config and systems in full, grants through the fast reader. */
export function driftRepo(files: Iterable<RepoFile>): Snapshot {
  const snapshot: Snapshot = { systems: [], grants: [] };
  for (const file of files) {
    switch (roleOf(file.path)) {
      case 'config':
        if (!snapshot.config) snapshot.config = loadFile<RepoConfig>(file, 'config');
        break;
      case 'system':
        snapshot.systems.push(loadFile<System>(file, 'system'));
        break;
      case 'grant':
        snapshot.grants.push(fastGrant(file));
        break;
      default:
        break;
    }
  }
  snapshot.systems.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  snapshot.grants.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return snapshot;
}

export interface DriftOptions {
  packs: ReadonlyMap<string, Pack>;
  today: IsoDate;
  registry?: RuleRegistry;
}

export interface DriftResult {
  findings: Finding[];
  summary: FindingSummary & { snapshots: number; accounts: number };
}

/**
 * Judges the snapshots against the repo. Grant and system files that cannot be read are findings
 * too: an account whose grant is unreadable would otherwise look undeclared, or worse, declared.
 */
export function drift(repo: Snapshot, snapshots: readonly ObservedSnapshot[], options: DriftOptions): DriftResult {
  const observed = buildObservedFacts(repo, snapshots);
  const result = validateSnapshot(repo, {
    packs: options.packs,
    today: options.today,
    scopes: ['observed'],
    registry: options.registry ?? builtinRegistry(),
    facts: { observed },
  });
  const unreadable: Finding[] = [];
  for (const f of [...repo.systems, ...repo.grants] as LoadedFile<unknown>[]) {
    if (f.data !== undefined) continue;
    const first = f.problems.find((p) => p.severity === 'error');
    unreadable.push({
      rule: 'schema',
      severity: 'error',
      file: f.path,
      line: first?.line ?? 1,
      column: first?.column ?? 1,
      message: maskSecrets(
        `this file cannot be read (${first?.message ?? 'not valid'}), so drift cannot map accounts to it: fix it (access-ledger validate shows every problem)`,
      ),
      controls: SCHEMA_CONTROLS,
    });
  }
  const findings = [...unreadable, ...result.findings];
  let accounts = 0;
  for (const s of snapshots) accounts += s.accounts.length;
  const summary = summarize(findings, {
    files: repo.grants.length + repo.systems.length + (repo.config ? 1 : 0),
    grants: repo.grants.length,
    systems: repo.systems.length,
  });
  return { findings, summary: { ...summary, snapshots: snapshots.length, accounts } };
}
