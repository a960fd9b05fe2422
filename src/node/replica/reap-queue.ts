/**
 * The reap queue's storage form, so that scheduled reaps survive a restart: one key per reap,
 * ordered by due time, under its own tag beside meta, data and hints (keys.ts).
 *
 *   reap  0x03 | due ms (u64 BE) | md5(16) | u16 len | bucket | u16 len | key
 *   value      attempts (u8) | tombstone digest
 */
import { keyHash } from '../../core/ring/index.js';

const REAP = 0x03;
/** Digests are MD5 (core/versions/digest.ts); anything else in storage is not ours. */
const DIGEST_BYTES = 16;

export interface QueuedReap {
  readonly dueMs: number;
  readonly bucket: string;
  readonly key: string;
  readonly digest: Uint8Array;
  /** Checks already made that found a primary not holding the tombstone (reaper.ts). */
  readonly attempts: number;
}

export const ALL_REAPS = { from: Buffer.from([REAP]), to: Buffer.from([REAP + 1]) };

export function reapKey(r: QueuedReap): Buffer {
  const bucket = Buffer.from(r.bucket, 'utf8');
  const key = Buffer.from(r.key, 'utf8');
  const out = Buffer.alloc(1 + 8 + 16 + 2 + bucket.length + 2 + key.length);
  out[0] = REAP;
  out.writeBigUInt64BE(BigInt(Math.max(0, Math.floor(r.dueMs))), 1);
  out.set(keyHash(r.bucket, r.key), 9);
  out.writeUInt16BE(bucket.length, 25);
  bucket.copy(out, 27);
  out.writeUInt16BE(key.length, 27 + bucket.length);
  key.copy(out, 29 + bucket.length);
  return out;
}

export function reapValue(r: QueuedReap): Buffer {
  return Buffer.concat([Buffer.from([Math.min(255, r.attempts)]), r.digest]);
}

/** Parses a stored reap; null for anything malformed (the caller drops it). */
export function parseReap(rawKey: Uint8Array, rawValue: Uint8Array): QueuedReap | null {
  const k = Buffer.from(rawKey.buffer, rawKey.byteOffset, rawKey.byteLength);
  if (k.length < 29 || k[0] !== REAP || rawValue.length !== 1 + DIGEST_BYTES) return null;
  const bucketLen = k.readUInt16BE(25);
  if (k.length < 29 + bucketLen) return null;
  const keyLen = k.readUInt16BE(27 + bucketLen);
  if (k.length !== 29 + bucketLen + keyLen) return null;
  return {
    dueMs: Number(k.readBigUInt64BE(1)),
    bucket: k.toString('utf8', 27, 27 + bucketLen),
    key: k.toString('utf8', 29 + bucketLen),
    attempts: rawValue[0]!,
    digest: Buffer.from(rawValue.subarray(1)),
  };
}
