/** One row per non-human grant file of the as-of tree: owner, credential, rotation, storage, revocation. */
import { daysBetween } from '../../dates.ts';
import { col, gapsCol } from '../columns.ts';
import type { Column } from '../types.ts';
import { gap, type Gap } from '../gaps.ts';
import { accessPath, asOfReproduce, yesNo } from './shared.ts';
import { definePopulation } from './types.ts';

const columns: Column[] = [
  col('identity', 'Identity', 'identity.id.'),
  col('kind', 'Kind', 'service-account, api-key, ci-token, integration, shared-account or agent.'),
  col('owner', 'Owner', 'identity.owner: the accountable human.'),
  col('description', 'Description', 'identity.description.'),
  col('credential_type', 'Credential', 'credential.type.'),
  col('rotation_days', 'Rotation (days)', 'credential.rotation_days: the required rotation interval.'),
  col('last_rotated', 'Last rotated', 'credential.last_rotated.'),
  col('rotation_age_days', 'Rotation age (days)', 'Days from last rotation to the as-of day.'),
  col('storage', 'Secret storage', 'credential.storage: where the secret lives (a reference, never the secret; masked if it looks like one).'),
  col('revocation', 'Revocation path', 'credential.revocation: how to revoke the credential (a runbook link or the steps).'),
  col('vendor', 'Vendor', 'vendor.name for integrations.'),
  col('data_scope', 'Vendor data scope', 'vendor.data_scope: the data the vendor reaches.'),
  col('offboarding', 'Vendor offboarding', "vendor.offboarding: how the vendor's access is revoked when the partnership ends."),
  col('systems', 'Systems', 'Systems the identity reaches (system:role; …).'),
  col('privileged', 'Privileged', 'yes when any entry is privileged.'),
  col('privileged_access', 'Privileged access', 'Each privileged entry with its access path (system:role, standing or JIT with its window and approvers).'),
  col('path', 'File', 'The grant file.'),
  gapsCol,
];

const meta = {
  title: 'Non-human identities',
  question: 'Which non-human identities exist, who owns each, what credential it uses, and when was it last rotated?',
  unit: 'one row per non-human grant file in the tree as of the as-of day',
  frequency: 'point-in-time' as const,
  controls: ['SOC2:CC6.1', 'NIST-CSF-2.0:PR.AA-01', 'NIST-CSF-2.0:ID.AM-02', 'OWASP-NHI:NHI4:2025', 'OWASP-NHI:NHI7:2025', 'ISO27001:A.5.17', 'CIS-v8:5.5'],
};

export default definePopulation({
  id: 'non-human',
  meta,
  columns,
  reproduce: (p) => asOfReproduce(p, meta.unit),
  start: (ctx) => ({
    onTreeGrant({ file: g, fileGaps }) {
      const grant = g.grant;
      if (!grant || grant.identity.kind === 'human') return;
      const id = grant.identity;
      const cred = grant.credential;
      const gaps: Gap[] = fileGaps();
      if (!id.owner) gaps.push(gap('no-owner'));
      if (!cred) gaps.push(gap('no-credential'));
      else {
        if (cred.type !== 'oidc-federated' && !cred.last_rotated) gaps.push(gap('no-rotation-record'));
        if (cred.type !== 'oidc-federated' && !cred.storage?.trim()) gaps.push(gap('no-storage'));
        if (!cred.revocation?.trim()) gaps.push(gap('no-revocation'));
      }
      if (id.kind === 'integration') {
        if (!grant.vendor) gaps.push(gap('no-vendor'));
        else {
          if (!grant.vendor.data_scope?.trim()) gaps.push(gap('no-data-scope'));
          if (!grant.vendor.offboarding?.trim()) gaps.push(gap('no-offboarding'));
        }
      }
      const privileged = grant.access.filter((e) => e.privileged);
      ctx.emit(
        {
          identity: id.id,
          kind: id.kind,
          owner: id.owner ?? null,
          description: id.description ?? null,
          credential_type: cred?.type ?? null,
          rotation_days: cred?.rotation_days ?? null,
          last_rotated: cred?.last_rotated ?? null,
          rotation_age_days: cred?.last_rotated ? daysBetween(cred.last_rotated, ctx.params.asOf) : null,
          storage: cred?.storage ?? null,
          revocation: cred?.revocation ?? null,
          vendor: grant.vendor?.name ?? null,
          data_scope: grant.vendor?.data_scope ?? null,
          offboarding: grant.vendor?.offboarding ?? null,
          systems: grant.access.map((e) => `${e.system}:${e.role}`).join('; ') || null,
          privileged: yesNo(privileged.length > 0),
          privileged_access: privileged.map((e) => `${e.system}:${e.role} (${accessPath(e)})`).join('; ') || null,
          path: g.path,
        },
        gaps,
      );
    },
  }),
});
