/**
 * What each command does, in one line: shown by `access-ledger --help` and by the command's own
 * help. Kept apart from the commands so the top-level help lists every command without loading it.
 */
export const DESCRIPTIONS = {
  validate: 'check an access repo: file formats, owners, expiries, justifications, credentials, secrets',
  init: 'scaffold a new access repo: config, one system, one grant of each identity kind, CODEOWNERS, the gate, sweep and validate workflows, editor settings',
  verify: "verify the evidence ledger of a local clone: hashes, chain, head.json, append-only history, the records' signatures and that only the App wrote it",
  export: "write the auditor's binder for a period: evidence map, populations, samples, evidence chains, control matrix, ledger verification",
  reconcile: 'record merged access changes the ledger is missing (the App was down or a delivery was lost)',
  sweep:
    'open, update and close issues for stale grants and leavers, for what the systems list against the grants, and for an unsafe setup, and open access reviews that are due',
  doctor:
    "check the access repository's setup on GitHub: keys within reach of pull requests, the gate required, the ledger branch protected, CODEOWNERS, Issues, the App",
  observe: 'snapshot what a system itself lists of who has access: the GitHub organization live, any other system from its own export',
  drift:
    'compare the grant files with what the systems list (snapshots from observe): undeclared accounts, unprovisioned grants, excess privilege, dormant access, old credentials, missing MFA, leavers',
  import: 'write grant files for the accounts a system lists that no grant declares yet (owner, justification and expiry left to fill in)',
  serve:
    "run the GitHub App: record merged access changes on the ledger branch, open stale-grant and setup issues, run access reviews (configured by Probot's environment: APP_ID, PRIVATE_KEY or PRIVATE_KEY_PATH, WEBHOOK_SECRET, PORT, HOST, GHE_HOST; see docs/app.md)",
  keygen: 'make a new ledger signing key: the private key for the App, the public key for access-ledger.yaml',
} as const;

export type CommandName = keyof typeof DESCRIPTIONS;
