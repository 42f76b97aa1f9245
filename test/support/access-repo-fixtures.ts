/** A small access repo the rule tables and the gate's scenarios share: the day, the config and two systems. */

export const TODAY = '2026-11-26';

/** Template tag that strips the common indentation, so YAML can sit indented in a test. */
export function y(strings: TemplateStringsArray, ...values: unknown[]): string {
  const raw = strings.reduce((acc, s, i) => acc + s + (i < values.length ? String(values[i]) : ''), '');
  const lines = raw
    .replace(/^\n/, '')
    .replace(/\n[ \t]*$/, '\n')
    .split('\n');
  const indent = Math.min(...lines.filter((l) => l.trim()).map((l) => l.match(/^ */)![0].length));
  return lines.map((l) => l.slice(indent)).join('\n');
}

export const CONFIG = y`
  version: 1
  organization: acme
  extends: soc2-baseline
  admins: ["@acme/security"]
`;

/** Two systems every grant case may reach: `db` (reviewed every 90 days) and `wiki` (every 365). */
export const SYSTEMS: Record<string, string> = {
  'systems/db.yaml': y`
    id: db
    name: Production database
    category: database
    owner: carol
    approvers: ["@acme/dba", dave]
    review_cadence_days: 90
    evidence:
      provisioning: Terraform apply logs
      activity: pgaudit in the SIEM
  `,
  'systems/wiki.yaml': y`
    id: wiki
    name: Internal wiki
    category: saas
    owner: carol
    approvers: ["@acme/it"]
    review_cadence_days: 365
    evidence:
      provisioning: Okta app assignment
      activity: vendor audit log export
  `,
};
