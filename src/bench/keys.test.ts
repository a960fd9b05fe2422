/** Key choice: zipfian skew, the scramble permutes, uniform covers the range. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { seededRng } from '../core/random.js';
import { keyChooser, zipfian } from './keys.js';

test('zipfian ranks stay in range and rank 0 is the most popular', () => {
  const next = zipfian(1000, 0.99, seededRng(7));
  const counts = new Array<number>(1000).fill(0);
  for (let i = 0; i < 50_000; i++) {
    const r = next();
    assert.ok(Number.isInteger(r) && r >= 0 && r < 1000);
    counts[r]!++;
  }
  assert.equal(counts.indexOf(Math.max(...counts)), 0);
  assert.ok(counts[0]! > 10 * counts[500]!, 'skewed');
});

test('the scrambled zipfian chooser stays in range for any record count and seed', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 200_000 }), fc.integer({ min: 0, max: 2 ** 31 }), (records, seed) => {
      const choose = keyChooser('zipfian', records, seededRng(seed));
      for (let i = 0; i < 50; i++) {
        const k = choose();
        assert.ok(Number.isInteger(k) && k >= 0 && k < records);
      }
    }),
    { numRuns: 30 },
  );
});

test('uniform choice covers every record', () => {
  const choose = keyChooser('uniform', 20, seededRng(3));
  const seen = new Set<number>();
  for (let i = 0; i < 2000; i++) seen.add(choose());
  assert.equal(seen.size, 20);
});
