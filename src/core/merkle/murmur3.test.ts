import { test } from 'node:test';
import assert from 'node:assert/strict';
import { murmur3x86128 } from './murmur3.js';

test("murmur3 x86_128 passes SMHasher's verification test (0xB3ECE62A)", () => {
  // SMHasher's VerificationTest: hash keys 0, 0 1, 0 1 2, ... (255 bytes) with seed 256 - length,
  // hash the concatenation of those 256 hashes with seed 0; the first 32-bit word is the value.
  const hashes = new Uint8Array(16 * 256);
  for (let n = 0; n < 256; n++) {
    const key = Uint8Array.from({ length: n }, (_, j) => j);
    hashes.set(murmur3x86128(key, 256 - n), n * 16);
  }
  const final = murmur3x86128(hashes, 0);
  assert.equal(Buffer.from(final).readUInt32LE(0), 0xb3ece62a);
});

test('the empty input with seed 0 hashes to zero, as in the reference', () => {
  assert.deepEqual([...murmur3x86128(new Uint8Array(0))], new Array(16).fill(0));
});
