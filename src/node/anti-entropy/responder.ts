/**
 * The answering side of an exchange (exchange.ts is the asking side): stateless, it answers from
 * this node's Merkle trees and storage. A request for a partition this node has no tree of, a level
 * outside the tree or an index outside the level is not answered; the initiator times out, as it
 * would for a lost message. Sets pushed to it are merged as any replica merges a copy.
 */
import { assert } from '../../core/assert.js';
import type { PeerAddress } from '../../core/ids.js';
import { decodeSiblingSet } from '../../core/versions/index.js';
import { MessageType, type Exchange, type KeysRequest, type PeerMessage, type TreeRequest } from '../../protocol/messages.js';
import type { NodeContext, Placement } from '../context.js';
import { dataKey, identify, type KeyIdentity } from '../keys.js';
import type { StorageView } from '../storage-view.js';
import { leafEntries } from './exchange.js';
import type { MerkleIndex } from './merkle-index.js';
import { isPastGrace } from '../replica/expired-sets.js';
import { mergeOptions } from '../replica/merge-options.js';

export interface ResponderHost {
  readonly ctx: NodeContext;
  readonly storage: StorageView;
  index(): MerkleIndex | null;
  /** The cluster's Q, or null before this node is in a cluster. */
  partitions(): number | null;
  sendTo(address: PeerAddress, body: PeerMessage): void;
  /** This node is among the first n owners of the partition (replica/replica-classes.ts). */
  replicaOfClass(partition: number, n: number): boolean;
  /** The replica class (the n) a bucket's keys belong to. */
  classOfBucket(bucket: string): number;
  placement(identity: KeyIdentity, n: number): Placement | null;
}

function validPartition(host: ResponderHost, p: number): boolean {
  const q = host.partitions();
  return q !== null && Number.isInteger(p) && p >= 0 && p < q;
}

export function answerTree(host: ResponderHost, to: PeerAddress, body: TreeRequest): void {
  const index = host.index();
  if (index === null || !validPartition(host, body.partition)) return;
  // Only a replica of the class answers; an empty reply ends the initiator's exchange at once.
  if (!host.replicaOfClass(body.partition, body.n)) return host.sendTo(to, { type: MessageType.TreeReply, id: body.id, hashes: [] });
  const tree = index.tree(body.partition, body.n);
  const { fanout, depth } = tree.shape;
  const width = fanout ** body.level;
  if (body.level < 0 || body.level >= depth || body.indices.some((i) => i < 0 || i >= width)) return;
  const hashes = body.indices.map((i) => Buffer.concat(tree.childHashes(body.level, i)));
  assert(hashes.length === body.indices.length, 'one hash list per index asked');
  host.sendTo(to, { type: MessageType.TreeReply, id: body.id, hashes });
}

export function answerKeys(host: ResponderHost, to: PeerAddress, body: KeysRequest): void {
  const index = host.index();
  if (index === null || !validPartition(host, body.partition) || !host.replicaOfClass(body.partition, body.n)) return;
  const leaves = index.shape.fanout ** index.shape.depth;
  if (body.leaves.some((l) => l < 0 || l >= leaves)) return;
  const entries: [string, string, Uint8Array][] = [];
  for (const leaf of body.leaves) {
    for (const e of leafEntries(host.storage, index, body.partition, leaf, body.n)) entries.push([e.bucket, e.key, Buffer.from(e.digest, 'hex')]);
  }
  host.sendTo(to, { type: MessageType.KeysReply, id: body.id, entries });
}

export function answerExchange(host: ResponderHost, to: PeerAddress, body: Exchange): void {
  let refused = 0;
  for (const [bucket, key, encoded] of body.push) if (mergeReceived(host, bucket, key, encoded) === 'refused') refused++;
  // No reply: a transfer must not count as confirmed (and delete its source) what was not taken.
  if (refused > 0) return host.ctx.log('warn', 'refused pushed keys this node holds no replica of', { from: to, refused });
  const sets: [string, string, Uint8Array][] = [];
  for (const [bucket, key] of body.want) {
    const raw = host.ctx.store.getRaw(dataKey(identify(bucket, key)));
    if (raw !== undefined) sets.push([bucket, key, raw]);
  }
  host.sendTo(to, { type: MessageType.ExchangeReply, id: body.id, sets });
}

/**
 * What became of a sibling set that arrived by anti-entropy or transfer: kept (merged into the
 * data), not kept (expired past the grace and not held here, or malformed: no harm in telling the
 * sender it arrived), or refused (this node holds no replica of the key: the sender must not count
 * the transfer as done).
 */
export type ReceivedOutcome = 'kept' | 'not-kept' | 'refused';

export function mergeReceived(host: ResponderHost, bucket: string, key: string, encoded: Uint8Array): ReceivedOutcome {
  const { ctx } = host;
  const identity = identify(bucket, key);
  const placement = host.placement(identity, host.classOfBucket(bucket));
  if (placement === null || !placement.primaries.includes(ctx.selfId)) {
    ctx.metrics.badMessages++;
    return 'refused';
  }
  try {
    const set = decodeSiblingSet(encoded);
    // An expired key past its grace is not taken back by a replica that already let go of it.
    if (isPastGrace(ctx, set) && ctx.store.getRaw(dataKey(identity)) === undefined) {
      ctx.metrics.expiredDropped++;
      return 'not-kept';
    }
    ctx.store.mergeData(identity, set, mergeOptions(ctx.props(bucket), ctx.config));
    return 'kept';
  } catch {
    ctx.metrics.badMessages++;
    return 'not-kept';
  }
}
