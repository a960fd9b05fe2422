/** Helpers for log engine tests: the data files of a directory, their batches, and photographs of them. */
import { copyFileSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { dataFileId } from '../log-files.js';
import { BATCH_HEADER_BYTES, decodeBatchHeader, FILE_HEADER_BYTES } from '../log-record.js';
import type { TempDirs } from './temp-dirs.js';

/** Paths of the data files in `dir`, by ascending id. */
export function dataFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => dataFileId(name) !== undefined)
    .sort((a, b) => dataFileId(a)! - dataFileId(b)!)
    .map((name) => join(dir, name));
}

/** Start offsets and lengths of the batches in a data file. */
export function batchesOf(path: string): Array<{ offset: number; bytes: number }> {
  const buf = readFileSync(path);
  const out: Array<{ offset: number; bytes: number }> = [];
  for (let pos = FILE_HEADER_BYTES; pos < buf.length; ) {
    const header = decodeBatchHeader(buf, pos);
    if (header === undefined) throw new Error(`no batch at ${pos} in ${path}`);
    out.push({ offset: pos, bytes: BATCH_HEADER_BYTES + header.bodyBytes });
    pos += BATCH_HEADER_BYTES + header.bodyBytes;
  }
  return out;
}

/**
 * A copy of `dir` as it is now: what a kill -9 at this instant would leave (the page cache is the
 * disk). A merge unlinks its inputs on libuv's thread pool, concurrently with this copy, so the copy
 * is retried until the listing is the same before and after it: a copy that saw a file vanish half
 * way could show an order of unlinks that never happened.
 */
export function photograph(dirs: TempDirs, dir: string, label: string): string {
  for (let attempt = 0; ; attempt++) {
    const names = readdirSync(dir).sort();
    const copy = dirs.make(`photo-${label}`);
    try {
      for (const name of names) copyFileSync(join(dir, name), join(copy, name));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || attempt >= 100) throw err;
      continue;
    }
    if (readdirSync(dir).sort().join('/') === names.join('/')) return copy;
  }
}
