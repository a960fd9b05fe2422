import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ByteReader, stringSize, writeString } from './bytes.js';

function roundTrip(texts: readonly string[]): string[] {
  const buf = Buffer.alloc(texts.reduce((n, t) => n + stringSize(t), 0));
  let at = 0;
  for (const t of texts) at = writeString(buf, at, t);
  const r = new ByteReader(buf);
  return texts.map(() => r.string());
}

test('strings read back exactly, ASCII (interned) or not, whatever shares an intern slot', () => {
  fc.assert(
    fc.property(fc.array(fc.oneof(fc.string({ maxLength: 70 }), fc.constantFrom('n1:7:3', 'n2:7:3', 'node1', 'node2', '')), { maxLength: 40 }), (texts) => {
      assert.deepEqual(roundTrip(texts), texts);
    }),
  );
  // Enough distinct ids that many share one of the 1024 slots: each must still read back as itself.
  const ids = Array.from({ length: 5000 }, (_, i) => `node-${i}:${i * 7}`);
  assert.deepEqual(roundTrip([...ids, ...ids]), [...ids, ...ids]);
});
