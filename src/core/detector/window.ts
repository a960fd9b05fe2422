/**
 * The detector's memory: the last `capacity` heartbeat inter-arrival times in a fixed ring buffer,
 * with a running sum and sum of squares so mean and variance cost O(1) per heartbeat and per
 * phi evaluation. Subtracting evicted samples accumulates floating-point error, so the sums are
 * recomputed exactly each time the buffer wraps (amortised O(1)). Memory is fixed at creation.
 */
import { assert } from '../assert.js';

export class IntervalWindow {
  private readonly samples: Float64Array;
  private next = 0;
  private count = 0;
  private sum = 0;
  private sumSquares = 0;

  constructor(readonly capacity: number) {
    assert(Number.isInteger(capacity) && capacity >= 1, `interval window size must be an integer >= 1, got ${capacity}`);
    this.samples = new Float64Array(capacity);
  }

  get size(): number {
    return this.count;
  }

  push(intervalMs: number): void {
    assert(Number.isFinite(intervalMs) && intervalMs >= 0, `interval must be a finite non-negative number, got ${intervalMs}`);
    if (this.count === this.capacity) {
      const evicted = this.samples[this.next]!;
      this.sum -= evicted;
      this.sumSquares -= evicted * evicted;
    } else {
      this.count++;
    }
    this.samples[this.next] = intervalMs;
    this.sum += intervalMs;
    this.sumSquares += intervalMs * intervalMs;
    this.next = (this.next + 1) % this.capacity;
    if (this.next === 0) this.resum();
  }

  mean(): number {
    assert(this.count > 0, 'mean of an empty interval window');
    return this.sum / this.count;
  }

  /** Population variance, clamped at zero against rounding. */
  variance(): number {
    const mean = this.mean();
    return Math.max(0, this.sumSquares / this.count - mean * mean);
  }

  private resum(): void {
    let sum = 0;
    let sumSquares = 0;
    for (let i = 0; i < this.count; i++) {
      const x = this.samples[i]!;
      sum += x;
      sumSquares += x * x;
    }
    this.sum = sum;
    this.sumSquares = sumSquares;
  }
}
