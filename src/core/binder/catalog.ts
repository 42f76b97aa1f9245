/**
 * The control catalogue the binder names (ids exactly as reference/controls.md writes them and the
 * rules' metadata uses them), with short titles for the control matrix. Order is the catalogue's.
 */
export interface ControlInfo {
  id: string;
  framework: string;
  title: string;
}

const c = (id: string, title: string): ControlInfo => ({ id, framework: id.slice(0, id.indexOf(':')), title });

export const CONTROL_CATALOG: readonly ControlInfo[] = [
  c('SOC2:CC6.1', 'Logical access security software, infrastructure and architectures'),
  c('SOC2:CC6.2', 'Registers and authorizes users before issuing credentials; removes them when no longer authorized'),
  c('SOC2:CC6.3', 'Authorizes, modifies or removes access (least privilege, segregation of duties)'),
  c('SOC2:CC6.6', 'Logical access measures against threats from outside the system boundary'),
  c('SOC2:CC7.2', 'Monitors system components for anomalies'),
  c('SOC2:CC8.1', 'Authorizes, tests, approves and implements changes'),
  c('NIST-CSF-2.0:PR.AA-01', 'Identities and credentials for users, services and hardware are managed'),
  c('NIST-CSF-2.0:PR.AA-02', 'Identities are proofed and bound to credentials'),
  c('NIST-CSF-2.0:PR.AA-03', 'Users, services and hardware are authenticated'),
  c('NIST-CSF-2.0:PR.AA-05', 'Access permissions are defined, managed, enforced and reviewed'),
  c('NIST-CSF-2.0:GV.RR-02', 'Roles, responsibilities and authorities are established'),
  c('NIST-CSF-2.0:GV.RR-04', 'Cybersecurity is included in human resources practices'),
  c('NIST-CSF-2.0:GV.SC-04', 'Suppliers are known and prioritized by criticality'),
  c('NIST-CSF-2.0:GV.SC-10', 'Provisions for after a partnership ends'),
  c('NIST-CSF-2.0:ID.AM-02', 'Inventories of software, services and systems are maintained'),
  c('NIST-CSF-2.0:ID.AM-04', 'Inventories of services provided by suppliers are maintained'),
  c('NIST-CSF-2.0:ID.RA-07', 'Changes and exceptions are managed, assessed, recorded and tracked'),
  c('NIST-CSF-2.0:DE.CM-03', 'Personnel activity and technology usage are monitored'),
  c('OWASP-NHI:NHI1:2025', 'Improper Offboarding'),
  c('OWASP-NHI:NHI2:2025', 'Secret Leakage'),
  c('OWASP-NHI:NHI3:2025', 'Vulnerable Third-Party NHI'),
  c('OWASP-NHI:NHI4:2025', 'Insecure Authentication'),
  c('OWASP-NHI:NHI5:2025', 'Overprivileged NHI'),
  c('OWASP-NHI:NHI6:2025', 'Insecure Cloud Deployment Configurations'),
  c('OWASP-NHI:NHI7:2025', 'Long-Lived Secrets'),
  c('OWASP-NHI:NHI8:2025', 'Environment Isolation'),
  c('OWASP-NHI:NHI9:2025', 'NHI Reuse'),
  c('OWASP-NHI:NHI10:2025', 'Human Use of NHI'),
  c('ISO27001:A.5.15', 'Access control'),
  c('ISO27001:A.5.16', 'Identity management'),
  c('ISO27001:A.5.17', 'Authentication information'),
  c('ISO27001:A.5.18', 'Access rights'),
  c('ISO27001:A.8.2', 'Privileged access rights'),
  c('ISO27001:A.8.5', 'Secure authentication'),
  c('CIS-v8:5.1', 'Inventory of Accounts'),
  c('CIS-v8:5.3', 'Disable Dormant Accounts'),
  c('CIS-v8:5.5', 'Inventory of Service Accounts'),
  c('CIS-v8:6.1', 'Access Granting Process'),
  c('CIS-v8:6.2', 'Access Revoking Process'),
  c('CIS-v8:6.5', 'MFA for Administrative Access'),
  c('CIS-v8:6.8', 'Role-Based Access Control'),
];

const ORDER = new Map(CONTROL_CATALOG.map((ctl, i) => [ctl.id, i]));

export function controlInfo(id: string): ControlInfo {
  return CONTROL_CATALOG[ORDER.get(id) ?? -1] ?? { id, framework: id.includes(':') ? id.slice(0, id.indexOf(':')) : 'other', title: '(not in the catalogue)' };
}

/** Catalogue order; ids the catalogue does not know sort last, alphabetically. */
export function compareControls(a: string, b: string): number {
  return (ORDER.get(a) ?? 1e6) - (ORDER.get(b) ?? 1e6) || a.localeCompare(b);
}
