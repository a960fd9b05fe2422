/**
 * The inter-node message catalogue: one discriminated union, numbered by `type`. Codes are only
 * ever appended (a node must understand every older code), and the envelope carries the protocol
 * version so that a future incompatible change is detected instead of misread.
 *
 * Sibling sets travel as their own compact encoding (`encodeSiblingSet`), so the node never
 * decodes a value it only forwards, and the wire form equals the storage form.
 */
import type { NodeId } from '../core/ids.js';
import type { Membership } from '../core/membership/index.js';
import type { BucketTable } from '../core/buckets/index.js';
import type { UserTable } from '../core/users/index.js';
import type { ClientRequest as ClientRequestWire, ClientResponse as ClientResponseWire } from './requests.js';

/** 2: replica reads and writes carry the key's ring hash. 3: replica writes carry the digest of their base copy. */
export const PROTOCOL_VERSION = 3;

export const MessageType = {
  ReplicaWrite: 1,
  WriteAck: 2,
  ReplicaRead: 3,
  ReadReply: 4,
  Forward: 5,
  ForwardReply: 6,
  Heartbeat: 7,
  Gossip: 8,
  JoinRequest: 9,
  JoinReply: 10,
  Reap: 11,
  TreeRequest: 12,
  TreeReply: 13,
  KeysRequest: 14,
  KeysReply: 15,
  Exchange: 16,
  ExchangeReply: 17,
  ListKeys: 18,
  ListKeysReply: 19,
  UsersDigest: 30,
  UsersSync: 31,
} as const;

/**
 * Store `set` for (bucket, key): merged into the data store, or into the hint store for `hintFor`.
 * `hash` is the key's ring hash (16 bytes, core/ring keyHash), computed once by the sender: every
 * replica would otherwise recompute the same MD5 for every message.
 */
export interface ReplicaWrite {
  readonly type: typeof MessageType.ReplicaWrite;
  readonly id: number;
  readonly hash: Uint8Array;
  readonly bucket: string;
  readonly key: string;
  readonly set: Uint8Array;
  readonly hintFor: NodeId | null;
  /**
   * When set, `set` is the coordinator's update of the copy with this digest (node/base-digest.ts;
   * empty: of no copy), and supersedes it exactly. A replica holding the same copy stores `set` as
   * it is, without decoding either (node/local-store.ts, mergeOnto). Null: merge as usual.
   */
  readonly base: Uint8Array | null;
}

export interface WriteAck {
  readonly type: typeof MessageType.WriteAck;
  readonly id: number;
  readonly ok: boolean;
}

export interface ReplicaRead {
  readonly type: typeof MessageType.ReplicaRead;
  readonly id: number;
  readonly hash: Uint8Array;
  readonly bucket: string;
  readonly key: string;
}

/** `set` is null when the replica holds nothing for the key (neither data nor a hint). */
export interface ReadReply {
  readonly type: typeof MessageType.ReadReply;
  readonly id: number;
  readonly set: Uint8Array | null;
}

/** A client request handed to a node that can coordinate it (a replica of the key). */
export interface Forward {
  readonly type: typeof MessageType.Forward;
  readonly id: number;
  readonly request: ClientRequestWire;
}

export interface ForwardReply {
  readonly type: typeof MessageType.ForwardReply;
  readonly id: number;
  readonly response: ClientResponseWire;
}

/** Sent to every member each heartbeat interval; the digests tell the receiver whether to gossip. */
export interface Heartbeat {
  readonly type: typeof MessageType.Heartbeat;
  readonly membershipDigest: string;
  readonly bucketsDigest: string;
}

/** Push-pull anti-entropy of cluster metadata: the receiver merges and, if `reply`, answers with its own. */
export interface Gossip {
  readonly type: typeof MessageType.Gossip;
  readonly membership: Membership | null;
  readonly buckets: BucketTable;
  readonly reply: boolean;
  /** The sender's cluster id (minted at founding); absent from nodes that have none. */
  readonly clusterId?: string;
}

export interface JoinRequest {
  readonly type: typeof MessageType.JoinRequest;
  readonly spec: MemberSpecWire;
}

