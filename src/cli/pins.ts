/**
 * The actions the scaffolded workflows use, pinned by full commit SHA: a tag can be moved to
 * other code by whoever controls the action's repository, a commit cannot. The version each
 * commit carries is written beside it as a comment, for people and for Dependabot.
 *
 * Bumping a pin: take the commit of the new release's tag (`git rev-parse vX.Y.Z^{commit}` in the
 * action's repository) and its version; the gate's own pin is the commit of this project's
 * release tag.
 */
export interface Pin {
  action: string;
  sha: string;
  version: string;
}

export const PINS = {
  appToken: { action: 'actions/create-github-app-token', sha: '1b10c78c7865c340bc4f6099eb2f838309f1e8c3', version: 'v3.1.1' },
  gate: { action: 'access-ledger/access-ledger', sha: 'a333fb96221b0cd2cb18bc6d33a4a10d0cb22ebe', version: 'v0.1.0' },
  /** The same commit this project's release workflow pins. */
  setupNode: { action: 'actions/setup-node', sha: '820762786026740c76f36085b0efc47a31fe5020', version: 'v7.0.0' },
  checkout: { action: 'actions/checkout', sha: '3d3c42e5aac5ba805825da76410c181273ba90b1', version: 'v7.0.1' },
  uploadSarif: { action: 'github/codeql-action/upload-sarif', sha: '8aad20d150bbac5944a9f9d289da16a4b0d87c1e', version: 'v4.36.2' },
} as const satisfies Record<string, Pin>;

/** `owner/name@<sha> # <version>`, as a workflow's `uses:` value. */
export function pin(p: Pin): string {
  return `${p.action}@${p.sha} # ${p.version}`;
}
