/**
 * The durable engine: LMDB (lmdb-js), a memory-mapped copy-on-write B+tree whose reads are
 * synchronous, which is what lets the pure node read storage in the middle of a step.
 *
 * Commit = one `transactionSync` on the main thread over the staged batch. Measured here it beats
 * lmdb-js's asynchronous write thread by 8x for one small batch per event-loop turn (69k vs 8k
 * commits/s unsynced), and it leaves nothing in flight: when `commit()` returns, the batch is in
 * LMDB and visible to every read. Staged writes stay in a StagedWrites layer until then.
 *
 * The map starts at `mapSizeBytes` (default 1 GiB of address space; the file only grows as pages
 * are written) and lmdb-js doubles it when it fills, so a full map is never an error.
 *
 * Durability, by mode (the env is opened without lmdb-js's overlappingSync, so each transaction's
 * flags decide whether LMDB fsyncs):
 * - 'always': LMDB's full synchronous commit (fdatasync of the data pages, then a synchronous meta
 *   page write) before `commit()` returns. Survives a process crash and a power loss; the fsync
 *   blocks the event loop (~0.3 ms per commit on this machine, more on real disks).
 * - 'interval' (default): each commit is written to the OS (pwrite) before `commit()` returns, so it
 *   survives a process crash or kill -9; a timer fsyncs every `fsyncIntervalMs` (default 100) on
 *   libuv's thread pool. On a power loss or OS crash the last interval can be lost, and because
 *   LMDB's unsynced mode does not order data pages before the meta page, LMDB warns that the file
 *   can then be damaged: such a node must be rebuilt from its replicas (hinted handoff and
 *   anti-entropy do that). Use 'always' where that is not acceptable.
 * - 'none': as 'interval' for a process crash, but never fsyncs (not even at close).
 * After a failed fsync the engine refuses every later commit (SYNC_FAILED): what reached the disk
 * is unknown (PostgreSQL's "fsyncgate"), so the node must stop and restart.
 */
import { open } from 'lmdb';
import { assert } from '../core/assert.js';
import {
  checkBounds,
  checkDurabilityOptions,
  checkKey,
  DEFAULT_FSYNC_INTERVAL_MS,
  MAX_KEY_BYTES,
  StorageError,
  type Durability,
  type EngineOptions,
  type RangeEntry,
  type RangeOptions,
  type StorageEngine,
} from './engine.js';
import { keyString } from '../core/byte-keys.js';
import { mergeRange, rangeLimit, StagedWrites, type CommittedEntry, type StagedWrite } from './staged-writes.js';

export const DEFAULT_MAP_SIZE_BYTES = 1024 * 1024 * 1024;

/** lmdb-js transaction flags: abortable (1) | commit before returning (2) | MDB_NOSYNC (0x10000). */
const SYNCED_TXN = 0x3;
const UNSYNCED_TXN = 0x10003;

interface LmdbRangeQuery {
  readonly start: Uint8Array;
  readonly end: Uint8Array;
  readonly reverse?: boolean;
  readonly exclusiveStart?: boolean;
  readonly inclusiveEnd?: boolean;
  readonly limit?: number;
}

/** The part of an lmdb-js root database this engine uses (tests wrap it to inject faults). */
export interface LmdbStore {
  getBinary(key: Uint8Array): Uint8Array | undefined;
  doesExist(key: Uint8Array): boolean;
  putSync(key: Uint8Array, value: Uint8Array): unknown;
  removeSync(key: Uint8Array): boolean;
  transactionSync(action: () => void, flags: number): void;
  getRange(query: LmdbRangeQuery): Iterable<RangeEntry>;
  getKeysCount(query: { readonly start: Uint8Array; readonly end: Uint8Array }): number;
  /** mdb_env_sync on libuv's thread pool. */
  sync(callback: (error?: unknown) => void): void;
  close(): Promise<void>;
}

export interface LmdbEngine extends StorageEngine {
  readonly durability: Durability;
  /** fsyncs everything committed so far (a no-op in 'none' mode). */
  sync(): Promise<void>;
}

export interface LmdbSettings {
  readonly durability: Durability;
  readonly fsyncIntervalMs: number;
}

export async function openLmdbEngine(options: EngineOptions & { path: string }): Promise<LmdbEngine> {
  checkDurabilityOptions(options);
  const durability = options.durability ?? 'interval';
  const db = open<Uint8Array, Uint8Array>({
    path: options.path,
    noSubdir: false,
    keyEncoding: 'binary',
    encoding: 'binary',
    overlappingSync: false,
    noSync: durability === 'none',
    mapSize: options.mapSizeBytes ?? DEFAULT_MAP_SIZE_BYTES,
  });
  const store = db as unknown as Partial<LmdbStore>;
  assert(typeof store.sync === 'function', 'lmdb-js root databases have sync(callback)');
  return createLmdbEngine(store as LmdbStore, { durability, fsyncIntervalMs: options.fsyncIntervalMs ?? DEFAULT_FSYNC_INTERVAL_MS });
}

export function createLmdbEngine(store: LmdbStore, settings: LmdbSettings): LmdbEngine {
  return new LmdbStorageEngine(store, settings);
}

