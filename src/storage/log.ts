/**
 * The log engine: Bitcask (Riak's default backend) in TypeScript. Data files are append-only; an
 * in-memory keydir maps every live key to where its newest value sits; a read is one positional
 * read. It is meant to replace LMDB as the default disk engine because a random-key put here appends a few
 * hundred bytes where LMDB rewrites a 4 KiB B-tree page; LMDB stays for data sets whose keys do
 * not fit in memory (the keydir costs ~110 bytes of heap per 45-byte key, plus 20 outside the
 * heap; see log-heap.ts).
 *
 * Commit = the whole staged batch encoded as ONE framed batch (log-record.ts), written with ONE
 * positional write at the end of the active file, then applied to the keydir; recovery takes a
 * batch whole or not at all. A failed write is cut off again and the engine stays usable. Past
 * `maxFileBytes` the active file rolls to a new one. Durability modes are lmdb.ts's, implemented in
 * log-durability.ts; recovery is log-recover.ts; compaction is log-merge.ts, started in the
 * background (log-merge-scheduler.ts) when dead bytes reach half of the files.
 *
 * Staged writes sit in a StagedWrites layer; ranges walk a SortedKeys index of the keydir's keys
 * merged with them, and are invalidated by stage, commit and close as in every engine.
 */
import { assert } from '../core/assert.js';
import { keyBytes, keyString } from '../core/byte-keys.js';
import {
  checkBounds,
  checkDurabilityOptions,
  checkKey,
  DEFAULT_FSYNC_INTERVAL_MS,
  StorageError,
  type Durability,
  type RangeEntry,
  type RangeOptions,
  type StorageEngine,
} from './engine.js';
import { LogDurability } from './log-durability.js';
import { LogFiles, type DataFile } from './log-files.js';
import { nodeLogIo, readFully, writeFully, type LogIo } from './log-io.js';
import { Keydir } from './log-keydir.js';
import { lockDirectory } from './log-lock.js';
import type { MergeHost, MergePlan, MergeStep } from './log-merge.js';
import { MergeScheduler } from './log-merge-scheduler.js';
import { checkLogOptions, LOG_DEFAULTS, type LogEngineOptions, type LogStats } from './log-options.js';
import { BATCH_HEADER_BYTES, encodeCommit, FILE_HEADER_BYTES, recordBytes } from './log-record.js';
import { recover, type Recovered } from './log-recover.js';
import { SortedKeys } from './sorted-keys.js';
import { StagedWrites, type CommittedEntry, type StagedWrite } from './staged-writes.js';

export type { LogEngineOptions, LogStats } from './log-options.js';

export interface LogEngine extends StorageEngine {
  readonly durability: Durability;
  /** Kept per key in the keydir (see StorageEngine.digestOf). */
  digestOf(key: Uint8Array, sortKey?: string): Uint8Array | undefined;
  /** fsyncs everything committed so far (a no-op in 'none' mode). */
  sync(): Promise<void>;
  /** Merges every file there is now (after any merge already running) and resolves when done. */
  merge(): Promise<void>;
  stats(): LogStats;
  /** Checks the keydir, index and byte counts agree; O(keys), for tests. */
  invariants(): void;
}

/** Test seams: file-system faults, a look at each merge step (to photograph a crash there), the merge floor's draws. */
export interface LogSeams {
  readonly io?: LogIo;
  readonly onMergeStep?: (step: MergeStep, file: DataFile) => void;
  /** Uniform in [0, 1) (default Math.random): where each merge floor falls (LogEngineOptions.mergeJitter). */
  readonly random?: () => number;
}

