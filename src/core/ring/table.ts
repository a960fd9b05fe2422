/**
 * A replica table packed for claim: node ids interned to small integers, the owner lists laid out in
 * one Int32Array (stride N), and slot and first-place counts kept per node as slots change hands.
 * Claim's hot loops scan every partition several times per join, and doing that over integer arrays
 * instead of string-keyed maps is what keeps a 1,000-node, 8,192-partition ring fast to build.
 *
 * The packed form of each table claim returns is cached with it, so the next step starts from a copy
 * of the arrays instead of re-interning every list. Output rows that did not change are the old row
 * arrays, shared with the previous table.
 */
import { assert } from '../assert.js';
import type { NodeId } from '../ids.js';
import type { Assignment } from './assignment-shape.js';

interface Packed {
  readonly ids: readonly NodeId[];
  readonly grid: Int32Array;
  readonly lengths: Int32Array;
  readonly counts: Int32Array;
  readonly firsts: Int32Array;
}

const packedCache = new WeakMap<Assignment, Packed>();

function pack(a: Assignment): Packed {
  const cached = packedCache.get(a);
  if (cached) return cached;
  const index = new Map<NodeId, number>();
  const ids: NodeId[] = [];
  const grid = new Int32Array(a.partitions * a.replicas).fill(-1);
  const lengths = new Int32Array(a.partitions);
  a.owners.forEach((row, p) => {
    assert(row.length <= a.replicas, `partition ${p} lists more than ${a.replicas} owners`);
    lengths[p] = row.length;
    row.forEach((id, i) => {
      let n = index.get(id);
      if (n === undefined) {
        n = ids.length;
        index.set(id, n);
        ids.push(id);
      }
      grid[p * a.replicas + i] = n;
    });
  });
  const packed = { ids, grid, lengths, ...tally(grid, lengths, ids.length, a.replicas) };
  packedCache.set(a, packed);
  return packed;
}

function tally(grid: Int32Array, lengths: Int32Array, nodes: number, stride: number): { counts: Int32Array; firsts: Int32Array } {
  const counts = new Int32Array(nodes);
  const firsts = new Int32Array(nodes);
  lengths.forEach((length, p) => {
    for (let i = 0; i < length; i++) counts[grid[p * stride + i]!]!++;
    if (length > 0) firsts[grid[p * stride]!]!++;
  });
  return { counts, firsts };
}

/** Slot and first-place counts of every node holding a slot (internal to the ring folder). */
export function packedCounts(a: Assignment): { counts: Map<NodeId, number>; firsts: Map<NodeId, number> } {
  const packed = pack(a);
  const counts = new Map<NodeId, number>();
  const firsts = new Map<NodeId, number>();
  packed.ids.forEach((id, n) => {
    if (packed.counts[n]! > 0) counts.set(id, packed.counts[n]!);
    if (packed.firsts[n]! > 0) firsts.set(id, packed.firsts[n]!);
  });
  return { counts, firsts };
}

/** A mutable working copy of one table, used only inside one claim step, then frozen by toAssignment. */
export class WorkingTable {
  readonly partitions: number;
  readonly replicas: number;
  private readonly source: Assignment;
  private readonly ids: NodeId[];
  private readonly index = new Map<NodeId, number>();
  private readonly grid: Int32Array;
  private readonly lengths: Int32Array;
  private counts: Int32Array;
  private firsts: Int32Array;
  private readonly dirty: Uint8Array;

  constructor(from: Assignment) {
    const packed = pack(from);
    this.partitions = from.partitions;
    this.replicas = from.replicas;
    this.source = from;
    this.ids = packed.ids.slice();
    this.ids.forEach((id, n) => this.index.set(id, n));
    this.grid = packed.grid.slice();
    this.lengths = packed.lengths.slice();
    this.counts = packed.counts.slice();
    this.firsts = packed.firsts.slice();
    this.dirty = new Uint8Array(from.partitions);
  }

  /** The integer standing for `id` in this table, interning it if new. */
  intern(id: NodeId): number {
    const known = this.index.get(id);
    if (known !== undefined) return known;
    const n = this.ids.length;
    this.ids.push(id);
    this.index.set(id, n);
    this.counts = grow(this.counts, n + 1);
    this.firsts = grow(this.firsts, n + 1);
    return n;
  }

