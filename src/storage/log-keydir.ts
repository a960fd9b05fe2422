/**
 * The keydir: for every live key, where its newest value sits on disk.
 *
 * It must hold millions of keys in little heap, so there is no JavaScript object per key: a Map
 * from the key's latin1 string (see byte-keys.ts) to a slot number (a small integer, stored
 * unboxed), and the slot's file id, value offset, value length, sequence number and the
 * caller's 16-byte digest of the value (StorageEngine.digestOf) in parallel typed arrays that grow
 * by doubling (their memory is outside the JS heap: 37 bytes a slot). Freed slots are
 * reused through a free list threaded through the offset array. The engine's SortedKeys index
 * shares the Map's key strings, so each key's bytes are in memory once.
 *
 * During recovery a key can be a tombstone (file id TOMBSTONE): deletes must remember their
 * sequence number until every file is read, because an older put of the same key may come later
 * in the scan (merged files hold records of any age). `dropTombstones` ends that phase.
 */
import { assert } from '../core/assert.js';
import { DIGEST_BYTES } from './engine.js';

export const TOMBSTONE = 0xffff_ffff;
const INITIAL_SLOTS = 1024;
const NO_SLOT = -1;

export class Keydir {
  private readonly slots = new Map<string, number>();
  private fileIds = new Uint32Array(INITIAL_SLOTS);
  private offsets = new Uint32Array(INITIAL_SLOTS);
  private lengths = new Uint32Array(INITIAL_SLOTS);
  private seqs = new Float64Array(INITIAL_SLOTS);
  /** Each slot's digest, when `hasDigest` says it is known (not after recovery, nor for a value staged without one). */
  private digests = new Uint8Array(INITIAL_SLOTS * DIGEST_BYTES);
  private hasDigest = new Uint8Array(INITIAL_SLOTS);
  /** Slots below this have been handed out at least once. */
  private highWater = 0;
  private freeHead = NO_SLOT;

  /** Keys held (tombstones included, which only exist during recovery). */
  get size(): number {
    return this.slots.size;
  }

  slot(key: string): number | undefined {
    return this.slots.get(key);
  }

  has(key: string): boolean {
    return this.slots.has(key);
  }

  fileOf(slot: number): number {
    return this.fileIds[slot]!;
  }

  offsetOf(slot: number): number {
    return this.offsets[slot]!;
  }

  lengthOf(slot: number): number {
    return this.lengths[slot]!;
  }

  seqOf(slot: number): number {
    return this.seqs[slot]!;
  }

  /** The digest given with the slot's value (a copy), or undefined when none is known. */
  digestOf(slot: number): Uint8Array | undefined {
    if (this.hasDigest[slot] !== 1) return undefined;
    const at = slot * DIGEST_BYTES;
    return this.digests.slice(at, at + DIGEST_BYTES);
  }

  /**
   * Points `key` at a value (adding the key if new), with the digest given for that value if any
   * (a digest of another size is not kept); returns its slot.
   */
  set(key: string, fileId: number, offset: number, length: number, seq: number, digest?: Uint8Array): number {
    let slot = this.slots.get(key);
    if (slot === undefined) {
      slot = this.allocate();
      this.slots.set(key, slot);
    }
    this.fileIds[slot] = fileId;
    this.offsets[slot] = offset;
    this.lengths[slot] = length;
    this.seqs[slot] = seq;
    if (digest !== undefined && digest.length === DIGEST_BYTES) {
      this.digests.set(digest, slot * DIGEST_BYTES);
      this.hasDigest[slot] = 1;
    } else {
      this.hasDigest[slot] = 0;
    }
    return slot;
  }

  /** Moves a value to a new place (a merge copied it); the seq stays. */
  move(slot: number, fileId: number, offset: number): void {
    this.fileIds[slot] = fileId;
    this.offsets[slot] = offset;
  }

  remove(key: string): boolean {
    const slot = this.slots.get(key);
    if (slot === undefined) return false;
    this.slots.delete(key);
    this.release(slot);
    return true;
  }

  keys(): IterableIterator<string> {
    return this.slots.keys();
  }

  /**
   * For each of `files`, the offsets of the values the keydir points at in it, ascending: one pass
   * over the slot arrays, no key strings. A merge copies only records at these offsets, so it
   * need not look up the key of every dead record it reads.
   */
  liveOffsets(files: ReadonlySet<number>): Map<number, Float64Array> {
    const found = new Map<number, number[]>();
    for (let slot = 0; slot < this.highWater; slot++) {
      const file = this.fileIds[slot]!;
      if (!files.has(file)) continue;
      let list = found.get(file);
      if (list === undefined) found.set(file, (list = []));
      list.push(this.offsets[slot]!);
    }
    const sorted = new Map<number, Float64Array>();
    for (const [file, list] of found) sorted.set(file, Float64Array.from(list).sort());
    return sorted;
  }

  /** Ends recovery: forgets the keys whose newest record is a delete. */
  dropTombstones(): void {
    for (const [key, slot] of this.slots) {
      if (this.fileIds[slot] !== TOMBSTONE) continue;
      this.slots.delete(key);
      this.release(slot);
    }
  }

  private allocate(): number {
    if (this.freeHead !== NO_SLOT) {
      const slot = this.freeHead;
      this.freeHead = this.offsets[slot]! === 0xffff_ffff ? NO_SLOT : this.offsets[slot]!;
      return slot;
    }
    if (this.highWater === this.fileIds.length) this.grow();
    return this.highWater++;
  }

  /** A free slot's offset holds the next free slot (0xffffffff ends the list). */
  private release(slot: number): void {
    assert(slot < this.highWater, 'only handed-out slots are released');
    this.offsets[slot] = this.freeHead === NO_SLOT ? 0xffff_ffff : this.freeHead;
    this.fileIds[slot] = TOMBSTONE;
    this.hasDigest[slot] = 0;
    this.freeHead = slot;
  }

  private grow(): void {
    const capacity = this.fileIds.length * 2;
    this.fileIds = grown(this.fileIds, new Uint32Array(capacity));
    this.offsets = grown(this.offsets, new Uint32Array(capacity));
    this.lengths = grown(this.lengths, new Uint32Array(capacity));
    this.seqs = grown(this.seqs, new Float64Array(capacity));
    this.digests = grown(this.digests, new Uint8Array(capacity * DIGEST_BYTES));
    this.hasDigest = grown(this.hasDigest, new Uint8Array(capacity));
  }
}

function grown<T extends Uint8Array | Uint32Array | Float64Array>(old: T, fresh: T): T {
  fresh.set(old);
  return fresh;
}
