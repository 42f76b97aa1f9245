/** The rule registry. Pull-request rules register here too; the engine picks by scope. */
import type { AnyRule } from './types.ts';
import schema from './schema.ts';
import identityFileName from './identity-file-name.ts';
import identityUnique from './identity-unique.ts';
import ownerRequired from './owner-required.ts';
import systemKnown from './system-known.ts';
import roleDeclared from './role-declared.ts';
import systemOwnerRequired from './system-owner-required.ts';
import systemEvidenceSources from './system-evidence-sources.ts';
import justificationRequired from './justification-required.ts';
import expiryRequired from './expiry-required.ts';
import expiryMaxDays from './expiry-max-days.ts';
import expiryInFuture from './expiry-in-future.ts';
import credentialRequired from './credential-required.ts';
import rotationMaxDays from './rotation-max-days.ts';
import preferFederated from './prefer-federated-credentials.ts';
import sharedAccountControls from './shared-account-controls.ts';
import vendorOffboarding from './vendor-offboarding.ts';
import exceptionGoverned from './exception-governed.ts';
import noSecrets from './no-secrets.ts';
import massRemoval from './mass-removal.ts';
import expired from './expired.ts';
import expiringSoon from './expiring-soon.ts';
import reviewOverdue from './review-overdue.ts';
import rotationOverdue from './rotation-overdue.ts';
import ownerLeftOrg from './owner-left-org.ts';
import approvals from './approvals.ts';
import noSelfApproval from './no-self-approval.ts';
import ownerInOrg from './owner-in-org.ts';
import accessPath from './access-path.ts';
import observedUndeclared from './observed-undeclared.ts';
import observedUnprovisioned from './observed-unprovisioned.ts';
import observedExcessPrivilege from './observed-excess-privilege.ts';
import observedDormant from './observed-dormant.ts';
import observedRotationOverdue from './observed-rotation-overdue.ts';
import observedMfaMissing from './observed-mfa-missing.ts';
import observedLeaverAccess from './observed-leaver-access.ts';

export const BUILTIN_RULES: readonly AnyRule[] = [
  schema,
  identityFileName,
  accessPath,
  identityUnique,
  ownerRequired,
  systemKnown,
  roleDeclared,
  systemOwnerRequired,
  systemEvidenceSources,
  justificationRequired,
  expiryRequired,
  expiryMaxDays,
  expiryInFuture,
  credentialRequired,
  rotationMaxDays,
  preferFederated,
  sharedAccountControls,
  vendorOffboarding,
  exceptionGoverned,
  noSecrets,
  massRemoval,
  expired,
  expiringSoon,
  reviewOverdue,
  rotationOverdue,
  ownerLeftOrg,
  approvals,
  noSelfApproval,
  ownerInOrg,
  observedUndeclared,
  observedUnprovisioned,
  observedExcessPrivilege,
  observedDormant,
  observedRotationOverdue,
  observedMfaMissing,
  observedLeaverAccess,
];

export class RuleRegistry {
  readonly rules = new Map<string, AnyRule>();
  constructor(rules: Iterable<AnyRule> = BUILTIN_RULES) {
    for (const r of rules) this.add(r);
  }
  add(rule: AnyRule): void {
    if (this.rules.has(rule.meta.id)) throw new Error(`rule ${rule.meta.id} registered twice`);
    this.rules.set(rule.meta.id, rule);
  }
  get(id: string): AnyRule | undefined {
    return this.rules.get(id);
  }
  ids(): Set<string> {
    return new Set(this.rules.keys());
  }
}
