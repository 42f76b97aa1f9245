/**
 * Policy resolution: rule defaults ← pack (and the packs it extends) ← the repo config.
 * Pure: packs arrive as parsed data; the adapters read them from policies/.
 */
import { Ajv, type ValidateFunction } from 'ajv';
import type { Finding, SeveritySetting } from '../findings.ts';
import type { LoadedFile } from '../model/snapshot.ts';
import type { RepoConfig, RuleSetting } from '../model/types.ts';
import type { RuleRegistry } from '../rules/index.ts';
import { SCHEMA_CONTROLS, closest } from '../model/schemas.ts';

export interface Pack {
  name: string;
  description?: string;
  extends?: string;
  rules: Record<string, RuleSetting | 'error' | 'warning' | 'off'>;
}

export interface ResolvedRule {
  severity: SeveritySetting;
  options: Record<string, unknown>;
}

export interface Policy {
  pack: string;
  rules: Map<string, ResolvedRule>;
  config: RepoConfig | undefined;
}

export const DEFAULT_PACK = 'soc2-baseline';

function normalize(setting: RuleSetting | 'error' | 'warning' | 'off'): RuleSetting {
  return typeof setting === 'string' ? { severity: setting } : setting;
}

const optionValidators = new Map<string, ValidateFunction>();
const ajv = new Ajv({ allErrors: true, strict: false });

function optionsValidator(id: string, schema: Record<string, unknown>): ValidateFunction {
  let v = optionValidators.get(id);
  if (!v) {
    v = ajv.compile(schema);
    optionValidators.set(id, v);
  }
  return v;
}

function mergeOptions(base: Record<string, unknown>, over: Record<string, unknown> | undefined): Record<string, unknown> {
  if (!over) return base;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = b && v && typeof b === 'object' && typeof v === 'object' && !Array.isArray(b) && !Array.isArray(v) ? { ...(b as object), ...(v as object) } : v;
  }
  return out;
}

/** Builds the effective policy. Problems in the config become findings on access-ledger.yaml. */
export function resolvePolicy(
  configFile: LoadedFile<RepoConfig> | undefined,
  packs: ReadonlyMap<string, Pack>,
  registry: RuleRegistry,
): { policy: Policy; findings: Finding[] } {
  const findings: Finding[] = [];
  const config = configFile?.data;
  const problem = (path: (string | number)[], message: string, key = false) => {
    const pos = configFile?.source.locate(path, key) ?? { line: 1, column: 1 };
    findings.push({
      rule: 'schema',
      severity: 'error',
      file: configFile?.path ?? 'access-ledger.yaml',
      line: pos.line,
      column: pos.column,
      message,
      controls: SCHEMA_CONTROLS,
    });
  };

  const rules = new Map<string, ResolvedRule>();
  for (const rule of registry.rules.values()) {
    rules.set(rule.meta.id, { severity: rule.meta.defaultSeverity, options: { ...(rule.meta.defaultOptions as Record<string, unknown>) } });
  }

  let packName = config?.extends ?? DEFAULT_PACK;
  if (!packs.has(packName)) {
    problem(['extends'], `unknown pack \`${packName}\`: use one of ${[...packs.keys()].map((p) => `\`${p}\``).join(', ')}`);
    packName = DEFAULT_PACK;
  }
  // Apply the pack chain from the root pack down.
  const chain: Pack[] = [];
  const seen = new Set<string>();
  for (let name: string | undefined = packName; name && packs.has(name) && !seen.has(name); name = packs.get(name)!.extends) {
    seen.add(name);
    chain.unshift(packs.get(name)!);
  }
  for (const pack of chain) {
    for (const [id, raw] of Object.entries(pack.rules)) {
      const current = rules.get(id);
      if (!current) continue; // a pack may name rules this build does not carry; packs are product code, tested separately
      const s = normalize(raw);
      rules.set(id, { severity: s.severity ?? current.severity, options: mergeOptions(current.options, s.options) });
    }
  }
  // What the pack says, kept so an invalid repo override falls back to the pack, never to the
  // looser built-in defaults.
  const packed = new Map([...rules].map(([id, r]) => [id, { severity: r.severity, options: r.options }]));
  for (const [id, raw] of Object.entries(config?.rules ?? {})) {
    const current = rules.get(id);
    if (!current) {
      const guess = closest(id, [...rules.keys()]);
      problem(['rules', id], `unknown rule \`${id}\`${guess ? `: did you mean \`${guess}\`?` : ''} (the rule ids are in docs/rules.md)`, true);
      continue;
    }
    const s = normalize(raw);
    rules.set(id, { severity: s.severity ?? current.severity, options: mergeOptions(current.options, s.options) });
  }
  for (const [id, resolved] of rules) {
    const rule = registry.get(id)!;
    const validate = optionsValidator(id, rule.meta.optionsSchema);
    if (!validate(resolved.options)) {
      const e = validate.errors?.[0];
      problem(['rules', id], `options of rule \`${id}\` are invalid (${e?.instancePath || 'options'} ${e?.message ?? ''}): see docs/rules.md#${id}`, true);
      resolved.options = packed.get(id)?.options ?? { ...(rule.meta.defaultOptions as Record<string, unknown>) };
    }
  }
  return { policy: { pack: packName, rules, config }, findings };
}
