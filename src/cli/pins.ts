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
} as const satisfies Record<string, Pin>;

/** `owner/name@<sha> # <version>`, as a workflow's `uses:` value. */
export function pin(p: Pin): string {
  return `${p.action}@${p.sha} # ${p.version}`;
}
