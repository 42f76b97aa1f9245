// npm run demo [-- --out DIR]: the story of access at Acme over 44 days, on one clock, with the
// product's real processes (the gate Action, the App's server, the CLI) against a fake GitHub on
// 127.0.0.1. No network and no GitHub account. Ends with the path of the auditor's binder
// (index.html). The story itself is test/support/e2e/story.ts, which a test also runs.
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Lifecycle } from '../test/support/e2e/lifecycle.ts';
import { killAll, tail, tempDir } from '../test/support/e2e/index.ts';
import { startStory, tellStory, STORY_DAYS_AGO } from '../test/support/e2e/story.ts';

const { values } = parseArgs({ options: { out: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
if (values.help) {
  process.stdout.write(
    `usage: npm run demo [-- --out DIR]\n  Tells the story of access at Acme, from ${STORY_DAYS_AGO} days ago, on a local fake of GitHub and writes the binder under DIR (default: a new temp dir).\n`,
  );
  process.exit(0);
}

const tty = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
const paint = (code: string) => (s: string) => (tty ? `\u001b[${code}m${s}\u001b[0m` : s);
const painter = { bold: paint('1'), dim: paint('2'), green: paint('32'), red: paint('31') };
const started = Date.now();
const say = (line = '') => process.stdout.write(`${line}\n`);

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
  say(painter.bold('access-ledger demo') + painter.dim(' · 44 days of access at Acme on one clock, on a local fake of GitHub (no network, no account)'));
  const started_ = await startStory(dir);
  life = started_.life;
  const story = await tellStory(life, started_.clock, say, painter);
  say(`\n${painter.bold('Binder:')} ${story.audit.index}`);
  say(painter.dim(`(work files, the clone and the App's log: ${dir}; done in ${Math.round((Date.now() - started) / 1000)} s)`));
  await stop(story.audit.verify.code === 0 && story.audit.verifyOnline.code === 0 ? 0 : 1);
} catch (err) {
  process.stderr.write(`\n${painter.red('demo stopped:')} ${(err instanceof Error ? err.message : String(err)).split('\n')[0]}\n`);
  if (life) process.stderr.write(`\nThe App's last log lines:\n${tail(life.app.log, 15)}\n`);
  process.stderr.write(`(work files: ${dir})\n`);
  await stop(1);
}
