/**
 * The doctor's pure core: an access repository's settings (workflows, branch protection,
 * rulesets, environments, CODEOWNERS, Issues, the App's installation) in, one result per check
 * out, and the one issue the sweep keeps while a check fails.
 */
export * from './facts.ts';
export * from './workflows.ts';
export * from './codeowners.ts';
export * from './checks.ts';
export * from './render.ts';
export * from './issue.ts';
