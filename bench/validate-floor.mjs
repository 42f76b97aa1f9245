// The floor of `validate`, as a whole process: the least any validator must do. Reads every file
// of the access repo, parses it with `yaml` and checks it with the JSON Schemas compiled by ajv
// (the same schemas validate uses), nothing else: no positions, no rules, no report. Prints the
// number of files that passed.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { validators } from '../src/core/model/schemas.ts';

const dir = process.argv[2];
const v = validators();
const paths = (await readdir(dir, { recursive: true, withFileTypes: true }))
  .filter((e) => e.isFile() && e.name.endsWith('.yaml'))
  .map((e) => join(e.parentPath, e.name));
// Read as validate reads: many files in flight at once.
let next = 0;
let valid = 0;
async function worker() {
  while (next < paths.length) {
    const path = paths[next++];
    const rel = path.slice(dir.length + 1);
    const check = rel.startsWith('grants/') ? v.grant : rel.startsWith('systems/') ? v.system : v.config;
    if (check(parse(await readFile(path, 'utf8')))) valid++;
  }
}
await Promise.all(Array.from({ length: 64 }, worker));
process.stdout.write(`${valid}\n`);
