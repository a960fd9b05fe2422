/**
 * The backup file: a header naming the cluster and the time, then one block per run of a
 * partition's entries, each with its own SHA-256, then an end record with the totals. A block that
 * fails its checksum is skipped on its own: the reader reports its position and goes on with the
 * next block it can find (after the claimed length when a block header follows there, else by
 * scanning for the next block's magic), so one damaged stretch loses only the blocks it touches.
 *
 *   file   "DYNAMOBK" | u8 format | u32 header length | header JSON | sha256(header JSON)
 *   block  "BLK1" | u32 partition | u32 entry count | u32 payload length | sha256(the 12 bytes before it + payload) | payload (entries.ts)
 *   end    "END1" | u32 blocks | u32 entries | sha256(the 8 bytes before it)
 */
import { createHash } from 'node:crypto';
import { assert } from '../core/assert.js';

export const FILE_MAGIC = Buffer.from('DYNAMOBK', 'latin1');
export const BLOCK_MAGIC = Buffer.from('BLK1', 'latin1');
export const END_MAGIC = Buffer.from('END1', 'latin1');
export const FORMAT = 1;
export const HASH_BYTES = 32;
export const BLOCK_HEAD_BYTES = 4 + 12 + HASH_BYTES;
export const END_BYTES = 4 + 8 + HASH_BYTES;
export const MAX_HEADER_BYTES = 1024 * 1024;
/** Larger than any block the writer makes (it closes a block at BLOCK_TARGET_BYTES or one set past it). */
export const MAX_BLOCK_BYTES = 128 * 1024 * 1024;
export const BLOCK_TARGET_BYTES = 1024 * 1024;
export const BLOCK_MAX_ENTRIES = 1000;

export interface DumpHeader {
  readonly format: number;
  readonly createdAt: string;
  /** The cluster as the backed-up node saw it. */
  readonly cluster: { readonly members: readonly string[]; readonly partitions: number; readonly replicas: number; readonly ringVersion: string };
  readonly source: string;
  readonly buckets: readonly string[] | null;
  /** The properties of every bucket that had them set (restore sets them first); absent in older dumps. */
  readonly bucketProps?: Readonly<Record<string, unknown>>;
}

export function sha256(...parts: Uint8Array[]): Buffer {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
}

export function encodeFileHeader(header: DumpHeader): Buffer {
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  assert(json.length <= MAX_HEADER_BYTES, 'the header fits its limit');
  const fixed = Buffer.alloc(FILE_MAGIC.length + 5);
  FILE_MAGIC.copy(fixed, 0);
  fixed[FILE_MAGIC.length] = FORMAT;
  fixed.writeUInt32BE(json.length, FILE_MAGIC.length + 1);
  return Buffer.concat([fixed, json, sha256(json)]);
}

export function encodeBlock(partition: number, count: number, payload: Buffer): Buffer {
  assert(Number.isInteger(partition) && partition >= 0 && count >= 0, 'a block names its partition and count');
  assert(payload.length <= MAX_BLOCK_BYTES, 'a block fits its limit');
  const fields = Buffer.alloc(12);
  fields.writeUInt32BE(partition, 0);
  fields.writeUInt32BE(count, 4);
  fields.writeUInt32BE(payload.length, 8);
  return Buffer.concat([BLOCK_MAGIC, fields, sha256(fields, payload), payload]);
}

export function encodeEnd(blocks: number, entries: number): Buffer {
  const fields = Buffer.alloc(8);
  fields.writeUInt32BE(blocks, 0);
  fields.writeUInt32BE(entries, 4);
  return Buffer.concat([END_MAGIC, fields, sha256(fields)]);
}

/** The header's JSON checked field by field: the header, or why the file is not a backup. */
export function parseHeader(json: Buffer): DumpHeader | string {
  let raw: unknown;
  try {
    raw = JSON.parse(json.toString('utf8'));
  } catch {
    return 'the header is not JSON';
  }
  if (typeof raw !== 'object' || raw === null) return 'the header is not an object';
  const h = raw as Record<string, unknown>;
  if (h.format !== FORMAT) return `the header names format ${String(h.format)}, this version reads ${FORMAT}`;
  if (typeof h.createdAt !== 'string' || typeof h.source !== 'string') return 'the header lacks createdAt or source';
  const c = h.cluster as Record<string, unknown> | null;
  if (typeof c !== 'object' || c === null || !Array.isArray(c.members) || !c.members.every((m) => typeof m === 'string')) return 'the header lacks the cluster';
  if (!Number.isInteger(c.partitions) || !Number.isInteger(c.replicas) || typeof c.ringVersion !== 'string') return 'the header\'s cluster is malformed';
  if (h.buckets !== null && !(Array.isArray(h.buckets) && h.buckets.every((b) => typeof b === 'string'))) return 'the header\'s buckets are malformed';
  if (h.bucketProps !== undefined && (typeof h.bucketProps !== 'object' || h.bucketProps === null || Array.isArray(h.bucketProps))) return 'the header\'s bucket properties are malformed';
  return h as unknown as DumpHeader;
}
