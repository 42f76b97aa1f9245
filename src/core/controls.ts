/**
 * The control catalogue: every control identifier a rule, an evidence record or the binder may
 * cite, with its title. Identifiers and titles follow the primary sources (AICPA TSC 2017 with
 * the 2022 points of focus, NIST CSF 2.0, OWASP NHI Top 10 2025, ISO/IEC 27001:2022 Annex A,
 * CIS Controls v8, NIST AI RMF 1.0). A rule citing an id that is not here is a bug (a test checks).
 *
 * Two citations that circulate widely are wrong and are deliberately absent: `PR.AC-1` is CSF 1.1
 * (withdrawn in 2.0; see LEGACY_ALIASES), and NHI3 is Vulnerable Third-Party NHI, not rotation
 * (rotation and expiry are NHI7:2025 Long-Lived Secrets).
 */
export interface Control {
  id: string;
  framework: 'SOC2' | 'NIST-CSF-2.0' | 'OWASP-NHI' | 'ISO27001' | 'CIS-v8' | 'NIST-AI-RMF';
  title: string;
}

const c = (framework: Control['framework'], ref: string, title: string): Control => ({ id: `${framework}:${ref}`, framework, title });

export const CONTROLS: readonly Control[] = [
  c('SOC2', 'CC6.1', 'Logical access security software, infrastructure and architectures over protected information assets'),
  c('SOC2', 'CC6.2', 'Registers and authorizes users before issuing credentials; removes credentials when access is no longer authorized'),
  c('SOC2', 'CC6.3', 'Authorizes, modifies or removes access considering least privilege and segregation of duties'),
  c('SOC2', 'CC6.6', 'Logical access security measures against threats from outside the system boundary'),
  c('SOC2', 'CC7.2', 'Monitors system components for anomalies'),
  c('SOC2', 'CC8.1', 'Authorizes, designs, tests, approves and implements changes'),

  c('NIST-CSF-2.0', 'PR.AA-01', 'Identities and credentials for authorized users, services and hardware are managed'),
  c('NIST-CSF-2.0', 'PR.AA-02', 'Identities are proofed and bound to credentials'),
  c('NIST-CSF-2.0', 'PR.AA-03', 'Users, services and hardware are authenticated'),
  c('NIST-CSF-2.0', 'PR.AA-05', 'Access permissions are defined in a policy, managed, enforced and reviewed (least privilege, separation of duties)'),
  c('NIST-CSF-2.0', 'GV.RR-02', 'Roles, responsibilities and authorities are established, communicated, understood and enforced'),
  c('NIST-CSF-2.0', 'GV.RR-04', 'Cybersecurity is included in human resources practices'),
  c('NIST-CSF-2.0', 'GV.SC-04', 'Suppliers are known and prioritized by criticality'),
  c('NIST-CSF-2.0', 'GV.SC-10', 'Supply chain plans include provisions for activities after a partnership ends'),
  c('NIST-CSF-2.0', 'ID.AM-02', 'Inventories of software, services and systems are maintained'),
  c('NIST-CSF-2.0', 'ID.AM-04', 'Inventories of services provided by suppliers are maintained'),
  c('NIST-CSF-2.0', 'ID.RA-07', 'Changes and exceptions are managed, assessed for risk impact, recorded and tracked'),
  c('NIST-CSF-2.0', 'DE.CM-03', 'Personnel activity and technology usage are monitored'),

  c('OWASP-NHI', 'NHI1:2025', 'Improper Offboarding'),
  c('OWASP-NHI', 'NHI2:2025', 'Secret Leakage'),
  c('OWASP-NHI', 'NHI3:2025', 'Vulnerable Third-Party NHI'),
  c('OWASP-NHI', 'NHI4:2025', 'Insecure Authentication'),
  c('OWASP-NHI', 'NHI5:2025', 'Overprivileged NHI'),
  c('OWASP-NHI', 'NHI6:2025', 'Insecure Cloud Deployment Configurations'),
  c('OWASP-NHI', 'NHI7:2025', 'Long-Lived Secrets'),
  c('OWASP-NHI', 'NHI8:2025', 'Environment Isolation'),
  c('OWASP-NHI', 'NHI9:2025', 'NHI Reuse'),
  c('OWASP-NHI', 'NHI10:2025', 'Human Use of NHI'),

  c('ISO27001', 'A.5.15', 'Access control'),
  c('ISO27001', 'A.5.16', 'Identity management'),
  c('ISO27001', 'A.5.17', 'Authentication information'),
  c('ISO27001', 'A.5.18', 'Access rights'),
  c('ISO27001', 'A.8.2', 'Privileged access rights'),
  c('ISO27001', 'A.8.5', 'Secure authentication'),

  c('CIS-v8', '5.1', 'Establish and Maintain an Inventory of Accounts'),
  c('CIS-v8', '5.3', 'Disable Dormant Accounts'),
  c('CIS-v8', '5.5', 'Establish and Maintain an Inventory of Service Accounts'),
  c('CIS-v8', '6.1', 'Establish an Access Granting Process'),
  c('CIS-v8', '6.2', 'Establish an Access Revoking Process'),
  c('CIS-v8', '6.5', 'Require MFA for Administrative Access'),
  c('CIS-v8', '6.8', 'Define and Maintain Role-Based Access Control'),

  c('NIST-AI-RMF', 'GOVERN-1.6', 'Mechanisms are in place to inventory AI systems'),
  c('NIST-AI-RMF', 'GOVERN-1.7', 'Processes for decommissioning and phasing out AI systems safely'),
  c('NIST-AI-RMF', 'GOVERN-2.1', 'Roles, responsibilities and lines of communication are documented'),
];
