// Every test's temporary files go under one folder made for the run and removed when it ends, so
// runs do not leave workspaces, clones and binders behind in the machine's temp folder. Test
// processes and what they spawn inherit TMPDIR, which `os.tmpdir()` and `mktemp` both read.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  const previous = process.env.TMPDIR;
  const root = mkdtempSync(join(tmpdir(), 'access-ledger-tests-'));
  process.env.TMPDIR = root;
  return () => {
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
    rmSync(root, { recursive: true, force: true });
  };
}
