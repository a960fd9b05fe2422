/**
 * Opening a log directory: read every data file, check every batch, rebuild the keydir.
 *
 * Files are read in id order, each batch whole (its CRC checked), and each record applied to the
 * keydir if its seq is at least the key's current one, so the newest record of a key wins whatever
 * file it is in; deletes stay as tombstones until the end for the same reason.
 *
 * A bad batch (torn header, bad magic, a length past the end, a CRC mismatch) is a crash artefact
 * only at the end of the newest file, the one commits were appending to: a kill -9 or power loss
 * mid-write leaves exactly that. It is cut off, and nothing it held was acknowledged. A bad batch
 * anywhere else, or one followed by an intact batch, is damage that no crash explains: open fails
 * with CORRUPT and tells the operator how to recover. A batch whose CRC holds but whose contents
 * do not parse is always CORRUPT (it was written that way).
 */
import { join } from 'node:path';
import { StorageError } from './engine.js';
import { FileCursor } from './log-reader.js';
import { dataFileId, dataFileName, TEMP_SUFFIX, type DataFile } from './log-files.js';
import { writeFully, type LogIo } from './log-io.js';
import { Keydir, TOMBSTONE } from './log-keydir.js';
import {
  BATCH_HEADER_BYTES,
  BATCH_MAGIC,
  batchCrcMatches,
  decodeBatchHeader,
  decodeFileHeader,
  encodeFileHeader,
  FILE_HEADER_BYTES,
  MAX_BATCH_BYTES,
  RECORD_DELETE,
  RECORD_HEADER_BYTES,
  RECORD_PUT,
  type FileKind,
} from './log-record.js';

const READ_WINDOW_BYTES = 8 * 1024 * 1024;
const SEARCH_WINDOW_BYTES = 1024 * 1024;

export interface Recovered {
  /** Ascending id; the last is the newest. */
  readonly files: DataFile[];
  /** Above every seq on disk and every file's base seq. */
  readonly nextSeq: number;
}

export interface RecoverOptions {
  /** fdatasync a cut-off tail before new batches go after it (false in 'none' mode). */
  readonly syncRepairs: boolean;
}

/** Fills `keydir` from the files in `dir` (tombstones dropped); the files stay open. */
export function recover(io: LogIo, dir: string, keydir: Keydir, options: RecoverOptions): Recovered {
  const names = io.readdirSync(dir);
  for (const name of names) if (name.endsWith(TEMP_SUFFIX) && dataFileId(name.slice(0, -TEMP_SUFFIX.length)) !== undefined) io.unlinkSync(join(dir, name));
  const ids = names.flatMap((name) => dataFileId(name) ?? []).sort((a, b) => a - b);
  const files: DataFile[] = [];
  let nextSeq = 1;
  try {
    for (const [i, id] of ids.entries()) {
      const newest = i === ids.length - 1;
      const path = join(dir, dataFileName(id));
      const fd = io.openSync(path, newest ? 'r+' : 'r');
      const scan = new FileScan(io, keydir, { id, fd, path, newest, syncRepairs: options.syncRepairs });
      const result = scan.run();
      files.push({ id, kind: result.kind, fd, path, temp: false, size: result.size, maxSeq: result.maxSeq });
      nextSeq = Math.max(nextSeq, result.baseSeq, result.maxSeq + 1);
    }
  } catch (err) {
    for (const f of files) io.closeSync(f.fd);
    throw err;
  }
  keydir.dropTombstones();
  return { files, nextSeq };
}

interface ScanTarget {
  readonly id: number;
  readonly fd: number;
  readonly path: string;
  readonly newest: boolean;
  readonly syncRepairs: boolean;
}

interface ScanResult {
  readonly kind: FileKind;
  readonly baseSeq: number;
  readonly size: number;
  readonly maxSeq: number;
}

/** One file's scan; `run` returns what the file holds or throws CORRUPT. */
class FileScan {
  private readonly cursor: FileCursor;
  private maxSeq = -1;

  constructor(
    private readonly io: LogIo,
    private readonly keydir: Keydir,
    private readonly target: ScanTarget,
  ) {
    this.cursor = new FileCursor(io, target.fd, io.fileBytes(target.fd), READ_WINDOW_BYTES);
  }

  run(): ScanResult {
    const at = this.cursor.ensure(0, FILE_HEADER_BYTES);
    const header = at < 0 ? 'the file header is cut short' : decodeFileHeader(this.cursor.buf, at);
    if (typeof header === 'string') return this.headerDamaged(header, at);
    let pos = FILE_HEADER_BYTES;
    while (pos < this.cursor.size) {
      const next = this.batch(pos, header.kind);
      if (typeof next === 'number') {
        pos = next;
        continue;
      }
      this.tornTail(pos, next);
      return { kind: header.kind, baseSeq: header.baseSeq, size: pos, maxSeq: this.maxSeq };
    }
    return { kind: header.kind, baseSeq: header.baseSeq, size: pos, maxSeq: this.maxSeq };
  }

  /** Applies the batch at `pos`; returns the position after it, or why it is bad. */
  private batch(pos: number, kind: FileKind): number | string {
    let at = this.cursor.ensure(pos, BATCH_HEADER_BYTES);
    if (at < 0) return 'a batch header is cut short';
    const header = decodeBatchHeader(this.cursor.buf, at);
    if (header === undefined) return 'bad batch magic';
    if (header.bodyBytes > MAX_BATCH_BYTES) return `an implausible batch length of ${header.bodyBytes}`;
    const end = pos + BATCH_HEADER_BYTES + header.bodyBytes;
    if (end > this.cursor.size) return 'a batch runs past the end of the file';
    at = this.cursor.ensure(pos, end - pos);
    if (!batchCrcMatches(this.cursor.buf, at, header)) return 'a batch CRC mismatch';
    if (kind === 'log' && header.seq <= this.maxSeq) throw this.corrupt(pos, `batch seq ${header.seq} does not follow ${this.maxSeq}`);
    this.maxSeq = Math.max(this.maxSeq, header.seq);
    this.records(pos, at + BATCH_HEADER_BYTES, at + BATCH_HEADER_BYTES + header.bodyBytes, header.records, header.seq);
    return end;
  }

