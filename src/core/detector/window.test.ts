import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { IntervalWindow } from './window.js';

test('mean and variance match a from-scratch computation over the last `capacity` samples', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 20 }), fc.array(fc.integer({ min: 0, max: 100_000 }), { minLength: 1, maxLength: 100 }), (capacity, xs) => {
      const w = new IntervalWindow(capacity);
      for (const x of xs) w.push(x);
      const kept = xs.slice(-capacity);
      const mean = kept.reduce((s, x) => s + x, 0) / kept.length;
      const variance = kept.reduce((s, x) => s + (x - mean) ** 2, 0) / kept.length;
      assert.equal(w.size, kept.length);
      assert.ok(Math.abs(w.mean() - mean) < 1e-6);
      assert.ok(Math.abs(w.variance() - variance) < 1e-3 * Math.max(1, variance));
    }),
  );
});

test('the window never grows past its capacity', () => {
  const w = new IntervalWindow(200);
  for (let i = 0; i < 100_000; i++) w.push(1000 + (i % 7));
  assert.equal(w.size, 200);
  assert.throws(() => new IntervalWindow(0), /window size/);
  assert.throws(() => w.push(-1), /non-negative/);
});
