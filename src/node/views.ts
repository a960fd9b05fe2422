/** The cluster as this node sees it: the shape GET /cluster and `dynamo status` show. */
import type { NodeId } from '../core/ids.js';
import type { MemberState, Membership } from '../core/membership/index.js';
import type { Ring } from '../core/ring/index.js';

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
