/**
 * The story `npm run demo` tells, on one clock: Acme's access enters the ledger by pull request,
 * a new hire is granted access (after approvals that do not count), a provisioning workflow runs
 * on every access merge, a person moves team, access expires and is revoked, someone leaves and
 * their access is removed by pull request, the database's access review is merged, the systems'
 * own listings find an undeclared key that is then declared, and the auditor exports the binder
 * for the whole period. scripts/demo.ts narrates it; test/e2e/auditor-requests.test.ts answers an
 * auditor's request list from the binder it ends with.
 *
 * The clock (clock.ts) starts the day before the story, when the access repo is created, 50 days
 * before the real today, and only moves forward; every timestamp on GitHub, in the ledger and in
 * the binder comes from it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { addDays, utcDay } from '../../../src/core/dates.ts';
import type { SealedRecord } from '../../../src/core/ledger/index.ts';
import type { Issue } from '../fake-github/index.ts';
import { StoryClock } from './clock.ts';
import { Lifecycle, type ExportStep, type GateStep, type RecordStep, type SweepStep } from './lifecycle.ts';
import { readLedger, recordsOf } from './observe.ts';
import type { GateRun } from './processes.ts';
import { awsCredentialReport, costReportKeyGrant, storyGrantFiles } from './world.ts';

/** How many days before the real today the story's day 0 (the access repo's creation) is. */
export const STORY_DAYS_AGO = 50;

/** The days of the story, as offsets from day 0 (`world.day(n)`). */
export const DAYS = {
  seed: 1,
  request: 2,
  move: 5,
  expired: 31,
  leaver: 33,
  closed: 34,
  review: 40,
  listings: 41,
  declared: 42,
  audit: 44,
} as const;

/** The pull requests that bring Acme's existing access under the ledger, and who approves each. */
export const SEED_PRS: ReadonlyArray<{ title: string; body: string; head: string; files: string[]; approvers: string[] }> = [
  {
    title: "Record the analysts' database and Jira access, the Datadog monitor key and the AWS root break-glass account",
    body: 'Acme moves its existing access into this repo: each grant was last reviewed in the previous quarter (SEC-301 for the root user).',
    head: 'seed-access',
    files: ['grants/people/anovak.yaml', 'grants/people/eford.yaml', 'grants/keys/datadog-pg-monitor.yaml', 'grants/shared/aws-root-breakglass.yaml'],
    // prod-postgres and jira for the analysts; two of @acme/platform or @acme/security, neither a holder, for the root user; an admin for the review blocks and the exception.
    approvers: ['sbrandt', 'rpatel', 'nadia-r', 'okim'],
  },
  {
    title: "Record the leads' privileged access: the database DBA and the Jira site admin",
    body: 'Privileged access needs two approvers of the system, neither of them its holder.',
    head: 'seed-privileged',
    files: ['grants/people/sbrandt.yaml', 'grants/people/rpatel.yaml'],
    approvers: ['jokafor', 'lmoreau', 'dkaur', 'bwright', 'nadia-r'],
  },
];

export interface Painter {
  bold(s: string): string;
  dim(s: string): string;
  green(s: string): string;
  red(s: string): string;
}

const plain: Painter = { bold: (s) => s, dim: (s) => s, green: (s) => s, red: (s) => s };

export interface StoryResult {
  life: Lifecycle;
  clock: StoryClock;
  /** The period the auditor exports: day 1 to the audit day. */
  period: { from: string; to: string };
  seeds: RecordStep[];
  seedGates: GateStep[];
  seedProvisioned: SealedRecord[];
  grant: { pr: number; opened: GateRun; bystander: GateRun; grantee: GateRun; approved: GateRun; merged: RecordStep; provisioned: SealedRecord };
  mover: { pr: number; opened: GateRun; approved: GateRun; merged: RecordStep };
  expired: SweepStep;
  revoked: GateStep & RecordStep & { provisioned: SealedRecord; closed: Issue[] };
  leaver: { record: SealedRecord; issue: Issue; pr: number; gate: GateRun; merged: RecordStep; provisioned: SealedRecord; closed: Issue[] };
  review: { campaign: Issue; gates: GateRun[]; merged: RecordStep; change: SealedRecord | undefined };
  listings: { org: SealedRecord; aws: SealedRecord; driftIssue: Issue };
  declared: { pr: number; opened: GateRun; approved: GateRun; merged: RecordStep; provisioned: SealedRecord };
  audit: ExportStep;
  records: number;
}