/** `membership` null: the asked seed is not in a cluster yet (it is waiting for seeds itself). */
export interface JoinReply {
  readonly type: typeof MessageType.JoinReply;
  readonly membership: Membership | null;
  /** The cluster's id, which the joiner adopts with the membership. */
  readonly clusterId?: string;
  /** The bucket table, adopted with the membership: a joiner must not serve a set or counter bucket as kv until gossip brings it (absent from older peers). */
  readonly buckets?: BucketTable;
}

/** Delete the key if what is stored is still exactly the tombstone with this digest. */
export interface Reap {
  readonly type: typeof MessageType.Reap;
  readonly bucket: string;
  readonly key: string;
  readonly digest: Uint8Array;
}

/**
 * Anti-entropy and partition transfer, one exchange as a conversation: the initiator asks for the
 * child hashes of the tree nodes that still differ, level by level; then for the keys (with their
 * version digests) of the differing leaves; then pushes the sibling sets the peer lacks and asks
 * for the ones it lacks itself. `id` ties replies to the initiator's exchange.
 */
export interface TreeRequest {
  readonly type: typeof MessageType.TreeRequest;
  readonly id: number;
  readonly partition: number;
  /** The replica class: the tree of the partition's keys whose bucket has this n (node/replica-classes.ts). */
  readonly n: number;
  readonly level: number;
  readonly indices: readonly number[];
}

/** For each requested index, its children's hashes concatenated (fanout × 16 bytes). */
export interface TreeReply {
  readonly type: typeof MessageType.TreeReply;
  readonly id: number;
  readonly hashes: readonly Uint8Array[];
}

export interface KeysRequest {
  readonly type: typeof MessageType.KeysRequest;
  readonly id: number;
  readonly partition: number;
  readonly n: number;
  readonly leaves: readonly number[];
}

/** [bucket, key, digest of the stored sibling set] for every key the replier holds in those leaves. */
export interface KeysReply {
  readonly type: typeof MessageType.KeysReply;
  readonly id: number;
  readonly entries: readonly (readonly [string, string, Uint8Array])[];
}

/** Sets the initiator pushes ([bucket, key, encoded set]), and keys whose sets it wants back. */
export interface Exchange {
  readonly type: typeof MessageType.Exchange;
  readonly id: number;
  readonly push: readonly (readonly [string, string, Uint8Array])[];
  readonly want: readonly (readonly [string, string])[];
}

export interface ExchangeReply {
  readonly type: typeof MessageType.ExchangeReply;
  readonly id: number;
  readonly sets: readonly (readonly [string, string, Uint8Array])[];
}

/**
 * Key listing: the live keys of `bucket` in one partition, in storage order, after the data key
 * `after` (null: from the partition's start), at most `limit` of them (key-listing.ts).
 */
export interface ListKeys {
  readonly type: typeof MessageType.ListKeys;
  readonly id: number;
  readonly bucket: string;
  readonly partition: number;
  readonly after: Uint8Array | null;
  readonly limit: number;
}

/** `resumeAfter`: the last data key the replica looked at when it stopped early; null when it reached the partition's end. */
export interface ListKeysReply {
  readonly type: typeof MessageType.ListKeysReply;
  readonly id: number;
  readonly keys: readonly string[];
  readonly resumeAfter: Uint8Array | null;
}

/** The users table's digest, sent every gossip interval (node/users-agent.ts). */
export interface UsersDigest {
  readonly type: typeof MessageType.UsersDigest;
  readonly digest: string;
}

/** A whole users table, validated in depth on arrival (core/users parseUserTable); `reply`: answer with yours. */
export interface UsersSync {
  readonly type: typeof MessageType.UsersSync;
  readonly users: UserTable;
  readonly reply: boolean;
}

export type PeerMessage =
  | ReplicaWrite
  | WriteAck
  | ReplicaRead
  | ReadReply
  | Forward
  | ForwardReply
  | Heartbeat
  | Gossip
  | JoinRequest
  | JoinReply
  | Reap
  | TreeRequest
  | TreeReply
  | KeysRequest
  | KeysReply
  | Exchange
  | ExchangeReply
  | ListKeys
  | ListKeysReply
  | UsersDigest
  | UsersSync;

/** What travels in one frame. `from` is the sender's node id. */
export interface Envelope {
  readonly v: number;
  readonly from: NodeId;
  readonly body: PeerMessage;
}

export interface MemberSpecWire {
  readonly id: NodeId;
  readonly address: string;
  readonly httpAddress: string;
  readonly clientAddress: string | null;
  readonly weight: number;
}

