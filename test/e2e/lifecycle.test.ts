/**
 * The lifecycle of access with the real processes against the fake GitHub: the bundled gate
 * Action, the App's HTTP server and the CLI. One story, in order: request, approval, merge and
 * evidence, expiry and revocation, a leaver, a review campaign, and the auditor's binder. The
 * approval part is the product's promise: a grant PR fails until an eligible approver approves its
 * head commit, whoever else approves first (a member who is no approver, the grantee).
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Lifecycle, type RecordStep } from '../support/e2e/lifecycle.ts';
import { awsCredentialReport, costReportKeyGrant } from '../support/e2e/world.ts';
import type { SealedRecord } from '../../src/core/ledger/index.ts';
import { duplicateIssues, issues, killAll, readLedger, tail, waitQuiet } from '../support/e2e/index.ts';
import { claimedForKind, controlClaims } from '../support/control-claims.ts';

let life: Lifecycle;
let grantPr: number;
let expiredIssue: number;
let merged: RecordStep;
let listings: { org: SealedRecord; aws: SealedRecord };
let driftIssue: number;
let keyPr: number;

/** Rows of a binder CSV as objects keyed by its header (fields may be quoted). */
function csvRows(file: string): Array<Record<string, string>> {
  const parse = (line: string): string[] => {
    const out: string[] = [];
    let cur = '';
    let quoted = false;
    for (let i = 0; i < line.length; i++) {
      const c = line[i] as string;
      if (quoted && c === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (c === '"') quoted = !quoted;
      else if (c === ',' && !quoted) {
        out.push(cur);
        cur = '';
      } else cur += c;
    }
    out.push(cur);
    return out;
  };
  const [header, ...lines] = readFileSync(file, 'utf8').split(/\r?\n/).filter(Boolean);
  const keys = parse(header ?? '');
  return lines.map((l) => Object.fromEntries(parse(l).map((v, i) => [keys[i] ?? String(i), v])));
}

const ledgerOk = () => {
  const v = readLedger(life.fake, life.repo).verification;
  expect(v.problems).toEqual([]);
  return v;
};

beforeAll(async () => {
  life = await Lifecycle.start({ aws: true });
}, 60_000);

afterAll(async () => {
  await life?.stop({ removeDir: true });
  killAll();
}, 60_000);

describe('the lifecycle of access at Acme', { timeout: 180_000 }, () => {
  it('the repository is set up the way init and the docs set it up: access-ledger doctor passes every check', async () => {
    const doctor = await life.doctor();
    expect(doctor.code, doctor.stdout + doctor.stderr).toBe(0);
    expect(doctor.stdout).toMatch(/✔ all 8 checks pass\n$/);
  });

  it('a manager opens a grant PR for a new engineer: the gate fails with an annotation at the entry and says who must approve', async () => {
    const { pr, gate } = await life.openGrantPr('wzhang', { by: 'rpatel' });
    grantPr = pr;
    expect(gate.code, gate.stdout + gate.stderr).toBe(1);
    expect(gate.outputs.verdict).toBe('fail');
    const at = gate.annotations.find((a) => a.props.file === 'grants/people/wzhang.yaml');
    expect(at?.level).toBe('error');
    expect(Number(at?.props.line)).toBeGreaterThan(0);
    expect(gate.nextStep).toMatch(/needs 1 more approval from @acme\/data or jokafor/);
    expect(gate.summary).toContain('wzhang');
  });

  it('a member who is no approver of prod-postgres (anovak) approves the head commit: the gate still fails and names who may approve', async () => {
    const { gate, review } = await life.approve(grantPr, 'anovak');
    expect(review.commitId).toBe(life.fake.state.pullOf(life.repo, grantPr).pull.headSha);
    expect(gate.code, gate.stdout + gate.stderr).toBe(1);
    expect(gate.outputs.verdict).toBe('fail');
    expect(gate.nextStep).toMatch(/^access-ledger gate: needs 1 more approval from @acme\/data or jokafor$/);
    const at = gate.annotations.find((a) => a.props.file === 'grants/people/wzhang.yaml' && a.props.title?.endsWith('approvals'));
    expect(at?.message).toMatch(/anovak approved but is not on the list for prod-postgres/);
    // Not in @acme/data: the gate read the team itself to tell "not a member" from "no such team".
    const teamReads = life.fake.requests.filter((r) => r.route === 'GET /orgs/{org}/teams/{team_slug}');
    expect(teamReads.map((r) => [r.path, r.status])).toContainEqual(['/orgs/acme/teams/data', 200]);
  });

  it('the grantee approves their own access: not eligible, the gate still fails and says so', async () => {
    const { gate } = await life.approve(grantPr, 'wzhang');
    expect(gate.code, gate.stdout + gate.stderr).toBe(1);
    expect(gate.outputs.verdict).toBe('fail');
    expect(gate.nextStep).toMatch(/wzhang cannot approve their own access/);
    expect(gate.nextStep).toMatch(/needs 1 more approval from @acme\/data or jokafor/);
  });

  it('an eligible approver (@acme/data) approves the head commit: the gate passes', async () => {
    const { gate } = await life.approve(grantPr, 'sbrandt');
    expect(gate.code, gate.stdout + gate.stderr).toBe(0);
    expect(gate.outputs.verdict).toBe('pass');
    expect(Number(gate.outputs.findings)).toBe(0);
  });

  it('merged: the App records a grant-change naming the approver and the commit approved, and comments its hash', async () => {
    merged = await life.mergeAndRecord(grantPr, 'sbrandt');
    const { record, comment } = merged;
    expect(record).toMatchObject({ kind: 'grant-change', seq: 1, prev_hash: null, key: `pr-${grantPr}-merged`, repository: life.repo });
    const subject = JSON.stringify(record.subject);
    const head = life.fake.state.pullOf(life.repo, grantPr).pull.headSha;
    expect(subject).toContain('"sbrandt"');
    expect(subject).toContain(head);
    expect(record.controls).toContain('SOC2:CC6.3');
    expect(comment).toContain(record.hash);
    ledgerOk();
  });

  it('a redelivery of the merge writes nothing new', async () => {
    const delivery = life.fake.deliveries.find((d) => d.event === 'pull_request' && JSON.parse(d.body).number === grantPr);
    if (!delivery) throw new Error('no delivery of the merge');
    // Probot answers once the handler is done (200), or 202 when it takes longer than GitHub waits.
    const again = await life.fake.redeliver(delivery, { url: life.app.webhookUrl, secret: life.app.secret });
    expect([200, 202]).toContain(again.status);
    if (again.status === 202) await waitQuiet(life.fake, { quietMs: 3000, timeoutMs: 60_000 });
    const ledger = readLedger(life.fake, life.repo);
    expect(ledger.records.map((r) => r.seq)).toEqual([1]);
    expect(life.fake.state.issue(life.repo, grantPr).comments.filter((c) => c.user.type === 'Bot')).toHaveLength(1);
  });

  it('the clock moves past the expiry: the sweep opens one issue for the expired grant, assigned to its owner', async () => {
    const sweep = await life.sweep(life.world.day(31));
    expect(sweep.cli.code, sweep.cli.stdout + sweep.cli.stderr).toBe(0);
    const expired = sweep.opened.filter((i) => (i.body ?? '').includes('id=wzhang kind=expired'));
    expect(expired, sweep.opened.map((i) => i.title).join('\n')).toHaveLength(1);
    expiredIssue = (expired[0] as { number: number }).number;
    expect(expired[0]?.title).toMatch(/wzhang/);
    expect(expired[0]?.assignees).toContain('sbrandt');
    expect(sweep.campaigns).toEqual([]);
    // The setup is safe: the sweep's doctor opened no issue.
    expect(sweep.opened.filter((i) => /access-ledger:doctor/.test(i.body ?? ''))).toEqual([]);
    expect(sweep.cli.stdout).toContain('setup: all 8 doctor checks pass');
    // Run again the same day: nothing changes.
    const again = await life.sweep(life.world.day(31));
    expect(again.cli.code).toBe(0);
    expect([again.opened, again.closed]).toEqual([[], []]);
  });

  it('a revocation PR passes the gate without approvals, is recorded, and the next sweep closes the issue', async () => {
    const revoked = await life.revoke('wzhang', 'sbrandt');
    expect(revoked.gate.code, revoked.gate.stdout + revoked.gate.stderr).toBe(0);
    expect(revoked.gate.outputs.verdict).toBe('pass');
    expect(revoked.record).toMatchObject({ kind: 'grant-change', seq: 2, prev_hash: merged.record.hash });
    expect(JSON.stringify(revoked.record.subject)).toContain('removed');
    const sweep = await life.sweep(life.world.day(32));
    expect(sweep.cli.code, sweep.cli.stdout + sweep.cli.stderr).toBe(0);
    expect(sweep.closed.map((i) => i.number)).toEqual([expiredIssue]);
    ledgerOk();
  });

  it('a leaver: organization member_removed records identity-left-org and opens the urgent issue listing her grants', async () => {
    const { record, issue } = await life.leaver('eford');
    expect(record.kind).toBe('identity-left-org');
    expect(issue.body).toContain('grants/people/eford.yaml');
    expect(issue.labels.join(' ')).toMatch(/urgent|leaver|left/i);
    ledgerOk();
  });

  it('a review campaign: the sweep opens one PR for the due system, its approver signs off, and the merge is recorded', async () => {
    const sweep = await life.sweep(life.world.day(40));
    expect(sweep.cli.code, sweep.cli.stdout + sweep.cli.stderr).toBe(0);
    expect(sweep.campaigns.map((p) => p.title).join('\n')).toMatch(/prod-postgres/);
    const campaign = sweep.campaigns.find((p) => p.title.includes('prod-postgres'));
    if (!campaign) throw new Error('no campaign PR');
    expect(duplicateIssues(life.fake, life.repo)).toEqual([]);
    // The review still lists eford, who has left: the pull request marks her entry for a decision,
    // and the gate will not let it keep that access.
    expect(campaign.body).toContain('⚠️ grantee `eford` left the organization');
    const first = await life.approve(campaign.number, 'jokafor');
    expect(first.gate.code, first.gate.stdout + first.gate.stderr).toBe(1);
    expect(first.gate.stdout).toContain(
      'grantee @eford of `eford` is not a member of the acme organization, so this review cannot keep the access: delete the entry or the file in this pull request',
    );
    const revoked = await life.push(campaign.number, { 'grants/people/eford.yaml': null }, 'mchen', 'Revoke eford in the review: she has left');
    expect(revoked.gate.code).toBe(1);
    // jokafor owns one of the reviewed identities: their approval certifies the others, not that one.
    const partly = await life.approve(campaign.number, 'jokafor');
    expect(partly.gate.code, partly.gate.stdout + partly.gate.stderr).toBe(1);
    expect(partly.gate.stdout).toContain('jokafor cannot certify their own access');
    expect(partly.gate.stdout).toContain('needs 1 more approval from @acme/data');
    const approved = await life.approve(campaign.number, 'sbrandt');
    expect(approved.gate.code, approved.gate.stdout + approved.gate.stderr).toBe(0);
    const recorded = await life.mergeAndRecord(campaign.number, 'jokafor', 'review-campaign');
    expect(recorded.record.kind).toBe('review-campaign');
    expect(JSON.stringify(recorded.record.subject)).toContain('jokafor');
    expect(JSON.stringify(recorded.record.subject)).toContain('prod-postgres');
    // A second sweep the same day opens no second campaign and no duplicate issue.
    const again = await life.sweep(life.world.day(40));
    expect(again.campaigns).toEqual([]);
    expect(duplicateIssues(life.fake, life.repo)).toEqual([]);
    ledgerOk();
  });

  it('what the systems list: the organization and the AWS credential report are recorded with their raw exports, and the sweep opens one issue for the key no grant declares', async () => {
    const [org, aws] = await Promise.all([
      life.observe('github'),
      life.observe('aws-prod', { name: 'credential-report.csv', content: awsCredentialReport(life.world.today) }),
    ]);
    listings = { org: org.record, aws: aws.record };
    const ledger = life.fake.state.ledger(life.repo)!;
    for (const r of [org.record, aws.record]) {
      const subject = r.subject as { raw_path: string; raw_sha256: string };
      expect(createHash('sha256').update(ledger[subject.raw_path]!).digest('hex')).toBe(subject.raw_sha256);
      expect(r.signature).toBeDefined();
    }
    expect((aws.record.subject as { account_count: number }).account_count).toBe(2);
    const sweep = await life.sweep(life.world.day(41));
    expect(sweep.cli.code, sweep.cli.stdout + sweep.cli.stderr).toBe(0);
    expect(sweep.cli.stdout).toContain('compared with their latest listings: aws-prod');
    const drift = sweep.opened.filter((i) => /<!-- access-ledger:stale id=aws-prod kind=observed-undeclared /.test(i.body ?? ''));
    expect(
      drift.map((i) => i.title),
      sweep.opened.map((i) => i.title).join('\n'),
    ).toEqual(['Accounts on AWS production account (acme-prod, 4821-0000-1111) (aws-prod) that no grant declares']);
    driftIssue = drift[0]!.number;
    expect(drift[0]!.body).toContain('`cost-report-exporter`');
    expect(drift[0]!.body).toContain(aws.record.key);
    // The root user maps to its break-glass grant: nothing else differs.
    expect(sweep.opened.filter((i) => /kind=observed-/.test(i.body ?? ''))).toHaveLength(1);
    expect(duplicateIssues(life.fake, life.repo)).toEqual([]);
    ledgerOk();
  });

  it('the key declared by a pull request an approver of aws-prod signs off: recorded, and the next sweep closes the drift issue', async () => {
    const opened = await life.openPr({
      author: 'jokafor',
      title: 'Declare the cost report key',
      body: 'Drift found the IAM user cost-report-exporter with no grant.',
      head: 'declare-cost-report-key',
      files: { 'grants/keys/cost-report-exporter.yaml': costReportKeyGrant(life.world.today) },
    });
    keyPr = opened.pr;
    expect(opened.gate.code, opened.gate.stdout + opened.gate.stderr).toBe(1);
    expect(opened.gate.nextStep).toMatch(/needs 1 more approval from @acme\/platform or @acme\/security/);
    const approved = await life.approve(keyPr, 'nadia-r');
    expect(approved.gate.code, approved.gate.stdout + approved.gate.stderr).toBe(0);
    await life.mergeAndRecord(keyPr, 'jokafor');
    const sweep = await life.sweep(life.world.day(42));
    expect(sweep.cli.code, sweep.cli.stdout + sweep.cli.stderr).toBe(0);
    expect(sweep.closed.map((i) => i.number)).toEqual([driftIssue]);
    expect(life.fake.state.issue(life.repo, driftIssue).comments.at(-1)!.body).toMatch(
      /^The latest listing of `aws-prod`, compared with the grants on `main`, shows none of this any more/,
    );
    ledgerOk();
  });

  it('the auditor: export writes the binder from a clone, verify passes offline and against the PR comments', async () => {
    const step = await life.exportAndVerify(life.world.day(-1), life.world.day(0));
    expect(step.export.code, step.export.stdout + step.export.stderr).toBe(0);
    expect(existsSync(step.index)).toBe(true);
    expect(readFileSync(step.index, 'utf8')).toContain('wzhang');
    // The chain an auditor samples: who asked, who approved which commit, when merged, which record.
    const addition = csvRows(join(step.out, 'populations', 'additions.csv')).find((r) => r.identity === 'wzhang');
    // This world configures no provisioning workflow: a blank "provisioned at" is no gap, and the summary says why.
    expect(addition).toMatchObject({
      system: 'prod-postgres',
      pr: String(grantPr),
      pr_author: 'rpatel',
      approvers: 'sbrandt',
      approval_on_merged_head: 'yes',
      approved_before_merge: 'yes',
      merged_by: 'sbrandt',
      ledger_seq: '1',
      ledger_hash: merged.record.hash,
      provisioned_at: '',
      gaps: '',
    });
    expect(readFileSync(join(step.out, 'summary.md'), 'utf8')).toContain('No provisioning workflow is configured');
    // wzhang approved his own access: the record keeps the gate's judgement, the chain says it in the gate's words.
    const chain = JSON.parse(readFileSync(join(step.out, 'chains.json'), 'utf8')).chains.find(
      (c: { population: string; item: { identity: string } }) => c.population === 'additions' && c.item.identity === 'wzhang',
    );
    expect(chain.approvals.find((a: { reviewer: string }) => a.reviewer === 'wzhang')).toMatchObject({
      counted: false,
      not_counted: 'grantee',
      eligible_because: 'cannot approve their own access',
    });
    expect(chain.gaps).toEqual([]);
    // Review bookkeeping is no access change; the review decided on eford, who had left.
    expect(csvRows(join(step.out, 'populations', 'modifications.csv')).filter((r) => r.field!.startsWith('review'))).toEqual([]);
    expect(csvRows(join(step.out, 'populations', 'removals.csv')).find((r) => r.identity === 'wzhang')).toMatchObject({ via: 'pull-request', ledger_seq: '2' });
    expect(csvRows(join(step.out, 'populations', 'left-org.csv')).map((r) => r.login)).toEqual(['eford']);
    // Each item names who certified it: jokafor owns datadog-pg-monitor, so sbrandt certified that one.
    const rows = csvRows(join(step.out, 'populations', 'review-campaigns.csv'));
    const reviewed = rows.filter((r) => r.campaign !== '(outside a campaign)');
    expect(reviewed.every((r) => r.system === 'prod-postgres')).toBe(true);
    expect(reviewed.find((r) => r.identity === 'datadog-pg-monitor')?.reviewers).toBe('sbrandt');
    expect(reviewed.find((r) => r.identity === 'eford')).toMatchObject({ outcome: 'removed', flags: 'grantee eford left the organization' });
    // The repo's first commit wrote its grants' review blocks with no pull request: certifications nobody recorded.
    const unrecorded = rows.filter((r) => r.campaign === '(outside a campaign)');
    expect(unrecorded.length).toBeGreaterThan(0);
    for (const r of unrecorded) expect([r.identity, r.pr, r.gaps]).toEqual([r.identity, '', 'no grant-change record in the ledger for this commit']);
    // Every gap of the period is listed by population: the seeded grants predate the ledger.
    const gaps = csvRows(join(step.out, 'populations', 'gaps.csv'));
    expect(gaps.some((g) => g.population === 'inventory' && g.identity === 'anovak' && g.kind === 'no-approval-record')).toBe(true);
    expect(gaps.some((g) => g.identity === 'wzhang')).toBe(false);
    // Completeness: the AWS listing, the key it showed that no grant declared, and the pull request that declared it.
    const completeness = csvRows(join(step.out, 'populations', 'completeness.csv'));
    expect(completeness.find((r) => r.system === 'aws-prod' && r.type === 'listing')).toMatchObject({
      snapshot: listings.aws.key,
      raw_sha256: (listings.aws.subject as { raw_sha256: string }).raw_sha256,
      observed: '2',
      matched: '1',
      differences: '1',
      gaps: '',
    });
    expect(completeness.find((r) => r.type === 'undeclared')).toMatchObject({
      system: 'aws-prod',
      account: 'cost-report-exporter',
      resolution: 'grant-change',
      resolved_pr: String(keyPr),
      resolved_by: `pr-${keyPr}-merged`,
    });
    expect(completeness.find((r) => r.system === 'github' && r.type === 'listing')?.gaps).toMatch(/^no file under systems\/ defined github/);
    expect(completeness.filter((r) => r.type === 'no-listing').map((r) => r.system)).toEqual(['jira', 'prod-postgres']);
    const map = JSON.parse(readFileSync(join(step.out, 'evidence-map.json'), 'utf8')) as { systems: { id: string; listings?: { key: string }[] }[] };
    expect(map.systems.find((x) => x.id === 'aws-prod')?.listings?.map((l) => l.key)).toEqual([listings.aws.key]);
    expect(existsSync(join(step.out, 'manifest.json'))).toBe(true);
    expect(step.verify.code, step.verify.stdout + step.verify.stderr).toBe(0);
    expect(step.verifyOnline.code, step.verifyOnline.stdout + step.verifyOnline.stderr).toBe(0);
    const ledger = readLedger(life.fake, life.repo);
    expect(step.verify.stdout).toContain(`${ledger.records.length} records`);
    // The review revoked eford's access, so the sweep after it closed her leaver issue.
    const leaverIssues = issues(life.fake, life.repo, 'all').filter((i) => i.body?.includes('grants/people/eford.yaml'));
    expect(leaverIssues.map((i) => i.state)).toEqual(['closed']);
    expect(life.fake.errors, tail(life.app.log)).toEqual([]);
  });

  it('every record the App wrote cites the controls docs/controls.md says its kind cites: all it always cites, nothing it does not name', () => {
    const claims = controlClaims();
    const { records } = readLedger(life.fake, life.repo);
    expect(new Set(records.map((r) => r.kind))).toEqual(new Set(['grant-change', 'identity-left-org', 'review-campaign', 'access-snapshot']));
    for (const r of records) {
      const { always, atMost } = claimedForKind(claims, r.kind);
      expect(always.size, r.kind).toBeGreaterThan(0);
      for (const c of always) expect(r.controls, `seq ${r.seq} (${r.kind})`).toContain(c);
      for (const c of r.controls) expect([...atMost], `seq ${r.seq} (${r.kind}) cites ${c}`).toContain(c);
    }
    // The revocation cites what the page says a removal adds.
    expect(records.filter((r) => r.kind === 'grant-change' && r.controls.includes('CIS-v8:6.2')).length).toBeGreaterThan(0);
  });
});
