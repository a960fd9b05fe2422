/**
 * When the log engine's writes reach the disk, per durability mode (as lmdb.ts documents them):
 * - 'always': every commit's write is fdatasynced before `commit()` resolves (blocking, like
 *   LMDB's synchronous commit), and a new data file's directory entry is fsynced when it is made.
 * - 'interval': commits only write to the OS; a timer fdatasyncs the files written since the last
 *   fsync (and the directory, if a file was made) every `fsyncIntervalMs`, on the thread pool.
 * - 'none': never fsyncs.
 * A failed fsync is remembered: what reached the disk is then unknown (PostgreSQL's "fsyncgate":
 * Linux may have dropped the dirty pages and will not report it again), so every later commit is
 * refused with SYNC_FAILED and the node must restart and recover from what the disk really holds.
 *
 * One fsync round runs at a time; a caller arriving during one waits for it, then covers what came
 * after. Files leave through `forget`, which closes them only between rounds, so an fd is never
 * closed (and its number reused) under an fsync in flight.
 */
import { StorageError, type Durability } from './engine.js';
import { type DataFile } from './log-files.js';
import { fdatasyncAsync, fsyncAsync, type LogIo } from './log-io.js';

export class LogDurability {
  private failed: StorageError | undefined;
  private readonly unsynced = new Set<DataFile>();
  private dirUnsynced = false;
  private syncing: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly io: LogIo,
    private readonly dirFd: number,
    readonly mode: Durability,
    fsyncIntervalMs: number,
  ) {
    if (mode === 'interval') {
      this.timer = setInterval(() => void this.sync().catch(() => undefined), fsyncIntervalMs);
      this.timer.unref();
    }
  }

  get failure(): StorageError | undefined {
    return this.failed;
  }

  /** After a commit's write to `file`; in 'always' mode the fdatasync happens here (and may throw SYNC_FAILED). */
  written(file: DataFile): void {
    if (this.mode === 'always') this.now(() => this.io.fdatasyncSync(file.fd), `fdatasync of ${file.path}`);
    else if (this.mode === 'interval') this.unsynced.add(file);
  }

  /** After a commit made a new data file: its directory entry must reach the disk too. */
  created(file: DataFile): void {
    if (this.mode === 'always') this.now(() => this.io.fsyncSync(this.dirFd), `fsync of the directory for ${file.path}`);
    else if (this.mode === 'interval') this.dirUnsynced = true;
  }

  /** Marks the engine failed from elsewhere (a merge's fsync); returns the error to throw. */
  fail(what: string, cause: unknown): StorageError {
    this.failed ??= new StorageError('SYNC_FAILED', `${what} failed, so what reached the disk is unknown; restart the node: ${String(cause)}`, { cause });
    return this.failed;
  }

  /** fsyncs everything written so far (nothing to do in 'always', never anything in 'none'). */
  async sync(): Promise<void> {
    if (this.mode === 'none') return;
    while (this.syncing !== undefined) await this.syncing;
    if (this.failed !== undefined) throw this.failed;
    if (this.unsynced.size === 0 && !this.dirUnsynced) return;
    const files = [...this.unsynced];
    const dir = this.dirUnsynced;
    this.unsynced.clear();
    this.dirUnsynced = false;
    this.syncing = this.round(files, dir).finally(() => (this.syncing = undefined));
    await this.syncing;
  }

  /**
   * Waits out a round in flight, then drops `file` and calls `close` before any new round can
   * start (what `close` does synchronously is done before then; its promise is awaited after).
   */
  async forget(file: DataFile, close: () => Promise<void>): Promise<void> {
    while (this.syncing !== undefined) await this.syncing.catch(() => undefined);
    this.unsynced.delete(file);
    await close();
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  private async round(files: readonly DataFile[], dir: boolean): Promise<void> {
    for (const file of files) {
      try {
        await fdatasyncAsync(this.io, file.fd);
      } catch (err) {
        throw this.fail(`fdatasync of ${file.path}`, err);
      }
    }
    if (!dir) return;
    try {
      await fsyncAsync(this.io, this.dirFd);
    } catch (err) {
      throw this.fail('fsync of the data directory', err);
    }
  }

  private now(action: () => void, what: string): void {
    try {
      action();
    } catch (err) {
      throw this.fail(what, err);
    }
  }
}
