/**
 * The engines a node can run on, as `--storage` names them: 'disk' is the log engine (log.ts,
 * Bitcask-style: append-only files, keys in memory), the default; 'lmdb' is the B-tree (lmdb.ts)
 * for data sets whose keys do not fit in memory; 'memory' keeps nothing across restarts.
 */
export type StorageKind = 'memory' | 'disk' | 'lmdb';
export const STORAGE_KINDS: readonly StorageKind[] = ['memory', 'disk', 'lmdb'];
