/**
 * The two metrics touched on every client request, request counts by operation and outcome and
 * latency histograms by operation, recorded with plain array increments and written in the
 * Prometheus text format when scraped. prom-client's labelled children validate and hash their
 * labels on every observation: about 2% of a node's CPU under load (perf, workload A). Every
 * other metric is read at scrape time and stays in prom-client (prometheus.ts).
 */

/** Upper bounds of the latency buckets, in seconds. */
export const LATENCY_BUCKETS_S = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5] as const;

interface OperationStats {
  /** Observations per bucket (not cumulative); the last one is +Inf. */
  readonly buckets: Float64Array;
  sum: number;
  count: number;
  readonly outcomes: Map<string, number>;
}

export type RequestSnapshot = Record<string, { count: number; errors: number; buckets: number[] }>;

export class RequestMetrics {
  private readonly byOperation = new Map<string, OperationStats>();

  observe(op: string, outcome: string, seconds: number): void {
    let stats = this.byOperation.get(op);
    if (stats === undefined) {
      stats = { buckets: new Float64Array(LATENCY_BUCKETS_S.length + 1), sum: 0, count: 0, outcomes: new Map() };
      this.byOperation.set(op, stats);
    }
    let bucket = 0;
    while (bucket < LATENCY_BUCKETS_S.length && seconds > LATENCY_BUCKETS_S[bucket]!) bucket++;
    stats.buckets[bucket]!++;
    stats.sum += seconds;
    stats.count++;
    stats.outcomes.set(outcome, (stats.outcomes.get(outcome) ?? 0) + 1);
  }

  /** Per operation: requests so far, errors so far, and the (non-cumulative) latency bucket counts. */
  snapshot(): RequestSnapshot {
    const out: Record<string, { count: number; errors: number; buckets: number[] }> = {};
    for (const [op, stats] of this.byOperation) out[op] = { count: stats.count, errors: stats.count - (stats.outcomes.get('ok') ?? 0), buckets: [...stats.buckets] };
    return out;
  }

  /** The Prometheus text exposition (format 0.0.4) of both metrics, newline-terminated. */
  exposition(): string {
    const lines = [
      '# HELP dynamo_requests_total client requests by operation and outcome',
      '# TYPE dynamo_requests_total counter',
    ];
    for (const [op, stats] of this.byOperation) {
      for (const [outcome, n] of stats.outcomes) lines.push(`dynamo_requests_total{op="${label(op)}",outcome="${label(outcome)}"} ${n}`);
    }
    lines.push('# HELP dynamo_request_duration_seconds client request latency by operation', '# TYPE dynamo_request_duration_seconds histogram');
    for (const [op, stats] of this.byOperation) {
      const l = label(op);
      let cumulative = 0;
      for (let b = 0; b <= LATENCY_BUCKETS_S.length; b++) {
        cumulative += stats.buckets[b]!;
        const le = b < LATENCY_BUCKETS_S.length ? String(LATENCY_BUCKETS_S[b]) : '+Inf';
        lines.push(`dynamo_request_duration_seconds_bucket{le="${le}",op="${l}"} ${cumulative}`);
      }
      lines.push(`dynamo_request_duration_seconds_sum{op="${l}"} ${stats.sum}`, `dynamo_request_duration_seconds_count{op="${l}"} ${stats.count}`);
    }
    return lines.join('\n') + '\n';
  }
}

/** A label value escaped as the text format requires. */
function label(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}
