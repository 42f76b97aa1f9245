/**
 * An auditor's request list, answered field by field from the binder the demo ends with: the
 * demo's story (test/support/e2e/story.ts) runs with the product's real processes against the fake
 * GitHub, on one clock, and the binder it exports is read as an auditor reads it: the CSV and JSON
 * populations, index.html on screen, and index.html printed to PDF. Each answer is checked against
 * what happened on GitHub (the pull requests, reviews, merges and workflow runs on the fake) and
 * against the ledger records the binder cites. The story plants exactly three gaps, and the binder
 * lists each once: the organization listed without a system file for it (kept as the list of
 * members, not compared), and jira and prod-postgres never listed in the period.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SealedRecord } from '../../src/core/ledger/index.ts';
import { between, launchBrowser, pdfPages, readBinder } from '../support/binder-print.ts';
import { killAll, readLedger, tempDir } from '../support/e2e/index.ts';
import { DAYS, startStory, tellStory, type StoryResult } from '../support/e2e/story.ts';

type Row = Record<string, string>;
type JsonRow = Record<string, unknown>;

let story: StoryResult;
let out: string;
let records: SealedRecord[];
let context: BrowserContext;
/** What index.html shows on screen, and the text of its printed PDF. */
let screen: string;
let printed: string;

/** Rows of a binder CSV as objects keyed by its header (fields may be quoted, with "" for a quote). */
function csv(id: string): Row[] {
  const text = readFileSync(join(out, 'populations', `${id}.csv`), 'utf8');
  const rows: string[][] = [];
  let row: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cur);
      cur = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(cur);
      rows.push(row);
      row = [];
      cur = '';
    } else cur += c;
  }
  if (cur !== '' || row.length) rows.push([...row, cur]);
  const [header, ...body] = rows;
  return body.map((r) => Object.fromEntries((header ?? []).map((k, i) => [k, r[i] ?? ''])));
}

function population(id: string): { title: string; columns: { key: string; title: string }[]; rows: JsonRow[] } {
  return JSON.parse(readFileSync(join(out, 'populations', `${id}.json`), 'utf8'));
}

const cell = (v: unknown): string => (v === null || v === undefined ? '' : String(v));

/** The one row of population `id` matching `where`, the same in the CSV and the JSON. */
function row(id: string, where: Record<string, string>): Row {
  const matches = (r: Record<string, unknown>) => Object.entries(where).every(([k, v]) => cell(r[k]).replace(/^'(?=[=+\-@])/, '') === v);
  const fromCsv = csv(id).filter(matches);
  expect(fromCsv, `${id} ${JSON.stringify(where)}`).toHaveLength(1);
  const fromJson = population(id).rows.filter(matches);
  // The CSV puts an apostrophe before a cell a spreadsheet would run as a formula (@acme/data).
  const asCsv = (v: unknown) => cell(v).replace(/^[=+\-@]/, "'$&");
  expect(fromJson.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, asCsv(v)])))).toEqual(fromCsv);
  return fromCsv[0]!;
}

const recordAt = (seq: string | number): SealedRecord => {
  const r = records.find((x) => x.seq === Number(seq));
  if (!r) throw new Error(`no ledger record with seq ${seq}`);
  return r;
};

/** The population's section of a text (screen or print): from its heading to the next population's. */
function section(text: string, id: string): string {
  const binder = JSON.parse(readFileSync(join(out, 'binder.json'), 'utf8')) as { populations: { id: string; title: string; rows: number }[] };
  const at = binder.populations.findIndex((p) => p.id === id);
  const p = binder.populations[at]!;
  const next = binder.populations[at + 1];
  return between(text, `${p.title} (${p.rows} rows)`, next ? `${next.title} (${next.rows} rows)` : 'Control matrix');
}

/**
 * A row as the screen shows it (one line of its table, cells separated by tabs) and as the
 * printout shows it (a card per row, each cell labelled with its column, for a table of more than
 * 10 columns; cells in column order otherwise): every field of `fields` is in both.
 */
