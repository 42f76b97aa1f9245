/** Periodic access reviews as pull requests: which systems are due, the PR's edits and text, the outcome. */
export * from './due.ts';
export * from './campaign.ts';
export * from './outcome.ts';
export * from './listing.ts';
