/**
 * The local storage engine: what one node keeps on its own disk (or in memory).
 *
 * The node is a pure state machine: it READS storage synchronously and emits its writes as
 * effects. The runtime stages every write of one event-loop turn into the engine, commits them in
 * one transaction (group commit) and only after that commit resolves sends the messages and replies
 * that depend on them ("persist, then send"). So the engine has two layers: committed state, and
 * staged writes on top of it that every read sees at once (newest wins), because the node's next
 * step may read a key staged a moment ago.
 *
 * Ownership: arrays passed to `stage` and returned by `get`/`range` belong to the engine from then
 * on; callers treat them as read-only. Range iterators are invalidated by `stage`, `commit` and
 * `close` (as C++ iterators are): consume one before writing again, or page with `limit` and resume
 * from the last key. Using an invalidated iterator throws an AssertionError.
 */

/**
 * 'always': every commit is fsynced before it resolves.
 * 'interval': commits reach the OS before they resolve (they survive a process crash or kill -9)
 *   and are fsynced on a timer; a power loss can lose the last interval.
 * 'none': never fsync explicitly (the OS writes back when it likes).
 */
export type Durability = 'none' | 'interval' | 'always';

export interface RangeOptions {
  /** Stop after this many entries (after merging staged writes). */
  readonly limit?: number;
  /** Walk from the high end of [from, to) down. */
  readonly reverse?: boolean;
}

export interface RangeEntry {
  readonly key: Uint8Array;
  readonly value: Uint8Array;
}

export interface StorageEngine {
  readonly name: string;
  /**
   * Synchronous; sees staged writes (newest wins) over committed state. `sortKey`, when the caller
   * has it, must be `keyString(key)` (byte-keys.ts): every engine indexes staged writes, and the
   * memory and log engines everything, by that string, and converting a key costs as much as a
   * lookup.
   */
  get(key: Uint8Array, sortKey?: string): Uint8Array | undefined;
  /**
   * `null` deletes. Visible to `get`/`range` at once; durable after the next `commit()` resolves.
   * `sortKey` as for `get`. `digest`: a 16-byte digest of the value that the caller computed, kept
   * by an engine with `digestOf` (the others ignore it).
   */
  stage(key: Uint8Array, value: Uint8Array | null, sortKey?: string, digest?: Uint8Array): void;
  /**
   * Optional: the digest staged with the key's current value, or undefined when none is known
   * (the key is absent, its value was staged without one, or the engine restarted since). It lets
   * a caller that only needs to identify a value skip reading it; an engine that offers it never
   * returns a digest that came with another value. `sortKey` as for `get`.
   */
  digestOf?(key: Uint8Array, sortKey?: string): Uint8Array | undefined;
  /**
   * Commits everything staged so far in ONE transaction and resolves when it is durable per the
   * durability mode. Commits apply in call order; with nothing staged it resolves at once. A
   * rejected commit (a StorageError) discards that batch, leaves the engine usable and says why.
   */
  commit(): Promise<void>;
  hasStaged(): boolean;
  /** Keys in [from, to) in byte order, committed state merged with staged writes. */
  range(from: Uint8Array, to: Uint8Array, options?: RangeOptions): IterableIterator<RangeEntry>;
  /** Number of keys in [from, to), staged writes included (may be O(n)). */
  count(from: Uint8Array, to: Uint8Array): number;
  /** Commits what is staged, flushes per the durability mode, closes. */
  close(): Promise<void>;
  /** What an operator may want to see of the engine (/status); engines without such figures omit it. */
  stats?(): object;
}

export interface EngineOptions {
  /** Directory for a disk engine (created if missing). */
  readonly path?: string;
  /** Default 'interval' for disk engines. */
  readonly durability?: Durability;
  /** Period of the fsync timer in 'interval' mode. Default 100. */
  readonly fsyncIntervalMs?: number;
  /** Initial size of a memory-mapped engine's map; it grows on demand. */
  readonly mapSizeBytes?: number;
}

/**
 * LMDB's key limit (lmdb-js default build, 4 KiB pages). Every engine enforces the same limit so
 * that a key accepted in tests and simulation is accepted on disk too.
 */
export const MAX_KEY_BYTES = 1978;

/** The size of the digests an engine keeps (StorageEngine.digestOf); digests of another size are not kept. */
export const DIGEST_BYTES = 16;

export const DEFAULT_FSYNC_INTERVAL_MS = 100;

/** 'CORRUPT': a disk engine found damaged data it cannot explain as a crash (open fails with it). */
export type StorageErrorCode = 'EMPTY_KEY' | 'KEY_TOO_LARGE' | 'COMMIT_FAILED' | 'SYNC_FAILED' | 'CLOSED' | 'BAD_OPTION' | 'LOCKED' | 'CORRUPT';

/** An operating error at the storage boundary, with a stable `code`. */
export class StorageError extends Error {
  override readonly name = 'StorageError';
  constructor(
    readonly code: StorageErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Rejects keys no engine can store; called by `stage` so a bad key fails where it is made. */
export function checkKey(key: Uint8Array): void {
  if (key.length === 0) throw new StorageError('EMPTY_KEY', 'storage keys must not be empty');
  if (key.length > MAX_KEY_BYTES) {
    throw new StorageError('KEY_TOO_LARGE', `storage key of ${key.length} bytes exceeds the limit of ${MAX_KEY_BYTES}`);
  }
}

/** Range and count bounds may be empty (the start of the key space) but no longer than a key. */
export function checkBounds(from: Uint8Array, to: Uint8Array): void {
  if (from.length > MAX_KEY_BYTES || to.length > MAX_KEY_BYTES) {
    throw new StorageError('KEY_TOO_LARGE', `range bounds of ${from.length} and ${to.length} bytes exceed the key limit of ${MAX_KEY_BYTES}`);
  }
}

export function checkDurabilityOptions(options: EngineOptions): void {
  const d = options.durability;
  if (d !== undefined && d !== 'none' && d !== 'interval' && d !== 'always') {
    throw new StorageError('BAD_OPTION', `durability must be 'none', 'interval' or 'always', not ${JSON.stringify(d)}`);
  }
  const ms = options.fsyncIntervalMs;
  if (ms !== undefined && !(Number.isFinite(ms) && ms > 0)) {
    throw new StorageError('BAD_OPTION', `fsyncIntervalMs must be a positive number of milliseconds, not ${ms}`);
  }
  const map = options.mapSizeBytes;
  if (map !== undefined && !(Number.isSafeInteger(map) && map > 0)) {
    throw new StorageError('BAD_OPTION', `mapSizeBytes must be a positive integer, not ${map}`);
  }
}