export async function openLogEngine(options: LogEngineOptions, seams: LogSeams = {}): Promise<LogEngine> {
  checkDurabilityOptions(options);
  checkLogOptions(options);
  const io = seams.io ?? nodeLogIo;
  const durability = options.durability ?? 'interval';
  io.mkdirSync(options.path);
  const unlock = lockDirectory(options.path);
  const dirFd = io.openSync(options.path, 'r');
  const keydir = new Keydir();
  let recovered: Recovered;
  try {
    recovered = recover(io, options.path, keydir, { syncRepairs: durability !== 'none' });
  } catch (err) {
    io.closeSync(dirFd);
    unlock();
    throw err;
  }
  const files = new LogFiles(options.path, dirFd, io, recovered.files);
  const fsyncs = new LogDurability(io, dirFd, durability, options.fsyncIntervalMs ?? DEFAULT_FSYNC_INTERVAL_MS);
  try {
    return new LogStorageEngine(io, files, fsyncs, keydir, recovered.nextSeq, options, seams, unlock);
  } catch (err) {
    fsyncs.stop();
    files.closeAll();
    unlock();
    throw err;
  }
}

class LogStorageEngine implements LogEngine {
  readonly name = 'log';
  readonly durability: Durability;
  private readonly staged = new StagedWrites();
  private readonly index: SortedKeys;
  private readonly maxFileBytes: number;
  private readonly merges: MergeScheduler;
  /** The file commits append to; always the highest id (set by the constructor or `roll`). */
  private active!: DataFile;
  private liveBytes = 0;
  private closed = false;
  /** A failed write that could not be cut off again: appending after it would bury garbage. */
  private broken: StorageError | undefined;

  constructor(
    private readonly io: LogIo,
    private readonly files: LogFiles,
    private readonly fsyncs: LogDurability,
    private readonly keydir: Keydir,
    private nextSeq: number,
    options: LogEngineOptions,
    private readonly seams: LogSeams,
    private readonly unlock: () => void,
  ) {
    this.durability = options.durability ?? 'interval';
    this.maxFileBytes = options.maxFileBytes ?? LOG_DEFAULTS.maxFileBytes;
    this.merges = new MergeScheduler(
      this.mergeHost(options.mergeChunkRecords ?? LOG_DEFAULTS.mergeChunkRecords),
      options.mergeMinBytes ?? LOG_DEFAULTS.mergeMinBytes,
      options.mergeJitter ?? LOG_DEFAULTS.mergeJitter,
      seams.random,
    );
    // Default sort order compares UTF-16 code units, which for latin1 key strings is byte order.
    const keys = [...keydir.keys()].sort();
    this.index = SortedKeys.fromSorted(keys);
    for (const k of keys) this.liveBytes += recordBytes(k.length, keydir.lengthOf(keydir.slot(k)!));
    const newest = files.all().at(-1);
    if (newest !== undefined && newest.kind === 'log' && newest.size < this.maxFileBytes) this.active = newest;
    else this.roll();
    this.merges.consider(files.totalBytes, this.deadBytes());
  }

  get(key: Uint8Array, sortKey?: string): Uint8Array | undefined {
    this.checkOpen();
    const k = sortKey ?? keyString(key);
    const staged = this.staged.lookup(k);
    if (staged !== undefined) return staged ?? undefined;
    const slot = this.keydir.slot(k);
    return slot === undefined ? undefined : this.read(slot);
  }

  stage(key: Uint8Array, value: Uint8Array | null, sortKey?: string, digest?: Uint8Array): void {
    this.checkOpen();
    checkKey(key);
    this.staged.stage(sortKey ?? keyString(key), key, value, digest);
  }

  /** Kept in the keydir beside the value's place (16 bytes a key), so no read is needed. */
  digestOf(key: Uint8Array, sortKey?: string): Uint8Array | undefined {
    this.checkOpen();
    const k = sortKey ?? keyString(key);
    const staged = this.staged.stagedDigest(k);
    if (staged !== undefined) return staged ?? undefined;
    const slot = this.keydir.slot(k);
    return slot === undefined ? undefined : this.keydir.digestOf(slot);
  }

  commit(): Promise<void> {
    try {
      this.commitNow();
      return Promise.resolve();
    } catch (err) {
      return Promise.reject(err);
    }
  }

