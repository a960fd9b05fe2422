import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { END_OF_RING, inKeyRange, leafIndex, leafKeyRange, partitionOfKeyHash } from './keyspace.js';
import { type MerkleShape, DEFAULT_SHAPE, leafCount } from './shape.js';
import { readBits, writeBits, incrementPrefix } from './bits.js';

const shapes: MerkleShape[] = [DEFAULT_SHAPE, { fanout: 2, depth: 1 }, { fanout: 4, depth: 3 }, { fanout: 8, depth: 2 }, { fanout: 2, depth: 13 }];
const arbShape = fc.constantFrom(...shapes);
const arbKeyHash = fc.uint8Array({ minLength: 16, maxLength: 16 });
const arbPartitionBits = fc.integer({ min: 0, max: 12 });

function decrement(bytes: Buffer): Buffer {
  const out = Buffer.from(bytes);
  for (let i = out.length - 1; i >= 0; i--) {
    if (out[i]! > 0) {
      out[i]!--;
      return out;
    }
    out[i] = 0xff;
  }
  throw new Error('decrement below zero');
}

test('leafKeyRange contains exactly the keyHashes of its partition and leaf', () => {
  fc.assert(
    fc.property(arbKeyHash, arbPartitionBits, arbShape, fc.nat(), fc.nat(), (keyHash, pb, shape, p2, l2) => {
      const partition = partitionOfKeyHash(keyHash, pb);
      const leaf = leafIndex(keyHash, pb, shape);
      assert.ok(inKeyRange(keyHash, leafKeyRange(partition, pb, leaf, shape)));
      const otherPartition = p2 % 2 ** pb;
      const otherLeaf = l2 % leafCount(shape);
      const same = otherPartition === partition && otherLeaf === leaf;
      assert.equal(inKeyRange(keyHash, leafKeyRange(otherPartition, pb, otherLeaf, shape)), same);
    }),
    { numRuns: 500 },
  );
});

test('range bounds: from and to-1 belong to the leaf, to starts the next one', () => {
  fc.assert(
    fc.property(arbPartitionBits, arbShape, fc.nat(), fc.nat(), (pb, shape, p, l) => {
      const partition = p % 2 ** pb;
      const leaf = l % leafCount(shape);
      const { from, to } = leafKeyRange(partition, pb, leaf, shape);
      assert.equal(from.length, 16);
      assert.ok(Buffer.compare(from, to) < 0);
      const lastInside = to.length === 16 ? decrement(to) : Buffer.alloc(16, 0xff);
      for (const inside of [from, lastInside]) {
        assert.equal(partitionOfKeyHash(inside, pb), partition);
        assert.equal(leafIndex(inside, pb, shape), leaf);
      }
      const last = partition === 2 ** pb - 1 && leaf === leafCount(shape) - 1;
      if (last) {
        assert.deepEqual(to, END_OF_RING);
      } else {
        const next = leaf + 1 === leafCount(shape) ? { partition: partition + 1, leaf: 0 } : { partition, leaf: leaf + 1 };
        assert.equal(to.length, 16);
        assert.equal(partitionOfKeyHash(to, pb), next.partition);
        assert.equal(leafIndex(to, pb, shape), next.leaf);
        assert.deepEqual(leafKeyRange(next.partition, pb, next.leaf, shape).from, to);
      }
    }),
    { numRuns: 500 },
  );
});

test('the last leaf of the ring ends above every keyHash, storage keys with a suffix included', () => {
  const shape = { fanout: 16, depth: 3 };
  const range = leafKeyRange(63, 6, leafCount(shape) - 1, shape);
  assert.deepEqual(range.to, Buffer.concat([Buffer.alloc(16, 0xff), Buffer.from([0])]));
  assert.ok(inKeyRange(Buffer.alloc(16, 0xff), range));
  assert.ok(inKeyRange(Buffer.concat([Buffer.alloc(16, 0xff), Buffer.from('bucket/key')]), range));
  assert.ok(!inKeyRange(Buffer.alloc(16, 0xfe), range));
  // The first leaf of the ring starts at zero.
  assert.deepEqual(leafKeyRange(0, 6, 0, shape).from, Buffer.alloc(16));
});

test('leafIndex reads the bits right after the partition bits', () => {
  const keyHash = Buffer.from('abcdef0123456789abcdef0123456789', 'hex');
  // partitionBits 6: bits 6..17 of 0xab 0xcd 0xef: 10101011 11001101 11101111 -> 11 11001101 11 = 0xf37
  assert.equal(leafIndex(keyHash, 6, DEFAULT_SHAPE), 0xf37);
  assert.equal(leafIndex(keyHash, 0, DEFAULT_SHAPE), 0xabc);
  assert.equal(leafIndex(keyHash, 8, { fanout: 2, depth: 1 }), 1);
});

test('bit helpers agree with each other', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 96 }), fc.integer({ min: 1, max: 32 }), fc.nat(), (offset, width, raw) => {
      const value = raw % 2 ** width;
      const bytes = Buffer.alloc(16, 0x5a);
      writeBits(bytes, offset, width, value);
      assert.equal(readBits(bytes, offset, width), value);
      const before = Buffer.from(bytes);
      const carry = incrementPrefix(bytes, offset + width);
      if (value === 2 ** width - 1 && carry) return; // whole prefix wrapped
      if (value < 2 ** width - 1) assert.equal(readBits(bytes, offset, width), value + 1);
      assert.ok(carry || Buffer.compare(before, bytes) < 0);
    }),
  );
});
