/**
 * The storage and wire form of a sibling set: a hand-written binary layout, sized exactly, then
 * written in one pass (every put encodes once and decodes once, so no JSON and no base64).
 *
 *   u8 format (1, or 2 when some value expires)
 *   varint entry count, then per entry: string node, varint counter, varint timestampMs,
 *     varint value count, values (newest first)
 *   varint anonymous count, values
 *   value: varint timestampMs, [format 2: varint expiresAtMs, 0 for never],
 *     varint (0 for a tombstone, else byte length + 1), bytes
 *
 * Format 1 is what every set without an expiry still encodes to, so data stored before expiry
 * existed decodes, digests and hashes exactly as before (no Merkle difference after an upgrade).
 *
 * Sibling sets are kept canonical (entries by node, anonymous values sorted), so equal sets encode
 * to equal bytes, which the digest relies on. Decoding checks every bound and every invariant.
 */
import { assert } from '../assert.js';
import { ByteError, ByteReader, stringSize, varintSize, writeString, writeVarint } from './bytes.js';
import type { ClockEntry } from './entries.js';
import { VersionDecodeError } from './errors.js';
import { siblingSetProblem } from './invariants.js';
import type { SiblingSet } from './sibling-set.js';
import type { Version } from './value.js';

const FORMAT = 1;
const FORMAT_EXPIRING = 2;
const MIN_ENTRY_BYTES = 4;
const MIN_VALUE_BYTES = 2;

export function encodeSiblingSet(s: SiblingSet): Uint8Array {
  const expiring = hasExpiry(s);
  const buf = Buffer.allocUnsafe(encodedSize(s, expiring));
  let at = 0;
  buf[at++] = expiring ? FORMAT_EXPIRING : FORMAT;
  at = writeVarint(buf, at, s.entries.length);
  // Indexed loops here and below: this runs on every write, and for-of's iterators showed in allocation profiles.
  for (let i = 0; i < s.entries.length; i++) {
    const e = s.entries[i]!;
    at = writeString(buf, at, e.node);
    at = writeVarint(buf, at, e.counter);
    at = writeVarint(buf, at, e.timestampMs);
    at = writeValues(buf, at, e.values, expiring);
  }
  at = writeValues(buf, at, s.anonymous, expiring);
  assert(at === buf.length, 'the size pass and the write pass agree');
  return buf;
}

function hasExpiry(s: SiblingSet): boolean {
  for (let i = 0; i < s.anonymous.length; i++) if (s.anonymous[i]!.expiresAtMs !== undefined) return true;
  for (let i = 0; i < s.entries.length; i++) {
    const values = s.entries[i]!.values;
    for (let k = 0; k < values.length; k++) if (values[k]!.expiresAtMs !== undefined) return true;
  }
  return false;
}

function encodedSize(s: SiblingSet, expiring: boolean): number {
  let size = 1 + varintSize(s.entries.length) + valuesSize(s.anonymous, expiring);
  for (let i = 0; i < s.entries.length; i++) {
    const e = s.entries[i]!;
    assert(Number.isSafeInteger(e.timestampMs) && e.timestampMs >= 0 && e.counter > 0, 'entries hold whole numbers');
    size += stringSize(e.node) + varintSize(e.counter) + varintSize(e.timestampMs) + valuesSize(e.values, expiring);
  }
  return size;
}

function valuesSize(values: readonly Version[], expiring: boolean): number {
  let size = varintSize(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    assert(Number.isSafeInteger(v.timestampMs) && v.timestampMs >= 0, 'timestamps are whole milliseconds');
    const length = v.data === null ? 0 : v.data.length + 1;
    size += varintSize(v.timestampMs) + varintSize(length) + (v.data === null ? 0 : v.data.length);
    if (expiring) {
      assert(v.expiresAtMs === undefined || (Number.isSafeInteger(v.expiresAtMs) && v.expiresAtMs > 0), 'an expiry is a positive whole ms');
      size += varintSize(v.expiresAtMs ?? 0);
    }
  }
  return size;
}

function writeValues(buf: Buffer, at: number, values: readonly Version[], expiring: boolean): number {
  at = writeVarint(buf, at, values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    at = writeVarint(buf, at, v.timestampMs);
    if (expiring) at = writeVarint(buf, at, v.expiresAtMs ?? 0);
    if (v.data === null) {
      buf[at++] = 0;
      continue;
    }
    at = writeVarint(buf, at, v.data.length + 1);
    buf.set(v.data, at);
    at += v.data.length;
  }
  return at;
}

export function decodeSiblingSet(bytes: Uint8Array): SiblingSet {
  let set: SiblingSet;
  try {
    set = readSiblingSet(new ByteReader(bytes));
  } catch (err) {
    if (err instanceof ByteError) throw new VersionDecodeError(`sibling set ${err.message}`);
    throw err;
  }
  const problem = siblingSetProblem(set);
  if (problem !== null) throw new VersionDecodeError(`bad sibling set: ${problem}`);
  return set;
}

function readSiblingSet(r: ByteReader): SiblingSet {
  const format = r.byte();
  if (format !== FORMAT && format !== FORMAT_EXPIRING) throw new ByteError(`has unknown format ${format}`);
  const expiring = format === FORMAT_EXPIRING;
  const count = r.count(MIN_ENTRY_BYTES);
  // Lists sized exactly (a list that is pushed to grows 16 slots): this decode runs several times
  // per request on every node, and its allocations were the largest share of the nodes' garbage.
  const entries = new Array<ClockEntry>(count);
  for (let i = 0; i < count; i++) {
    const node = r.string();
    const counter = r.varint();
    const timestampMs = r.varint();
    entries[i] = { node, counter, values: readValues(r, expiring), timestampMs };
  }
  const anonymous = readValues(r, expiring);
  if (r.remaining !== 0) throw new ByteError('has trailing bytes');
  return { entries, anonymous };
}

const NO_VALUES: readonly Version[] = Object.freeze([]);

function readValues(r: ByteReader, expiring: boolean): readonly Version[] {
  const count = r.count(MIN_VALUE_BYTES);
  if (count === 0) return NO_VALUES;
  const values = new Array<Version>(count);
  for (let i = 0; i < count; i++) {
    const timestampMs = r.varint();
    const expiresAtMs = expiring ? r.varint() : 0;
    const length = r.varint();
    const data = length === 0 ? null : r.bytesCopy(length - 1);
    values[i] = expiresAtMs === 0 ? { data, timestampMs } : { data, timestampMs, expiresAtMs };
  }
  return values;
}
