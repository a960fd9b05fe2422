/**
 * The wall around the node for peer messages: every field of every message type is checked in
 * depth here, where a frame is decoded, so that nothing past the codec trusts a raw value. Ids and
 * names are bounded (core/limits.ts), numbers are whole and in range, a key's ring hash is the hash
 * of its key, membership tables and bucket tables go through their one parser, forwarded client
 * requests through the client validator, and every sibling set is decoded and checked against the
 * version invariants before it can reach a store.
 *
 * What depends on the receiver's state (a partition below its Q, a tree level within its Merkle
 * shape, a bucket's n against its ring's N) is checked again where that state lives; here the
 * bounds are the ones no ring can exceed.
 *
 * Returns the first problem as a sentence (the runtime logs it with the message type and sender
 * and counts it), or null with the message possibly normalised (parsed tables replace raw ones).
 */
import { parseBucketTable } from '../core/buckets/index.js';
import { BUCKET_BYTES_MAX, KEY_BYTES_MAX, MESSAGE_ITEMS_MAX, REPLICAS_MAX } from '../core/limits.js';
import { isNodeId, memberSpecProblem, parseMembershipOrProblem } from '../core/membership/index.js';
import { MAX_LEAF_BITS } from '../core/merkle/shape.js';
import { keyHash, MAX_PARTITIONS } from '../core/ring/index.js';
import { parseUserTable } from '../core/users/index.js';
import { decodeSiblingSet } from '../core/versions/index.js';
import { MessageType, type PeerMessage } from './messages.js';
import { validateClientResponse } from './validate-response.js';
import { validateClientRequest } from './validate-request.js';

/** Digests travel as hex strings (heartbeats) or bytes (Merkle leaves, reaps); none is longer. */
const DIGEST_BYTES_MAX = 64;
/** Keys one list step may ask for (the node's own limit is lower; it checks again). */
const LIST_ITEMS_MAX = MESSAGE_ITEMS_MAX;
/** A data key: tag, hash, and the length-prefixed bucket and key. */
const STORAGE_KEY_BYTES_MAX = 1 + 16 + 2 + BUCKET_BYTES_MAX + 2 + KEY_BYTES_MAX;
/** One request or reply id: the operation counter wraps below 2^31, the hot layout carries a u32. */
const ID_MAX = 0xffff_ffff;

type Body = Record<string, unknown>;
type Check = (m: Body) => string | null;

const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const isId = (x: unknown): boolean => typeof x === 'number' && Number.isInteger(x) && x >= 0 && x <= ID_MAX;
const isBytes = (x: unknown): x is Uint8Array => x instanceof Uint8Array;
const isDigest = (x: unknown): boolean => isBytes(x) && x.length <= DIGEST_BYTES_MAX;
/** A replica class: the n of the buckets a Merkle tree covers (node/replica/replica-classes.ts). */
const isReplicaClass = (x: unknown): boolean => typeof x === 'number' && Number.isInteger(x) && x >= 1 && x <= REPLICAS_MAX;
/** Minted at founding (security): absent on clusters of older nodes. */
const isClusterId = (x: unknown): boolean => x === undefined || (typeof x === 'string' && x.length > 0 && x.length <= 64);
const isIndex = (x: unknown, max: number): boolean => typeof x === 'number' && Number.isInteger(x) && x >= 0 && x < max;

function bounded(x: unknown, maxBytes: number): x is string {
  return typeof x === 'string' && x.length > 0 && x.length <= maxBytes && Buffer.byteLength(x, 'utf8') <= maxBytes;
}

function nameProblem(bucket: unknown, key: unknown): string | null {
  if (!bounded(bucket, BUCKET_BYTES_MAX)) return `a bucket name must be 1..${BUCKET_BYTES_MAX} bytes`;
  if (!bounded(key, KEY_BYTES_MAX)) return `a key must be 1..${KEY_BYTES_MAX} bytes`;
  return null;
}

