/**
 * The package entry (`import { Client } from 'dynamo'`): the partition-aware client, its context,
 * errors and types. Kept to the client, so importing it loads no server code (no LMDB, no HTTP).
 */
export * from './client/index.js';
export type { BucketProps, ConflictMode } from './core/buckets/index.js';
