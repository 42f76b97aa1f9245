/**
 * A synthetic access repo for the export benchmark, written with `git fast-import` (seconds, not
 * the minutes 100,000 `git commit`s would take): N commits on main, each a merged pull request
 * adding one grant file (every 100th also edits an older grant, every 200th also removes one), and
 * an access-ledger branch with one grant-change record per merge, sealed and signed by the ledger
 * core with a fixed key and appended one record per commit by the App's bot (the App commits
 * about once per merge), the config naming the App and listing the key, as the App writes it. Deterministic, cached under .bench/.
 */
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DEFAULT_CONTROLS,
  emptyHead,
  grantChangeKey,
  planAppend,
  recordPath,
  serializeHead,
  serializeRecord,
  type GrantChangeSubject,
  type RecordDraft,
} from '../src/core/ledger/index.ts';
import { grantYaml, systemYaml } from './synthetic-repo.ts';
import { APP_LOGIN, testSigner, withLedgerTrust } from '../test/support/ledger-keys.ts';

const SIGNER = testSigner();
const BOT = `${APP_LOGIN} <4243+${APP_LOGIN}@users.noreply.github.com>`;

export const START = Date.UTC(2025, 11, 1); // 2025-12-01
export const STEP_S = 300; // one merge every five minutes: 100,000 merges span about 347 days
const REPOSITORY = 'acme/access';

const grantPath = (i: number): string => `grants/team-${Math.floor(i / 1000)}/id-${i}.yaml`;

function fastImport(dir: string, produce: (write: (chunk: string) => Promise<void>) => Promise<void>): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', ['-C', dir, 'fast-import', '--quiet', '--done'], { stdio: ['pipe', 'inherit', 'inherit'] });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`git fast-import exited ${code}`))));
    const write = (chunk: string): Promise<void> => (child.stdin.write(chunk) ? Promise.resolve() : new Promise((r) => child.stdin.once('drain', () => r())));
    produce(write).then(
      () => child.stdin.end('done\n'),
      (err) => {
        child.kill();
        reject(err);
      },
    );
  });
}

const blob = (content: string): string => `data ${Buffer.byteLength(content)}\n${content}\n`;

