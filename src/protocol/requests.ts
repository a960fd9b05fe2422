/**
 * Client operations as plain data: what the HTTP API, the binary client protocol and a forwarding
 * node hand to a coordinator, and what comes back. Errors are values with a stable code; the API
 * edge maps them to status codes (see api/errors.ts).
 *
 * Redis commands map onto them directly: SET k v EX s / PX ms is a put with `ttlMs`; EXPIRE and
 * PEXPIRE a get, then a put of the value read with its context and the new `ttlMs`; PERSIST the
 * same with `ttlMs: 0`; TTL / PTTL a get, from `values[0].expiresAtMs` (absent: -1; not found: -2);
 * INCR/INCRBY/DECR/DECRBY an `update` of a counter (UpdateResult.value is the reply); SADD/SREM an
 * `update` of a set (`added` / `removed` are the replies); SMEMBERS/SISMEMBER/SCARD a get
 * (GetResult.crdt); SCAN a `listKeys` (cursor null ends the scan). A counter op on a kv bucket
 * answers `wrong_type` (Redis's WRONGTYPE).
 */
import type { BucketProps } from '../core/buckets/index.js';
import type { Version, VersionVector } from '../core/versions/index.js';

export interface ReadOptions {
  readonly r?: number | undefined;
  readonly strict?: boolean | undefined;
}

export interface WriteOptions {
  readonly w?: number | undefined;
  readonly strict?: boolean | undefined;
  /** The replica that should coordinate (the fastest replica of the read this write follows), when up. */
  readonly coordinator?: string | undefined;
  /**
   * Puts only: the new version expires this many ms after the coordinator takes the write (RESP
   * SET EX/PX, EXPIRE; HTTP ?ttl=). 0: never, overriding the bucket's ttl_ms (PERSIST).
   * Absent: the bucket's ttl_ms.
   */
  readonly ttlMs?: number | undefined;
}

export type ClientRequest =
  | ({ readonly op: 'get'; readonly bucket: string; readonly key: string } & ReadOptions)
  | ({
      readonly op: 'put';
      readonly bucket: string;
      readonly key: string;
      readonly value: Uint8Array;
      readonly context: VersionVector;
    } & WriteOptions)
  | ({ readonly op: 'delete'; readonly bucket: string; readonly key: string; readonly context: VersionVector } & WriteOptions)
  /**
   * A change to a counter or set bucket's value (HTTP POST; RESP INCR/INCRBY/DECR, SADD, SREM).
   * `context` is the read a set remove follows (empty: what the coordinator holds); increments and
   * adds need none. Answered with an UpdateResult.
   */
  | ({ readonly op: 'update'; readonly bucket: string; readonly key: string; readonly update: CrdtUpdate; readonly context: VersionVector } & WriteOptions)
  | { readonly op: 'setBucket'; readonly bucket: string; readonly change: unknown }
  | { readonly op: 'getBucket'; readonly bucket: string }
  /**
   * One page of the bucket's live keys, cluster-wide (HTTP ?keys=true; RESP SCAN). `cursor`: from
   * the previous page's KeysResult, absent or null for the first page.
   */
  | { readonly op: 'listKeys'; readonly bucket: string; readonly limit?: number | undefined; readonly cursor?: string | null | undefined }
  /** This node's own copy of a key, for a client that coordinates the read itself (ReplicaReadResult). */
  | { readonly op: 'replicaRead'; readonly bucket: string; readonly key: string }
  /** Merge a whole stored sibling set (versions codec bytes) into the key's replicas: `dynamo restore`. */
  | { readonly op: 'merge'; readonly bucket: string; readonly key: string; readonly set: Uint8Array; readonly w?: number | undefined };

export type CrdtUpdate =
  | { readonly type: 'counter'; readonly increment: number }
  | { readonly type: 'set'; readonly add: readonly string[]; readonly remove: readonly string[] };

/** A counter's total, or a set's elements in ascending (UTF-16 code unit) order. */
export type CrdtValue = { readonly type: 'counter'; readonly value: number } | { readonly type: 'set'; readonly value: readonly string[] };

export type ErrorCode =
  | 'bad_request'
  | 'quorum_failed'
  | 'too_large'
  | 'too_many_siblings'
  /** The operation does not fit the bucket's type (a PUT on a counter, an increment on a set...). */
  | 'wrong_type'
  /** A set would grow past the per-set element cap. */
  | 'too_many_elements'
  | 'overloaded'
  | 'unavailable'
  /** Security on: no, wrong or rate-limited credentials; or a role that does not allow the request. */
  | 'unauthenticated'
  | 'forbidden';

export interface ClientError {
  readonly ok: false;
  readonly error: ErrorCode;
  readonly message: string;
  readonly needed?: number;
  readonly acked?: number;
}

/** A read: `values` are the live siblings (tombstones left out); `context` covers all of them. */
export interface GetResult {
  readonly ok: true;
  readonly op: 'get';
  readonly values: readonly Version[];
  readonly context: VersionVector;
  readonly tombstone: boolean;
  /** The primary replica that answered first with data: send a write that follows this read to it (read-your-writes). */
  readonly fastestReplica?: string;
  /**
   * A counter or set bucket: the merged value (`values` is then empty). Absent when the key was
   * never written (the read is a 404, as for a kv key). RESP GET/SMEMBERS/SISMEMBER/SCARD.
   */
  readonly crdt?: CrdtValue;
}

/**
 * An applied update: the new context, and the value as the coordinator holds it after the update
 * (for RESP INCR's reply); `added`/`removed` count the elements that were (not) there before by
 * the coordinator's view (SADD/SREM's replies).
 */
export interface UpdateResult {
  readonly ok: true;
  readonly op: 'update';
  readonly context: VersionVector;
  readonly value: CrdtValue;
  readonly added: number;
  readonly removed: number;
}

export interface WriteResult {
  readonly ok: true;
  readonly op: 'put' | 'delete';
  readonly context: VersionVector;
}

/**
 * One replica's copy of a key, for client-coordinated reads: the stored sibling set as it is (the
 * versions codec's bytes, null when this node holds nothing for the key), and what the client needs
 * to judge it: whether this node is a primary of the key by its own ring (a client with a stale
 * ring learns here that it asked the wrong node), and the bucket's current n, r and conflict mode.
 */
export interface ReplicaReadResult {
  readonly ok: true;
  readonly op: 'replicaRead';
  readonly primary: boolean;
  readonly set: Uint8Array | null;
  readonly n: number;
  readonly r: number;
  readonly lww: boolean;
}

/** A page of keys, in no meaningful order; `cursor` null after the last page. */
export interface KeysResult {
  readonly ok: true;
  readonly op: 'keys';
  readonly keys: readonly string[];
  readonly cursor: string | null;
}

export interface BucketResult {
  readonly ok: true;
  readonly op: 'bucket';
  readonly bucket: string;
  readonly props: BucketProps;
}

export type ClientResponse = GetResult | WriteResult | UpdateResult | ReplicaReadResult | BucketResult | KeysResult | ClientError;

export function clientError(error: ErrorCode, message: string, extra?: { needed: number; acked: number }): ClientError {
  return extra === undefined ? { ok: false, error, message } : { ok: false, error, message, ...extra };
}
