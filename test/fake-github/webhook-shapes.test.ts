/**
 * The fake's webhook payloads are shaped like GitHub's: every field of the real example in
 * @octokit/webhooks-examples (top level, and the event's main object one level down) is in the
 * fake's payload with the same JSON type, so a handler tested on the fake reads what GitHub sends.
 */
import examples from '@octokit/webhooks-examples' with { type: 'json' };
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeGitHub, type FakeGitHub } from '../support/fake-github/index.ts';

type Example = { name: string; examples: Record<string, unknown>[] };
const all = examples as unknown as Example[];

function example(name: string, action: string): Record<string, unknown> {
  const found = all.find((e) => e.name === name)?.examples.find((x) => x.action === action);
  if (!found) throw new Error(`no ${name}.${action} example in @octokit/webhooks-examples`);
  return found;
}

const kind = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

/** Fields of `real` missing from `fake` or of another JSON type (null in either is any type: GitHub sends null for unset fields). */
function differences(real: Record<string, unknown>, fake: Record<string, unknown>, main: string | null, prefix = ''): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(real)) {
    const path = `${prefix}${k}`;
    if (!(k in fake)) {
      out.push(`${path} missing`);
      continue;
    }
    const f = fake[k];
    if (v !== null && f !== null && kind(v) !== kind(f)) out.push(`${path}: ${kind(f)}, GitHub sends ${kind(v)}`);
    if (k === main && kind(v) === 'object' && kind(f) === 'object')
      out.push(...differences(v as Record<string, unknown>, f as Record<string, unknown>, null, `${path}.`));
  }
  return out;
}

let gh: FakeGitHub;
beforeAll(async () => {
  gh = await startFakeGitHub();
});
afterAll(async () => {
  await gh.close();
});

describe('webhook payloads match @octokit/webhooks-examples', () => {
  it.each([
    ['pull_request', 'closed', 'pull_request'],
    ['workflow_run', 'completed', 'workflow_run'],
    ['pull_request_review', 'submitted', 'review'],
    ['merge_group', 'checks_requested', 'merge_group'],
  ])('%s.%s', (name, action, main) => {
    expect(differences(example(name, action), build(name), main)).toEqual([]);
  });
});

let n = 0;
function build(name: string): Record<string, unknown> {
  const repo = `acme/shapes-${++n}`;
  gh.state.createOrg('acme', { members: ['octocat', 'dave'], admins: ['zoe'] });
  gh.state.createRepo(repo, { files: { 'README.md': '# shapes\n' } });
  const pr = gh.state.openPullRequest(repo, { author: 'octocat', title: 'Grant bob', files: { 'grants/people/bob.yaml': 'identity: bob\n' } });
  if (name === 'pull_request_review')
    return gh.payloads.pullRequestReview('submitted', repo, pr, gh.state.submitReview(repo, pr, { user: 'dave', state: 'APPROVED' }).id);
  if (name === 'merge_group') {
    gh.state.enqueue(repo, pr, { by: 'dave' });
    return gh.payloads.mergeGroup('checks_requested', repo, pr);
  }
  const { sha } = gh.state.mergePull(repo, pr, { by: 'dave' });
  if (name === 'pull_request') return gh.payloads.pullRequest('closed', repo, pr);
  return gh.payloads.workflowRunCompleted(repo, gh.state.addWorkflowRun(repo, { headSha: sha, conclusion: 'success' }).id);
}

describe('the comparison itself', () => {
  it('names a field the fake leaves out, and one of another type', () => {
    const real = example('pull_request', 'closed');
    const { number: _n, ...fake } = build('pull_request');
    expect(differences(real, { ...fake, pull_request: { ...(fake.pull_request as object), merged: 'yes' } }, 'pull_request')).toEqual([
      'number missing',
      'pull_request.merged: string, GitHub sends boolean',
    ]);
  });
});
