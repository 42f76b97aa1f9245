/**
 * `github-org`: the GitHub organization's members, outside collaborators, installed Apps and
 * fine-grained tokens, as the JSON export observe writes when it lists them live (parser:
 * src/core/observe/github-org.ts; the live listing: src/adapters/github/observe-org.ts).
 */
import { decodeUtf8 } from '../csv.ts';
import { parseGithubOrgExport } from '../github-org.ts';
import { ObserveError, type ConnectorResult } from '../types.ts';
import { defineConnector } from './connector.ts';

export default defineConnector({
  id: 'github-org',
  meta: { rawFormat: 'json', command: null },
  run(bytes, label, _config, takenAt): ConnectorResult {
    let doc: unknown;
    try {
      doc = JSON.parse(decodeUtf8(bytes, label));
    } catch (err) {
      if (err instanceof ObserveError) throw err;
      throw new ObserveError(`${label} is not valid JSON (${(err as Error).message.slice(0, 200)})`);
    }
    return parseGithubOrgExport(doc, label, takenAt);
  },
});
