/**
 * The cluster's membership as a mergeable value. Every node holds a copy, changes it locally (admit,
 * updateMember) and gossips it; copies are combined with merge, which keeps, per id, the entry with
 * the higher version (equal versions with different content: a fixed total order on the entry
 * decides). That makes merge a join on a semilattice: commutative, associative and idempotent, so
 * copies converge whatever order, duplication or delay gossip brings, with no coordinator.
 *
 * The ring is not stored here. Each entry carries the epochs at which the member was admitted and
 * started leaving; assignmentOf (assignment-of.ts) replays those events in epoch order through claim
 * and release, so every node that holds the same membership computes the same replica table, and
 * gossiping the small member table is enough to agree on the large ring. Epochs are "one more than
 * any epoch this copy has seen", Lamport-style; two admissions made concurrently on different copies
 * may share an epoch, and the fold then orders them by id.
 */
import { createHash } from 'node:crypto';
import { assert } from '../assert.js';
import type { NodeId } from '../ids.js';
import { assertPartitionCount } from '../ring/index.js';
import { canonicalMember, compareMembers, MEMBER_STATES, memberOf, sameSpec, specOf, type Member, type MemberSpec } from './member.js';

export interface Membership {
  readonly partitions: number;
  readonly replicas: number;
  /** Sorted by id, one entry per id. */
  readonly members: readonly Member[];
}

type MemberChange = Partial<Pick<Member, 'state' | 'address' | 'httpAddress' | 'clientAddress'>>;

function assertSpec(spec: MemberSpec): void {
  assert(typeof spec.id === 'string' && spec.id.length > 0, 'a member needs a non-empty id');
  assert(Number.isFinite(spec.weight) && spec.weight > 0, `member ${spec.id} needs a finite weight > 0, got ${spec.weight}`);
}

export function newCluster(self: MemberSpec, partitions: number, replicas: number): Membership {
  assertPartitionCount(partitions);
  assert(Number.isInteger(replicas) && replicas >= 1, `replicas must be a positive integer, got ${replicas}`);
  assertSpec(self);
  return { partitions, replicas, members: [{ ...specOf(self), state: 'up', joinedEpoch: 0, leftEpoch: null, version: 1 }] };
}

/** Index of `id` in the sorted members, or -(insertion point) - 1 when absent. */
function search(members: readonly Member[], id: NodeId): number {
  let lo = 0;
  let hi = members.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const at = members[mid]!.id;
    if (at === id) return mid;
    if (at < id) lo = mid + 1;
    else hi = mid - 1;
  }
  return -lo - 1;
}

export function getMember(m: Membership, id: NodeId): Member | undefined {
  const i = search(m.members, id);
  return i >= 0 ? m.members[i] : undefined;
}

export function activeMembers(m: Membership): Member[] {
  return m.members.filter((member) => member.state !== 'left');
}

/** The largest epoch this copy has seen, joined or left. */
export function maxEpoch(m: Membership): number {
  let max = 0;
  for (const member of m.members) max = Math.max(max, member.joinedEpoch, member.leftEpoch ?? 0);
  return max;
}

function withMember(m: Membership, member: Member): Membership {
  const members = [...m.members];
  const i = search(members, member.id);
  if (i >= 0) members[i] = member;
  else members.splice(-i - 1, 0, member);
  return { partitions: m.partitions, replicas: m.replicas, members };
}

/**
 * Admits a node. New: a fresh epoch, version 1. Present and not left: only its addresses are
 * refreshed (version + 1) when they changed, otherwise `m` itself comes back; its weight stays the
 * one it was admitted with, also when a wiped node asks to join again under the same id (the ring
 * is a fold of every claim made with that weight; see MembershipAgent.refreshSelf). Left: admitted
 * again with a fresh epoch and the weight it asks for (version + 1), so it claims partitions anew.
 */
export function admit(m: Membership, spec: MemberSpec, state: 'joining' | 'up'): Membership {
  assertSpec(spec);
  const existing = getMember(m, spec.id);
  if (existing === undefined) {
    return withMember(m, { ...specOf(spec), state, joinedEpoch: maxEpoch(m) + 1, leftEpoch: null, version: 1 });
  }
  if (existing.state !== 'left') {
    const refreshed = { ...specOf(spec), weight: existing.weight };
    if (sameSpec(existing, refreshed)) return m;
    return withMember(m, { ...memberOf(existing), ...refreshed, version: existing.version + 1 });
  }
  return withMember(m, { ...specOf(spec), state, joinedEpoch: maxEpoch(m) + 1, leftEpoch: null, version: existing.version + 1 });
}

