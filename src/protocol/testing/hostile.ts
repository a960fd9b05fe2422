/**
 * Structure-aware fuzzing of the peer protocol: fast-check generators of envelopes of every
 * message type as a stranger would craft them. Each starts as a well-formed message built over
 * the receiving cluster's real world (its member ids, its membership table, its buckets, keys whose
 * hashes are right), then one field somewhere inside it (at any depth: a member's weight, one
 * bucket entry, one index of a tree request, the bytes of a sibling set) is replaced by a hostile
 * value of the right or the wrong type. Frames are msgpack of the envelope, as the codec sends
 * every message; the hot layout gets bit flips and truncations of valid frames.
 *
 * Shared by the simulator fuzz test (node/fuzz/peer-fuzz.test.ts) and the one that sends the same
 * frames to real node processes over TCP.
 */
import fc from 'fast-check';
import { Packr } from 'msgpackr';
import type { BucketTable } from '../../core/buckets/index.js';
import type { Membership } from '../../core/membership/index.js';
import { keyHash } from '../../core/ring/index.js';
import { encodeSiblingSet } from '../../core/versions/index.js';
import { siblingSetArb } from '../../core/versions/testing/arbitraries.js';
import { encodeEnvelope } from '../codec.js';
import { MessageType, PROTOCOL_VERSION, type PeerMessage } from '../messages.js';

const packr = new Packr({ useRecords: false, moreTypes: false, int64AsType: 'number' });

/** What the generated messages are made of: the receiving cluster as it is. */
export interface FuzzWorld {
  readonly memberIds: readonly string[];
  /** Gossip and join replies carry this table as it is; mutations make it hostile. */
  readonly membership: Membership;
  readonly buckets: BucketTable;
  readonly bucketNames: readonly string[];
}

const HUGE = 'x'.repeat(70_000);

/** Values a careless or malicious peer puts where something else belongs. */
export const hostileValueArb: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(null, undefined, true, false, 0, -1, -0, 0.5, NaN, Infinity, -Infinity, 2 ** 31, 2 ** 32, 2 ** 53, -(2 ** 53), Number.MAX_VALUE),
  fc.constantFrom<unknown>('', ' ', '\u0000', HUGE, {}, [], [null], [[]], { x: null }, { props: null }, [0, 0, 0]),
  fc.string({ maxLength: 20 }),
  fc.integer(),
  fc.double(),
  fc.uint8Array({ maxLength: 40 }),
  fc.array(fc.constantFrom<unknown>(null, 0, -1, '', {}, NaN), { maxLength: 4 }),
);

const keyArb = fc.oneof(fc.constantFrom('k1', 'k2', 'cart', 'a/b'), fc.string({ minLength: 1, maxLength: 12 }));

function setBytesArb(): fc.Arbitrary<Uint8Array> {
  return siblingSetArb.map(encodeSiblingSet);
}

