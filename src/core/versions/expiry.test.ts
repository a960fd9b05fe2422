import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeSiblingSet, encodeSiblingSet } from './codec.js';
import { digest } from './digest.js';
import { expiryAfter, isGoneBy, latestExpiry, readableValues, readsAsGone } from './expiry.js';
import { fresh, sync, update, withContext, context } from './sibling-set.js';
import { version } from './value.js';
import { siblingSetArb } from './testing/arbitraries.js';

const expiring = (text: string, at: number, expiresAtMs: number) => ({ data: Buffer.from(text), timestampMs: at, expiresAtMs });

test('a set without expiry keeps codec format 1, byte for byte, so stored data and its digests do not change', () => {
  const s = update(fresh(version(Buffer.from('v'), 5)), undefined, 'a', 5);
  const bytes = encodeSiblingSet(s);
  assert.equal(bytes[0], 1);
  assert.deepEqual([...bytes], [1, 1, 1, 97, 1, 5, 1, 5, 2, 118, 0]);
});

test('an expiring version round-trips in format 2 and its expiry is part of the digest', () => {
  const a = update(fresh(expiring('v', 5, 1000)), undefined, 'a', 5);
  const b = update(fresh(expiring('v', 5, 1001)), undefined, 'a', 5);
  const bytes = encodeSiblingSet(a);
  assert.equal(bytes[0], 2);
  assert.equal(decodeSiblingSet(bytes).entries[0]!.values[0]!.expiresAtMs, 1000);
  assert.notDeepEqual(digest(a), digest(b));
});

test('an expired version reads as gone, yet still supersedes what it superseded', () => {
  const old = update(fresh(version(Buffer.from('old'), 1)), undefined, 'a', 1);
  const newer = update(withContext(context(old), expiring('new', 2, 100)), old, 'a', 2);
  assert.deepEqual(readableValues(newer, 99).map((v) => Buffer.from(v.data!).toString()), ['new']);
  assert.equal(readsAsGone(newer, 99), false);
  assert.equal(readsAsGone(newer, 100), true);
  // A replica that still holds the old value merges the expired one: the old value stays superseded.
  const merged = sync(old, newer);
  assert.equal(readableValues(merged, 100).length, 0);
  assert.equal(isGoneBy(merged, 100), true);
  assert.equal(isGoneBy(merged, 99), false);
});

test('latestExpiry: undefined when some live version never expires', () => {
  const a = update(fresh(expiring('x', 1, 50)), undefined, 'a', 1);
  const b = update(fresh(version(Buffer.from('y'), 1)), undefined, 'b', 1);
  const c = update(fresh(expiring('z', 1, 70)), undefined, 'c', 1);
  assert.equal(latestExpiry(a), 50);
  assert.equal(latestExpiry(sync(a, c)), 70);
  assert.equal(latestExpiry(sync(a, b)), undefined);
  assert.equal(expiryAfter(10, 0), undefined);
  assert.equal(expiryAfter(10, undefined), undefined);
  assert.equal(expiryAfter(10, 5), 15);
});

test('what reads as gone depends only on the set and the reader clock: replicas holding equal bytes agree at every instant', () => {
  fc.assert(
    fc.property(siblingSetArb, fc.nat(Number.MAX_SAFE_INTEGER), (s, now) => {
      const back = decodeSiblingSet(encodeSiblingSet(s));
      assert.equal(readsAsGone(back, now), readsAsGone(s, now));
      assert.equal(readableValues(back, now).length, readableValues(s, now).length);
      // Going gone is monotone in time: once gone, later reads are gone too.
      if (readsAsGone(s, now) && now < Number.MAX_SAFE_INTEGER) assert.equal(readsAsGone(s, now + 1), true);
    }),
    { numRuns: 300 },
  );
});
