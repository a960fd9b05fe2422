/**
 * Staged writes, the layer every engine keeps above its committed state, and the merge that
 * makes a range read see both.
 *
 * Staging keeps the newest value per key (a `null` is a delete that hides the committed value) in
 * a Map keyed by the key's latin1 string (see byte-keys.ts). A commit takes the whole map as one batch. Reads check the
 * map first. A range read snapshots the staged entries inside its bounds when it is created, sorts
 * them, and merges them with the engine's ordered committed stream: on equal keys the staged entry
 * wins, and staged deletes are skipped. `limit` counts merged entries, so a staged delete never
 * uses up the limit.
 */
import { assert } from '../core/assert.js';
import { DIGEST_BYTES, type RangeEntry, type RangeOptions } from './engine.js';

export type StagedValue = Uint8Array | null;

/** An entry of an engine's committed stream, with its key as a latin1 string for ordering. */
export interface CommittedEntry extends RangeEntry {
  readonly sortKey: string;
}

/** One staged write; `key` is the caller's array, kept so a disk commit need not rebuild it. */
export interface StagedWrite {
  readonly sortKey: string;
  readonly key: Uint8Array;
  readonly value: StagedValue;
  /** The caller's digest of `value` when it has DIGEST_BYTES, for an engine that keeps it (StorageEngine.digestOf). */
  readonly digest: Uint8Array | undefined;
}

export class StagedWrites {
  private writes = new Map<string, StagedWrite>();
  /**
   * Bumped by every change to the engine (stage, take, clear, and `invalidate` for whatever else
   * the engine counts as a write, such as close); a range iterator checks it is unchanged.
   */
  private version = 0;

  get size(): number {
    return this.writes.size;
  }

  invalidate(): void {
    this.version++;
  }

  /** A check that throws once anything changed after it was made: range iterators call it. */
  validity(): () => void {
    const version = this.version;
    return () => assert(this.version === version, 'a range iterator was used after a write (stage, commit or close invalidate it)');
  }

  /** The staged value (null: a staged delete), or undefined when the key is not staged. */
  lookup(sortKey: string): StagedValue | undefined {
    // Nothing staged is the usual case between commits: skip the lookup.
    return this.writes.size === 0 ? undefined : this.writes.get(sortKey)?.value;
  }

  /**
   * For StorageEngine.digestOf: undefined when the key is not staged; otherwise a copy of the
   * staged value's digest, or null when it has none (or is a delete).
   */
  stagedDigest(sortKey: string): Uint8Array | null | undefined {
    const staged = this.writes.size === 0 ? undefined : this.writes.get(sortKey);
    if (staged === undefined) return undefined;
    return staged.value === null || staged.digest === undefined ? null : staged.digest.slice();
  }

  stage(sortKey: string, key: Uint8Array, value: StagedValue, digest?: Uint8Array): void {
    this.version++;
    this.writes.set(sortKey, { sortKey, key, value, digest: digest?.length === DIGEST_BYTES ? digest : undefined });
  }

  /** Hands over everything staged as one batch and starts empty. */
  take(): Map<string, StagedWrite> {
    this.version++;
    const batch = this.writes;
    this.writes = new Map();
    return batch;
  }

  clear(): void {
    this.version++;
    this.writes.clear();
  }

  /** Keys in [from, to) of committed state merged with the staged writes, for an engine's `range`. */
  mergedRange(from: string, to: string, options: RangeOptions | undefined, committed: (reverse: boolean) => Iterator<CommittedEntry>): IterableIterator<RangeEntry> {
    const reverse = options?.reverse === true;
    return mergeRange(committed(reverse), this.inRange(from, to, reverse), rangeLimit(options), reverse, this.validity());
  }

  /** `committed` (the engine's count of [from, to)) corrected for the staged writes in that range. */
  adjustCount(from: string, to: string, committed: number, isCommitted: (w: StagedWrite) => boolean): number {
    let n = committed;
    for (const w of this.inRange(from, to, false)) {
      const present = isCommitted(w);
      if (w.value === null && present) n--;
      else if (w.value !== null && !present) n++;
    }
    return n;
  }

  /** Staged entries with keys in [from, to), in iteration order. */
  inRange(from: string, to: string, reverse: boolean): StagedWrite[] {
    const out: StagedWrite[] = [];
    if (this.writes.size === 0 || from >= to) return out;
    for (const w of this.writes.values()) if (w.sortKey >= from && w.sortKey < to) out.push(w);
    out.sort(reverse ? (a, b) => (a.sortKey < b.sortKey ? 1 : -1) : (a, b) => (a.sortKey < b.sortKey ? -1 : 1));
    return out;
  }
}

export function rangeLimit(options: RangeOptions | undefined): number {
  const limit = options?.limit;
  if (limit === undefined) return Infinity;
  assert(Number.isInteger(limit) && limit >= 0, `range limit must be a non-negative integer, not ${limit}`);
  return limit;
}

/**
 * Merges a committed stream (ordered as `reverse` says) with staged entries in the same order.
 * `checkValid` runs before every step so an iterator used after a write fails loudly.
 */
export function* mergeRange(
  committed: Iterator<CommittedEntry>,
  staged: readonly StagedWrite[],
  limit: number,
  reverse: boolean,
  checkValid: () => void,
): Generator<RangeEntry, void, undefined> {
  let emitted = 0;
  let s = 0;
  let pending: CommittedEntry | undefined;
  let committedDone = false;
  try {
    while (emitted < limit) {
      checkValid();
      if (pending === undefined && !committedDone) {
        const next = committed.next();
        if (next.done === true) committedDone = true;
        else pending = next.value;
      }
      const write = staged[s];
      if (pending === undefined && write === undefined) return;
      if (write === undefined || (pending !== undefined && comesFirst(pending.sortKey, write.sortKey, reverse))) {
        const entry = pending!;
        pending = undefined;
        emitted++;
        yield entry;
        continue;
      }
      if (pending !== undefined && pending.sortKey === write.sortKey) pending = undefined;
      s++;
      if (write.value === null) continue;
      emitted++;
      yield { key: write.key, value: write.value };
    }
  } finally {
    committed.return?.();
  }
}

function comesFirst(a: string, b: string, reverse: boolean): boolean {
  return reverse ? a > b : a < b;
}