/**
 * Changes a member's state or addresses (version + 1); `m` itself when nothing changes. Starting to
 * leave stamps leftEpoch with a fresh epoch; coming back from 'leaving' clears it (the leave is
 * cancelled), and coming back from 'left' is a new admission with a fresh joinedEpoch.
 */
export function updateMember(m: Membership, id: NodeId, change: MemberChange): Membership {
  const existing = getMember(m, id);
  assert(existing !== undefined, `no member ${id} to update`);
  const state = change.state ?? existing.state;
  assert(MEMBER_STATES.includes(state), `unknown member state ${String(state)}`);
  const goingOut = state === 'leaving' || state === 'left';
  let { joinedEpoch, leftEpoch } = existing;
  if (goingOut && leftEpoch === null) leftEpoch = maxEpoch(m) + 1;
  if (!goingOut && existing.state === 'left') {
    joinedEpoch = maxEpoch(m) + 1;
    leftEpoch = null;
  }
  if (!goingOut) leftEpoch = null;
  const next: Member = {
    id,
    address: change.address ?? existing.address,
    httpAddress: change.httpAddress ?? existing.httpAddress,
    clientAddress: change.clientAddress === undefined ? existing.clientAddress : change.clientAddress,
    weight: existing.weight,
    state,
    joinedEpoch,
    leftEpoch,
    version: existing.version,
  };
  if (canonicalMember(next) === canonicalMember(existing)) return m;
  return withMember(m, { ...next, version: existing.version + 1 });
}

/** Per id, the greater entry (compareMembers); `a` itself when b adds nothing to it. */
export function merge(a: Membership, b: Membership): Membership {
  assert(a.partitions === b.partitions && a.replicas === b.replicas, `cannot merge memberships of different rings: Q=${a.partitions}/N=${a.replicas} and Q=${b.partitions}/N=${b.replicas}`);
  if (a === b) return a;
  const members: Member[] = [];
  let changed = false;
  let i = 0;
  let j = 0;
  while (i < a.members.length || j < b.members.length) {
    const x = a.members[i];
    const y = b.members[j];
    if (y === undefined || (x !== undefined && x.id < y.id)) {
      members.push(x!);
      i++;
    } else if (x === undefined || y.id < x.id) {
      members.push(y);
      changed = true;
      j++;
    } else {
      const order = compareMembers(x, y);
      members.push(order >= 0 ? x : y);
      changed ||= order < 0;
      i++;
      j++;
    }
    assert(members.length < 2 || members[members.length - 2]!.id < members[members.length - 1]!.id, 'members are sorted by id, one entry each');
  }
  return changed ? { partitions: a.partitions, replicas: a.replicas, members } : a;
}

/** The membership's content as one string with a fixed layout. */
export function canonicalMembership(m: Membership): string {
  return `[${m.partitions},${m.replicas},[${m.members.map(canonicalMember).join(',')}]]`;
}

const digestCache = new WeakMap<Membership, string>();

/** Hex SHA-256 of the canonical content: equal exactly when the content is equal. */
export function digest(m: Membership): string {
  let d = digestCache.get(m);
  if (d === undefined) {
    d = createHash('sha256').update(canonicalMembership(m)).digest('hex');
    digestCache.set(m, d);
  }
  return d;
}

/** What is wrong with a membership (empty when well formed): for values read from disk or the wire. */
export function membershipProblems(m: Membership): string[] {
  const problems: string[] = [];
  m.members.forEach((member, k) => {
    if (k > 0 && !(m.members[k - 1]!.id < member.id)) problems.push(`members not sorted by id, or ${member.id} twice`);
    if (!(Number.isFinite(member.weight) && member.weight > 0)) problems.push(`member ${member.id} has weight ${member.weight}`);
    const out = member.state === 'leaving' || member.state === 'left';
    if (out !== (member.leftEpoch !== null)) problems.push(`member ${member.id} is ${member.state} with leftEpoch ${member.leftEpoch}`);
    if (member.leftEpoch !== null && member.leftEpoch <= member.joinedEpoch) problems.push(`member ${member.id} left (epoch ${member.leftEpoch}) before it joined (${member.joinedEpoch})`);
  });
  return problems;
}
