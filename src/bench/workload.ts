/**
 * The YCSB core workloads this tool runs, as proportions of reads and updates: A (update heavy,
 * 50/50), B (read mostly, 95/5), C (read only), plus pure write and pure read. An update writes a
 * whole new value of an existing record with the context last seen for it, so it supersedes the
 * version it read instead of piling up siblings (what a Dynamo application does).
 */
import type { Rng } from '../core/random.js';

export type WorkloadName = 'a' | 'b' | 'c' | 'write' | 'read';
export type Operation = 'read' | 'update' | 'insert';

export interface Workload {
  readonly name: WorkloadName;
  readonly description: string;
  readonly readProportion: number;
}

export const WORKLOADS: Record<WorkloadName, Workload> = {
  a: { name: 'a', description: 'YCSB A: 50% read, 50% update', readProportion: 0.5 },
  b: { name: 'b', description: 'YCSB B: 95% read, 5% update', readProportion: 0.95 },
  c: { name: 'c', description: 'YCSB C: 100% read', readProportion: 1 },
  write: { name: 'write', description: '100% update', readProportion: 0 },
  read: { name: 'read', description: '100% read', readProportion: 1 },
};

export function operationChooser(workload: Workload, rng: Rng): () => Operation {
  const p = workload.readProportion;
  if (p >= 1) return () => 'read';
  if (p <= 0) return () => 'update';
  return () => (rng.next() < p ? 'read' : 'update');
}
