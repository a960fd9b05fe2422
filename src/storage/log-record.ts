/**
 * The on-disk format of the log engine's data files (all integers little-endian).
 *
 *   file   = file header, then batches back to back
 *   file header (24 bytes) = magic "DYNAMOLG" | version u32 | kind u32 (1 log, 2 merge) | base seq u64
 *   batch header (24 bytes) = magic u32 "DYNB" | body bytes u32 | crc32 u32 | seq u64 | records u32
 *   record (7 bytes + key + value) = type u8 (1 put, 2 delete) | key bytes u16 | value bytes u32 | key | value
 *
 * The CRC covers everything after its own field (seq, record count and the whole body), so a batch
 * is accepted whole or not at all; the length comes before the CRC so a reader knows how much to
 * check. Every record of a batch carries the batch's sequence number: the newest sequence number
 * of a key wins on recovery, whichever file it sits in, which is what lets a merge copy records
 * into new files in any order. A file's base seq is at or above every seq the engine had used when
 * the file was made, so the next sequence number survives a merge that drops every tombstone.
 * Sequence numbers stay below 2^53 so they are exact JavaScript numbers.
 */
import { crc32 } from 'node:zlib';
import { assert, fail } from '../core/assert.js';
import { StorageError } from './engine.js';
import type { StagedWrite } from './staged-writes.js';

export const FILE_MAGIC = Buffer.from('DYNAMOLG', 'latin1');
export const FORMAT_VERSION = 1;
export const FILE_HEADER_BYTES = 24;
export const BATCH_MAGIC = 0x42_4e_59_44; // "DYNB" read as a little-endian u32
export const BATCH_HEADER_BYTES = 24;
export const RECORD_HEADER_BYTES = 7;
/** One batch is one write and one Buffer; a limit keeps file offsets well inside a u32. */
export const MAX_BATCH_BYTES = 1024 * 1024 * 1024;

export const RECORD_PUT = 1;
export const RECORD_DELETE = 2;

/** 'log': appended by commits, batches in increasing seq order. 'merge': written by a merge. */
export type FileKind = 'log' | 'merge';

export interface FileHeader {
  readonly kind: FileKind;
  readonly baseSeq: number;
}

export interface BatchHeader {
  readonly bodyBytes: number;
  readonly crc: number;
  readonly seq: number;
  readonly records: number;
}

export function recordBytes(keyBytes: number, valueBytes: number): number {
  return RECORD_HEADER_BYTES + keyBytes + valueBytes;
}

function writeSeq(buf: Buffer, at: number, seq: number): void {
  if (!(Number.isSafeInteger(seq) && seq >= 0)) fail(`sequence numbers are safe integers, not ${seq}`);
  buf.writeUInt32LE(seq % 0x1_0000_0000, at);
  buf.writeUInt32LE(Math.floor(seq / 0x1_0000_0000), at + 4);
}

function readSeq(buf: Buffer, at: number): number {
  return buf.readUInt32LE(at) + buf.readUInt32LE(at + 4) * 0x1_0000_0000;
}

export function encodeFileHeader(header: FileHeader): Buffer {
  const buf = Buffer.alloc(FILE_HEADER_BYTES);
  FILE_MAGIC.copy(buf, 0);
  buf.writeUInt32LE(FORMAT_VERSION, 8);
  buf.writeUInt32LE(header.kind === 'log' ? 1 : 2, 12);
  writeSeq(buf, 16, header.baseSeq);
  return buf;
}

/** The header at `buf[at..]`, or why it is not one. */
export function decodeFileHeader(buf: Buffer, at: number): FileHeader | string {
  if (!buf.subarray(at, at + 8).equals(FILE_MAGIC)) return 'not a log data file (bad magic)';
  const version = buf.readUInt32LE(at + 8);
  if (version !== FORMAT_VERSION) return `format version ${version}, this build reads ${FORMAT_VERSION}`;
  const kind = buf.readUInt32LE(at + 12);
  if (kind !== 1 && kind !== 2) return `unknown file kind ${kind}`;
  return { kind: kind === 1 ? 'log' : 'merge', baseSeq: readSeq(buf, at + 16) };
}

/** The batch header at `buf[at..]` (BATCH_HEADER_BYTES must be there), or undefined when the magic is wrong. */
export function decodeBatchHeader(buf: Buffer, at: number): BatchHeader | undefined {
  if (buf.readUInt32LE(at) !== BATCH_MAGIC) return undefined;
  return { bodyBytes: buf.readUInt32LE(at + 4), crc: buf.readUInt32LE(at + 8), seq: readSeq(buf, at + 12), records: buf.readUInt32LE(at + 20) };
}

