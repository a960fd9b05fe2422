import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Packr } from 'msgpackr';
import { decodeEnvelope, encodeEnvelope, ProtocolError } from './codec.js';
import { MessageType, PROTOCOL_VERSION, type PeerMessage } from './messages.js';
import { hostileMessageArb, validMessageArb, type FuzzWorld } from './testing/hostile.js';
import { DEFAULT_BUCKET_PROPS } from '../core/buckets/index.js';
import { newCluster } from '../core/membership/index.js';

const world: FuzzWorld = {
  memberIds: ['n1', 'n2', 'n3'],
  membership: newCluster({ id: 'n1', address: 'n1:7000', httpAddress: 'n1:8000', clientAddress: null, weight: 1 }, 64, 3),
  buckets: { carts: { props: DEFAULT_BUCKET_PROPS, updatedAtMs: 5, updatedBy: 'n1' } },
  bucketNames: ['carts', 'b'],
};
const any = validMessageArb(world);
const packr = new Packr({ useRecords: false, moreTypes: false, int64AsType: 'number' });
const hot = any.filter((m) => m.type <= MessageType.ReadReply);
/** Plain data for comparison: byte arrays (Buffer or Uint8Array) become number arrays. */
function normalize(x: unknown): unknown {
  if (x instanceof Uint8Array) return [...x];
  if (Array.isArray(x)) return x.map(normalize);
  if (typeof x === 'object' && x !== null) return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, normalize(v)]));
  return x;
}

test('every message round-trips through the codec (hot layout and msgpack)', () => {
  fc.assert(
    fc.property(any, fc.string({ minLength: 1, maxLength: 30 }), (body, from) => {
      const decoded = decodeEnvelope(encodeEnvelope({ v: PROTOCOL_VERSION, from, body }));
      assert.deepEqual(normalize(decoded), normalize({ v: PROTOCOL_VERSION, from, body }));
    }),
  );
  const gossip: PeerMessage = { type: MessageType.Reap, bucket: 'b', key: 'k', digest: new Uint8Array([1, 2]) };
  assert.deepEqual(normalize(decodeEnvelope(encodeEnvelope({ v: PROTOCOL_VERSION, from: 'n1', body: gossip }))), normalize({ v: PROTOCOL_VERSION, from: 'n1', body: gossip }));
});

test('garbage, truncated and bit-flipped frames are rejected with ProtocolError and nothing else', () => {
  fc.assert(
    fc.property(hot, fc.nat(), fc.nat(), (body, cut, flip) => {
      const frame = Buffer.from(encodeEnvelope({ v: PROTOCOL_VERSION, from: 'n1', body }));
      const variants = [frame.subarray(0, cut % frame.length), Buffer.from(frame)];
      variants[1]![flip % frame.length]! ^= 1 << flip % 8;
      for (const v of variants) {
        try {
          decodeEnvelope(v);
        } catch (err) {
          assert.ok(err instanceof ProtocolError, `unexpected ${String(err)}`);
        }
      }
    }),
  );
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 64 }), (junk) => {
      try {
        decodeEnvelope(junk);
      } catch (err) {
        assert.ok(err instanceof ProtocolError, `unexpected ${String(err)}`);
      }
    }),
  );
});

test('hostile message bodies are refused with ProtocolError naming the problem, never another error', () => {
  let refused = 0;
  fc.assert(
    fc.property(hostileMessageArb(world), (body) => {
      try {
        decodeEnvelope(packr.pack({ v: PROTOCOL_VERSION, from: 'n2', body }));
      } catch (err) {
        assert.ok(err instanceof ProtocolError, `unexpected ${String(err)}`);
        assert.match(err.message, /malformed message/);
        refused++;
      }
    }),
    { numRuns: 2000 },
  );
  assert.ok(refused > 1000, `most hostile bodies are refused (${refused} of 2000)`);
});

test('the messages that once crashed or corrupted a node are refused at the decoder', () => {
  const refuse = (body: unknown, from = 'n2'): string => {
    try {
      decodeEnvelope(packr.pack({ v: PROTOCOL_VERSION, from, body }));
    } catch (err) {
      assert.ok(err instanceof ProtocolError);
      return err.message;
    }
    return assert.fail(`accepted ${JSON.stringify(body)}`);
  };
  const member = { id: 'n1', address: 'n1:7000', httpAddress: 'n1:8000', clientAddress: null, weight: 1, state: 'up', joinedEpoch: 0, leftEpoch: null, version: 1 };
  const gossip = (extra: object) => ({ type: MessageType.Gossip, membership: null, buckets: {}, reply: false, ...extra });
  assert.match(refuse(gossip({ buckets: { x: null } })), /bucket "x"/);
  assert.match(refuse(gossip({ buckets: { x: { props: { n: 0, r: 1, w: 1, conflict: 'siblings', strict: false }, updatedAtMs: 1, updatedBy: 'n1' } } })), /positive integer/);
  assert.match(refuse(gossip({ buckets: { x: { props: { w: 0 }, updatedAtMs: 1, updatedBy: 'n1' } } })), /positive integer/);
  assert.match(refuse({ type: MessageType.JoinRequest, spec: { ...member, id: '' } }), /member id/);
  assert.match(refuse({ type: MessageType.JoinRequest, spec: { ...member, weight: Infinity } }), /finite weight/);
  assert.match(refuse(gossip({ membership: { partitions: 64, replicas: 3, members: [{ ...member, weight: -1 }] } })), /finite weight/);
  assert.match(refuse(gossip({ membership: { partitions: 63, replicas: 3, members: [member] } })), /partition count/);
  assert.match(refuse(gossip({ membership: { partitions: 64, replicas: 3, members: [member, { ...member, id: 'n2' }] } })), /share the address/);
  assert.match(refuse({ type: MessageType.TreeRequest, id: 1, partition: 0, n: 3, level: 0, indices: [-1] }), /index/);
  assert.match(refuse({ type: MessageType.TreeRequest, id: 1, partition: 0, n: 0, level: 0, indices: [] }), /bad tree request/);
  assert.match(refuse({ type: MessageType.ReplicaRead, id: 1, hash: new Uint8Array(16), bucket: 'b', key: 'k' }), /hash is not the hash/);
  assert.match(refuse({ type: MessageType.Exchange, id: 1, push: [['b', 'k', new Uint8Array([9, 9])]], want: [] }), /sibling set/);
  assert.match(refuse({ type: MessageType.Reap, bucket: 'b', key: 'k', digest: new Uint8Array(1) }, ''), /sender/);
});
