// npm run demo [-- --out DIR]: the life of one access grant at Acme, with the product's real
// processes (the gate Action, the App's server, the CLI) against a fake GitHub on 127.0.0.1.
// No network and no GitHub account. Ends with the path of the auditor's binder (index.html).
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { SealedRecord } from '../src/core/ledger/index.ts';
import { Lifecycle } from '../test/support/e2e/lifecycle.ts';
import { killAll, tail, tempDir, type GateRun } from '../test/support/e2e/index.ts';
import { awsCredentialReport, costReportKeyGrant } from '../test/support/e2e/world.ts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const { values } = parseArgs({ options: { out: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
if (values.help) {
  process.stdout.write('usage: npm run demo [-- --out DIR]\n  Runs the whole lifecycle on a local fake of GitHub and writes the binder under DIR (default: a new temp dir).\n');
  process.exit(0);
}

const tty = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
const paint = (code: string) => (s: string) => (tty ? `\u001b[${code}m${s}\u001b[0m` : s);
const bold = paint('1');
const dim = paint('2');
const green = paint('32');
const red = paint('31');
const started = Date.now();

const say = (line = '') => process.stdout.write(`${line}\n`);
const step = (n: number, text: string) => say(`\n${bold(`${n}.`)} ${text}`);
const then = (who: string, text: string) => say(`   ${dim(`${who}:`.padEnd(8))} ${text}`);

function verdict(gate: GateRun): string {
  const next = (gate.nextStep ?? '').replace(/^access-ledger gate:\s*/, '');
  if (gate.outputs.verdict === 'pass') return `${green('✓ pass')}${gate.code === 0 ? '' : ` (exit ${gate.code})`}`;
  return `${red('✗ fail')}: ${next || `exit ${gate.code}`}`;
}

/** Why the approvals finding at `file` still fails (its parenthesis, e.g. who approved but does not count). */
function entryReason(gate: GateRun, file: string): string | null {
  const at = gate.annotations.find((a) => a.props.file === file && /approvals$/.test(a.props.title ?? ''));
  return /\(([^()]*not on the list[^()]*)\)\s*$/.exec(at?.message ?? '')?.[1] ?? null;
}

function recorded(r: SealedRecord): string {
  return `seq ${r.seq} ${r.kind} ${dim(r.key)}, hash ${r.hash.slice(0, 12)}…`;
}

const dir = values.out ? resolve(values.out) : tempDir('demo');
mkdirSync(dir, { recursive: true });

let life: Lifecycle | undefined;
const stop = async (code: number) => {
  await life?.stop().catch(() => undefined);
  killAll();
  process.exit(code);
};
process.once('SIGINT', () => void stop(130));

