import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DEFAULT_PHI_OPTIONS, PhiAccrualDetector } from './phi.js';
import { seededRng } from '../random.js';

/** A detector that heard `count` heartbeats `intervalMs` apart; returns it and the last heartbeat time. */
function regular(count: number, intervalMs: number): { d: PhiAccrualDetector; lastMs: number } {
  const d = new PhiAccrualDetector();
  let t = 10_000;
  for (let i = 0; i < count; i++, t += intervalMs) d.heartbeat(t);
  return { d, lastMs: t - intervalMs };
}

test('before any heartbeat: phi 0, available, never heard', () => {
  const d = new PhiAccrualDetector();
  assert.equal(d.phi(123_456), 0);
  assert.ok(d.isAvailable(123_456));
  assert.equal(d.lastHeartbeatMs(), null);
  assert.equal(d.suspectAtMs(), null);
});

test('phi grows monotonically with silence', () => {
  const { d, lastMs } = regular(50, 1000);
  let previous = -1;
  for (let silence = 0; silence <= 20_000; silence += 50) {
    const phi = d.phi(lastMs + silence);
    assert.ok(phi >= previous, `phi fell from ${previous} to ${phi} at ${silence} ms`);
    assert.ok(Number.isFinite(phi));
    previous = phi;
  }
  assert.ok(previous > 1000);
});

test('regular 1 s heartbeats keep phi low; a 10 s silence crosses threshold 8', () => {
  const { d, lastMs } = regular(100, 1000);
  assert.ok(d.phi(lastMs + 1000) < 0.01, 'the next heartbeat on time is no evidence');
  assert.ok(d.isAvailable(lastMs + 1800));
  assert.ok(d.phi(lastMs + 10_000) > 8);
  assert.ok(!d.isAvailable(lastMs + 10_000));
  // With the defaults, a crashed peer is suspected about two intervals after its last heartbeat.
  const suspectAfterMs = d.suspectAtMs()! - lastMs;
  assert.ok(suspectAfterMs > 1900 && suspectAfterMs < 2500, `suspected after ${suspectAfterMs} ms`);
  assert.ok(Math.abs(d.phi(d.suspectAtMs()!) - DEFAULT_PHI_OPTIONS.threshold) < 1e-6);
});

test('the first heartbeat alone gives a usable estimate', () => {
  const d = new PhiAccrualDetector();
  d.heartbeat(0);
  assert.equal(d.lastHeartbeatMs(), 0);
  assert.ok(d.isAvailable(1500));
  assert.ok(!d.isAvailable(10_000));
  assert.deepEqual(d.statistics(), { samples: 2, meanIntervalMs: 1000, stdDevMs: 250 });
});

test('jittery heartbeats are tolerated, and a long silence is still detected', () => {
  const rng = seededRng(42);
  const d = new PhiAccrualDetector();
  let t = 0;
  for (let i = 0; i < 1000; i++) {
    // 1 s ± 400 ms, with one heartbeat in 20 lost (a 2 s gap).
    const gap = 600 + rng.int(801) + (rng.int(20) === 0 ? 1000 : 0);
    assert.ok(d.isAvailable(t + gap - 1) || i === 0, `falsely suspected at heartbeat ${i}, gap ${gap}`);
    t += gap;
    d.heartbeat(t);
  }
  assert.ok(!d.isAvailable(t + 10_000));
});

test('a long outage does not blind the detector afterwards', () => {
  const { d, lastMs } = regular(100, 1000);
  const back = lastMs + 600_000;
  d.heartbeat(back);
  assert.ok(d.statistics().meanIntervalMs < 1100, 'the outage is not sampled as a 10-minute interval');
  for (let t = back + 1000; t <= back + 5000; t += 1000) d.heartbeat(t);
  assert.ok(!d.isAvailable(back + 5000 + 10_000));
});

test('a lasting slowdown is learnt within a few heartbeats', () => {
  const { d, lastMs } = regular(200, 1000);
  let t = lastMs;
  const convicted: boolean[] = [];
  for (let i = 0; i < 30; i++) {
    convicted.push(!d.isAvailable(t + 2999));
    t += 3000;
    d.heartbeat(t);
  }
  assert.ok(convicted[0], 'the first 3 s gap is suspicious');
  assert.ok(convicted.slice(15).every((c) => !c), `still suspecting: ${convicted.join(',')}`);
});

test('duplicate and reordered heartbeats are ignored', () => {
  const { d, lastMs } = regular(10, 1000);
  const before = d.statistics();
  d.heartbeat(lastMs);
  d.heartbeat(lastMs - 500);
  assert.deepEqual(d.statistics(), before);
  assert.equal(d.lastHeartbeatMs(), lastMs);
});

test('memory is bounded by the window', () => {
  const { d } = regular(10_000, 1000);
  assert.equal(d.statistics().samples, DEFAULT_PHI_OPTIONS.windowSize);
  const small = new PhiAccrualDetector({ windowSize: 3 });
  for (let t = 0; t < 100_000; t += 1000) small.heartbeat(t);
  assert.equal(small.statistics().samples, 3);
});

test('bad options are rejected with a sentence', () => {
  assert.throws(() => new PhiAccrualDetector({ threshold: 0 }), /threshold/);
  assert.throws(() => new PhiAccrualDetector({ windowSize: 0 }), /window size/);
  assert.throws(() => new PhiAccrualDetector({ minStdDevMs: 0 }), /standard deviation/);
  assert.throws(() => new PhiAccrualDetector({ acceptablePauseMs: -1 }), /pause/);
  assert.throws(() => new PhiAccrualDetector({ firstHeartbeatEstimateMs: 0 }), /estimate/);
});

const arbOptions = fc.record({
  threshold: fc.double({ min: 0.5, max: 16, noNaN: true }),
  windowSize: fc.integer({ min: 1, max: 50 }),
  minStdDevMs: fc.double({ min: 1, max: 500, noNaN: true }),
  acceptablePauseMs: fc.double({ min: 0, max: 1000, noNaN: true }),
  firstHeartbeatEstimateMs: fc.double({ min: 10, max: 5000, noNaN: true }),
});

test('property: for a fixed history phi is non-decreasing in now, finite and >= 0', () => {
  fc.assert(
    fc.property(
      arbOptions,
      fc.array(fc.double({ min: 0, max: 10_000, noNaN: true }), { maxLength: 60 }),
      fc.double({ min: -1e4, max: 1e9, noNaN: true }),
      fc.double({ min: 0, max: 1e9, noNaN: true }),
      (options, gaps, offset, step) => {
        const d = new PhiAccrualDetector(options);
        let t = 1000;
        for (const gap of gaps) d.heartbeat((t += gap));
        const now = t + offset;
        const a = d.phi(now);
        const b = d.phi(now + step);
        assert.ok(Number.isFinite(a) && Number.isFinite(b) && a >= 0);
        assert.ok(a <= b, `phi(${now}) = ${a} > phi(${now + step}) = ${b}`);
      },
    ),
    { numRuns: 1000 },
  );
});