export async function ensureExportRepo(root: string, n: number): Promise<string> {
  // v3: one record per commit, signed and committed by the App's bot (older layouts are not reused).
  const dir = join(root, `export-v4-${n}`);
  if (existsSync(join(dir, '.complete'))) return dir;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  execFileSync('git', ['-C', dir, 'init', '-q', '-b', 'main']);

  // main: the access repo's history.
  await fastImport(dir, async (write) => {
    let files =
      'M 100644 inline access-ledger.yaml\n' +
      blob(withLedgerTrust('version: 1\norganization: acme\nextends: soc2-baseline\nadmins: ["@acme/security"]\n', [SIGNER]));
    for (let s = 0; s < 20; s++) files += `M 100644 inline systems/sys-${s}.yaml\n` + blob(systemYaml(s));
    await write(`commit refs/heads/main\nmark :1\ncommitter Bench <bench@acme.example> ${START / 1000 - 86400} +0000\n${blob('Initial access repo')}${files}`);
    for (let i = 0; i < n; i++) {
      const t = START / 1000 + (i + 1) * STEP_S;
      let ops = `M 100644 inline ${grantPath(i)}\n${blob(grantYaml(i))}`;
      if (i % 100 === 0 && i >= 50)
        ops += `M 100644 inline ${grantPath(i - 50)}\n${blob(
          grantYaml(i - 50)
            .replace(/expires: (\d{4})/g, (_, y: string) => `expires: ${Number(y) + 1}`)
            .replace('Synthetic identity', 'Synthetic identity (edited)'),
        )}`;
      if (i % 200 === 0 && i >= 100) ops += `D ${grantPath(i - 100)}\n`;
      await write(
        `commit refs/heads/main\nmark :${i + 2}\ncommitter Bench <bench@acme.example> ${t} +0000\n${blob(`Grant id-${i} (#${i + 1})`)}from :${i + 1}\n${ops}`,
      );
    }
  });
  const shas = execFileSync('git', ['-C', dir, 'rev-list', '--reverse', '--first-parent', 'main'], { encoding: 'utf8', maxBuffer: 1 << 28 })
    .trim()
    .split('\n')
    .slice(1);

  // access-ledger: one grant-change record per merge, one commit per record.
  await fastImport(dir, async (write) => {
    let head = emptyHead();
    const batch = 1;
    for (let start = 0; start < n; start += batch) {
      const drafts: RecordDraft[] = [];
      for (let i = start; i < Math.min(n, start + batch); i++) {
        const mergedAt = new Date(START + (i + 1) * STEP_S * 1000).toISOString().slice(0, 19) + 'Z';
        const openedAt = new Date(START + (i + 1) * STEP_S * 1000 - 3_600_000 * (1 + (i % 30))).toISOString().slice(0, 19) + 'Z';
        const approvedAt = new Date(START + (i + 1) * STEP_S * 1000 - 600_000).toISOString().slice(0, 19) + 'Z';
        const systems = [...new Set(Array.from({ length: 1 + (i % 3) }, (_, k) => `sys-${(i + k) % 20}`))];
        const subject: GrantChangeSubject = {
          pr: {
            number: i + 1,
            title: `Grant id-${i}`,
            url: `https://github.com/${REPOSITORY}/pull/${i + 1}`,
            author: `user${i % 997}`,
            created_at: openedAt,
            merged_at: mergedAt,
            merged_by: 'approver1',
          },
          base_sha: shas[i - 1] ?? shas[0]!,
          head_sha: 'b'.repeat(40),
          merge_sha: shas[i]!,
          changes: [
            {
              path: grantPath(i),
              identity: `id-${i}`,
              kind: 'human',
              action: 'added',
              before_blob: null,
              after_blob: 'a'.repeat(40),
              entries: Array.from({ length: 1 + (i % 3) }, (_, k) => ({
                system: `sys-${(i + k) % 20}`,
                role: `role-${k}`,
                privileged: (i + k) % 10 === 0,
                action: 'added' as const,
                expires: '2027-01-01',
              })),
            },
          ],
          reviews: [{ reviewer: `approver${i % 20}`, state: 'APPROVED', submitted_at: approvedAt, commit_id: 'b'.repeat(40), on_head: true }],
          commit_authors: [`user${i % 997}`],
          verdict: {
            result: 'pass',
            evaluated_at: mergedAt,
            policy_sha: shas[0]!,
            findings: [],
            approvals: systems.map((s) => ({ system: s, required: 1, approved_by: [`approver${i % 20}`], missing: 0 })),
          },
        };
        drafts.push({
          kind: 'grant-change',
          key: grantChangeKey(i + 1),
          occurred_at: mergedAt,
          repository: REPOSITORY,
          controls: [...DEFAULT_CONTROLS['grant-change']],
          subject,
        });
      }
      const at = drafts.at(-1)!.occurred_at;
      const plan = planAppend(head, drafts, () => new Date(Date.parse(at) + 30_000), new Set(), SIGNER);
      head = plan.head;
      let ops = '';
      for (const r of plan.records) ops += `M 100644 inline ${recordPath(r)}\n${blob(serializeRecord(r))}`;
      ops += `M 100644 inline head.json\n${blob(serializeHead(plan.head))}`;
      const when = `${Math.floor(Date.parse(at) / 1000) + 31} +0000`;
      await write(
        `commit refs/heads/access-ledger\nauthor ${BOT} ${when}\ncommitter ${BOT} ${when}\n${blob(`Record seq ${plan.records[0]!.seq}-${plan.head.seq}`)}${ops}`,
      );
    }
  });
  execFileSync('git', ['-C', dir, 'checkout', '-q', 'main']);
  writeFileSync(join(dir, '.complete'), '');
  return dir;
}
