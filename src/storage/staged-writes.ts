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
import type { RangeEntry, RangeOptions } from './engine.js';

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
}

export class StagedWrites {
  private writes = new Map<string, StagedWrite>();

  get size(): number {
    return this.writes.size;
  }

  /** The staged value (null: a staged delete), or undefined when the key is not staged. */
  lookup(sortKey: string): StagedValue | undefined {
    return this.writes.get(sortKey)?.value;
  }

  stage(sortKey: string, key: Uint8Array, value: StagedValue): void {
    this.writes.set(sortKey, { sortKey, key, value });
  }

  /** Hands over everything staged as one batch and starts empty. */
  take(): Map<string, StagedWrite> {
    const batch = this.writes;
    this.writes = new Map();
    return batch;
  }

  clear(): void {
    this.writes.clear();
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
