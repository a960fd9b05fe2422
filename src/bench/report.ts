/**
 * What a run produced, as a table for people and as JSON for scripts. The one overall run-phase
 * throughput is `opsPerSec` (top level and in `run`); every other rate is named `ratePerSec`, so
 * a check that looks for the largest "opsPerSec"-like number finds the overall figure.
 */
import type { PhaseResult } from './runner.js';
import { summarize, type LatencySummaryMs, type SecondSample } from './recorder.js';

export interface OperationReport {
  readonly count: number;
  readonly errors: number;
  readonly ratePerSec: number;
  readonly latencyMs: LatencySummaryMs;
  readonly firstError?: string;
}

export interface PhaseReport {
  readonly elapsedS: number;
  readonly count: number;
  readonly errors: number;
  readonly operations: Record<string, OperationReport>;
  readonly all: OperationReport;
}

export interface BenchReport {
  readonly tool: 'dynamo bench';
  readonly startedAt: string;
  readonly config: Record<string, unknown>;
  readonly load: PhaseReport | null;
  readonly run: PhaseReport & { readonly opsPerSec: number };
  readonly timeline: readonly SecondSample[];
  readonly opsPerSec: number;
}

const round = (x: number): number => Math.round(x * 10) / 10;

export function phaseReport(result: PhaseResult): PhaseReport {
  const { recorder, elapsedS } = result;
  const operations: Record<string, OperationReport> = {};
  for (const [op, stats] of recorder.byOperation) {
    operations[op] = {
      count: stats.histogram.totalCount,
      errors: stats.errors,
      ratePerSec: round(stats.histogram.totalCount / elapsedS),
      latencyMs: summarize(stats.histogram),
      ...(stats.firstError === undefined ? {} : { firstError: stats.firstError }),
    };
  }
  const all = { count: recorder.count, errors: recorder.errors, ratePerSec: round(recorder.count / elapsedS), latencyMs: summarize(recorder.all) };
  return { elapsedS: round(elapsedS * 100) / 100, count: recorder.count, errors: recorder.errors, operations, all };
}

export function benchReport(config: Record<string, unknown>, startedAt: Date, load: PhaseResult | null, run: PhaseResult): BenchReport {
  const runReport = phaseReport(run);
  const opsPerSec = runReport.all.ratePerSec;
  return {
    tool: 'dynamo bench',
    startedAt: startedAt.toISOString(),
    config,
    load: load === null ? null : phaseReport(load),
    run: { ...runReport, opsPerSec },
    timeline: run.recorder.timeline,
    opsPerSec,
  };
}

/** count, errors, ops/s, p50, p95, p99, p99.9, max per operation, then all of them. */
export function formatTable(title: string, phase: PhaseReport): string {
  const header = ['operation', 'count', 'errors', 'ops/s', 'p50 ms', 'p95 ms', 'p99 ms', 'p99.9 ms', 'max ms'];
  const row = (name: string, r: OperationReport): string[] => [
    name,
    String(r.count),
    String(r.errors),
    r.ratePerSec.toFixed(0),
    ...[r.latencyMs.p50, r.latencyMs.p95, r.latencyMs.p99, r.latencyMs.p999, r.latencyMs.max].map((v) => v.toFixed(2)),
  ];
  const rows = [header, ...Object.entries(phase.operations).map(([op, r]) => row(op, r)), row('all', phase.all)];
  const widths = header.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  const errors = Object.entries(phase.operations)
    .filter(([, r]) => r.firstError !== undefined)
    .map(([op, r]) => `  first ${op} error: ${r.firstError}`);
  return [`${title} (${phase.elapsedS.toFixed(1)} s)`, ...rows.map(line), ...errors].join('\n');
}
