/**
 * Validation of an access repo as a pure function: files, packs and a day in; findings out.
 * The CLI, the gate and the sweep all call this with different scopes.
 */
import { summarize, type Finding, type FindingSummary } from './findings.ts';
import type { Snapshot } from './model/snapshot.ts';
import type { IsoDate } from './model/types.ts';
import { evaluate, type EvaluateInput } from './engine/evaluate.ts';
import { resolvePolicy, type Pack, type Policy } from './engine/policy.ts';
import { RuleRegistry } from './rules/index.ts';
import type { Scope } from './rules/types.ts';

export interface ValidateOptions {
  packs: ReadonlyMap<string, Pack>;
  today: IsoDate;
  scopes?: readonly Scope[];
  changed?: ReadonlySet<string>;
  base?: Snapshot;
  registry?: RuleRegistry;
  facts?: EvaluateInput['facts'];
  only?: ReadonlySet<string>;
  /** The file scope's findings, judged elsewhere over this snapshot (EvaluateInput.fileFindings). */
  fileFindings?: readonly Finding[];
}

export interface ValidateResult {
  findings: Finding[];
  summary: FindingSummary;
  snapshot: Snapshot;
  policy: Policy;
}

export const VALIDATE_SCOPES: readonly Scope[] = ['file', 'repo', 'time'];

let defaultRegistry: RuleRegistry | undefined;
export function builtinRegistry(): RuleRegistry {
  defaultRegistry ??= new RuleRegistry();
  return defaultRegistry;
}

export function validateSnapshot(snapshot: Snapshot, options: ValidateOptions): ValidateResult {
  const registry = options.registry ?? builtinRegistry();
  const { policy, findings: policyFindings } = resolvePolicy(snapshot.config, options.packs, registry);
  const input: EvaluateInput = { snapshot, policy, registry, today: options.today, scopes: options.scopes ?? VALIDATE_SCOPES };
  if (options.changed) input.changed = options.changed;
  if (options.base) input.base = options.base;
  if (options.facts) input.facts = options.facts;
  if (options.only) input.only = options.only;
  if (options.fileFindings) input.fileFindings = options.fileFindings;
  const findings = evaluate(input);
  const configInScope = !options.changed || (snapshot.config && options.changed.has(snapshot.config.path));
  if (configInScope) findings.unshift(...policyFindings);
  if (!snapshot.config && !options.changed) {
    findings.unshift({
      rule: 'schema',
      severity: 'error',
      file: 'access-ledger.yaml',
      line: 1,
      column: 1,
      message: 'there is no access-ledger.yaml at the root: create one (`access-ledger init` writes a starting point)',
      controls: ['SOC2:CC6.1', 'NIST-CSF-2.0:PR.AA-05', 'ISO27001:A.5.15'],
    });
  }
  const files = snapshot.grants.length + snapshot.systems.length + (snapshot.config ? 1 : 0);
  return { findings, summary: summarize(findings, { files, grants: snapshot.grants.length, systems: snapshot.systems.length }), snapshot, policy };
}
