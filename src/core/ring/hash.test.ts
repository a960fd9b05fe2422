import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { keyHash, partitionOf, partitionBits, isValidPartitionCount } from './hash.js';

test('keyHash is the md5 of a 4-byte length of the UTF-8 bucket, the bucket, then the UTF-8 key', () => {
  const bucket = Buffer.from('bücket', 'utf8');
  assert.equal(bucket.length, 7);
  const manual = createHash('md5').update(Buffer.from([0, 0, 0, 7])).update(bucket).update(Buffer.from('kéy', 'utf8')).digest();
  assert.deepEqual(keyHash('bücket', 'kéy'), manual);
  assert.equal(keyHash('b', 'k').length, 16);
  // Pinned so that a change of encoding, which would move every key, cannot go unnoticed.
  assert.equal(keyHash('users', 'alice').toString('hex'), 'bdefda3a9d458116671ce24c07b0267f');
});

test('keyHash never confuses where the bucket ends', () => {
  assert.notDeepEqual(keyHash('ab', 'c'), keyHash('a', 'bc'));
  assert.notDeepEqual(keyHash('', 'abc'), keyHash('abc', ''));
  assert.deepEqual(keyHash('x', 'y'), keyHash('x', 'y'));
});

test('partitionOf takes the top log2(Q) bits', () => {
  const hash = Uint8Array.from([0b1011_0110, 0b0101_0101, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  assert.equal(partitionOf(hash, 1), 0);
  assert.equal(partitionOf(hash, 2), 1);
  assert.equal(partitionOf(hash, 8), 0b101);
  assert.equal(partitionOf(hash, 64), 0b101101);
  assert.equal(partitionOf(hash, 1 << 12), 0b1011_0110_0101);
  assert.equal(partitionOf(hash, 1 << 16), 0b1011_0110_0101_0101);
  assert.equal(partitionOf(new Uint8Array(16).fill(0xff), 1 << 16), (1 << 16) - 1);
  assert.equal(partitionBits(1024), 10);
});

test('partition counts must be powers of two from 1 to 2^16', () => {
  for (const bad of [0, 3, 6, 100, 1 << 17, -4, 2.5]) {
    assert.equal(isValidPartitionCount(bad), false);
    assert.throws(() => partitionOf(new Uint8Array(16), bad), /power of two/);
  }
  assert.equal(isValidPartitionCount(1), true);
  assert.equal(isValidPartitionCount(1 << 16), true);
});

test('keys spread evenly over partitions', () => {
  const q = 64;
  const counts = new Array<number>(q).fill(0);
  for (let i = 0; i < 64_000; i++) counts[partitionOf(keyHash('b', `key-${i}`), q)]!++;
  assert.ok(Math.max(...counts) < 1000 * 1.15 && Math.min(...counts) > 1000 * 0.85, `${Math.min(...counts)}..${Math.max(...counts)}`);
});
