/** The log engine's options beyond every engine's, their defaults and checks, and its stats. */
import { StorageError, type EngineOptions } from './engine.js';

export interface LogEngineOptions extends EngineOptions {
  readonly path: string;
  /** The active file rolls to a new one past this size. Default 256 MiB; 1 KiB to 1 GiB. */
  readonly maxFileBytes?: number;
  /**
   * No merge below this many bytes of files, however much is dead. Default 256 MiB (Bitcask's
   * dead-bytes trigger is 512 MB): a merge copies every live record, so on a node with little live
   * data a low floor makes it copy that data again for every few megabytes written.
   */
  readonly mergeMinBytes?: number;
  /**
   * Each merge's floor is mergeMinBytes raised by a random fraction from 0 up to this, drawn anew
   * after every merge. Replicas take the same writes, so with one fixed floor they all merged in
   * the same second and every request waited on a merging node; staggered, they seldom merge
   * together (HBase jitters its major compactions for the same reason). Default 0.5; 0 to 10.
   */
  readonly mergeJitter?: number;
  /** Records a merge reads per event-loop turn. Default 500 (~2-3 ms with a million keys). */
  readonly mergeChunkRecords?: number;
}

export const LOG_DEFAULTS = {
  maxFileBytes: 256 * 1024 * 1024,
  mergeMinBytes: 256 * 1024 * 1024,
  mergeJitter: 0.5,
  mergeChunkRecords: 500,
} as const;

const MIN_FILE_BYTES = 1024;
const MAX_FILE_BYTES = 1024 * 1024 * 1024;
const MAX_MERGE_JITTER = 10;

/** What the node's /status shows. */
export interface LogStats {
  readonly liveKeys: number;
  /** Bytes of the live records (record headers, keys and values). */
  readonly liveBytes: number;
  /** Bytes of every data file. */
  readonly fileBytes: number;
  readonly files: number;
  /** What a merge would reclaim (a lower bound); a merge starts when it is half of fileBytes. */
  readonly deadBytes: number;
  /** The next merge starts by itself once fileBytes reaches this (and deadBytes is half of it). */
  readonly mergeFloorBytes: number;
  readonly merging: boolean;
  /** Merges completed since open. */
  readonly merges: number;
  /** Why the last merge failed, until one succeeds. */
  readonly lastMergeError: string | undefined;
}

export function checkLogOptions(options: LogEngineOptions): void {
  if (typeof options.path !== 'string' || options.path === '') throw new StorageError('BAD_OPTION', 'the log engine needs a directory path');
  const max = options.maxFileBytes;
  if (max !== undefined && !(Number.isSafeInteger(max) && max >= MIN_FILE_BYTES && max <= MAX_FILE_BYTES)) {
    throw new StorageError('BAD_OPTION', `maxFileBytes must be an integer from ${MIN_FILE_BYTES} to ${MAX_FILE_BYTES}, not ${max}`);
  }
  const min = options.mergeMinBytes;
  if (min !== undefined && !(Number.isSafeInteger(min) && min >= 0)) {
    throw new StorageError('BAD_OPTION', `mergeMinBytes must be a non-negative integer, not ${min}`);
  }
  const jitter = options.mergeJitter;
  if (jitter !== undefined && !(Number.isFinite(jitter) && jitter >= 0 && jitter <= MAX_MERGE_JITTER)) {
    throw new StorageError('BAD_OPTION', `mergeJitter must be a number from 0 to ${MAX_MERGE_JITTER}, not ${jitter}`);
  }
  const chunk = options.mergeChunkRecords;
  if (chunk !== undefined && !(Number.isSafeInteger(chunk) && chunk > 0)) {
    throw new StorageError('BAD_OPTION', `mergeChunkRecords must be a positive integer, not ${chunk}`);
  }
}
