import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expiryViolations } from './expiry.js';

test('a read past ttl plus twice the skew bound is a violation; one inside the bound is not', () => {
  const writes = [{ value: 'a', submittedMs: 1000, ttlMs: 500 }];
  assert.deepEqual(expiryViolations(writes, [{ answeredMs: 1700, values: ['a'] }], 100), []);
  assert.deepEqual(expiryViolations(writes, [{ answeredMs: 1701, values: ['a', 'other'] }], 100), [{ value: 'a', answeredMs: 1701, expiredByMs: 1 }]);
  assert.deepEqual(expiryViolations(writes, [{ answeredMs: 9999, values: [] }], 100), []);
});

test('a read is judged from its start, an unacknowledged write only by its stamp, an acknowledged one by both', () => {
  const writes = [{ value: 'a', submittedMs: 1000, ttlMs: 500, ackedMs: 1200 }, { value: 'b', submittedMs: 1000, ttlMs: 500, ackedMs: null }];
  // Acknowledged at 1200: readable until 1200 + 500 + 200 when the read started, whenever it was answered.
  assert.deepEqual(expiryViolations(writes, [{ invokedMs: 1900, answeredMs: 3000, values: ['a'] }], 100), []);
  assert.equal(expiryViolations(writes, [{ invokedMs: 1901, answeredMs: 1950, values: ['a'] }], 100).length, 1);
  // Never acknowledged and no stamp known: nothing to judge; with its stamp, the stamp plus the bound.
  assert.deepEqual(expiryViolations(writes, [{ invokedMs: 9000, answeredMs: 9001, values: ['b'] }], 100), []);
  assert.deepEqual(expiryViolations(writes, [{ invokedMs: 9000, answeredMs: 9001, values: ['b'], expiresAtMs: [8900] }], 100), []);
  assert.deepEqual(expiryViolations(writes, [{ invokedMs: 9001, answeredMs: 9002, values: ['b'], expiresAtMs: [8900] }], 100), [{ value: 'b', answeredMs: 9002, expiredByMs: 1 }]);
});
