import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeEnvelope, encodeEnvelope, ProtocolError } from './codec.js';
import { MessageType, PROTOCOL_VERSION, type PeerMessage } from './messages.js';

const text = fc.string({ maxLength: 40 });
const bytes = fc.uint8Array({ maxLength: 300 });
const id = fc.integer({ min: 0, max: 0x7fffffff });
const hot: fc.Arbitrary<PeerMessage> = fc.oneof(
  fc.record({ type: fc.constant(MessageType.ReplicaWrite), id, hash: fc.uint8Array({ minLength: 16, maxLength: 16 }), bucket: text, key: text, set: bytes, hintFor: fc.option(fc.string({ minLength: 1, maxLength: 20 }), { nil: null }), base: fc.option(fc.uint8Array({ maxLength: 16 }), { nil: null }) }),
  fc.record({ type: fc.constant(MessageType.WriteAck), id, ok: fc.boolean() }),
  fc.record({ type: fc.constant(MessageType.ReplicaRead), id, hash: fc.uint8Array({ minLength: 16, maxLength: 16 }), bucket: text, key: text }),
  fc.record({ type: fc.constant(MessageType.ReadReply), id, set: fc.option(bytes, { nil: null }) }),
);
/** Plain data for comparison: byte arrays (Buffer or Uint8Array) become number arrays. */
function normalize(x: unknown): unknown {
  if (x instanceof Uint8Array) return [...x];
  if (Array.isArray(x)) return x.map(normalize);
  if (typeof x === 'object' && x !== null) return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, normalize(v)]));
  return x;
}

test('every message round-trips through the codec (hot layout and msgpack)', () => {
  fc.assert(
    fc.property(hot, fc.string({ minLength: 1, maxLength: 30 }), (body, from) => {
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
