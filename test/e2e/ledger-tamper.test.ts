/**
 * Attacks on the evidence ledger by someone with push access to the access repo, driven through
 * the real processes: the App's HTTP server on the fake GitHub, and `access-ledger verify` offline
 * and `--online` on clones. Each attack must be caught, naming the commit or record and why; the
 * untampered ledger must still pass.
 *
 * - A record written ahead of the merge (by a person, or impersonating the App's bot): the App
 *   does not adopt it, records the merge under another key with an anomaly record, opens an issue,
 *   and never anchors the forged hash.
 * - A comment by another account carrying the App's markers: never adopted by the App, ignored by
 *   verify --online.
 * - A record appended by a person (any name, dates in 2020), or impersonating the bot.
 * - The whole branch rewritten with every hash recomputed, with the App's comments left, edited to
 *   the new hashes, or deleted.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMENT_MARKER } from '../../src/core/records/comment.ts';
import {
  formatRecordMarker,
  grantChangeKey,
  hashRecord,
  recordPath,
  sealRecord,
  serializeHead,
  emptyHead,
  headFor,
  parseHead,
  type LedgerHead,
  serializeRecord,
  toTimestamp,
  type SealedRecord,
} from '../../src/core/ledger/index.ts';
import { Lifecycle } from '../support/e2e/lifecycle.ts';
import { botComments, cloneFromFake, issues, killAll, readLedger, recordsOf, runCli, tail, waitFor } from '../support/e2e/index.ts';
import { grantChangeSubject } from '../ledger/fixtures.ts';

const BOT = { name: 'access-ledger[bot]', email: '4243+access-ledger[bot]@users.noreply.github.com' };
const GITHUB = { name: 'GitHub', email: 'noreply@github.com' };
const MALLORY = { name: 'Mallory', email: 'mallory@acme.example' };

function git(dir: string, args: string[], env: NodeJS.ProcessEnv = {}, input?: string): string {
  return execFileSync('git', ['-C', dir, ...args], {
    encoding: 'utf8',
    input,
    env: { ...process.env, LC_ALL: 'C', GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  }).trim();
}

let indexes = 0;

/** A commit of `files` on top of `parent` (its tree kept), with any author, committer and date a pusher likes. */
function commitOnto(
  dir: string,
  parent: string | null,
  files: Record<string, string>,
  who: { author: typeof BOT; committer: typeof BOT; date: string },
  message: string,
): string {
  const env = { GIT_INDEX_FILE: join(dir, '.git', `tamper-index-${++indexes}`) };
  git(dir, parent ? ['read-tree', parent] : ['read-tree', '--empty'], env);
  for (const [path, content] of Object.entries(files)) {
    const blob = git(dir, ['hash-object', '-w', '--stdin'], {}, content);
    git(dir, ['update-index', '--add', '--cacheinfo', `100644,${blob},${path}`], env);
  }
  const tree = git(dir, ['write-tree'], env);
  return git(dir, ['commit-tree', tree, ...(parent ? ['-p', parent] : []), '-m', message], {
    GIT_AUTHOR_NAME: who.author.name,
    GIT_AUTHOR_EMAIL: who.author.email,
    GIT_AUTHOR_DATE: who.date,
    GIT_COMMITTER_NAME: who.committer.name,
    GIT_COMMITTER_EMAIL: who.committer.email,
    GIT_COMMITTER_DATE: who.date,
  });
}

/** The records at the tip of a clone's ledger branch, in seq order. */
/** head.json at the ledger's tip: a forger continues it, as the App would. */
function tipHead(dir: string, ref = 'origin/access-ledger'): LedgerHead {
  return parseHead(git(dir, ['show', `${ref}:head.json`]));
}

