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

/** The next operation, started: what it is and when it is done; null when the phase is over. */
type NextOperation = () => { readonly op: Operation; readonly done: Promise<void> } | null;

/**
 * Keeps `concurrency` operations in flight until `next` has no more. Each completion records its
 * latency and starts the next one from a `then` callback: no async function per operation, as
 * the load generator's CPU is taken from the nodes it measures.
 */
function runWorkers(phase: string, concurrency: number, next: NextOperation, progress: Progress | undefined): Promise<PhaseResult> {
  const recorder = new Recorder();
  const started = performance.now();
  let second = 0;
  const ticker = setInterval(() => {
    const sample = recorder.tick(++second);
    progress?.(phase, (performance.now() - started) / 1000, recorder, sample);
  }, 1000);
  return new Promise((resolve) => {
    let running = concurrency;
    const finish = (): void => {
      clearInterval(ticker);
      const elapsedS = (performance.now() - started) / 1000;
      if (elapsedS - second > 0.2) recorder.tick(second + 1);
      resolve({ recorder, elapsedS });
    };
    const startOne = (): void => {
      const started = next();
      if (started === null) {
        if (--running === 0) finish();
        return;
      }
      const t0 = performance.now();
      const { op } = started;
      started.done.then(
        () => {
          recorder.record(op, (performance.now() - t0) * 1000);
          startOne();
        },
        (err: unknown) => {
          recorder.fail(op, err);
          startOne();
        },
      );
    };
    for (let i = 0; i < concurrency; i++) startOne();
  });
}

export function loadPhase(driver: Driver, records: number, concurrency: number, value: () => Buffer, progress?: Progress): Promise<PhaseResult> {
  let next = 0;
  return runWorkers('load', concurrency, () => {
    if (next >= records) return null;
    const index = next++;
    return { op: 'insert', done: driver.update(index, recordKey(index), value()) };
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
  return runWorkers('run', concurrency, () => {
    if (issued >= maxOps || performance.now() >= deadline) return null;
    issued++;
    const op = chooseOp();
    const index = chooseKey();
    const key = recordKey(index);
    return { op, done: op === 'read' ? driver.read(index, key) : driver.update(index, key, value()) };
  }, progress);
}
