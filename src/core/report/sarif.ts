/**
 * SARIF 2.1.0 for GitHub code scanning: one result per finding, rule metadata with the controls.
 *
 * What code scanning needs beyond the schema (GitHub's "SARIF support for code scanning"):
 * - `partialFingerprints` on every result. upload-sarif computes a line hash only from a checked-out
 *   file, and the gate checks nothing out, so each result carries its own stable fingerprint: a
 *   hash of the rule, the file, the identity and system, and what the finding is about (its message
 *   with the numbers that change from day to day taken out). Moving a line or a day passing keeps
 *   the alert; another identity, system or problem is another alert.
 * - `automationDetails.id`: the category, so the gate's results and a full `validate` are two
 *   analyses that do not close each other's alerts.
 * - `security-severity` per rule (with the `security` tag, which GitHub requires to read it):
 *   secrets and privilege highest, other errors high, warnings medium or low.
 * - `help.text` and `help.markdown` per rule: its description, the fix and the controls.
 * - At most 25,000 results per run: beyond that the errors are kept first and the run says how
 *   many were left out; every result has a ruleId, a message and one location with a line.
 */
import { createHash } from 'node:crypto';
import type { Finding } from '../findings.ts';
import type { AnyRule } from '../rules/types.ts';
import { maskSecretsDeep } from '../text/mask.ts';
import { VERSION } from '../version.ts';

export const REPO_URL = 'https://github.com/access-ledger/access-ledger';
/** The rules page of the release that produced the report, so a link never drifts from the rule it explains. */
export const DOCS_URL = `${REPO_URL}/blob/v${VERSION}/docs/rules.md`;

/** GitHub's hard limit of results per run; uploads above it are rejected. */
export const MAX_RESULTS = 25_000;
/** GitHub's limit of tags per rule (only 10 are shown). */
export const MAX_TAGS = 20;
/**
 * The partialFingerprints key this tool writes (versioned: a new scheme gets a new key).
 * @internal for the tests, which compare fingerprints across runs
 */
export const FINGERPRINT_KEY = 'accessLedgerFinding/v1';

/**
 * security-severity of each rule, as GitHub reads it: 9.0 and above critical, 7.0–8.9 high,
 * 4.0–6.9 medium, 0.1–3.9 low. Every error rule rates above every warning rule. A rule not
 * listed gets the default of its severity.
 */
export const SECURITY_SEVERITY: Readonly<Record<string, number>> = {
  // A secret in the repository: anyone who can read it can use it.
  'no-secrets': 9.5,
  // Privilege granted without the approvals, or kept past its owner or its date.
  approvals: 8.8,
  'no-self-approval': 8.8,
  'role-declared': 8.5,
  'shared-account-controls': 8.2,
  'owner-left-org': 8.0,
  expired: 8.0,
  'exception-governed': 7.8,
  'credential-required': 7.5,
  'rotation-max-days': 7.2,
  'expiry-max-days': 7.0,
  'expiry-required': 7.0,
  'owner-required': 7.0,
  'owner-in-org': 7.0,
  'justification-required': 6.5,
  'vendor-offboarding': 6.5,
  // What a system itself lists against the grants (access-ledger drift).
  'observed-excess-privilege': 8.5,
  'observed-undeclared': 8.0,
  'observed-leaver-access': 8.0,
  'observed-mfa-missing': 7.5,
  // Errors in the form of the repository: what the rules read is missing or ambiguous.
  'system-known': 5.5,
  'identity-unique': 5.5,
  schema: 5.0,
  'access-path': 5.0,
  'identity-file-name': 5.0,
  'system-owner-required': 5.5,
  'system-evidence-sources': 5.0,
  // Warnings: due soon, overdue housekeeping, a weaker credential than available.
  'mass-removal': 4.5,
  'rotation-overdue': 4.5,
  'observed-rotation-overdue': 4.5,
  'observed-dormant': 4.0,
  'observed-unprovisioned': 3.5,
  'review-overdue': 4.0,
  'prefer-federated-credentials': 3.5,
  'expiring-soon': 2.0,
};

export function securitySeverity(rule: AnyRule): number {
  return SECURITY_SEVERITY[rule.meta.id] ?? (rule.meta.defaultSeverity === 'error' ? 7.0 : 3.0);
}

