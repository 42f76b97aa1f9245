// The floor of a sweep, as a whole process: download the branch's archive from the stand-in
// (bench/sweep-github.mjs), inflate it and read it entry by entry, parse every config, system and
// grant file with `yaml` and check it with the JSON Schemas compiled by ajv. Nothing else: no
// membership, no rules, no issues. Prints the number of files that passed.
import { parse } from 'yaml';
import { validators } from '../src/core/model/schemas.ts';
import { roleOf } from '../src/core/model/snapshot.ts';
import { readArchive } from '../src/adapters/github/sweep-archive.ts';

const [baseUrl] = process.argv.slice(2);
const v = validators();
const ref = await (await fetch(`${baseUrl}/repos/acme/access/git/ref/heads/main`)).json();
const res = await fetch(`${baseUrl}/repos/acme/access/tarball/${ref.object.sha}`);
let valid = 0;
await readArchive(
  res.body,
  (f) => {
    const role = roleOf(f.path);
    if ((role === 'grant' ? v.grant : role === 'system' ? v.system : v.config)(parse(f.content.toString('utf8')))) valid++;
  },
  { wanted: (path) => roleOf(path) !== 'other' },
);
process.stdout.write(`${valid}\n`);
