/** md5.ts against node:crypto: every length around the block and padding edges, and random inputs. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hash } from 'node:crypto';
import fc from 'fast-check';
import { md5Into } from './md5.js';

function md5(input: Uint8Array): Buffer {
  const out = Buffer.alloc(16);
  md5Into(input, input.length, out);
  return out;
}

test('RFC 1321 test suite values', () => {
  assert.equal(md5(Buffer.from('')).toString('hex'), 'd41d8cd98f00b204e9800998ecf8427e');
  assert.equal(md5(Buffer.from('abc')).toString('hex'), '900150983cd24fb0d6963f7d28e17f72');
  assert.equal(md5(Buffer.from('12345678901234567890123456789012345678901234567890123456789012345678901234567890')).toString('hex'), '57edf4a22be3c955ac49da2e2107b67a');
});

test('every length from 0 to 300 bytes (one, two and several blocks, both padding cases) agrees with node:crypto', () => {
  for (let length = 0; length <= 300; length++) {
    const input = Buffer.alloc(length);
    for (let i = 0; i < length; i++) input[i] = (i * 131 + length) & 0xff;
    assert.deepEqual(md5(input), hash('md5', input, 'buffer'), `length ${length}`);
  }
});

test('random inputs agree with node:crypto, written at an offset, reading only the given length', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 2000 }), fc.nat(40), (bytes, extra) => {
      const padded = new Uint8Array(bytes.length + extra).fill(0xaa);
      padded.set(bytes);
      const out = Buffer.alloc(20, 0xee);
      md5Into(padded, bytes.length, out, 2);
      assert.deepEqual(out.subarray(2, 18), hash('md5', bytes, 'buffer'));
      assert.equal(out[0], 0xee);
      assert.equal(out[19], 0xee);
    }),
    { numRuns: 500, seed: 20261205 },
  );
});
