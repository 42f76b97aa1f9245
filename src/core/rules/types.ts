/**
 * A rule is code with metadata beside it, in the manner of ESLint's rule modules: the id, what
 * it checks, the controls it supports, its scope, its options and their schema, and how to fix.
 */
import type { Finding, Severity } from '../findings.ts';
import type { LoadedFile, Snapshot } from '../model/snapshot.ts';
import type { Grant, IsoDate, RepoConfig, System } from '../model/types.ts';
import type { PullFacts } from '../pull/facts.ts';
import type { SnapshotIndex } from '../engine/index-snapshot.ts';
import type { ObservedFacts } from '../observe/match.ts';

/**
 * file: one file at a time (with the repo index for lookups of systems and the config, never of
 *   other grants: a large repo's grants are judged in parts, on several threads, each part beside
 *   every system and the config);
 * repo: the whole repo at once (uniqueness, mass removal);
 * pull-request: a PR's facts (approvals);
 * time: a grant against the clock (the sweep's view);
 * observed: the grants against what the systems themselves list (`access-ledger drift`).
 */
export type Scope = 'file' | 'repo' | 'pull-request' | 'time' | 'observed';

export interface RuleMeta<O = Record<string, unknown>> {
  id: string;
  description: string;
  controls: string[];
  scope: Scope;
  defaultSeverity: Severity;
  /**
   * Whether a grant's `exception.rules` may waive this rule. Rules that decide who approves, what a
   * file is, secrets, owners and whether access has ended never are (docs/file-formats.md).
   */
  waivable: boolean;
  /** JSON Schema of the options object. */
  optionsSchema: Record<string, unknown>;
  defaultOptions: O;
  /** What a person does to fix a finding of this rule (used by the docs and reports). */
  fix: string;
  /**
   * This rule reports the same condition as another rule in a different scope; when both run in
   * one evaluation only the other reports (e.g. `expired` is the sweep's view of `expiry-in-future`).
   */
  coveredBy?: string;
}

export type Report = Omit<Finding, 'rule' | 'severity' | 'controls'> & { severity?: Severity };

export interface RuleContext<O> {
  options: O;
  today: IsoDate;
  config: RepoConfig | undefined;
  snapshot: Snapshot;
  index: SnapshotIndex;
  /** Paths in the change under review; undefined when the whole repo is under review. */
  changed?: ReadonlySet<string>;
  /** The repo before the change (for repo rules that compare), when known. */
  base?: Snapshot;
  pull?: PullFacts;
  /** The resolved options of another rule in this policy (rules that judge together agree on counts). */
  optionsOf(ruleId: string): Record<string, unknown> | undefined;
  /** Every rule id the engine knows (exceptions may only waive these). */
  knownRules: ReadonlySet<string>;
  /** The rule ids whose metadata lets an exception waive them. */
  waivableRules: ReadonlySet<string>;
  /** Facts from outside the files, when an adapter has them (e.g. when a grant was added, from the ledger). */
  facts?: {
    addedAt?: ReadonlyMap<string, string>;
    orgMembership?: Readonly<Record<string, boolean>>;
    /** Snapshots of what systems list, each account mapped to its grant (observed rules only). */
    observed?: ObservedFacts;
  };
  report(finding: Report): void;
}

export type ValidGrant = LoadedFile<Grant> & { data: Grant };
export type ValidSystem = LoadedFile<System> & { data: System };

export interface Rule<O = Record<string, unknown>> {
  meta: RuleMeta<O>;
  checkGrant?(file: ValidGrant, ctx: RuleContext<O>): void;
  checkSystem?(file: ValidSystem, ctx: RuleContext<O>): void;
  checkConfig?(file: LoadedFile<RepoConfig> & { data: RepoConfig }, ctx: RuleContext<O>): void;
  /** Whole-repo and pull-request rules. */
  check?(ctx: RuleContext<O>): void;
}

/** Erase the options type so rules of different option shapes live in one registry. */
// biome-ignore lint/suspicious/noExplicitAny: each rule checks its own options; the registry holds them all
export type AnyRule = Rule<any>;

export function defineRule<O>(rule: Rule<O>): Rule<O> {
  return rule;
}