/** The key's identity, with the hash the sender computed checked against the key it names. */
function identityProblem(m: Body): string | null {
  const names = nameProblem(m.bucket, m.key);
  if (names !== null) return names;
  if (!isBytes(m.hash) || m.hash.length !== 16) return 'a key hash must be 16 bytes';
  if (Buffer.compare(m.hash, keyHash(m.bucket as string, m.key as string)) !== 0) return 'the key hash is not the hash of the key';
  return null;
}

function setProblem(x: unknown): string | null {
  if (!isBytes(x)) return 'a sibling set must be bytes';
  try {
    decodeSiblingSet(x);
    return null;
  } catch (err) {
    return (err as Error).message;
  }
}

function listProblem(x: unknown, what: string, each: (item: unknown) => string | null): string | null {
  if (!Array.isArray(x)) return `${what} is not a list`;
  if (x.length > MESSAGE_ITEMS_MAX) return `${what} has ${x.length} items, more than ${MESSAGE_ITEMS_MAX}`;
  for (const item of x) {
    const problem = each(item);
    if (problem !== null) return `${what}: ${problem}`;
  }
  return null;
}

function tupleProblem(x: unknown, third: ((v: unknown) => string | null) | null): string | null {
  if (!Array.isArray(x) || x.length !== (third === null ? 2 : 3)) return 'an entry has the wrong arity';
  return nameProblem(x[0], x[1]) ?? (third === null ? null : third(x[2]));
}

const entryWithDigest = (x: unknown): string | null => tupleProblem(x, (d) => (isDigest(d) ? null : 'a digest is malformed'));
const entryWithSet = (x: unknown): string | null => tupleProblem(x, setProblem);
const entryName = (x: unknown): string | null => tupleProblem(x, null);

const treeIndex = (x: unknown): string | null => (isIndex(x, 2 ** MAX_LEAF_BITS) ? null : 'an index is out of range');

function membershipProblem(x: unknown): string | null {
  return x === null ? null : parseMembershipOrProblem(x).problem;
}

function optionalCheck(ok: boolean, problem: string): string | null {
  return ok ? null : problem;
}

