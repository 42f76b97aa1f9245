/** The access repo's config (access-ledger.yaml) at a commit, read through the API and parsed by the core. */
import { buildSnapshot, CONFIG_PATHS, type LoadedFile } from '../../core/model/snapshot.ts';
import type { RepoConfig } from '../../core/model/types.ts';
import { callOrNull, type RepoRef, type Requester } from '../github.ts';

interface ContentFile {
  type: string;
  content?: string;
  encoding?: string;
  sha: string;
}

/** The config file at `ref`, or undefined when the repo has none (it is not an access repo). */
export async function readRepoConfig(octokit: Requester, repo: RepoRef, ref: string): Promise<LoadedFile<RepoConfig> | undefined> {
  for (const path of CONFIG_PATHS) {
    const file = await callOrNull<ContentFile>(
      octokit,
      'GET /repos/{owner}/{repo}/contents/{path}',
      { path, ref },
      { action: `reading ${path} at ${ref.slice(0, 12)}`, permission: 'contents: read', repo },
    );
    if (!file || Array.isArray(file) || file.type !== 'file' || typeof file.content !== 'string') continue;
    const content = Buffer.from(file.content, file.encoding === 'base64' ? 'base64' : 'utf8');
    return buildSnapshot([{ path, content, blobSha: file.sha }]).config;
  }
  return undefined;
}
