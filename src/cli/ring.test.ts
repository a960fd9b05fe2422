/** `dynamo ring`'s rendering: partition lists as ranges, one row per member and per partition. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ranges, renderRing } from './ring.js';

test('partition lists print as ranges', () => {
  assert.equal(ranges([]), '');
  assert.equal(ranges([0, 1, 2, 5, 7, 8]), '0-2,5,7-8');
  assert.equal(ranges([3]), '3');
});

test('the table names each member with its primary and fallback counts, and each stand-in', () => {
  const text = renderRing(
    {
      partitions: 2,
      replicas: 2,
      members: [
        { id: 'a', state: 'up', up: true, primary: 2, fallback: 0 },
        { id: 'b', state: 'up', up: false, primary: 2, fallback: 0 },
        { id: 'c', state: 'up', up: true, primary: 0, fallback: 2 },
      ],
      rows: [
        { partition: 0, primaries: ['a', 'b'], fallbacks: [['c', 'b']] },
        { partition: 1, primaries: ['b', 'a'], fallbacks: [['c', 'b']] },
      ],
    },
    false,
  );
  assert.match(text, /^Q=2 partitions, N=2 replicas each$/m);
  assert.match(text, /^b\s+up\s+DOWN\s+2\s+0\s+0-1$/m);
  assert.match(text, /^c\s+up\s+up\s+0\s+2\s*$/m);
  assert.match(text, /^\s+0 {2}a b {2}c for b$/m);
});
