import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderBinderDoc } from '../../scripts/gen-binder-doc.ts';
import { GAP_KINDS } from '../../src/core/binder/gaps.ts';
import { POPULATIONS } from '../../src/core/binder/populations/index.ts';

describe('docs/binder.md', () => {
  const onDisk = readFileSync(new URL('../../docs/binder.md', import.meta.url), 'utf8');

  it('its columns, gaps and approval reasons are generated from the code (run `npm run docs:rules` and commit)', () => {
    expect(onDisk).toBe(renderBinderDoc(onDisk));
  });

  it('documents every population, each of its columns, and every kind of gap', () => {
    for (const { id, columns } of POPULATIONS) {
      expect(onDisk, id).toContain(`### \`${id}\`:`);
      expect(onDisk, id).toMatch(new RegExp(`^\\| \`${id}\` \\|`, 'm'));
      for (const c of columns) expect(onDisk, `${id}.${c.key}`).toContain(`| \`${c.key}\` |`);
    }
    for (const kind of GAP_KINDS) expect(onDisk, kind).toContain(`| \`${kind}\` |`);
  });
});