function shown(id: string, r: Row, fields: string[]): void {
  const pop = population(id);
  const title = (key: string) => pop.columns.find((c) => c.key === key)!.title;
  // The column that names the row comes first on screen and in print.
  const first = id === 'left-org' ? 'login' : 'identity';
  const lines = section(screen, id)
    .split('\n')
    .filter((l) => l.split('\t')[0] === r[first] && fields.every((f) => l.split('\t').includes(r[f]!)));
  expect(lines.length, `${id}: the screen's row of ${r[first]} with ${fields.map((f) => `${f}=${r[f]}`).join(', ')}`).toBeGreaterThan(0);
  // On paper a value may wrap anywhere, even inside a time: the printout is compared without spaces.
  const flat = (t: string) => t.replace(/\s+/g, '');
  const print = section(printed, id);
  if (pop.columns.length > 10) {
    // A card runs up to its Gaps cell; the identity column is printed beside the cards.
    const cards = print.split(/ Gaps: /).map(flat);
    const card = cards.find((c) => fields.filter((f) => f !== first).every((f) => c.includes(flat(`${title(f)}: ${r[f]}`))));
    expect(card, `${id}: the printed card of ${r[first]} with ${fields.map((f) => `${title(f)}: ${r[f]}`).join(', ')}`).toBeDefined();
    expect(flat(print)).toContain(flat(`${title(first)}: ${r[first]}`));
  } else {
    for (const f of fields) expect(flat(print), `${id}: ${f}`).toContain(flat(r[f]!));
  }
}

beforeAll(async () => {
  const dir = tempDir('auditor');
  const started = await startStory(dir);
  try {
    story = await tellStory(started.life, started.clock);
  } catch (err) {
    await started.life.stop({ removeDir: true });
    throw err;
  }
  out = story.audit.out;
  records = readLedger(story.life.fake, story.life.repo).records;
  context = await launchBrowser(dir);
  const read = await readBinder(context, story.audit.index);
  screen = read.screen;
  printed = (await pdfPages(read.pdf)).map((p) => p.text).join(' ');
}, 400_000);

afterAll(async () => {
  await context?.close();
  await story?.life.stop({ removeDir: true });
  killAll();
}, 60_000);