export interface SarifOptions {
  /**
   * The analysis category (`automationDetails.id`): `access-ledger/validate/` for the CLI,
   * `access-ledger/gate/` for the Action. GitHub keeps one set of alerts per category.
   */
  category?: string;
}

/** The fingerprint of a finding: stable across line moves and days, distinct per identity, system and problem. */
export function findingFingerprint(f: Finding): string {
  // Numbers in a message are days ahead, counts, dates: they change while the finding stays the same.
  const subject = f.message.replace(/\d+/g, '#');
  const parts = [f.rule, f.file ?? '', f.identity ?? '', f.system ?? '', subject];
  return createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 32);
}

function firstSentence(text: string): string {
  const m = /^(.+?[.!?])(\s|$)/.exec(text);
  return (m ? m[1]! : text).trim();
}

function helpOf(rule: AnyRule): { text: string; markdown: string } {
  const { id, description, fix, controls } = rule.meta;
  const uri = `${DOCS_URL}#${id}`;
  return {
    text: `${description}\n\nHow to fix: ${fix}\n\nControls: ${controls.join(', ')}\n\nMore: ${uri}`,
    markdown:
      `${description}\n\n` +
      `**How to fix:** ${fix}\n\n` +
      `**Controls:** ${controls.map((c) => `\`${c}\``).join(', ')}\n\n` +
      `See [${id} in the rules reference](${uri}).`,
  };
}

function camel(id: string): string {
  return id.replace(/(^|-)([a-z])/g, (_, _d: string, ch: string) => ch.toUpperCase());
}

/** Errors before warnings, otherwise in the order given (a stable sort). */
function keepMostSevere(findings: readonly Finding[], max: number): Finding[] {
  if (findings.length <= max) return [...findings];
  const ranked = findings.map((f, i) => ({ f, i })).sort((a, b) => (a.f.severity === b.f.severity ? a.i - b.i : a.f.severity === 'error' ? -1 : 1));
  return ranked
    .slice(0, max)
    .sort((a, b) => a.i - b.i)
    .map((x) => x.f);
}

export function toSarif(findings: readonly Finding[], rules: Iterable<AnyRule>, version: string, options: SarifOptions = {}): object {
  const ruleList = [...rules];
  const indexOf = new Map(ruleList.map((r, i) => [r.meta.id, i]));
  // Findings never echo a secret; masked again here, as every output is.
  const kept = keepMostSevere(maskSecretsDeep([...findings]), MAX_RESULTS);
  const seen = new Map<string, number>();
  const results = kept.map((f) => {
    // Two findings alike in all but their place (the same role listed twice) stay two alerts.
    const base = findingFingerprint(f);
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    return {
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
      partialFingerprints: { [FINGERPRINT_KEY]: `${base}:${n}` },
      properties: { controls: f.controls, ...(f.identity ? { identity: f.identity } : {}), ...(f.system ? { system: f.system } : {}) },
    };
  });
  const left = findings.length - kept.length;
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'access-ledger',
            version,
            semanticVersion: version,
            informationUri: REPO_URL,
            rules: ruleList.map((r) => ({
              id: r.meta.id,
              name: camel(r.meta.id),
              shortDescription: { text: firstSentence(r.meta.description) },
              fullDescription: { text: r.meta.description },
              help: helpOf(r),
              helpUri: `${DOCS_URL}#${r.meta.id}`,
              defaultConfiguration: { level: r.meta.defaultSeverity },
              properties: {
                tags: ['security', 'access-control', ...r.meta.controls].slice(0, MAX_TAGS),
                precision: 'very-high',
                'security-severity': securitySeverity(r).toFixed(1),
              },
            })),
          },
        },
        automationDetails: { id: options.category ?? 'access-ledger/validate/' },
        ...(left > 0
          ? {
              invocations: [
                {
                  executionSuccessful: true,
                  toolExecutionNotifications: [
                    {
                      level: 'warning',
                      message: {
                        text: `${findings.length} findings, more than the ${MAX_RESULTS} results code scanning accepts in one run: the ${left} least severe are left out of this file (run access-ledger validate for all of them)`,
                      },
                    },
                  ],
                },
              ],
            }
          : {}),
        results,
        properties: { findings: findings.length, results: results.length },
      },
    ],
  };
}
