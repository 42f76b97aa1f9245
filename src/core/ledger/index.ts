/** The evidence ledger's pure core: record format, sealing, planning appends, verification. */
export * from './kinds.ts';
export * from './record.ts';
export * from './plan.ts';
export * from './verify.ts';
export * from './markers.ts';
export * from './signing.ts';
export * from './authorship.ts';
export * from './snapshots.ts';
