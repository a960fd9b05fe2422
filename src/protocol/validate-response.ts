/**
 * Checks a client response that came back from a peer (a forwarded request's answer) before it is
 * handed to a client front end, which renders its values, context and properties as they are.
 * Returns the first problem as a sentence, or null.
 */
import { applyBucketChange, DEFAULT_BUCKET_PROPS } from '../core/buckets/index.js';
import { REPLICAS_MAX } from '../core/limits.js';
import { isNodeId } from '../core/membership/index.js';
import type { ErrorCode } from './requests.js';

const ERROR_CODES: ReadonlySet<string> = new Set<ErrorCode>(['bad_request', 'quorum_failed', 'too_large', 'too_many_siblings', 'overloaded', 'unavailable']);

const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const isCount = (x: unknown): boolean => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;

function isVector(x: unknown): boolean {
  return Array.isArray(x) && x.every((e) => Array.isArray(e) && e.length === 2 && isNodeId(e[0]) && Number.isSafeInteger(e[1]) && e[1] > 0);
}

function isVersion(x: unknown): boolean {
  return isRecord(x) && (x.data === null || x.data instanceof Uint8Array) && isCount(x.timestampMs);
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
      return raw.fastestReplica === undefined || isNodeId(raw.fastestReplica) ? null : 'a read response with a bad replica name';
    case 'put':
    case 'delete':
      return isVector(raw.context) ? null : 'a write response with a malformed context';
    case 'replicaRead':
      if (!(raw.set === null || raw.set instanceof Uint8Array) || typeof raw.primary !== 'boolean' || typeof raw.lww !== 'boolean') return 'a malformed replica read';
      return isCount(raw.n) && isCount(raw.r) ? null : 'a replica read with bad quorums';
    case 'bucket': {
      if (typeof raw.bucket !== 'string') return 'a bucket response without a name';
      const props = applyBucketChange(DEFAULT_BUCKET_PROPS, raw.props, REPLICAS_MAX);
      return props.ok ? null : `a bucket response: ${props.error}`;
    }
    default:
      return `a response of unknown operation ${String(raw.op)}`;
  }
}
