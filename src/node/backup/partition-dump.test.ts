/**
 * Paging through a partition for `dynamo backup`: whatever the page size, the pages together hold
 * every data and hint key of the partition exactly once, nothing of another partition, and only
 * the buckets asked for.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createCrashableMemoryEngine } from '../../storage/memory.js';
import { dataKey, hintKey, identify, partitionOfIdentity } from '../keys.js';
import { partitionPage } from './partition-dump.js';

const Q = 8;

test('pages cover each key of the partition once, data and hints, and honour the bucket filter', () => {
  fc.assert(
    fc.property(
      fc.uniqueArray(fc.tuple(fc.constantFrom('a', 'b'), fc.string({ minLength: 1, maxLength: 6 })), { maxLength: 60, selector: ([b, k]) => `${b}/${k}` }),
      fc.integer({ min: 1, max: 7 }),
      fc.integer({ min: 0, max: Q - 1 }),
      fc.boolean(),
      (keys, limit, partition, onlyA) => {
        const engine = createCrashableMemoryEngine();
        const expected = new Set<string>();
        keys.forEach(([bucket, key], i) => {
          const id = identify(bucket, key);
          const asHint = i % 3 === 0;
          engine.stage(asHint ? hintKey(id, 'n9') : dataKey(id), Buffer.from(`${bucket}/${key}`));
          if (partitionOfIdentity(id, Q) === partition && (!onlyA || bucket === 'a')) expected.add(`${bucket}/${key}`);
        });
        engine.commitSync();
        const seen: string[] = [];
        let after: Uint8Array | null = null;
        for (let pages = 0; ; pages++) {
          assert.ok(pages <= keys.length + 2, 'the cursor moves on');
          const page = partitionPage(engine, partition, Q, after, limit, onlyA ? new Set(['a']) : null);
          assert.ok(page.sets.length <= limit);
          for (const s of page.sets) {
            assert.equal(Buffer.from(s.set).toString(), `${s.bucket}/${s.key}`);
            seen.push(`${s.bucket}/${s.key}`);
          }
          if (page.next === null) break;
          after = page.next;
        }
        assert.deepEqual([...seen].sort(), [...expected].sort());
      },
    ),
    { numRuns: 150 },
  );
});
