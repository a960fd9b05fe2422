/** The dashboard's chart points: rates from count differences, percentiles from bucket differences. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { LATENCY_BUCKETS_S } from '../runtime/request-metrics.js';
import { quantileMs, seriesOf } from './ui-series.js';

const BUCKETS = LATENCY_BUCKETS_S.length + 1;

test('a quantile is the bound of the bucket holding that rank, and grows with q', () => {
  fc.assert(
    fc.property(fc.array(fc.nat(50), { minLength: BUCKETS, maxLength: BUCKETS }), (buckets) => {
      const total = buckets.reduce((a, b) => a + b, 0);
      const p50 = quantileMs(buckets, 0.5);
      const p99 = quantileMs(buckets, 0.99);
      if (total === 0) return assert.equal(p50, null);
      assert.ok(p50! <= p99!);
      const i = LATENCY_BUCKETS_S.findIndex((b) => b * 1000 === p99);
      const below = buckets.slice(0, i).reduce((a, b) => a + b, 0);
      assert.ok(below < Math.ceil(0.99 * total) || i === LATENCY_BUCKETS_S.length - 1);
    }),
  );
  const one = new Array<number>(BUCKETS).fill(0);
  one[3] = 10; // 10 requests between 2 and 5 ms
  assert.equal(quantileMs(one, 0.5), 5);
});

test('points are per interval: rate = count difference / seconds, latency from that interval only', () => {
  const b = (i: number, n: number): number[] => Array.from({ length: BUCKETS }, (_, k) => (k === i ? n : 0));
  const series = seriesOf([
    { atMs: 0, requests: {} },
    { atMs: 5000, requests: { get: { count: 100, errors: 0, buckets: b(1, 100) } } },
    { atMs: 10_000, requests: { get: { count: 150, errors: 5, buckets: [...b(1, 100)].map((x, k) => (k === 6 ? 50 : x)) } } },
  ]);
  assert.deepEqual(series.get!.map((p) => p.perSec), [20, 10]);
  assert.deepEqual(series.get!.map((p) => p.errorsPerSec), [0, 1]);
  assert.deepEqual(series.get!.map((p) => p.p50Ms), [1, 50]);
});