  hasStaged(): boolean {
    return this.staged.size > 0;
  }

  range(from: Uint8Array, to: Uint8Array, options?: RangeOptions): IterableIterator<RangeEntry> {
    this.checkOpen();
    checkBounds(from, to);
    const f = keyString(from);
    const t = keyString(to);
    return this.staged.mergedRange(f, t, options, (reverse) => this.committed(f, t, reverse));
  }

  count(from: Uint8Array, to: Uint8Array): number {
    this.checkOpen();
    checkBounds(from, to);
    const f = keyString(from);
    const t = keyString(to);
    return this.staged.adjustCount(f, t, this.index.countRange(f, t), (w) => this.keydir.has(w.sortKey));
  }

  sync(): Promise<void> {
    this.checkOpen();
    return this.fsyncs.sync();
  }

  merge(): Promise<void> {
    this.checkOpen();
    return this.merges.mergeNow();
  }

  stats(): LogStats {
    return {
      liveKeys: this.keydir.size,
      liveBytes: this.liveBytes,
      fileBytes: this.files.totalBytes,
      files: this.files.count,
      deadBytes: this.deadBytes(),
      mergeFloorBytes: this.merges.floor,
      merging: this.merges.merging,
      merges: this.merges.merges,
      lastMergeError: this.merges.lastError,
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    let error: unknown;
    try {
      this.commitNow();
    } catch (err) {
      error = err;
    }
    // Closed from here on, so nothing can be staged or merged while the last fsync runs.
    this.closed = true;
    this.staged.invalidate();
    this.fsyncs.stop();
    await this.merges.stop();
    try {
      await this.fsyncs.sync();
    } catch (err) {
      error ??= err;
    }
    try {
      this.files.closeAll();
    } catch (err) {
      error ??= err;
    }
    this.unlock();
    if (error !== undefined) throw error;
  }

  invariants(): void {
    let live = 0;
    for (const k of this.keydir.keys()) {
      const slot = this.keydir.slot(k)!;
      const file = this.files.get(this.keydir.fileOf(slot));
      assert(this.keydir.offsetOf(slot) + this.keydir.lengthOf(slot) <= file.size, `the value of a key lies inside ${file.path}`);
      live += recordBytes(k.length, this.keydir.lengthOf(slot));
    }
    assert(live === this.liveBytes, `live bytes add up (${live} vs ${this.liveBytes})`);
    assert(this.index.size === this.keydir.size, 'the index holds exactly the keydir keys');
    this.index.invariants();
    assert(this.files.get(this.active.id) === this.active && this.files.all().at(-1) === this.active, 'the active file has the highest id');
  }

  private commitNow(): void {
    this.checkOpen();
    if (this.staged.size === 0) return;
    const batch = this.staged.take();
    const failure = this.fsyncs.failure ?? this.broken;
    if (failure !== undefined) throw failure;
    const seq = this.nextSeq;
    const { bytes, valueOffsets } = encodeCommit(batch, seq);
    const file = this.append(bytes, batch.size);
    this.nextSeq++;
    this.fsyncs.written(file);
    this.apply(batch, file.id, file.size - bytes.length, valueOffsets, seq);
    this.merges.consider(this.files.totalBytes, this.deadBytes());
  }

  /** Writes one encoded batch at the end of the active file (rolling first if it is full). */
  private append(bytes: Buffer, writes: number): DataFile {
    try {
      if (this.active.size > FILE_HEADER_BYTES && this.active.size + bytes.length > this.maxFileBytes) this.roll();
    } catch (err) {
      if (err instanceof StorageError) throw err;
      throw new StorageError('COMMIT_FAILED', `a new data file for a commit of ${writes} writes could not be made: ${String(err)}`, { cause: err });
    }
    const file = this.active;
    const at = file.size;
    try {
      writeFully(this.io, file.fd, bytes, at);
    } catch (err) {
      this.cutOff(file, at);
      throw new StorageError('COMMIT_FAILED', `the write of a commit of ${writes} writes to ${file.path} failed: ${String(err)}`, { cause: err });
    }
    this.files.appended(file, bytes.length, this.nextSeq);
    return file;
  }

  /** Removes what a failed write left past `at`; if even that fails, no commit may follow. */
  private cutOff(file: DataFile, at: number): void {
    try {
      this.io.ftruncateSync(file.fd, at);
    } catch (err) {
      this.broken = new StorageError('COMMIT_FAILED', `a failed write to ${file.path} could not be cut off (${String(err)}); restart the node, recovery will remove it`, { cause: err });
    }
  }

  private apply(batch: Map<string, StagedWrite>, fileId: number, base: number, valueOffsets: readonly number[], seq: number): void {
    let p = 0;
    for (const w of batch.values()) {
      const k = w.sortKey;
      const slot = this.keydir.slot(k);
      if (slot !== undefined) this.liveBytes -= recordBytes(k.length, this.keydir.lengthOf(slot));
      if (w.value === null) {
        if (slot !== undefined) {
          this.keydir.remove(k);
          this.index.delete(k);
        }
        continue;
      }
      this.keydir.set(k, fileId, base + valueOffsets[p++]!, w.value.length, seq, w.digest);
      if (slot === undefined) this.index.insert(k);
      this.liveBytes += recordBytes(k.length, w.value.length);
    }
  }

  /**
   * A fresh Buffer with the value of `slot`, read with one positional read. Small values come from
   * Node's shared slab (`allocUnsafe`): a backing store of their own costs a malloc and a free each.
   */
  private read(slot: number): Buffer {
    const length = this.keydir.lengthOf(slot);
    const value = Buffer.allocUnsafe(length);
    if (length === 0) return value;
    const file = this.files.get(this.keydir.fileOf(slot));
    const offset = this.keydir.offsetOf(slot);
    if (!readFully(this.io, file.fd, value, 0, length, offset)) {
      throw new StorageError('CORRUPT', `${file.path} ends before the ${length}-byte value at offset ${offset}; was it truncated by hand?`);
    }
    return value;
  }

  private *committed(from: string, to: string, reverse: boolean): Generator<CommittedEntry, void, undefined> {
    for (const k of this.index.iterate(from, to, reverse)) yield { sortKey: k, key: keyBytes(k), value: this.read(this.keydir.slot(k)!) };
  }

  /** Makes a new active file above every id handed out so far. */
  private roll(): void {
    this.active = this.files.create('log', this.nextSeq, false);
    this.fsyncs.created(this.active);
  }

  /**
   * What a merge would surely reclaim: file bytes beyond the live records, counting for each live
   * key the batch header it may need when copied and each file's header, so that a merge's own
   * output never counts as dead and re-triggers a merge.
   */
  private deadBytes(): number {
    const kept = this.liveBytes + this.keydir.size * BATCH_HEADER_BYTES + this.files.count * FILE_HEADER_BYTES;
    return Math.max(0, this.files.totalBytes - kept);
  }

  private mergeHost(chunkRecords: number): MergeHost {
    return {
      io: this.io,
      files: this.files,
      keydir: this.keydir,
      durability: this.fsyncs,
      maxFileBytes: this.maxFileBytes,
      chunkRecords,
      beginMerge: () => this.beginMerge(),
      onStep: (step, file) => this.seams.onMergeStep?.(step, file),
    };
  }

  /** Reserves output ids for at most the live data, then rolls the active file above them. */
  private beginMerge(): MergePlan {
    const inputs = this.files.all();
    const bound = this.liveBytes + this.keydir.size * BATCH_HEADER_BYTES;
    const outputIds = this.files.reserveIds(Math.ceil(bound / (this.maxFileBytes - FILE_HEADER_BYTES)) + 2);
    this.roll();
    return { inputs, outputIds, baseSeq: this.nextSeq };
  }

  private checkOpen(): void {
    if (this.closed) throw new StorageError('CLOSED', 'the log engine is closed');
  }
}