  idOf(n: number): NodeId {
    return this.ids[n]!;
  }

  /** Interned nodes that hold at least one slot. */
  holders(): number[] {
    const out: number[] = [];
    for (let n = 0; n < this.ids.length; n++) if (this.counts[n]! > 0) out.push(n);
    return out;
  }

  length(p: number): number {
    return this.lengths[p]!;
  }

  at(p: number, i: number): number {
    return this.grid[p * this.replicas + i]!;
  }

  position(p: number, n: number): number {
    const base = p * this.replicas;
    for (let i = 0; i < this.lengths[p]!; i++) if (this.grid[base + i] === n) return i;
    return -1;
  }

  has(p: number, n: number): boolean {
    return this.position(p, n) >= 0;
  }

  count(n: number): number {
    return this.counts[n] ?? 0;
  }

  /** Partitions whose list starts with node n. */
  firstCount(n: number): number {
    return this.firsts[n] ?? 0;
  }

  /** The new node takes the old owner's position, so the rest of the list keeps its order. */
  replace(p: number, i: number, n: number): void {
    assert(i >= 0 && i < this.lengths[p]!, `partition ${p} has no owner at position ${i}`);
    assert(!this.has(p, n), `node ${this.ids[n]} already owns partition ${p}`);
    const old = this.at(p, i);
    this.set(p, i, n);
    this.counts[old]!--;
    this.counts[n]!++;
    if (i === 0) this.moveFirst(old, n);
  }

  /** Reorders two owners of one partition; no data moves, only who is listed first. */
  swap(p: number, i: number, j: number): void {
    assert(i >= 0 && j >= 0 && i < this.lengths[p]! && j < this.lengths[p]!, `partition ${p} has no positions ${i} and ${j}`);
    const head = this.at(p, 0);
    const x = this.at(p, i);
    this.set(p, i, this.at(p, j));
    this.set(p, j, x);
    this.moveFirst(head, this.at(p, 0));
  }

  append(p: number, n: number): void {
    assert(!this.has(p, n), `node ${this.ids[n]} already owns partition ${p}`);
    const length = this.lengths[p]!;
    assert(length < this.replicas, `partition ${p} already has ${this.replicas} owners`);
    this.set(p, length, n);
    this.lengths[p] = length + 1;
    this.counts[n]!++;
    if (length === 0) this.firsts[n]!++;
  }

  remove(p: number, n: number): void {
    const i = this.position(p, n);
    assert(i >= 0, `node ${this.ids[n]} does not own partition ${p}`);
    const length = this.lengths[p]!;
    for (let k = i; k < length - 1; k++) this.set(p, k, this.at(p, k + 1));
    this.set(p, length - 1, -1);
    this.lengths[p] = length - 1;
    this.counts[n]!--;
    if (i === 0) {
      this.firsts[n]!--;
      if (length > 1) this.firsts[this.at(p, 0)]!++;
    }
  }

  toAssignment(): Assignment {
    const owners = this.source.owners.slice();
    for (let p = 0; p < this.partitions; p++) {
      if (this.dirty[p] === 0) continue;
      const row: NodeId[] = [];
      for (let i = 0; i < this.lengths[p]!; i++) row.push(this.ids[this.at(p, i)]!);
      owners[p] = row;
    }
    const result: Assignment = { partitions: this.partitions, replicas: this.replicas, owners };
    packedCache.set(result, { ids: this.ids.slice(), grid: this.grid.slice(), lengths: this.lengths.slice(), counts: this.counts.slice(), firsts: this.firsts.slice() });
    return result;
  }

  private set(p: number, i: number, n: number): void {
    this.grid[p * this.replicas + i] = n;
    this.dirty[p] = 1;
  }

  private moveFirst(from: number, to: number): void {
    this.firsts[from]!--;
    this.firsts[to]!++;
  }
}

function grow(array: Int32Array, size: number): Int32Array {
  if (array.length >= size) return array;
  const bigger = new Int32Array(Math.max(size, array.length * 2));
  bigger.set(array);
  return bigger;
}
