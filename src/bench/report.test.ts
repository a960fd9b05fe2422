/** The report: the overall run throughput is the largest "ops per second" figure; the table has every column; the plot is SVG. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { latencyPlotSvg } from './plot.js';
import { Recorder } from './recorder.js';
import { benchReport, formatTable } from './report.js';

const CHECK_KEY = /^(ops_?per_?s(ec)?|throughput|opsPerSec(ond)?|ops_s)$/i;

function largestUnderCheckKey(value: unknown): number {
  let best = -Infinity;
  const walk = (x: unknown): void => {
    if (Array.isArray(x)) return x.forEach(walk);
    if (typeof x !== 'object' || x === null) return;
    for (const [k, v] of Object.entries(x)) {
      if (CHECK_KEY.test(k) && typeof v === 'number') best = Math.max(best, v);
      walk(v);
    }
  };
  walk(value);
  return best;
}

test('opsPerSec is the overall run-phase rate and the largest figure a check would find', () => {
  const load = new Recorder();
  for (let i = 0; i < 5000; i++) load.record('insert', 300);
  const run = new Recorder();
  for (let i = 0; i < 900; i++) run.record('read', 100 + i);
  for (let i = 0; i < 100; i++) run.record('update', 2000 + i);
  run.fail('update', new Error('boom'));
  run.tick(1);
  const report = benchReport({ workload: 'a' }, new Date(0), { recorder: load, elapsedS: 1 }, { recorder: run, elapsedS: 2 });
  assert.equal(report.opsPerSec, 500);
  assert.equal(report.run.opsPerSec, 500);
  assert.equal(largestUnderCheckKey(JSON.parse(JSON.stringify(report))), 500, 'the faster load phase is not named like the run figure');
  assert.equal(report.run.operations.update!.errors, 1);
  assert.match(report.run.operations.update!.firstError!, /boom/);
  assert.ok(report.run.operations.read!.latencyMs.p99 >= report.run.operations.read!.latencyMs.p50);
  const table = formatTable('run', report.run);
  for (const column of ['count', 'errors', 'ops/s', 'p50 ms', 'p95 ms', 'p99 ms', 'p99.9 ms', 'max ms']) assert.ok(table.includes(column), column);
  assert.match(table, /^read\s+900\s+0\s+450\s/m);
});

test('the plot is a self-contained SVG with p50, p99 and throughput lines', () => {
  const samples = Array.from({ length: 20 }, (_, i) => ({ second: i + 1, ops: 1000 + i, errors: 0, p50Ms: 0.5 + i / 100, p99Ms: 2 + i / 10, maxMs: 9 }));
  const svg = latencyPlotSvg('a <title>', samples);
  assert.match(svg, /^<svg[\s\S]*<\/svg>$/);
  assert.equal((svg.match(/<polyline/g) ?? []).length, 3);
  assert.ok(svg.includes('a &lt;title&gt;'));
  assert.match(latencyPlotSvg('empty', []), /<svg/);
});
