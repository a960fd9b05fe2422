/**
 * The shopping cart of the workload: a set of unique item ids that only grows, merged by union
 * (the paper's own example of client-side reconciliation). Every write carries a unique write id,
 * and the item a write adds is that same id, so a value names the write that produced it.
 *
 * Why the items make a good causal witness: a client builds a cart by reading (the union of every
 * sibling it got) and adding its own id, so the items of a value are exactly its ancestors back to
 * the last delete. "w is among the items a read returned" therefore means "the read's context
 * covers w's version", which is what the lost-write, resurrection and read-your-writes checks ask.
 */
import type { VersionRef } from './versions.js';

export interface CartValue {
  /** The write that produced this value; also the item it added. */
  readonly writeId: string;
  /** Sorted, unique; includes writeId. */
  readonly items: readonly string[];
}

/** Item and write ids are short printable tokens (client id, dot, sequence number). */
const ID = /^[A-Za-z0-9_.:-]{1,64}$/;

export function cartValue(writeId: string, seen: Iterable<string>): CartValue {
  const items = new Set(seen);
  items.add(writeId);
  return { writeId, items: [...items].sort() };
}

export function encodeCart(v: CartValue): Uint8Array {
  return Buffer.from(JSON.stringify({ w: v.writeId, i: v.items }), 'utf8');
}

/** The cart a value holds, or null when the bytes are not a cart (never written by the workload). */
export function decodeCart(bytes: Uint8Array): CartValue | null {
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
  } catch {
    return null;
  }
  if (typeof raw !== 'object' || raw === null) return null;
  const { w, i } = raw as { w?: unknown; i?: unknown };
  if (typeof w !== 'string' || !ID.test(w) || !Array.isArray(i)) return null;
  if (!i.every((x): x is string => typeof x === 'string' && ID.test(x))) return null;
  return { writeId: w, items: i };
}

/** The union of the items of every cart among `values` (undecodable values are skipped). */
export function unionItems(values: Iterable<Uint8Array>): Set<string> {
  const out = new Set<string>();
  for (const bytes of values) {
    const cart = decodeCart(bytes);
    if (cart !== null) for (const item of cart.items) out.add(item);
  }
  return out;
}

/** The versions (write id and timestamp) of the live carts among `siblings`. */
export function versionsOf(siblings: Iterable<{ readonly data: Uint8Array | null; readonly timestampMs: number | null }>): VersionRef[] {
  const out: VersionRef[] = [];
  for (const s of siblings) {
    const cart = s.data === null ? null : decodeCart(s.data);
    if (cart !== null) out.push({ writeId: cart.writeId, timestampMs: s.timestampMs });
  }
  return out;
}
