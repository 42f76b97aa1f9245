/** Rule metadata against the control catalogue and the packs: the facts an auditor and a user rely on. */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { CONTROLS } from '../../src/core/controls.ts';

const CONTROL_IDS: ReadonlySet<string> = new Set(CONTROLS.map((x) => x.id));
import { BUILTIN_RULES } from '../../src/core/rules/index.ts';
import { POLICIES_DIR, loadBuiltinPacks } from '../../src/adapters/fs/packs.ts';
import type { Pack } from '../../src/core/engine/policy.ts';

const SRC = join(POLICIES_DIR, '..', 'src');
const FORMS: Record<string, RegExp> = {
  SOC2: /^SOC2:CC\d\.\d$/,
  'NIST-CSF-2.0': /^NIST-CSF-2\.0:(GV|ID|PR|DE|RS|RC)\.[A-Z]{2}-\d{2}$/,
  'OWASP-NHI': /^OWASP-NHI:NHI([1-9]|10):2025$/,
  ISO27001: /^ISO27001:A\.[5-8]\.\d{1,2}$/,
  'CIS-v8': /^CIS-v8:\d{1,2}\.\d{1,2}$/,
  'NIST-AI-RMF': /^NIST-AI-RMF:(GOVERN|MAP|MEASURE|MANAGE)-\d\.\d{1,2}$/,
};

describe('the control catalogue (src/core/controls.ts)', () => {
  it('has unique, well-formed identifiers with titles', () => {
    expect(CONTROL_IDS.size).toBe(CONTROLS.length);
    for (const c of CONTROLS) {
      expect(c.id, c.id).toMatch(FORMS[c.framework]!);
      expect(c.title.length, c.id).toBeGreaterThan(3);
    }
  });

  it('holds none of the two wrong citations', () => {
    const ids = [...CONTROL_IDS];
    expect(ids.filter((id) => /PR\.AC-|NHI-0?\d/.test(id))).toEqual([]);
    expect(CONTROLS.find((c) => c.id === 'OWASP-NHI:NHI3:2025')?.title).toBe('Vulnerable Third-Party NHI');
    expect(CONTROLS.find((c) => c.id === 'OWASP-NHI:NHI7:2025')?.title).toBe('Long-Lived Secrets');
  });
});

describe('every rule', () => {
  it.each(BUILTIN_RULES.map((r) => [r.meta.id, r] as const))('%s cites only catalogued controls', (_, rule) => {
    expect(rule.meta.controls.length).toBeGreaterThan(0);
    expect(rule.meta.controls.filter((c) => !CONTROL_IDS.has(c))).toEqual([]);
    expect(new Set(rule.meta.controls).size).toBe(rule.meta.controls.length);
  });

  it.each(BUILTIN_RULES.map((r) => [r.meta.id, r] as const))('%s has a description, a fix and default options that match its schema', (_, rule) => {
    expect(rule.meta.id).toMatch(/^[a-z]+(-[a-z]+)*$/);
    expect(rule.meta.description.length).toBeGreaterThan(20);
    expect(rule.meta.fix.length).toBeGreaterThan(20);
    expect(['file', 'repo', 'pull-request', 'time', 'observed']).toContain(rule.meta.scope);
    const validate = new Ajv({ strict: false }).compile(rule.meta.optionsSchema);
    expect(validate(rule.meta.defaultOptions), JSON.stringify(validate.errors)).toBe(true);
    if (rule.meta.coveredBy) expect(BUILTIN_RULES.some((r) => r.meta.id === rule.meta.coveredBy)).toBe(true);
  });

  it('every file, repo, time and observed rule has a table of cases in test/rules/', () => {
    const here = import.meta.dirname;
    const tables = readdirSync(here)
      .filter((f) => f.endsWith('.test.ts'))
      .map((f) => readFileSync(join(here, f), 'utf8'))
      .join('\n');
    const untested = BUILTIN_RULES.filter((r) => r.meta.scope !== 'pull-request')
      .map((r) => r.meta.id)
      .filter((id) => !new RegExp(`describe\\('${id}[ ')]`).test(tables));
    expect(untested).toEqual([]);
  });

  it('rotation and expiry cite NHI7:2025 (Long-Lived Secrets), never NHI3', () => {
    for (const id of ['rotation-max-days', 'rotation-overdue', 'expiry-max-days', 'expiry-required']) {
      const controls = BUILTIN_RULES.find((r) => r.meta.id === id)!.meta.controls;
      expect(controls, id).toContain('OWASP-NHI:NHI7:2025');
      expect(controls, id).not.toContain('OWASP-NHI:NHI3:2025');
    }
  });

  it('no source file cites PR.AC-1 or NHI-03 (except the alias table)', () => {
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const full = join(dir, e.name);
        if (e.isDirectory()) walk(full);
        else if (/\.(ts|json|ya?ml)$/.test(e.name) && !full.endsWith(join('core', 'controls.ts'))) {
          const text = readFileSync(full, 'utf8');
          if (/PR\.AC-1\b|NHI-03/.test(text)) offenders.push(full);
        }
      }
    };
    walk(SRC);
    walk(POLICIES_DIR);
    expect(offenders).toEqual([]);
  });
});

describe('the packs (policies/*.yaml)', () => {
  const packs = [...loadBuiltinPacks().values()];
  const registered = new Set(BUILTIN_RULES.map((r) => r.meta.id));

  it('the baseline turns on every registered rule', () => {
    const baseline = loadBuiltinPacks().get('soc2-baseline')!;
    expect([...registered].filter((id) => !(id in baseline.rules))).toEqual([]);
  });

  it.each(packs.map((p) => [p.name, p] as const))('%s: options match each rule’s schema', (_, pack: Pack) => {
    for (const [id, setting] of Object.entries(pack.rules)) {
      const rule = BUILTIN_RULES.find((r) => r.meta.id === id);
      if (!rule || typeof setting === 'string' || !setting.options) continue;
      const validate = new Ajv({ strict: false }).compile(rule.meta.optionsSchema);
      expect(validate(setting.options), `${pack.name} ${id}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
  });

  // The pull-request rules (approvals, no-self-approval, owner-in-org) register with the gate;
  // until then this names them.
  it.each(packs.map((p) => [p.name, p] as const))('%s: every rule id it names is registered', (_, pack: Pack) => {
    expect(Object.keys(pack.rules).filter((id) => !registered.has(id))).toEqual([]);
  });

  it('the files on disk are the packs loaded', () => {
    const names = readdirSync(POLICIES_DIR)
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => (parse(readFileSync(join(POLICIES_DIR, f), 'utf8')) as Pack).name);
    expect(names.sort()).toEqual(packs.map((p) => p.name).sort());
  });
});