const CHECKS: Record<PeerMessage['type'], Check> = {
  [MessageType.ReplicaWrite]: (m) =>
    optionalCheck(isId(m.id), 'bad id') ??
    identityProblem(m) ??
    optionalCheck(m.hintFor === null || isNodeId(m.hintFor), 'a hint target must be a node id') ??
    optionalCheck(m.base === null || (isBytes(m.base) && m.base.length <= 255), 'a base digest is malformed') ??
    setProblem(m.set),
  [MessageType.WriteAck]: (m) => optionalCheck(isId(m.id) && typeof m.ok === 'boolean', 'bad ack'),
  [MessageType.ReplicaRead]: (m) => optionalCheck(isId(m.id), 'bad id') ?? identityProblem(m),
  [MessageType.ReadReply]: (m) => optionalCheck(isId(m.id), 'bad id') ?? (m.set === null ? null : setProblem(m.set)),
  [MessageType.Forward]: (m) => {
    if (!isId(m.id)) return 'bad id';
    const request = validateClientRequest(m.request);
    return typeof request === 'string' ? `forwarded request: ${request}` : null;
  },
  [MessageType.ForwardReply]: (m) => optionalCheck(isId(m.id), 'bad id') ?? validateClientResponse(m.response),
  [MessageType.Heartbeat]: (m) =>
    optionalCheck(typeof m.membershipDigest === 'string' && m.membershipDigest.length <= DIGEST_BYTES_MAX * 2, 'bad membership digest') ??
    optionalCheck(typeof m.bucketsDigest === 'string' && m.bucketsDigest.length <= DIGEST_BYTES_MAX * 2, 'bad buckets digest'),
  [MessageType.Gossip]: (m) => {
    if (typeof m.reply !== 'boolean') return 'gossip without a reply flag';
    if (!isClusterId(m.clusterId)) return 'gossip with a malformed cluster id';
    const membership = membershipProblem(m.membership);
    if (membership !== null) return membership;
    const { refused } = parseBucketTable(m.buckets, REPLICAS_MAX);
    return refused.length === 0 ? null : `bucket table: ${refused[0]!}`;
  },
  [MessageType.JoinRequest]: (m) => (isRecord(m.spec) ? memberSpecProblem(m.spec) : 'a join request without a member spec'),
  [MessageType.JoinReply]: (m) => {
    const problem = optionalCheck(isClusterId(m.clusterId), 'a join reply with a malformed cluster id') ?? membershipProblem(m.membership);
    if (problem !== null || m.buckets === undefined) return problem;
    const { refused } = parseBucketTable(m.buckets, REPLICAS_MAX);
    return refused.length === 0 ? null : `bucket table: ${refused[0]!}`;
  },
  [MessageType.Reap]: (m) => nameProblem(m.bucket, m.key) ?? optionalCheck(isDigest(m.digest), 'a reap digest is malformed'),
  [MessageType.TreeRequest]: (m) =>
    optionalCheck(isId(m.id) && isIndex(m.partition, MAX_PARTITIONS) && isReplicaClass(m.n) && isIndex(m.level, MAX_LEAF_BITS), 'bad tree request') ??
    listProblem(m.indices, 'indices', treeIndex),
  [MessageType.TreeReply]: (m) =>
    optionalCheck(isId(m.id), 'bad id') ??
    listProblem(m.hashes, 'hashes', (h) => (isBytes(h) && h.length % 16 === 0 && h.length <= 16 * 2 ** 8 ? null : 'a hash list is malformed')),
  [MessageType.KeysRequest]: (m) =>
    optionalCheck(isId(m.id) && isIndex(m.partition, MAX_PARTITIONS) && isReplicaClass(m.n), 'bad keys request') ?? listProblem(m.leaves, 'leaves', treeIndex),
  [MessageType.KeysReply]: (m) => optionalCheck(isId(m.id), 'bad id') ?? listProblem(m.entries, 'entries', entryWithDigest),
  [MessageType.Exchange]: (m) =>
    optionalCheck(isId(m.id), 'bad id') ?? listProblem(m.push, 'push', entryWithSet) ?? listProblem(m.want, 'want', entryName),
  [MessageType.ExchangeReply]: (m) => optionalCheck(isId(m.id), 'bad id') ?? listProblem(m.sets, 'sets', entryWithSet),
  [MessageType.UsersDigest]: (m) => optionalCheck(typeof m.digest === 'string' && m.digest.length <= DIGEST_BYTES_MAX * 2, 'a malformed users digest'),
  [MessageType.UsersSync]: (m) =>
    optionalCheck(typeof m.reply === 'boolean', 'a users sync without a reply flag') ?? optionalCheck(parseUserTable(m.users) !== null, 'a malformed users table'),
  [MessageType.ListKeys]: (m) =>
    optionalCheck(isId(m.id) && isIndex(m.partition, MAX_PARTITIONS) && isIndex(m.limit, LIST_ITEMS_MAX + 1) && (m.limit as number) >= 1, 'bad list request') ??
    nameProblem(m.bucket, 'k') ??
    optionalCheck(m.after === null || (isBytes(m.after) && m.after.length <= STORAGE_KEY_BYTES_MAX), 'a list cursor is malformed'),
  [MessageType.ListKeysReply]: (m) =>
    optionalCheck(isId(m.id), 'bad id') ??
    listProblem(m.keys, 'keys', (k) => (bounded(k, KEY_BYTES_MAX) ? null : 'a listed key is malformed')) ??
    optionalCheck(m.resumeAfter === null || (isBytes(m.resumeAfter) && m.resumeAfter.length <= STORAGE_KEY_BYTES_MAX), 'a list cursor is malformed'),
};

/** The first thing wrong with a message body from a peer, or null when every field holds. */
export function peerMessageProblem(body: unknown): string | null {
  if (!isRecord(body)) return 'the message is not an object';
  const type = body.type;
  if (typeof type !== 'number' || !Object.prototype.hasOwnProperty.call(CHECKS, type)) return `unknown message type ${String(type)}`;
  return CHECKS[type as PeerMessage['type']](body);
}

export function senderProblem(from: unknown): string | null {
  return isNodeId(from) ? null : 'the sender is not a node id';
}