  /** Applies the records of a CRC-checked batch body, `buf[start, end)` at file offset `pos` + header. */
  private records(pos: number, start: number, end: number, count: number, seq: number): void {
    const buf = this.cursor.buf;
    const fileDelta = pos + BATCH_HEADER_BYTES - start;
    let p = start;
    for (let r = 0; r < count; r++) {
      if (p + RECORD_HEADER_BYTES > end) throw this.corrupt(pos, `record ${r} of ${count} overruns its batch`);
      const type = buf[p]!;
      const keyBytes = buf.readUInt16LE(p + 1);
      const valueBytes = buf.readUInt32LE(p + 3);
      const keyAt = p + RECORD_HEADER_BYTES;
      const valueAt = keyAt + keyBytes;
      if (keyBytes === 0 || valueAt + valueBytes > end) throw this.corrupt(pos, `record ${r} of ${count} overruns its batch`);
      const key = buf.toString('latin1', keyAt, valueAt);
      if (type === RECORD_PUT) this.apply(key, this.target.id, valueAt + fileDelta, valueBytes, seq);
      else if (type === RECORD_DELETE) this.apply(key, TOMBSTONE, 0, 0, seq);
      else throw this.corrupt(pos, `record ${r} has unknown type ${type}`);
      p = valueAt + valueBytes;
    }
    if (p !== end) throw this.corrupt(pos, `the batch has ${end - p} bytes after its ${count} records`);
  }

  /** The newest seq of a key wins; equal seqs are the same record copied by a merge. */
  private apply(key: string, fileId: number, offset: number, length: number, seq: number): void {
    const slot = this.keydir.slot(key);
    if (slot !== undefined && this.keydir.seqOf(slot) > seq) return;
    this.keydir.set(key, fileId, offset, length, seq);
  }

  /** A bad batch at `pos`: cut off if it is the newest file's torn tail, else CORRUPT. */
  private tornTail(pos: number, why: string): void {
    if (!this.target.newest) throw this.corrupt(pos, why);
    const intact = this.findIntactBatch(pos + 1);
    if (intact !== undefined) throw this.corrupt(pos, `${why}, followed by an intact batch at offset ${intact}`);
    this.io.ftruncateSync(this.target.fd, pos);
    if (this.target.syncRepairs) this.io.fdatasyncSync(this.target.fd);
  }

  /**
   * The newest file may end in a header cut short by a crash right after it was created (or zeros,
   * if the size reached the disk and the data did not); it is rewritten empty. Otherwise CORRUPT.
   */
  private headerDamaged(why: string, at: number): ScanResult {
    const zeros = at >= 0 && this.cursor.buf.subarray(at, at + FILE_HEADER_BYTES).every((b) => b === 0);
    if (!this.target.newest || (at >= 0 && !zeros)) throw this.corrupt(0, why);
    this.io.ftruncateSync(this.target.fd, 0);
    writeFully(this.io, this.target.fd, encodeFileHeader({ kind: 'log', baseSeq: 0 }), 0);
    if (this.target.syncRepairs) this.io.fdatasyncSync(this.target.fd);
    return { kind: 'log', baseSeq: 0, size: FILE_HEADER_BYTES, maxSeq: -1 };
  }

  /** The offset of the first whole, CRC-valid batch at or after `from`, if any. */
  private findIntactBatch(from: number): number | undefined {
    const size = this.cursor.size;
    const scan = new FileCursor(this.io, this.target.fd, size, SEARCH_WINDOW_BYTES);
    const magic = Buffer.alloc(4);
    magic.writeUInt32LE(BATCH_MAGIC);
    let pos = from;
    while (pos + BATCH_HEADER_BYTES <= size) {
      const n = Math.min(SEARCH_WINDOW_BYTES, size - pos);
      const at = scan.ensure(pos, n);
      const hit = scan.buf.subarray(at, at + n).indexOf(magic);
      if (hit < 0) {
        pos += n - (magic.length - 1);
        continue;
      }
      if (this.isIntactBatch(pos + hit)) return pos + hit;
      pos += hit + 1;
    }
    return undefined;
  }

  private isIntactBatch(pos: number): boolean {
    let at = this.cursor.ensure(pos, BATCH_HEADER_BYTES);
    if (at < 0) return false;
    const header = decodeBatchHeader(this.cursor.buf, at);
    if (header === undefined || header.bodyBytes > MAX_BATCH_BYTES) return false;
    at = this.cursor.ensure(pos, BATCH_HEADER_BYTES + header.bodyBytes);
    return at >= 0 && batchCrcMatches(this.cursor.buf, at, header);
  }

  private corrupt(offset: number, why: string): StorageError {
    return new StorageError(
      'CORRUPT',
      `data file ${this.target.path} is damaged at offset ${offset}: ${why}. This is not what a crash leaves, so the node will not start on it. ` +
        `Its data can be rebuilt from the other replicas: stop the node, remove its data directory, and start it empty; hinted handoff and anti-entropy will copy its partitions back.`,
    );
  }
}
