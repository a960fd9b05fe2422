/**
 * One engine per data directory. Two engines appending to the same files would interleave their
 * batches and corrupt them (an operator starting a second node on the same `--data` is enough), so
 * opening takes a lock first. Node has no flock: the lock is a file created exclusively (O_EXCL)
 * that holds the owner's PID. A lock whose process is gone (crashed, killed with -9) is stale and
 * is taken over; so is one naming this process for a directory this process does not hold (a copy
 * of a directory made while it was open, as the crash tests make).
 */
import { closeSync, openSync, readFileSync, realpathSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { StorageError } from './engine.js';

export const LOCK_FILE = 'LOCK';
/** Directories this process holds, by real path. */
const held = new Set<string>();

/** Takes the directory's lock; returns the function that releases it. */
export function lockDirectory(dir: string): () => void {
  const real = realpathSync(dir);
  const path = join(real, LOCK_FILE);
  if (held.has(real)) throw new StorageError('LOCKED', `the data directory ${dir} is already open in this process`);
  for (let attempt = 0; attempt < 3; attempt++) {
    let fd: number;
    try {
      fd = openSync(path, 'wx');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw new StorageError('LOCKED', `cannot create the lock file ${path}: ${String(err)}`, { cause: err });
      const owner = ownerOf(path);
      if (owner !== undefined && owner !== process.pid && isAlive(owner)) {
        throw new StorageError(
          'LOCKED',
          `the data directory ${dir} is in use by process ${owner}; stop that node first (if no node uses it, remove ${path})`,
        );
      }
      removeStale(path);
      continue;
    }
    try {
      writeSync(fd, `${process.pid}\n`);
    } finally {
      closeSync(fd);
    }
    held.add(real);
    return () => {
      held.delete(real);
      removeStale(path);
    };
  }
  throw new StorageError('LOCKED', `could not take the lock ${path}: another process keeps taking it`);
}

function ownerOf(path: string): number | undefined {
  try {
    const pid = Number(readFileSync(path, 'utf8').trim());
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else, which is alive all the same.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function removeStale(path: string): void {
  try {
    unlinkSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new StorageError('LOCKED', `cannot remove the lock file ${path}: ${String(err)}`, { cause: err });
  }
}
