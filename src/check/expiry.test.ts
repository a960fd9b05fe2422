import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expiryViolations } from './expiry.js';

test('a read past ttl plus twice the skew bound is a violation; one inside the bound is not', () => {
  const writes = [{ value: 'a', submittedMs: 1000, ttlMs: 500 }];
  assert.deepEqual(expiryViolations(writes, [{ answeredMs: 1700, values: ['a'] }], 100), []);
  assert.deepEqual(expiryViolations(writes, [{ answeredMs: 1701, values: ['a', 'other'] }], 100), [{ value: 'a', answeredMs: 1701, expiredByMs: 1 }]);
  assert.deepEqual(expiryViolations(writes, [{ answeredMs: 9999, values: [] }], 100), []);
});
