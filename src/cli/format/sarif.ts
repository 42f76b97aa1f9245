/** SARIF 2.1.0 for GitHub code scanning: one result per finding, rule metadata with the controls. */
import type { Finding } from '../../core/findings.ts';
import type { AnyRule } from '../../core/rules/types.ts';
import { maskSecretsDeep } from '../../core/text/mask.ts';

export const DOCS_URL = 'https://github.com/access-ledger/access-ledger/blob/main/docs/rules.md';

export function toSarif(findings: readonly Finding[], rules: Iterable<AnyRule>, version: string): object {
  const ruleList = [...rules];
  const indexOf = new Map(ruleList.map((r, i) => [r.meta.id, i]));
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'access-ledger',
            version,
            informationUri: 'https://github.com/access-ledger/access-ledger',
            rules: ruleList.map((r) => ({
              id: r.meta.id,
              name: r.meta.id.replace(/(^|-)([a-z])/g, (_, _d: string, ch: string) => ch.toUpperCase()),
              shortDescription: { text: r.meta.description },
              help: { text: r.meta.fix },
              helpUri: `${DOCS_URL}#${r.meta.id}`,
              defaultConfiguration: { level: r.meta.defaultSeverity },
              properties: { tags: ['access-control', ...r.meta.controls] },
            })),
          },
        },
        // Findings never echo a secret; masked again here, as every output is.
        results: maskSecretsDeep(findings).map((f) => ({
          ruleId: f.rule,
          ...(indexOf.has(f.rule) ? { ruleIndex: indexOf.get(f.rule) } : {}),
          level: f.severity,
          message: { text: f.message },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: f.file ?? 'access-ledger.yaml' },
                region: { startLine: f.line ?? 1, startColumn: f.column ?? 1 },
              },
            },
          ],
          properties: { controls: f.controls, ...(f.identity ? { identity: f.identity } : {}), ...(f.system ? { system: f.system } : {}) },
        })),
      },
    ],
  };
}
