/**
 * The reap queue's storage form: what is written parses back the same, keys sort by due time (so
 * a scan resumes the queue in order), and anything else under the tag is refused, not trusted.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseReap, reapKey, reapValue, type QueuedReap } from './reap-queue.js';

const reapArb: fc.Arbitrary<QueuedReap> = fc.record({
  dueMs: fc.integer({ min: 0, max: 2 ** 52 }),
  bucket: fc.string({ minLength: 1, maxLength: 20 }),
  key: fc.string({ minLength: 1, maxLength: 40 }),
  digest: fc.uint8Array({ minLength: 16, maxLength: 16 }).map((d) => Buffer.from(d)),
  attempts: fc.integer({ min: 0, max: 255 }),
});

test('a stored reap parses back as it was', () => {
  fc.assert(
    fc.property(reapArb, (r) => {
      const back = parseReap(reapKey(r), reapValue(r));
      assert.deepEqual(back, { ...r, digest: Buffer.from(r.digest) });
    }),
    { numRuns: 300 },
  );
});

test('reap keys sort by due time', () => {
  fc.assert(
    fc.property(reapArb, reapArb, (a, b) => {
      if (a.dueMs === b.dueMs) return;
      assert.equal(Buffer.compare(reapKey(a), reapKey(b)) < 0, a.dueMs < b.dueMs);
    }),
    { numRuns: 300 },
  );
});

test('malformed keys and values are refused', () => {
  fc.assert(
    fc.property(reapArb, fc.nat(60), (r, cut) => {
      const key = reapKey(r);
      if (cut < key.length) assert.equal(parseReap(key.subarray(0, cut), reapValue(r)), null);
      assert.equal(parseReap(key, reapValue(r).subarray(0, 5)), null);
      assert.equal(parseReap(Buffer.concat([key, Buffer.from([1])]), reapValue(r)), null);
    }),
    { numRuns: 200 },
  );
});
