/**
 * Latencies and counts of one phase: an HDR histogram per operation (microsecond resolution, three
 * significant digits), error counts, and a per-second series of all operations (ops, p50, p99, max)
 * for the progress line and the latency-over-time plot. Only successful operations enter the
 * latency figures; failures are counted apart.
 */
import * as hdr from 'hdr-histogram-js';
import type { Operation } from './workload.js';

export interface LatencySummaryMs {
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly p999: number;
  readonly max: number;
  readonly mean: number;
}

export interface SecondSample {
  readonly second: number;
  readonly ops: number;
  readonly errors: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

function histogram(): hdr.Histogram {
  return hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3, useWebAssembly: false });
}

export function summarize(h: hdr.Histogram): LatencySummaryMs {
  const ms = (us: number): number => Math.round(us) / 1000;
  if (h.totalCount === 0) return { p50: 0, p95: 0, p99: 0, p999: 0, max: 0, mean: 0 };
  return {
    p50: ms(h.getValueAtPercentile(50)),
    p95: ms(h.getValueAtPercentile(95)),
    p99: ms(h.getValueAtPercentile(99)),
    p999: ms(h.getValueAtPercentile(99.9)),
    max: ms(h.maxValue),
    mean: ms(h.mean),
  };
}

class OperationStats {
  readonly histogram = histogram();
  errors = 0;
  firstError: string | undefined;
}

export class Recorder {
  readonly byOperation = new Map<Operation, OperationStats>();
  readonly all = histogram();
  readonly timeline: SecondSample[] = [];
  private readonly interval = histogram();
  private intervalErrors = 0;
  errors = 0;

  record(op: Operation, latencyUs: number): void {
    const us = Math.max(1, Math.round(latencyUs));
    this.stats(op).histogram.recordValue(us);
    this.all.recordValue(us);
    this.interval.recordValue(us);
  }

  fail(op: Operation, error: unknown): void {
    const stats = this.stats(op);
    stats.errors++;
    stats.firstError ??= error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    this.errors++;
    this.intervalErrors++;
  }

  get count(): number {
    return this.all.totalCount;
  }

  /** Closes the current one-second sample. */
  tick(second: number): SecondSample {
    const s = summarize(this.interval);
    const sample = { second, ops: this.interval.totalCount, errors: this.intervalErrors, p50Ms: s.p50, p99Ms: s.p99, maxMs: s.max };
    this.timeline.push(sample);
    this.interval.reset();
    this.intervalErrors = 0;
    return sample;
  }

  private stats(op: Operation): OperationStats {
    let s = this.byOperation.get(op);
    if (s === undefined) {
      s = new OperationStats();
      this.byOperation.set(op, s);
    }
    return s;
  }
}
