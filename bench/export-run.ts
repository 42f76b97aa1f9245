/**
 * The floor of `verify`, as a whole process: verifyLedger over the ledger branch without
 * signatures, authorship and time (the hash chain, head.json and the append-only history: what
 * `verify` checked before records were signed). Prints the records and commits it read.
 */
import { verifyLedger } from '../src/adapters/git/ledger-reader.ts';

const [dir] = process.argv.slice(2) as [string];
const r = await verifyLedger(dir, 'access-ledger', {});
if (!r.ok) throw new Error(`verify found problems: ${JSON.stringify(r.first_problem)}`);
process.stdout.write(JSON.stringify({ records: r.records, commits: r.commits }) + '\n');