/** Starts the world of the story: its clock on day 0 at 08:00, 50 days ago, and the App on it. */
export async function startStory(dir: string): Promise<{ life: Lifecycle; clock: StoryClock }> {
  const day0 = addDays(utcDay(new Date()), -STORY_DAYS_AGO);
  const clock = new StoryClock(new Date(`${day0}T08:00:00Z`), join(dir, 'story-clock'));
  const life = await Lifecycle.start({ dir, aws: true, clock, story: true });
  return { life, clock };
}

/** Why the approvals finding at `file` still fails (its parenthesis, e.g. who approved but does not count). */
function entryReason(gate: GateRun, file: string): string | null {
  const at = gate.annotations.find((a) => a.props.file === file && /approvals$/.test(a.props.title ?? ''));
  return /\(([^()]*not on the list[^()]*)\)\s*$/.exec(at?.message ?? '')?.[1] ?? null;
}

/** Tells the story on `life`, writing what a person would see to `say`. */
export async function tellStory(
  life: Lifecycle,
  clock: StoryClock,
  say: (line?: string) => void = () => undefined,
  paint: Painter = plain,
): Promise<StoryResult> {
  const { bold, dim, green, red } = paint;
  const { world, repo } = life;
  const day = world.day;
  const at = (n: number, time: string) => clock.advanceTo(`${day(n)}T${time}:00Z`);
  const step = (n: number, text: string) => say(`\n${bold(`${n}.`)} ${text}`);
  const then = (who: string, text: string) => say(`   ${dim(`${who}:`.padEnd(10))} ${text}`);
  const note = (text: string) => say(`   ${text}`);
  const verdict = (gate: GateRun): string => {
    const next = (gate.nextStep ?? '').replace(/^access-ledger gate:\s*/, '');
    if (gate.outputs.verdict === 'pass') return `${green('✓ pass')}${gate.code === 0 ? '' : ` (exit ${gate.code})`}`;
    return `${red('✗ fail')}: ${next || `exit ${gate.code}`}`;
  };
  const recorded = (r: SealedRecord) => `seq ${r.seq} ${r.kind} ${dim(r.key)}, hash ${r.hash.slice(0, 12)}…`;
  const time = (iso: string | null | undefined) => (iso ?? '').replace('T', ' ').replace(/:\d\dZ$/, ' UTC');
  const provision = async (pr: number): Promise<SealedRecord> => {
    clock.advance(10);
    const r = await life.provision(pr);
    then('provision', `${dim('provision.yml')} ran on the merge commit: App recorded ${recorded(r)}`);
    return r;
  };
  const sweep = async (n: number): Promise<SweepStep> => {
    at(n, '06:00');
    const s = await life.sweep(day(n));
    if (s.cli.code !== 0) throw new Error(`sweep exited ${s.cli.code}: ${(s.cli.stderr || s.cli.stdout).trim()}`);
    return s;
  };
  const mergedAt = (pr: number) => time(life.fake.state.pullOf(repo, pr).pull.mergedAt);

  say(
    `\nAcme's access repo ${bold(repo)} was created on ${day(0)} with its config, the systems prod-postgres, jira and aws-prod, and a provisioning workflow (${dim('ledger.provisioning_workflow: provision.yml')}); no grant yet.`,
  );
  say(
    `Teams: @acme/security (the admins), @acme/data, @acme/platform, @acme/eng-managers. The App's server runs as pid ${life.app.pid}; GitHub's webhooks reach it signed.`,
  );
  say(`One clock for GitHub, the gate, the App and the CLI: it starts on ${day(0)} (${STORY_DAYS_AGO} days ago) and only moves forward.`);
  const doctor = await life.doctor();
  if (doctor.code !== 0) throw new Error(`doctor exited ${doctor.code}: ${(doctor.stdout + doctor.stderr).trim()}`);
  say(
    `The repo is set up as \`access-ledger init\` and the docs set it up (the gate required, CODEOWNERS, the ledger branch protected): ${green('doctor ✓')} ${dim((/all \d+ checks pass/.exec(doctor.stdout) ?? ['all checks pass'])[0])}.`,
  );
  const keyId = /signing ledger records with key ([0-9a-f]{16})/.exec(life.app.log)?.[1];
  say(
    `It signs every ledger record with its Ed25519 key${keyId ? ` ${keyId}` : ''} (made as \`access-ledger keygen\` makes one); access-ledger.yaml lists the public key and names the App's bot, access-ledger[bot].`,
  );

  // ---- day 1: the existing access enters by pull request -------------------------------------
  step(1, `${day(DAYS.seed)}: mchen brings Acme's existing access under the ledger, in ${SEED_PRS.length} pull requests approved by each system's approvers`);
  const grantFiles = storyGrantFiles(world.today, { aws: true });
  const seeds: RecordStep[] = [];
  const seedGates: GateStep[] = [];
  let hour = 9;
  const seedProvisioned: SealedRecord[] = [];
  for (const seed of SEED_PRS) {
    at(DAYS.seed, `${String(hour++).padStart(2, '0')}:00`);
    const pr = life.fake.state.openPullRequest(repo, {
      author: 'mchen',
      title: seed.title,
      body: seed.body,
      head: seed.head,
      files: Object.fromEntries(seed.files.map((f) => [f, grantFiles[f]!])),
    });
    const gate = await life.approveAll(pr, seed.approvers, 10);
    seedGates.push(gate);
    if (gate.gate.outputs.verdict !== 'pass') throw new Error(`the seed PR #${pr} did not pass the gate: ${gate.gate.nextStep}`);
    then(
      'gate',
      `PR #${pr} ${dim(seed.files.map((f) => f.replace(/^grants\//, '')).join(', '))}: approved by ${seed.approvers.join(', ')}: ${verdict(gate.gate)}`,
    );
    clock.advance(10);
    const merged = await life.mergeAndRecord(pr, 'mchen');
    seeds.push(merged);
    then('App', `merged ${mergedAt(pr)}: recorded ${recorded(merged.record)}`);
    seedProvisioned.push(await provision(pr));
  }

  // ---- day 2: a new hire's access -------------------------------------------------------------
  at(DAYS.request, '09:00');
  step(
    2,
    `${day(DAYS.request)}: rpatel asks for read-only access to prod-postgres for new hire wzhang, until ${day(30)}: a pull request adding grants/people/wzhang.yaml`,
  );
  const opened = await life.openGrantPr('wzhang', { by: 'rpatel', expires: day(30) });
  then('gate', `PR #${opened.pr} ${verdict(opened.gate)}`);
  at(DAYS.request, '09:40');
  note('anovak, a backend engineer in the org but no approver of prod-postgres, approves the head commit');
  const bystander = (await life.approve(opened.pr, 'anovak')).gate;
  then('gate', verdict(bystander));
  const why = entryReason(bystander, 'grants/people/wzhang.yaml');
  if (why) then('gate', dim(`at the grant: ${why}`));
  at(DAYS.request, '10:05');
  note('wzhang, the grantee, approves the pull request');
  const grantee = (await life.approve(opened.pr, 'wzhang')).gate;
  then('gate', verdict(grantee));
  at(DAYS.request, '10:30');
  note('sbrandt approves the head commit (@acme/data approves prod-postgres)');
  const approved = (await life.approve(opened.pr, 'sbrandt')).gate;
  then('gate', verdict(approved));
  at(DAYS.request, '11:00');
  const merged = await life.mergeAndRecord(opened.pr, 'sbrandt');
  then('App', `sbrandt merged #${opened.pr} at ${mergedAt(opened.pr)}: recorded ${recorded(merged.record)}, and commented its path and hash on the PR`);
  const grantProvisioned = await provision(opened.pr);

  // ---- day 5: a mover -------------------------------------------------------------------------
  at(DAYS.move, '09:00');
  step(3, `${day(DAYS.move)}: anovak moves from the payments team to the data team: rpatel changes her \`identity.team\` by pull request, keeping her access`);
  const anovak = life.fake.state.readTree(repo, 'main')?.['grants/people/anovak.yaml'];
  if (!anovak) throw new Error('anovak has no grant on main');
  const move = await life.openPr({
    author: 'rpatel',
    title: 'anovak moves to the data team',
    body: 'Ana joins the data platform squad; her Jira and database access stay as they are (HR-4411).',
    head: 'move-anovak',
    files: {
      'grants/people/anovak.yaml': anovak
        .replace(/^ {2}team: payments$/m, '  team: data')
        .replace(/^ {2}description: .*$/m, '  description: Ana Novak, Backend engineer, data platform team'),
    },
  });
  then('gate', `PR #${move.pr} ${verdict(move.gate)}`);
  note(dim('a move: the approvers of every system she keeps (jira, prod-postgres) approve her access again (movers.reapprove)'));
  const moveApproved = await life.approveAll(move.pr, ['dkaur', 'sbrandt'], 20);
  then('gate', `dkaur (@acme/eng-managers) and sbrandt (@acme/data) approve: ${verdict(moveApproved.gate)}`);
  clock.advance(15);
  const moved = await life.mergeAndRecord(move.pr, 'rpatel');
  then('App', `merged ${mergedAt(move.pr)}: recorded ${recorded(moved.record)}`);
  note(dim('no access added or removed: the story does not wait for a provisioning run here'));

  // ---- day 31: expiry and revocation ----------------------------------------------------------
  step(4, `${day(DAYS.expired)}: wzhang's access expired yesterday (${day(30)}); the daily sweep runs`);
  const expired = await sweep(DAYS.expired);
  for (const i of expired.opened) then('sweep', `opened issue #${i.number} "${i.title}"${i.assignees.length ? ` for @${i.assignees.join(', @')}` : ''}`);
  if (expired.opened.length === 0) then('sweep', 'opened no issue');
  at(DAYS.expired, '14:00');
  note('sbrandt revokes: a pull request deleting grants/people/wzhang.yaml');
  const revoked = await life.revoke('wzhang', 'sbrandt');
  then('gate', `PR #${revoked.pr} ${verdict(revoked.gate)} (a removal needs no approval: revocation must be fast)`);
  then('App', `merged ${mergedAt(revoked.pr)}: recorded ${recorded(revoked.record)}`);
  const revokeProvisioned = await provision(revoked.pr);

  // ---- day 33: a leaver -----------------------------------------------------------------------
  at(DAYS.leaver, '10:00');
  step(5, `${day(DAYS.leaver)}: eford leaves the organization (GitHub sends organization member_removed)`);
  const left = await life.leaver('eford');
  then('App', `recorded ${recorded(left.record)}`);
  then('App', `opened urgent issue #${left.issue.number} "${left.issue.title}"`);
  at(DAYS.leaver, '11:15');
  const removal = await life.openPr({
    author: 'sbrandt',
    title: "Remove eford's access: she left the organization",
    body: `eford left Acme today. Closes #${left.issue.number}`,
    head: 'leaver-eford',
    files: { 'grants/people/eford.yaml': null },
  });
  then('gate', `sbrandt opens PR #${removal.pr} deleting grants/people/eford.yaml: ${verdict(removal.gate)}`);
  clock.advance(10);
  const removed = await life.mergeAndRecord(removal.pr, 'sbrandt');
  then('App', `merged ${mergedAt(removal.pr)}: recorded ${recorded(removed.record)}`);
  const removalProvisioned = await provision(removal.pr);
  const afterLeaver = await sweep(DAYS.closed);
  for (const i of afterLeaver.closed)
    then(
      'sweep',
      `${day(DAYS.closed)}: closed issue #${i.number} "${i.title}": ${i.number === left.issue.number ? 'no grant names eford any more' : 'the grant is gone'}`,
    );

  // ---- day 40: the access review --------------------------------------------------------------
  step(6, `${day(DAYS.review)}: prod-postgres is due for its 90-day access review`);
  const reviewSweep = await sweep(DAYS.review);
  const campaign = reviewSweep.campaigns[0];
  if (!campaign) throw new Error(`the sweep opened no review campaign: ${(reviewSweep.cli.stdout + reviewSweep.cli.stderr).trim()}`);
  then('sweep', `opened PR #${campaign.number} "${campaign.title}"`);
  at(DAYS.review, '11:00');
  const first = await life.approve(campaign.number, 'jokafor');
  then('gate', `jokafor (a listed approver) approves: ${verdict(first.gate)}`);
  at(DAYS.review, '15:00');
  const signed = await life.approve(campaign.number, 'sbrandt');
  then('gate', `sbrandt (@acme/data) approves: ${verdict(signed.gate)}`);
  at(DAYS.review, '16:30');
  const recertified = await life.mergeAndRecord(campaign.number, 'jokafor', 'review-campaign');
  const change = recordsOf(recertified.ledger, 'grant-change', campaign.number)[0];
  then(
    'App',
    `merged ${mergedAt(campaign.number)}: recorded ${change ? `${recorded(change)} and ` : ''}${recorded(recertified.record)}, dated the day it merged`,
  );

  // ---- day 41: what the systems list ----------------------------------------------------------
  at(DAYS.listings, '02:00');
  step(7, `${day(DAYS.listings)}: the platform team records what GitHub and AWS themselves list: the organization live, and the IAM credential report`);
  // Two scheduled jobs at once, as they may run: the ledger takes both, one after the other.
  const [org, aws] = await Promise.all([
    life.observe('github'),
    life.observe('aws-prod', { name: 'credential-report.csv', content: awsCredentialReport(day(DAYS.listings)) }),
  ]);
  const listed = (r: SealedRecord, what: string) =>
    `recorded ${recorded(r)}: ${(r.subject as { account_count: number }).account_count} ${what}, its raw export stored beside it at ${dim((r.subject as { raw_path: string }).raw_path.slice(0, 22) + '…')}`;
  for (const [r, what] of (
    [
      [org.record, 'accounts of the organization'],
      [aws.record, 'IAM users'],
    ] as const
  ).toSorted((a, b) => a[0].seq - b[0].seq))
    then('observe', listed(r, what));
  const drifted = await sweep(DAYS.listings);
  const driftIssue = drifted.opened.find((i) => /kind=observed-undeclared/.test(i.body ?? ''));
  if (!driftIssue) throw new Error(`the sweep opened no drift issue: ${drifted.cli.stdout.trim()}`);
  then('sweep', `opened issue #${driftIssue.number} "${driftIssue.title}": the key cost-report-exporter is in AWS, in no grant`);

  // ---- day 42: the key declared ---------------------------------------------------------------
  at(DAYS.declared, '10:00');
  step(8, `${day(DAYS.declared)}: jokafor declares the key by pull request: grants/keys/cost-report-exporter.yaml, naming the IAM user in \`accounts\``);
  const declared = await life.openPr({
    author: 'jokafor',
    title: 'Declare the cost report key',
    body: 'Drift found the IAM user cost-report-exporter with no grant: this declares it.',
    head: 'declare-cost-report-key',
    files: { 'grants/keys/cost-report-exporter.yaml': costReportKeyGrant(day(DAYS.listings)) },
  });
  then('gate', `PR #${declared.pr} ${verdict(declared.gate)}`);
  at(DAYS.declared, '10:45');
  const keyApproved = (await life.approve(declared.pr, 'nadia-r')).gate;
  then('gate', `nadia-r (@acme/security approves aws-prod) approves: ${verdict(keyApproved)}`);
  at(DAYS.declared, '11:00');
  const keyMerged = await life.mergeAndRecord(declared.pr, 'jokafor');
  then('App', `merged ${mergedAt(declared.pr)}: recorded ${recorded(keyMerged.record)}`);
  const keyProvisioned = await provision(declared.pr);

  // ---- day 44: the auditor --------------------------------------------------------------------
  at(DAYS.audit, '09:00');
  const period = { from: day(DAYS.seed), to: day(DAYS.audit) };
  step(9, `${day(DAYS.audit)}: the auditor clones acme/access and exports the binder for ${period.from} to ${period.to}, the whole story`);
  const audit = await life.exportAndVerify(period.from, period.to);
  if (audit.export.code !== 0) throw new Error(`export exited ${audit.export.code}: ${(audit.export.stderr || audit.export.stdout).trim()}`);
  then('export', `${Object.keys(audit.manifest.files ?? {}).length || 'the'} files, each hashed in manifest.json`);
  const records = readLedger(life.fake, repo).records.length;
  then(
    'verify',
    audit.verify.code === 0
      ? `${green('OK')}: ${records} records: hashes, chain and history intact, every record signed by the App's key, every commit by its bot`
      : `${red('FAILED')}: ${audit.verify.stdout.trim()}`,
  );
  then(
    'verify',
    audit.verifyOnline.code === 0
      ? `${green('OK')}: every hash matches the App's comment on its pull request`
      : `${red('FAILED')} --online: ${audit.verifyOnline.stdout.trim()}`,
  );
  const population = (id: string) => JSON.parse(readFileSync(join(audit.out, 'populations', `${id}.json`), 'utf8')) as { rows: Record<string, unknown>[] };
  const count = (id: string) => population(id).rows.length;
  then(
    'binder',
    `${count('additions')} additions, ${count('removals')} removals, ${count('movers')} mover, ${count('review-campaigns')} review items, ${count('privileged')} privileged entries, ${count('non-human')} non-human identities`,
  );
  const completeness = population('completeness');
  for (const r of completeness.rows.filter((x) => x.type === 'listing')) {
    const diffs = completeness.rows.filter((x) => x.snapshot === r.snapshot && x.type !== 'listing');
    const what = diffs
      .map(
        (x) =>
          `${x.type} ${String(x.account ?? x.identity)}: ${x.resolution === 'grant-change' ? `resolved by PR #${String(x.resolved_pr)} (seq ${String(x.resolved_seq)})` : String(x.resolution)}`,
      )
      .join('; ');
    const kept = /^no file under systems\//.test(String(r.gaps ?? ''))
      ? dim('(no system file defines it: kept as the list of who is a member, not compared)')
      : r.gaps
        ? dim(`(${String(r.gaps)})`)
        : '';
    then(
      'binder',
      `completeness: ${String(r.system)} listed ${String(r.taken_at)} (export ${String(r.raw_sha256).slice(0, 12)}…)${kept ? ` ${kept}` : `: ${String(r.observed)} accounts, ${diffs.length ? what : 'no difference'}`}`,
    );
  }
  const gaps = population('gaps').rows;
  then(
    'binder',
    gaps.length === 0
      ? 'no gaps'
      : `${gaps.length} gap${gaps.length === 1 ? '' : 's'}, each listed once: ${gaps.map((g) => `${String(g.population)} ${String(g.system || g.identity)} (${String(g.kind)})`).join('; ')}`,
  );

  return {
    life,
    clock,
    period,
    seeds,
    seedGates,
    seedProvisioned,
    grant: { pr: opened.pr, opened: opened.gate, bystander, grantee, approved, merged, provisioned: grantProvisioned },
    mover: { pr: move.pr, opened: move.gate, approved: moveApproved.gate, merged: moved },
    expired,
    revoked: { ...revoked, provisioned: revokeProvisioned, closed: afterLeaver.closed.filter((i) => i.number !== left.issue.number) },
    leaver: {
      record: left.record,
      issue: left.issue,
      pr: removal.pr,
      gate: removal.gate,
      merged: removed,
      provisioned: removalProvisioned,
      closed: afterLeaver.closed.filter((i) => i.number === left.issue.number),
    },
    review: { campaign, gates: [first.gate, signed.gate], merged: recertified, change },
    listings: { org: org.record, aws: aws.record, driftIssue },
    declared: { pr: declared.pr, opened: declared.gate, approved: keyApproved, merged: keyMerged, provisioned: keyProvisioned },
    audit,
    records,
  };
}
