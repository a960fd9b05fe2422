/**
 * `dynamo bench`: YCSB-style load against a running cluster. A load phase inserts the records, a
 * run phase drives the chosen workload for a number of operations or seconds with a fixed number
 * of clients each keeping one request in flight, then prints a table per operation (count,
 * errors, ops/s, p50/p95/p99/p99.9/max) and optionally writes the same figures as JSON and a
 * latency-over-time SVG.
 */
import { writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { Command, InvalidArgumentError } from 'commander';
import { seededRng } from '../core/random.js';
import { httpDriver, nativeDriver, type Driver } from '../bench/drivers.js';
import { clientSecurity } from './client-auth.js';
import { keyChooser, MAX_RECORDS, type Distribution } from '../bench/keys.js';
import { latencyPlotSvg } from '../bench/plot.js';
import type { Recorder, SecondSample } from '../bench/recorder.js';
import { benchReport, formatTable, phaseReport } from '../bench/report.js';
import { loadPhase, runPhase, valuePool, type PhaseResult } from '../bench/runner.js';
import { operationChooser, WORKLOADS, type WorkloadName } from '../bench/workload.js';
import { nodeUrl, oneOf, positiveInt } from './options.js';

interface BenchFlags {
  node: string[];
  protocol: 'native' | 'http';
  workload: WorkloadName;
  records: number;
  ops?: number;
  duration?: number;
  concurrency: number;
  valueSize: number;
  distribution: Distribution;
  r?: number;
  w?: number;
  json?: string;
  plot?: string;
  bucket: string;
  load: boolean;
  connections: number;
  seed?: number;
}

const DEFAULT_DURATION_S = 10;

function nodeList(value: string): string[] {
  const list = value.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  if (list.length === 0) throw new InvalidArgumentError('give at least one node URL');
  return list.map(nodeUrl);
}

export function benchCommand(): Command {
  return new Command('bench')
    .description('YCSB-style benchmark: load records, run a workload, print throughput and latency percentiles')
    .requiredOption('--node <url,...>', 'HTTP URLs of nodes (with --protocol native the client learns the client ports from GET /ring)', nodeList)
    .option('--protocol <p>', 'native (binary protocol, partition-aware client) or http', oneOf('native', 'http'), 'native')
    .option('--workload <w>', 'a (50% read/50% update), b (95/5), c (read only), write (update only), read (read only)', oneOf('a', 'b', 'c', 'write', 'read'), 'a')
    .option('--records <n>', 'records loaded and addressed', positiveInt, 100_000)
    .option('--ops <n>', 'operations in the run phase', positiveInt)
    .option('--duration <s>', `seconds of run phase (default ${DEFAULT_DURATION_S} when --ops is not given)`, positiveInt)
    .option('--concurrency <n>', 'clients, each with one request in flight', positiveInt, 50)
    .option('--value-size <bytes>', 'bytes per value', positiveInt, 100)
    .option('--distribution <d>', 'zipfian (YCSB scrambled, 0.99) or uniform', oneOf('zipfian', 'uniform'), 'zipfian')
    .option('--r <r>', 'read quorum per request (default: the bucket\'s)', positiveInt)
    .option('--w <w>', 'write quorum per request (default: the bucket\'s)', positiveInt)
    .option('--json <file>', 'write the results as JSON (overall run-phase throughput: "opsPerSec")')
    .option('--plot <file>', 'write p50/p99 and ops/s per second of the run phase as an SVG')
    .option('--bucket <name>', 'bucket to use', 'usertable')
    .option('--no-load', 'skip the load phase (the records are already there)')
    .option('--connections <n>', 'native: pipelined connections per node', positiveInt, 1)
    .option('--seed <n>', 'seed of the operation and key choices', positiveInt)
    .action(async (flags: BenchFlags) => {
      await runBench(flags);
    });
}

async function runBench(flags: BenchFlags): Promise<void> {
  if (flags.records > MAX_RECORDS) throw new InvalidArgumentError(`--records is at most ${MAX_RECORDS}`);
  const durationS = flags.ops === undefined ? (flags.duration ?? DEFAULT_DURATION_S) : flags.duration;
  const seed = flags.seed ?? randomBytes(4).readUInt32BE(0);
  const workload = WORKLOADS[flags.workload];
  const config = {
    nodes: flags.node, protocol: flags.protocol, workload: flags.workload, workloadDescription: workload.description,
    records: flags.records, ops: flags.ops ?? null, durationS: durationS ?? null, concurrency: flags.concurrency,
    valueSize: flags.valueSize, distribution: flags.distribution, r: flags.r ?? null, w: flags.w ?? null,
    bucket: flags.bucket, connectionsPerNode: flags.connections, seed,
  };
  console.log(
    `dynamo bench: ${workload.description}; ${flags.protocol} protocol; ${flags.node.length} node URL(s); ${flags.records} records of ${flags.valueSize} B; ` +
      `${flags.concurrency} clients; ${flags.distribution}; ${flags.ops !== undefined ? `${flags.ops} ops` : `${durationS} s`}; seed ${seed}`,
  );
  const driverOptions = {
    nodes: flags.node, bucket: flags.bucket, records: flags.records, concurrency: flags.concurrency, r: flags.r, w: flags.w,
    connectionsPerNode: flags.connections, keepContexts: workload.readProportion < 1, security: clientSecurity(),
  };
  const driver: Driver = flags.protocol === 'native' ? await nativeDriver(driverOptions) : await httpDriver(driverOptions);
  const value = valuePool(flags.valueSize);
  const progress = process.stderr.isTTY ? progressLine : undefined;
  const startedAt = new Date();
  let load: PhaseResult | null = null;
  try {
    if (flags.load) {
      load = await loadPhase(driver, flags.records, flags.concurrency, value, progress);
      endProgress(progress);
      console.log(formatTable('load phase', phaseReport(load)));
    }
    const rng = seededRng(seed);
    const run = await runPhase(
      driver,
      { ops: flags.ops, durationS },
      flags.concurrency,
      operationChooser(workload, rng),
      keyChooser(flags.distribution, flags.records, rng),
      value,
      progress,
    );
    endProgress(progress);
    const report = benchReport(config, startedAt, load, run);
    console.log(formatTable(`run phase, workload ${flags.workload}`, report.run));
    console.log(`overall: ${report.opsPerSec.toFixed(0)} ops/s`);
    if (flags.json !== undefined) writeFileSync(flags.json, JSON.stringify(report, null, 2) + '\n');
    if (flags.plot !== undefined) {
      const title = `dynamo bench: workload ${flags.workload}, ${flags.protocol}, ${flags.concurrency} clients, ${flags.valueSize} B values: ${report.opsPerSec.toFixed(0)} ops/s`;
      writeFileSync(flags.plot, latencyPlotSvg(title, report.timeline));
    }
  } finally {
    await driver.close();
  }
}

function progressLine(phase: string, elapsedS: number, recorder: Recorder, last: SecondSample): void {
  const p99 = recorder.all.totalCount === 0 ? 0 : recorder.all.getValueAtPercentile(99) / 1000;
  process.stderr.write(
    `\r[${phase}] ${elapsedS.toFixed(0)} s  ${last.ops} ops/s  total ${recorder.count}  p99 so far ${p99.toFixed(2)} ms  errors ${recorder.errors}   `,
  );
}

function endProgress(progress: unknown): void {
  if (progress !== undefined) process.stderr.write('\n');
}
