import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeHotResponse } from './client-hot-wire.js';

test('a get answer carrying a counter or set value has no hot layout (it would lose the value)', () => {
  const base = { ok: true, op: 'get', values: [], context: [['a', 1]], tombstone: false } as const;
  assert.notEqual(encodeHotResponse(1, base), null);
  assert.equal(encodeHotResponse(1, { ...base, crdt: { type: 'counter', value: 3 } }), null);
  assert.equal(encodeHotResponse(1, { ...base, values: [{ data: Buffer.from('x'), timestampMs: 1, expiresAtMs: 5 }] }), null);
});
