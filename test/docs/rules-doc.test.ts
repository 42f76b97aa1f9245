import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderControlsDoc, renderRulesDoc } from '../../scripts/gen-rules-doc.ts';
import { BUILTIN_RULES } from '../../src/core/rules/index.ts';

describe('docs/rules.md', () => {
  it('is generated from the current rule metadata (run `npm run docs:rules` and commit)', () => {
    const onDisk = readFileSync(new URL('../../docs/rules.md', import.meta.url), 'utf8');
    expect(onDisk).toBe(renderRulesDoc());
  });

  it('docs/controls.md is generated from the catalogue (run `npm run docs:rules` and commit)', () => {
    const onDisk = readFileSync(new URL('../../docs/controls.md', import.meta.url), 'utf8');
    expect(onDisk).toBe(renderControlsDoc());
  });

  it('documents every rule with its controls and a fix', () => {
    for (const rule of BUILTIN_RULES) {
      expect(rule.meta.controls.length, rule.meta.id).toBeGreaterThan(0);
      expect(rule.meta.fix.length, rule.meta.id).toBeGreaterThan(10);
      expect(rule.meta.description.length, rule.meta.id).toBeGreaterThan(10);
    }
  });
});
