// The workflow ↔ activity contract lives in src/core/contract.ts; re-exported here for the activities' own imports.
export * from '../core/contract';
