/**
 * The node's storage key layout. Data keys sort by the key's ring hash, so one partition, and one
 * Merkle leaf inside it, is one contiguous range of the engine. Every variable part is
 * length-prefixed, so no bucket/key pair can be confused with another.
 *
 *   meta  0x00 | name
 *   data  0x01 | md5(16) | u16 len | bucket | u16 len | key
 *   hint  0x02 | md5(16) | u16 len | bucket | u16 len | key | target node id
 */
import { keyHash, partitionOf } from '../core/ring/index.js';
import type { NodeId } from '../core/ids.js';

const META = 0x00;
const DATA = 0x01;
const HINT = 0x02;

export interface KeyIdentity {
  readonly hash: Uint8Array;
  readonly bucket: string;
  readonly key: string;
  /** The data key, built once per request (see dataKey). */
  dataKeyBytes?: Buffer;
}

export function identify(bucket: string, key: string): KeyIdentity {
  return { hash: keyHash(bucket, key), bucket, key };
}

function encodeIdentity(tag: number, id: KeyIdentity, suffix: string | null): Buffer {
  const bucketBytes = Buffer.byteLength(id.bucket, 'utf8');
  const keyBytes = Buffer.byteLength(id.key, 'utf8');
  const suffixBytes = suffix === null ? 0 : Buffer.byteLength(suffix, 'utf8');
  const out = Buffer.allocUnsafe(1 + 16 + 2 + bucketBytes + 2 + keyBytes + suffixBytes);
  out[0] = tag;
  out.set(id.hash, 1);
  out.writeUInt16BE(bucketBytes, 17);
  out.write(id.bucket, 19, 'utf8');
  out.writeUInt16BE(keyBytes, 19 + bucketBytes);
  out.write(id.key, 21 + bucketBytes, 'utf8');
  if (suffix !== null) out.write(suffix, 21 + bucketBytes + keyBytes, 'utf8');
  return out;
}

export function dataKey(id: KeyIdentity): Buffer {
  return (id.dataKeyBytes ??= encodeIdentity(DATA, id, null));
}

/** A key of the data keyspace (what the Merkle trees cover). */
export function isDataKey(key: Uint8Array): boolean {
  return key[0] === DATA;
}

export function hintKey(id: KeyIdentity, target: NodeId): Buffer {
  return encodeIdentity(HINT, id, target);
}

/** All hints for one key, whatever their target. */
export function hintPrefix(id: KeyIdentity): Buffer {
  return encodeIdentity(HINT, id, null);
}

export function metaKey(name: string): Buffer {
  return Buffer.concat([Buffer.from([META]), Buffer.from(name, 'utf8')]);
}

export interface ParsedKey extends KeyIdentity {
  readonly kind: 'data' | 'hint';
  readonly target: NodeId | null;
}

/** Parses a data or hint key; null for anything else (the caller skips it). */
export function parseKey(raw: Uint8Array): ParsedKey | null {
  const buf = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  if (buf.length < 21 || (buf[0] !== DATA && buf[0] !== HINT)) return null;
  const bucketLen = buf.readUInt16BE(17);
  if (buf.length < 21 + bucketLen) return null;
  const keyLen = buf.readUInt16BE(19 + bucketLen);
  const end = 21 + bucketLen + keyLen;
  if (buf.length < end) return null;
  const kind = buf[0] === DATA ? 'data' : 'hint';
  if (kind === 'data' && buf.length !== end) return null;
  return {
    kind,
    hash: buf.subarray(1, 17),
    bucket: buf.toString('utf8', 19, 19 + bucketLen),
    key: buf.toString('utf8', 21 + bucketLen, end),
    target: kind === 'hint' ? buf.toString('utf8', end) : null,
  };
}

/** [from, to) bounds of a prefix range. */
export function prefixRange(prefix: Uint8Array): { from: Buffer; to: Buffer } {
  const from = Buffer.from(prefix);
  const to = Buffer.from(prefix);
  for (let i = to.length - 1; i >= 0; i--) {
    if (to[i]! < 0xff) {
      to[i]! += 1;
      return { from, to: to.subarray(0, i + 1) };
    }
  }
  return { from, to: Buffer.from([0xff, 0xff, 0xff, 0xff]) };
}

export const ALL_HINTS = prefixRange(Buffer.from([HINT]));
export const ALL_DATA = prefixRange(Buffer.from([DATA]));

/** The data keys of one partition: the hashes whose top bits equal the partition number. */
export function partitionDataRange(partition: number, partitions: number): { from: Buffer; to: Buffer } {
  const bits = Math.log2(partitions);
  const from = Buffer.alloc(17);
  from[0] = DATA;
  const start = BigInt(partition) << BigInt(128 - bits);
  from.set(bigintTo16(start), 1);
  if (partition === partitions - 1) return { from, to: Buffer.from([DATA + 1]) };
  const to = Buffer.alloc(17);
  to[0] = DATA;
  to.set(bigintTo16(BigInt(partition + 1) << BigInt(128 - bits)), 1);
  return { from, to };
}

function bigintTo16(x: bigint): Buffer {
  const out = Buffer.alloc(16);
  for (let i = 15; i >= 0; i--) {
    out[i] = Number(x & 0xffn);
    x >>= 8n;
  }
  return out;
}

export function partitionOfIdentity(id: KeyIdentity, partitions: number): number {
  return partitionOf(id.hash, partitions);
}

/** The bucket of a data key, read straight from its layout (no full parse); null if malformed. */
export function bucketOfDataKey(raw: Uint8Array): string | null {
  if (raw.length < 21 || raw[0] !== DATA) return null;
  const buf = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  const bucketLen = buf.readUInt16BE(17);
  return buf.length < 19 + bucketLen ? null : buf.toString('utf8', 19, 19 + bucketLen);
}