/** Whether the whole batch at `buf[at..]` (header and body present) matches its CRC. */
export function batchCrcMatches(buf: Buffer, at: number, header: BatchHeader): boolean {
  return crc32(buf.subarray(at + 12, at + BATCH_HEADER_BYTES + header.bodyBytes)) === header.crc;
}

/**
 * Builds batches into one growable buffer: `open(seq)`, records, `seal()`, repeatedly. A commit
 * sizes it exactly and builds one batch; a merge builds one batch per run of equal seqs.
 */
export class BatchBuilder {
  private buf: Buffer;
  private length = 0;
  private batchStart = -1;
  private batchRecords = 0;

  constructor(capacityBytes: number) {
    this.buf = Buffer.allocUnsafe(Math.max(capacityBytes, BATCH_HEADER_BYTES));
  }

  get bytes(): number {
    return this.length;
  }

  get isOpen(): boolean {
    return this.batchStart >= 0;
  }

  open(seq: number): void {
    assert(!this.isOpen, 'seal a batch before opening the next');
    this.reserve(BATCH_HEADER_BYTES);
    this.batchStart = this.length;
    this.buf.writeUInt32LE(BATCH_MAGIC, this.length);
    writeSeq(this.buf, this.length + 12, seq);
    this.length += BATCH_HEADER_BYTES;
    this.batchRecords = 0;
  }

  /** Appends a put; returns where its value starts in the built bytes. */
  put(key: Uint8Array, value: Uint8Array): number {
    this.record(RECORD_PUT, key, value.length);
    const at = this.length;
    this.buf.set(value, at);
    this.length += value.length;
    return at;
  }

  delete(key: Uint8Array): void {
    this.record(RECORD_DELETE, key, 0);
  }

  seal(): void {
    assert(this.isOpen, 'seal needs an open batch');
    const start = this.batchStart;
    this.buf.writeUInt32LE(this.length - start - BATCH_HEADER_BYTES, start + 4);
    this.buf.writeUInt32LE(this.batchRecords, start + 20);
    this.buf.writeUInt32LE(crc32(this.buf.subarray(start + 12, this.length)), start + 8);
    this.batchStart = -1;
  }

  /** The sealed batches so far (a view: valid until the next call). */
  view(): Buffer {
    assert(!this.isOpen, 'seal the last batch first');
    return this.buf.subarray(0, this.length);
  }

  clear(): void {
    assert(!this.isOpen, 'seal the last batch first');
    this.length = 0;
  }

  private record(type: number, key: Uint8Array, valueBytes: number): void {
    assert(this.isOpen, 'records go into an open batch');
    assert(key.length > 0 && key.length <= 0xffff, 'record keys fit a u16 length');
    this.reserve(recordBytes(key.length, valueBytes));
    const at = this.length;
    this.buf[at] = type;
    this.buf.writeUInt16LE(key.length, at + 1);
    this.buf.writeUInt32LE(valueBytes, at + 3);
    this.buf.set(key, at + RECORD_HEADER_BYTES);
    this.length += RECORD_HEADER_BYTES + key.length;
    this.batchRecords++;
  }

  private reserve(bytes: number): void {
    if (this.length + bytes <= this.buf.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.length + bytes));
    this.buf.copy(grown, 0, 0, this.length);
    this.buf = grown;
  }
}

/**
 * A commit's staged writes as one batch of `seq`, sized exactly; `valueOffsets` gives, for each
 * put in the map's order, where its value starts in `bytes`.
 */
export function encodeCommit(batch: ReadonlyMap<string, StagedWrite>, seq: number): { bytes: Buffer; valueOffsets: number[] } {
  let size = BATCH_HEADER_BYTES;
  for (const w of batch.values()) size += recordBytes(w.key.length, w.value?.length ?? 0);
  if (size > MAX_BATCH_BYTES) {
    throw new StorageError('COMMIT_FAILED', `a commit of ${batch.size} writes is ${size} bytes, over the ${MAX_BATCH_BYTES}-byte batch limit`);
  }
  const builder = new BatchBuilder(size);
  const valueOffsets: number[] = [];
  builder.open(seq);
  for (const w of batch.values()) {
    if (w.value === null) builder.delete(w.key);
    else valueOffsets.push(builder.put(w.key, w.value));
  }
  builder.seal();
  return { bytes: builder.view(), valueOffsets };
}
