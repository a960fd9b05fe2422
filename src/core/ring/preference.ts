/**
 * The preference list of a partition: its N owners in table order (the primaries), then every other
 * node in the order a clockwise walk over the following partitions' owner lists first meets it (the
 * fallbacks a sloppy quorum moves on to, nearest first, as in the paper's "first N healthy nodes").
 */
import { assert, fail } from '../assert.js';
import type { NodeId } from '../ids.js';
import { countsOf, type Assignment } from './assignment.js';

export function preferenceList(a: Assignment, partition: number): readonly NodeId[] {
  if (!(Number.isInteger(partition) && partition >= 0 && partition < a.partitions)) fail(`partition ${partition} out of range 0..${a.partitions - 1}`);
  const total = countsOf(a).size;
  const seen = new Set<NodeId>();
  const list: NodeId[] = [];
  for (let k = 0; k < a.partitions && list.length < total; k++) {
    for (const node of a.owners[(partition + k) % a.partitions]!) {
      if (seen.has(node)) continue;
      seen.add(node);
      list.push(node);
    }
  }
  assert(list.length === total, 'the walk meets every node of the table');
  return list;
}