try {
  say(bold('access-ledger demo') + dim(' · the life of one access grant, on a local fake of GitHub (no network, no account)'));
  life = await Lifecycle.start({ dir, aws: true });
  const { world, repo } = life;
  const day = world.day;
  say(`\nAcme's access repo ${bold(repo)}: systems prod-postgres, jira and aws-prod, 6 grants; teams @acme/security, @acme/data, @acme/platform, @acme/eng-managers.`);
  say(`The App's server runs as pid ${life.app.pid}; GitHub's webhooks reach it signed. Today is ${world.today}.`);
  const doctor = await life.doctor();
  if (doctor.code !== 0) throw new Error(`doctor exited ${doctor.code}: ${(doctor.stdout + doctor.stderr).trim()}`);
  say(`The repo is set up as \`access-ledger init\` and the docs set it up (the gate required, CODEOWNERS, the ledger branch protected): ${green('doctor ✓')} ${dim((/all \d+ checks pass/.exec(doctor.stdout) ?? ['all checks pass'])[0])}.`);
  const keyId = /signing ledger records with key ([0-9a-f]{16})/.exec(life.app.log)?.[1];
  say(`It signs every ledger record with its Ed25519 key${keyId ? ` ${keyId}` : ''} (made as \`access-ledger keygen\` makes one); access-ledger.yaml lists the public key and names the App's bot, access-ledger[bot].`);

  step(1, `rpatel asks for read-only access to prod-postgres for new hire wzhang, until ${day(30)}: a pull request adding grants/people/wzhang.yaml`);
  const opened = await life.openGrantPr('wzhang', { by: 'rpatel', expires: day(30) });
  then('gate', `PR #${opened.pr} ${verdict(opened.gate)}`);

  step(2, 'anovak, a backend engineer in the org but no approver of prod-postgres, approves the head commit');
  const bystander = (await life.approve(opened.pr, 'anovak')).gate;
  then('gate', verdict(bystander));
  const why = entryReason(bystander, 'grants/people/wzhang.yaml');
  if (why) then('gate', dim(`at the grant: ${why}`));

  step(3, 'wzhang, the grantee, approves the pull request');
  then('gate', verdict((await life.approve(opened.pr, 'wzhang')).gate));

  step(4, 'sbrandt approves the head commit (@acme/data approves prod-postgres)');
  then('gate', verdict((await life.approve(opened.pr, 'sbrandt')).gate));

  step(5, `sbrandt merges #${opened.pr}`);
  const merged = await life.mergeAndRecord(opened.pr, 'sbrandt');
  then('App', `recorded ${recorded(merged.record)} on the access-ledger branch`);
  then('App', `commented the record's path and hash on PR #${opened.pr}`);

  step(6, `The clock moves to ${day(31)}, past the expiry: the daily sweep runs`);
  const swept = await life.sweep(day(31));
  if (swept.cli.code !== 0) throw new Error(`sweep exited ${swept.cli.code}: ${(swept.cli.stderr || swept.cli.stdout).trim()}`);
  for (const i of swept.opened) then('sweep', `opened issue #${i.number} "${i.title}"${i.assignees.length ? ` for @${i.assignees.join(', @')}` : ''}`);
  if (swept.opened.length === 0) then('sweep', 'opened no issue');

  step(7, 'sbrandt revokes: a pull request deleting grants/people/wzhang.yaml');
  const revoked = await life.revoke('wzhang', 'sbrandt');
  then('gate', `PR #${revoked.pr} ${verdict(revoked.gate)} (a removal needs no approval: revocation must be fast)`);
  then('App', `recorded ${recorded(revoked.record)}`);
  const resweep = await life.sweep(day(32));
  for (const i of resweep.closed) then('sweep', `closed issue #${i.number} "${i.title}": the grant is gone`);

  step(8, 'eford leaves the organization (GitHub sends organization member_removed)');
  const left = await life.leaver('eford');
  then('App', `recorded ${recorded(left.record)}`);
  then('App', `opened urgent issue #${left.issue.number} "${left.issue.title}"`);

  step(9, `The clock moves to ${day(40)}: prod-postgres is due for its 90-day access review`);
  const review = await life.sweep(day(40));
  const campaign = review.campaigns[0];
  if (!campaign) throw new Error(`the sweep opened no review campaign: ${(review.cli.stdout + review.cli.stderr).trim()}`);
  then('sweep', `opened PR #${campaign.number} "${campaign.title}"`);
  const first = await life.approve(campaign.number, 'jokafor');
  then('gate', `jokafor (a listed approver) approves: ${verdict(first.gate)}`);
  const revokedInReview = await life.push(campaign.number, { 'grants/people/eford.yaml': null }, 'mchen', 'Revoke eford in the review: she has left');
  then('review', `mchen deletes eford's grant in the review: ${verdict(revokedInReview.gate)}`);
  const partly = await life.approve(campaign.number, 'jokafor');
  then('gate', `jokafor approves the new head: ${verdict(partly.gate)}`);
  const signed = await life.approve(campaign.number, 'sbrandt');
  then('gate', `sbrandt (@acme/data) approves: ${verdict(signed.gate)}`);
  const recertified = await life.mergeAndRecord(campaign.number, 'jokafor', 'review-campaign');
  const change = recertified.ledger.records.find((r) => r.kind === 'grant-change' && (r.subject as { pr?: { number?: number } }).pr?.number === campaign.number);
  then('App', `merged: recorded ${change ? `${recorded(change)} and ` : ''}${recorded(recertified.record)}`);

  step(10, 'The platform team records what GitHub and AWS themselves list: the organization live, and the IAM credential report');
  // Two scheduled jobs at once, as they may run: the ledger takes both, one after the other.
  const [org, aws] = await Promise.all([life.observe('github'), life.observe('aws-prod', { name: 'credential-report.csv', content: awsCredentialReport(world.today) })]);
  const listed = (r: SealedRecord, what: string) => `recorded ${recorded(r)}: ${(r.subject as { account_count: number }).account_count} ${what}, its raw export stored beside it at ${dim((r.subject as { raw_path: string }).raw_path.slice(0, 22) + '…')}`;
  for (const [r, what] of ([[org.record, 'accounts of the organization'], [aws.record, 'IAM users']] as const).toSorted((a, b) => a[0].seq - b[0].seq)) then('observe', listed(r, what));
  const drifted = await life.sweep(day(41));
  if (drifted.cli.code !== 0) throw new Error(`sweep exited ${drifted.cli.code}: ${(drifted.cli.stderr || drifted.cli.stdout).trim()}`);
  const driftIssue = drifted.opened.find((i) => /kind=observed-undeclared/.test(i.body ?? ''));
  if (!driftIssue) throw new Error(`the sweep opened no drift issue: ${drifted.cli.stdout.trim()}`);
  then('sweep', `opened issue #${driftIssue.number} "${driftIssue.title}": the key cost-report-exporter is in AWS, in no grant`);

  step(11, 'jokafor declares the key by pull request: grants/keys/cost-report-exporter.yaml, naming the IAM user in `accounts`');
  const declared = await life.openPr({ author: 'jokafor', title: 'Declare the cost report key', body: 'Drift found the IAM user cost-report-exporter with no grant: this declares it.', head: 'declare-cost-report-key', files: { 'grants/keys/cost-report-exporter.yaml': costReportKeyGrant(world.today) } });
  then('gate', `PR #${declared.pr} ${verdict(declared.gate)}`);
  then('gate', `nadia-r (@acme/security approves aws-prod) approves: ${verdict((await life.approve(declared.pr, 'nadia-r')).gate)}`);
  const keyMerged = await life.mergeAndRecord(declared.pr, 'jokafor');
  then('App', `recorded ${recorded(keyMerged.record)}`);
  const redrift = await life.sweep(day(42));
  for (const i of redrift.closed) then('sweep', `closed issue #${i.number} "${i.title}": the latest listing, compared with main, shows no undeclared account`);

  step(12, `The auditor clones acme/access and exports the binder for ${day(-1)} to ${day(0)}`);
  const audit = await life.exportAndVerify(day(-1), day(0));
  if (audit.export.code !== 0) throw new Error(`export exited ${audit.export.code}: ${(audit.export.stderr || audit.export.stdout).trim()}`);
  then('export', `${Object.keys(audit.manifest.files ?? {}).length || 'the'} files, each hashed in manifest.json`);
  const records = life.fake.state.ledger(repo) ? Object.keys(life.fake.state.ledger(repo) ?? {}).filter((p) => p.startsWith('records/')).length : 0;
  then('verify', audit.verify.code === 0 ? `${green('OK')}: ${records} records: hashes, chain and history intact, every record signed by the App's key, every commit by its bot` : `${red('FAILED')}: ${audit.verify.stdout.trim()}`);
  then('verify', audit.verifyOnline.code === 0 ? `${green('OK')}: every hash matches the App's comment on its pull request` : `${red('FAILED')} --online: ${audit.verifyOnline.stdout.trim()}`);
  const completeness = JSON.parse(readFileSync(join(audit.out, 'populations', 'completeness.json'), 'utf8')) as { rows: Record<string, unknown>[] };
  for (const r of completeness.rows.filter((x) => x.type === 'listing')) {
    const diffs = completeness.rows.filter((x) => x.snapshot === r.snapshot && x.type !== 'listing');
    const what = diffs.map((x) => `${x.type} ${String(x.account ?? x.identity)}: ${x.resolution === 'grant-change' ? `resolved by PR #${String(x.resolved_pr)} (seq ${String(x.resolved_seq)})` : String(x.resolution)}`).join('; ');
    const kept = /^no file under systems\//.test(String(r.gaps ?? '')) ? dim('(no system file defines it: kept as the list of who is a member, not compared)') : r.gaps ? dim(`(${String(r.gaps)})`) : '';
    then('binder', `completeness: ${String(r.system)} listed ${String(r.taken_at)} (export ${String(r.raw_sha256).slice(0, 12)}…)${kept ? ` ${kept}` : `: ${String(r.observed)} accounts, ${diffs.length ? what : 'no difference'}`}`);
  }
  const unlisted = completeness.rows.filter((x) => x.type === 'no-listing').map((x) => String(x.system));
  if (unlisted.length) then('binder', `completeness: ${unlisted.join(', ')} not listed in the period ${dim('(a gap the binder names)')}`);

  say(`\n${bold('Binder:')} ${audit.index}`);
  say(dim(`(work files, the clone and the App's log: ${dir}; done in ${Math.round((Date.now() - started) / 1000)} s)`));
  await stop(audit.verify.code === 0 && audit.verifyOnline.code === 0 ? 0 : 1);
} catch (err) {
  process.stderr.write(`\n${red('demo stopped:')} ${(err instanceof Error ? err.message : String(err)).split('\n')[0]}\n`);
  if (life) process.stderr.write(`\nThe App's last log lines:\n${tail(life.app.log, 15)}\n`);
  process.stderr.write(`(work files: ${dir})\n`);
  await stop(1);
}
