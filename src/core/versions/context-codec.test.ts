import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeContext, encodeContext, MAX_CONTEXT_LENGTH } from './context-codec.js';
import { vectorArb } from './testing/arbitraries.js';

const rejected = (text: string): boolean => {
  const r = decodeContext(text);
  if (!r.ok) assert.match(r.error, /^The context .+\.$/);
  return !r.ok;
};

test('a context round-trips, as base64url without padding', () => {
  fc.assert(
    fc.property(vectorArb, (vv) => {
      const text = encodeContext(vv);
      assert.match(text, /^[A-Za-z0-9_-]*$/);
      assert.deepEqual(decodeContext(text), { ok: true, context: vv });
    }),
    { numRuns: 500 },
  );
  assert.equal(encodeContext([]), '');
  assert.deepEqual(decodeContext(''), { ok: true, context: [] });
});

test('random strings are rejected with a sentence, never a throw', () => {
  const text = fc.oneof(fc.string({ minLength: 1 }), fc.base64String({ minLength: 1 }), fc.stringMatching(/^[A-Za-z0-9_-]{1,40}$/));
  fc.assert(fc.property(text, (s) => assert.ok(rejected(s))), { numRuns: 2000 });
  assert.ok(rejected('x'.repeat(MAX_CONTEXT_LENGTH + 1)));
  assert.ok(rejected('AQ=='));
});

test('truncated contexts and single-bit flips are rejected', () => {
  fc.assert(
    fc.property(vectorArb.filter((vv) => vv.length > 0), fc.nat(), fc.nat(7), fc.nat(5), (vv, at, bit, charBit) => {
      const text = encodeContext(vv);
      for (let n = 1; n < text.length; n++) assert.ok(rejected(text.slice(0, n)), `prefix ${n}`);
      const bytes = Buffer.from(text, 'base64url');
      bytes[at % bytes.length]! ^= 1 << bit;
      assert.ok(rejected(bytes.toString('base64url')), 'byte flip');
      const i = at % text.length;
      const flippedChar = String.fromCharCode(text.charCodeAt(i) ^ (1 << charBit));
      assert.ok(rejected(text.slice(0, i) + flippedChar + text.slice(i + 1)), 'character flip');
    }),
    { numRuns: 300 },
  );
});

test('an empty vector never needs a header, and a well-formed context is small', () => {
  const text = encodeContext([['127.0.0.1:7001', 12], ['127.0.0.1:7002', 3], ['127.0.0.1:7003', 40]]);
  assert.ok(text.length < 80, text);
});
