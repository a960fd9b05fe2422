/**
 * The partition table as an operator reads it (`dynamo ring`, the dashboard): per partition its
 * primaries (the N owners) and the fallbacks standing in right now, and per member how many
 * partitions it holds as a primary and as a fallback. A fallback here is the node a sloppy-quorum
 * write would pick for a primary that this node sees down: the next healthy node of the
 * partition's preference list, nearest first, one per down primary (put.ts substitutes the same way).
 */
import { assert } from '../core/assert.js';
import type { NodeId } from '../core/ids.js';
import { assignmentOf, type Membership } from '../core/membership/index.js';
import { Ring } from '../core/ring/index.js';

export interface RingTableRow {
  readonly partition: number;
  readonly primaries: NodeId[];
  /** [stand-in, the down primary it stands in for]. */
  readonly fallbacks: [NodeId, NodeId][];
}

export interface RingTable {
  readonly partitions: number;
  readonly replicas: number;
  readonly members: { id: NodeId; state: string; up: boolean; primary: number; fallback: number }[];
  readonly rows: RingTableRow[];
}

const rings = new WeakMap<Membership, Ring>();

function ringOf(m: Membership): Ring {
  let ring = rings.get(m);
  if (ring === undefined) {
    ring = new Ring(assignmentOf(m));
    rings.set(m, ring);
  }
  return ring;
}

export function ringTable(m: Membership, isUp: (id: NodeId) => boolean): RingTable {
  const ring = ringOf(m);
  const primary = new Map<NodeId, number>();
  const fallback = new Map<NodeId, number>();
  const rows: RingTableRow[] = [];
  for (let p = 0; p < ring.partitions; p++) {
    const list = ring.preferenceList(p);
    const primaries = [...ring.owners(p)];
    const candidates = list.slice(primaries.length).filter(isUp);
    const fallbacks: [NodeId, NodeId][] = [];
    for (const owner of primaries) {
      primary.set(owner, (primary.get(owner) ?? 0) + 1);
      if (isUp(owner)) continue;
      const standIn = candidates.shift();
      if (standIn === undefined) continue;
      fallbacks.push([standIn, owner]);
      fallback.set(standIn, (fallback.get(standIn) ?? 0) + 1);
    }
    rows.push({ partition: p, primaries, fallbacks });
  }
  const members = m.members.map((x) => ({ id: x.id, state: x.state, up: x.state !== 'left' && isUp(x.id), primary: primary.get(x.id) ?? 0, fallback: fallback.get(x.id) ?? 0 }));
  assert(rows.length === m.partitions, 'one row per partition');
  return { partitions: m.partitions, replicas: m.replicas, members, rows };
}
