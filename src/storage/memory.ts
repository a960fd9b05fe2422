/**
 * The in-memory engine, for tests, the simulator and `--storage memory`.
 *
 * Committed state is a Map from the key's latin1 string to its value (O(1) `get`) plus a SortedKeys
 * index for ordered ranges and counts; staged writes sit above it in a StagedWrites layer exactly as
 * on disk, so both engines share one semantics. A commit applies the batch synchronously and
 * resolves at once: memory has no durability to wait for. Committed values that are views into a
 * larger buffer are copied, so a stored slice of a network frame does not pin the whole frame.
 *
 * Digests staged with values are kept as the log engine keeps them (StorageEngine.digestOf), so
 * the simulator runs the same paths as a disk node.
 *
 * The crashable variant is the same engine with `crash()`, which drops staged (uncommitted)
 * writes and keeps committed ones, as a process crash would, and forgets the digests, as the log
 * engine's restart does; and `commitSync()`, which the deterministic simulator calls to commit
 * without a promise turn.
 */
import { checkBounds, checkKey, StorageError, type RangeEntry, type RangeOptions, type StorageEngine } from './engine.js';
import { keyBytes, keyString } from '../core/byte-keys.js';
import { SortedKeys } from './sorted-keys.js';
import { StagedWrites, type CommittedEntry, type StagedWrite } from './staged-writes.js';

export interface CrashableStorageEngine extends StorageEngine {
  /** Throws away staged writes, keeps committed ones; the engine stays usable. */
  crash(): void;
  /** `commit()` without the promise: everything staged is committed when it returns. */
  commitSync(): void;
}

class MemoryEngine implements CrashableStorageEngine {
  readonly name = 'memory';
  private readonly values = new Map<string, Uint8Array>();
  private readonly digests = new Map<string, Uint8Array>();
  private readonly index = new SortedKeys();
  private readonly staged = new StagedWrites();
  private closed = false;

  get(key: Uint8Array, sortKey?: string): Uint8Array | undefined {
    this.checkOpen();
    const k = sortKey ?? keyString(key);
    const staged = this.staged.lookup(k);
    if (staged !== undefined) return staged ?? undefined;
    return this.values.get(k);
  }

  stage(key: Uint8Array, value: Uint8Array | null, sortKey?: string, digest?: Uint8Array): void {
    this.checkOpen();
    checkKey(key);
    this.staged.stage(sortKey ?? keyString(key), key, value, digest);
  }

  digestOf(key: Uint8Array, sortKey?: string): Uint8Array | undefined {
    this.checkOpen();
    const k = sortKey ?? keyString(key);
    const staged = this.staged.stagedDigest(k);
    if (staged !== undefined) return staged ?? undefined;
    return this.digests.get(k)?.slice();
  }

  commit(): Promise<void> {
    try {
      this.commitSync();
      return Promise.resolve();
    } catch (err) {
      return Promise.reject(err);
    }
  }

  commitSync(): void {
    this.checkOpen();
    if (this.staged.size === 0) return;
    for (const w of this.staged.take().values()) this.apply(w);
  }

  crash(): void {
    this.checkOpen();
    this.staged.clear();
    this.digests.clear();
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
    return this.staged.adjustCount(f, t, this.index.countRange(f, t), (w) => this.values.has(w.sortKey));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.commitSync();
    this.staged.invalidate();
    this.closed = true;
  }

  private *committed(from: string, to: string, reverse: boolean): Generator<CommittedEntry, void, undefined> {
    for (const k of this.index.iterate(from, to, reverse)) yield { sortKey: k, key: keyBytes(k), value: this.values.get(k)! };
  }

  private apply(w: StagedWrite): void {
    const k = w.sortKey;
    if (w.value === null) {
      if (this.values.delete(k)) this.index.delete(k);
      this.digests.delete(k);
      return;
    }
    if (!this.values.has(k)) this.index.insert(k);
    this.values.set(k, ownBytes(w.value));
    if (w.digest !== undefined) this.digests.set(k, w.digest.slice());
    else this.digests.delete(k);
  }

  private checkOpen(): void {
    if (this.closed) throw new StorageError('CLOSED', 'the memory engine is closed');
  }
}

/**
 * A value that is a view into a larger buffer (a slice of a network frame, a pooled Buffer) would
 * keep all of that buffer alive for as long as the key lives, so committed values get their own copy.
 */
function ownBytes(value: Uint8Array): Uint8Array {
  return value.byteLength === value.buffer.byteLength ? value : new Uint8Array(value);
}

export function createMemoryEngine(): StorageEngine {
  return new MemoryEngine();
}

export function createCrashableMemoryEngine(): CrashableStorageEngine {
  return new MemoryEngine();
}
