/**
 * Checks a client request that arrived as decoded data (forwarded by a peer, or from the binary
 * client protocol). Returns the request or a sentence saying what is wrong.
 */
import type { VersionVector } from '../core/versions/index.js';
import type { ClientRequest } from './requests.js';
import { MAX_TTL_MS } from '../core/buckets/index.js';

function isVector(x: unknown): x is VersionVector {
  return Array.isArray(x) && x.every((e) => Array.isArray(e) && e.length === 2 && typeof e[0] === 'string' && Number.isInteger(e[1]) && e[1] > 0);
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
      if (r.coordinator !== undefined && r.coordinator !== null && typeof r.coordinator !== 'string') return 'bad coordinator';
      if (!optTtl(r.ttlMs)) return 'bad ttlMs';
      return raw as ClientRequest;
    case 'update': {
      if (typeof r.key !== 'string') return 'update needs a "key"';
      if (!isVector(r.context)) return 'malformed context';
      if (!optInt(r.w) || !optBool(r.strict)) return 'bad write options';
      if (r.coordinator !== undefined && r.coordinator !== null && typeof r.coordinator !== 'string') return 'bad coordinator';
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