function tipRecords(dir: string, ref = 'origin/access-ledger'): SealedRecord[] {
  return git(dir, ['ls-tree', '-r', '--name-only', ref, 'records'])
    .split('\n')
    .filter(Boolean)
    .map((p) => JSON.parse(git(dir, ['show', `${ref}:${p}`])) as SealedRecord)
    .sort((a, b) => a.seq - b.seq);
}

/** A grant-change record for `pr`, chained after `prev`, that someone forges: verdict pass, approvers invented. */
function forgedGrantChange(repo: string, pr: number, occurredAt: string, prev: { seq: number; hash: string | null }): SealedRecord {
  const subject = grantChangeSubject(pr, occurredAt);
  subject.pr.url = `https://github.com/${repo}/pull/${pr}`;
  subject.verdict.approvals = [{ system: 'prod-postgres', required: 1, approved_by: ['jokafor'], missing: 0 }];
  subject.reviews = [{ reviewer: 'jokafor', state: 'APPROVED', submitted_at: occurredAt, commit_id: 'b'.repeat(40), on_head: true }];
  return sealRecord(
    { kind: 'grant-change', key: grantChangeKey(pr), occurred_at: occurredAt, repository: repo, controls: ['SOC2:CC6.2'], subject },
    prev,
    occurredAt,
  );
}

async function verify(clone: string, life: Lifecycle, online: boolean, extra: string[] = []) {
  const args = ['verify', '--repo', clone, ...(online ? ['--online', '--api-url', life.fake.url] : []), ...extra];
  const r = await runCli(args, { env: { GITHUB_TOKEN: life.token } });
  return { code: r.code, out: r.stdout + r.stderr };
}

