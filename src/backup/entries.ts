/**
 * A run of stored sibling sets, as bytes: what a node's backup endpoint streams, what a dump's
 * block holds, and what the restore endpoint takes. The set is the versions codec's bytes, kept
 * opaque here (siblings, causal context, tombstones and whatever else the codec holds); decoding
 * checks every length against the named limits, and `decodeEntries` validates each set against the
 * version invariants (decodeSiblingSet runs them) before anyone may store it.
 *
 *   per entry: u16 bucket length | bucket (utf8) | u16 key length | key (utf8) | u32 set length | set
 */
import { assert } from '../core/assert.js';
import { decodeSiblingSet, type SiblingSet } from '../core/versions/index.js';

export const MAX_BUCKET_BYTES = 128;
export const MAX_KEY_BYTES = 1024;
/** Larger than any value the node accepts (1 MiB by default) with its siblings. */
export const MAX_SET_BYTES = 64 * 1024 * 1024;

export interface RawEntry {
  readonly bucket: string;
  readonly key: string;
  readonly set: Uint8Array;
}

export interface Entry extends RawEntry {
  readonly decoded: SiblingSet;
}

export class EntryDecodeError extends Error {
  override readonly name = 'EntryDecodeError';
  constructor(
    message: string,
    /** Byte offset inside the run where the bad entry starts. */
    readonly offset: number,
  ) {
    super(message);
  }
}

export function encodeEntries(entries: readonly RawEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    const bucket = Buffer.from(e.bucket, 'utf8');
    const key = Buffer.from(e.key, 'utf8');
    assert(bucket.length > 0 && bucket.length <= MAX_BUCKET_BYTES && key.length > 0 && key.length <= MAX_KEY_BYTES, 'names within the limits');
    assert(e.set.length <= MAX_SET_BYTES, 'a set within the limit');
    const head = Buffer.allocUnsafe(2 + bucket.length + 2 + key.length + 4);
    let at = head.writeUInt16BE(bucket.length, 0);
    at += bucket.copy(head, at);
    at = head.writeUInt16BE(key.length, at);
    at += key.copy(head, at);
    head.writeUInt32BE(e.set.length, at);
    parts.push(head, Buffer.from(e.set.buffer, e.set.byteOffset, e.set.byteLength));
  }
  return Buffer.concat(parts);
}

function readName(buf: Buffer, at: number, max: number, what: string, start: number): { value: string; at: number } {
  if (at + 2 > buf.length) throw new EntryDecodeError(`entry ends inside the ${what} length`, start);
  const length = buf.readUInt16BE(at);
  if (length === 0 || length > max) throw new EntryDecodeError(`${what} length ${length} is outside 1..${max}`, start);
  if (at + 2 + length > buf.length) throw new EntryDecodeError(`entry ends inside the ${what}`, start);
  const bytes = buf.subarray(at + 2, at + 2 + length);
  const value = bytes.toString('utf8');
  if (!Buffer.from(value, 'utf8').equals(bytes)) throw new EntryDecodeError(`${what} is not valid UTF-8`, start);
  return { value, at: at + 2 + length };
}

/** Splits a run into entries, checking the framing only (the sets stay opaque). Throws EntryDecodeError. */
export function decodeRawEntries(bytes: Uint8Array, maxEntries: number): RawEntry[] {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: RawEntry[] = [];
  let at = 0;
  while (at < buf.length) {
    const start = at;
    if (out.length >= maxEntries) throw new EntryDecodeError(`more than ${maxEntries} entries`, start);
    const bucket = readName(buf, at, MAX_BUCKET_BYTES, 'bucket', start);
    const key = readName(buf, bucket.at, MAX_KEY_BYTES, 'key', start);
    at = key.at;
    if (at + 4 > buf.length) throw new EntryDecodeError('entry ends inside the set length', start);
    const length = buf.readUInt32BE(at);
    if (length > MAX_SET_BYTES || at + 4 + length > buf.length) throw new EntryDecodeError(`set length ${length} runs past the end`, start);
    out.push({ bucket: bucket.value, key: key.value, set: buf.subarray(at + 4, at + 4 + length) });
    at += 4 + length;
  }
  return out;
}

/** One entry's set checked against the version invariants: the Entry, or why it is refused. */
export function validateEntry(raw: RawEntry): Entry | string {
  try {
    return { ...raw, decoded: decodeSiblingSet(raw.set) };
  } catch (err) {
    return `${raw.bucket}/${raw.key}: ${(err as Error).message}`;
  }
}
