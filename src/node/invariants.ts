/**
 * What must hold of a node between any two steps, as one check: the simulator runs it after every
 * step of every node, tests that build nodes run it too, and a broken rule names itself. Each rule
 * ties two pieces of state that are kept apart for speed (a counter and the store it counts, a
 * cache and what it caches) or bounds state that strangers could otherwise grow.
 */
import { checkQuorums, type BucketTable } from '../core/buckets/index.js';
import type { NodeId, PeerAddress } from '../core/ids.js';
import { getMember, type Membership } from '../core/membership/index.js';
import type { Ring } from '../core/ring/index.js';
import type { Placement } from './context.js';

export interface InvariantView {
  readonly selfId: NodeId;
  readonly nowMs: number;
  readonly membership: Membership | null;
  readonly buckets: BucketTable;
  /** Every operation in flight, and whether looking up its id finds it. */
  readonly operations: readonly { readonly filedUnderOwnId: boolean; readonly id: number; readonly done: boolean; readonly deadlineMs: number }[];
  /** The longest an operation may run from the step that last set its deadline. */
  readonly operationSpanMaxMs: number;
  readonly hintCount: number;
  readonly hintsStored: number;
  readonly reapDueTimes: readonly number[];
  readonly placements: ReadonlyMap<number, Placement>;
  readonly ring: Ring | null;
  readonly addressIndex: ReadonlyMap<PeerAddress, NodeId>;
  readonly livenessIds: Iterable<NodeId>;
  readonly waitingForCluster: number;
}

export function invariantProblems(v: InvariantView): string[] {
  return [...operationProblems(v), ...storeProblems(v), ...metadataProblems(v), ...cacheProblems(v)];
}

function operationProblems(v: InvariantView): string[] {
  const problems: string[] = [];
  for (const op of v.operations) {
    if (!op.filedUnderOwnId) problems.push(`operation ${op.id} is not found under its own id (an id reused?)`);
    if (op.done) problems.push(`operation ${op.id} is done but still in flight`);
    if (!(op.id > 0 && op.id <= 0x7fff_ffff)) problems.push(`operation id ${op.id} is outside 1..2^31-1`);
    if (op.deadlineMs > v.nowMs + v.operationSpanMaxMs) problems.push(`operation ${op.id} has a deadline ${op.deadlineMs - v.nowMs} ms away, beyond any timeout`);
  }
  if (v.membership !== null && v.waitingForCluster > 0) problems.push(`${v.waitingForCluster} requests still wait for a cluster this node has`);
  return problems;
}

function storeProblems(v: InvariantView): string[] {
  const problems: string[] = [];
  if (v.hintCount !== v.hintsStored) problems.push(`the hint count says ${v.hintCount} but the hint store holds ${v.hintsStored}`);
  for (let i = 1; i < v.reapDueTimes.length; i++) {
    if (v.reapDueTimes[i - 1]! > v.reapDueTimes[i]!) {
      problems.push(`the reap queue is out of due order at position ${i}`);
      break;
    }
  }
  return problems;
}

function metadataProblems(v: InvariantView): string[] {
  const problems: string[] = [];
  const m = v.membership;
  if (m === null) return problems;
  if (getMember(m, v.selfId) === undefined) problems.push('this node is not in its own membership');
  for (const [name, entry] of Object.entries(v.buckets)) {
    const ok = checkQuorums(entry.props, m.replicas);
    if (!ok.ok) problems.push(`bucket "${name}" breaks the bucket rules: ${ok.error}`);
  }
  for (const id of v.livenessIds) if (getMember(m, id) === undefined) problems.push(`liveness tracks ${id}, which is no member`);
  for (const member of m.members) {
    if (v.addressIndex.get(member.address) === undefined) problems.push(`the address index lacks ${member.id}'s address`);
  }
  return problems;
}

function cacheProblems(v: InvariantView): string[] {
  const problems: string[] = [];
  if (v.ring === null) {
    if (v.placements.size > 0) problems.push('placements are cached without a ring');
    return problems;
  }
  for (const [cacheKey, p] of v.placements) {
    const n = cacheKey % 32;
    const list = v.ring.preferenceList(p.partition);
    const expected = list.slice(0, n);
    if (Math.floor(cacheKey / 32) !== p.partition || expected.join() !== p.primaries.join() || list.slice(n).join() !== p.fallbacks.join()) {
      problems.push(`the cached placement of partition ${p.partition} (n=${n}) is not the ring's`);
    }
  }
  return problems;
}