describe('tampering with the ledger of a working App', { timeout: 240_000 }, () => {
  let life: Lifecycle;
  let clones = 0;
  const freshClone = (): string => {
    const dir = join(life.dir, `clone-${++clones}`);
    cloneFromFake(life.fake, life.repo, dir);
    // verify reads a local branch of the name first: tampering happens there.
    git(dir, ['branch', '-q', 'access-ledger', 'origin/access-ledger']);
    return dir;
  };
  let first: number;
  let second: number;

  beforeAll(async () => {
    life = await Lifecycle.start();
    const a = await life.openGrantPr('wzhang', { by: 'rpatel' });
    await life.approve(a.pr, 'jokafor');
    first = (await life.mergeAndRecord(a.pr, 'jokafor')).pr;
    // Before the second merge, another App's bot posts a comment carrying the App's markers.
    const b = await life.openGrantPr('nadia-r', { by: 'rpatel' });
    second = b.pr;
    life.fake.state.addComment(life.repo, second, {
      user: 'github-actions[bot]',
      body: `${COMMENT_MARKER}\n${formatRecordMarker({ key: grantChangeKey(second), seq: 2, hash: 'f'.repeat(64) })}\n`,
    });
    await life.approve(second, 'jokafor');
    await life.mergeAndRecord(second, 'jokafor');
  }, 120_000);

  afterAll(async () => {
    await life?.stop({ removeDir: true });
    killAll();
  }, 60_000);

  it("the App posts its own comment beside another account's comment with its markers, and anchors the true hash", () => {
    const record = recordsOf(readLedger(life.fake, life.repo), 'grant-change', second)[0]!;
    const mine = botComments(life.fake, life.repo, second);
    expect(mine).toHaveLength(1);
    expect(mine[0]!.body).toContain(record.hash);
    const theirs = life.fake.state.issue(life.repo, second).comments.find((c) => c.user.login === 'github-actions[bot]')!;
    expect(theirs.body).toContain('f'.repeat(64));
    expect(theirs.body).not.toContain(record.hash);
  });

  it("the untampered ledger passes offline and online; the other account's comment is ignored, not trusted", async () => {
    const clone = freshClone();
    const offline = await verify(clone, life, false);
    expect(offline.code, offline.out).toBe(0);
    expect(offline.out).toMatch(/commits checked against the App access-ledger\[bot\]/);
    expect(offline.out).toMatch(/signatures: 2 records signed \(2 by key [0-9a-f]{16}\)/);
    const online = await verify(clone, life, true);
    expect(online.code, online.out).toBe(0);
    expect(online.out).toMatch(/2\/2 anchors match; 1 comment with markers by other accounts ignored/);
    expect(online.out).toMatch(/a comment by github-actions\[bot\] .* carries record markers but is not the App's/);
  });

  it('a record appended by a person, chained correctly but dated 2020, fails at its commit and seq, offline and online', async () => {
    const clone = freshClone();
    const records = tipRecords(clone);
    const last = records[records.length - 1]!;
    const forged = forgedGrantChange(life.repo, 99, '2020-03-01T09:00:00Z', { seq: last.seq, hash: last.hash });
    const sha = commitOnto(
      clone,
      'access-ledger',
      { [recordPath(forged)]: serializeRecord(forged), 'head.json': serializeHead(headFor(forged, tipHead(clone))) },
      { author: MALLORY, committer: MALLORY, date: '2020-03-01T09:00:00Z' },
      `Record seq ${forged.seq}: pr-99-merged`,
    );
    git(clone, ['update-ref', 'refs/heads/access-ledger', sha]);
    for (const online of [false, true]) {
      const r = await verify(clone, life, online);
      expect(r.code, r.out).toBe(1);
      expect(r.out).toMatch(new RegExp(`BROKEN at seq ${forged.seq}: `));
      expect(r.out).toContain(
        `commit ${sha.slice(0, 12)} is authored by Mallory <mallory@acme.example> and is committed by Mallory <mallory@acme.example>, not by the App (access-ledger[bot])`,
      );
      expect(r.out).toMatch(new RegExp(`seq ${forged.seq} \\[signature\\] ${recordPath(forged).replace(/\//g, '\\/')}: is not signed, but seq 1 before it is`));
      expect(r.out).toMatch(
        new RegExp(
          `commit ${sha.slice(0, 12)} was authored 2020-03-01T09:00:00Z and committed 2020-03-01T09:00:00Z, before the commit [0-9a-f]{12} it follows`,
        ),
      );
    }
  });

  it("a record appended as the App's bot (name, e-mail and GitHub as committer) still fails: it carries no signature", async () => {
    const clone = freshClone();
    const records = tipRecords(clone);
    const last = records[records.length - 1]!;
    const now = toTimestamp(new Date());
    const forged = forgedGrantChange(life.repo, 98, now, { seq: last.seq, hash: last.hash });
    const sha = commitOnto(
      clone,
      'access-ledger',
      { [recordPath(forged)]: serializeRecord(forged), 'head.json': serializeHead(headFor(forged, tipHead(clone))) },
      { author: BOT, committer: GITHUB, date: now },
      `Record seq ${forged.seq}: pr-98-merged`,
    );
    git(clone, ['update-ref', 'refs/heads/access-ledger', sha]);
    const r = await verify(clone, life, false);
    expect(r.code, r.out).toBe(1);
    expect(r.out).toMatch(new RegExp(`BROKEN at seq ${forged.seq}: is not signed, but seq 1 before it is`));
    // The commit itself looks like the App's to plain git: only the signature tells.
    expect(r.out).not.toContain('[authorship]');
  });

  describe('the whole branch rewritten with every hash recomputed', () => {
    let clone: string;
    let originals: SealedRecord[];
    let rewritten: SealedRecord[];

    beforeAll(() => {
      clone = freshClone();
      originals = tipRecords(clone);
      // The first grant is said to have been approved by someone else; every later record is re-chained.
      // The commits keep the App's name, GitHub as committer and the original dates: plain git sees no difference.
      const shas = git(clone, ['rev-list', '--reverse', '--first-parent', 'origin/access-ledger']).split('\n');
      rewritten = [];
      let prev: SealedRecord | null = null;
      for (const r of originals) {
        const subject = structuredClone(r.subject) as { verdict: { approvals: { approved_by: string[] }[] } };
        if (r.seq === 1) subject.verdict.approvals[0]!.approved_by = ['mallory'];
        const next = { ...r, subject, prev_hash: prev ? prev.hash : null } as SealedRecord;
        const resealed = { ...next, hash: hashRecord(next) };
        rewritten.push(resealed);
        prev = resealed;
      }
      let parent: string | null = null;
      let head = emptyHead();
      for (const sha of shas) {
        const added = git(clone, ['diff-tree', '--no-commit-id', '--name-only', '-r', '--root', sha])
          .split('\n')
          .filter((p) => p.startsWith('records/'));
        const files: Record<string, string> = parent ? {} : { 'README.md': git(clone, ['show', `${sha}:README.md`]) };
        for (const path of added) files[path] = serializeRecord(rewritten.find((r) => recordPath(r) === path)!);
        const newest = rewritten.filter((r) => added.includes(recordPath(r))).at(-1);
        if (newest) head = headFor(newest, head);
        files['head.json'] = newest ? serializeHead(head) : git(clone, ['show', `${sha}:head.json`]) + '\n';
        const date = git(clone, ['log', '-1', '--format=%cI', sha]);
        parent = commitOnto(clone, parent, files, { author: BOT, committer: GITHUB, date }, git(clone, ['log', '-1', '--format=%B', sha]));
      }
      git(clone, ['update-ref', 'refs/heads/access-ledger', parent!]);
    });

    it('fails offline: the signatures no longer verify', async () => {
      const r = await verify(clone, life, false);
      expect(r.code, r.out).toBe(1);
      expect(r.out).toMatch(/BROKEN at seq 1: the signature by key [0-9a-f]{16} does not verify: the record was changed after it was signed/);
      expect(r.out).toMatch(/seq 2 \[signature\] .*does not verify/);
      expect(r.out).not.toContain('[authorship]');
    });

    it("fails online too: the App's comments anchor the original hashes", async () => {
      const r = await verify(clone, life, true);
      expect(r.code, r.out).toBe(1);
      expect(r.out).toMatch(
        new RegExp(
          `seq 1 \\[online\\] .*the ledger's ${grantChangeKey(first)} is seq 1 with hash ${rewritten[0]!.hash}, but the comment by access-ledger\\[bot\\] on ${life.repo.replace('/', '\\/')}#${first} .*anchored seq 1 with hash ${originals[0]!.hash}`,
        ),
      );
    });

    it("still fails when the App's comments are edited to the new hashes, and when they are deleted", async () => {
      const comments = [first, second].flatMap((pr) => life.fake.state.issue(life.repo, pr).comments.filter((c) => c.user.login === 'access-ledger[bot]'));
      const saved = comments.map((c) => c.body);
      try {
        for (const c of comments) for (let i = 0; i < originals.length; i++) c.body = c.body.replaceAll(originals[i]!.hash, rewritten[i]!.hash);
        const edited = await verify(clone, life, true);
        expect(edited.code, edited.out).toBe(1);
        expect(edited.out).toMatch(/2\/2 anchors match/);
        expect(edited.out).toMatch(/BROKEN at seq 1: the signature by key [0-9a-f]{16} does not verify/);

        const repo = life.fake.state.repo(life.repo);
        for (const c of comments) life.fake.state.deleteComment(repo, c.id);
        const deleted = await verify(clone, life, true);
        expect(deleted.code, deleted.out).toBe(1);
        expect(deleted.out).toMatch(/BROKEN at seq 1: the signature by key/);
        expect(deleted.out).toMatch(
          new RegExp(
            `seq 1 \\[online\\] .*no comment by access-ledger\\[bot\\] on ${life.repo.replace('/', '\\/')}#${first} anchors ${grantChangeKey(first)} \\(seq 1\\)`,
          ),
        );
      } finally {
        comments.forEach((c, i) => {
          c.body = saved[i]!;
        });
        for (const pr of [first, second]) {
          const issue = life.fake.state.issue(life.repo, pr);
          for (const c of comments) if (c.issueNumber === pr && !issue.comments.includes(c)) issue.comments.push(c);
        }
      }
    });
  });

  it('an intact ledger whose App comment was deleted or edited fails online, naming the record', async () => {
    const clone = freshClone();
    const comment = life.fake.state.issue(life.repo, first).comments.find((c) => c.user.login === 'access-ledger[bot]')!;
    const record = recordsOf(readLedger(life.fake, life.repo), 'grant-change', first)[0]!;
    const saved = comment.body;
    try {
      comment.body = saved.replace(record.hash, 'e'.repeat(64));
      const edited = await verify(clone, life, true);
      expect(edited.code, edited.out).toBe(1);
      expect(edited.out).toMatch(
        new RegExp(
          `BROKEN at seq 1: the ledger's ${grantChangeKey(first)} is seq 1 with hash ${record.hash}, but the comment by access-ledger\\[bot\\].* anchored seq 1 with hash e{64}`,
        ),
      );

      const issue = life.fake.state.issue(life.repo, first);
      issue.comments.splice(issue.comments.indexOf(comment), 1);
      const deleted = await verify(clone, life, true);
      expect(deleted.code, deleted.out).toBe(1);
      expect(deleted.out).toMatch(
        new RegExp(`BROKEN at seq 1: no comment by access-ledger\\[bot\\] on ${life.repo.replace('/', '\\/')}#${first} anchors ${grantChangeKey(first)}`),
      );
      // Offline, nothing on the branch changed: it passes, as it should.
      expect((await verify(clone, life, false)).code).toBe(0);
    } finally {
      comment.body = saved;
      const issue = life.fake.state.issue(life.repo, first);
      if (!issue.comments.includes(comment)) issue.comments.unshift(comment);
    }
  });
});

describe('a record written ahead of the merge', { timeout: 240_000 }, () => {
  let life: Lifecycle;
  let pr: number;
  let forgedSha: string;
  let forged: SealedRecord;

  /** Pushes a correctly chained record for `number` to the ledger branch, as `who`. */
  function prewrite(number: number, who: { author: typeof BOT | string; committer?: typeof BOT }): { sha: string; record: SealedRecord } {
    const view = readLedger(life.fake, life.repo);
    const last = view.records.at(-1)!;
    const now = toTimestamp(new Date());
    const record = forgedGrantChange(life.repo, number, now, { seq: last.seq, hash: last.hash });
    const sha = life.fake.state.commitFiles(
      life.repo,
      'access-ledger',
      {
        [recordPath(record)]: serializeRecord(record),
        'head.json': serializeHead(headFor(record, parseHead(life.fake.state.ledger(life.repo, 'access-ledger')!['head.json']!))),
      },
      {
        author: typeof who.author === 'string' ? who.author : { ...who.author, date: now },
        ...(who.committer ? { committer: { ...who.committer, date: now } } : {}),
        message: `Record seq ${record.seq}: ${record.key}`,
      },
    );
    return { sha, record };
  }

  async function mergeUnapproved(number: number): Promise<SealedRecord<'anomaly'>> {
    life.fake.state.mergePull(life.repo, number, { by: 'mchen' });
    const delivery = await life.fake.deliver('pull_request', life.fake.payloads.pullRequest('closed', life.repo, number), {
      url: life.app.webhookUrl,
      secret: life.app.secret,
    });
    expect(delivery.status, delivery.response).toBeLessThan(400);
    return (await waitFor(() => recordsOf(readLedger(life.fake, life.repo), 'anomaly', number)[0], {
      what: `the anomaly record of #${number}`,
      timeoutMs: 60_000,
      detail: () => tail(life.app.log),
    })) as SealedRecord<'anomaly'>;
  }

  beforeAll(async () => {
    life = await Lifecycle.start();
    // A first merge, so the ledger branch exists and is the App's.
    const a = await life.openGrantPr('wzhang', { by: 'rpatel' });
    await life.approve(a.pr, 'jokafor');
    await life.mergeAndRecord(a.pr, 'jokafor');
    // Then an unapproved grant, and someone with push access writes its "approved" record first.
    pr = (await life.openGrantPr('nadia-r', { by: 'nadia-r', title: 'Grant nadia-r read on prod-postgres' })).pr;
    ({ sha: forgedSha, record: forged } = prewrite(pr, { author: 'mallory' }));
  }, 120_000);

  afterAll(async () => {
    await life?.stop({ removeDir: true });
    killAll();
  }, 60_000);

  it('the App does not adopt it: it records the merge as it was (refused by the policy) under another key, with an anomaly record and an issue', async () => {
    const anomaly = await mergeUnapproved(pr);
    const view = readLedger(life.fake, life.repo);
    const mine = recordsOf(view, 'grant-change', pr).filter((r) => r.hash !== forged.hash);
    expect(mine.map((r) => r.key)).toEqual([`pr-${pr}-merged-2`]);
    expect((mine[0]!.subject as { verdict: { result: string } }).verdict.result).toBe('fail');
    const unapproved = recordsOf(view, 'unapproved-merge', pr);
    expect(unapproved.map((r) => [r.key, (r.subject as { grant_change_key: string }).grant_change_key])).toEqual([
      [`pr-${pr}-unapproved-2`, `pr-${pr}-merged-2`],
    ]);
    expect(anomaly.subject).toMatchObject({
      type: 'foreign-record',
      found: { path: recordPath(forged), key: forged.key, kind: 'grant-change', seq: forged.seq, hash: forged.hash, signed_by: null },
      commit: { sha: forgedSha, author: { login: 'mallory' }, verified: false },
      recorded_as: `pr-${pr}-merged-2`,
      pr: { number: pr },
    });
    expect(anomaly.subject.reason).toMatch(/is authored by mallory .* not by the App \(access-ledger\[bot\]\)/);
    expect(anomaly.signature?.key_id).toMatch(/^[0-9a-f]{16}$/);
    const tampering = await waitFor(() => issues(life.fake, life.repo).find((i) => i.labels.includes('ledger-tampering')), {
      what: 'the tampering issue',
      timeoutMs: 30_000,
    });
    expect(tampering.body).toContain(recordPath(forged));
    expect(tampering.body).toContain(forgedSha);
    expect(tampering.body).toMatch(/@acme\/security/);
    // The unapproved merge is still reported as such.
    expect(issues(life.fake, life.repo).some((i) => i.labels.includes('unapproved-merge') && (i.body ?? '').includes(`#${pr}`))).toBe(true);
  });

  it("the forged hash is never anchored in the App's comment; the App's own records are", async () => {
    const view = readLedger(life.fake, life.repo);
    const comment = await waitFor(() => botComments(life.fake, life.repo, pr).find((c) => c.body.includes(`pr-${pr}-merged-2`))?.body, {
      what: "the App's comment",
      timeoutMs: 30_000,
    });
    expect(comment).not.toContain(forged.hash);
    for (const r of view.records.filter((x) => x.hash !== forged.hash && (x.subject as { pr?: { number?: number } }).pr?.number === pr))
      expect(comment).toContain(r.hash);
  });

  it('a redelivery of the merge writes nothing new and opens no second issue', async () => {
    const before = readLedger(life.fake, life.repo).records.length;
    const issuesBefore = issues(life.fake, life.repo).length;
    const last = life.fake.deliveries.filter((d) => d.event === 'pull_request').at(-1)!;
    const handled = () => life.app.log.split('\n').filter((l) => l.includes(`PR #${pr} is already recorded`)).length;
    const again = await life.fake.redeliver(last, { url: life.app.webhookUrl, secret: life.app.secret });
    expect(again.status).toBeLessThan(400);
    await waitFor(() => handled() === 1, { what: 'the redelivery to be handled', timeoutMs: 30_000, detail: () => tail(life.app.log) });
    expect(readLedger(life.fake, life.repo).records).toHaveLength(before);
    expect(issues(life.fake, life.repo)).toHaveLength(issuesBefore);
  });

  it('verify fails offline and online (with --app-login), naming the forged commit and record', async () => {
    const clone = join(life.dir, 'clone-prewritten');
    cloneFromFake(life.fake, life.repo, clone);
    for (const online of [false, true]) {
      const r = await verify(clone, life, online, ['--app-login', 'access-ledger[bot]']);
      expect(r.code, r.out).toBe(1);
      expect(r.out).toMatch(new RegExp(`BROKEN at seq ${forged.seq}: `));
      expect(r.out).toContain(`commit ${forgedSha.slice(0, 12)} is authored by mallory`);
      expect(r.out).toMatch(new RegExp(`seq ${forged.seq} \\[signature\\] ${recordPath(forged).replace(/\//g, '\\/')}: is not signed, but seq 1 before it is`));
    }
  });

  it("a record pre-written under the App's own name and with GitHub as committer is caught too: GitHub does not report it verified", async () => {
    const next = (await life.openGrantPr('eford', { by: 'eford', title: 'Grant eford more access' })).pr;
    // The bot's real name and e-mail, so GitHub even links the commit to the App's account.
    const { sha, record } = prewrite(next, { author: { name: 'access-ledger[bot]', email: life.fake.state.app.bot.email }, committer: GITHUB });
    const anomaly = await mergeUnapproved(next);
    expect(anomaly.subject.found.hash).toBe(record.hash);
    expect(anomaly.subject.commit).toMatchObject({
      sha,
      author: { name: 'access-ledger[bot]', login: 'access-ledger[bot]' },
      committer: { name: 'GitHub', login: 'web-flow' },
      verified: false,
    });
    expect(anomaly.subject.reason).toMatch(/not verified by GitHub \(unsigned\)/);
    expect(recordsOf(readLedger(life.fake, life.repo), 'grant-change', next).map((r) => r.key)).toContain(`pr-${next}-merged-2`);
  });
});

describe('verify names the fix when the App is not named', () => {
  it('fails, saying to set ledger.app_login or pass --app-login', async () => {
    const life = await Lifecycle.start();
    try {
      const a = await life.openGrantPr('wzhang', { by: 'rpatel' });
      await life.approve(a.pr, 'jokafor');
      await life.mergeAndRecord(a.pr, 'jokafor');
      const clone = join(life.dir, 'clone-unnamed');
      cloneFromFake(life.fake, life.repo, clone);
      const config = git(clone, ['show', 'HEAD:access-ledger.yaml']).replace(/^\s+app_login:.*\n/m, '');
      writeFileSync(join(clone, 'access-ledger.yaml'), `${config}\n`);
      git(clone, ['commit', '-qam', 'forget the App'], { GIT_AUTHOR_NAME: 'x', GIT_AUTHOR_EMAIL: 'x@x', GIT_COMMITTER_NAME: 'x', GIT_COMMITTER_EMAIL: 'x@x' });
      const r = await verify(clone, life, false);
      expect(r.code, r.out).toBe(1);
      expect(r.out).toMatch(
        /no App login to check the ledger commits against, so anyone could have written them: set ledger\.app_login in access-ledger\.yaml .* or pass --app-login/,
      );
      const named = await verify(clone, life, false, ['--app-login', 'access-ledger[bot]']);
      expect(named.code, named.out).toBe(0);
    } finally {
      await life.stop({ removeDir: true });
    }
  }, 120_000);
});