/** A well-formed message of every type over the world. */
export function validMessageArb(world: FuzzWorld): fc.Arbitrary<PeerMessage> {
  const id = fc.integer({ min: 0, max: 0x7fff_ffff });
  const bucket = fc.constantFrom(...world.bucketNames);
  const node = fc.constantFrom(...world.memberIds);
  const identity = fc.record({ bucket, key: keyArb }).map(({ bucket: b, key: k }) => ({ bucket: b, key: k, hash: keyHash(b, k) }));
  const digest = fc.uint8Array({ minLength: 8, maxLength: 16 });
  const triple = fc.tuple(bucket, keyArb, setBytesArb());
  return fc.oneof(
    fc.record({ id, identity, set: setBytesArb(), hintFor: fc.option(node, { nil: null }), base: fc.option(fc.uint8Array({ maxLength: 16 }), { nil: null }) }).map(
      ({ identity: i, ...rest }) => ({ type: MessageType.ReplicaWrite, ...i, ...rest }) as PeerMessage,
    ),
    fc.record({ id, ok: fc.boolean() }).map((b) => ({ type: MessageType.WriteAck, ...b }) as PeerMessage),
    fc.record({ id, identity }).map(({ id: i, identity: x }) => ({ type: MessageType.ReplicaRead, id: i, ...x }) as PeerMessage),
    fc.record({ id, set: fc.option(setBytesArb(), { nil: null }) }).map((b) => ({ type: MessageType.ReadReply, ...b }) as PeerMessage),
    fc.record({ id, key: keyArb, bucket }).map(({ id: i, key, bucket: b }) => ({ type: MessageType.Forward, id: i, request: { op: 'get', bucket: b, key } }) as PeerMessage),
    fc.record({ id }).map(({ id: i }) => ({ type: MessageType.ForwardReply, id: i, response: { ok: true, op: 'put', context: [['n1', 1]] } }) as PeerMessage),
    fc.record({ membershipDigest: fc.string({ maxLength: 32 }), bucketsDigest: fc.string({ maxLength: 32 }) }).map((b) => ({ type: MessageType.Heartbeat, ...b }) as PeerMessage),
    fc.boolean().map((reply) => ({ type: MessageType.Gossip, membership: world.membership, buckets: world.buckets, reply }) as PeerMessage),
    // Joins of strangers only: a well-formed join or gossip that names an existing member is a
    // forgery that only peer authentication can refuse (mutual TLS), not a malformed message.
    fc.record({ id: fc.constantFrom('j1', 'j2', 'stranger-node'), weight: fc.double({ min: 0.1, max: 10, noNaN: true }) }).map(
      ({ id: i, weight }) => ({ type: MessageType.JoinRequest, spec: { id: i, address: `${i}:7000`, httpAddress: `${i}:8000`, clientAddress: null, weight } }) as PeerMessage,
    ),
    fc.constant({ type: MessageType.JoinReply, membership: world.membership } as PeerMessage),
    fc.record({ bucket, key: keyArb, digest }).map((b) => ({ type: MessageType.Reap, ...b }) as PeerMessage),
    fc.record({ id, partition: fc.nat(world.membership.partitions - 1), n: fc.integer({ min: 1, max: world.membership.replicas }), level: fc.nat(2), indices: fc.array(fc.nat(255), { maxLength: 4 }) }).map(
      (b) => ({ type: MessageType.TreeRequest, ...b }) as PeerMessage,
    ),
    fc.record({ id, hashes: fc.array(fc.uint8Array({ minLength: 256, maxLength: 256 }), { maxLength: 2 }) }).map((b) => ({ type: MessageType.TreeReply, ...b }) as PeerMessage),
    fc.record({ id, partition: fc.nat(world.membership.partitions - 1), n: fc.integer({ min: 1, max: world.membership.replicas }), leaves: fc.array(fc.nat(4095), { maxLength: 4 }) }).map((b) => ({ type: MessageType.KeysRequest, ...b }) as PeerMessage),
    fc.record({ id, entries: fc.array(fc.tuple(bucket, keyArb, digest), { maxLength: 3 }) }).map((b) => ({ type: MessageType.KeysReply, ...b }) as PeerMessage),
    fc.record({ id, push: fc.array(triple, { maxLength: 3 }), want: fc.array(fc.tuple(bucket, keyArb), { maxLength: 3 }) }).map((b) => ({ type: MessageType.Exchange, ...b }) as PeerMessage),
    fc.record({ id, sets: fc.array(triple, { maxLength: 3 }) }).map((b) => ({ type: MessageType.ExchangeReply, ...b }) as PeerMessage),
    fc.record({ id, bucket, partition: fc.nat(world.membership.partitions - 1), after: fc.constant(null), limit: fc.integer({ min: 1, max: 100 }) }).map(
      (b) => ({ type: MessageType.ListKeys, ...b }) as PeerMessage,
    ),
    fc.record({ id, keys: fc.array(keyArb, { maxLength: 4 }), resumeAfter: fc.constant(null) }).map((b) => ({ type: MessageType.ListKeysReply, ...b }) as PeerMessage),
  );
}

/** Every place inside a value a mutation can replace (objects and arrays, not the bytes of a Uint8Array). */
function paths(value: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  if (value === null || typeof value !== 'object' || value instanceof Uint8Array) return out;
  const keys = Array.isArray(value) ? value.map((_, i) => i) : Object.keys(value);
  for (const k of keys) {
    const path = [...prefix, k];
    out.push(path);
    paths((value as Record<string | number, unknown>)[k], path, out);
  }
  return out;
}

function cloneReplacing(value: unknown, path: readonly (string | number)[], replacement: unknown): unknown {
  if (path.length === 0) return replacement;
  const [head, ...rest] = path;
  if (Array.isArray(value)) {
    const copy = [...(value as unknown[])];
    copy[head as number] = cloneReplacing(copy[head as number], rest, replacement);
    return copy;
  }
  const copy = { ...(value as Record<string, unknown>) };
  copy[head as string] = cloneReplacing(copy[head as string], rest, replacement);
  return copy;
}

/** A value from `valid` with one field, at any depth, replaced by a hostile value (never a top-level field named in `keep`). */
export function mutatedArb<T>(valid: fc.Arbitrary<T>, keep: readonly string[] = []): fc.Arbitrary<unknown> {
  return fc.tuple(valid, fc.nat(), hostileValueArb).map(([value, pick, replacement]) => {
    const candidates = paths(value).filter((p) => !(p.length === 1 && keep.includes(String(p[0]))));
    if (candidates.length === 0) return value;
    return cloneReplacing(value, candidates[pick % candidates.length]!, replacement);
  });
}

