/**
 * Sequential reads of data files, for recovery and merge. FileCursor reads through one reusable
 * window: callers ask for a byte range and get its index in `buf`, so parsing a record allocates
 * nothing; a range larger than the window (a big batch) gets a buffer of its own size.
 */
import { StorageError } from './engine.js';
import type { DataFile } from './log-files.js';
import { readFully, type LogIo } from './log-io.js';
import { BATCH_HEADER_BYTES, decodeBatchHeader, FILE_HEADER_BYTES, RECORD_HEADER_BYTES, recordBytes } from './log-record.js';

export class FileCursor {
  /** Valid from `ensure` to the next `ensure`. */
  buf: Buffer = Buffer.alloc(0);
  private start = 0;
  private end = 0;

  constructor(
    private readonly io: LogIo,
    private readonly fd: number,
    readonly size: number,
    private readonly windowBytes: number,
  ) {}

  /** Makes file bytes [pos, pos + n) readable in `buf`; returns their index there, or -1 when the file ends first. */
  ensure(pos: number, n: number): number {
    if (pos + n > this.size) return -1;
    if (pos >= this.start && pos + n <= this.end) return pos - this.start;
    const want = Math.min(Math.max(n, this.windowBytes), this.size - pos);
    if (this.buf.length < want) this.buf = Buffer.allocUnsafe(want);
    if (!readFully(this.io, this.fd, this.buf, 0, want, pos)) {
      this.start = this.end = 0;
      return -1;
    }
    this.start = pos;
    this.end = pos + want;
    return 0;
  }
}

/**
 * Walks the records of a data file in order, for a merge. Batch CRCs are not checked again: the
 * file was checked when the engine opened it, or written by this process. Fields describe the
 * current record; `keyAt` and `valueAt` index `buf` until the next `next()`.
 */
export class RecordReader {
  private readonly cursor: FileCursor;
  private pos = FILE_HEADER_BYTES;
  private left = 0;
  done = false;
  seq = -1;
  type = 0;
  keyAt = 0;
  keyBytes = 0;
  valueAt = 0;
  valueBytes = 0;
  /** Where the value starts in the file. */
  valueOffset = 0;

  constructor(
    io: LogIo,
    private readonly file: DataFile,
    windowBytes: number,
  ) {
    this.cursor = new FileCursor(io, file.fd, file.size, windowBytes);
  }

  get buf(): Buffer {
    return this.cursor.buf;
  }

  /** Moves to the next record; false (and `done`) at the end of the file. */
  next(): boolean {
    while (this.left === 0) {
      if (this.pos >= this.cursor.size) {
        this.done = true;
        return false;
      }
      const at = this.cursor.ensure(this.pos, BATCH_HEADER_BYTES);
      const header = at < 0 ? undefined : decodeBatchHeader(this.cursor.buf, at);
      if (header === undefined) throw this.damaged('a bad batch header');
      this.seq = header.seq;
      this.left = header.records;
      this.pos += BATCH_HEADER_BYTES;
    }
    let at = this.cursor.ensure(this.pos, RECORD_HEADER_BYTES);
    if (at < 0) throw this.damaged('a record header past the end');
    this.type = this.cursor.buf[at]!;
    this.keyBytes = this.cursor.buf.readUInt16LE(at + 1);
    this.valueBytes = this.cursor.buf.readUInt32LE(at + 3);
    const bytes = recordBytes(this.keyBytes, this.valueBytes);
    at = this.cursor.ensure(this.pos, bytes);
    if (at < 0) throw this.damaged('a record past the end');
    this.keyAt = at + RECORD_HEADER_BYTES;
    this.valueAt = this.keyAt + this.keyBytes;
    this.valueOffset = this.pos + RECORD_HEADER_BYTES + this.keyBytes;
    this.pos += bytes;
    this.left--;
    return true;
  }

  private damaged(what: string): StorageError {
    return new StorageError('CORRUPT', `merge found ${what} in ${this.file.path} at offset ${this.pos}`);
  }
}
