/**
 * The dashboard's charts: request rates, error rates and p50/p99 latency per operation over the
 * last minutes. A timer in the API layer takes a snapshot of the cumulative request histograms
 * every SAMPLE_INTERVAL_MS and keeps the last MAX_SAMPLES; a chart point is the difference of two
 * consecutive snapshots (the last one against now), so the node records nothing extra per request.
 * Percentiles are the upper bound of the latency bucket that holds them (the histogram's
 * resolution; the same as Prometheus' histogram_quantile without its interpolation).
 */
import { assert } from '../core/assert.js';
import { LATENCY_BUCKETS_S, type RequestSnapshot } from '../runtime/request-metrics.js';

export const SAMPLE_INTERVAL_MS = 5000;
/** Six minutes of points. */
export const MAX_SAMPLES = 72;

export interface Sample {
  readonly atMs: number;
  readonly requests: RequestSnapshot;
}

export interface SeriesPoint {
  readonly atMs: number;
  readonly perSec: number;
  readonly errorsPerSec: number;
  /** Milliseconds; null when the interval had no request. */
  readonly p50Ms: number | null;
  readonly p99Ms: number | null;
}

/** The q-quantile of a non-cumulative bucket histogram, as its bucket's upper bound in ms (the last bucket: over the top bound). */
export function quantileMs(buckets: readonly number[], q: number): number | null {
  assert(q > 0 && q <= 1, 'a quantile is in (0, 1]');
  const total = buckets.reduce((a, b) => a + b, 0);
  if (total <= 0) return null;
  const rank = Math.ceil(q * total);
  let seen = 0;
  for (let i = 0; i < buckets.length; i++) {
    seen += buckets[i]!;
    if (seen >= rank) return 1000 * (LATENCY_BUCKETS_S[Math.min(i, LATENCY_BUCKETS_S.length - 1)] ?? 0);
  }
  return 1000 * LATENCY_BUCKETS_S[LATENCY_BUCKETS_S.length - 1]!;
}

/** Per operation, one point per pair of consecutive samples. */
export function seriesOf(samples: readonly Sample[]): Record<string, SeriesPoint[]> {
  const out: Record<string, SeriesPoint[]> = {};
  for (let i = 1; i < samples.length; i++) {
    const a = samples[i - 1]!;
    const b = samples[i]!;
    const seconds = (b.atMs - a.atMs) / 1000;
    if (seconds <= 0) continue;
    for (const [op, now] of Object.entries(b.requests)) {
      const before = a.requests[op] ?? { count: 0, errors: 0, buckets: now.buckets.map(() => 0) };
      const delta = now.buckets.map((n, k) => n - (before.buckets[k] ?? 0));
      (out[op] ??= []).push({
        atMs: b.atMs,
        perSec: (now.count - before.count) / seconds,
        errorsPerSec: (now.errors - before.errors) / seconds,
        p50Ms: quantileMs(delta, 0.5),
        p99Ms: quantileMs(delta, 0.99),
      });
    }
  }
  return out;
}

/** The sampler: start() once per HTTP server, stop() when it closes. */
export class RequestSeries {
  private readonly samples: Sample[] = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly snapshot: () => RequestSnapshot) {}

  start(): void {
    if (this.timer !== null) return;
    this.take();
    this.timer = setInterval(() => this.take(), SAMPLE_INTERVAL_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  private take(): void {
    this.samples.push({ atMs: Date.now(), requests: this.snapshot() });
    if (this.samples.length > MAX_SAMPLES) this.samples.shift();
  }

  /** The series up to now (the last point covers the interval since the last sample). */
  series(): Record<string, SeriesPoint[]> {
    const now = Date.now();
    const last = this.samples[this.samples.length - 1];
    // A point over less than a second would show noise, not a rate.
    if (last === undefined || now - last.atMs < 1000) return seriesOf(this.samples);
    return seriesOf([...this.samples, { atMs: now, requests: this.snapshot() }]);
  }
}
