import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seededRng } from './random.js';

test('a seeded rng replays the same sequence and stays in range', () => {
  const a = seededRng(42);
  const b = seededRng(42);
  for (let i = 0; i < 1000; i++) {
    const x = a.next();
    assert.equal(x, b.next());
    assert.ok(x >= 0 && x < 1);
    const k = a.int(7);
    assert.equal(k, b.int(7));
    assert.ok(Number.isInteger(k) && k >= 0 && k < 7);
  }
  assert.notEqual(seededRng(1).next(), seededRng(2).next());
});
