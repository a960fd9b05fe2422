/**
 * The log engine's data files: their names, the open descriptors and the byte totals.
 *
 * Files are `NNNNNN.log` (the id, zero-padded to at least six digits). Ids only need to be unique,
 * because recovery orders records by sequence number, not by file, with one exception: the file
 * commits append to (the active file) always has the highest id, so on open "the newest file",
 * the only one allowed a torn tail, is simply the last. A merge therefore reserves its output ids
 * below the next active file's. Files a merge is still writing are `NNNNNN.log.tmp`; open deletes
 * those, since the files they copy from are never removed before the copies are durable.
 */
import { join } from 'node:path';
import { assert } from '../core/assert.js';
import { unlinkAsync, writeFully, type LogIo } from './log-io.js';
import { encodeFileHeader, FILE_HEADER_BYTES, type FileKind } from './log-record.js';

export const TEMP_SUFFIX = '.tmp';

export interface DataFile {
  readonly id: number;
  readonly kind: FileKind;
  readonly fd: number;
  path: string;
  /** Still under its temporary name: not part of the data set a restart would see. */
  temp: boolean;
  /** Bytes of whole batches (what lies beyond, after a failed write, is not data). */
  size: number;
  /** The highest batch seq in the file, -1 when it has none. */
  maxSeq: number;
}

export function dataFileName(id: number): string {
  return `${String(id).padStart(6, '0')}.log`;
}

/** The id of a data file name, or undefined for any other name (temp files included). */
export function dataFileId(name: string): number | undefined {
  const match = /^(\d{6,})\.log$/.exec(name);
  return match === null ? undefined : Number(match[1]);
}

export class LogFiles {
  private readonly files = new Map<number, DataFile>();
  private nextId: number;
  private bytes = 0;

  /** `dirFd` is the directory opened for reading, to fsync creates, renames and unlinks. */
  constructor(
    readonly dir: string,
    readonly dirFd: number,
    private readonly io: LogIo,
    existing: readonly DataFile[],
  ) {
    for (const f of existing) this.add(f);
    this.nextId = Math.max(0, ...existing.map((f) => f.id)) + 1;
  }

  get totalBytes(): number {
    return this.bytes;
  }

  get count(): number {
    return this.files.size;
  }

  get(id: number): DataFile {
    const file = this.files.get(id);
    assert(file !== undefined, `data file ${id} is open`);
    return file;
  }

  all(): DataFile[] {
    return [...this.files.values()].sort((a, b) => a.id - b.id);
  }

  /** Hands out `count` ids below every id given out later. */
  reserveIds(count: number): number[] {
    const ids = Array.from({ length: count }, (_, i) => this.nextId + i);
    this.nextId += count;
    return ids;
  }

  /** Creates a file with its header written; `id` defaults to the next free one. */
  create(kind: FileKind, baseSeq: number, temp: boolean, id = this.nextId++): DataFile {
    const path = join(this.dir, dataFileName(id)) + (temp ? TEMP_SUFFIX : '');
    const fd = this.io.openSync(path, temp ? 'w+' : 'wx+');
    try {
      writeFully(this.io, fd, encodeFileHeader({ kind, baseSeq }), 0);
    } catch (err) {
      this.io.closeSync(fd);
      this.io.unlinkSync(path);
      throw err;
    }
    const file: DataFile = { id, kind, fd, path, temp, size: FILE_HEADER_BYTES, maxSeq: -1 };
    this.add(file);
    return file;
  }

  /** Records `bytes` appended to `file` holding batches up to `seq`. */
  appended(file: DataFile, bytes: number, seq: number): void {
    file.size += bytes;
    file.maxSeq = Math.max(file.maxSeq, seq);
    this.bytes += bytes;
  }

  /** Gives a temp file its final name, so a restart sees it. */
  promote(file: DataFile): void {
    assert(file.temp, 'only temp files are promoted');
    const final = join(this.dir, dataFileName(file.id));
    this.io.renameSync(file.path, final);
    file.path = final;
    file.temp = false;
  }

  /** Closes `file` at once, then deletes it on the thread pool (freeing a large file's blocks takes a while). */
  remove(file: DataFile): Promise<void> {
    assert(this.files.get(file.id) === file, 'removes a file of this table');
    this.files.delete(file.id);
    this.bytes -= file.size;
    this.io.closeSync(file.fd);
    return unlinkAsync(this.io, file.path);
  }

  /**
   * Closes every descriptor, the directory's last; temp files are deleted (nothing durable depends
   * on them). Tries every file and throws the first error.
   */
  closeAll(): void {
    let error: unknown;
    const attempt = (action: () => void): void => {
      try {
        action();
      } catch (err) {
        error ??= err;
      }
    };
    for (const file of this.files.values()) {
      attempt(() => this.io.closeSync(file.fd));
      if (file.temp) attempt(() => this.io.unlinkSync(file.path));
    }
    attempt(() => this.io.closeSync(this.dirFd));
    this.files.clear();
    this.bytes = 0;
    if (error !== undefined) throw error;
  }

  private add(file: DataFile): void {
    assert(!this.files.has(file.id), `data file ids are unique (${file.id})`);
    this.files.set(file.id, file);
    this.bytes += file.size;
  }
}
