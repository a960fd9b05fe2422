/**
 * The two phases of a YCSB-style run. Load: `concurrency` workers insert records 0..n-1 once each.
 * Run: `concurrency` workers each keep one operation in flight (closed loop), drawing the operation
 * from the workload's mix and the record from the key distribution, until the operation count or
 * the duration is reached. A one-second ticker closes the timeline samples and drives the progress
 * callback.
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Driver } from './drivers.js';
import { recordKey, type KeyChooser } from './keys.js';
import { Recorder, type SecondSample } from './recorder.js';
import type { Operation } from './workload.js';

export interface PhaseResult {
  readonly recorder: Recorder;
  readonly elapsedS: number;
}

export type Progress = (phase: string, elapsedS: number, recorder: Recorder, last: SecondSample) => void;

/** Values are drawn from a pool of random buffers, so making them costs nothing per operation. */
export function valuePool(valueBytes: number, size = 1024): () => Buffer {
  const pool = Array.from({ length: size }, () => randomBytes(valueBytes));
  let next = 0;
  return () => pool[next++ % size]!;
}

async function runWorkers(
  phase: string,
  concurrency: number,
  step: (recorder: Recorder) => Promise<boolean>,
  progress: Progress | undefined,
): Promise<PhaseResult> {
  const recorder = new Recorder();
  const started = performance.now();
  let second = 0;
  const ticker = setInterval(() => {
    const sample = recorder.tick(++second);
    progress?.(phase, (performance.now() - started) / 1000, recorder, sample);
  }, 1000);
  try {
    await Promise.all(Array.from({ length: concurrency }, async () => {
      while (await step(recorder));
    }));
  } finally {
    clearInterval(ticker);
  }
  const elapsedS = (performance.now() - started) / 1000;
  if (elapsedS - second > 0.2) recorder.tick(second + 1);
  return { recorder, elapsedS };
}

async function timed(recorder: Recorder, op: Operation, run: () => Promise<void>): Promise<void> {
  const t0 = performance.now();
  try {
    await run();
    recorder.record(op, (performance.now() - t0) * 1000);
  } catch (err) {
    recorder.fail(op, err);
  }
}

export function loadPhase(driver: Driver, records: number, concurrency: number, value: () => Buffer, progress?: Progress): Promise<PhaseResult> {
  let next = 0;
  return runWorkers('load', concurrency, async (recorder) => {
    if (next >= records) return false;
    const index = next++;
    await timed(recorder, 'insert', () => driver.update(index, recordKey(index), value()));
    return true;
  }, progress);
}

export interface RunLimits {
  readonly ops?: number | undefined;
  readonly durationS?: number | undefined;
}

export function runPhase(
  driver: Driver,
  limits: RunLimits,
  concurrency: number,
  chooseOp: () => Operation,
  chooseKey: KeyChooser,
  value: () => Buffer,
  progress?: Progress,
): Promise<PhaseResult> {
  const deadline = limits.durationS === undefined ? Infinity : performance.now() + limits.durationS * 1000;
  const maxOps = limits.ops ?? Infinity;
  let issued = 0;
  return runWorkers('run', concurrency, async (recorder) => {
    if (issued >= maxOps || performance.now() >= deadline) return false;
    issued++;
    const op = chooseOp();
    const index = chooseKey();
    const key = recordKey(index);
    await timed(recorder, op, op === 'read' ? () => driver.read(index, key) : () => driver.update(index, key, value()));
    return true;
  }, progress);
}
