/**
 * The replica table as a value: Q partitions, each with its N owners in preference order. Its own
 * file so that the packed working form (table.ts) and the functions on tables (assignment.ts) can
 * both name it without importing each other.
 */
import type { NodeId } from '../ids.js';

export interface Assignment {
  /** Q, a power of two. */
  readonly partitions: number;
  /** The table's width N: each list holds min(replicas, number of nodes) distinct nodes. */
  readonly replicas: number;
  readonly owners: ReadonlyArray<ReadonlyArray<NodeId>>;
}

/** Capacity weight > 0 per node; a node's share of the table is proportional to it. */
export type Weights = ReadonlyMap<NodeId, number>;
