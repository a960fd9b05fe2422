/**
 * Checks a client request that arrived as decoded data (forwarded by a peer, or from the binary
 * client protocol). Returns the request or a sentence saying what is wrong.
 */
import { BUCKET_BYTES_MAX, KEY_BYTES_MAX, NODE_ID_BYTES_MAX } from '../core/limits.js';
import type { VersionVector } from '../core/versions/index.js';
import type { ClientRequest } from './requests.js';
import { MAX_TTL_MS } from '../core/buckets/index.js';

/** A context names each writer at most once; a real one holds a few entries (truncation keeps it short). */
const CONTEXT_ENTRIES_MAX = 1024;

function isVector(x: unknown): x is VersionVector {
  return (
    Array.isArray(x) &&
    x.length <= CONTEXT_ENTRIES_MAX &&
    x.every((e) => Array.isArray(e) && e.length === 2 && bounded(e[0], NODE_ID_BYTES_MAX) && Number.isSafeInteger(e[1]) && e[1] > 0)
  );
}

function bounded(x: unknown, maxBytes: number): x is string {
  return typeof x === 'string' && x.length > 0 && x.length <= maxBytes && Buffer.byteLength(x, 'utf8') <= maxBytes;
}

/** The bucket and key of a request: non-empty, and within the sizes storage keys allow. */
export function nameProblem(bucket: unknown, key: unknown): string | null {
  if (!bounded(bucket, BUCKET_BYTES_MAX)) return `the bucket name must be 1 to ${BUCKET_BYTES_MAX} bytes`;
  if (key !== undefined && !bounded(key, KEY_BYTES_MAX)) return `the key must be 1 to ${KEY_BYTES_MAX} bytes`;
  return null;
}

const optInt = (x: unknown): boolean => x === undefined || x === null || (Number.isInteger(x) && (x as number) > 0);
const optTtl = (x: unknown): boolean => x === undefined || x === null || (Number.isSafeInteger(x) && (x as number) >= 0 && (x as number) <= MAX_TTL_MS);
const optBool = (x: unknown): boolean => x === undefined || x === null || typeof x === 'boolean';

const MAX_UPDATE_ELEMENTS = 100_000;
const isStrings = (x: unknown): boolean => Array.isArray(x) && x.length <= MAX_UPDATE_ELEMENTS && x.every((e) => typeof e === 'string');

function isUpdate(x: unknown): boolean {
  if (typeof x !== 'object' || x === null) return false;
  const u = x as Record<string, unknown>;
  if (u.type === 'counter') return Number.isSafeInteger(u.increment);
  return u.type === 'set' && isStrings(u.add) && isStrings(u.remove);
}

export function validateClientRequest(raw: unknown): ClientRequest | string {
  if (typeof raw !== 'object' || raw === null) return 'request must be an object';
  const r = raw as Record<string, unknown>;
  if (typeof r.bucket !== 'string' || typeof r.op !== 'string') return 'request needs "op" and "bucket"';
  const names = nameProblem(r.bucket, r.op === 'setBucket' || r.op === 'getBucket' || r.op === 'listKeys' ? undefined : r.key ?? '');
  if (names !== null) return names;
  switch (r.op) {
    case 'get':
      if (typeof r.key !== 'string') return 'get needs a "key"';
      if (!optInt(r.r) || !optBool(r.strict)) return 'bad read options';
      return raw as ClientRequest;
    case 'put':
    case 'delete':
      if (r.op === 'put' && !(r.value instanceof Uint8Array)) return 'put needs a binary "value"';
      if (typeof r.key !== 'string') return `${r.op} needs a "key"`;
      if (!isVector(r.context)) return 'malformed context';
      if (!optInt(r.w) || !optBool(r.strict)) return 'bad write options';
      if (r.coordinator !== undefined && r.coordinator !== null && !bounded(r.coordinator, NODE_ID_BYTES_MAX)) return 'bad coordinator';
      if (!optTtl(r.ttlMs)) return 'bad ttlMs';
      return raw as ClientRequest;
    case 'update': {
      if (typeof r.key !== 'string') return 'update needs a "key"';
      if (!isVector(r.context)) return 'malformed context';
      if (!optInt(r.w) || !optBool(r.strict)) return 'bad write options';
      if (r.coordinator !== undefined && r.coordinator !== null && !bounded(r.coordinator, NODE_ID_BYTES_MAX)) return 'bad coordinator';
      return isUpdate(r.update) ? (raw as ClientRequest) : 'malformed update';
    }
    case 'replicaRead':
      if (typeof r.key !== 'string') return 'replicaRead needs a "key"';
      return raw as ClientRequest;
    case 'setBucket':
      return raw as ClientRequest;
    case 'listKeys':
      if (!optInt(r.limit) || !(r.cursor === undefined || r.cursor === null || typeof r.cursor === 'string')) return 'bad listKeys options';
      return raw as ClientRequest;
    case 'getBucket':
      return raw as ClientRequest;
    default:
      return `unknown operation "${String(r.op)}"`;
  }
}
