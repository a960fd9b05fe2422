/**
 * The phi-accrual failure detector (Hayashibara, Défago, Yared, Katayama 2004), as Akka and
 * Cassandra run it. Instead of a yes/no timeout it reports suspicion on a continuous scale:
 * phi = -log10 P(a heartbeat arrives later than the silence seen so far), with inter-arrival
 * times modelled as a normal distribution fitted over a sliding window of recent intervals. phi 1
 * means a 10% chance the silence is ordinary, 8 a one-in-10^8 chance. Each node keeps one detector
 * per peer and decides locally (Dynamo §4.8.3); the node only routes around a suspected peer and
 * never removes it from the ring on this evidence alone.
 *
 * Details, each a choice:
 * - The normal tail uses Akka's logistic approximation 1/(1+e^z), z = y(1.5976 + 0.070566y²), with
 *   y the silence in standard deviations past the expected arrival. phi is log10(1+e^z), computed
 *   so it never overflows to Infinity and is non-decreasing in the silence. (Cassandra uses an
 *   exponential distribution, which ignores the variance and so is blunter when heartbeats are
 *   regular.)
 * - minStdDevMs keeps a perfectly regular history from convicting on a few ms of lateness;
 *   acceptablePauseMs is added to the expected arrival so an ordinary stall (a GC, a long
 *   synchronous disk commit on either side) is not evidence at all.
 * - Bootstrap: the first heartbeat seeds the window with firstHeartbeatEstimateMs ± a quarter of
 *   it (mean = estimate, deviation = estimate/4), as Akka does, so phi is meaningful from the
 *   second moment on; real intervals push the seeds out.
 * - A gap longer than the detector's own conviction point is an outage, not a sample of the
 *   cadence: it is recorded as the conviction point itself. A peer back from a ten-minute outage
 *   thus does not widen the estimate by ten minutes (which would blind the detector for the next
 *   `windowSize` heartbeats); Cassandra drops such gaps, Akka keeps them whole; clamping keeps the
 *   good part of both, since a lasting slowdown still pulls the estimate up within a few heartbeats.
 * - A heartbeat at or before the last one (duplicate, reordered, clock stepped back) is ignored.
 * - Before any heartbeat phi is 0 and isAvailable is true: the detector has no evidence against
 *   the peer. "Never heard from" is a different fact; callers read it from lastHeartbeatMs() === null.
 */
import { assert } from '../assert.js';
import { IntervalWindow } from './window.js';

export interface PhiOptions {
  /** Suspicion at or above which the peer is considered down. */
  readonly threshold: number;
  /** How many recent inter-arrival times the estimate uses (memory is fixed at this). */
  readonly windowSize: number;
  /** Floor on the standard deviation, so a regular history tolerates small jitter. */
  readonly minStdDevMs: number;
  /** Added to the expected arrival: lateness up to this is not evidence. */
  readonly acceptablePauseMs: number;
  /** The expected heartbeat interval before any has been measured (the gossip interval). */
  readonly firstHeartbeatEstimateMs: number;
}

/**
 * Threshold 8, window 200, deviation floor 100 ms and first estimate 1 s follow Akka and
 * Cassandra. The pause is 500 ms, the top of the sensible range: Node's event loop on either side
 * can stall for a few hundred ms (GC, a synchronous storage commit, a big message) without anything
 * having failed. With 1 s heartbeats a crashed peer is then suspected about 2 s after its last
 * heartbeat: one late heartbeat is tolerated, two missing ones are not.
 */
export const DEFAULT_PHI_OPTIONS: PhiOptions = Object.freeze({
  threshold: 8,
  windowSize: 200,
  minStdDevMs: 100,
  acceptablePauseMs: 500,
  firstHeartbeatEstimateMs: 1000,
});

const A = 0.070566;
const B = 1.5976;

export class PhiAccrualDetector {
  readonly options: PhiOptions;
  private readonly intervals: IntervalWindow;
  private lastMs: number | null = null;

  constructor(options: Partial<PhiOptions> = {}) {
    this.options = Object.freeze({ ...DEFAULT_PHI_OPTIONS, ...options });
    validatePhiOptions(this.options);
    this.intervals = new IntervalWindow(this.options.windowSize);
  }

