/** The cluster as this node sees it: the shape GET /cluster and `dynamo status` show. */
import type { NodeId } from '../core/ids.js';
import type { MemberState, Membership } from '../core/membership/index.js';
import type { Ring } from '../core/ring/index.js';
import { ALL_HINTS, parseKey, partitionDataRange } from './keys.js';
import type { StorageView } from './storage-view.js';

export interface MemberView {
  readonly id: NodeId;
  readonly address: string;
  readonly httpAddress: string;
  readonly clientAddress: string | null;
  readonly state: MemberState;
  readonly up: boolean;
  readonly weight: number;
  readonly partitions: number;
}

export interface ClusterView {
  readonly node: NodeId;
  readonly members: MemberView[];
  readonly partitions: number;
  readonly n: number;
}

export function clusterView(self: NodeId, m: Membership, ring: Ring, isUp: (id: NodeId) => boolean): ClusterView {
  return {
    node: self,
    partitions: m.partitions,
    n: m.replicas,
    members: m.members.map((member) => ({
      id: member.id,
      address: member.address,
      httpAddress: member.httpAddress,
      clientAddress: member.clientAddress,
      state: member.state,
      up: member.state !== 'left' && isUp(member.id),
      weight: member.weight,
      partitions: ring.replicaCount(member.id),
    })),
  };
}

/** GET /ring: enough for a client to route a key to its replicas itself. */
export interface RingView {
  readonly partitions: number;
  readonly replicas: number;
  /** owners[p]: the partition's replica nodes in preference order. */
  readonly owners: NodeId[][];
  readonly members: { id: NodeId; httpAddress: string; clientAddress: string | null; up: boolean }[];
  /** Changes whenever the membership does: a client refreshes when it sees a new one. */
  readonly version: string;
}

export interface KeyCounts {
  readonly total: number;
  readonly bytes: number;
  readonly partitions: Record<number, number>;
}

/** Keys (and bytes) this node stores per partition of a ring of Q partitions: a scan, for tests and operators. */
export function keyCountsOf(storage: StorageView, q: number): KeyCounts {
  const partitions: Record<number, number> = {};
  let total = 0;
  let bytes = 0;
  for (let p = 0; p < q; p++) {
    const { from, to } = partitionDataRange(p, q);
    let n = 0;
    for (const { key, value } of storage.range(from, to)) {
      n++;
      bytes += key.length + value.length;
    }
    if (n > 0) partitions[p] = n;
    total += n;
  }
  return { total, bytes, partitions };
}

/** Hints held per intended owner (a scan: for status, not for hot paths). */
export function hintsByTargetOf(storage: StorageView): Record<string, number> {
  const out: Record<string, number> = {};
  for (const { key } of storage.range(ALL_HINTS.from, ALL_HINTS.to)) {
    const target = parseKey(key)?.target;
    if (target) out[target] = (out[target] ?? 0) + 1;
  }
  return out;
}
