import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeSiblingSet, encodeSiblingSet } from './codec.js';
import { VersionDecodeError } from './errors.js';
import { equalSets, fresh, update, type SiblingSet } from './sibling-set.js';
import { tombstone, version } from './value.js';
import { siblingSetArb } from './testing/arbitraries.js';
import { threeSetsArb } from './testing/world.js';

const anySet = fc.oneof(siblingSetArb, threeSetsArb().map((t) => t[0]));

/** Decoding must either succeed or throw VersionDecodeError with its code. */
function decodeOrReject(bytes: Uint8Array): SiblingSet | undefined {
  try {
    return decodeSiblingSet(bytes);
  } catch (err) {
    assert.ok(err instanceof VersionDecodeError, `threw ${String(err)}`);
    assert.equal(err.code, 'bad_sibling_set');
    return undefined;
  }
}

test('encode then decode gives back an equal set, and the encoding is canonical', () => {
  fc.assert(
    fc.property(anySet, (s) => {
      const bytes = encodeSiblingSet(s);
      const back = decodeSiblingSet(bytes);
      assert.ok(equalSets(back, s));
      assert.equal(Buffer.compare(encodeSiblingSet(back), bytes), 0);
    }),
    { numRuns: 500 },
  );
});

test('decoded values are copies, safe from a reused read buffer', () => {
  const s = update(fresh(version(Buffer.from('hello'), 3)), undefined, 'a', 3);
  const bytes = Buffer.from(encodeSiblingSet(s));
  const back = decodeSiblingSet(bytes);
  bytes.fill(0);
  assert.equal(Buffer.from(back.entries[0]!.values[0]!.data!).toString(), 'hello');
});

test('garbage, truncations and bit flips are rejected with VersionDecodeError or decode to a valid set', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => void decodeOrReject(bytes)), { numRuns: 1000 });
  fc.assert(
    fc.property(anySet, fc.nat(), fc.nat(7), (s, at, bit) => {
      const bytes = encodeSiblingSet(s);
      for (let n = 0; n < bytes.length; n++) assert.equal(decodeOrReject(bytes.subarray(0, n)), undefined);
      const flipped = Uint8Array.from(bytes);
      flipped[at % flipped.length]! ^= 1 << bit;
      decodeOrReject(flipped);
      decodeOrReject(Buffer.concat([bytes, Buffer.from([0])]));
    }),
    { numRuns: 300 },
  );
});

test('the layout is compact: no base64, a tombstone is a few bytes', () => {
  const data = new Uint8Array(1000).fill(7);
  const s = update(fresh(version(data, 1_700_000_000_000)), undefined, 'node-1', 1_700_000_000_000);
  assert.ok(encodeSiblingSet(s).length < 1000 + 30);
  const t = update(fresh(tombstone(5)), undefined, 'a', 5);
  assert.deepEqual([...encodeSiblingSet(t)], [1, 1, 1, 97, 1, 5, 1, 5, 0, 0]);
});

test('malformed structure is named in the error', () => {
  const unsorted: SiblingSet = {
    entries: [
      { node: 'b', counter: 1, values: [], timestampMs: 0 },
      { node: 'a', counter: 1, values: [], timestampMs: 0 },
    ],
    anonymous: [],
  };
  assert.throws(() => decodeSiblingSet(encodeSiblingSet(unsorted)), /sorted/);
  assert.throws(() => decodeSiblingSet(new Uint8Array([9])), /unknown format/);
  assert.throws(() => decodeSiblingSet(new Uint8Array([1, 0x80, 0])), /overlong/);
});
