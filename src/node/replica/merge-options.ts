/** How a replica merges a key of a bucket: its conflict mode, its type, and the clock truncation. */
import { bucketType, type BucketProps } from '../../core/buckets/index.js';
import type { NodeConfig } from '../config.js';
import type { MergeOptions } from './local-store.js';

export function mergeOptions(props: BucketProps, config: NodeConfig): MergeOptions {
  const type = bucketType(props);
  const base = { lww: props.conflict === 'lww', maxClockEntries: config.maxClockEntries };
  return type === 'kv' ? base : { ...base, crdt: type };
}