describe("the auditor's request list, answered from the demo's binder", { timeout: 60_000 }, () => {
  it('the binder covers the whole story, verifies, and every timestamp in it comes from the story clock', () => {
    expect(story.audit.export.code, story.audit.export.stderr).toBe(0);
    expect(story.audit.verify.code, story.audit.verify.stdout).toBe(0);
    expect(story.audit.verifyOnline.code, story.audit.verifyOnline.stdout).toBe(0);
    const binder = JSON.parse(readFileSync(join(out, 'binder.json'), 'utf8')) as { period: { from: string; to: string } };
    expect(binder.period).toMatchObject(story.period);
    // Every record of the ledger falls in the period, in the order the story told it.
    for (const r of records) {
      expect(r.occurred_at.slice(0, 10) >= story.period.from && r.occurred_at.slice(0, 10) <= story.period.to, `${r.key} ${r.occurred_at}`).toBe(true);
      expect(r.recorded_at >= r.occurred_at, `${r.key}: recorded ${r.recorded_at} before it occurred ${r.occurred_at}`).toBe(true);
    }
    const recorded = records.map((r) => r.recorded_at);
    expect(recorded).toEqual([...recorded].sort());
    // The first grant entered on day 1; nothing is dated on the real today.
    const today = new Date().toISOString().slice(0, 10);
    const times = [
      ...`${readFileSync(join(out, 'populations', 'grant-changes.csv'), 'utf8')}${readFileSync(join(out, 'populations', 'additions.csv'), 'utf8')}`.matchAll(
        /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/g,
      ),
    ].map((m) => m[0]);
    expect(times.length).toBeGreaterThan(10);
    for (const t of times) expect(t.slice(0, 10) >= story.period.from && t.slice(0, 10) <= story.period.to && t.slice(0, 10) !== today, t).toBe(true);
  });

  it('new access: who, what, requested when, approved by whom and when, merged, provisioned, for a new hire, a seeded privileged grant and a declared key', () => {
    const s = story.life.fake.state;
    const cases = [
      { identity: 'wzhang', system: 'prod-postgres', pr: story.grant.pr, approvers: 'sbrandt', provisioned: story.grant.provisioned },
      { identity: 'sbrandt', system: 'prod-postgres', pr: story.seeds[1]!.pr, approvers: 'jokafor, lmoreau', provisioned: story.seedProvisioned[1]! },
      { identity: 'cost-report-exporter', system: 'aws-prod', pr: story.declared.pr, approvers: 'nadia-r', provisioned: story.declared.provisioned },
    ];
    for (const c of cases) {
      const r = row('additions', { identity: c.identity, system: c.system });
      const { pull, issue } = s.pullOf(story.life.repo, c.pr);
      const counted = pull.reviews.filter((x) => c.approvers.split(', ').includes(x.user.login));
      expect(r, c.identity).toMatchObject({
        pr: String(c.pr),
        pr_author: issue.user.login,
        requested_at: issue.createdAt,
        approvers: c.approvers,
        approved_at: counted
          .map((x) => x.submittedAt)
          .sort()
          .at(-1),
        approval_on_merged_head: 'yes',
        approved_before_merge: 'yes',
        merged_at: pull.mergedAt,
        merged_by: pull.mergedBy!.login,
        commit: pull.mergeCommitSha,
        provisioned_at: (c.provisioned.subject as { completed_at: string }).completed_at,
        provisioning_conclusion: 'success',
        provisioning_run: (c.provisioned.subject as { run_url: string }).run_url,
        gaps: '',
      });
      expect(
        r.requested_at! < r.approved_at! && r.approved_at! < r.merged_at! && r.merged_at! < r.provisioned_at!,
        `${c.identity}: requested, approved, merged, provisioned in that order`,
      ).toBe(true);
      // The ledger record the row cites is the merge of that pull request.
      const gc = recordAt(r.ledger_seq!);
      expect([gc.kind, gc.hash, (gc.subject as { pr: { number: number; merged_at: string } }).pr]).toEqual([
        'grant-change',
        r.ledger_hash,
        expect.objectContaining({ number: c.pr, merged_at: r.merged_at }),
      ]);
      shown('additions', r, ['identity', 'system', 'requested_at', 'approvers', 'approved_at', 'merged_at', 'provisioned_at']);
    }
    // The approvals that did not count stay visible in the chain, in the gate's words.
    const chain = chains().find((c) => c.population === 'additions' && c.item.identity === 'wzhang')!;
    expect(chain.approvals.map((a) => [a.reviewer, a.counted, a.not_counted ?? null])).toEqual([
      ['anovak', false, 'not-eligible'],
      ['wzhang', false, 'grantee'],
      ['sbrandt', true, null],
    ]);
  });

  it('terminations: the leaver, when she left, when her access was removed and by which pull request, and how many days it took; the expired grant the same way', () => {
    const left = row('left-org', { login: 'eford' });
    expect(left).toMatchObject({
      left_at: story.leaver.record.occurred_at,
      source: 'member_removed',
      removed: '1',
      still_named: '0',
      ledger_seq: String(story.leaver.record.seq),
      gaps: '',
    });
    const removal = row('removals', { identity: 'eford' });
    const pull = story.life.fake.state.pullOf(story.life.repo, story.leaver.pr).pull;
    expect(removal).toMatchObject({
      system: 'prod-postgres',
      via: 'pull-request',
      pr: String(story.leaver.pr),
      removed_at: pull.mergedAt,
      left_org_login: 'eford',
      left_org_at: left.left_at,
      left_org_seq: left.ledger_seq,
      authorization_ended: left.left_at!.slice(0, 10),
      days_to_remove: '0',
      ledger_seq: String(story.leaver.merged.record.seq),
      gaps: '',
    });
    expect(removal.removed_at! > removal.left_org_at!).toBe(true);
    // The identity-left-org record the removal links to is the one the App wrote when GitHub said she left.
    expect(recordAt(removal.left_org_seq!)).toMatchObject({ kind: 'identity-left-org', key: story.leaver.record.key, hash: story.leaver.record.hash });
    shown('removals', removal, ['identity', 'pr', 'removed_at', 'left_org_at', 'days_to_remove']);
    shown('left-org', left, ['login', 'left_at']);
    const expired = row('removals', { identity: 'wzhang' });
    expect(expired).toMatchObject({
      expires: story.life.world.day(30),
      authorization_ended: story.life.world.day(31),
      removed_at: story.life.fake.state.pullOf(story.life.repo, story.revoked.pr).pull.mergedAt,
      days_to_remove: '0',
      pr: String(story.revoked.pr),
      left_org_login: '',
      gaps: '',
    });
  });

  it('reviews: the campaign, who certified each item, what was kept, changed or removed, dated the day it merged; and the seeded reviews the admins approved', () => {
    const campaign = story.review.merged.record;
    const subject = campaign.subject as { campaign: string; reviewed_on: string; pr: { number: number; merged_at: string } };
    const pull = story.life.fake.state.pullOf(story.life.repo, story.review.campaign.number).pull;
    expect(subject.pr.merged_at).toBe(pull.mergedAt);
    expect(subject.reviewed_on).toBe(pull.mergedAt!.slice(0, 10));
    expect(subject.reviewed_on).toBe(story.life.world.day(DAYS.review));
    const items = population('review-campaigns').rows.filter((r) => r.pr === story.review.campaign.number);
    expect(items.map((r) => [r.identity, r.role, r.outcome, r.reviewers])).toEqual([
      ['datadog-pg-monitor', 'pg_monitor', 'kept', 'sbrandt'],
      ['anovak', 'readonly', 'kept', 'jokafor, sbrandt'],
      ['sbrandt', 'dba', 'kept', 'jokafor'],
    ]);
    for (const i of items) {
      const r = row('review-campaigns', { identity: String(i.identity), pr: String(story.review.campaign.number) });
      expect(r).toMatchObject({
        campaign: subject.campaign,
        reviewed_on: subject.reviewed_on,
        merged_at: pull.mergedAt,
        ledger_seq: String(campaign.seq),
        ledger_hash: campaign.hash,
        gaps: '',
      });
      // Nobody certified their own access.
      expect(r.reviewers!.split(', ')).not.toContain(r.identity);
      shown('review-campaigns', r, ['identity', 'reviewers', 'outcome', 'reviewed_on']);
    }
    // The seeded grants arrived with a review block: certifications outside a campaign, approved by an admin.
    const outside = population('review-campaigns').rows.filter((r) => r.campaign === '(outside a campaign)');
    expect(outside.length).toBeGreaterThan(0);
    const admins = new Set(['mchen', 'nadia-r', 'okim']);
    for (const r of outside) {
      expect(r.gaps, String(r.identity)).toBeNull();
      expect(
        String(r.reviewers)
          .split(', ')
          .filter((x) => admins.has(x)).length,
        String(r.identity),
      ).toBeGreaterThan(0);
      expect(String(r.reviewers).split(', '), String(r.identity)).not.toContain(r.identity);
    }
  });

  it('privileged access: who holds it, until when, by which path, and the record of its approval', () => {
    const privileged = csv('privileged');
    expect(privileged.map((r) => [r.identity, r.system, r.role]).sort()).toEqual([
      ['aws-root-breakglass', 'aws-prod', 'root'],
      ['rpatel', 'jira', 'site-admin'],
      ['sbrandt', 'prod-postgres', 'dba'],
    ]);
    for (const p of privileged) {
      const r = row('privileged', { identity: p.identity!, system: p.system! });
      expect(r.gaps, r.identity).toBe('');
      const gc = recordAt(r.approval_seq!);
      expect(gc.hash).toBe(r.approval_hash);
      const s = gc.subject as { pr: { number: number }; changes: { path: string }[]; reviews: { reviewer: string; not_counted: string | null }[] };
      expect(s.pr.number).toBe(Number(r.approval_pr));
      expect(s.changes.map((c) => c.path)).toContain(r.path);
      // Two approvers counted, neither the holder.
      const counted = s.reviews.filter((x) => x.not_counted === null).map((x) => x.reviewer);
      expect(counted.length, r.identity).toBeGreaterThanOrEqual(2);
      expect(counted).not.toContain(r.identity);
      shown('privileged', r, ['identity', 'system', 'expires', 'access_path', 'approval_pr']);
    }
    expect(row('privileged', { identity: 'sbrandt' })).toMatchObject({
      access_path: 'JIT (max 4 h, approved by @acme/data, jokafor)',
      expires: story.life.world.day(75),
    });
  });

  it('non-human credentials: owner, credential type, rotation and storage', () => {
    const nonHuman = csv('non-human');
    expect(nonHuman.map((r) => r.identity).sort()).toEqual(['aws-root-breakglass', 'cost-report-exporter', 'datadog-pg-monitor']);
    const asOf = new Date(`${story.period.to}T00:00:00Z`).getTime();
    for (const n of nonHuman) {
      const r = row('non-human', { identity: n.identity! });
      expect(r.gaps, r.identity).toBe('');
      expect(Number(r.rotation_age_days)).toBe(Math.round((asOf - new Date(`${r.last_rotated}T00:00:00Z`).getTime()) / 86_400_000));
      expect(Number(r.rotation_age_days)).toBeLessThanOrEqual(Number(r.rotation_days));
      shown('non-human', r, ['identity', 'owner', 'credential_type', 'last_rotated', 'storage']);
    }
    expect(row('non-human', { identity: 'cost-report-exporter' })).toMatchObject({
      owner: 'jokafor',
      credential_type: 'static-secret',
      rotation_days: '90',
      last_rotated: story.life.world.day(DAYS.listings - 30),
      storage: 'vault:kv/finops/cost-report-exporter',
    });
    expect(row('non-human', { identity: 'datadog-pg-monitor' })).toMatchObject({
      owner: 'jokafor',
      credential_type: 'static-secret',
      storage: 'vault:kv/observability/datadog-pg-monitor',
    });
  });

  it("the mover: old and new team, the access kept, and the kept systems' approvers who approved it again", () => {
    const r = row('movers', { identity: 'anovak' });
    expect(r).toMatchObject({
      old_team: 'payments',
      new_team: 'data',
      kept: 'jira:user; prod-postgres:readonly',
      approvers: 'dkaur, sbrandt',
      gate: 'pass',
      pr: String(story.mover.pr),
      merged_at: story.life.fake.state.pullOf(story.life.repo, story.mover.pr).pull.mergedAt,
      gaps: '',
    });
    shown('movers', r, ['identity', 'old_team', 'new_team', 'approvers']);
  });

  it('gaps: only the three the story plants, each listed once in the gaps population, as its row says, on screen and in print', () => {
    const gaps = csv('gaps');
    expect(gaps.map((g) => [g.population, g.system, g.kind])).toEqual([
      ['completeness', 'github', 'listing-not-compared'],
      ['completeness', 'jira', 'no-listing'],
      ['completeness', 'prod-postgres', 'no-listing'],
    ]);
    // Every gap of every row of every population is one row of the gaps population, pointing back at its row.
    const binder = JSON.parse(readFileSync(join(out, 'binder.json'), 'utf8')) as { populations: { id: string }[] };
    const expected: string[] = [];
    for (const { id } of binder.populations) {
      if (id === 'gaps') continue;
      csv(id).forEach((r, i) => {
        for (const g of r.gaps ? r.gaps.split('; ') : []) expected.push(`${id} #${i + 1}: ${g}`);
      });
    }
    expect(gaps.map((g) => `${g.population} #${g.row}: ${g.gap}`)).toEqual(expected);
    expect(new Set(expected).size).toBe(expected.length);
    for (const g of gaps) {
      expect(section(screen, 'gaps')).toContain(g.gap);
      expect(section(printed, 'gaps').replace(/\s+/g, '')).toContain(g.gap!.replace(/\s+/g, ''));
    }
    // The chains show exactly their rows' gaps, once each.
    for (const c of chains()) expect(c.gaps, `${c.population} #${c.row}`).toEqual([...new Set(c.gaps)]);
    const summary = readFileSync(join(out, 'summary.md'), 'utf8');
    expect(summary).toMatch(/\| Gaps: every exception of the period \| 3 \|/);
  });

  it('every sampled chain agrees with the ledger records it cites: the same record, pull request, approvers and times', () => {
    const all = chains();
    expect(all.length).toBeGreaterThan(20);
    let grantChanges = 0;
    for (const c of all) {
      for (const cited of c.ledger) {
        const r = recordAt(cited.seq);
        expect([r.kind, r.key, r.hash], `${c.population} #${c.row} cites seq ${cited.seq}`).toEqual([cited.kind, cited.key, cited.hash]);
        if (cited.role !== 'approval (grant-change)' || !c.request) continue;
        grantChanges++;
        const s = r.subject as {
          pr: { number: number; created_at: string; merged_at: string; merged_by: string; author: string };
          reviews: { reviewer: string; submitted_at: string }[];
          verdict: { approvals: { system: string; approved_by: string[] }[] };
        };
        expect(c.request).toMatchObject({ pr: s.pr.number, opened_at: s.pr.created_at, author: s.pr.author });
        expect(c.merge).toMatchObject({ at: s.pr.merged_at, by: s.pr.merged_by });
        // The same reviews at the same times; counted for the item's system exactly when the merge-time verdict counted them for it.
        // (A chain of a whole file, with no system, counts an approval counted for any system.)
        const counted = new Set(s.verdict.approvals.filter((a) => !c.item.system || a.system === c.item.system).flatMap((a) => a.approved_by));
        expect(
          c.approvals.map((a) => [a.reviewer, a.at, a.counted]),
          `${c.population} #${c.row}`,
        ).toEqual(s.reviews.map((x) => [x.reviewer, x.submitted_at, counted.has(x.reviewer)]));
      }
    }
    expect(grantChanges).toBeGreaterThan(5);
  });
});

interface Chain {
  population: string;
  row: number;
  item: { identity?: string | null; system?: string | null };
  request?: { pr: number; opened_at: string; author: string };
  approvals: { reviewer: string; at: string; counted: boolean; not_counted?: string }[];
  merge?: { at: string; by: string };
  ledger: { role: string; seq: number; hash: string; kind: string; key: string }[];
  gaps: string[];
}

function chains(): Chain[] {
  return (JSON.parse(readFileSync(join(out, 'chains.json'), 'utf8')) as { chains: Chain[] }).chains;
}