  heartbeat(nowMs: number): void {
    assert(Number.isFinite(nowMs), `heartbeat time must be finite, got ${nowMs}`);
    if (this.lastMs === null) {
      const estimate = this.options.firstHeartbeatEstimateMs;
      this.intervals.push(estimate - estimate / 4);
      this.intervals.push(estimate + estimate / 4);
    } else if (nowMs > this.lastMs) {
      this.intervals.push(Math.min(nowMs - this.lastMs, this.silenceAtPhiMs(this.options.threshold)));
    } else {
      return;
    }
    this.lastMs = nowMs;
  }

  /** Suspicion at nowMs; 0 before any heartbeat. Non-decreasing in nowMs between heartbeats. */
  phi(nowMs: number): number {
    if (this.lastMs === null) return 0;
    const { meanMs, stdDevMs } = this.expectation();
    const y = (nowMs - this.lastMs - meanMs) / stdDevMs;
    return softplus(y * (B + A * y * y)) / Math.LN10;
  }

  /** phi < threshold. True before any heartbeat (no evidence against the peer); see the file comment. */
  isAvailable(nowMs: number): boolean {
    return this.phi(nowMs) < this.options.threshold;
  }

  lastHeartbeatMs(): number | null {
    return this.lastMs;
  }

  /**
   * When phi will reach the threshold if no heartbeat arrives: the moment a pure caller should
   * re-evaluate this peer (so a runtime can set one timer instead of polling). Null before any heartbeat.
   */
  suspectAtMs(): number | null {
    return this.lastMs === null ? null : this.lastMs + this.silenceAtPhiMs(this.options.threshold);
  }

  /** The current estimate, for status pages and metrics. */
  statistics(): { readonly samples: number; readonly meanIntervalMs: number; readonly stdDevMs: number } {
    if (this.intervals.size === 0) return { samples: 0, meanIntervalMs: this.options.firstHeartbeatEstimateMs, stdDevMs: 0 };
    return { samples: this.intervals.size, meanIntervalMs: this.intervals.mean(), stdDevMs: Math.sqrt(this.intervals.variance()) };
  }

  /** Expected arrival (mean plus acceptable pause) and the deviation used, both in ms. */
  private expectation(): { meanMs: number; stdDevMs: number } {
    const meanMs = this.intervals.mean() + this.options.acceptablePauseMs;
    const stdDevMs = Math.max(Math.sqrt(this.intervals.variance()), this.options.minStdDevMs);
    return { meanMs, stdDevMs };
  }

  /** The silence after the last heartbeat at which phi equals `target` (phi inverted in closed form). */
  private silenceAtPhiMs(target: number): number {
    const { meanMs, stdDevMs } = this.expectation();
    const z = Math.log(Math.expm1(target * Math.LN10)); // phi = log10(1 + e^z)
    return Math.max(0, meanMs + solveCubic(z) * stdDevMs);
  }
}

export function validatePhiOptions(o: PhiOptions): void {
  assert(Number.isFinite(o.threshold) && o.threshold > 0, `phi threshold must be a positive number, got ${o.threshold}`);
  assert(Number.isInteger(o.windowSize) && o.windowSize >= 1 && o.windowSize <= 100_000, `phi window size must be an integer in 1..100000, got ${o.windowSize}`);
  assert(Number.isFinite(o.minStdDevMs) && o.minStdDevMs > 0, `phi minimum standard deviation must be positive, got ${o.minStdDevMs}`);
  assert(Number.isFinite(o.acceptablePauseMs) && o.acceptablePauseMs >= 0, `acceptable heartbeat pause must be >= 0, got ${o.acceptablePauseMs}`);
  assert(
    Number.isFinite(o.firstHeartbeatEstimateMs) && o.firstHeartbeatEstimateMs > 0,
    `first heartbeat estimate must be positive, got ${o.firstHeartbeatEstimateMs}`,
  );
}

/** log(1 + e^z) without overflow; non-decreasing in z. */
function softplus(z: number): number {
  return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
}

/** The real root y of A·y³ + B·y = z (one root: the left side is strictly increasing), by Cardano. */
function solveCubic(z: number): number {
  if (z < 0) return -solveCubic(-z);
  const p = B / A;
  const q = z / A;
  const t = Math.cbrt(q / 2 + Math.sqrt((q * q) / 4 + (p * p * p) / 27));
  return t - p / (3 * t);
}
