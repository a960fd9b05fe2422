/**
 * Checks a membership value that came from the network (gossip, a join reply) or from disk before
 * it is merged: merge asserts its laws on well-formed values, so malformed input must stop here.
 */
import type { Member, MemberState, Membership } from '../core/membership/index.js';

const STATES: ReadonlySet<string> = new Set<MemberState>(['joining', 'up', 'leaving', 'left']);

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function validMember(m: unknown): m is Member {
  if (!isObject(m)) return false;
  return (
    typeof m.id === 'string' && m.id.length > 0 &&
    typeof m.address === 'string' &&
    typeof m.httpAddress === 'string' &&
    (m.clientAddress === null || typeof m.clientAddress === 'string') &&
    typeof m.weight === 'number' && m.weight > 0 && Number.isFinite(m.weight) &&
    typeof m.state === 'string' && STATES.has(m.state) &&
    Number.isInteger(m.joinedEpoch) &&
    (m.leftEpoch === null || Number.isInteger(m.leftEpoch)) &&
    Number.isInteger(m.version)
  );
}

export function parseMembership(raw: unknown, expect?: { partitions: number; replicas: number }): Membership | null {
  if (!isObject(raw) || !Array.isArray(raw.members)) return null;
  if (!Number.isInteger(raw.partitions) || !Number.isInteger(raw.replicas)) return null;
  if (expect !== undefined && (raw.partitions !== expect.partitions || raw.replicas !== expect.replicas)) return null;
  if (!raw.members.every(validMember)) return null;
  const ids = new Set(raw.members.map((m: Member) => m.id));
  if (ids.size !== raw.members.length) return null;
  const members = [...(raw.members as Member[])].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { partitions: raw.partitions as number, replicas: raw.replicas as number, members };
}
