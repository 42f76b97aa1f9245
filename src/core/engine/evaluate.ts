/**
 * The engine: runs the enabled rules of the requested scopes over a snapshot and returns findings.
 * Pure: a snapshot, a policy and a clock in; findings out.
 */
import { compareFindings, type Finding, type Severity } from '../findings.ts';
import type { Snapshot } from '../model/snapshot.ts';
import type { IsoDate } from '../model/types.ts';
import type { PullFacts } from '../pull/facts.ts';
import type { RuleRegistry } from '../rules/index.ts';
import type { AnyRule, Report, RuleContext, Scope, ValidGrant, ValidSystem } from '../rules/types.ts';
import { indexSnapshot } from './index-snapshot.ts';
import { maskSecrets } from '../text/mask.ts';
import type { Policy } from './policy.ts';

export interface EvaluateInput {
  snapshot: Snapshot;
  policy: Policy;
  registry: RuleRegistry;
  today: IsoDate;
  scopes: readonly Scope[];
  /** Limit file findings to these paths (repo rules still see everything). */
  changed?: ReadonlySet<string>;
  base?: Snapshot;
  pull?: PullFacts;
  facts?: RuleContext<unknown>['facts'];
  /** Only these rules (e.g. the sweep asks for a subset). */
  only?: ReadonlySet<string>;
  /**
   * Whose exceptions waive findings: by default the snapshot's own grants. The gate passes the
   * BASE branch, so an exception takes effect only after it has merged with the admins' approval.
   */
  exceptionsFrom?: Snapshot;
  /**
   * The findings of the file scope, already judged elsewhere over this same snapshot and policy
   * (worker threads, each over part of the files, each an evaluation of the file scope alone):
   * the file rules do not run again, these findings are merged in order, and the file rules count
   * as run (a rule they cover stays silent, as when all run here).
   */
  fileFindings?: readonly Finding[];
}

function weaker(a: Severity, b: Severity | undefined): Severity {
  return b === 'warning' || a === 'warning' ? 'warning' : 'error';
}

export function evaluate(input: EvaluateInput): Finding[] {
  const { snapshot, policy, registry, today, changed } = input;
  const index = indexSnapshot(snapshot);
  const findings: Finding[] = [];
  const inScope = (path: string | undefined) => !changed || path === undefined || changed.has(path);
  const enabled = (id: string) => {
    const s = policy.rules.get(id)?.severity;
    return s !== undefined && s !== 'off' && (!input.only || input.only.has(id));
  };

  const fileJudged = input.fileFindings !== undefined;

  // Parse and schema problems are reported under the `schema` rule.
  const schemaSetting = policy.rules.get('schema');
  if (schemaSetting && schemaSetting.severity !== 'off' && input.scopes.includes('file') && !fileJudged) {
    const files = [...(snapshot.config ? [snapshot.config] : []), ...snapshot.systems, ...snapshot.grants];
    for (const f of files) {
      if (!inScope(f.path)) continue;
      for (const p of f.problems) findings.push({ ...p, severity: weaker(schemaSetting.severity as Severity, p.severity) });
    }
  }

  const active: AnyRule[] = [];
  for (const rule of registry.rules.values()) {
    if (rule.meta.id === 'schema' || !input.scopes.includes(rule.meta.scope) || !enabled(rule.meta.id)) continue;
    active.push(rule);
  }
  const activeIds = new Set(active.map((r) => r.meta.id));
  const knownRules = registry.ids();
  const waivableRules = new Set([...registry.rules.values()].filter((r) => r.meta.waivable).map((r) => r.meta.id));

  for (const rule of active) {
    if (rule.meta.coveredBy && activeIds.has(rule.meta.coveredBy)) continue;
    if (fileJudged && rule.meta.scope === 'file') continue;
    const resolved = policy.rules.get(rule.meta.id)!;
    const severity = resolved.severity as Severity;
    const ctx: RuleContext<unknown> = {
      options: resolved.options,
      today,
      config: policy.config,
      snapshot,
      index,
      knownRules,
      waivableRules,
      optionsOf: (id: string) => policy.rules.get(id)?.options,
      report(r: Report) {
        findings.push({
          rule: rule.meta.id,
          severity: weaker(severity, r.severity),
          ...(r.file !== undefined ? { file: r.file } : {}),
          ...(r.line !== undefined ? { line: r.line, column: r.column ?? 1 } : {}),
          message: r.message,
          controls: rule.meta.controls,
          ...(r.identity !== undefined ? { identity: r.identity } : {}),
          ...(r.system !== undefined ? { system: r.system } : {}),
          ...(r.account !== undefined ? { account: r.account } : {}),
        });
      },
    };
    if (changed) ctx.changed = changed;
    if (input.base) ctx.base = input.base;
    if (input.pull) ctx.pull = input.pull;
    if (input.facts) ctx.facts = input.facts;

    if (rule.checkGrant) for (const g of index.validGrants) if (inScope(g.path)) rule.checkGrant(g as ValidGrant, ctx);
    if (rule.checkSystem) for (const s of index.validSystems) if (inScope(s.path)) rule.checkSystem(s as ValidSystem, ctx);
    if (rule.checkConfig && snapshot.config?.data && inScope(snapshot.config.path)) rule.checkConfig(snapshot.config as never, ctx);
    if (rule.check) {
      const before = findings.length;
      rule.check(ctx);
      if (changed && rule.meta.scope === 'repo') {
        // Repo rules see the whole repo but only report on the change under review.
        const kept = findings.splice(before).filter((f) => inScope(f.file));
        findings.push(...kept);
      }
    }
  }
  const out = applyExceptions(findings, input.exceptionsFrom ?? snapshot, today, registry).map(masked);
  // Judged elsewhere by this same function: waived and masked there already. Findings that
  // compare equal are of one rule, so of one scope, and keep their order through the stable sort.
  if (input.fileFindings) for (const f of input.fileFindings) out.push(f);
  return out.sort(compareFindings);
}

/** A finding never echoes a secret: whatever a message or an account name quotes (a key name, a value) is masked. */
function masked(f: Finding): Finding {
  const message = maskSecrets(f.message);
  const account = f.account === undefined ? undefined : maskSecrets(f.account);
  if (message === f.message && account === f.account) return f;
  return { ...f, message, ...(account !== undefined ? { account } : {}) };
}

/**
 * A grant's `exception.rules` waives those rules for that grant while the exception is in force:
 * the findings stay visible as warnings that name the exception, never disappear. Only rules whose
 * metadata says `waivable` can be waived.
 */
function applyExceptions(findings: Finding[], exceptions: Snapshot, today: IsoDate, registry: RuleRegistry): Finding[] {
  const waivers = new Map<string, { rules: Set<string>; expires: string | undefined }>();
  for (const g of exceptions.grants) {
    const exc = g.data?.exception;
    if (exc?.rules?.length && (!exc.expires || exc.expires >= today)) waivers.set(g.path, { rules: new Set(exc.rules), expires: exc.expires });
  }
  if (waivers.size === 0) return findings;
  return findings.map((f) => {
    const w = f.file ? waivers.get(f.file) : undefined;
    if (!w?.rules.has(f.rule) || registry.get(f.rule)?.meta.waivable !== true) return f;
    return { ...f, severity: 'warning', message: `${f.message} (waived by the exception in this file until ${w.expires ?? 'it is removed'})` };
  });
}
