import { describe, expect, it } from 'vitest';
import { resolvePolicy } from '../../src/core/engine/policy.ts';
import { loadFile } from '../../src/core/model/snapshot.ts';
import type { RepoConfig } from '../../src/core/model/types.ts';
import { builtinRegistry } from '../../src/core/validate.ts';
import { loadBuiltinPacks } from '../../src/adapters/fs/packs.ts';

function resolveFrom(yaml: string) {
  const file = loadFile<RepoConfig>({ path: 'access-ledger.yaml', content: yaml }, 'config');
  expect(file.problems).toEqual([]);
  return resolvePolicy(file, loadBuiltinPacks(), builtinRegistry());
}

describe('resolvePolicy', () => {
  it('starts from soc2-baseline when the config names no pack', () => {
    const { policy, findings } = resolveFrom('version: 1\n');
    expect(findings).toEqual([]);
    expect(policy.pack).toBe('soc2-baseline');
    expect(policy.rules.get('prefer-federated-credentials')?.severity).toBe('warning');
  });

  it('strict extends the baseline and tightens it', () => {
    const { policy } = resolveFrom('version: 1\nextends: strict\n');
    expect(policy.rules.get('prefer-federated-credentials')?.severity).toBe('error');
    expect(policy.rules.get('expiry-max-days')?.options).toMatchObject({ privileged: 30, human: 180 });
    // Inherited from the baseline unchanged:
    expect(policy.rules.get('owner-required')?.severity).toBe('error');
  });

  it('the repo config overrides severities and merges options', () => {
    const { policy } = resolveFrom('version: 1\nrules:\n  expiry-max-days: { options: { privileged: 30 } }\n  mass-removal: off\n  no-secrets: warning\n');
    expect(policy.rules.get('expiry-max-days')?.options).toMatchObject({ privileged: 30, human: 365, non_human: 365 });
    expect(policy.rules.get('mass-removal')?.severity).toBe('off');
    expect(policy.rules.get('no-secrets')?.severity).toBe('warning');
  });

  it.each([
    ['version: 1\nextends: lenient\n', 2, /unknown pack `lenient`/],
    ['version: 1\nrules:\n  owner-requird: off\n', 3, /unknown rule `owner-requird`/],
    ['version: 1\nrules:\n  expiry-max-days: { options: { human: "a year" } }\n', 3, /options of rule `expiry-max-days` are invalid/],
    ['version: 1\nrules:\n  expiry-max-days: { options: { humans: 30 } }\n', 3, /options of rule `expiry-max-days` are invalid/],
  ])('reports config problems at their line: %j', (yaml, line, message) => {
    const { findings } = resolveFrom(yaml);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ rule: 'schema', file: 'access-ledger.yaml', line, severity: 'error' });
    expect(findings[0]!.message).toMatch(message);
  });
});
