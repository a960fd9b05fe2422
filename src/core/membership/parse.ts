/**
 * The one parser for a membership table that came from outside the process (gossip, a join reply,
 * the data directory). merge, admit and the claim fold assert their laws on well-formed values, so
 * everything they would trip on is refused here: a missing or oversized id, a weight that is not a
 * finite positive number, an unknown state, epochs and versions that are not whole numbers, a ring
 * shape no node could build, duplicate ids, or more members than MEMBERS_MAX.
 */
import { parsePeerAddress } from '../address.js';
import { ADDRESS_BYTES_MAX, MEMBERS_MAX, NODE_ID_BYTES_MAX, REPLICAS_MAX, WEIGHT_MAX } from '../limits.js';
import { isValidPartitionCount } from '../ring/index.js';
import { MEMBER_STATES, type Member } from './member.js';
import type { Membership } from './membership.js';

const STATES: ReadonlySet<string> = new Set<string>(MEMBER_STATES);

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

export function isNodeId(x: unknown): x is string {
  return typeof x === 'string' && x.length > 0 && Buffer.byteLength(x, 'utf8') <= NODE_ID_BYTES_MAX;
}

/** host:port, as every member address is (peer, HTTP and client ports alike). */
function isAddress(x: unknown): x is string {
  return typeof x === 'string' && x.length > 0 && x.length <= ADDRESS_BYTES_MAX && parsePeerAddress(x) !== undefined;
}

function isCount(x: unknown): x is number {
  return typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
}

export function isWeight(x: unknown): x is number {
  return typeof x === 'number' && Number.isFinite(x) && x > 0 && x <= WEIGHT_MAX;
}

/** The spec fields of a member (a joiner's request carries only these): the first broken rule, or null. */
export function memberSpecProblem(m: Record<string, unknown>): string | null {
  if (!isNodeId(m.id)) return `member id must be 1..${NODE_ID_BYTES_MAX} bytes`;
  if (!isAddress(m.address)) return `member ${m.id} has no peer address`;
  if (!isAddress(m.httpAddress)) return `member ${m.id} has no HTTP address`;
  if (!(m.clientAddress === null || isAddress(m.clientAddress))) return `member ${m.id} has a malformed client address`;
  if (!isWeight(m.weight)) return `member ${m.id} needs a finite weight in (0, ${WEIGHT_MAX}]`;
  return null;
}

function memberProblem(m: unknown): string | null {
  if (!isObject(m)) return 'a member is not an object';
  const spec = memberSpecProblem(m);
  if (spec !== null) return spec;
  if (typeof m.state !== 'string' || !STATES.has(m.state)) return `member ${String(m.id)} has an unknown state`;
  if (!isCount(m.joinedEpoch) || !(m.leftEpoch === null || isCount(m.leftEpoch)) || !isCount(m.version)) {
    return `member ${String(m.id)} has epochs or a version that are not whole numbers`;
  }
  return null;
}

/** The membership, sorted by id, or null when anything in it is malformed (or of another ring shape than `expect`). */
export function parseMembership(raw: unknown, expect?: { partitions: number; replicas: number }): Membership | null {
  return parseMembershipOrProblem(raw, expect).membership;
}

export function parseMembershipOrProblem(
  raw: unknown,
  expect?: { partitions: number; replicas: number },
): { membership: Membership; problem: null } | { membership: null; problem: string } {
  const refuse = (problem: string) => ({ membership: null, problem }) as const;
  if (!isObject(raw) || !Array.isArray(raw.members)) return refuse('membership is not an object with members');
  if (typeof raw.partitions !== 'number' || !isValidPartitionCount(raw.partitions)) return refuse('membership has an impossible partition count');
  if (!Number.isInteger(raw.replicas) || (raw.replicas as number) < 1 || (raw.replicas as number) > REPLICAS_MAX) return refuse('membership has an impossible replica count');
  if (expect !== undefined && (raw.partitions !== expect.partitions || raw.replicas !== expect.replicas)) return refuse('membership of another ring shape');
  if (raw.members.length === 0 || raw.members.length > MEMBERS_MAX) return refuse(`membership must list 1..${MEMBERS_MAX} members`);
  for (const m of raw.members) {
    const problem = memberProblem(m);
    if (problem !== null) return refuse(problem);
  }
  const members = (raw.members as Member[]).map(copyMember).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  for (let i = 1; i < members.length; i++) if (members[i - 1]!.id === members[i]!.id) return refuse(`member ${members[i]!.id} is listed twice`);
  const shared = sharedAddress(members);
  if (shared !== null) return refuse(shared);
  return { membership: { partitions: raw.partitions, replicas: raw.replicas as number, members }, problem: null };
}

/**
 * Two members that are not `left` on one peer address would each get the other's messages: the
 * first such pair as a sentence, or null.
 */
export function sharedAddress(members: readonly Member[]): string | null {
  const byAddress = new Map<string, string>();
  for (const m of members) {
    if (m.state === 'left') continue;
    const other = byAddress.get(m.address);
    if (other !== undefined) return `members ${other} and ${m.id} share the address ${m.address}`;
    byAddress.set(m.address, m.id);
  }
  return null;
}

/** Exactly the fields of a member: whatever else a peer attached stays out of our state. */
function copyMember(m: Member): Member {
  return {
    id: m.id,
    address: m.address,
    httpAddress: m.httpAddress,
    clientAddress: m.clientAddress,
    weight: m.weight,
    state: m.state,
    joinedEpoch: m.joinedEpoch,
    leftEpoch: m.leftEpoch,
    version: m.version,
  };
}