/** A well-formed message with one field, at any depth, replaced by a hostile value (never the type tag). */
export function hostileMessageArb(world: FuzzWorld): fc.Arbitrary<unknown> {
  return mutatedArb(validMessageArb(world), ['type']);
}

/** Client requests of every operation as the API takes them, well-formed. */
export function validClientRequestArb(bucketNames: readonly string[]): fc.Arbitrary<Record<string, unknown>> {
  const bucket = fc.constantFrom(...bucketNames);
  const context = fc.array(fc.tuple(fc.constantFrom('n1', 'n2', 'n3'), fc.integer({ min: 1, max: 5 })), { maxLength: 2 }).map((v) => [...new Map(v)].sort((a, b) => (a[0] < b[0] ? -1 : 1)));
  return fc.oneof(
    fc.record({ op: fc.constant('get'), bucket, key: keyArb, r: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }), strict: fc.option(fc.boolean(), { nil: undefined }) }, { requiredKeys: ['op', 'bucket', 'key'] }),
    fc.record({ op: fc.constant('put'), bucket, key: keyArb, value: fc.uint8Array({ maxLength: 64 }), context, w: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }) }, { requiredKeys: ['op', 'bucket', 'key', 'value', 'context'] }),
    fc.record({ op: fc.constant('delete'), bucket, key: keyArb, context }),
    fc.record({ op: fc.constant('setBucket'), bucket, change: fc.record({ n: fc.integer({ min: 1, max: 3 }), conflict: fc.constantFrom('siblings', 'lww') }) }),
    fc.record({ op: fc.constant('getBucket'), bucket }),
    fc.record({ op: fc.constant('replicaRead'), bucket, key: keyArb }),
    fc.record({ op: fc.constant('update'), bucket, key: keyArb, context, update: fc.oneof(fc.record({ type: fc.constant('counter'), increment: fc.integer() }), fc.record({ type: fc.constant('set'), add: fc.array(fc.string(), { maxLength: 3 }), remove: fc.array(fc.string(), { maxLength: 2 }) })) }),
    fc.record({ op: fc.constant('listKeys'), bucket, limit: fc.integer({ min: 1, max: 100 }) }),
    fc.record({ op: fc.constant('put'), bucket, key: keyArb, value: fc.uint8Array({ maxLength: 16 }), context, ttlMs: fc.integer({ min: 0, max: 10_000_000 }) }),
  ) as fc.Arbitrary<Record<string, unknown>>;
}

export type HostileFrame = { readonly kind: 'frame'; readonly from: string; readonly bytes: Uint8Array };

const senderArb = (world: FuzzWorld): fc.Arbitrary<unknown> =>
  fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...world.memberIds) }, { weight: 1, arbitrary: fc.constantFrom<unknown>('stranger', '', HUGE, 7, null) }, { weight: 1, arbitrary: fc.string({ maxLength: 10 }) });

/**
 * One frame as it arrives on a peer port: msgpack of an envelope whose body is hostile (or, one time
 * in ten, valid), or a valid hot-layout frame with a bit flipped or cut short.
 */
export function hostileFrameArb(world: FuzzWorld): fc.Arbitrary<HostileFrame> {
  const msgpack = fc.record({ from: senderArb(world), body: fc.oneof({ weight: 9, arbitrary: hostileMessageArb(world) }, { weight: 1, arbitrary: validMessageArb(world) }) }).map(({ from, body }) => ({
    kind: 'frame' as const,
    from: typeof from === 'string' ? from : 'stranger',
    bytes: packr.pack({ v: PROTOCOL_VERSION, from, body }),
  }));
  const hot = fc
    .record({ from: fc.constantFrom(...world.memberIds), body: validMessageArb(world), flip: fc.nat(), cut: fc.option(fc.nat(), { nil: null }) })
    .filter(({ body }) => body.type <= MessageType.ReadReply)
    .map(({ from, body, flip, cut }) => {
      const bytes = Buffer.from(encodeEnvelope({ v: PROTOCOL_VERSION, from, body }));
      if (cut !== null) return { kind: 'frame' as const, from, bytes: bytes.subarray(0, cut % bytes.length) };
      bytes[flip % bytes.length]! ^= 1 << flip % 8;
      return { kind: 'frame' as const, from, bytes };
    });
  return fc.oneof({ weight: 5, arbitrary: msgpack }, { weight: 1, arbitrary: hot });
}
