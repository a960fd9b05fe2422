import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { encodeSiblingSet } from './codec.js';
import { digest, digestEncoded, DIGEST_BYTES } from './digest.js';
import { equalSets, sync, type SiblingSet } from './sibling-set.js';
import { siblingSetArb } from './testing/arbitraries.js';
import { threeSetsArb } from './testing/world.js';

const sameDigest = (a: SiblingSet, b: SiblingSet): boolean => Buffer.compare(digest(a), digest(b)) === 0;

test('digests are equal exactly when sets are equal', () => {
  fc.assert(
    fc.property(siblingSetArb, siblingSetArb, (a, b) => {
      assert.equal(digest(a).length, DIGEST_BYTES);
      assert.equal(sameDigest(a, b), equalSets(a, b));
    }),
    { numRuns: 500 },
  );
  fc.assert(
    fc.property(threeSetsArb(), ([a, b]) => {
      assert.equal(sameDigest(a, b), equalSets(a, b));
      assert.ok(sameDigest(sync(a, b), sync(b, a)));
    }),
    { numRuns: 300 },
  );
});

test('a copy built apart has the same digest; any one change gives another', () => {
  fc.assert(
    fc.property(siblingSetArb, fc.nat(), (s, pick) => {
      const copy: SiblingSet = structuredClone(s);
      assert.ok(sameDigest(s, copy));
      assert.equal(Buffer.compare(digestEncoded(encodeSiblingSet(s)), digest(s)), 0);
      const variants: SiblingSet[] = [{ ...s, anonymous: [...s.anonymous, { data: null, timestampMs: Number.MAX_SAFE_INTEGER }] }];
      if (s.entries.length > 0) {
        const i = pick % s.entries.length;
        const bump = (f: (e: SiblingSet['entries'][number]) => object): SiblingSet => ({
          ...s,
          entries: s.entries.map((e, k) => (k === i ? { ...e, ...f(e) } : e)),
        });
        // Step the timestamp down at the top of the range: MAX_SAFE_INTEGER + 1 is past what the codec represents exactly.
        const nextTimestamp = (t: number): number => (t >= Number.MAX_SAFE_INTEGER ? t - 1 : t + 1);
        variants.push(bump((e) => ({ counter: e.counter + 1 })), bump((e) => ({ timestampMs: nextTimestamp(e.timestampMs) })));
        if (s.entries[i]!.values.length > 0) variants.push(bump((e) => ({ values: e.values.slice(1) })));
      }
      for (const other of variants) assert.ok(!sameDigest(s, other));
    }),
    {
      numRuns: 300,
      // Found once on a fresh clone: an entry stamped MAX_SAFE_INTEGER.
      examples: [[{ entries: [{ node: 'a', counter: 1, values: [], timestampMs: Number.MAX_SAFE_INTEGER }], anonymous: [] }, 0]],
    },
  );
});
