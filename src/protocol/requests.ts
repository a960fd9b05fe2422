/**
 * Client operations as plain data: what the HTTP API, the binary client protocol and a forwarding
 * node hand to a coordinator, and what comes back. Errors are values with a stable code; the API
 * edge maps them to status codes (see api/errors.ts).
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
  | { readonly op: 'setBucket'; readonly bucket: string; readonly change: unknown }
  | { readonly op: 'getBucket'; readonly bucket: string }
  /** This node's own copy of a key, for a client that coordinates the read itself (ReplicaReadResult). */
  | { readonly op: 'replicaRead'; readonly bucket: string; readonly key: string }
  /** Merge a whole stored sibling set (versions codec bytes) into the key's replicas: `dynamo restore`. */
  | { readonly op: 'merge'; readonly bucket: string; readonly key: string; readonly set: Uint8Array; readonly w?: number | undefined };

export type ErrorCode =
  | 'bad_request'
  | 'quorum_failed'
  | 'too_large'
  | 'too_many_siblings'
  | 'overloaded'
  | 'unavailable';

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

export interface BucketResult {
  readonly ok: true;
  readonly op: 'bucket';
  readonly bucket: string;
  readonly props: BucketProps;
}

export type ClientResponse = GetResult | WriteResult | ReplicaReadResult | BucketResult | ClientError;

export function clientError(error: ErrorCode, message: string, extra?: { needed: number; acked: number }): ClientError {
  return extra === undefined ? { ok: false, error, message } : { ok: false, error, message, ...extra };
}
