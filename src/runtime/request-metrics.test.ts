/** The hand-kept request metrics print exactly what prom-client prints for the same observations. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Counter, Histogram, Registry } from 'prom-client';
import { LATENCY_BUCKETS_S, RequestMetrics } from './request-metrics.js';

test('counts and histogram lines equal prom-client output for the same observations', async () => {
  const registry = new Registry();
  const counter = new Counter({ name: 'dynamo_requests_total', help: 'client requests by operation and outcome', labelNames: ['op', 'outcome'], registers: [registry] });
  const histogram = new Histogram({ name: 'dynamo_request_duration_seconds', help: 'client request latency by operation', labelNames: ['op'], buckets: [...LATENCY_BUCKETS_S], registers: [registry] });
  const ours = new RequestMetrics();
  const samples: [string, string, number][] = [
    ['get', 'ok', 0.0004], ['get', 'ok', 0.0005], ['get', 'quorum_failed', 0.003], ['put', 'ok', 0.02],
    ['put', 'ok', 3], ['delete', 'ok', 0.25], ['get', 'ok', 0.0011], ['put', 'too_large', 0],
  ];
  for (const [op, outcome, seconds] of samples) {
    counter.inc({ op, outcome });
    histogram.observe({ op }, seconds);
    ours.observe(op, outcome, seconds);
  }
  const sorted = (text: string): string[] => text.split('\n').filter((l) => l !== '').sort();
  assert.deepEqual(sorted(ours.exposition()), sorted(await registry.metrics()));
});

test('label values are escaped', () => {
  const m = new RequestMetrics();
  m.observe('get', 'a"b\\c\nd', 0.001);
  assert.match(m.exposition(), /outcome="a\\"b\\\\c\\nd"/);
});
