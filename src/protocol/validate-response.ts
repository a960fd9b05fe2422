/**
 * Checks a client response that came back from a peer (a forwarded request's answer) before it is
 * handed to a client front end, which renders its values, context and properties as they are.
 * Returns the first problem as a sentence, or null.
 */
import { parseStoredProps } from '../core/buckets/index.js';
import { REPLICAS_MAX } from '../core/limits.js';
import { isNodeId } from '../core/membership/index.js';
import type { ErrorCode } from './requests.js';

const ERROR_CODES: ReadonlySet<string> = new Set<ErrorCode>(['bad_request', 'quorum_failed', 'too_large', 'too_many_siblings', 'overloaded', 'unavailable', 'wrong_type', 'too_many_elements']);

const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const isCount = (x: unknown): boolean => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;

function isVector(x: unknown): boolean {
  return Array.isArray(x) && x.every((e) => Array.isArray(e) && e.length === 2 && isNodeId(e[0]) && Number.isSafeInteger(e[1]) && e[1] > 0);
}

function isVersion(x: unknown): boolean {
  return isRecord(x) && (x.data === null || x.data instanceof Uint8Array) && isCount(x.timestampMs) && (x.expiresAtMs === undefined || isCount(x.expiresAtMs));
}

/** A counter's total or a set's elements (strings), as a CRDT bucket's reads and updates carry them. */
function isCrdtValue(x: unknown): boolean {
  if (!isRecord(x)) return false;
  if (x.type === 'counter') return typeof x.value === 'number' && Number.isSafeInteger(x.value);
  return x.type === 'set' && Array.isArray(x.value) && x.value.every((e) => typeof e === 'string');
}

function errorProblem(r: Record<string, unknown>): string | null {
  if (typeof r.error !== 'string' || !ERROR_CODES.has(r.error)) return 'an error response with an unknown code';
  if (typeof r.message !== 'string') return 'an error response without a message';
  if ((r.needed !== undefined && !isCount(r.needed)) || (r.acked !== undefined && !isCount(r.acked))) return 'an error response with bad counts';
  return null;
}

export function validateClientResponse(raw: unknown): string | null {
  if (!isRecord(raw) || typeof raw.ok !== 'boolean') return 'a response must be an object with "ok"';
  if (!raw.ok) return errorProblem(raw);
  switch (raw.op) {
    case 'get':
      if (!Array.isArray(raw.values) || !raw.values.every(isVersion)) return 'a read response with malformed values';
      if (!isVector(raw.context) || typeof raw.tombstone !== 'boolean') return 'a read response with a malformed context';
      if (raw.crdt !== undefined && !isCrdtValue(raw.crdt)) return 'a read response with a malformed counter or set value';
      return raw.fastestReplica === undefined || isNodeId(raw.fastestReplica) ? null : 'a read response with a bad replica name';
    case 'update':
      if (!isVector(raw.context) || !isCrdtValue(raw.value)) return 'an update response with a malformed context or value';
      return isCount(raw.added) && isCount(raw.removed) ? null : 'an update response with bad counts';
    case 'keys':
      if (!Array.isArray(raw.keys) || !raw.keys.every((k) => typeof k === 'string')) return 'a key listing with malformed keys';
      return raw.cursor === null || typeof raw.cursor === 'string' ? null : 'a key listing with a malformed cursor';
    case 'put':
    case 'delete':
      return isVector(raw.context) ? null : 'a write response with a malformed context';
    case 'replicaRead':
      if (!(raw.set === null || raw.set instanceof Uint8Array) || typeof raw.primary !== 'boolean' || typeof raw.lww !== 'boolean') return 'a malformed replica read';
      return isCount(raw.n) && isCount(raw.r) ? null : 'a replica read with bad quorums';
    case 'bucket': {
      if (typeof raw.bucket !== 'string') return 'a bucket response without a name';
      const props = parseStoredProps(raw.props, REPLICAS_MAX);
      return props.ok ? null : `a bucket response: ${props.error}`;
    }
    default:
      return `a response of unknown operation ${String(raw.op)}`;
  }
}
