/**
 * One part of a large access repo, read from disk, parsed (YAML, positions, schema) and judged by
 * the file rules, beside the repo's config and every system file, which the file rules look up.
 * judge-repo.ts runs parts on this thread and on worker threads (judge-worker.ts) at once.
 */
import type { Finding } from '../../core/findings.ts';
import { evaluate } from '../../core/engine/evaluate.ts';
import { resolvePolicy, type Policy } from '../../core/engine/policy.ts';
import { SnapshotBuilder, loadFile, roleOf, type LoadedFile } from '../../core/model/snapshot.ts';
import type { IsoDate } from '../../core/model/types.ts';
import { builtinRegistry } from '../../core/validate.ts';
import { loadBuiltinPacks } from './packs.ts';
import { readAccessFile } from './read-repo.ts';

/** The repo cut into parts: the same plan goes to every thread. */
export interface RepoPlan {
  /** Root of the access repo. */
  root: string;
  /** The config and every system file: each part is judged beside them. */
  context: string[];
  parts: Part[];
  today: IsoDate;
}

export interface Part {
  /** The files this part reads and gives back, in order (the first part holds the context's files too). */
  paths: string[];
  /** Of `paths`, those whose file findings this part reports (`--changed-since`); all of them when absent. */
  judge?: string[];
}

export interface JudgedPart {
  /** One per path of the part, in its order. */
  files: LoadedFile<unknown>[];
  /** The file scope's findings for the judged paths, as evaluate gives them (waived, masked, sorted). */
  findings: Finding[];
}

/**
 * Runs `parse` (synchronous: nothing else runs meanwhile) with a plain copy of the environment in
 * place of the live one, restored after. The YAML parser looks up a debugging variable in the
 * environment at every token it reads, and a lookup in the live environment, a call into Node's
 * C++, costs about as much as the rest of reading the token: an eighth of validate's CPU.
 */
export function withPlainEnv<T>(parse: () => T): T {
  const live = process.env;
  process.env = { ...live };
  try {
    return parse();
  } finally {
    process.env = live;
  }
}

interface Context {
  key: string;
  files: Map<string, LoadedFile<unknown>>;
  policy: Policy;
}

/** The context is read once per thread and kept for every part of the same repo. */
let cached: Context | undefined;

function load(root: string, path: string): LoadedFile<unknown> {
  const role = roleOf(path);
  if (role === 'other') throw new Error(`${path} is not a config, system or grant file`);
  return loadFile(readAccessFile(root, path), role);
}

function contextOf(plan: RepoPlan): Context {
  const key = JSON.stringify([plan.root, plan.context]);
  if (cached?.key === key) return cached;
  const files = new Map<string, LoadedFile<unknown>>();
  const builder = new SnapshotBuilder();
  for (const path of plan.context) {
    const file = load(plan.root, path);
    files.set(path, file);
    builder.addLoaded(file);
  }
  const { policy } = resolvePolicy(builder.finish().config, loadBuiltinPacks(), builtinRegistry());
  cached = { key, files, policy };
  return cached;
}

export function judgePart(plan: RepoPlan, part: Part): JudgedPart {
  const context = contextOf(plan);
  const builder = new SnapshotBuilder();
  for (const file of context.files.values()) builder.addLoaded(file);
  const files: LoadedFile<unknown>[] = [];
  for (const path of part.paths) {
    const inContext = context.files.get(path);
    const file = inContext ?? load(plan.root, path);
    files.push(file);
    if (!inContext) builder.addLoaded(file);
  }
  const findings = evaluate({
    snapshot: builder.finish(),
    policy: context.policy,
    registry: builtinRegistry(),
    today: plan.today,
    scopes: ['file'],
    changed: new Set(part.judge ?? part.paths),
  });
  return { files, findings };
}
