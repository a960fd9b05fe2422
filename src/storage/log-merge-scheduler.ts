/**
 * When the log engine merges: at most one merge at a time, started in the background once dead
 * bytes are at least half of all file bytes and the files at least a floor, or on request. The
 * floor is `mergeMinBytes` times 1 + jitter·u, u drawn uniformly from [0, 1) for each merge, so
 * that replicas fed the same writes do not all merge at once (LogEngineOptions.mergeJitter).
 * A failed automatic merge is not retried until the files have grown by half again, so a disk
 * that is full or failing is not hammered after every commit. `stop` (close) cancels a running
 * merge and waits for it to stop.
 */
import { StorageError } from './engine.js';
import { LogMerge, MergeCancelled, type MergeHost } from './log-merge.js';

export class MergeScheduler {
  private running: { readonly merge: LogMerge; readonly done: Promise<void> } | undefined;
  private stopped = false;
  private completed = 0;
  private failure: string | undefined;
  private retryAtBytes = 0;
  private floorBytes: number;

  constructor(
    private readonly host: MergeHost,
    private readonly mergeMinBytes: number,
    private readonly jitter: number,
    private readonly random: () => number = Math.random,
  ) {
    this.floorBytes = this.drawFloor();
  }

  /** The file bytes below which no merge starts by itself, until the next merge completes. */
  get floor(): number {
    return this.floorBytes;
  }

  private drawFloor(): number {
    return Math.floor(this.mergeMinBytes * (1 + this.jitter * this.random()));
  }

  get merging(): boolean {
    return this.running !== undefined;
  }

  /** Merges completed. */
  get merges(): number {
    return this.completed;
  }

  /** Why the last merge failed, until one succeeds. */
  get lastError(): string | undefined {
    return this.failure;
  }

  /** Starts a merge in the background if the files call for one. */
  consider(fileBytes: number, deadBytes: number): void {
    if (this.running !== undefined || this.stopped) return;
    if (fileBytes < this.floorBytes || fileBytes < this.retryAtBytes || deadBytes * 2 < fileBytes) return;
    void this.start();
  }

  /** Merges now, after any merge already running; rejects if it fails, with CLOSED if stopped. */
  async mergeNow(): Promise<void> {
    while (this.running !== undefined) await this.running.done;
    try {
      await this.start();
    } catch (err) {
      if (err instanceof MergeCancelled) throw new StorageError('CLOSED', 'the log engine closed during the merge');
      throw err;
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.running === undefined) return;
    this.running.merge.cancel();
    await this.running.done;
  }

  /** Starts a merge on the next turn; the returned promise rejects if it fails (`done` never does). */
  private start(): Promise<void> {
    const merge = new LogMerge(this.host);
    const result = (async () => {
      await new Promise((resolve) => setImmediate(resolve));
      if (this.stopped) throw new MergeCancelled('the engine closed before the merge began');
      await merge.run();
    })();
    const done = result
      .then(
        () => {
          this.completed++;
          this.failure = undefined;
          this.retryAtBytes = 0;
          this.floorBytes = this.drawFloor();
        },
        (err: unknown) => {
          if (err instanceof MergeCancelled) return;
          this.failure = String(err);
          this.retryAtBytes = this.host.files.totalBytes * 1.5;
        },
      )
      .finally(() => (this.running = undefined));
    this.running = { merge, done };
    return result;
  }
}
