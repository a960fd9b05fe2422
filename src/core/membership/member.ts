/**
 * One entry of the member table: who a node is (its spec), where it is in its life (state), when it
 * was admitted and when it started leaving (epochs, which order the claim fold), and a version that
 * every change of the entry bumps. Entries are never deleted: a node that left stays as 'left', so
 * a stale copy of the entry can never bring it back.
 */
import type { NodeId, PeerAddress } from '../ids.js';

export type MemberState = 'joining' | 'up' | 'leaving' | 'left';

export const MEMBER_STATES: readonly MemberState[] = ['joining', 'up', 'leaving', 'left'];

export interface MemberSpec {
  readonly id: NodeId;
  readonly address: PeerAddress;
  readonly httpAddress: string;
  readonly clientAddress: string | null;
  readonly weight: number;
}

export interface Member extends MemberSpec {
  readonly state: MemberState;
  /** Admission order; ties broken by id. */
  readonly joinedEpoch: number;
  /** Set when the member starts leaving. */
  readonly leftEpoch: number | null;
  /** Bumped on every change of this entry; the higher version wins a merge. */
  readonly version: number;
}

/** Later in a node's life ranks higher, so a tie between equal versions never resurrects a leaver. */
export function stateRank(state: MemberState): number {
  return MEMBER_STATES.indexOf(state);
}

/** The entry's content as one string with a fixed field order (extra properties are ignored). */
export function canonicalMember(m: Member): string {
  return JSON.stringify([m.id, m.address, m.httpAddress, m.clientAddress, m.weight, m.state, m.joinedEpoch, m.leftEpoch, m.version]);
}

/**
 * A total order on entries of one id: version, then state rank, then canonical content. Zero only
 * for equal content. Merge keeps the greater, which makes it a join (commutative, associative,
 * idempotent).
 */
export function compareMembers(a: Member, b: Member): number {
  if (a.version !== b.version) return a.version - b.version;
  if (a.state !== b.state) return stateRank(a.state) - stateRank(b.state);
  const ca = canonicalMember(a);
  const cb = canonicalMember(b);
  return ca < cb ? -1 : ca > cb ? 1 : 0;
}

/** A plain copy holding exactly the spec fields. */
export function specOf(s: MemberSpec): MemberSpec {
  return { id: s.id, address: s.address, httpAddress: s.httpAddress, clientAddress: s.clientAddress, weight: s.weight };
}

export function sameSpec(a: MemberSpec, b: MemberSpec): boolean {
  return a.id === b.id && a.address === b.address && a.httpAddress === b.httpAddress && a.clientAddress === b.clientAddress && a.weight === b.weight;
}

/** A plain copy holding exactly the member fields, in canonical order. */
export function memberOf(m: Member): Member {
  return { ...specOf(m), state: m.state, joinedEpoch: m.joinedEpoch, leftEpoch: m.leftEpoch, version: m.version };
}
