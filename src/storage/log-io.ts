/**
 * The file-system calls the log engine makes, as one small interface so tests can inject faults
 * (a failing fdatasync, a short write) without touching the real disk's behaviour elsewhere.
 * Synchronous calls run on the event loop and are kept short by their callers (one commit's write,
 * one value's read, one bounded merge chunk); the fsyncs the engine waits for in the background go
 * through the callback forms, which run on libuv's thread pool.
 */
import * as fs from 'node:fs';

export interface LogIo {
  openSync(path: string, flags: string): number;
  closeSync(fd: number): void;
  /** Returns the bytes written, which may be fewer than asked. */
  writeSync(fd: number, buffer: Uint8Array, offset: number, length: number, position: number): number;
  readSync(fd: number, buffer: Uint8Array, offset: number, length: number, position: number): number;
  fileBytes(fd: number): number;
  ftruncateSync(fd: number, length: number): void;
  fdatasyncSync(fd: number): void;
  fdatasync(fd: number, callback: (error: NodeJS.ErrnoException | null) => void): void;
  /** fsync of a directory's fd: makes creates, renames and unlinks in it durable. */
  fsyncSync(fd: number): void;
  fsync(fd: number, callback: (error: NodeJS.ErrnoException | null) => void): void;
  readdirSync(path: string): string[];
  mkdirSync(path: string): void;
  renameSync(from: string, to: string): void;
  unlinkSync(path: string): void;
  /** Unlinking a large file frees its extents, which takes milliseconds: merges do it on the thread pool. */
  unlink(path: string, callback: (error: NodeJS.ErrnoException | null) => void): void;
}

export const nodeLogIo: LogIo = {
  openSync: (path, flags) => fs.openSync(path, flags),
  closeSync: (fd) => fs.closeSync(fd),
  writeSync: (fd, buffer, offset, length, position) => fs.writeSync(fd, buffer, offset, length, position),
  readSync: (fd, buffer, offset, length, position) => fs.readSync(fd, buffer, offset, length, position),
  fileBytes: (fd) => fs.fstatSync(fd).size,
  ftruncateSync: (fd, length) => fs.ftruncateSync(fd, length),
  fdatasyncSync: (fd) => fs.fdatasyncSync(fd),
  fdatasync: (fd, callback) => fs.fdatasync(fd, callback),
  fsyncSync: (fd) => fs.fsyncSync(fd),
  fsync: (fd, callback) => fs.fsync(fd, callback),
  readdirSync: (path) => fs.readdirSync(path),
  mkdirSync: (path) => void fs.mkdirSync(path, { recursive: true }),
  renameSync: (from, to) => fs.renameSync(from, to),
  unlinkSync: (path) => fs.unlinkSync(path),
  unlink: (path, callback) => fs.unlink(path, callback),
};

/** The callback forms as promises. */
export function fdatasyncAsync(io: LogIo, fd: number): Promise<void> {
  return new Promise((resolve, reject) => io.fdatasync(fd, (error) => (error === null ? resolve() : reject(error))));
}

export function fsyncAsync(io: LogIo, fd: number): Promise<void> {
  return new Promise((resolve, reject) => io.fsync(fd, (error) => (error === null ? resolve() : reject(error))));
}

export function unlinkAsync(io: LogIo, path: string): Promise<void> {
  return new Promise((resolve, reject) => io.unlink(path, (error) => (error === null ? resolve() : reject(error))));
}

/** Writes all of `bytes` at `position`, looping over short writes; throws on the first error. */
export function writeFully(io: LogIo, fd: number, bytes: Uint8Array, position: number): void {
  let done = 0;
  while (done < bytes.length) {
    const n = io.writeSync(fd, bytes, done, bytes.length - done, position + done);
    if (n <= 0) throw new Error(`write returned ${n} with ${bytes.length - done} bytes left`);
    done += n;
  }
}

/** Reads exactly `length` bytes at `position` into `buffer[offset..]`; false when the file ends first. */
export function readFully(io: LogIo, fd: number, buffer: Uint8Array, offset: number, length: number, position: number): boolean {
  let done = 0;
  while (done < length) {
    const n = io.readSync(fd, buffer, offset + done, length - done, position + done);
    if (n <= 0) return false;
    done += n;
  }
  return true;
}
