/**
 * A map from integer ids (request ids, operation ids: non-negative, mostly increasing) to values,
 * for the few long-lived tables that see one insert and one delete per request.
 *
 * Why not a Map: V8 gives a Map a new backing table whenever inserts and deletes fill it, and once
 * the Map is old, that table is allocated in the old generation. The replaced table stays linked to
 * its successor with all its entries (for iterators), so every request that was in flight at a
 * rehash stayed reachable from old-space garbage until the next full collection. Each scavenge then
 * copied and promoted those requests' objects. Here the slots live in two flat arrays that are
 * only replaced when the table grows, and a delete clears its slot.
 *
 * Open addressing with linear probing and backward-shift deletion (no tombstones). Sequential ids
 * spread perfectly over a power-of-two table.
 */
import { assert } from './assert.js';

const EMPTY = -1;

export class IdTable<V> {
  private ids: Float64Array;
  private slots: (V | undefined)[];
  private mask: number;
  private count = 0;

  constructor(initialCapacity = 64) {
    assert(initialCapacity >= 2 && (initialCapacity & (initialCapacity - 1)) === 0, 'capacity is a power of two');
    this.ids = new Float64Array(initialCapacity).fill(EMPTY);
    this.slots = new Array<V | undefined>(initialCapacity).fill(undefined);
    this.mask = initialCapacity - 1;
  }

  get size(): number {
    return this.count;
  }

  get(id: number): V | undefined {
    for (let i = this.home(id); ; i = (i + 1) & this.mask) {
      const at = this.ids[i]!;
      if (at === id) return this.slots[i];
      if (at === EMPTY) return undefined;
    }
  }

  /** `value` must not be undefined (undefined means absent). */
  set(id: number, value: V): void {
    assert(Number.isSafeInteger(id) && id >= 0, 'ids are non-negative integers');
    for (let i = this.home(id); ; i = (i + 1) & this.mask) {
      const at = this.ids[i]!;
      if (at === id) {
        this.slots[i] = value;
        return;
      }
      if (at === EMPTY) {
        this.ids[i] = id;
        this.slots[i] = value;
        this.count++;
        // At most half full, so probes stay short.
        if (this.count * 2 > this.ids.length) this.grow();
        return;
      }
    }
  }

  delete(id: number): boolean {
    let i = this.home(id);
    for (; ; i = (i + 1) & this.mask) {
      const at = this.ids[i]!;
      if (at === EMPTY) return false;
      if (at === id) break;
    }
    // Backward shift: pull later entries of the probe run into the gap, so lookups never need tombstones.
    let gap = i;
    for (let j = (i + 1) & this.mask; this.ids[j] !== EMPTY; j = (j + 1) & this.mask) {
      const home = this.home(this.ids[j]!);
      // The entry at j may move to the gap if its home is not in the cyclic range (gap, j].
      const inRange = gap <= j ? home > gap && home <= j : home > gap || home <= j;
      if (inRange) continue;
      this.ids[gap] = this.ids[j]!;
      this.slots[gap] = this.slots[j];
      gap = j;
    }
    this.ids[gap] = EMPTY;
    this.slots[gap] = undefined;
    this.count--;
    return true;
  }

  /**
   * The values in id order (insertion order, for increasing ids, as a Map would give), as a
   * snapshot: the table may change while the caller walks it.
   */
  values(): V[] {
    const order: number[] = [];
    for (let i = 0; i < this.ids.length; i++) if (this.ids[i] !== EMPTY) order.push(i);
    order.sort((a, b) => this.ids[a]! - this.ids[b]!);
    return order.map((i) => this.slots[i]!);
  }

  clear(): void {
    this.ids.fill(EMPTY);
    this.slots.fill(undefined);
    this.count = 0;
  }

  private home(id: number): number {
    // Low bits of the id (ids above 2^32 fold their high part in).
    return (id ^ Math.floor(id / 0x1_0000_0000)) & this.mask;
  }

  private grow(): void {
    const ids = this.ids;
    const slots = this.slots;
    this.ids = new Float64Array(ids.length * 2).fill(EMPTY);
    this.slots = new Array<V | undefined>(ids.length * 2).fill(undefined);
    this.mask = this.ids.length - 1;
    this.count = 0;
    for (let i = 0; i < ids.length; i++) if (ids[i] !== EMPTY) this.set(ids[i]!, slots[i]!);
  }
}