class LmdbStorageEngine implements LmdbEngine {
  readonly name = 'lmdb';
  readonly durability: Durability;
  private readonly staged = new StagedWrites();
  private readonly txnFlags: number;
  private readonly timer: NodeJS.Timeout | undefined;
  private closed = false;
  /** Commits since the last fsync started. */
  private unsynced = false;
  private syncing: Promise<void> | undefined;
  private failure: StorageError | undefined;

  constructor(
    private readonly db: LmdbStore,
    settings: LmdbSettings,
  ) {
    this.durability = settings.durability;
    this.txnFlags = settings.durability === 'always' ? SYNCED_TXN : UNSYNCED_TXN;
    if (settings.durability === 'interval') {
      this.timer = setInterval(() => void this.sync().catch(() => undefined), settings.fsyncIntervalMs);
      this.timer.unref();
    }
  }

  get(key: Uint8Array, sortKey?: string): Uint8Array | undefined {
    this.checkOpen();
    if (this.staged.size > 0) {
      const staged = this.staged.lookup(sortKey ?? keyString(key));
      if (staged !== undefined) return staged ?? undefined;
    }
    if (key.length === 0 || key.length > MAX_KEY_BYTES) return undefined;
    return this.db.getBinary(key);
  }

  stage(key: Uint8Array, value: Uint8Array | null, sortKey?: string): void {
    this.checkOpen();
    checkKey(key);
    this.staged.stage(sortKey ?? keyString(key), key, value);
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
    const reverse = options?.reverse === true;
    const limit = rangeLimit(options);
    const checkValid = this.staged.validity();
    const staged = this.staged.inRange(f, t, reverse);
    const query: LmdbRangeQuery = reverse
      ? { start: to, end: from, reverse: true, exclusiveStart: true, inclusiveEnd: true }
      : { start: from, end: to };
    if (f >= t) return mergeRange(emptyStream(), [], 0, reverse, checkValid);
    if (staged.length === 0) return this.committedOnly({ ...query, limit: limit === Infinity ? undefined : limit }, checkValid);
    return mergeRange(this.committed(query), staged, limit, reverse, checkValid);
  }

  count(from: Uint8Array, to: Uint8Array): number {
    this.checkOpen();
    checkBounds(from, to);
    const f = keyString(from);
    const t = keyString(to);
    if (f >= t) return 0;
    return this.staged.adjustCount(f, t, this.db.getKeysCount({ start: from, end: to }), (w) => this.db.doesExist(w.key));
  }

  sync(): Promise<void> {
    this.checkOpen();
    return this.syncCommitted();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    let error: unknown;
    try {
      this.commitNow();
    } catch (err) {
      error = err;
    }
    // Closed from here on, so nothing can be staged while the last fsync runs.
    this.closed = true;
    this.staged.invalidate();
    if (this.timer !== undefined) clearInterval(this.timer);
    try {
      await this.syncCommitted();
    } catch (err) {
      error ??= err;
    }
    await this.db.close();
    if (error !== undefined) throw error;
  }

  /** One fsync at a time; a caller arriving during one waits for it, then covers what came after. */
  private async syncCommitted(): Promise<void> {
    if (this.durability === 'none') return;
    while (this.syncing !== undefined) await this.syncing;
    if (this.failure !== undefined) throw this.failure;
    if (!this.unsynced) return;
    this.unsynced = false;
    this.syncing = this.fsync().finally(() => (this.syncing = undefined));
    await this.syncing;
  }

  private commitNow(): void {
    this.checkOpen();
    if (this.staged.size === 0) return;
    const batch = this.staged.take();
    if (this.failure !== undefined) throw this.failure;
    try {
      this.db.transactionSync(() => this.write(batch), this.txnFlags);
    } catch (err) {
      throw new StorageError('COMMIT_FAILED', `the LMDB commit of ${batch.size} writes failed: ${String(err)}`, { cause: err });
    }
    if (this.durability === 'interval') this.unsynced = true;
  }

  private write(batch: Map<string, StagedWrite>): void {
    for (const w of batch.values()) {
      if (w.value === null) this.db.removeSync(w.key);
      else this.db.putSync(w.key, w.value);
    }
  }

  private fsync(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.db.sync((error) => {
        if (error === undefined || error === null) return resolve();
        this.failure = new StorageError('SYNC_FAILED', `fsync of the LMDB file failed, so what reached the disk is unknown: ${String(error)}`, { cause: error });
        reject(this.failure);
      });
    });
  }

  private *committed(query: LmdbRangeQuery): Generator<CommittedEntry, void, undefined> {
    for (const e of this.db.getRange(query)) yield { sortKey: keyString(e.key), key: e.key, value: e.value };
  }

  private *committedOnly(query: LmdbRangeQuery, checkValid: () => void): Generator<RangeEntry, void, undefined> {
    checkValid();
    if (query.limit === 0) return;
    for (const e of this.db.getRange(query)) {
      yield e;
      checkValid();
    }
  }

  private checkOpen(): void {
    if (this.closed) throw new StorageError('CLOSED', 'the LMDB engine is closed');
  }
}

function* emptyStream(): Generator<CommittedEntry, void, undefined> {}
