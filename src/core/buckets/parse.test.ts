import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseBucketTable } from './parse.js';
import { applyBucketChange, DEFAULT_BUCKET_PROPS } from './props.js';

test('every table the API can build parses back to itself (stored props carry ttlMs and type)', () => {
  const change = fc.record(
    { n: fc.integer({ min: 1, max: 3 }), conflict: fc.constantFrom('siblings', 'lww'), strict: fc.boolean(), ttl_ms: fc.integer({ min: 0, max: 10_000 }), type: fc.constantFrom('kv', 'counter', 'set') },
    { requiredKeys: [] },
  );
  fc.assert(
    fc.property(change, (c) => {
      const applied = applyBucketChange(DEFAULT_BUCKET_PROPS, { ...c, r: 1, w: 1 }, 3);
      if (!applied.ok) return;
      const table = { b: { props: applied.props, updatedAtMs: 7, updatedBy: 'n1' } };
      const parsed = parseBucketTable(JSON.parse(JSON.stringify(table)), 3);
      assert.deepEqual(parsed.refused, []);
      assert.deepEqual(parsed.table, table);
    }),
  );
});

test('entries that break the bucket rules are left out and named, the rest kept', () => {
  const good = { props: DEFAULT_BUCKET_PROPS, updatedAtMs: 1, updatedBy: 'n1' };
  const parsed = parseBucketTable({ ok: good, zero: { ...good, props: { ...DEFAULT_BUCKET_PROPS, n: 0 } }, nil: null, big: { ...good, props: { ...DEFAULT_BUCKET_PROPS, n: 5 } } }, 3);
  assert.deepEqual(Object.keys(parsed.table), ['ok']);
  assert.equal(parsed.refused.length, 3);
});
